//! Mastodon API routes, one module per resource, each returning its `Router`.

pub mod accounts;
pub mod calendar;
pub mod conversations;
pub mod events;
pub mod groups;
pub mod instance;
pub mod library;
pub mod lists;
pub mod markers;
pub mod media;
pub mod notifications;
pub mod polls;
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

/// A JSON list whose pages go by `keys` (the ids of the rows that list the items: follows,
/// favourites, bookmarks...), with Mastodon's `Link` header.
pub fn paged_by_key(base: &str, keys: &[i64], items: Vec<Value>) -> Response {
    let mut r = Json(items).into_response();
    if let (Some(first), Some(last)) = (keys.first(), keys.last()) {
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = format!("<{base}{sep}max_id={last}>; rel=\"next\", <{base}{sep}min_id={first}>; rel=\"prev\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            r.headers_mut().insert(header::LINK, v);
        }
    }
    r
}

/// Accounts listed by the ids of the rows that link them, as a paged JSON list.
pub async fn paged_accounts(
    fed: &coopol_federation::Federation,
    base: &str,
    rows: Vec<(i64, coopol_db::entities::accounts::Model)>,
) -> Result<Response, ApiError> {
    let keys: Vec<i64> = rows.iter().map(|(k, _)| *k).collect();
    let list: Vec<coopol_db::entities::accounts::Model> = rows.into_iter().map(|(_, a)| a).collect();
    let items = crate::mastodon::accounts(fed, &list).await?;
    Ok(paged_by_key(base, &keys, items))
}
