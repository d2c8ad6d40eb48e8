//! The cookies of the web interface: the session (HttpOnly, `SameSite=Lax`, `Secure` outside
//! development mode) and the sign-in form's double-submit token.

use axum::http::HeaderValue;
use cookie::{Cookie, SameSite};

/// The session cookie: a random id, stored hashed (`coopol_service::sessions`).
pub const SESSION_COOKIE: &str = coopol_service::sessions::COOKIE;
/// The sign-in form's cookie: the form carries the same random value (there is no session yet
/// to bind a CSRF token to, and signing someone into an attacker's account is an attack too).
pub const FORM_COOKIE: &str = "coopol_form";

/// `Set-Cookie` for the session; `dev` drops `Secure` (plain http on a laptop).
pub fn session_cookie(value: &str, dev: bool) -> Option<HeaderValue> {
    let max_age = cookie::time::Duration::days(coopol_service::sessions::IDLE_DAYS);
    set_cookie(Cookie::build((SESSION_COOKIE, value.to_string())).path("/").max_age(max_age), dev)
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(dev: bool) -> Option<HeaderValue> {
    set_cookie(Cookie::build((SESSION_COOKIE, "")).path("/").max_age(cookie::time::Duration::ZERO), dev)
}

/// `Set-Cookie` for the token of a form that posts to `path` (sign-in, sign-up), sent back
/// only to that address, for an hour: the time to fill the form.
pub fn form_cookie_for(path: &'static str, value: &str, dev: bool) -> Option<HeaderValue> {
    set_cookie(
        Cookie::build((FORM_COOKIE, value.to_string())).path(path).max_age(cookie::time::Duration::hours(1)),
        dev,
    )
}

fn set_cookie(c: cookie::CookieBuilder<'static>, dev: bool) -> Option<HeaderValue> {
    let c = c.http_only(true).same_site(SameSite::Lax).secure(!dev).build();
    HeaderValue::from_str(&c.to_string()).ok()
}

pub use coopol_service::credentials::same_secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_is_http_only_lax_and_secure_outside_dev() {
        let c = session_cookie("abc", false).unwrap();
        let c = c.to_str().unwrap();
        assert!(c.starts_with("coopol_session=abc"));
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=2592000"] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        let dev = session_cookie("abc", true).unwrap();
        assert!(!dev.to_str().unwrap().contains("Secure"));
        assert!(clear_session_cookie(true).unwrap().to_str().unwrap().contains("Max-Age=0"));
    }
}
