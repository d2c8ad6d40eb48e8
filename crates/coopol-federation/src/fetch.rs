//! The only way coopol reaches other servers: an HTTP client that refuses private and loopback
//! addresses (checked when connecting, so DNS rebinding cannot slip through), follows at most
//! one redirect, bounds time and size, signs its requests, and checks what comes back.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use coopol_signatures::{sign_request, SigningKey};
use futures::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::fetch_guard::{FetchGuard, FetchLimits};
use crate::FederationError;

/// Largest document or activity we read from a peer.
pub const MAX_BODY: usize = 1024 * 1024;
/// Deepest JSON nesting we parse from a peer.
pub const MAX_JSON_DEPTH: usize = 64;

/// The Accept header of ActivityPub fetches.
pub const AP_ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// Whether an address is one a public server may be asked to reach.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

fn allowed_ip(ip: IpAddr, dev: bool) -> bool {
    is_public_ip(ip) || (dev && ip.is_loopback())
}

/// Resolver that drops the addresses we may not reach; reqwest calls it at connect time.
struct GuardedResolver {
    dev: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let dev = self.dev;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| allowed_ip(a.ip(), dev)).collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no address we may reach").into());
            }
            let it: Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// Checks a URL before any request: scheme, and literal IP hosts (which skip the resolver).
pub fn check_url(url: &Url, dev: bool) -> Result<(), FederationError> {
    match url.scheme() {
        "https" => {}
        "http" if dev => {}
        other => return Err(FederationError::Refused(format!("scheme {other} not allowed"))),
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !allowed_ip(IpAddr::V4(ip), dev) => {
            Err(FederationError::Refused(format!("address {ip} not allowed")))
        }
        Some(url::Host::Ipv6(ip)) if !allowed_ip(IpAddr::V6(ip), dev) => {
            Err(FederationError::Refused(format!("address {ip} not allowed")))
        }
        Some(url::Host::Domain(d)) if !dev && (d == "localhost" || d.ends_with(".localhost")) => {
            Err(FederationError::Refused("localhost not allowed".into()))
        }
        Some(_) => Ok(()),
        None => Err(FederationError::Refused("URL without host".into())),
    }
}

/// Rejects JSON nested deeper than `max` without parsing it (strings are skipped properly).
pub fn json_depth_ok(bytes: &[u8], max: usize) -> bool {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Parses JSON from a peer: depth bounded first, then serde.
pub fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, FederationError> {
    if !json_depth_ok(bytes, MAX_JSON_DEPTH) {
        return Err(FederationError::Invalid("JSON nested too deeply".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| FederationError::Invalid(format!("invalid JSON: {e}")))
}

/// What a delivery attempt got back.
#[derive(Debug)]
pub struct PostOutcome {
    pub status: reqwest::StatusCode,
    /// `Retry-After`, in seconds from now, when the peer sent one.
    pub retry_after: Option<Duration>,
}

/// The outgoing HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    dev: bool,
    /// What peers may make us fetch (`fetch_object`): backoff of failing URLs, budget per peer.
    guard: Arc<FetchGuard>,
}

impl HttpClient {
    pub fn new(dev: bool, user_agent: &str) -> Result<Self, FederationError> {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > 1 {
                attempt.error("too many redirects")
            } else if check_url(attempt.url(), dev).is_err() {
                attempt.error("redirect to a refused address")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .dns_resolver(Arc::new(GuardedResolver { dev }))
            .redirect(redirects)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| FederationError::Http(e.to_string()))?;
        Ok(HttpClient { client, dev, guard: Arc::new(FetchGuard::new(FetchLimits::for_mode(dev))) })
    }

    /// Reads a body, refusing it past `MAX_BODY` bytes without holding more than that.
    async fn read_bounded(resp: reqwest::Response) -> Result<Bytes, FederationError> {
        if resp.content_length().is_some_and(|l| l > MAX_BODY as u64) {
            return Err(FederationError::TooLarge);
        }
        let mut buf = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| FederationError::Http(e.to_string()))?;
            if buf.len() + chunk.len() > MAX_BODY {
                return Err(FederationError::TooLarge);
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }

    /// Signed GET of an ActivityPub document. Checks the content type and that the document's
    /// `id` is on the origin of the URL it was finally served from. A URL that failed lately,
    /// or a peer past its budget, is refused without a request (`fetch_guard`).
    pub async fn fetch_object(&self, url: &Url, signer: &SigningKey) -> Result<serde_json::Value, FederationError> {
        check_url(url, self.dev)?;
        self.guard.admit(url, signer.key_id(), Instant::now())?;
        let fetched = self.fetch_object_now(url, signer).await;
        match &fetched {
            Ok(_) => self.guard.succeeded(url, signer.key_id()),
            Err(e) => self.guard.failed(url, signer.key_id(), e, Instant::now()),
        }
        fetched
    }

    async fn fetch_object_now(&self, url: &Url, signer: &SigningKey) -> Result<serde_json::Value, FederationError> {
        let headers = sign_request(signer, &http::Method::GET, url, None, SystemTime::now())
            .map_err(|e| FederationError::Http(e.to_string()))?;
        let mut req = self.client.get(url.clone()).header("accept", AP_ACCEPT);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| FederationError::Http(e.to_string()))?;
        let status = resp.status();
        if status == reqwest::StatusCode::GONE || status == reqwest::StatusCode::NOT_FOUND {
            return Err(FederationError::Gone);
        }
        if !status.is_success() {
            return Err(FederationError::Http(format!("{url} answered {status}")));
        }
        let final_url = resp.url().clone();
        let ctype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_ap = ctype.starts_with("application/activity+json")
            || (ctype.starts_with("application/ld+json") && ctype.contains("activitystreams"));
        if !is_ap {
            return Err(FederationError::Invalid(format!("{url} is not an ActivityPub document ({ctype})")));
        }
        let body = Self::read_bounded(resp).await?;
        let value = parse_json(&body)?;
        let id = value
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| Url::parse(s).ok())
            .ok_or_else(|| FederationError::Invalid("document without id".into()))?;
        if !crate::config::same_origin(&id, &final_url) {
            return Err(FederationError::Invalid(format!("document id {id} is not on {final_url}'s origin")));
        }
        Ok(value)
    }

    /// Unsigned GET of a JSON document (WebFinger, NodeInfo), bounded and SSRF-checked.
    pub async fn get_json(&self, url: &Url) -> Result<serde_json::Value, FederationError> {
        check_url(url, self.dev)?;
        let resp = self
            .client
            .get(url.clone())
            .header("accept", "application/jrd+json, application/json")
            .send()
            .await
            .map_err(|e| FederationError::Http(e.to_string()))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(FederationError::Gone);
        }
        if !resp.status().is_success() {
            return Err(FederationError::Http(format!("{url} answered {}", resp.status())));
        }
        let body = Self::read_bounded(resp).await?;
        parse_json(&body)
    }

    /// Signed POST of an activity to an inbox.
    pub async fn post_activity(
        &self,
        inbox: &Url,
        body: Bytes,
        signer: &SigningKey,
    ) -> Result<PostOutcome, FederationError> {
        check_url(inbox, self.dev)?;
        let headers = sign_request(signer, &http::Method::POST, inbox, Some(&body), SystemTime::now())
            .map_err(|e| FederationError::Http(e.to_string()))?;
        let mut req = self.client.post(inbox.clone()).header("content-type", "application/activity+json").body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| FederationError::Http(e.to_string()))?;
        let retry_after =
            resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        Ok(PostOutcome { status: resp.status(), retry_after })
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v.trim()).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_refused_outside_dev() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "100.64.0.1",
            "0.0.0.0",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!is_public_ip(ip), "{ip}");
        }
        assert!(is_public_ip("93.184.216.34".parse().unwrap()));
        assert!(allowed_ip("127.0.0.1".parse().unwrap(), true));
        assert!(!allowed_ip("10.0.0.1".parse().unwrap(), true));
    }

    #[test]
    fn urls_are_checked() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_url(&u("http://example.org/"), false).is_err());
        assert!(check_url(&u("https://example.org/"), false).is_ok());
        assert!(check_url(&u("https://127.0.0.1/"), false).is_err());
        assert!(check_url(&u("https://[::1]/"), false).is_err());
        assert!(check_url(&u("https://localhost:8080/"), false).is_err());
        assert!(check_url(&u("http://localhost:8080/"), true).is_ok());
        assert!(check_url(&u("file:///etc/passwd"), true).is_err());
    }

    #[test]
    fn json_depth_is_bounded() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(!json_depth_ok(deep.as_bytes(), 64));
        assert!(json_depth_ok(br#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[["}"#, 2));
        assert!(parse_json(deep.as_bytes()).is_err());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert!(parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT").unwrap() > Duration::from_secs(3600));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
