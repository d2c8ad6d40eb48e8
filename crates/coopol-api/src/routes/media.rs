//! `/api/v2/media`, `/api/v1/media` (upload, show, update) and `/media/<key>` (the files).

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use coopol_db::entities::media_attachments;
use coopol_federation::Federation;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use super::path_id;
use crate::auth::Auth;
use crate::media::{self, process, Media, MediaError};
use crate::{ApiError, Params};

/// The media routes, with the store and limits they use.
pub fn routes(m: Media) -> Router<Federation> {
    let body_limit = m.limits.body();
    Router::new()
        .route("/api/v2/media", post(upload))
        .route("/api/v1/media", post(upload))
        .route("/api/v1/media/{id}", get(show).put(update))
        .route("/media/{*key}", get(file))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(Extension(m))
}

async fn upload(
    State(fed): State<Federation>,
    auth: Auth,
    Extension(m): Extension<Media>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, MediaError> {
    auth.require("write:media")?;
    let form = form.map_err(|e| ApiError::Unprocessable(format!("a multipart/form-data body is expected: {e}")))?;
    let a = media::upload(&fed, &m, &auth.account, form).await?;
    Ok(Json(media::attachment_json(&a)))
}

/// An attachment of the caller's; others' are not found.
async fn own(fed: &Federation, auth: &Auth, id: &str) -> Result<media_attachments::Model, ApiError> {
    coopol_db::media::attachment_by_id(&fed.db, path_id(id)?)
        .await?
        .filter(|a| a.account_id == auth.account.id)
        .ok_or(ApiError::NotFound)
}

async fn show(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    Ok(Json(media::attachment_json(&own(&fed, &auth, &id).await?)))
}

async fn update(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    let a = own(&fed, &auth, &id).await?;
    let focus = match params.str("focus") {
        Some(f) => Some(
            process::parse_focus(f)
                .ok_or_else(|| ApiError::Unprocessable("focus must be \"x,y\" within [-1, 1]".into()))?,
        ),
        None => None,
    };
    let mut m: media_attachments::ActiveModel = a.clone().into();
    if let Some(d) = params.0.get("description").and_then(Value::as_str) {
        media::check_description(d)?;
        m.description = Set(Some(d.to_string()).filter(|d| !d.trim().is_empty()));
    }
    m.meta = Set(media::with_focus(&a.meta, focus));
    let a = m.update(&fed.db).await?;
    Ok(Json(media::attachment_json(&a)))
}

/// A stored file, with the type we sniffed at upload; never ActivityStreams, never sniffed
/// again by the browser, and unable to run scripts if it somehow were HTML.
async fn file(Extension(m): Extension<Media>, Path(key): Path<String>) -> Result<Response, ApiError> {
    if !media::store::valid_key(&key) {
        return Err(ApiError::NotFound);
    }
    let bytes = m.store.get(&key).await.map_err(|e| ApiError::Internal(e.to_string()))?.ok_or(ApiError::NotFound)?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, process::content_type_of_key(&key)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"),
        ],
        bytes,
    )
        .into_response())
}
