//! Rate limits of the client API, as Mastodon announces them: `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (RFC 3339) on every answer, and 429 with
//! an error body once a window's requests are spent. Counted in memory, per bearer token (by
//! its hash) or, without one, per client address, in fixed windows; the map is bounded.
//! Behind a reverse proxy every anonymous request comes from the proxy's address: the
//! per-address limit then applies to all anonymous clients together.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};

/// Most keys remembered; beyond it, expired windows are forgotten, then everything.
const MAX_KEYS: usize = 100_000;

/// How many requests a client may make per period. `requests == 0` turns limits off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub period: Duration,
}

impl Default for RateLimit {
    /// Ten times Mastodon's 300 requests per 5 minutes: apps that poll are never throttled in
    /// normal use, a runaway script is.
    fn default() -> Self {
        RateLimit { requests: 3000, period: Duration::from_secs(300) }
    }
}

struct Window {
    started: Instant,
    resets_at: DateTime<Utc>,
    used: u32,
}

/// The shared counters of one router.
#[derive(Clone)]
pub struct Limiter {
    limit: RateLimit,
    windows: Arc<Mutex<HashMap<String, Window>>>,
}

/// What a request is allowed.
struct Verdict {
    allowed: bool,
    remaining: u32,
    resets_at: DateTime<Utc>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Limiter { limit, windows: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn check(&self, key: String, now: Instant) -> Verdict {
        let period = self.limit.period;
        let mut map = match self.windows.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() >= MAX_KEYS && !map.contains_key(&key) {
            map.retain(|_, w| now.duration_since(w.started) < period);
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        let fresh = || Window {
            started: now,
            resets_at: Utc::now() + chrono::Duration::from_std(period).unwrap_or_else(|_| chrono::Duration::zero()),
            used: 0,
        };
        let w = map.entry(key).or_insert_with(fresh);
        if now.duration_since(w.started) >= period {
            *w = fresh();
        }
        let allowed = w.used < self.limit.requests;
        if allowed {
            w.used += 1;
        }
        Verdict { allowed, remaining: self.limit.requests.saturating_sub(w.used), resets_at: w.resets_at }
    }
}

fn key_of(req: &Request) -> String {
    match crate::auth::bearer_token(req.headers()) {
        Some(t) => format!("token:{}", crate::auth::secret_hash(&t)),
        None => match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => format!("ip:{}", addr.ip()),
            None => "ip:unknown".to_string(),
        },
    }
}

/// The middleware: counts the request, answers 429 when the window is spent, and adds the
/// headers either way.
pub async fn limit(State(limiter): State<Limiter>, req: Request, next: Next) -> Response {
    if limiter.limit.requests == 0 || req.method() == axum::http::Method::OPTIONS {
        return next.run(req).await;
    }
    let v = limiter.check(key_of(&req), Instant::now());
    let mut res = if v.allowed {
        next.run(req).await
    } else {
        (StatusCode::TOO_MANY_REQUESTS, Json(serde_json::json!({ "error": "Too many requests" }))).into_response()
    };
    let h = res.headers_mut();
    let reset = crate::mastodon::time(v.resets_at);
    for (name, value) in [
        ("x-ratelimit-limit", limiter.limit.requests.to_string()),
        ("x-ratelimit-remaining", v.remaining.to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(HeaderName::from_static(name), value);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_spent_then_renewed() {
        let l = Limiter::new(RateLimit { requests: 2, period: Duration::from_secs(60) });
        let t0 = Instant::now();
        assert!(l.check("a".into(), t0).allowed);
        let second = l.check("a".into(), t0);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        assert!(!l.check("a".into(), t0).allowed);
        assert!(l.check("b".into(), t0).allowed, "keys are counted apart");
        assert!(l.check("a".into(), t0 + Duration::from_secs(61)).allowed);
    }

    #[test]
    fn the_map_stays_bounded() {
        let l = Limiter::new(RateLimit { requests: 5, period: Duration::from_secs(60) });
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 10) {
            l.check(format!("k{i}"), t0);
        }
        assert!(l.windows.lock().unwrap().len() <= MAX_KEYS);
    }
}
