//! Security headers of every web page: a strict Content-Security-Policy (our own stylesheet,
//! no script, no inline style, nothing framed, forms posted only to us), and the headers that
//! stop sniffing and referrer leaks.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy: pages load only our stylesheet and images (ours, and remote avatars and media
/// over https: remote media are linked, never fetched by us); no script at all.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    resp
}
