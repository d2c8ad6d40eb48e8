//! Events: `/events` (this instance's upcoming public events, with its calendar feed) and an
//! event's page `/events/ID` (when, in the event's time zone and in UTC; where; who organises
//! it; places taken and left; and the viewer's participation: take part, maybe, leave, with the
//! pending and waiting-list states). Taking part goes through `coopol_service::events`.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use coopol_db::calendar::{self, Feed};
use coopol_db::entities::events as event_rows;
use coopol_db::queries;
use coopol_service::events;

use super::ActionForm;
use crate::error::respond;
use crate::i18n::Tr;
use crate::view::{Author, EventView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

/// Upcoming events listed on `/events`.
const AGENDA: usize = 50;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/events", get(agenda))
        .route("/events/calendar-link", post(calendar_link))
        .route("/events/{id}", get(event_page))
        .route("/events/{id}/{action}", post(take_part))
}

#[derive(Template)]
#[template(path = "events.html")]
struct AgendaPage {
    c: Chrome,
    events: Vec<EventView>,
    /// The signed-in person's own agenda (what they organise or take part in, here or on other
    /// instances); `None` when signed out.
    mine: Option<Vec<EventView>>,
    /// Their personal calendar feed's address, shown once just after it was made.
    feed_link: String,
}

async fn agenda(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "events");
    respond(&c, agenda_page(&web, &visitor, c.clone(), String::new()).await)
}

async fn agenda_page(web: &Web, visitor: &Visitor, c: Chrome, feed_link: String) -> Result<Response, WebError> {
    let now = Utc::now();
    let events = calendar::public_events(&web.svc.db, Feed::Instance)
        .await?
        .iter()
        .filter(|e| e.starts_at >= now || e.ends_at.is_some_and(|end| end >= now))
        .take(AGENDA)
        .map(|e| EventView::of(&c.tr, e))
        .collect();
    let mine = match &visitor.me {
        Some(me) => Some(
            events::agenda(&web.svc, me.account.id)
                .await?
                .iter()
                .take(AGENDA)
                .map(|e| EventView::of(&c.tr, e))
                .collect(),
        ),
        None => None,
    };
    Ok(Html(AgendaPage { events, mine, feed_link, c }.render()?).into_response())
}

/// Makes a new address for the person's private calendar feed and shows it once (the old one
/// stops working: only the secret's hash is kept).
async fn calendar_link(
    State(web): State<Web>,
    visitor: Visitor,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "events");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let token = events::new_calendar_token(&web.svc, me.account.id).await?;
        let link = format!("{}/users/{}/events.ics?token={token}", web.svc.config.base_url(), me.account.username);
        let mut resp = agenda_page(&web, &visitor, c.clone(), link).await?;
        // The page holds a secret: not for any cache.
        resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
        Ok(resp)
    }
    .await;
    respond(&c, result)
}

/// Where the viewer stands with the event, and what the page offers them.
enum Rsvp {
    SignIn,
    /// Cancelled: nothing to answer.
    Cancelled,
    /// No answer yet.
    Open,
    Going,
    Maybe,
    /// Waits for an organiser's approval.
    Pending,
    /// The event is full: on the waiting list (the sentence says at which place).
    Waitlisted(String),
    /// An organiser said no.
    Declined,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    c: Chrome,
    e: EventView,
    /// The date and times in the event's zone, and the same in UTC.
    when_local: String,
    when_utc: String,
    /// The address on lines, and an OpenStreetMap link when the place has coordinates.
    address: Vec<String>,
    map: Option<String>,
    online: Option<String>,
    /// Sanitised HTML (rendered from Markdown here, cleaned on arrival from elsewhere).
    description: String,
    organiser: Author,
    group: Option<Author>,
    participants: u64,
    capacity: Option<u64>,
    waiting: u64,
    rsvp: Rsvp,
    path: String,
    /// The event's address on its own server (events of other servers).
    remote_url: Option<String>,
}

async fn event_page(State(web): State<Web>, visitor: Visitor, Path(id): Path<String>) -> Response {
    let c = Chrome::new(&web, &visitor, "events");
    let result = async {
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let e = events::visible(&web.svc, event_id(&id)?, viewer).await?;
        let db = &web.svc.db;
        let organiser = queries::account_by_id(db, e.account_id).await?.ok_or(WebError::NotFound)?;
        let group = match e.group_id {
            Some(g) => queries::account_by_id(db, g).await?.map(|g| Author::of(&g)),
            None => None,
        };
        let rsvp = rsvp(&web, &c.tr, &visitor, &e).await?;
        let (when_local, when_utc) = when_both(&c.tr, &e);
        let page = EventPage {
            address: address_lines(&e),
            map: map_link(&e),
            online: e.online_url.clone(),
            description: e.description_html.clone(),
            organiser: Author::of(&organiser),
            group,
            participants: u64::try_from(e.participants_count).unwrap_or(0),
            capacity: e.capacity.and_then(|n| u64::try_from(n).ok()),
            waiting: events::count_in_state(db, e.id, events::WAITLISTED).await?,
            rsvp,
            path: format!("/events/{}", e.id),
            remote_url: (!e.local).then(|| e.url.clone()),
            when_local,
            when_utc,
            e: EventView::of(&c.tr, &e),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// The id of an event in a path; anything else names nothing.
fn event_id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

async fn rsvp(web: &Web, tr: &Tr, visitor: &Visitor, e: &event_rows::Model) -> Result<Rsvp, WebError> {
    let Some(me) = &visitor.me else { return Ok(Rsvp::SignIn) };
    if e.status == "cancelled" {
        return Ok(Rsvp::Cancelled);
    }
    let Some(p) = events::participation(&web.svc.db, e.id, me.account.id).await? else { return Ok(Rsvp::Open) };
    Ok(match p.state.as_str() {
        events::ACCEPTED => Rsvp::Going,
        events::TENTATIVE => Rsvp::Maybe,
        events::PENDING => Rsvp::Pending,
        events::WAITLISTED => {
            Rsvp::Waitlisted(tr.tn("event-you-waitlisted", events::waitlist_place(&web.svc.db, &p).await?))
        }
        _ => Rsvp::Declined,
    })
}

/// "12 déc. 2026, 09:30 – 12:30 (Europe/Paris)" and the same in UTC.
fn when_both(tr: &Tr, e: &event_rows::Model) -> (String, String) {
    let zone: chrono_tz::Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
    (span(tr, e.starts_at, e.ends_at, zone), span(tr, e.starts_at, e.ends_at, chrono_tz::UTC))
}

fn span(tr: &Tr, starts: DateTime<Utc>, ends: Option<DateTime<Utc>>, zone: chrono_tz::Tz) -> String {
    let day = |t: &DateTime<chrono_tz::Tz>| {
        format!("{} {} {}", t.format("%-d"), tr.t(&format!("month-{}", t.format("%m"))), t.format("%Y"))
    };
    let from = starts.with_timezone(&zone);
    let mut out = format!("{}, {}", day(&from), from.format("%H:%M"));
    if let Some(to) = ends.map(|t| t.with_timezone(&zone)) {
        if to.date_naive() == from.date_naive() {
            out.push_str(&format!(" – {}", to.format("%H:%M")));
        } else {
            out.push_str(&format!(" – {}, {}", day(&to), to.format("%H:%M")));
        }
    }
    format!("{out} ({})", zone.name())
}

/// The place's name and address, one part a line.
fn address_lines(e: &event_rows::Model) -> Vec<String> {
    let town = [e.postal_code.as_deref(), e.locality.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    [e.location_name.clone(), e.street.clone(), Some(town), e.country.clone()]
        .into_iter()
        .flatten()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// OpenStreetMap at the place, when it has coordinates.
fn map_link(e: &event_rows::Model) -> Option<String> {
    let (lat, lon) = (e.latitude?, e.longitude?);
    Some(format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}"))
}

async fn take_part(
    State(web): State<Web>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "events");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let e = events::visible(&web.svc, event_id(&id)?, Some(me.account.id)).await?;
        match action.as_str() {
            "join" | "maybe" => {
                events::join(&web.svc, &e, &me.account, action == "maybe", None).await?;
            }
            "leave" => events::leave(&web.svc, &e, &me.account).await?,
            _ => return Err(WebError::NotFound),
        }
        Ok(Redirect::to(&format!("/events/{}", e.id)).into_response())
    }
    .await;
    respond(&c, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Translations};
    use chrono::TimeZone;

    #[test]
    fn times_show_in_the_events_zone_and_in_utc() {
        let tr = Tr::new(Translations::load().unwrap(), Lang::Fr);
        let starts = Utc.with_ymd_and_hms(2026, 12, 12, 8, 30, 0).unwrap();
        let ends = Utc.with_ymd_and_hms(2026, 12, 12, 11, 30, 0).unwrap();
        assert_eq!(
            span(&tr, starts, Some(ends), chrono_tz::Europe::Paris),
            "12 déc. 2026, 09:30 – 12:30 (Europe/Paris)"
        );
        assert_eq!(span(&tr, starts, None, chrono_tz::UTC), "12 déc. 2026, 08:30 (UTC)");
        let late = Utc.with_ymd_and_hms(2026, 12, 12, 23, 30, 0).unwrap();
        assert_eq!(
            span(&tr, starts, Some(late), chrono_tz::Europe::Paris),
            "12 déc. 2026, 09:30 – 13 déc. 2026, 00:30 (Europe/Paris)"
        );
    }
}
