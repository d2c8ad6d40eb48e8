//! Media uploads: storage behind a trait ([`store::MediaStore`]), MIME sniffing, thumbnails
//! and blurhash ([`process`]), and the upload itself, read as a stream with per-type limits.

pub mod process;
pub mod store;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use coopol_db::entities::{accounts, media_attachments};
use coopol_federation::Federation;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};

use self::process::{Kind, Sniffed};
use self::store::MediaStore;
use crate::ApiError;

/// Longest description of an attachment, in characters (as Mastodon).
pub const MAX_DESCRIPTION: usize = 1500;
/// Default size limit of images and documents.
pub const DEFAULT_IMAGE_LIMIT: usize = 16 * 1024 * 1024;
/// Default size limit of video and audio files.
pub const DEFAULT_VIDEO_LIMIT: usize = 100 * 1024 * 1024;

/// Size limits of uploads, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct MediaLimits {
    /// Images and documents (PDF).
    pub image: usize,
    /// Video and audio.
    pub video: usize,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits { image: DEFAULT_IMAGE_LIMIT, video: DEFAULT_VIDEO_LIMIT }
    }
}

impl MediaLimits {
    pub fn for_kind(&self, kind: Kind) -> usize {
        match kind {
            Kind::Video | Kind::Audio => self.video,
            Kind::Image | Kind::Unknown => self.image,
        }
    }

    /// The largest request body an upload may have (the largest file and its form fields).
    pub fn body(&self) -> usize {
        self.image.max(self.video).saturating_add(1024 * 1024)
    }
}

/// What the media routes need besides the federation context: the store and the limits.
#[derive(Clone)]
pub struct Media {
    pub store: Arc<dyn MediaStore>,
    pub limits: MediaLimits,
}

/// Errors of the media routes: the API's, plus 413 for a file over its limit.
#[derive(Debug)]
pub enum MediaError {
    Api(ApiError),
    TooLarge(String),
}

impl From<ApiError> for MediaError {
    fn from(e: ApiError) -> Self {
        MediaError::Api(e)
    }
}

impl From<sea_orm::DbErr> for MediaError {
    fn from(e: sea_orm::DbErr) -> Self {
        MediaError::Api(e.into())
    }
}

impl From<store::StoreError> for MediaError {
    fn from(e: store::StoreError) -> Self {
        MediaError::Api(ApiError::Internal(e.to_string()))
    }
}

impl IntoResponse for MediaError {
    fn into_response(self) -> Response {
        match self {
            MediaError::Api(e) => e.into_response(),
            MediaError::TooLarge(m) => {
                tracing::info!(error = %m, "upload refused");
                (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({ "error": m }))).into_response()
            }
        }
    }
}

fn multipart_error(e: MultipartError) -> MediaError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        MediaError::TooLarge("the upload is too large".into())
    } else {
        MediaError::Api(ApiError::Unprocessable(format!("invalid multipart body: {}", e.body_text())))
    }
}

/// Reads the `file` field chunk by chunk: its type is sniffed from the first bytes and the
/// reading stops with 413 as soon as that type's limit is passed.
async fn read_file(field: &mut Field<'_>, limits: MediaLimits) -> Result<(Sniffed, Bytes), MediaError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut sniffed: Option<Sniffed> = None;
    let mut limit = limits.image.max(limits.video);
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        buf.extend_from_slice(&chunk);
        if sniffed.is_none() && buf.len() >= 512 {
            let s = process::sniff(&buf).ok_or_else(unsupported)?;
            limit = limits.for_kind(s.kind);
            sniffed = Some(s);
        }
        if buf.len() > limit {
            return Err(MediaError::TooLarge(format!("the file is over the limit of {limit} bytes for its type")));
        }
    }
    let s = match sniffed {
        Some(s) => s,
        None => process::sniff(&buf).ok_or_else(unsupported)?,
    };
    if buf.len() > limits.for_kind(s.kind) {
        return Err(MediaError::TooLarge(format!("the file is over the limit of {limit} bytes for its type")));
    }
    Ok((s, Bytes::from(buf)))
}

fn unsupported() -> MediaError {
    MediaError::Api(ApiError::Unprocessable(
        "File type not supported: images (JPEG, PNG, GIF, WebP), video (MP4, WebM, MOV), audio (MP3, Ogg, WAV, \
         FLAC, M4A, AAC) and PDF are accepted"
            .into(),
    ))
}

/// Checks a description's length.
pub fn check_description(d: &str) -> Result<(), ApiError> {
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::Unprocessable(format!(
            "Description is too long (maximum is {MAX_DESCRIPTION} characters)"
        )));
    }
    Ok(())
}

/// Sets (or, with `None`, keeps) the focal point in a `meta` object.
pub fn with_focus(meta: &str, focus: Option<(f64, f64)>) -> String {
    let mut m: Value = serde_json::from_str(meta).unwrap_or_else(|_| json!({}));
    if let (Some((x, y)), Some(obj)) = (focus, m.as_object_mut()) {
        obj.insert("focus".into(), json!({ "x": x, "y": y }));
    }
    m.to_string()
}

/// An upload: reads the multipart body, stores the file (and thumbnail), records the row.
pub async fn upload(
    fed: &Federation,
    media: &Media,
    owner: &accounts::Model,
    mut form: Multipart,
) -> Result<media_attachments::Model, MediaError> {
    let mut file: Option<(Sniffed, Bytes)> = None;
    let mut description: Option<String> = None;
    let mut focus: Option<(f64, f64)> = None;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(read_file(&mut field, media.limits).await?),
            "description" => {
                let d = field.text().await.map_err(multipart_error)?;
                check_description(&d)?;
                description = Some(d).filter(|d| !d.trim().is_empty());
            }
            "focus" => {
                let f = field.text().await.map_err(multipart_error)?;
                focus = Some(
                    process::parse_focus(&f)
                        .ok_or_else(|| ApiError::Unprocessable("focus must be \"x,y\" within [-1, 1]".into()))?,
                );
            }
            // `thumbnail` (a custom preview for audio and video) and unknown fields are skipped.
            _ => {}
        }
    }
    let (sniffed, bytes) = file.ok_or_else(|| ApiError::Unprocessable("file can't be blank".into()))?;
    let prepared = prepare(sniffed, bytes).await?;
    let row = store_prepared(media, owner.id, prepared, description, focus).await?;
    Ok(row.insert(&fed.db).await?)
}

/// A file whose type is known, processed and ready to be stored (see [`prepare`]).
pub struct Prepared {
    sniffed: Sniffed,
    /// What is stored as the original (re-encoded for JPEG and PNG).
    original: Bytes,
    /// The thumbnail and its extension (images only).
    small: Option<(Bytes, &'static str)>,
    meta: Value,
    blurhash: Option<String>,
    size: usize,
}

/// Checks a file as an upload is checked (sniffed type, limit of that type) and processes it
/// (images are decoded within bounds, re-encoded, and get a thumbnail and a blurhash).
pub async fn check_and_prepare(limits: MediaLimits, bytes: Bytes) -> Result<Prepared, MediaError> {
    let sniffed = process::sniff(&bytes).ok_or_else(unsupported)?;
    let limit = limits.for_kind(sniffed.kind);
    if bytes.len() > limit {
        return Err(MediaError::TooLarge(format!("the file is over the limit of {limit} bytes for its type")));
    }
    prepare(sniffed, bytes).await
}

async fn prepare(sniffed: Sniffed, bytes: Bytes) -> Result<Prepared, MediaError> {
    let size = bytes.len();
    if sniffed.kind != Kind::Image {
        return Ok(Prepared { sniffed, original: bytes, small: None, meta: json!({}), blurhash: None, size });
    }
    let processed = tokio::task::spawn_blocking(move || process::process_image(&bytes, sniffed))
        .await
        .map_err(|e| ApiError::Internal(format!("image processing task: {e}")))?
        .map_err(|e| match e {
            process::ProcessError::Internal(m) => ApiError::Internal(m),
            other => ApiError::Unprocessable(other.to_string()),
        })?;
    Ok(Prepared {
        sniffed,
        meta: json!({
            "original": process::dimensions(processed.width, processed.height),
            "small": process::dimensions(processed.small_width, processed.small_height),
        }),
        small: Some((processed.small, processed.small_ext)),
        blurhash: Some(processed.blurhash),
        original: processed.original,
        size,
    })
}

/// Puts a prepared file (and its thumbnail) in the store; returns the row to insert, not yet
/// attached to a status.
pub async fn store_prepared(
    media: &Media,
    owner_id: i64,
    p: Prepared,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> Result<media_attachments::ActiveModel, MediaError> {
    let id = coopol_core::new_id();
    let original_key = format!("{id}/original.{}", p.sniffed.ext);
    let (mut preview_url, mut thumbnail_key) = (None, None);
    if let Some((small, ext)) = p.small {
        let small_key = format!("{id}/small.{ext}");
        media.store.put(&small_key, small).await?;
        preview_url = Some(media.store.public_url(&small_key));
        thumbnail_key = Some(small_key);
    }
    media.store.put(&original_key, p.original).await?;
    Ok(media_attachments::ActiveModel {
        id: Set(id),
        account_id: Set(owner_id),
        status_id: Set(None),
        position: Set(0),
        kind: Set(p.sniffed.kind.as_str().to_string()),
        content_type: Set(p.sniffed.mime.to_string()),
        file_key: Set(Some(original_key.clone())),
        thumbnail_key: Set(thumbnail_key),
        url: Set(media.store.public_url(&original_key)),
        preview_url: Set(preview_url),
        remote_url: Set(None),
        description: Set(description),
        blurhash: Set(p.blurhash),
        meta: Set(with_focus(&p.meta.to_string(), focus)),
        file_size: Set(i64::try_from(p.size).unwrap_or(i64::MAX)),
        created_at: Set(coopol_db::now()),
    })
}

/// Removes the stored files of attachments whose rows are gone (their status was deleted).
/// Failures are logged: the post is gone either way.
pub async fn remove_files(media: &Media, rows: &[media_attachments::Model]) {
    let keys: Vec<String> = rows.iter().flat_map(|a| [a.file_key.clone(), a.thumbnail_key.clone()]).flatten().collect();
    for key in keys {
        if let Err(e) = media.store.delete(&key).await {
            tracing::warn!(%key, error = %e, "could not remove a media file");
        }
    }
}

/// The MediaAttachment entity.
pub fn attachment_json(a: &media_attachments::Model) -> Value {
    let meta: Value = serde_json::from_str(&a.meta).unwrap_or_else(|_| json!({}));
    json!({
        "id": a.id.to_string(),
        "type": a.kind,
        "url": a.url,
        "preview_url": a.preview_url,
        "remote_url": a.remote_url,
        "preview_remote_url": Value::Null,
        "text_url": Value::Null,
        "meta": meta,
        "description": a.description,
        "blurhash": a.blurhash,
    })
}
