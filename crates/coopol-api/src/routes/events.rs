//! `/api/v1/coopol/events...`: coopol's own event endpoints (see docs/events-api.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::path_id;
use crate::auth::{Auth, MaybeAuth};
use crate::events::{self, EventInput};
use crate::{ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/coopol/events", get(list).post(create))
        .route("/api/v1/coopol/events/{id}", get(show).put(update))
        .route("/api/v1/coopol/events/{id}/cancel", post(cancel))
        .route("/api/v1/coopol/events/{id}/join", post(join))
        .route("/api/v1/coopol/events/{id}/leave", post(leave))
        .route("/api/v1/coopol/events/{id}/participants", get(participants))
        .route("/api/v1/coopol/events/{id}/participants/{account_id}/approve", post(approve))
        .route("/api/v1/coopol/events/{id}/participants/{account_id}/reject", post(reject))
}

async fn list(State(fed): State<Federation>, auth: MaybeAuth, p: Params) -> Result<Json<Value>, ApiError> {
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let time = |k: &str| -> Result<_, ApiError> {
        p.str(k)
            .map(|s| chrono::DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&chrono::Utc)))
            .transpose()
            .map_err(|_| ApiError::Unprocessable(format!("{k} must be an RFC 3339 time")))
    };
    let limit = p.u64("limit").unwrap_or(40).clamp(1, 200);
    let found = events::list(&fed, p.id("group_id")?, time("from")?, time("to")?, limit).await?;
    let mut out = Vec::new();
    for e in &found {
        out.push(events::event_json(&fed, e, viewer).await?);
    }
    Ok(Json(json!(out)))
}

async fn create(State(fed): State<Federation>, auth: Auth, p: Params) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth.require("write:statuses")?;
    let e = events::create(&fed, &auth.account, EventInput::from_params(&p)?).await?;
    Ok((StatusCode::OK, Json(events::event_json(&fed, &e, Some(auth.account.id)).await?)))
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let e = coopol_service::events::visible(&fed, path_id(&id)?, viewer).await?;
    Ok(Json(events::event_json(&fed, &e, viewer).await?))
}

async fn update(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let e = events::update(&fed, &auth.account, path_id(&id)?, EventInput::from_params(&p)?).await?;
    Ok(Json(events::event_json(&fed, &e, Some(auth.account.id)).await?))
}

async fn cancel(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let e = events::cancel(&fed, &auth.account, path_id(&id)?).await?;
    Ok(Json(events::event_json(&fed, &e, Some(auth.account.id)).await?))
}

async fn join(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let e = events::join(&fed, &auth.account, path_id(&id)?, p.bool("maybe").unwrap_or(false)).await?;
    Ok(Json(events::event_json(&fed, &e, Some(auth.account.id)).await?))
}

async fn leave(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let e = events::leave(&fed, &auth.account, path_id(&id)?).await?;
    Ok(Json(events::event_json(&fed, &e, Some(auth.account.id)).await?))
}

async fn participants(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    Ok(Json(json!(events::participants(&fed, &auth.account, path_id(&id)?).await?)))
}

async fn approve(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    Ok(Json(events::answer(&fed, &auth.account, path_id(&id)?, path_id(&account_id)?, true).await?))
}

async fn reject(
    State(fed): State<Federation>,
    auth: Auth,
    Path((id, account_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    Ok(Json(events::answer(&fed, &auth.account, path_id(&id)?, path_id(&account_id)?, false).await?))
}
