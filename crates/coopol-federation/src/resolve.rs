//! Resolving a URL someone pasted into search: fetch it from its origin and keep it when it is
//! an actor, a note or an event (kept as its companion status).

use coopol_db::entities::{accounts, statuses};
use coopol_db::queries;
use serde_json::Value;
use url::Url;

use crate::note_store::store_remote_note;
use crate::wire::object_id;
use crate::{actors, Federation, FederationError};

/// What a URL turned out to be.
pub enum Resolved {
    Account(accounts::Model),
    Status(statuses::Model),
}

/// Fetches `url` (signed by the instance actor) and stores what it finds. `Ok(None)` when it is
/// neither an actor nor a note.
pub async fn resolve_url(fed: &Federation, url: &str) -> Result<Option<Resolved>, FederationError> {
    let parsed = Url::parse(url).map_err(|_| FederationError::Invalid(format!("{url} is not a URL")))?;
    actors::refuse_blocked(fed, &parsed).await?;
    let doc = fed.http.fetch_object(&parsed, &fed.instance_key).await?;
    let kind = doc.get("type").and_then(Value::as_str).unwrap_or("");
    if matches!(kind, "Person" | "Service" | "Application" | "Group" | "Organization") {
        return Ok(Some(Resolved::Account(actors::upsert_remote_actor(fed, &doc).await?)));
    }
    if kind == "Event" {
        // An event comes back as its companion status; the API finds the event from it.
        return Ok(crate::event_store::resolve_event_doc(fed, &doc).await?.map(|(_, s)| Resolved::Status(s)));
    }
    let Some(author_uri) = doc.get("attributedTo").and_then(object_id) else { return Ok(None) };
    let author = actors::resolve_actor(fed, author_uri).await?;
    let id = doc.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    store_remote_note(fed, &doc, &author).await?;
    Ok(queries::status_by_uri(&fed.db, &id).await?.map(Resolved::Status))
}
