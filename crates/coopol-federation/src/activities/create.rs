//! `Create(Note)`: a post arrives. We keep it when someone here has a reason to see it: they
//! follow the author, are mentioned, or it answers a local post.

use coopol_db::entities::{accounts, follows, statuses};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use url::Url;

use super::{object, with_context};
use crate::config::same_origin;
use crate::notes::{object_id, store_remote_note, string_list};
use crate::{Federation, FederationError};

/// `Create` wrapping a local note; addressed as the note is.
pub fn build(note: Value, actor: &str) -> Value {
    let id = format!("{}/activity", note.get("id").and_then(Value::as_str).unwrap_or_default());
    with_context(json!({
        "id": id,
        "type": "Create",
        "actor": actor,
        "published": note.get("published"),
        "to": note.get("to"),
        "cc": note.get("cc"),
        "object": note,
    }))
}

/// Whether a local account has a reason to see a note by `author`.
async fn relevant(fed: &Federation, note: &Value, author: &accounts::Model) -> Result<bool, FederationError> {
    use sea_orm::sea_query::{Expr, Query};
    let local_ids = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    let has_local_follower = follows::Entity::find()
        .filter(follows::Column::AccountId.in_subquery(local_ids))
        .filter(follows::Column::TargetAccountId.eq(author.id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .count(&fed.db)
        .await?
        > 0;
    if has_local_follower {
        return Ok(true);
    }
    // bto and bcc count as addressing a local account, as to and cc do; they are never shown.
    let addressed = ["to", "cc", "bto", "bcc"].into_iter().flat_map(|k| string_list(note.get(k)));
    for uri in addressed {
        if fed.config.is_local(&uri) {
            return Ok(true);
        }
    }
    if let Some(Value::Array(tags)) = note.get("tag") {
        if tags.iter().filter_map(|t| t.get("href").and_then(Value::as_str)).any(|h| fed.config.is_local(h)) {
            return Ok(true);
        }
    }
    if let Some(parent) = note.get("inReplyTo").and_then(object_id) {
        if let Some(p) = queries::status_by_uri(&fed.db, parent).await? {
            return Ok(p.local || coopol_db::groups::in_group_thread(&fed.db, p.id).await?);
        }
    }
    Ok(false)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let obj = object(activity)?;
    // Mastodon embeds the object; a bare id is fetched from its origin, which must be the actor's.
    let note = if obj.is_string() {
        let uri = obj.as_str().unwrap_or_default();
        let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
        let actor_url = Url::parse(&actor.uri).map_err(|_| FederationError::Invalid("bad actor id".into()))?;
        if !same_origin(&url, &actor_url) {
            return Err(FederationError::Unauthorized("object not on the actor's origin".into()));
        }
        fed.http.fetch_object(&url, &fed.instance_key).await?
    } else {
        obj.clone()
    };
    if super::kind(&note) == "Event" {
        return receive_event(fed, &note, actor).await;
    }
    if crate::polls::receive_vote(fed, &note, actor).await? {
        return Ok(());
    }
    if !relevant(fed, &note, actor).await? {
        tracing::debug!(actor = %actor.uri, "dropping a note nobody here follows or is addressed by");
        return Ok(());
    }
    let stored: Option<statuses::Model> = store_remote_note(fed, &note, actor).await?;
    if let Some(s) = stored {
        tracing::debug!(uri = %s.uri, "stored remote note");
        super::groups::posts::offer(fed, &note, &s).await?;
        coopol_service::stream::status_created(fed, &s).await?;
    }
    Ok(())
}

/// `Create(Event)`: kept, with its companion status, when someone here follows its organiser or
/// its group, or it is addressed to a local account.
async fn receive_event(fed: &Federation, event: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let mut wanted = relevant(fed, event, actor).await?;
    if !wanted {
        if let Some(group) = event.get("attributedTo").and_then(object_id).filter(|g| *g != actor.uri) {
            if let Some(g) = queries::account_by_uri(&fed.db, group).await? {
                wanted = relevant(fed, event, &g).await?;
            }
        }
    }
    if !wanted {
        tracing::debug!(actor = %actor.uri, "dropping an event nobody here follows or is addressed by");
        return Ok(());
    }
    if let Some((e, s)) = crate::event_store::store_remote_event(fed, event, actor).await? {
        tracing::debug!(uri = %e.uri, "stored remote event");
        coopol_service::stream::status_created(fed, &s).await?;
    }
    Ok(())
}
