//! Writes of the client API's statuses and relationships beyond the foundation's: edits,
//! idempotent posting, bookmarks, pins, mutes, follow options and requests, profile updates.
//! As in `service`, each write is one transaction that records its `Intent` when something
//! must be federated; reads are done before the transaction begins (SQLite).

use coopol_core::text::{self, ResolvedMention};
use coopol_core::Intent;
use coopol_db::entities::{
    account_profiles, accounts, bookmarks, follows, idempotency_keys, mentions, mutes, status_pins, status_tags,
    statuses,
};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::social;
use coopol_federation::Federation;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::service::{self, resolve_mention, NewStatus, MAX_CHARS};
use crate::ApiError;

/// Longest display name and bio, and most profile fields, of a local account.
pub const MAX_DISPLAY_NAME: usize = 100;
pub const MAX_NOTE: usize = 2000;
pub const MAX_FIELDS: usize = 4;
pub const MAX_FIELD_CHARS: usize = 255;
/// Longest `Idempotency-Key` kept.
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// Posts a status, once per `Idempotency-Key`: the same key from the same account within an
/// hour returns the status posted the first time.
pub async fn create_status_once(
    fed: &Federation,
    author: &accounts::Model,
    key: Option<&str>,
    new: NewStatus<'_>,
    extras: &crate::polls::StatusExtras,
) -> Result<statuses::Model, ApiError> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return service::create_status_with(fed, author, new, extras).await;
    };
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(ApiError::Unprocessable("Idempotency-Key is too long".into()));
    }
    if let Some(id) = social::idempotent_status(&fed.db, author.id, key).await? {
        if let Some(s) = queries::status_by_id(&fed.db, id).await? {
            return Ok(s);
        }
    }
    let s = service::create_status_with(fed, author, new, extras).await?;
    social::expire_idempotency_keys(&fed.db, author.id).await?;
    let row = idempotency_keys::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(author.id),
        key: Set(key.to_string()),
        status_id: Set(s.id),
        created_at: Set(coopol_db::now()),
    };
    // A concurrent request with the same key lost the race: its status stands, keyed or not.
    if let Err(e) = row.insert(&fed.db).await {
        tracing::info!(error = %e, "idempotency key already recorded");
    }
    Ok(s)
}

/// What an edit changes.
pub struct Edit<'a> {
    pub text: &'a str,
    pub spoiler_text: Option<&'a str>,
    pub sensitive: Option<bool>,
    pub language: Option<&'a str>,
}

/// Edits a local status of `author`: new text (rendered again, mentions and tags recomputed),
/// content warning, sensitivity, language; the previous version is kept in the history and
/// `Update(Note)` goes to whoever received the post.
pub async fn edit_status(
    fed: &Federation,
    author: &accounts::Model,
    id: i64,
    edit: Edit<'_>,
) -> Result<statuses::Model, ApiError> {
    let before = queries::status_by_id(&fed.db, id)
        .await?
        .filter(|s| s.account_id == author.id && s.local && s.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let spoiler = edit.spoiler_text.unwrap_or(&before.spoiler_text);
    if edit.text.trim().is_empty() {
        return Err(ApiError::Unprocessable("Text can't be blank".into()));
    }
    if edit.text.chars().count() + spoiler.chars().count() > MAX_CHARS {
        return Err(ApiError::Unprocessable(format!("Text character limit of {MAX_CHARS} exceeded")));
    }
    let mut mentioned: Vec<accounts::Model> = Vec::new();
    let mut resolved: Vec<ResolvedMention> = Vec::new();
    for h in text::mentions(edit.text).into_iter().take(50) {
        if let Some(a) = resolve_mention(fed, &h).await {
            resolved.push(ResolvedMention { handle: h, url: a.url.clone() });
            if a.id != author.id && !mentioned.iter().any(|m| m.id == a.id) {
                mentioned.push(a);
            }
        }
    }
    // Accounts mentioned before stay in the audience: they received the post and must
    // receive its new version.
    let old_mentions = queries::mentioned_ids(&fed.db, id).await?;
    let tags = text::hashtags(edit.text);
    let had_edits = social::has_edits(&fed.db, id).await?;
    let mut m: statuses::ActiveModel = before.clone().into();
    m.content = Set(text::render(edit.text, &resolved, &fed.config.base_url()));
    m.source_text = Set(Some(edit.text.to_string()));
    m.spoiler_text = Set(spoiler.to_string());
    m.sensitive = Set(edit.sensitive.unwrap_or(before.sensitive) || !spoiler.is_empty());
    if let Some(l) = edit.language {
        m.language = Set(Some(l.chars().take(16).collect()));
    }
    m.edited_at = Set(Some(coopol_db::now()));
    let txn = fed.db.begin().await?;
    let after = m.update(&txn).await?;
    for a in mentioned.iter().filter(|a| !old_mentions.contains(&a.id)) {
        mentions::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), account_id: Set(a.id) }
            .insert(&txn)
            .await?;
    }
    status_tags::Entity::delete_many().filter(status_tags::Column::StatusId.eq(id)).exec(&txn).await?;
    for t in tags {
        status_tags::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), name: Set(t) }
            .insert(&txn)
            .await?;
    }
    social::record_edit(&txn, &before, &after, had_edits).await?;
    queries::record_intent(&txn, &Intent::UpdateStatus { status_id: id }).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    coopol_service::stream::status_updated(fed, &after).await?;
    Ok(after)
}

/// Bookmarks a status (idempotent; bookmarks are private and never federated).
pub async fn bookmark(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    if social::bookmark_of(&fed.db, me.id, s.id).await?.is_none() {
        bookmarks::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(me.id),
            status_id: Set(s.id),
            created_at: Set(coopol_db::now()),
        }
        .insert(&fed.db)
        .await?;
    }
    Ok(())
}

pub async fn unbookmark(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    bookmarks::Entity::delete_many()
        .filter(bookmarks::Column::AccountId.eq(me.id))
        .filter(bookmarks::Column::StatusId.eq(s.id))
        .exec(&fed.db)
        .await?;
    Ok(())
}

/// Pins one of my own public, unlisted or followers-only statuses to my profile (at most 5).
pub async fn pin(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    if s.account_id != me.id || s.reblog_of_id.is_some() {
        return Err(ApiError::Unprocessable("You can only pin your own posts".into()));
    }
    if s.visibility == "direct" {
        return Err(ApiError::Unprocessable("Direct posts cannot be pinned".into()));
    }
    if social::pin_of(&fed.db, me.id, s.id).await?.is_some() {
        return Ok(());
    }
    if social::pin_count(&fed.db, me.id).await? >= social::MAX_PINS {
        return Err(ApiError::Unprocessable("You have already pinned the maximum number of posts".into()));
    }
    status_pins::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(me.id),
        status_id: Set(s.id),
        created_at: Set(coopol_db::now()),
    }
    .insert(&fed.db)
    .await?;
    Ok(())
}

pub async fn unpin(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    status_pins::Entity::delete_many()
        .filter(status_pins::Column::AccountId.eq(me.id))
        .filter(status_pins::Column::StatusId.eq(s.id))
        .exec(&fed.db)
        .await?;
    Ok(())
}

/// Mutes an account (its posts leave my timelines; with `notifications`, its notifications
/// too), for `duration` seconds or for good (0 or `None`). Muting again updates the options.
pub async fn mute(
    fed: &Federation,
    me: &accounts::Model,
    target: &accounts::Model,
    notifications: bool,
    duration: Option<u64>,
) -> Result<(), ApiError> {
    if me.id == target.id {
        return Err(ApiError::Unprocessable("you cannot mute yourself".into()));
    }
    let expires_at = match duration.filter(|d| *d > 0) {
        Some(d) => {
            let d = i64::try_from(d).ok().filter(|d| *d <= 10 * 365 * 86_400);
            let d = d.ok_or_else(|| ApiError::Unprocessable("duration is too long".into()))?;
            Some(coopol_db::now() + chrono::Duration::seconds(d))
        }
        None => None,
    };
    let txn = fed.db.begin().await?;
    mutes::Entity::delete_many()
        .filter(mutes::Column::AccountId.eq(me.id))
        .filter(mutes::Column::TargetAccountId.eq(target.id))
        .exec(&txn)
        .await?;
    mutes::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        notifications: Set(notifications),
        expires_at: Set(expires_at),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn unmute(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> Result<(), ApiError> {
    mutes::Entity::delete_many()
        .filter(mutes::Column::AccountId.eq(me.id))
        .filter(mutes::Column::TargetAccountId.eq(target.id))
        .exec(&fed.db)
        .await?;
    Ok(())
}

/// Sets the options of my follow of `target` (`notify`, `reblogs`), when given.
pub async fn set_follow_options(
    fed: &Federation,
    me: &accounts::Model,
    target: &accounts::Model,
    notify: Option<bool>,
    reblogs: Option<bool>,
) -> Result<(), ApiError> {
    if notify.is_none() && reblogs.is_none() {
        return Ok(());
    }
    let Some(f) = queries::follow_between(&fed.db, me.id, target.id).await? else { return Ok(()) };
    let mut m: follows::ActiveModel = f.into();
    if let Some(n) = notify {
        m.notify = Set(n);
    }
    if let Some(r) = reblogs {
        m.show_reblogs = Set(r);
    }
    m.update(&fed.db).await?;
    Ok(())
}

/// Accepts a pending request of `follower` to follow me; a remote follower is sent `Accept`.
pub async fn authorize_follow(
    fed: &Federation,
    me: &accounts::Model,
    follower: &accounts::Model,
) -> Result<(), ApiError> {
    let f = queries::follow_between(&fed.db, follower.id, me.id)
        .await?
        .filter(|f| f.state == FOLLOW_PENDING)
        .ok_or(ApiError::NotFound)?;
    let id = f.id;
    let mut m: follows::ActiveModel = f.into();
    m.state = Set(FOLLOW_ACCEPTED.to_string());
    let txn = fed.db.begin().await?;
    m.update(&txn).await?;
    if follower.domain.is_some() {
        queries::record_intent(&txn, &Intent::AcceptFollow { follow_id: id }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Refuses a pending request of `follower`; a remote follower is sent `Reject`.
pub async fn reject_follow(fed: &Federation, me: &accounts::Model, follower: &accounts::Model) -> Result<(), ApiError> {
    let f = queries::follow_between(&fed.db, follower.id, me.id)
        .await?
        .filter(|f| f.state == FOLLOW_PENDING)
        .ok_or(ApiError::NotFound)?;
    let txn = fed.db.begin().await?;
    follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    if follower.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::RejectFollow { account_id: me.id, follower_account_id: follower.id, follow_uri: f.uri },
        )
        .await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// A profile field as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// What `update_credentials` may change (`None`: unchanged).
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub fields: Option<Vec<Field>>,
}

/// The fields and bio source of an account (empty when never set).
pub async fn profile_source(fed: &Federation, account_id: i64) -> Result<(String, Vec<Field>), ApiError> {
    Ok(match social::profile(&fed.db, account_id).await? {
        Some(p) => (p.note_source, serde_json::from_str(&p.fields).unwrap_or_default()),
        None => (String::new(), vec![]),
    })
}

/// Updates my profile; followers' servers receive `Update` of the actor.
pub async fn update_profile(
    fed: &Federation,
    me: &accounts::Model,
    u: ProfileUpdate,
) -> Result<accounts::Model, ApiError> {
    if let Some(n) = &u.display_name {
        if n.chars().count() > MAX_DISPLAY_NAME {
            return Err(ApiError::Unprocessable(format!("display_name is too long (maximum {MAX_DISPLAY_NAME})")));
        }
    }
    if let Some(n) = &u.note {
        if n.chars().count() > MAX_NOTE {
            return Err(ApiError::Unprocessable(format!("note is too long (maximum {MAX_NOTE})")));
        }
    }
    if let Some(f) = &u.fields {
        if f.len() > MAX_FIELDS {
            return Err(ApiError::Unprocessable(format!("at most {MAX_FIELDS} profile fields")));
        }
        if f.iter().any(|f| f.name.chars().count() > MAX_FIELD_CHARS || f.value.chars().count() > MAX_FIELD_CHARS) {
            return Err(ApiError::Unprocessable(format!("a profile field is too long (maximum {MAX_FIELD_CHARS})")));
        }
    }
    let (old_note, old_fields) = profile_source(fed, me.id).await?;
    let note_source = u.note.clone().unwrap_or(old_note);
    let fields = u.fields.clone().unwrap_or(old_fields);
    let fields_json = serde_json::to_string(&fields).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut m: accounts::ActiveModel = me.clone().into();
    if let Some(n) = u.display_name {
        m.display_name = Set(n);
    }
    if u.note.is_some() {
        m.note = Set(text::render(&note_source, &[], &fed.config.base_url()));
    }
    if let Some(l) = u.locked {
        m.locked = Set(l);
    }
    if let Some(b) = u.bot {
        m.bot = Set(b);
    }
    m.updated_at = Set(coopol_db::now());
    let txn = fed.db.begin().await?;
    let updated = m.update(&txn).await?;
    account_profiles::Entity::delete_by_id(me.id).exec(&txn).await?;
    account_profiles::ActiveModel {
        account_id: Set(me.id),
        note_source: Set(note_source),
        fields: Set(fields_json),
        updated_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    queries::record_intent(&txn, &Intent::UpdateAccount { account_id: me.id }).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(updated)
}
