//! Passwords, bearer tokens and scopes. Tokens are stored as SHA-256 hashes: a copy of the
//! database yields no usable token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use coopol_db::entities::{accounts, oauth_tokens, users};
use coopol_db::{queries, Db};
use coopol_federation::Federation;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::ApiError;

pub use coopol_service::credentials::{random_secret, secret_hash, verify_password};

/// Hashes a password with argon2id and a random salt (`coopol_service::credentials`).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Ok(coopol_service::credentials::hash_password(password)?)
}

/// Creates a bearer token for a user (or for an app alone when `user_id` is `None`).
pub async fn create_token(
    db: &Db,
    app_id: Option<i64>,
    user_id: Option<i64>,
    scopes: &str,
) -> Result<(String, String, oauth_tokens::Model), ApiError> {
    let token = random_secret();
    let refresh = random_secret();
    let row = oauth_tokens::ActiveModel {
        id: Set(coopol_core::new_id()),
        token_hash: Set(secret_hash(&token)),
        refresh_hash: Set(Some(secret_hash(&refresh))),
        app_id: Set(app_id),
        user_id: Set(user_id),
        scopes: Set(scopes.to_string()),
        created_at: Set(coopol_db::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((token, refresh, row))
}

/// A token for scripts and tests (`coopol admin token NAME`).
pub async fn issue_token(db: &Db, user_id: i64, scopes: &str) -> Result<String, ApiError> {
    Ok(create_token(db, None, Some(user_id), scopes).await?.0)
}

/// Whether `granted` (space-separated) covers `wanted`: `read` covers `read:statuses`, and the
/// legacy `follow` scope covers `read:follows`, `write:follows` and blocks and mutes.
pub fn scope_allows(granted: &str, wanted: &str) -> bool {
    let parent = wanted.split(':').next().unwrap_or(wanted);
    granted.split_whitespace().any(|g| {
        g == wanted
            || g == parent
            || (g == "follow"
                && matches!(
                    wanted,
                    "read:follows" | "write:follows" | "read:blocks" | "write:blocks" | "read:mutes" | "write:mutes"
                ))
    })
}

/// The user behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: users::Model,
    pub account: accounts::Model,
    pub scopes: String,
}

impl Auth {
    /// Refuses with 403 unless the token carries `scope`.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if scope_allows(&self.scopes, scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    let h = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// The stored token behind a bearer token, unless unknown or revoked.
pub async fn live_token(db: &Db, token: &str) -> Result<oauth_tokens::Model, ApiError> {
    oauth_tokens::Entity::find()
        .filter(oauth_tokens::Column::TokenHash.eq(secret_hash(token)))
        .filter(oauth_tokens::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(ApiError::Unauthorized)
}

async fn lookup(fed: &Federation, token: &str) -> Result<Auth, ApiError> {
    let row = live_token(&fed.db, token).await?;
    let user_id = row.user_id.ok_or(ApiError::Unauthorized)?;
    let user = users::Entity::find_by_id(user_id).one(&fed.db).await?.ok_or(ApiError::Unauthorized)?;
    let account = queries::account_by_id(&fed.db, user.account_id).await?.ok_or(ApiError::Unauthorized)?;
    if account.suspended {
        return Err(ApiError::Forbidden);
    }
    Ok(Auth { user, account, scopes: row.scopes })
}

/// The user behind a token given some other way than the `Authorization` header (the
/// streaming API's `access_token` parameter and WebSocket protocol).
pub async fn authenticate(fed: &Federation, token: &str) -> Result<Auth, ApiError> {
    lookup(fed, token).await
}

impl FromRequestParts<Federation> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, fed: &Federation) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        lookup(fed, &token).await
    }
}

/// Like `Auth`, for endpoints that also answer anonymous requests. A token that is present
/// but invalid is still refused, as Mastodon does.
pub struct MaybeAuth(pub Option<Auth>);

impl MaybeAuth {
    /// Refuses with 403 a token that lacks `scope`; anonymous requests pass (as Mastodon's
    /// `authorize_if_got_token!`).
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        match &self.0 {
            Some(a) => a.require(scope),
            None => Ok(()),
        }
    }
}

impl FromRequestParts<Federation> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, fed: &Federation) -> Result<Self, Self::Rejection> {
        match bearer_token(&parts.headers) {
            None => Ok(MaybeAuth(None)),
            Some(t) => lookup(fed, &t).await.map(|a| MaybeAuth(Some(a))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert!(scope_allows("read write", "read:statuses"));
        assert!(scope_allows("read:statuses", "read:statuses"));
        assert!(!scope_allows("read:accounts", "read:statuses"));
        assert!(!scope_allows("read", "write:statuses"));
        assert!(scope_allows("follow", "write:follows"));
        assert!(!scope_allows("follow", "write:statuses"));
    }
}
