//! What goes wrong, as a page: each kind has its HTTP status and a message in the visitor's
//! language; internal details are logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use coopol_service::ServiceError;

use crate::visitor::Chrome;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// The page is for signed-in people: off to the sign-in page.
    #[error("sign in first")]
    SignInFirst,
    /// A form without its CSRF token, or with a wrong one: nothing was changed.
    #[error("forbidden")]
    Forbidden,
    /// The request cannot be read (a broken form...).
    #[error("bad request")]
    BadRequest,
    /// A rule refused it; the message key says which.
    #[error("refused: {0}")]
    Refused(String),
    /// The person may not do this (a group's moderation by someone who does not moderate it);
    /// the service's reason is shown under the explanation.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The page or action is for the instance's admins.
    #[error("admins only")]
    AdminOnly,
    #[error("too many requests")]
    TooMany,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Forbidden(m) => WebError::NotAllowed(m),
            ServiceError::Unprocessable(m) => WebError::Refused(m),
            ServiceError::Db(e) => WebError::Internal(e.to_string()),
        }
    }
}

impl From<coopol_db::DbError> for WebError {
    fn from(e: coopol_db::DbError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<sea_orm::DbErr> for WebError {
    fn from(e: sea_orm::DbErr) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::SignInFirst => StatusCode::SEE_OTHER,
            WebError::Forbidden | WebError::NotAllowed(_) | WebError::AdminOnly => StatusCode::FORBIDDEN,
            WebError::BadRequest => StatusCode::BAD_REQUEST,
            WebError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn keys(&self) -> (&'static str, &'static str) {
        match self {
            WebError::NotFound | WebError::SignInFirst => ("error-not-found-title", "error-not-found-text"),
            WebError::Forbidden => ("error-forbidden-title", "error-forbidden-text"),
            WebError::BadRequest => ("error-bad-request-title", "error-bad-request-text"),
            WebError::Refused(_) => ("error-refused-title", "error-refused-text"),
            WebError::NotAllowed(_) => ("error-not-allowed-title", "error-not-allowed-text"),
            WebError::AdminOnly => ("error-admin-only-title", "error-admin-only-text"),
            WebError::TooMany => ("error-too-many-title", "error-too-many-text"),
            WebError::Internal(_) => ("error-internal-title", "error-internal-text"),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: &'a Chrome,
    title: String,
    text: String,
    detail: Option<String>,
}

/// The error page for `e`, with its status.
pub fn page(c: &Chrome, e: &WebError) -> Response {
    if let WebError::SignInFirst = e {
        return Redirect::to("/signin").into_response();
    }
    if let WebError::Internal(detail) = e {
        tracing::error!(error = %detail, "web page failed");
    }
    let (title, text) = e.keys();
    // A rule's message comes from the service in English; it is shown as a detail under the
    // translated explanation.
    let detail = match e {
        WebError::Refused(m) | WebError::NotAllowed(m) => Some(m.clone()),
        _ => None,
    };
    let body = ErrorPage { c, title: c.t(title), text: c.t(text), detail }.render().unwrap_or_else(|_| c.t(title));
    (e.status(), Html(body)).into_response()
}

/// A handler's result as a response: the page, or the error page.
pub fn respond(c: &Chrome, result: Result<Response, WebError>) -> Response {
    result.unwrap_or_else(|e| page(c, &e))
}
