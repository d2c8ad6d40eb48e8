//! Accounts: a person's profile, and deleting a local account.

use coopol_core::text;
use coopol_core::Intent;
use coopol_db::entities::{
    account_profiles, accounts, group_join_messages, oauth_tokens, statuses, users, web_sessions,
};
use coopol_db::WriteTxn;
use coopol_db::{queries, social};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::{statuses as status_rules, Service, ServiceError};

/// Longest display name and bio, and most profile fields, of a local account.
pub const MAX_DISPLAY_NAME: usize = 100;
pub const MAX_NOTE: usize = 2000;
pub const MAX_FIELDS: usize = 4;
pub const MAX_FIELD_CHARS: usize = 255;

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
pub async fn profile_source(svc: &Service, account_id: i64) -> Result<(String, Vec<Field>), ServiceError> {
    Ok(match social::profile(&svc.db, account_id).await? {
        Some(p) => (p.note_source, serde_json::from_str(&p.fields).unwrap_or_default()),
        None => (String::new(), vec![]),
    })
}

/// Updates my profile; followers' servers receive `Update` of the actor.
pub async fn update_profile(
    svc: &Service,
    me: &accounts::Model,
    u: ProfileUpdate,
) -> Result<accounts::Model, ServiceError> {
    if let Some(n) = &u.display_name {
        if n.chars().count() > MAX_DISPLAY_NAME {
            return Err(ServiceError::Unprocessable(format!("display_name is too long (maximum {MAX_DISPLAY_NAME})")));
        }
    }
    if let Some(n) = &u.note {
        if n.chars().count() > MAX_NOTE {
            return Err(ServiceError::Unprocessable(format!("note is too long (maximum {MAX_NOTE})")));
        }
    }
    if let Some(f) = &u.fields {
        if f.len() > MAX_FIELDS {
            return Err(ServiceError::Unprocessable(format!("at most {MAX_FIELDS} profile fields")));
        }
        if f.iter().any(|f| f.name.chars().count() > MAX_FIELD_CHARS || f.value.chars().count() > MAX_FIELD_CHARS) {
            return Err(ServiceError::Unprocessable(format!(
                "a profile field is too long (maximum {MAX_FIELD_CHARS})"
            )));
        }
    }
    let (old_note, old_fields) = profile_source(svc, me.id).await?;
    let note_source = u.note.clone().unwrap_or(old_note);
    let fields = u.fields.clone().unwrap_or(old_fields);
    let fields_json = serde_json::to_string(&fields).map_err(|e| ServiceError::Unprocessable(e.to_string()))?;
    let mut m: accounts::ActiveModel = me.clone().into();
    if let Some(n) = u.display_name {
        m.display_name = Set(n);
    }
    if u.note.is_some() {
        m.note = Set(text::render(&note_source, &[], &svc.config.base_url()));
    }
    if let Some(l) = u.locked {
        m.locked = Set(l);
    }
    if let Some(b) = u.bot {
        m.bot = Set(b);
    }
    m.updated_at = Set(coopol_db::now());
    let txn = svc.db.begin_write().await?;
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
    svc.intent_recorded();
    Ok(updated)
}

/// Deletes a local account: its posts go (tombstoned), it is suspended so that its name and id
/// are never reused, and every server that follows it or is followed by it receives
/// `Delete(Person)`. Follows are kept until that delivery is built (it reads them).
pub async fn delete(svc: &Service, account: &accounts::Model) -> Result<u64, ServiceError> {
    delete_logged(svc, account, None).await
}

/// [`delete`], with the admin log's entry (who, target, reason) written in its transaction.
pub(crate) async fn delete_logged(
    svc: &Service,
    account: &accounts::Model,
    admin_entry: Option<(Option<i64>, String, String)>,
) -> Result<u64, ServiceError> {
    if account.domain.is_some() {
        return Err(ServiceError::Unprocessable("only local accounts can be deleted here".into()));
    }
    let posts = statuses::Entity::find().filter(statuses::Column::AccountId.eq(account.id)).all(&svc.db).await?;
    let txn = svc.db.begin_write().await?;
    for s in &posts {
        status_rules::delete_rows(&txn, s.id).await?;
        queries::add_tombstone(&txn, &s.uri).await?;
    }
    let mut m: accounts::ActiveModel = account.clone().into();
    m.suspended = Set(true);
    m.display_name = Set(String::new());
    m.note = Set(String::new());
    m.update(&txn).await?;
    let user_ids: Vec<i64> = users::Entity::find()
        .filter(users::Column::AccountId.eq(account.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    oauth_tokens::Entity::update_many()
        .col_expr(oauth_tokens::Column::RevokedAt, sea_orm::sea_query::Expr::value(coopol_db::now()))
        .filter(oauth_tokens::Column::UserId.is_in(user_ids.clone()))
        .exec(&txn)
        .await?;
    // What it wrote with requests to join groups goes too.
    group_join_messages::Entity::delete_many()
        .filter(group_join_messages::Column::AccountId.eq(account.id))
        .exec(&txn)
        .await?;
    // Its browsers are signed out.
    web_sessions::Entity::delete_many().filter(web_sessions::Column::UserId.is_in(user_ids)).exec(&txn).await?;
    if let Some(entry) = &admin_entry {
        crate::admin::log_delete(&txn, account.id, entry).await?;
    }
    queries::record_intent(&txn, &Intent::DeleteAccount { account_id: account.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(posts.len() as u64)
}

/// A profile image stored in the media store, to record as an account's.
pub struct StoredImage {
    /// `avatar` or `header`.
    pub kind: String,
    pub url: String,
    pub content_type: String,
    pub file_key: String,
}

/// Records stored avatar or header images as the account's (a person's, or a local group's)
/// and tells followers' servers (`Update` of the actor); returns the file keys they replace,
/// for the door to remove from its media store.
pub async fn set_images(
    svc: &Service,
    account: &accounts::Model,
    images: &[StoredImage],
) -> Result<Vec<String>, ServiceError> {
    if images.is_empty() {
        return Ok(vec![]);
    }
    let (old_avatar, old_header) = coopol_db::profile_images::images_of(&svc.db, account.id).await?;
    let txn = svc.db.begin_write().await?;
    for i in images {
        coopol_db::profile_images::set_image(&txn, account.id, &i.kind, &i.url, &i.content_type, Some(&i.file_key))
            .await?;
    }
    queries::record_intent(&txn, &Intent::UpdateAccount { account_id: account.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok([old_avatar, old_header]
        .into_iter()
        .flatten()
        .filter(|o| images.iter().any(|i| i.kind == o.kind))
        .filter_map(|o| o.file_key)
        .collect())
}

/// Removes an account's avatar or header (`kind`): it shows the default image again. Returns
/// the file key of the removed image, for the door to remove from its media store.
pub async fn remove_image(
    svc: &Service,
    account: &accounts::Model,
    kind: &str,
) -> Result<Option<String>, ServiceError> {
    let (avatar, header) = coopol_db::profile_images::images_of(&svc.db, account.id).await?;
    let Some(old) = (if kind == coopol_db::profile_images::AVATAR { avatar } else { header }) else {
        return Ok(None);
    };
    let txn = svc.db.begin_write().await?;
    coopol_db::profile_images::remove_image(&txn, account.id, kind).await?;
    queries::record_intent(&txn, &Intent::UpdateAccount { account_id: account.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(old.file_key)
}
