//! `/api/v1/statuses/...`: post, read, edit, delete, thread, favourite, boost, bookmark, pin,
//! edit history and source, who favourited and boosted; and the lists `/api/v1/bookmarks` and
//! `/api/v1/favourites`. Writes are `coopol_service::statuses`'; unknown mentions are resolved
//! here first (WebFinger), since the service does no network I/O.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_core::Visibility;
use coopol_db::entities::statuses;
use coopol_db::{queries, social};
use coopol_federation::{webfinger, Federation};
use coopol_service as service;
use coopol_service::statuses::{Edit, Mention, NewStatus, MAX_MENTIONS};
use serde_json::{json, Value};

use super::{page, paged_accounts, paged_by_key, path_id};
use crate::auth::{Auth, MaybeAuth};
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

/// The accounts a text mentions: local and known ones, others asked of their server
/// (WebFinger). Unresolved mentions stay text.
async fn mentions(fed: &Federation, text: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    for handle in coopol_core::text::mentions(text).into_iter().take(MAX_MENTIONS) {
        let domain = handle.domain.as_deref().filter(|d| !d.eq_ignore_ascii_case(&fed.config.domain));
        let found = match domain {
            None => queries::local_account(&fed.db, &handle.username).await.ok().flatten(),
            Some(d) => match webfinger::resolve(fed, &handle.username, d).await {
                Ok(a) => Some(a),
                Err(e) => {
                    tracing::info!(mention = %handle.acct(), error = %e, "mention left as text");
                    None
                }
            },
        };
        if let Some(account) = found {
            out.push(Mention { handle, account });
        }
    }
    out
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
    let text = params.str("status").unwrap_or("");
    let new = NewStatus {
        text,
        visibility,
        in_reply_to_id: params.id("in_reply_to_id")?,
        spoiler_text: params.str("spoiler_text").unwrap_or(""),
        sensitive: params.bool("sensitive").unwrap_or(false),
        language: params.str("language"),
        mentions: mentions(&fed, text).await,
        extras,
    };
    let s = service::statuses::create_once(&fed, &auth.account, key, new).await?;
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
    let text = params.str("status").unwrap_or("");
    let edit = Edit {
        text,
        spoiler_text: params.0.get("spoiler_text").and_then(Value::as_str),
        sensitive: params.bool("sensitive"),
        language: params.str("language"),
        mentions: mentions(&fed, text).await,
    };
    let s = service::statuses::edit(&fed, &auth.account, path_id(&id)?, edit).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let s = service::statuses::visible(&fed, path_id(&id)?, viewer).await?;
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
    let s = service::statuses::delete(&fed, &auth.account, path_id(&id)?).await?;
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
    let s = service::statuses::visible(&fed, path_id(&id)?, viewer).await?;
    let (ancestors, descendants) = service::statuses::context(&fed, &s, viewer).await?;
    Ok(Json(json!({
        "ancestors": mastodon::statuses(&fed, &ancestors, viewer).await?,
        "descendants": mastodon::statuses(&fed, &descendants, viewer).await?,
    })))
}

async fn favourite(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:favourites")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::statuses::favourite(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn unfavourite(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:favourites")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::statuses::unfavourite(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &s, Some(auth.account.id)).await?))
}

async fn reblog(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    let r = service::statuses::boost(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &r, Some(auth.account.id)).await?))
}

async fn unreblog(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    let orig = service::statuses::unboost(&fed, &auth.account, &s).await?;
    Ok(Json(mastodon::status(&fed, &orig, Some(auth.account.id)).await?))
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
    let s = service::statuses::visible(&fed, path_id(&id)?, viewer(&auth)).await?;
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
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    Ok(Json(json!({
        "id": s.id.to_string(),
        "text": s.source_text.clone().unwrap_or_else(|| s.content.clone()),
        "spoiler_text": s.spoiler_text,
    })))
}

/// The status a write acts on: visible to me; a boost stands for the boosted status.
async fn target(fed: &Federation, auth: &Auth, id: &str) -> Result<statuses::Model, ApiError> {
    let s = service::statuses::visible(fed, path_id(id)?, Some(auth.account.id)).await?;
    match s.reblog_of_id {
        Some(orig) => Ok(service::statuses::visible(fed, orig, Some(auth.account.id)).await?),
        None => Ok(s),
    }
}

async fn answer(fed: &Federation, auth: &Auth, s: &statuses::Model) -> Result<Json<Value>, ApiError> {
    Ok(Json(mastodon::status(fed, s, Some(auth.account.id)).await?))
}

async fn bookmark(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:bookmarks")?;
    let s = target(&fed, &auth, &id).await?;
    service::statuses::bookmark(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn unbookmark(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:bookmarks")?;
    let s = target(&fed, &auth, &id).await?;
    service::statuses::unbookmark(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn pin(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::statuses::pin(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn unpin(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, Some(auth.account.id)).await?;
    service::statuses::unpin(&fed, &auth.account, &s).await?;
    answer(&fed, &auth, &s).await
}

async fn favourited_by(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:accounts")?;
    let s = service::statuses::visible(&fed, path_id(&id)?, viewer(&auth)).await?;
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
    let s = service::statuses::visible(&fed, path_id(&id)?, viewer(&auth)).await?;
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
        if service::statuses::can_view(fed, s, Some(auth.account.id)).await? {
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
