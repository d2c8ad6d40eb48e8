//! `/api/v1/lists`: personal lists of accounts one follows, their members and their timeline.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use coopol_db::entities::lists as list_rows;
use coopol_db::lists;
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::{page, paged_by_key, paged_json, path_id};
use crate::auth::Auth;
use crate::{mastodon, ApiError, Params};

/// Most lists an account may have.
pub const MAX_LISTS: usize = 100;
/// Most members a list may have.
pub const MAX_MEMBERS: usize = 1000;
const POLICIES: &[&str] = &["followed", "list", "none"];

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/lists", get(index).post(create))
        .route("/api/v1/lists/{id}", get(show).put(update).delete(remove))
        .route("/api/v1/lists/{id}/accounts", get(members).post(add).delete(take_out))
        .route("/api/v1/timelines/list/{id}", get(timeline))
        .route("/api/v1/accounts/{id}/lists", get(containing))
}

async fn own(fed: &Federation, auth: &Auth, id: &str) -> Result<list_rows::Model, ApiError> {
    lists::owned(&fed.db, auth.account.id, path_id(id)?).await?.ok_or(ApiError::NotFound)
}

fn title(params: &Params) -> Result<Option<&str>, ApiError> {
    match params.str("title").map(str::trim) {
        Some(t) if t.chars().count() > 200 => Err(ApiError::Unprocessable("Title is too long".into())),
        Some("") => Err(ApiError::Unprocessable("Title can't be blank".into())),
        other => Ok(other),
    }
}

fn policy(params: &Params) -> Result<Option<&str>, ApiError> {
    match params.str("replies_policy") {
        Some(p) if !POLICIES.contains(&p) => {
            Err(ApiError::Unprocessable(format!("replies_policy {p} is not one of {POLICIES:?}")))
        }
        other => Ok(other),
    }
}

async fn index(State(fed): State<Federation>, auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.require("read:lists")?;
    Ok(Json(json!(lists::of_account(&fed.db, auth.account.id).await?.iter().map(mastodon::list).collect::<Vec<_>>())))
}

async fn create(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("write:lists")?;
    let title = title(&params)?.ok_or_else(|| ApiError::Unprocessable("Title can't be blank".into()))?;
    let policy = policy(&params)?.unwrap_or("list");
    if lists::of_account(&fed.db, auth.account.id).await?.len() >= MAX_LISTS {
        return Err(ApiError::Unprocessable(format!("at most {MAX_LISTS} lists")));
    }
    let exclusive = params.bool("exclusive").unwrap_or(false);
    let l = lists::create(&fed.db, auth.account.id, title, policy, exclusive).await?;
    Ok(Json(mastodon::list(&l)))
}

async fn show(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:lists")?;
    Ok(Json(mastodon::list(&own(&fed, &auth, &id).await?)))
}

async fn update(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:lists")?;
    let l = own(&fed, &auth, &id).await?;
    let l = lists::update(&fed.db, l, title(&params)?, policy(&params)?, params.bool("exclusive")).await?;
    Ok(Json(mastodon::list(&l)))
}

async fn remove(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:lists")?;
    let l = own(&fed, &auth, &id).await?;
    lists::delete(&fed.db, l.id).await?;
    Ok(Json(json!({})))
}

async fn members(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:lists")?;
    let l = own(&fed, &auth, &id).await?;
    // `limit=0` means every member, as in Mastodon.
    let limit = match params.u64("limit") {
        Some(0) => 0,
        other => other.unwrap_or(40).clamp(1, 80),
    };
    let rows = lists::members(&fed.db, l.id, params.id("max_id")?, params.id("since_id")?, limit).await?;
    let items = mastodon::accounts(&fed, &rows).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    Ok(paged_by_key(&format!("{}/api/v1/lists/{}/accounts", fed.config.base_url(), l.id), &ids, items))
}

fn account_ids(params: &Params) -> Result<Vec<i64>, ApiError> {
    let ids = params.list("account_ids");
    if ids.is_empty() {
        return Err(ApiError::Unprocessable("account_ids can't be blank".into()));
    }
    ids.iter().take(MAX_MEMBERS).map(|s| s.parse().map_err(|_| ApiError::NotFound)).collect()
}

async fn add(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:lists")?;
    let l = own(&fed, &auth, &id).await?;
    let ids = account_ids(&params)?;
    for a in &ids {
        queries::account_by_id(&fed.db, *a).await?.ok_or(ApiError::NotFound)?;
        let follows = queries::follow_between(&fed.db, auth.account.id, *a).await?;
        if follows.is_none_or(|f| f.state != FOLLOW_ACCEPTED) {
            return Err(ApiError::Unprocessable("You must follow an account to add it to a list".into()));
        }
    }
    if lists::members(&fed.db, l.id, None, None, 0).await?.len() + ids.len() > MAX_MEMBERS {
        return Err(ApiError::Unprocessable(format!("a list has at most {MAX_MEMBERS} members")));
    }
    lists::add_members(&fed.db, l.id, &ids).await?;
    Ok(Json(json!({})))
}

async fn take_out(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:lists")?;
    let l = own(&fed, &auth, &id).await?;
    lists::remove_members(&fed.db, l.id, &account_ids(&params)?).await?;
    Ok(Json(json!({})))
}

async fn timeline(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:lists")?;
    let l = own(&fed, &auth, &id).await?;
    let rows = lists::timeline(&fed.db, l.id, auth.account.id, page(&params)?).await?;
    let items = mastodon::statuses(&fed, &rows, Some(auth.account.id)).await?;
    Ok(paged_json(&format!("{}/api/v1/timelines/list/{}", fed.config.base_url(), l.id), &rows, items))
}

async fn containing(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:lists")?;
    let found = lists::containing(&fed.db, auth.account.id, path_id(&id)?).await?;
    Ok(Json(json!(found.iter().map(mastodon::list).collect::<Vec<_>>())))
}
