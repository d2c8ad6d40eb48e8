//! The addresses other servers know (an actor's `/@name` or `/users/name`, a post's
//! `/@name/ID` or `/users/name/statuses/ID`, a hashtag's `/tags/NAME`) open, in a browser, the
//! web interface's page of the same thing. The binary decides that a request is a browser's
//! (it does not ask for ActivityStreams) and rewrites its path with `page_for`.

use axum::http::{header, HeaderMap, Method};

/// Where the server sends a browser whose address nothing answers: the 404 page in its language.
pub const NOT_FOUND_PAGE: &str = "/errors/not-found";

/// Prefixes whose errors stay JSON whoever asks: the client API, OAuth's token endpoint and
/// what servers and apps discover.
const MACHINE_PREFIXES: &[&str] = &["/api/", "/oauth/token", "/.well-known/", "/nodeinfo"];

/// Whether an error for this request should be a web page rather than Mastodon's JSON: a
/// browser (GET or HEAD whose `Accept` prefers HTML) outside the machines' addresses.
pub fn wants_error_page(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && !MACHINE_PREFIXES.iter().any(|p| path.starts_with(p))
        && headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(prefers_html)
}

/// `text/html` asked for, with at least the weight of JSON (`*/*` alone is an app's default).
fn prefers_html(accept: &str) -> bool {
    let weight = |wanted: &[&str]| {
        accept
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';').map(str::trim);
                let kind = parts.next()?.to_ascii_lowercase();
                let q = parts.find_map(|p| p.strip_prefix("q=")).map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
                wanted.contains(&kind.as_str()).then_some(q)
            })
            .fold(0.0_f32, f32::max)
    };
    let html = weight(&["text/html", "application/xhtml+xml"]);
    html > 0.0 && html >= weight(&["application/json", "application/*"])
}

/// The web page showing what the federation address `path` names, if it names one.
pub fn page_for(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let name_ok = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let id_ok = |i: &str| !i.is_empty() && i.len() <= 20 && i.chars().all(|c| c.is_ascii_digit());
    match segments.as_slice() {
        [at] if at.starts_with('@') && name_ok(&at[1..]) => Some(format!("/people/{}", &at[1..])),
        ["users", name] if name_ok(name) => Some(format!("/people/{name}")),
        [at, id] if at.starts_with('@') && name_ok(&at[1..]) && id_ok(id) => {
            Some(format!("/posts/{id}?by={}", &at[1..]))
        }
        ["users", name, "statuses", id] if name_ok(name) && id_ok(id) => Some(format!("/posts/{id}?by={name}")),
        ["tags", tag] if !tag.is_empty() && !tag.contains(['?', '#']) => Some(format!("/hashtags/{tag}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    #[test]
    fn browsers_get_error_pages_and_apps_keep_json() {
        let firefox = accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assert!(wants_error_page(&Method::GET, "/nope", &firefox));
        assert!(wants_error_page(&Method::HEAD, "/nope", &firefox));
        assert!(!wants_error_page(&Method::POST, "/nope", &firefox));
        for machine in ["/api/v1/nope", "/oauth/token", "/.well-known/nope", "/nodeinfo/9.9"] {
            assert!(!wants_error_page(&Method::GET, machine, &firefox), "{machine}");
        }
        for app in ["*/*", "application/json", "application/json, text/html;q=0.5", "text/html;q=0"] {
            assert!(!wants_error_page(&Method::GET, "/nope", &accept(app)), "{app}");
        }
        assert!(!wants_error_page(&Method::GET, "/nope", &HeaderMap::new()));
    }

    #[test]
    fn federation_addresses_map_to_pages() {
        assert_eq!(page_for("/@alice").as_deref(), Some("/people/alice"));
        assert_eq!(page_for("/users/alice").as_deref(), Some("/people/alice"));
        assert_eq!(page_for("/@alice/123").as_deref(), Some("/posts/123?by=alice"));
        assert_eq!(page_for("/users/alice/statuses/123").as_deref(), Some("/posts/123?by=alice"));
        assert_eq!(page_for("/tags/section").as_deref(), Some("/hashtags/section"));
        for other in [
            "/",
            "/users/alice/inbox",
            "/users/alice/outbox",
            "/@alice/x",
            "/api/v1/instance",
            "/@",
            "/users/a/statuses/1/activity",
        ] {
            assert_eq!(page_for(other), None, "{other}");
        }
    }
}
