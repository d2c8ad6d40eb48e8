//! Who receives what we send: an [`Outgoing`] activity with its signer and inboxes, and the
//! queries that turn an audience into inboxes. Each verb's module (`activities::<kind>::send`)
//! decides its own recipients with these; the outbox worker only dispatches.

use coopol_core::{Audience, Visibility};
use coopol_db::entities::{accounts, event_participants, events, statuses};
use coopol_db::queries;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use crate::{Federation, FederationError};

/// What an intent becomes: an activity, who signs it, where it goes.
pub struct Outgoing {
    pub activity: Value,
    pub sender_account_id: i64,
    pub inboxes: Vec<String>,
}

/// An account that must exist (the intent's subject).
pub async fn account(fed: &Federation, id: i64) -> Result<accounts::Model, FederationError> {
    queries::account_by_id(&fed.db, id).await?.ok_or(FederationError::NotFound)
}

/// Personal inbox of a remote account (for activities meant for that actor alone).
pub fn personal_inbox(a: &accounts::Model) -> Vec<String> {
    if a.domain.is_some() {
        vec![a.inbox_url.clone()]
    } else {
        vec![]
    }
}

/// Inboxes of a post's audience: accepted followers (when the visibility reaches them), the
/// mentioned accounts, and the author of the post it answers.
pub async fn post_inboxes(fed: &Federation, s: &statuses::Model) -> Result<Vec<String>, FederationError> {
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    let mut mentioned = queries::mentioned_ids(&fed.db, s.id).await?;
    // A public reply in a group's thread goes to the group too, which announces it (FEP-1b12).
    if let (Some(parent), true) = (s.in_reply_to_id, visibility.is_public()) {
        mentioned.extend(coopol_db::groups::groups_boosting(&fed.db, parent).await?);
    }
    audience_inboxes(
        fed,
        s.account_id,
        &Audience::of(visibility, &mentioned),
        // The author of the post answered hears of a public reply; a followers-only or direct
        // reply reaches them only when it mentions them.
        s.in_reply_to_account_id.filter(|_| visibility.is_public()),
    )
    .await
}

/// Inboxes of an audience of `author`'s, and of `also`.
pub async fn audience_inboxes(
    fed: &Federation,
    author: i64,
    audience: &Audience,
    also: Option<i64>,
) -> Result<Vec<String>, FederationError> {
    let mut ids = audience.mentioned.clone();
    if audience.followers {
        ids.extend(queries::accepted_follower_ids(&fed.db, author).await?);
    }
    ids.extend(also);
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// Whether an account is a local private group (whose announces go to its members only).
pub async fn private_group(fed: &Federation, a: &accounts::Model) -> Result<bool, FederationError> {
    if a.actor_type != coopol_db::groups::GROUP || a.domain.is_some() {
        return Ok(false);
    }
    Ok(coopol_db::groups::settings(&fed.db, a.id).await?.is_some_and(|g| g.private))
}

/// Whether an account is a local public group (whose announces are public).
pub async fn local_public_group(fed: &Federation, a: &accounts::Model) -> Result<bool, FederationError> {
    Ok(a.actor_type == coopol_db::groups::GROUP && a.domain.is_none() && !private_group(fed, a).await?)
}

/// Inboxes of an account's remote accepted followers.
pub async fn follower_inboxes(fed: &Federation, account_id: i64) -> Result<Vec<String>, FederationError> {
    let ids = queries::accepted_follower_ids(&fed.db, account_id).await?;
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// Inboxes of a group's remote members: accepted, not banned, one per distinct inbox.
pub async fn member_inboxes(fed: &Federation, group_id: i64) -> Result<Vec<String>, FederationError> {
    let ids = coopol_db::groups::member_ids(&fed.db, group_id).await?;
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// Who hears of an event and of its changes: the organiser's audience for a public post, the
/// group's members, and every remote participant (so counts agree everywhere).
pub async fn event_inboxes(
    fed: &Federation,
    e: &events::Model,
    s: &statuses::Model,
) -> Result<Vec<String>, FederationError> {
    let mut ids: Vec<i64> = event_participants::Entity::find()
        .select_only()
        .column(event_participants::Column::AccountId)
        .filter(event_participants::Column::EventId.eq(e.id))
        .into_tuple::<i64>()
        .all(&fed.db)
        .await?;
    if let Some(g) = e.group_id {
        ids.extend(queries::accepted_follower_ids(&fed.db, g).await?);
    }
    let mut inboxes = post_inboxes(fed, s).await?;
    inboxes.extend(queries::remote_inboxes(&fed.db, &ids).await?);
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}
