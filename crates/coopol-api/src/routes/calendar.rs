//! iCalendar feeds: `/api/v1/coopol/events/:id.ics`, `/groups/:name/events.ics`,
//! `/users/:name/events.ics` (`?token=` for the personal feed), `/events.ics`; and
//! `POST /api/v1/coopol/calendar/token`.

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_db::calendar::{self as feeds, Feed};
use coopol_db::entities::{accounts, groups};
use coopol_db::queries;
use coopol_federation::Federation;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::calendar::{self, Privacy};
use crate::ApiError;

/// The path of one event's feed, before its id and `.ics`.
const EVENT_FEED_PREFIX: &str = "/api/v1/coopol/events/";

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/events.ics", get(instance_feed))
        .route("/groups/{name}/events.ics", get(group_feed))
        .route("/users/{name}/events.ics", get(user_feed))
        .route("/api/v1/coopol/calendar/token", post(new_token))
}

/// Serves `/api/v1/coopol/events/:id.ics`. The router cannot match a suffix inside a path
/// segment (`{id}.ics`), and `/api/v1/coopol/events/{id}` is the event's JSON, so this layer
/// answers those paths before routing gets to them.
pub async fn event_feed_layer(State(fed): State<Federation>, req: Request, next: Next) -> Response {
    let id = (req.method() == Method::GET || req.method() == Method::HEAD)
        .then(|| req.uri().path().strip_prefix(EVENT_FEED_PREFIX))
        .flatten()
        .and_then(|rest| rest.strip_suffix(".ics"))
        .filter(|id| !id.contains('/'))
        .map(str::to_owned);
    match id {
        Some(id) => match event_feed(&fed, &id, req.headers()).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        None => next.run(req).await,
    }
}

async fn event_feed(fed: &Federation, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    let event = feeds::public_event(&fed.db, id).await?.ok_or(ApiError::NotFound)?;
    let name = event.title.clone();
    Ok(calendar::feed_response(name, &[event], Privacy::Public, headers))
}

async fn instance_feed(State(fed): State<Federation>, headers: HeaderMap) -> Result<Response, ApiError> {
    let rows = feeds::public_events(&fed.db, Feed::Instance).await?;
    let name = format!("{} — events", fed.config.title);
    Ok(calendar::feed_response(name, &rows, Privacy::Public, &headers))
}

async fn group_feed(
    State(fed): State<Federation>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let account = local_account(&fed, &name).await?;
    let group = groups::Entity::find_by_id(account.id).one(&fed.db).await?.ok_or(ApiError::NotFound)?;
    if group.private {
        // A private group's events are for its members: its calendar does not exist publicly.
        return Err(ApiError::NotFound);
    }
    let rows = feeds::public_events(&fed.db, Feed::Group(account.id)).await?;
    Ok(calendar::feed_response(display(&account), &rows, Privacy::Public, &headers))
}

async fn user_feed(
    State(fed): State<Federation>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let account = local_account(&fed, &name).await?;
    match query.get("token") {
        None => {
            let rows = feeds::public_events(&fed.db, Feed::Organiser(account.id)).await?;
            Ok(calendar::feed_response(display(&account), &rows, Privacy::Public, &headers))
        }
        Some(token) => {
            if calendar::token_account(&fed, token).await? != Some(account.id) {
                tracing::info!(account = %account.username, "calendar feed with a wrong token");
                return Err(ApiError::Unauthorized);
            }
            let rows = feeds::personal_events(&fed.db, account.id).await?;
            Ok(calendar::feed_response(display(&account), &rows, Privacy::Personal, &headers))
        }
    }
}

async fn new_token(State(fed): State<Federation>, auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let token = calendar::new_token(&fed, auth.account.id).await?;
    let url = format!("{}/users/{}/events.ics?token={token}", fed.config.base_url(), auth.account.username);
    Ok(Json(json!({ "token": token, "url": url })))
}

async fn local_account(fed: &Federation, name: &str) -> Result<accounts::Model, ApiError> {
    queries::local_account(&fed.db, name).await?.filter(|a| !a.suspended).ok_or(ApiError::NotFound)
}

fn display(account: &accounts::Model) -> String {
    if account.display_name.trim().is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    }
}
