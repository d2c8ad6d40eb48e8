//! Contract tests of the iCalendar feeds: `/api/v1/coopol/events/:id.ics`, `/events.ics`,
//! `/groups/:name/events.ics`, `/users/:name/events.ics` (public and with `?token=`),
//! `POST /api/v1/coopol/calendar/token`, caching headers, and what never appears publicly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{TimeZone, Utc};
use common::*;
use coopol_db::entities::{event_participants, events, statuses};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

struct New<'a> {
    title: &'a str,
    visibility: &'a str,
    group_id: Option<i64>,
    status: &'a str,
    local: bool,
}

impl Default for New<'_> {
    fn default() -> Self {
        New { title: "Marche pour le climat", visibility: "public", group_id: None, status: "confirmed", local: true }
    }
}

/// An event (and its companion status) organised by `by`, starting in two weeks' time.
async fn event(api: &Api, by: &User, new: New<'_>) -> events::Model {
    let db = &api.fed.db;
    let id = coopol_core::new_id();
    let uri = format!("http://localhost:1/users/{}/statuses/{id}", by.account.username);
    let now = coopol_db::now();
    let status_id = coopol_core::new_id();
    statuses::ActiveModel {
        id: Set(status_id),
        uri: Set(uri.clone()),
        url: Set(uri.clone()),
        account_id: Set(by.account.id),
        in_reply_to_id: Set(None),
        in_reply_to_uri: Set(None),
        in_reply_to_account_id: Set(None),
        reblog_of_id: Set(None),
        content: Set(format!("<p><strong>{}</strong></p>", new.title)),
        source_text: Set(None),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set(new.visibility.into()),
        language: Set(None),
        local: Set(new.local),
        created_at: Set(now),
        edited_at: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    let start = Utc::now().date_naive() + chrono::Days::new(14);
    // 14:00 in Paris whatever the season: the UTC instant follows the zone's rules.
    let local = start.and_hms_opt(14, 0, 0).unwrap();
    let starts_at = chrono_tz::Europe::Paris.from_local_datetime(&local).single().unwrap().with_timezone(&Utc);
    events::ActiveModel {
        id: Set(id),
        status_id: Set(status_id),
        uri: Set(uri.clone()),
        url: Set(uri),
        account_id: Set(by.account.id),
        group_id: Set(new.group_id),
        title: Set(new.title.into()),
        description_source: Set(Some("Départ **place** de la République".into())),
        description_html: Set("<p>Départ <strong>place</strong> de la République &amp; arrivée</p>".into()),
        starts_at: Set(starts_at),
        ends_at: Set(Some(starts_at + chrono::Duration::hours(2))),
        timezone: Set("Europe/Paris".into()),
        location_name: Set(Some("Place de la République".into())),
        street: Set(None),
        locality: Set(Some("Paris".into())),
        postal_code: Set(Some("75003".into())),
        country: Set(None),
        latitude: Set(Some(48.8674)),
        longitude: Set(Some(2.3636)),
        online_url: Set(None),
        category: Set(None),
        capacity: Set(None),
        join_mode: Set("free".into()),
        status: Set(new.status.into()),
        image_url: Set(None),
        anonymous_participation: Set(false),
        participants_count: Set(0),
        local: Set(new.local),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap()
}

async fn attend(api: &Api, who: &User, e: &events::Model, state: &str) {
    let now = coopol_db::now();
    event_participants::ActiveModel {
        id: Set(coopol_core::new_id()),
        event_id: Set(e.id),
        account_id: Set(who.account.id),
        state: Set(state.into()),
        join_uri: Set(format!("http://localhost:1/joins/{}", coopol_core::new_id())),
        created_at: Set(now),
        updated_at: Set(now),
        reminded_at: Set(None),
    }
    .insert(&api.fed.db)
    .await
    .unwrap();
}

async fn feed(api: &Api, path: &str) -> Answer {
    api.call(Method::GET, path, None, None).await
}

/// The UIDs of a feed, checking it is a calendar.
fn uids(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.header("content-type").as_deref(), Some("text/calendar; charset=utf-8"));
    let cal: Calendar = a.text.parse().unwrap();
    cal.events().map(|e| e.get_uid().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_event_feed_has_the_event_in_its_zone() {
    for api in apis().await {
        let mia = api.user("mia").await;
        let e = event(&api, &mia, New::default()).await;
        let a = feed(&api, &format!("/api/v1/coopol/events/{}.ics", e.id)).await;
        assert_eq!(uids(&a), vec![e.uri.clone()], "{}", api.backend);
        let cal: Calendar = a.text.parse().unwrap();
        let ev = cal.events().next().unwrap();
        match ev.get_start().unwrap() {
            DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
                assert_eq!(tzid, "Europe/Paris");
                assert_eq!(date_time.format("%H:%M").to_string(), "14:00");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(ev.get_summary(), Some("Marche pour le climat"));
        assert_eq!(ev.get_description(), Some("Départ place de la République & arrivée"));
        assert_eq!(ev.get_location(), Some("Place de la République, 75003 Paris"));
        assert!(a.text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
        // The event's JSON is still served at its own path, and unknown ids are 404s.
        let json = api.get(&format!("/api/v1/coopol/events/{}", e.id), &mia.token).await.ok();
        assert_eq!(json["uri"], e.uri.as_str());
        assert_eq!(feed(&api, "/api/v1/coopol/events/999.ics").await.status, StatusCode::NOT_FOUND);
        assert_eq!(feed(&api, "/api/v1/coopol/events/nope.ics").await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn feeds_answer_304_to_a_client_that_has_them() {
    for api in apis().await {
        let mia = api.user("mia").await;
        event(&api, &mia, New::default()).await;
        let a = feed(&api, "/users/mia/events.ics").await;
        let etag = a.header("etag").unwrap();
        assert!(a.header("last-modified").is_some());
        let again = |h: (&'static str, String)| {
            Request::builder()
                .method(Method::GET)
                .uri("/users/mia/events.ics")
                .header(header::HOST, "localhost:1")
                .header(h.0, h.1)
                .body(Body::empty())
                .unwrap()
        };
        let b = api.send(again(("if-none-match", etag.clone()))).await;
        assert_eq!(b.status, StatusCode::NOT_MODIFIED, "{}", api.backend);
        assert!(b.text.is_empty());
        let c = api.send(again(("if-modified-since", a.header("last-modified").unwrap()))).await;
        assert_eq!(c.status, StatusCode::NOT_MODIFIED);
        let d = api.send(again(("if-none-match", "\"other\"".into()))).await;
        assert_eq!(d.status, StatusCode::OK);
        // A new event changes the feed and its ETag.
        event(&api, &mia, New { title: "Réunion", ..New::default() }).await;
        let e = api.send(again(("if-none-match", etag.clone()))).await;
        assert_eq!(e.status, StatusCode::OK);
        assert_ne!(e.header("etag").unwrap(), etag);
    }
}

#[tokio::test]
async fn public_feeds_hold_only_public_events() {
    for api in apis().await {
        let mia = api.user("mia").await;
        let open = api.post("/api/v1/coopol/groups", &mia.token, json!({ "name": "greens" })).await.ok();
        let closed =
            api.post("/api/v1/coopol/groups", &mia.token, json!({ "name": "cell", "private": true })).await.ok();
        let open_id: i64 = open["id"].as_str().unwrap().parse().unwrap();
        let closed_id: i64 = closed["id"].as_str().unwrap().parse().unwrap();

        let public = event(&api, &mia, New { group_id: Some(open_id), ..New::default() }).await;
        let cancelled =
            event(&api, &mia, New { title: "Annulé", status: "cancelled", group_id: Some(open_id), ..New::default() })
                .await;
        let unlisted = event(&api, &mia, New { visibility: "private", ..New::default() }).await;
        let secret = event(&api, &mia, New { group_id: Some(closed_id), ..New::default() }).await;

        let group = feed(&api, "/groups/greens/events.ics").await;
        let got = uids(&group);
        assert_eq!(got.len(), 2, "{}: {got:?}", api.backend);
        assert!(got.contains(&public.uri) && got.contains(&cancelled.uri));
        assert!(group.text.contains("STATUS:CANCELLED\r\n"));
        assert_eq!(feed(&api, "/groups/cell/events.ics").await.status, StatusCode::NOT_FOUND);
        assert_eq!(feed(&api, "/groups/nobody/events.ics").await.status, StatusCode::NOT_FOUND);

        for path in ["/users/mia/events.ics", "/events.ics"] {
            let got = uids(&feed(&api, path).await);
            assert!(got.contains(&public.uri), "{path}");
            assert!(!got.contains(&unlisted.uri), "{path}: a followers-only event is not public");
            assert!(!got.contains(&secret.uri), "{path}: a private group's event is not public");
        }
        for e in [&unlisted, &secret] {
            let a = feed(&api, &format!("/api/v1/coopol/events/{}.ics", e.id)).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND);
        }
    }
}

#[tokio::test]
async fn a_calendar_token_opens_the_personal_feed() {
    for api in apis().await {
        let mia = api.user("mia").await;
        let nina = api.user("nina").await;
        let mine = event(&api, &mia, New { visibility: "private", ..New::default() }).await;
        let going = event(&api, &nina, New { title: "Going", visibility: "private", ..New::default() }).await;
        let maybe = event(&api, &nina, New { title: "Maybe", ..New::default() }).await;
        let waiting = event(&api, &nina, New { title: "Waiting", ..New::default() }).await;
        attend(&api, &mia, &going, "accepted").await;
        attend(&api, &mia, &maybe, "tentative").await;
        attend(&api, &mia, &waiting, "waitlisted").await;

        let anonymous = api.call(Method::POST, "/api/v1/coopol/calendar/token", None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let first = api.post("/api/v1/coopol/calendar/token", &mia.token, json!({})).await.ok();
        let token = first["token"].as_str().unwrap().to_owned();
        let url = first["url"].as_str().unwrap();
        assert_eq!(url, format!("http://localhost:1/users/mia/events.ics?token={token}"));

        let path = format!("/users/mia/events.ics?token={token}");
        let a = feed(&api, &path).await;
        let mut got = uids(&a);
        got.sort();
        let mut want = vec![mine.uri.clone(), going.uri.clone(), maybe.uri.clone()];
        want.sort();
        assert_eq!(got, want, "{}", api.backend);
        assert_eq!(a.header("cache-control").as_deref(), Some("private, max-age=300"));
        // Without the token, none of this is public.
        assert!(uids(&feed(&api, "/users/mia/events.ics").await).is_empty());
        // Someone else's token does not open mia's feed.
        let other = api.post("/api/v1/coopol/calendar/token", &nina.token, json!({})).await.ok();
        let wrong = feed(&api, &format!("/users/mia/events.ics?token={}", other["token"].as_str().unwrap())).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.json["error"].is_string());
        // A new token replaces the old one.
        let second = api.post("/api/v1/coopol/calendar/token", &mia.token, json!({})).await.ok();
        assert_ne!(second["token"], first["token"]);
        assert_eq!(feed(&api, &path).await.status, StatusCode::UNAUTHORIZED);
        let fresh = format!("/users/mia/events.ics?token={}", second["token"].as_str().unwrap());
        assert_eq!(uids(&feed(&api, &fresh).await).len(), 3);
    }
}
