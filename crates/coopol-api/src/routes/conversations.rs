//! `/api/v1/conversations`: direct messages as threads; list, mark read, remove.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use coopol_db::conversations;
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::{page, paged_by_key, path_id};
use crate::auth::Auth;
use crate::{mastodon, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

async fn list(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:statuses")?;
    let rows = conversations::page(&fed.db, auth.account.id, page(&params)?).await?;
    let items = mastodon::conversations(&fed, &rows).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.last_status_id).collect();
    Ok(paged_by_key(&format!("{}/api/v1/conversations", fed.config.base_url()), &ids, items))
}

async fn read(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:conversations")?;
    let c = conversations::get(&fed.db, auth.account.id, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    conversations::mark_read(&fed.db, c.id).await?;
    let c = conversations::get(&fed.db, auth.account.id, c.id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(mastodon::conversation(&fed, &c).await?))
}

async fn remove(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:conversations")?;
    let c = conversations::get(&fed.db, auth.account.id, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    conversations::remove(&fed.db, c.id).await?;
    Ok(Json(json!({})))
}
