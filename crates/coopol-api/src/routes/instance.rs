//! `/api/v1/instance`, `/api/v2/instance` (also with a trailing slash: Mastodon.py asks for
//! that), and the default avatar image.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use coopol_core::RegistrationMode;
use coopol_federation::Federation;

use serde_json::{json, Value};

use crate::media::{Media, MediaLimits};
use crate::ApiError;
use coopol_service::statuses::MAX_CHARS;

/// The version clients read: Mastodon-compatible first, so they enable 4.x features.
pub fn version() -> String {
    format!("{} (compatible; coopol {})", coopol_core::MASTODON_API_VERSION, env!("CARGO_PKG_VERSION"))
}

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/instance", get(v1))
        .route("/api/v1/instance/", get(v1))
        .route("/api/v2/instance", get(v2))
        .route("/api/v2/instance/", get(v2))
        .route("/api/v1/instance/peers", get(peers))
        .route("/api/v1/instance/rules", get(rules))
        .route("/api/v1/custom_emojis", get(empty_list))
        .route("/static/missing.png", get(missing_png))
}

/// The media limits in force: the server's (an extension set beside the media routes), or the
/// defaults.
fn media_limits(media: Option<Extension<Media>>) -> MediaLimits {
    media.map(|Extension(m)| m.limits).unwrap_or_default()
}

async fn v1(State(fed): State<Federation>, media: Option<Extension<Media>>) -> Result<Json<Value>, ApiError> {
    let figures = fed.figures.get(&fed.db).await?;
    let (users, local_statuses, domains) = (figures.users, figures.local_statuses, figures.domains.len());
    let mode = coopol_service::registrations::mode(&fed.service).await?;
    Ok(Json(json!({
        "uri": fed.config.domain,
        "title": fed.config.title,
        "short_description": "",
        "description": "A coopol instance",
        "email": "",
        "version": version(),
        "urls": { "streaming_api": format!("{}://{}", if fed.config.dev { "ws" } else { "wss" }, fed.config.domain) },
        "stats": { "user_count": users, "status_count": local_statuses, "domain_count": domains },
        "thumbnail": Value::Null,
        "languages": ["fr", "en"],
        "registrations": mode.accepts_strangers(),
        "approval_required": mode == RegistrationMode::Approval,
        "invites_enabled": mode != RegistrationMode::Closed,
        "configuration": configuration(media_limits(media)),
        "contact_account": Value::Null,
        "rules": [],
    })))
}

fn configuration(limits: MediaLimits) -> Value {
    json!({
        "accounts": { "max_featured_tags": 10 },
        "statuses": { "max_characters": MAX_CHARS, "max_media_attachments": 4, "characters_reserved_per_url": 23 },
        "media_attachments": {
            "supported_mime_types": crate::media::process::accepted_mime_types(),
            "image_size_limit": limits.image, "image_matrix_limit": crate::media::process::MAX_IMAGE_PIXELS,
            "video_size_limit": limits.video, "video_frame_rate_limit": 120, "video_matrix_limit": 8_294_400,
            "description_limit": crate::media::MAX_DESCRIPTION,
        },
        "polls": {
            "max_options": crate::polls::MAX_OPTIONS, "max_characters_per_option": crate::polls::MAX_OPTION_CHARS,
            "min_expiration": crate::polls::MIN_EXPIRATION, "max_expiration": crate::polls::MAX_EXPIRATION,
        },
    })
}

async fn v2(State(fed): State<Federation>, media: Option<Extension<Media>>) -> Result<Json<Value>, ApiError> {
    let users = fed.figures.get(&fed.db).await?.users;
    let mode = coopol_service::registrations::mode(&fed.service).await?;
    let mut conf = configuration(media_limits(media));
    if let Some(m) = conf.as_object_mut() {
        m.insert(
            "urls".into(),
            json!({ "streaming": format!("{}://{}", if fed.config.dev { "ws" } else { "wss" }, fed.config.domain) }),
        );
        m.insert("translation".into(), json!({ "enabled": false }));
    }
    Ok(Json(json!({
        "domain": fed.config.domain,
        "title": fed.config.title,
        "version": version(),
        "source_url": fed.config.source_url,
        "description": "A coopol instance",
        "usage": { "users": { "active_month": users } },
        "thumbnail": { "url": format!("{}/static/missing.png", fed.config.base_url()) },
        "languages": ["fr", "en"],
        "configuration": conf,
        "registrations": {
            "enabled": mode.accepts_strangers(),
            "approval_required": mode == RegistrationMode::Approval,
            "message": Value::Null,
            "url": format!("{}/signup", fed.config.base_url()),
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": "", "account": Value::Null },
        "rules": [],
    })))
}

async fn peers(State(fed): State<Federation>) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(fed.figures.get(&fed.db).await?.domains))
}

async fn rules() -> Json<Vec<Value>> {
    Json(vec![])
}

async fn empty_list() -> Json<Vec<Value>> {
    Json(vec![])
}

/// A 1×1 grey PNG: the avatar and header of accounts that have none.
async fn missing_png() -> impl IntoResponse {
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00,
        0x0a, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x4c, 0x17, 0xd7,
        0xdf, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], PNG)
}
