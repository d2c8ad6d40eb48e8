//! `Announce`: a boost. Stored as a status whose `reblog_of_id` is the boosted one.

use coopol_db::entities::accounts;
use coopol_db::queries;
use sea_orm::ActiveModelTrait;
use serde_json::{json, Value};
use url::Url;

use super::{object, with_context};
use crate::notes::{object_id, store_remote_note};
use crate::{actors, Federation, FederationError};

/// `Announce` of `object_uri` (by `object_author`) by a local account, public.
pub fn build(id: &str, actor: &str, followers: &str, object_uri: &str, object_author: &str, published: &str) -> Value {
    with_context(json!({
        "id": id,
        "type": "Announce",
        "actor": actor,
        "published": published,
        "to": [coopol_core::PUBLIC],
        "cc": [object_author, followers],
        "object": object_uri,
    }))
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let id = activity.get("id").and_then(Value::as_str).unwrap_or_default();
    if queries::status_by_uri(&fed.db, id).await?.is_some() {
        return Ok(());
    }
    let mut obj = object(activity)?;
    // A group (FEP-1b12, as Lemmy sends it) may announce the member's `Create` rather than the
    // note itself: the note is what is boosted, fetched from its origin as any other.
    if super::kind(obj) == "Create" {
        obj = object(obj)?;
    }
    let uri = object_id(obj).ok_or_else(|| FederationError::Invalid("Announce without object".into()))?;
    let original = match queries::status_by_uri(&fed.db, uri).await? {
        Some(s) => s,
        None => {
            // Never trust an embedded object we do not own: fetch it from its origin.
            let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
            // A boost from an allowed server does not carry posts of a blocked one in.
            actors::refuse_blocked(fed, &url).await?;
            let note = fed.http.fetch_object(&url, &fed.instance_key).await?;
            if super::kind(&note) == "Event" {
                // A group announcing an event: stored with its companion status, then boosted.
                match crate::event_store::resolve_event_doc(fed, &note).await? {
                    Some((_, s)) => return boost(fed, id, actor, s).await,
                    None => return Ok(()),
                }
            }
            let author_uri = note
                .get("attributedTo")
                .and_then(object_id)
                .ok_or_else(|| FederationError::Invalid("note without author".into()))?;
            let author = actors::resolve_actor(fed, author_uri).await?;
            match store_remote_note(fed, &note, &author).await? {
                Some(s) => s,
                None => return Ok(()),
            }
        }
    };
    boost(fed, id, actor, original).await
}

/// Stores `actor`'s boost `id` of `original`.
async fn boost(
    fed: &Federation,
    id: &str,
    actor: &accounts::Model,
    original: coopol_db::entities::statuses::Model,
) -> Result<(), FederationError> {
    let visibility: coopol_core::Visibility = original.visibility.parse().unwrap_or(coopol_core::Visibility::Direct);
    if !visibility.is_public() {
        return Err(FederationError::Unauthorized("boost of a non-public post".into()));
    }
    let boost = queries::boost_row(coopol_core::new_id(), id, actor.id, original.id, false).insert(&fed.db).await?;
    if original.local {
        let kind = coopol_db::notifications::REBLOG;
        crate::events::notify(fed, original.account_id, actor.id, kind, Some(original.id)).await?;
    }
    crate::events::status_created(fed, &boost).await?;
    Ok(())
}
