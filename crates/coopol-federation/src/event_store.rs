//! Events between the wire and the database: the `Event` document of a stored event (served at
//! its companion status's URI, sent in `Create`/`Update`), and remote events stored or updated
//! with their companion status (same URI, authored by the organiser person), like remote notes.

use coopol_db::entities::{accounts, events, statuses};
use coopol_db::queries;
use coopol_db::WriteTxn;
use coopol_service::events::event_by_uri;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use crate::event_objects::{
    event_activity, event_json, parse_event, status_html, EventActors, EventData, Place, RemoteEvent, WireJoinMode,
};
use crate::recipients::{self, Outgoing};
use crate::{actors, Federation, FederationError};

/// `Create` or `Update` (`kind`) of a local event, to whoever hears of it
/// (`recipients::event_inboxes`): `activities::create::send_event` and `update::send_event`.
pub async fn outgoing(fed: &Federation, event_id: i64, kind: &str) -> Result<Option<Outgoing>, FederationError> {
    use sea_orm::EntityTrait;
    let Some(e) = events::Entity::find_by_id(event_id).one(&fed.db).await? else { return Ok(None) };
    let Some(s) = queries::status_by_id(&fed.db, e.status_id).await? else { return Ok(None) };
    let organiser = recipients::account(fed, e.account_id).await?;
    let doc = event_document(fed, &e).await?;
    let id = if kind == "Create" {
        format!("{}/activity", e.uri)
    } else {
        fed.config.activity_url(&organiser.username, "update", coopol_core::new_id())
    };
    Ok(Some(Outgoing {
        activity: event_activity(&id, kind, &organiser.uri, doc),
        sender_account_id: organiser.id,
        inboxes: recipients::event_inboxes(fed, &e, &s).await?,
    }))
}

/// Our wire view of a stored event.
pub fn event_data(e: &events::Model) -> EventData {
    let place = Place {
        name: e.location_name.clone(),
        street: e.street.clone(),
        locality: e.locality.clone(),
        postal_code: e.postal_code.clone(),
        country: e.country.clone(),
        latitude: e.latitude,
        longitude: e.longitude,
    };
    let has_place = place != Place::default();
    EventData {
        uri: e.uri.clone(),
        url: e.url.clone(),
        title: e.title.clone(),
        description_html: e.description_html.clone(),
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        timezone: e.timezone.clone(),
        place: has_place.then_some(place),
        online_url: e.online_url.clone(),
        category: e.category.clone(),
        capacity: e.capacity,
        join_mode: WireJoinMode::parse(&e.join_mode).unwrap_or(WireJoinMode::Approval),
        status: e.status.clone(),
        image_url: e.image_url.clone(),
        anonymous_participation: e.anonymous_participation,
        participants_count: e.participants_count,
        published: e.created_at,
        updated: e.updated_at,
    }
}

/// The `Event` document of a local event.
pub async fn event_document(fed: &Federation, e: &events::Model) -> Result<Value, FederationError> {
    let organiser = queries::account_by_id(&fed.db, e.account_id).await?.ok_or(FederationError::NotFound)?;
    let group = match e.group_id {
        Some(g) => queries::account_by_id(&fed.db, g).await?,
        None => None,
    };
    let who = EventActors {
        organiser_uri: &organiser.uri,
        organiser_followers: organiser.followers_url.as_deref().unwrap_or_default(),
        group_uri: group.as_ref().map(|g| g.uri.as_str()),
        group_followers: group.as_ref().and_then(|g| g.followers_url.as_deref()),
    };
    Ok(event_json(&event_data(e), &who))
}

/// Whether the sender may speak for a remote event: its organiser or its group.
fn speaks_for(e: &events::Model, sender: &accounts::Model) -> bool {
    e.account_id == sender.id || e.group_id == Some(sender.id)
}

/// Resolves the organiser (and group) of a remote event, checking the sender is one of them.
async fn who(
    fed: &Federation,
    r: &RemoteEvent,
    sender: &accounts::Model,
) -> Result<(accounts::Model, Option<accounts::Model>), FederationError> {
    let organiser = if r.organiser_uri == sender.uri {
        sender.clone()
    } else {
        actors::resolve_actor(fed, &r.organiser_uri).await?
    };
    let group = match &r.group_uri {
        Some(g) if *g == sender.uri => Some(sender.clone()),
        Some(g) => Some(actors::resolve_actor(fed, g).await?),
        None => None,
    };
    if organiser.id != sender.id && group.as_ref().map(|g| g.id) != Some(sender.id) {
        return Err(FederationError::Unauthorized("event sent by neither its organiser nor its group".into()));
    }
    Ok((organiser, group))
}

fn apply(m: &mut events::ActiveModel, d: &EventData) {
    m.url = Set(d.url.clone());
    m.title = Set(d.title.clone());
    m.description_html = Set(d.description_html.clone());
    m.starts_at = Set(d.starts_at);
    m.ends_at = Set(d.ends_at);
    m.timezone = Set(d.timezone.clone());
    Place::store(d.place.as_ref(), m);
    m.online_url = Set(d.online_url.clone());
    m.category = Set(d.category.clone());
    m.capacity = Set(d.capacity);
    m.join_mode = Set(d.join_mode.as_str().to_string());
    m.status = Set(d.status.clone());
    m.image_url = Set(d.image_url.clone());
    m.anonymous_participation = Set(d.anonymous_participation);
    m.participants_count = Set(d.participants_count);
    m.updated_at = Set(d.updated);
}

/// Stores a remote event sent (or fetched) from `sender`, with its companion status. Idempotent:
/// a known event is updated instead; a tombstoned id is never recreated (`Ok(None)`).
pub async fn store_remote_event(
    fed: &Federation,
    doc: &Value,
    sender: &accounts::Model,
) -> Result<Option<(events::Model, statuses::Model)>, FederationError> {
    let r = parse_event(doc, &sender.uri)?;
    if queries::is_tombstoned(&fed.db, &r.data.uri).await? {
        return Ok(None);
    }
    if let Some(existing) = event_by_uri(&fed.db, &r.data.uri).await? {
        let updated = update_stored(fed, existing, &r, sender).await?.0;
        let status = queries::status_by_id(&fed.db, updated.status_id).await?.ok_or(FederationError::NotFound)?;
        return Ok(Some((updated, status)));
    }
    if let Some(status) = queries::status_by_uri(&fed.db, &r.data.uri).await? {
        // Another activity (the organiser's `Create`, its group's `Announce`) may have stored
        // the event between the two reads; otherwise a note holds this id, and an id names
        // one object.
        return match event_by_uri(&fed.db, &r.data.uri).await? {
            Some(event) => Ok(Some((event, status))),
            None => Err(FederationError::Invalid("event id already names a note".into())),
        };
    }
    let (organiser, group) = who(fed, &r, sender).await?;
    let to = crate::wire::string_list(doc.get("to"));
    let cc = crate::wire::string_list(doc.get("cc"));
    let visibility = coopol_core::Visibility::from_addressing(&to, &cc, organiser.followers_url.as_deref());
    let d = &r.data;
    let now = coopol_db::now();
    let txn = fed.db.begin_write().await?;
    let status = statuses::ActiveModel {
        id: Set(coopol_core::new_id()),
        uri: Set(d.uri.clone()),
        url: Set(d.url.clone()),
        account_id: Set(organiser.id),
        in_reply_to_id: Set(None),
        in_reply_to_uri: Set(None),
        in_reply_to_account_id: Set(None),
        reblog_of_id: Set(None),
        content: Set(status_html(d)),
        source_text: Set(None),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set(visibility.as_str().to_string()),
        language: Set(None),
        local: Set(false),
        created_at: Set(d.published),
        edited_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let mut m = events::ActiveModel {
        id: Set(coopol_core::new_id()),
        status_id: Set(status.id),
        uri: Set(d.uri.clone()),
        account_id: Set(organiser.id),
        group_id: Set(group.as_ref().map(|g| g.id)),
        description_source: Set(None),
        local: Set(false),
        created_at: Set(d.published),
        ..Default::default()
    };
    apply(&mut m, d);
    // Our own clock decides when we last heard of it; the origin's `updated` may be absent.
    m.updated_at = Set(now.max(d.updated));
    let event = m.insert(&txn).await?;
    txn.commit().await?;
    Ok(Some((event, status)))
}

/// Whether two versions differ in what a participant must hear about (not the counts).
fn changed_for_participants(before: &events::Model, after: &EventData) -> bool {
    let b = event_data(before);
    b.title != after.title
        || b.starts_at != after.starts_at
        || b.ends_at != after.ends_at
        || b.timezone != after.timezone
        || b.place != after.place
        || b.online_url != after.online_url
        || b.status != after.status
        || b.description_html != after.description_html
}

/// Applies a remote `Update(Event)`; local participants hear of a change of date, place, status
/// or text (`update` notification with the companion status). `Ok(None)` for an unknown event.
pub async fn update_remote_event(
    fed: &Federation,
    doc: &Value,
    sender: &accounts::Model,
) -> Result<Option<events::Model>, FederationError> {
    let r = parse_event(doc, &sender.uri)?;
    let Some(existing) = event_by_uri(&fed.db, &r.data.uri).await? else { return Ok(None) };
    let (event, notify) = update_stored(fed, existing, &r, sender).await?;
    if notify {
        coopol_service::events::notify_participants(fed, &event, coopol_db::notifications::UPDATE).await?;
    }
    if let Some(s) = queries::status_by_id(&fed.db, event.status_id).await? {
        fed.stream.publish(coopol_service::stream::Message::StatusUpdated { status_id: s.id });
    }
    Ok(Some(event))
}

async fn update_stored(
    fed: &Federation,
    existing: events::Model,
    r: &RemoteEvent,
    sender: &accounts::Model,
) -> Result<(events::Model, bool), FederationError> {
    if existing.local || !speaks_for(&existing, sender) {
        return Err(FederationError::Unauthorized("update of an event by someone else".into()));
    }
    let visible = changed_for_participants(&existing, &r.data);
    let status = queries::status_by_id(&fed.db, existing.status_id).await?;
    let mut m: events::ActiveModel = existing.into();
    apply(&mut m, &r.data);
    m.updated_at = Set(coopol_db::now());
    let txn = fed.db.begin_write().await?;
    let event = m.update(&txn).await?;
    if let Some(s) = status {
        let html = status_html(&r.data);
        if s.content != html {
            let mut sm: statuses::ActiveModel = s.into();
            sm.content = Set(html);
            if visible {
                sm.edited_at = Set(Some(coopol_db::now()));
            }
            sm.update(&txn).await?;
        }
    }
    txn.commit().await?;
    Ok((event, visible))
}

/// Resolves a remote event by URL (search): fetched from its origin, stored with its organiser.
pub async fn resolve_event_doc(
    fed: &Federation,
    doc: &Value,
) -> Result<Option<(events::Model, statuses::Model)>, FederationError> {
    let owner_uri = doc
        .get("actor")
        .and_then(crate::wire::object_id)
        .or_else(|| doc.get("attributedTo").and_then(crate::wire::object_id))
        .ok_or_else(|| FederationError::Invalid("event without organiser".into()))?;
    let sender = actors::resolve_actor(fed, owner_uri).await?;
    store_remote_event(fed, doc, &sender).await
}
