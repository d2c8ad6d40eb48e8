//! Calendar feeds of events: stored events to [`crate::ics`] structs, the HTTP answer with
//! caching headers, and personal calendar tokens.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use coopol_core::plain::html_to_text;
use coopol_db::entities::events;
use coopol_federation::Federation;

use crate::ics::{self, IcsCalendar, IcsEvent, IcsStatus};
use crate::ApiError;

/// Who may cache the answer: anyone for public feeds, only the subscriber for personal ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Public,
    Personal,
}

/// A stored event as a calendar entry.
pub fn ics_event(e: &events::Model) -> IcsEvent {
    let mut description = html_to_text(&e.description_html);
    if let Some(online) = e.online_url.as_deref() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(online);
    }
    IcsEvent {
        uid: e.uri.clone(),
        url: e.url.clone(),
        title: e.title.clone(),
        description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        timezone: e.timezone.clone(),
        location: location(e),
        geo: e.latitude.zip(e.longitude),
        status: IcsStatus::from_stored(&e.status),
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

/// "Name, street, postal code locality, country", or the online link when there is no place.
fn location(e: &events::Model) -> Option<String> {
    let town = [e.postal_code.as_deref(), e.locality.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<&str> = [e.location_name.as_deref(), e.street.as_deref(), Some(town.as_str()), e.country.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if parts.is_empty() {
        e.online_url.clone()
    } else {
        Some(parts.join(", "))
    }
}

/// The answer to a feed request: the calendar, or 304 when the client has this version.
pub fn feed_response(name: String, rows: &[events::Model], privacy: Privacy, request: &HeaderMap) -> Response {
    let calendar = IcsCalendar { name, events: rows.iter().map(ics_event).collect() };
    let body = ics::render(&calendar);
    let etag = ics::etag(&body);
    let last_modified = rows.iter().map(|e| e.updated_at).max();
    let cache = match privacy {
        Privacy::Public => "public, max-age=300",
        Privacy::Personal => "private, max-age=300",
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(t) = last_modified {
        if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(t.into())) {
            headers.insert(header::LAST_MODIFIED, v);
        }
    }
    if not_modified(request, &etag, last_modified) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    (StatusCode::OK, headers, body).into_response()
}

/// RFC 9110: `If-None-Match` wins over `If-Modified-Since` when both are sent.
fn not_modified(request: &HeaderMap, etag: &str, last_modified: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    if let Some(inm) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag);
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, last_modified) {
        (Some(since), Some(t)) => chrono::DateTime::<chrono::Utc>::from(since).timestamp() >= t.timestamp(),
        _ => false,
    }
}

/// A fresh calendar token for the account, replacing the old one; returns the secret.
pub async fn new_token(fed: &Federation, account_id: i64) -> Result<String, ApiError> {
    Ok(coopol_service::events::new_calendar_token(fed, account_id).await?)
}

/// The account a calendar token belongs to.
pub async fn token_account(fed: &Federation, token: &str) -> Result<Option<i64>, ApiError> {
    Ok(coopol_service::events::calendar_token_account(fed, token).await?)
}
