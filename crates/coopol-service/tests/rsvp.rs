//! One RSVP path: a local person (API) and a remote one (inbox) join a local event through
//! `events::join`, decided by the same rule; they differ only in how they are answered (an
//! error for the local person, an `Accept`/`Reject` intent for the remote one).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use coopol_core::event::EventJoinMode;
use coopol_core::Intent;
use coopol_db::entities::{accounts, events as event_rows, outbox};
use coopol_service::events::{self, ACCEPTED, REJECTED, WAITLISTED};
use coopol_service::{InstanceConfig, Service, ServiceError};
use sea_orm::{EntityTrait, Set};

fn config() -> InstanceConfig {
    InstanceConfig {
        domain: "local.test".into(),
        dev: false,
        title: "t".into(),
        registrations: coopol_core::RegistrationMode::Closed,
        source_url: None,
    }
}

async fn account(svc: &Service, name: &str, domain: Option<&str>) -> accounts::Model {
    let uri = match domain {
        Some(d) => format!("https://{d}/users/{name}"),
        None => svc.config.actor_url(name),
    };
    coopol_db::testing::insert_account(&svc.db, name, domain, &uri).await.unwrap()
}

async fn event(svc: &Service, organiser: &accounts::Model, mode: EventJoinMode) -> event_rows::Model {
    let describe = |m: &mut event_rows::ActiveModel| {
        m.title = Set("Assembly".into());
        m.description_source = Set(Some(String::new()));
        m.description_html = Set(String::new());
        m.starts_at = Set(coopol_db::now() + chrono::Duration::days(3));
        m.ends_at = Set(None);
        m.timezone = Set("UTC".into());
        m.online_url = Set(Some("https://meet.example/a".into()));
        m.capacity = Set(Some(1));
        m.join_mode = Set(mode.as_str().into());
    };
    events::create(svc, organiser, None, describe, |e| format!("<p>{}</p>", e.title)).await.unwrap()
}

async fn intents(svc: &Service) -> Vec<Intent> {
    outbox::Entity::find()
        .all(&svc.db)
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&r.intent).unwrap())
        .collect()
}

#[tokio::test]
async fn local_and_remote_people_join_by_the_same_rule() {
    for (backend, db) in coopol_db::testing::all().await.unwrap() {
        let svc = Service::new(config(), db);
        let organiser = account(&svc, "organiser", None).await;
        let alice = account(&svc, "alice", None).await;
        let bob = account(&svc, "bob", Some("remote.test")).await;
        let e = event(&svc, &organiser, EventJoinMode::Free).await;

        // One place: alice takes it, bob waits (no answer yet), by the same rule.
        let a = events::join(&svc, &e, &alice, false, None).await.unwrap();
        assert_eq!(a.state, ACCEPTED, "{backend}");
        let join_uri = "https://remote.test/users/bob#join/1";
        let b = events::join(&svc, &e, &bob, false, Some(join_uri)).await.unwrap();
        assert_eq!((b.state.as_str(), b.join_uri.as_str()), (WAITLISTED, join_uri), "{backend}");
        let accept = Intent::AcceptParticipant { participant_id: b.id };
        assert!(!intents(&svc).await.contains(&accept), "{backend}: bob was answered too early");

        // alice leaves: bob moves up and is answered `Accept`.
        events::leave(&svc, &e, &alice).await.unwrap();
        let b = events::participation(&svc.db, e.id, bob.id).await.unwrap().unwrap();
        assert_eq!(b.state, ACCEPTED, "{backend}");
        assert!(intents(&svc).await.contains(&accept), "{backend}");
        let counted = event_rows::Entity::find_by_id(e.id).one(&svc.db).await.unwrap().unwrap().participants_count;
        assert_eq!(counted, 1, "{backend}");

        // Members only, without a group: bob is answered `Reject`, alice gets an error.
        let members = event(&svc, &organiser, EventJoinMode::Members).await;
        let b = events::join(&svc, &members, &bob, false, Some("https://remote.test/j2")).await.unwrap();
        assert_eq!(b.state, REJECTED, "{backend}");
        assert!(intents(&svc).await.contains(&Intent::RejectParticipant { participant_id: b.id }), "{backend}");
        let refused = events::join(&svc, &members, &alice, false, None).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "{backend}: {refused:?}");
        assert!(events::participation(&svc.db, members.id, alice.id).await.unwrap().is_none(), "{backend}");
    }
}
