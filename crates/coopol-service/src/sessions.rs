//! Sessions of the web interface: a signed-in browser holds a random id (its cookie); the
//! database holds the id's SHA-256, the user, the CSRF token of the session's forms and when
//! it was last used. Signing in always makes a new session (no fixation); a person lists their
//! sessions and ends any or all of them.

use chrono::{Duration, Utc};
use coopol_db::entities::{accounts, user_settings, users, web_sessions};
use coopol_db::queries;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::credentials::{random_secret, secret_hash};
use crate::{Service, ServiceError};

/// The cookie that holds a session's id in the browser (the web interface sets it; the OAuth
/// authorize page reads it, so a signed-in person only consents).
pub const COOKIE: &str = "coopol_session";
/// A session unused for this long is over.
pub const IDLE_DAYS: i64 = 30;
/// `last_seen_at` is written at most this often (a page view is not a write each time).
const TOUCH_MINUTES: i64 = 10;
/// The `User-Agent` kept, at most.
const AGENT_CHARS: usize = 160;

/// A session just started: the cookie's value (shown once, stored hashed) and its row.
pub struct Started {
    pub cookie: String,
    pub session: web_sessions::Model,
}

/// Who a live session belongs to.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: web_sessions::Model,
    pub user: users::Model,
    pub account: accounts::Model,
    /// The interface language the person chose, if any.
    pub locale: Option<String>,
}

/// Starts a new session for `user` (after their password was checked).
pub async fn start(svc: &Service, user: &users::Model, user_agent: &str) -> Result<Started, ServiceError> {
    let cookie = random_secret();
    let now = coopol_db::now();
    let session = web_sessions::ActiveModel {
        id: Set(coopol_core::new_id()),
        token_hash: Set(secret_hash(&cookie)),
        user_id: Set(user.id),
        csrf_token: Set(random_secret()),
        user_agent: Set(user_agent.chars().take(AGENT_CHARS).collect()),
        created_at: Set(now),
        last_seen_at: Set(now),
    }
    .insert(&svc.db)
    .await?;
    Ok(Started { cookie, session })
}

/// The live session whose cookie is `cookie`: not idle for too long, its account neither
/// suspended nor deleted. Refreshes `last_seen_at` now and then.
pub async fn lookup(svc: &Service, cookie: &str) -> Result<Option<SignedIn>, ServiceError> {
    let Some(session) = web_sessions::Entity::find()
        .filter(web_sessions::Column::TokenHash.eq(secret_hash(cookie)))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if session.last_seen_at < now - Duration::days(IDLE_DAYS) {
        web_sessions::Entity::delete_by_id(session.id).exec(&svc.db).await?;
        return Ok(None);
    }
    let Some(user) = users::Entity::find_by_id(session.user_id).one(&svc.db).await? else { return Ok(None) };
    let Some(account) = queries::account_by_id(&svc.db, user.account_id).await?.filter(|a| !a.suspended) else {
        return Ok(None);
    };
    let locale = user_settings::Entity::find_by_id(user.id).one(&svc.db).await?.and_then(|s| s.locale);
    let session = if session.last_seen_at < now - Duration::minutes(TOUCH_MINUTES) {
        let mut m: web_sessions::ActiveModel = session.into();
        m.last_seen_at = Set(coopol_db::now());
        m.update(&svc.db).await?
    } else {
        session
    };
    Ok(Some(SignedIn { session, user, account, locale }))
}

/// The sessions of a user, the most recently used first.
pub async fn list(svc: &Service, user_id: i64) -> Result<Vec<web_sessions::Model>, ServiceError> {
    Ok(web_sessions::Entity::find()
        .filter(web_sessions::Column::UserId.eq(user_id))
        .order_by_desc(web_sessions::Column::LastSeenAt)
        .all(&svc.db)
        .await?)
}

/// Ends one of the user's sessions (another person's session id is not found).
pub async fn end(svc: &Service, user_id: i64, session_id: i64) -> Result<(), ServiceError> {
    let done = web_sessions::Entity::delete_many()
        .filter(web_sessions::Column::Id.eq(session_id))
        .filter(web_sessions::Column::UserId.eq(user_id))
        .exec(&svc.db)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Ends every session of the user ("sign out everywhere"); returns how many ended.
pub async fn end_all(svc: &Service, user_id: i64) -> Result<u64, ServiceError> {
    let done =
        web_sessions::Entity::delete_many().filter(web_sessions::Column::UserId.eq(user_id)).exec(&svc.db).await?;
    Ok(done.rows_affected)
}

/// Sets the interface language of a user (`None`: follow the browser).
pub async fn set_locale(svc: &Service, user_id: i64, locale: Option<&str>) -> Result<(), ServiceError> {
    let row = user_settings::ActiveModel {
        user_id: Set(user_id),
        locale: Set(locale.map(str::to_string)),
        updated_at: Set(coopol_db::now()),
    };
    user_settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(user_settings::Column::UserId)
                .update_columns([user_settings::Column::Locale, user_settings::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(&svc.db)
        .await?;
    Ok(())
}
