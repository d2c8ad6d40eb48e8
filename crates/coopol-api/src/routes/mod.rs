//! Mastodon API routes, one module per resource, each returning its `Router`.

pub mod accounts;
pub mod conversations;
pub mod instance;
pub mod lists;
pub mod markers;
pub mod notifications;
pub mod search;
pub mod statuses;
pub mod streaming;
pub mod timelines;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use coopol_db::entities::statuses as status_rows;
use coopol_db::queries::Page;
use serde_json::Value;

use crate::{ApiError, Params};

/// Parses a path id; anything that is not one is simply not found.
pub fn path_id(s: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

/// The page a client asks for (`max_id`, `since_id`, `min_id`, `limit`, default 20, at most 40).
pub fn page(p: &Params) -> Result<Page, ApiError> {
    Ok(Page {
        max_id: p.id("max_id")?,
        since_id: p.id("since_id")?,
        min_id: p.id("min_id")?,
        limit: p.u64("limit").unwrap_or(20).clamp(1, 40),
    })
}

/// A JSON list of statuses with Mastodon's `Link` header for the next and previous pages.
pub fn paged_json(base: &str, rows: &[status_rows::Model], items: Vec<Value>) -> Response {
    let mut r = Json(items).into_response();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let sep = if base.contains('?') { '&' } else { '?' };
        let link =
            format!("<{base}{sep}max_id={}>; rel=\"next\", <{base}{sep}min_id={}>; rel=\"prev\"", last.id, first.id);
        if let Ok(v) = HeaderValue::from_str(&link) {
            r.headers_mut().insert(header::LINK, v);
        }
    }
    r
}

/// A JSON list with Mastodon's `Link` header, for lists paged by `ids` (newest first).
pub fn link_json(base: &str, ids: &[i64], items: Vec<Value>) -> Response {
    let mut r = Json(items).into_response();
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = format!("<{base}{sep}max_id={last}>; rel=\"next\", <{base}{sep}min_id={first}>; rel=\"prev\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            r.headers_mut().insert(header::LINK, v);
        }
    }
    r
}
