//! `/api/v1/notifications`: list (with `types[]`, `exclude_types[]`, `account_id`), get,
//! dismiss, clear, and the unread count (notifications after the `notifications` marker).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_db::{markers, notifications};
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::{page, paged_by_key, path_id};
use crate::auth::Auth;
use crate::{mastodon, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/unread_count", get(unread_count))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/dismiss", post(dismiss_legacy))
        .route("/api/v1/notifications/{id}", get(show))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

fn kinds(params: &Params, key: &str) -> Vec<String> {
    params.list(key).into_iter().filter(|k| notifications::KINDS.contains(&k.as_str())).collect()
}

async fn list(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:notifications")?;
    let wanted = params.list("types");
    let mut filter = notifications::Filter {
        types: kinds(&params, "types"),
        exclude_types: kinds(&params, "exclude_types"),
        from_account_id: params.id("account_id")?,
    };
    if !wanted.is_empty() && filter.types.is_empty() {
        // Only types we never create were asked for: nothing matches.
        filter.types = vec![String::new()];
    }
    let mut p = page(&params)?;
    p.limit = params.u64("limit").unwrap_or(40).clamp(1, 80);
    let rows = notifications::page(&fed.db, auth.account.id, &filter, p).await?;
    let items = mastodon::notifications(&fed, &rows).await?;
    let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
    Ok(paged_by_key(&format!("{}/api/v1/notifications", fed.config.base_url()), &ids, items))
}

async fn show(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:notifications")?;
    let n = notifications::get(&fed.db, auth.account.id, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(mastodon::notification(&fed, &n).await?.ok_or(ApiError::NotFound)?))
}

async fn dismiss(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:notifications")?;
    if !notifications::dismiss(&fed.db, auth.account.id, path_id(&id)?).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/dismiss` with an `id` parameter (before Mastodon 3.1).
async fn dismiss_legacy(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("write:notifications")?;
    let id = params.id("id")?.ok_or_else(|| ApiError::Unprocessable("id can't be blank".into()))?;
    if !notifications::dismiss(&fed.db, auth.account.id, id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(json!({})))
}

async fn clear(State(fed): State<Federation>, auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.require("write:notifications")?;
    notifications::clear(&fed.db, auth.account.id).await?;
    Ok(Json(json!({})))
}

async fn unread_count(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("read:notifications")?;
    let cap = params.u64("limit").unwrap_or(100).clamp(1, 1000);
    let marker = markers::get(&fed.db, auth.account.id, &["notifications".to_string()]).await?;
    let after = marker.first().map(|m| m.last_read_id);
    let count = notifications::unread_count(&fed.db, auth.account.id, after, cap).await?;
    Ok(Json(json!({ "count": count })))
}
