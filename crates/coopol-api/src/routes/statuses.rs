//! `/api/v1/statuses/...`: post, read, delete, thread, favourite, boost.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_core::Visibility;
use coopol_db::queries;
use coopol_federation::Federation;
use serde_json::{json, Value};

use super::path_id;
use crate::auth::{Auth, MaybeAuth};
use crate::service::{self, NewStatus};
use crate::{mastodon, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/statuses", post(create))
        .route("/api/v1/statuses/{id}", get(show).delete(delete).put(edit))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
}

async fn create(
    State(fed): State<Federation>,
    auth: Auth,
    headers: HeaderMap,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let extras = crate::polls::status_extras(&fed, &auth.account, &params).await?;
    let visibility = match params.str("visibility") {
        Some(v) => Some(v.parse::<Visibility>().map_err(|e| ApiError::Unprocessable(e.to_string()))?),
        None => None,
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let s = crate::social::create_status_once(
        &fed,
        &auth.account,
        key,
        NewStatus {
            text: params.str("status").unwrap_or(""),
            visibility,
            in_reply_to_id: params.id("in_reply_to_id")?,
            spoiler_text: params.str("spoiler_text").unwrap_or(""),
            sensitive: params.bool("sensitive").unwrap_or(false),
            language: params.str("language"),
        },
        &extras,
    )
    .await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

/// `PUT /api/v1/statuses/:id`: edits my status; answers the status as it now is.
async fn edit(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    if !params.list("media_ids").is_empty() || params.0.contains_key("poll") {
        return Err(ApiError::Unprocessable("media and polls are not supported yet".into()));
    }
    let edit = crate::social::Edit {
        text: params.str("status").unwrap_or(""),
        spoiler_text: params.0.get("spoiler_text").and_then(Value::as_str),
        sensitive: params.bool("sensitive"),
        language: params.str("language"),
    };
    let s = crate::social::edit_status(&fed, &auth.account, path_id(&id)?, edit).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let s = service::visible_status(&fed, path_id(&id)?, viewer).await?;
    Ok(Json(mastodon::status(&fed, &s, viewer).await?))
}

async fn delete(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    media: Option<axum::Extension<crate::media::Media>>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let attachments = coopol_db::media::attachments_of_status(&fed.db, path_id(&id)?).await?;
    let s = service::delete_status(&fed, &auth.account, path_id(&id)?).await?;
    if let Some(axum::Extension(m)) = media {
        crate::media::remove_files(&m, &attachments).await;
    }
    // The entity as it was, with its source text, for "delete and redraft".
    let mut v = json!({
        "id": s.id.to_string(), "uri": s.uri, "url": s.url, "content": s.content,
        "created_at": mastodon::time(s.created_at), "visibility": s.visibility, "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text, "in_reply_to_id": s.in_reply_to_id.map(|i| i.to_string()),
        "account": mastodon::account(&fed, &auth.account).await?, "media_attachments": [], "mentions": [],
        "tags": [], "emojis": [], "reblog": Value::Null, "poll": Value::Null,
    });
    if let Some(m) = v.as_object_mut() {
        m.insert("text".into(), json!(s.source_text.unwrap_or_default()));
    }
    Ok(Json(v))
}

/// Ancestors (up the reply chain, oldest first) and descendants (the thread below, in order).
async fn context(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let s = service::visible_status(&fed, path_id(&id)?, viewer).await?;
    let mut ancestors = Vec::new();
    let mut parent = s.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        match queries::status_by_id(&fed.db, pid).await? {
            Some(p) => {
                parent = p.in_reply_to_id;
                if service::can_view(&fed, &p, viewer).await? {
                    ancestors.push(p);
                }
            }
            None => break,
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack = vec![s.id];
    while let Some(id) = stack.pop() {
        if descendants.len() >= 200 {
            break;
        }
        for r in queries::replies(&fed.db, id).await?.into_iter().rev() {
            stack.push(r.id);
            if service::can_view(&fed, &r, viewer).await? {
                descendants.push(r);
            }
        }
    }
    descendants.sort_by_key(|d| d.id);
    Ok(Json(json!({
        "ancestors": mastodon::statuses(&fed, &ancestors, viewer).await?,
        "descendants": mastodon::statuses(&fed, &descendants, viewer).await?,
    })))
}

async fn favourite(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:favourites")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::favourite(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn unfavourite(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:favourites")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::unfavourite(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn reblog(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    let r = service::reblog(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &r, Some(auth.account.id)).await?))
}

async fn unreblog(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let s = service::visible_status(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    let orig = service::unreblog(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &orig, Some(auth.account.id)).await?))
}
