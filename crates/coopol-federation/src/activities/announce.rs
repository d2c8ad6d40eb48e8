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
    match super::kind(obj) {
        "Create" => obj = object(obj)?,
        // Lemmy's communities forward every activity of their posts this way (FEP-1b12).
        "Delete" => return announced_delete(fed, obj).await,
        "Update" => return announced_update(fed, obj).await,
        "" | "Note" | "Article" | "Page" | "Question" => {}
        other => {
            tracing::debug!(kind = other, actor = %actor.uri, "ignoring an announced activity we do not handle");
            return Ok(());
        }
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

/// A group forwards a `Delete` (Lemmy's communities announce their members' activities). The
/// embedded activity is not trusted: a post we hold is removed only when its origin says it is
/// gone (404, 410 or a `Tombstone`).
async fn announced_delete(fed: &Federation, delete: &Value) -> Result<(), FederationError> {
    let Some(uri) = delete.get("object").and_then(object_id) else { return Ok(()) };
    let Some(s) = queries::status_by_uri(&fed.db, uri).await? else { return Ok(()) };
    if s.local {
        return Ok(());
    }
    let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
    let gone = match fed.http.fetch_object(&url, &fed.instance_key).await {
        Err(FederationError::Gone | FederationError::NotFound) => true,
        Ok(doc) => super::kind(&doc) == "Tombstone",
        Err(e) => return Err(e),
    };
    if !gone {
        tracing::debug!(%uri, "an announced Delete of a post its origin still serves: kept");
        return Ok(());
    }
    let event = crate::events::deleted_event(fed, &s).await?;
    // The first statement is a write (SQLite).
    let txn = sea_orm::TransactionTrait::begin(&fed.db).await?;
    queries::add_tombstone(&txn, uri).await?;
    super::delete::delete_status_rows(&txn, s.id).await?;
    txn.commit().await?;
    fed.events.publish(event);
    Ok(())
}

/// A group forwards an `Update` of a post (a Lemmy edit). The embedded object is not trusted:
/// a post we hold is fetched again from its origin and updated from that.
async fn announced_update(fed: &Federation, update: &Value) -> Result<(), FederationError> {
    let Some(uri) = update.get("object").and_then(object_id) else { return Ok(()) };
    let Some(s) = queries::status_by_uri(&fed.db, uri).await? else { return Ok(()) };
    if s.local {
        return Ok(());
    }
    let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
    let note = fed.http.fetch_object(&url, &fed.instance_key).await?;
    let Some(author) = queries::account_by_id(&fed.db, s.account_id).await? else { return Ok(()) };
    crate::notes::update_remote_note(fed, &note, &author).await?;
    if let Some(s) = queries::status_by_id(&fed.db, s.id).await? {
        crate::events::status_updated(fed, &s).await?;
    }
    Ok(())
}
