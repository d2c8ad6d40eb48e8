//! Events received and RSVPs decided through the same code that handles them off the network
//! (`activities::receive`), on every enabled database: a Mobilizon-shaped `Create(Event)` is
//! stored with its companion status, updated and cancelled; `Join`, `TentativeAccept` and
//! `Leave` of a local event follow its rules (capacity, waiting list) and queue the answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use coopol_core::Intent;
use coopol_db::entities::{accounts, event_participants, events, follows, notifications, outbox, statuses};
use coopol_db::queries;
use coopol_federation::{activities, actors, Federation};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

/// gael (person) and climat (group) on mobilizon.example, known here.
async fn mobilizon_actors(fed: &Federation) -> (accounts::Model, accounts::Model) {
    let gael = actors::upsert_remote_actor(fed, &fixture("mobilizon/person.json")).await.unwrap();
    let mut group = fixture("mobilizon/person.json");
    let id = "https://mobilizon.example/@climat";
    group["id"] = json!(id);
    group["type"] = json!("Group");
    group["preferredUsername"] = json!("climat");
    group["inbox"] = json!(format!("{id}/inbox"));
    group["followers"] = json!(format!("{id}/followers"));
    group["publicKey"]["id"] = json!(format!("{id}#main-key"));
    group["publicKey"]["owner"] = json!(id);
    let climat = actors::upsert_remote_actor(fed, &group).await.unwrap();
    (gael, climat)
}

async fn follow(fed: &Federation, who: &accounts::Model, whom: &accounts::Model) {
    follows::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(who.id),
        target_account_id: Set(whom.id),
        uri: Set(format!("{}#follows/{}", who.uri, whom.id)),
        state: Set(queries::FOLLOW_ACCEPTED.into()),
        created_at: Set(coopol_db::now()),
        notify: Set(false),
        show_reblogs: Set(true),
    }
    .insert(&fed.db)
    .await
    .unwrap();
}

async fn intents(fed: &Federation) -> Vec<Intent> {
    let rows = outbox::Entity::find().all(&fed.db).await.unwrap();
    outbox::Entity::delete_many().exec(&fed.db).await.unwrap();
    rows.iter().map(|r| serde_json::from_str(&r.intent).unwrap()).collect()
}

#[tokio::test]
async fn a_mobilizon_event_is_stored_updated_cancelled_and_deleted() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let (gael, climat) = mobilizon_actors(&fed).await;
        let event = fixture("mobilizon/event.json");
        let create = json!({
            "id": "https://mobilizon.example/events/7b3b5f6e-3d0a-4c36-9a55-2d7c4c1a8f11/activity",
            "type": "Create", "actor": gael.uri, "object": event,
        });
        // Nobody here follows the organiser or the group: not kept.
        activities::receive(&fed, &create, &gael).await.unwrap();
        assert!(events::Entity::find().one(&fed.db).await.unwrap().is_none(), "{backend}");

        follow(&fed, &alice, &climat).await;
        activities::receive(&fed, &create, &gael).await.unwrap();
        let e = events::Entity::find().one(&fed.db).await.unwrap().expect("stored");
        assert_eq!(e.uri, event["id"].as_str().unwrap(), "{backend}");
        assert_eq!((e.account_id, e.group_id), (gael.id, Some(climat.id)));
        assert_eq!((e.join_mode.as_str(), e.participants_count, e.capacity), ("approval", 42, Some(150)));
        assert_eq!(e.locality.as_deref(), Some("Lyon"));
        assert!(!e.local);
        let s = queries::status_by_id(&fed.db, e.status_id).await.unwrap().unwrap();
        assert_eq!((s.uri.as_str(), s.account_id, s.visibility.as_str()), (e.uri.as_str(), gael.id, "public"));
        assert!(s.content.contains("Sat 12 Dec 2026, 14:30–17:00 (Europe/Paris)"), "{}", s.content);
        // The same Create again changes nothing.
        activities::receive(&fed, &create, &gael).await.unwrap();
        assert_eq!(events::Entity::find().all(&fed.db).await.unwrap().len(), 1);

        // alice takes part; the group cancels: she hears of it.
        event_participants::ActiveModel {
            id: Set(coopol_core::new_id()),
            event_id: Set(e.id),
            account_id: Set(alice.id),
            state: Set("accepted".into()),
            join_uri: Set(format!("{}#joins/1", alice.uri)),
            created_at: Set(coopol_db::now()),
            updated_at: Set(coopol_db::now()),
            reminded_at: Set(None),
        }
        .insert(&fed.db)
        .await
        .unwrap();
        let mut count_only = event.clone();
        count_only["participantCount"] = json!(43);
        let update = |obj: Value, n: u32| json!({ "id": format!("{}#update{n}", obj["id"].as_str().unwrap()), "type": "Update", "actor": climat.uri, "object": obj });
        activities::receive(&fed, &update(count_only, 1), &climat).await.unwrap();
        let e2 = events::Entity::find_by_id(e.id).one(&fed.db).await.unwrap().unwrap();
        assert_eq!(e2.participants_count, 43);
        let notes = notifications::Entity::find().filter(notifications::Column::AccountId.eq(alice.id));
        assert!(notes.clone().all(&fed.db).await.unwrap().is_empty(), "a new count notifies nobody");
        let mut cancelled = event.clone();
        cancelled["ical:status"] = json!("CANCELLED");
        activities::receive(&fed, &update(cancelled, 2), &climat).await.unwrap();
        let e3 = events::Entity::find_by_id(e.id).one(&fed.db).await.unwrap().unwrap();
        assert_eq!(e3.status, "cancelled");
        let s = queries::status_by_id(&fed.db, e.status_id).await.unwrap().unwrap();
        assert!(s.content.contains("Cancelled: "), "{}", s.content);
        let n = notes.clone().all(&fed.db).await.unwrap();
        assert_eq!(n.len(), 1, "{backend}");
        assert_eq!((n[0].kind.as_str(), n[0].status_id), ("update", Some(e.status_id)));
        // A later change is news again.
        let mut moved = event.clone();
        moved["ical:status"] = json!("CANCELLED");
        moved["location"]["name"] = json!("Place des Terreaux");
        activities::receive(&fed, &update(moved, 4), &climat).await.unwrap();
        let n2 = notes.clone().all(&fed.db).await.unwrap();
        assert_eq!(n2.len(), 1, "{backend}");
        assert_ne!(n2[0].id, n[0].id, "{backend}: a new notification for the new change");

        // Someone else may not update it.
        let stranger = actors::upsert_remote_actor(&fed, &fixture("mastodon/person.json")).await.unwrap();
        let mut hijack = event.clone();
        hijack["name"] = json!("Hijacked");
        assert!(activities::receive(&fed, &update(hijack, 3), &stranger).await.is_err());

        // Deleting its status deletes the event; its group may do it (a stranger may not).
        let delete = |by: &accounts::Model| {
            json!({ "id": format!("{}#delete", e.uri), "type": "Delete", "actor": by.uri,
                "object": { "id": e.uri, "type": "Tombstone" } })
        };
        assert!(activities::receive(&fed, &delete(&stranger), &stranger).await.is_err());
        activities::receive(&fed, &delete(&climat), &climat).await.unwrap();
        assert!(events::Entity::find_by_id(e.id).one(&fed.db).await.unwrap().is_none(), "{backend}");
        assert!(statuses::Entity::find_by_id(e.status_id).one(&fed.db).await.unwrap().is_none());
    }
}

/// A local event by alice, with a capacity of 1, free.
async fn local_event(fed: &Federation, alice: &accounts::Model, capacity: Option<i32>, mode: &str) -> events::Model {
    let id = coopol_core::new_id();
    let uri = fed.config.status_url(&alice.username, id);
    let now = coopol_db::now();
    let s = statuses::ActiveModel {
        id: Set(id),
        uri: Set(uri.clone()),
        url: Set(uri.clone()),
        account_id: Set(alice.id),
        content: Set("<p>event</p>".into()),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set("public".into()),
        local: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&fed.db)
    .await
    .unwrap();
    events::ActiveModel {
        id: Set(coopol_core::new_id()),
        status_id: Set(s.id),
        uri: Set(uri.clone()),
        url: Set(uri),
        account_id: Set(alice.id),
        group_id: Set(None),
        title: Set("AG".into()),
        description_source: Set(None),
        description_html: Set("<p>AG</p>".into()),
        starts_at: Set("2026-12-05T13:00:00Z".parse().unwrap()),
        ends_at: Set(None),
        timezone: Set("Europe/Paris".into()),
        capacity: Set(capacity),
        join_mode: Set(mode.into()),
        status: Set("confirmed".into()),
        anonymous_participation: Set(false),
        participants_count: Set(0),
        local: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&fed.db)
    .await
    .unwrap()
}

async fn state(fed: &Federation, e: &events::Model, a: &accounts::Model) -> Option<String> {
    coopol_service::events::participation(&fed.db, e.id, a.id).await.unwrap().map(|p| p.state)
}

#[tokio::test]
async fn joins_of_a_local_event_follow_its_rules() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let (gael, climat) = mobilizon_actors(&fed).await;
        let claire = actors::upsert_remote_actor(&fed, &fixture("mastodon/person.json")).await.unwrap();
        let e = local_event(&fed, &alice, Some(1), "free").await;
        let rsvp = |kind: &str, who: &accounts::Model, n: u32| json!({ "id": format!("{}#rsvp{n}", who.uri), "type": kind, "actor": who.uri, "object": e.uri });
        activities::receive(&fed, &rsvp("Join", &gael, 1), &gael).await.unwrap();
        assert_eq!(state(&fed, &e, &gael).await.as_deref(), Some("accepted"), "{backend}");
        let sent = intents(&fed).await;
        assert!(sent.iter().any(|i| matches!(i, Intent::AcceptParticipant { .. })), "{sent:?}");
        assert!(sent.contains(&Intent::UpdateEvent { event_id: e.id }), "{sent:?}");
        // The Accept names gael's Join by its id, from the organiser.
        let Some(Intent::AcceptParticipant { participant_id }) =
            sent.iter().find(|i| matches!(i, Intent::AcceptParticipant { .. })).cloned()
        else {
            unreachable!()
        };
        let out = coopol_federation::outbox::build(&fed, &Intent::AcceptParticipant { participant_id })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(out.activity["type"], "Accept");
        assert_eq!(out.activity["actor"], alice.uri.as_str());
        assert_eq!(out.activity["object"]["id"], format!("{}#rsvp1", gael.uri));
        assert_eq!(out.inboxes, vec![gael.inbox_url.clone()]);

        // "Maybe" takes no place; the next Join waits.
        activities::receive(&fed, &rsvp("TentativeAccept", &claire, 2), &claire).await.unwrap();
        assert_eq!(state(&fed, &e, &claire).await.as_deref(), Some("tentative"));
        activities::receive(&fed, &rsvp("Join", &climat, 3), &climat).await.unwrap();
        assert_eq!(state(&fed, &e, &climat).await.as_deref(), Some("waitlisted"));
        let e1 = events::Entity::find_by_id(e.id).one(&fed.db).await.unwrap().unwrap();
        assert_eq!(e1.participants_count, 1);
        let doc = coopol_federation::event_store::event_document(&fed, &e1).await.unwrap();
        assert_eq!((doc["participantCount"].as_i64(), doc["remainingAttendeeCapacity"].as_i64()), (Some(1), Some(0)));
        intents(&fed).await;

        // gael leaves: climat moves up and is sent an Accept.
        let leave = json!({ "id": format!("{}#leave", gael.uri), "type": "Leave", "actor": gael.uri, "object": e.uri });
        activities::receive(&fed, &leave, &gael).await.unwrap();
        assert_eq!(state(&fed, &e, &gael).await, None);
        assert_eq!(state(&fed, &e, &climat).await.as_deref(), Some("accepted"), "{backend}");
        let sent = intents(&fed).await;
        assert_eq!(sent.iter().filter(|i| matches!(i, Intent::AcceptParticipant { .. })).count(), 1, "{sent:?}");
        let e2 = events::Entity::find_by_id(e.id).one(&fed.db).await.unwrap().unwrap();
        assert_eq!(e2.participants_count, 1);

        // A cancelled event refuses.
        let mut m: events::ActiveModel = e2.into();
        m.status = Set("cancelled".into());
        m.update(&fed.db).await.unwrap();
        activities::receive(&fed, &rsvp("Join", &gael, 4), &gael).await.unwrap();
        assert_eq!(state(&fed, &e, &gael).await.as_deref(), Some("rejected"));
        assert!(intents(&fed).await.iter().any(|i| matches!(i, Intent::RejectParticipant { .. })));

        // Approval mode: pending, and the organiser is told.
        let e = local_event(&fed, &alice, None, "approval").await;
        let join =
            json!({ "id": format!("{}#rsvp5", claire.uri), "type": "Join", "actor": claire.uri, "object": e.uri });
        activities::receive(&fed, &join, &claire).await.unwrap();
        assert_eq!(state(&fed, &e, &claire).await.as_deref(), Some("pending"));
        let told = notifications::Entity::find()
            .filter(notifications::Column::AccountId.eq(alice.id))
            .filter(notifications::Column::Kind.eq("coopol.event_participation_request"))
            .all(&fed.db)
            .await
            .unwrap();
        assert_eq!(told.len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn the_answer_to_our_join_updates_our_participation() {
    for (backend, fed) in common::federations(&["alice"]).await {
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let (gael, climat) = mobilizon_actors(&fed).await;
        follow(&fed, &alice, &climat).await;
        let event = fixture("mobilizon/event.json");
        let create =
            json!({ "id": "https://mobilizon.example/c/1", "type": "Create", "actor": gael.uri, "object": event });
        activities::receive(&fed, &create, &gael).await.unwrap();
        let e = events::Entity::find().one(&fed.db).await.unwrap().unwrap();
        let join_uri = format!("{}/joins/1", alice.uri);
        let p = event_participants::ActiveModel {
            id: Set(coopol_core::new_id()),
            event_id: Set(e.id),
            account_id: Set(alice.id),
            state: Set("pending".into()),
            join_uri: Set(join_uri.clone()),
            created_at: Set(coopol_db::now()),
            updated_at: Set(coopol_db::now()),
            reminded_at: Set(None),
        }
        .insert(&fed.db)
        .await
        .unwrap();
        // Our Join, as we send it: to the group, which answers.
        let out =
            coopol_federation::outbox::build(&fed, &Intent::JoinEvent { participant_id: p.id }).await.unwrap().unwrap();
        assert_eq!(
            (out.activity["type"].as_str(), out.activity["object"].as_str()),
            (Some("Join"), Some(e.uri.as_str()))
        );
        assert_eq!(out.inboxes, vec![climat.inbox_url.clone()]);
        // An Accept from a stranger is refused; from the group, it is taken.
        let stranger = actors::upsert_remote_actor(&fed, &fixture("mastodon/person.json")).await.unwrap();
        let accept = |actor: &accounts::Model| {
            json!({ "id": format!("{}#accept", actor.uri), "type": "Accept", "actor": actor.uri,
                "object": { "id": join_uri, "type": "Join", "actor": alice.uri, "object": e.uri } })
        };
        assert!(activities::receive(&fed, &accept(&stranger), &stranger).await.is_err(), "{backend}");
        activities::receive(&fed, &accept(&climat), &climat).await.unwrap();
        assert_eq!(state(&fed, &e, &alice).await.as_deref(), Some("accepted"), "{backend}");
        let told = notifications::Entity::find()
            .filter(notifications::Column::AccountId.eq(alice.id))
            .filter(notifications::Column::Kind.eq("coopol.event_participation_accepted"))
            .all(&fed.db)
            .await
            .unwrap();
        assert_eq!(told.len(), 1, "{backend}");
        let reject =
            json!({ "id": "https://mobilizon.example/r/1", "type": "Reject", "actor": gael.uri, "object": join_uri });
        activities::receive(&fed, &reject, &gael).await.unwrap();
        assert_eq!(state(&fed, &e, &alice).await.as_deref(), Some("rejected"));
    }
}

#[tokio::test]
async fn participants_are_reminded_once_before_the_start() {
    use coopol_federation::event_reminders::remind_due;
    for (backend, fed) in common::federations(&["alice", "bob"]).await {
        let alice = queries::local_account(&fed.db, "alice").await.unwrap().unwrap();
        let bob = queries::local_account(&fed.db, "bob").await.unwrap().unwrap();
        let e = local_event(&fed, &alice, None, "free").await; // 2026-12-05T13:00:00Z
        for (who, state) in [(&alice, "accepted"), (&bob, "pending")] {
            event_participants::ActiveModel {
                id: Set(coopol_core::new_id()),
                event_id: Set(e.id),
                account_id: Set(who.id),
                state: Set(state.into()),
                join_uri: Set(format!("{}#join", who.uri)),
                created_at: Set(coopol_db::now()),
                updated_at: Set(coopol_db::now()),
                reminded_at: Set(None),
            }
            .insert(&fed.db)
            .await
            .unwrap();
        }
        let day = chrono::Duration::minutes(1440);
        let early: chrono::DateTime<chrono::Utc> = "2026-12-03T12:00:00Z".parse().unwrap();
        assert_eq!(remind_due(&fed, early, day).await.unwrap(), 0, "{backend}: too early");
        let eve: chrono::DateTime<chrono::Utc> = "2026-12-04T14:00:00Z".parse().unwrap();
        assert_eq!(remind_due(&fed, eve, day).await.unwrap(), 1, "{backend}: alice, not bob who is pending");
        assert_eq!(remind_due(&fed, eve, day).await.unwrap(), 0, "{backend}: once");
        let n = notifications::Entity::find()
            .filter(notifications::Column::Kind.eq("coopol.event_reminder"))
            .all(&fed.db)
            .await
            .unwrap();
        assert_eq!(
            n.iter().map(|n| (n.account_id, n.status_id)).collect::<Vec<_>>(),
            vec![(alice.id, Some(e.status_id))]
        );
    }
}
