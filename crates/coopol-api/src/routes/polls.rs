//! `/api/v1/polls/:id` and `/api/v1/polls/:id/votes`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_federation::Federation;
use serde_json::Value;

use super::path_id;
use crate::auth::{Auth, MaybeAuth};
use crate::{polls, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new().route("/api/v1/polls/{id}", get(show)).route("/api/v1/polls/{id}/votes", post(vote))
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let (p, s) = polls::visible_poll(&fed, path_id(&id)?, viewer).await?;
    Ok(Json(polls::poll_json(&fed, &p, &s, viewer).await?))
}

async fn vote(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let id = path_id(&id)?;
    coopol_service::polls::vote(&fed, &auth.account, id, &params.list("choices")).await?;
    let (p, s) = polls::visible_poll(&fed, id, Some(auth.account.id)).await?;
    Ok(Json(polls::poll_json(&fed, &p, &s, Some(auth.account.id)).await?))
}
