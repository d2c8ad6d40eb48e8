//! Static files served from the binary: the stylesheet (no CDN, no build step).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::Web;

const CSS: &str = include_str!("../static/coopol.css");

/// The stylesheet's URL, with the version so that an upgrade is not hidden by caches.
pub const CSS_URL: &str = concat!("/static/coopol.css?v=", env!("CARGO_PKG_VERSION"));

pub fn routes() -> Router<Web> {
    Router::new().route("/static/coopol.css", get(css))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        CSS,
    )
        .into_response()
}
