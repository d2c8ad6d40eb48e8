//! `/api/v1/coopol/groups...`: coopol's own group endpoints (list, create, join, leave,
//! members and roles, requests, invitations, moderation). In Mastodon's API a group is an
//! account with `group: true`: following it is joining.

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use coopol_db::groups as gq;
use coopol_db::queries;
use coopol_federation::{actors, Federation};
use serde_json::{json, Value};

use super::path_id;
use crate::auth::{Auth, MaybeAuth};
use crate::groups::{self, CreateGroup};
use crate::media::Media;
use crate::{ApiError, Params};
use coopol_service as service;

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/coopol/groups", get(list).post(create))
        .route("/api/v1/coopol/groups/{id}", get(show).patch(update))
        .route("/api/v1/coopol/groups/{id}/avatar", delete(delete_avatar))
        .route("/api/v1/coopol/groups/{id}/header", delete(delete_header))
        .route("/api/v1/coopol/groups/{id}/join", post(join))
        .route("/api/v1/coopol/groups/{id}/leave", post(leave))
        .route("/api/v1/coopol/groups/{id}/members", get(members))
        .route("/api/v1/coopol/groups/{id}/members/{account_id}/role", post(set_role))
        .route("/api/v1/coopol/groups/{id}/requests/{account_id}/accept", post(accept))
        .route("/api/v1/coopol/groups/{id}/requests/{account_id}/reject", post(reject))
        .route("/api/v1/coopol/groups/{id}/invitations", post(invite))
        .route("/api/v1/coopol/groups/{id}/bans", post(ban))
        .route("/api/v1/coopol/groups/{id}/statuses/{status_id}/remove", post(remove))
        .route("/api/v1/coopol/groups/{id}/statuses/{status_id}/lock", post(lock))
        .route("/api/v1/coopol/groups/{id}/statuses/{status_id}/unlock", post(unlock))
        .route("/api/v1/coopol/groups/{id}/moderation_log", get(moderation_log))
        .route("/api/v1/coopol/groups/{id}/reports", post(report))
}

/// The local groups of this instance.
async fn list(State(fed): State<Federation>, auth: MaybeAuth) -> Result<Json<Value>, ApiError> {
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let mut out = Vec::new();
    for (a, g) in gq::local_groups(&fed.db).await?.into_iter().filter(|(a, _)| !a.suspended) {
        out.push(groups::group_json(&fed, &a, &g, viewer).await?);
    }
    Ok(Json(json!(out)))
}

async fn create(State(fed): State<Federation>, auth: Auth, p: Params) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let c = CreateGroup {
        name: p.required("name")?,
        display_name: p.str("display_name").unwrap_or(""),
        description: p.str("description").unwrap_or(""),
        rules: p.str("rules").unwrap_or(""),
        join_mode: p.str("join_mode").unwrap_or("open"),
        private: p.bool("private").unwrap_or(false),
        members_visible: p.bool("members_visible").unwrap_or(false),
    };
    let (a, g) = groups::create(&fed, &auth.account, c).await?;
    Ok(Json(groups::group_json(&fed, &a, &g, Some(auth.account.id)).await?))
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (a, g) = service::groups::local(&fed, path_id(&id)?).await?;
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    Ok(Json(groups::group_json(&fed, &a, &g, viewer).await?))
}

/// `PATCH /api/v1/coopol/groups/:id`: `display_name`, `description`, `rules` (form, JSON or
/// multipart) and the `avatar`/`header` image parts; the group's admins only.
async fn update(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let (a, g) = service::groups::local(&fed, path_id(&id)?).await?;
    let media = req.extensions().get::<Media>().cloned();
    let (p, images) = super::accounts::profile_params(&fed, req).await?;
    // An empty value clears (rules, description), so it is not "absent" here.
    let text = |k: &str| p.0.get(k).and_then(Value::as_str).map(|s| s.trim().to_string());
    let u = actors::GroupUpdate {
        display_name: text("display_name"),
        description: text("description"),
        rules: text("rules"),
    };
    let (a, g) = groups::update(&fed, media.as_ref(), &a, &g, &auth.account, u, images).await?;
    Ok(Json(groups::group_json(&fed, &a, &g, Some(auth.account.id)).await?))
}

/// `DELETE /api/v1/coopol/groups/:id/avatar`: back to the default avatar.
async fn delete_avatar(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    media: Option<Extension<Media>>,
) -> Result<Json<Value>, ApiError> {
    delete_image(fed, auth, id, media, coopol_db::profile_images::AVATAR).await
}

/// `DELETE /api/v1/coopol/groups/:id/header`: back to the default header.
async fn delete_header(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    media: Option<Extension<Media>>,
) -> Result<Json<Value>, ApiError> {
    delete_image(fed, auth, id, media, coopol_db::profile_images::HEADER).await
}

async fn delete_image(
    fed: Federation,
    auth: Auth,
    id: String,
    media: Option<Extension<Media>>,
    kind: &str,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let (a, g) = service::groups::local(&fed, path_id(&id)?).await?;
    let Some(Extension(media)) = media else {
        return Err(ApiError::Unprocessable("images cannot be stored on this server".into()));
    };
    groups::remove_image(&fed, &media, &a, &auth.account, kind).await?;
    Ok(Json(groups::group_json(&fed, &a, &g, Some(auth.account.id)).await?))
}

/// Joins a local group, or asks to join a remote one (any account with `group: true`).
async fn join(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let group = queries::account_by_id(&fed.db, path_id(&id)?)
        .await?
        .filter(|a| a.actor_type == gq::GROUP && !a.suspended)
        .ok_or(ApiError::NotFound)?;
    service::relationships::follow(&fed, &auth.account, &group).await?;
    relationship(&fed, &auth, group.id).await
}

async fn leave(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let group = queries::account_by_id(&fed.db, path_id(&id)?)
        .await?
        .filter(|a| a.actor_type == gq::GROUP)
        .ok_or(ApiError::NotFound)?;
    service::relationships::unfollow(&fed, &auth.account, &group).await?;
    relationship(&fed, &auth, group.id).await
}

async fn relationship(fed: &Federation, auth: &Auth, group_id: i64) -> Result<Json<Value>, ApiError> {
    Ok(Json(crate::mastodon::relationship(fed, auth.account.id, group_id).await?))
}

async fn members(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:accounts")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    Ok(Json(json!(groups::people(&fed, &a, &auth.account).await?)))
}

async fn set_role(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    service::groups::set_role(&fed, &a, &auth.account, path_id(&account_id)?, p.required("role")?).await?;
    Ok(Json(json!({})))
}

async fn accept(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    answer(fed, auth, id, account_id, true).await
}

async fn reject(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    answer(fed, auth, id, account_id, false).await
}

async fn answer(
    fed: Federation,
    auth: Auth,
    id: String,
    account_id: String,
    ok: bool,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    service::groups::answer_request(&fed, &a, &auth.account, path_id(&account_id)?, ok).await?;
    Ok(Json(json!({})))
}

async fn invite(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    let account_id = path_id(p.required("account_id")?)?;
    service::groups::invite(&fed, &a, &auth.account, account_id, p.str("role").unwrap_or("member")).await?;
    Ok(Json(json!({})))
}

async fn ban(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:blocks")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    let account_id = path_id(p.required("account_id")?)?;
    service::groups::ban(&fed, &a, &auth.account, account_id, p.str("reason").unwrap_or("")).await?;
    Ok(Json(json!({})))
}

async fn remove(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, status_id)): Path<(String, String)>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let (a, g) = service::groups::local(&fed, path_id(&id)?).await?;
    service::groups::remove_post(&fed, &a, &g, &auth.account, path_id(&status_id)?, p.str("reason").unwrap_or(""))
        .await?;
    Ok(Json(json!({})))
}

async fn lock(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, status_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_lock(fed, auth, id, status_id, true).await
}

async fn unlock(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, status_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_lock(fed, auth, id, status_id, false).await
}

async fn set_lock(
    fed: Federation,
    auth: Auth,
    id: String,
    status_id: String,
    locked: bool,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    service::groups::lock_thread(&fed, &a, &auth.account, path_id(&status_id)?, locked).await?;
    Ok(Json(json!({})))
}

async fn moderation_log(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:accounts")?;
    let (a, _) = service::groups::local(&fed, path_id(&id)?).await?;
    let entries =
        groups::moderation_log(&fed, a.id, &auth.account, p.id("max_id")?, p.u64("limit").unwrap_or(40)).await?;
    Ok(Json(json!(entries)))
}

/// Reports to a group's moderators (local or remote group): `status_ids[]` and `comment`.
async fn report(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:reports")?;
    let group = queries::account_by_id(&fed.db, path_id(&id)?)
        .await?
        .filter(|a| a.actor_type == gq::GROUP && !a.suspended)
        .ok_or(ApiError::NotFound)?;
    let ids = p.list("status_ids").iter().map(|s| path_id(s)).collect::<Result<Vec<i64>, _>>()?;
    service::groups::report(&fed, &auth.account, &group, &ids, p.str("comment").unwrap_or("")).await?;
    Ok(Json(json!({})))
}
