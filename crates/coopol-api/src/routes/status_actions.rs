//! `/api/v1/statuses/:id/...` beyond posting and reading: edit history and source, bookmarks,
//! pins, who favourited and boosted; and the lists `/api/v1/bookmarks`, `/api/v1/favourites`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_db::entities::statuses;
use coopol_db::social;
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::{page, paged_accounts, paged_by_key, path_id};
use crate::auth::{Auth, MaybeAuth};
use crate::{mastodon, service, social as actions, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/statuses/{id}/history", get(history))
        .route("/api/v1/statuses/{id}/source", get(source))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
        .route("/api/v1/bookmarks", get(bookmarks))
        .route("/api/v1/favourites", get(favourites))
}

fn viewer(auth: &MaybeAuth) -> Option<i64> {
    auth.0.as_ref().map(|a| a.account.id)
}

/// The StatusEdit entities of a status, oldest first; a status never edited has one version.
async fn history(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let s = service::visible_status(&fed, path_id(&id)?, viewer(&auth)).await?;
    let author = coopol_db::queries::account_by_id(&fed.db, s.account_id).await?.ok_or(ApiError::NotFound)?;
    let account = mastodon::account(&fed, &author).await?;
    let edits = social::edits(&fed.db, s.id).await?;
    let entry = |content: &str, spoiler: &str, sensitive: bool, at| {
        json!({
            "content": content, "spoiler_text": spoiler, "sensitive": sensitive, "created_at": mastodon::time(at),
            "account": account, "poll": Value::Null, "media_attachments": [], "emojis": [],
        })
    };
    let out: Vec<Value> = if edits.is_empty() {
        vec![entry(&s.content, &s.spoiler_text, s.sensitive, s.created_at)]
    } else {
        edits.iter().map(|e| entry(&e.content, &e.spoiler_text, e.sensitive, e.created_at)).collect()
    };
    Ok(Json(json!(out)))
}

/// StatusSource: what the author typed (for remote statuses, the HTML as received).
async fn source(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    Ok(Json(json!({
        "id": s.id.to_string(),
        "text": s.source_text.clone().unwrap_or_else(|| s.content.clone()),
        "spoiler_text": s.spoiler_text,
    })))
}

/// The status a write acts on: visible to me; a boost stands for the boosted status.
async fn target(fed: &Federation, auth: &Auth, id: &str) -> Result<statuses::Model, ApiError> {
    let s = service::visible_status(fed, path_id(id)?, Some(auth.account.id)).await?;
    match s.reblog_of_id {
        Some(orig) => service::visible_status(fed, orig, Some(auth.account.id)).await,
        None => Ok(s),
    }
}

async fn answer(fed: &Federation, auth: &Auth, s: &statuses::Model) -> Result<Json<Value>, ApiError> {
    Ok(Json(mastodon::status(fed, s, Some(auth.account.id)).await?))
}

async fn bookmark(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:bookmarks")?;
    let s = target(&fed, &auth, &id).await?;
    actions::bookmark(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn unbookmark(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:bookmarks")?;
    let s = target(&fed, &auth, &id).await?;
    actions::unbookmark(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn pin(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    actions::pin(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn unpin(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    actions::unpin(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn favourited_by(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:accounts")?;
    let s = service::visible_status(&fed, path_id(&id)?, viewer(&auth)).await?;
    let rows = social::favourited_by(&fed.db, s.id, page(&params)?).await?;
    paged_accounts(&fed, &format!("{}/api/v1/statuses/{}/favourited_by", fed.config.base_url(), s.id), rows).await
}

async fn reblogged_by(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:accounts")?;
    let s = service::visible_status(&fed, path_id(&id)?, viewer(&auth)).await?;
    let rows = social::reblogged_by(&fed.db, s.id, page(&params)?).await?;
    paged_accounts(&fed, &format!("{}/api/v1/statuses/{}/reblogged_by", fed.config.base_url(), s.id), rows).await
}

/// Statuses listed by a key of their own (bookmark or favourite ids), those still visible.
async fn keyed_statuses(
    fed: &Federation,
    auth: &Auth,
    base: &str,
    rows: Vec<(i64, statuses::Model)>,
) -> Result<Response, ApiError> {
    let keys: Vec<i64> = rows.iter().map(|(k, _)| *k).collect();
    let mut items = Vec::new();
    for (_, s) in &rows {
        if service::can_view(fed, s, Some(auth.account.id)).await? {
            items.push(mastodon::status(fed, s, Some(auth.account.id)).await?);
        }
    }
    Ok(paged_by_key(base, &keys, items))
}

async fn bookmarks(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:bookmarks")?;
    let rows = social::bookmarked(&fed.db, auth.account.id, page(&params)?).await?;
    keyed_statuses(&fed, &auth, &format!("{}/api/v1/bookmarks", fed.config.base_url()), rows).await
}

async fn favourites(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:favourites")?;
    let rows = social::favourited(&fed.db, auth.account.id, page(&params)?).await?;
    keyed_statuses(&fed, &auth, &format!("{}/api/v1/favourites", fed.config.base_url()), rows).await
}
