//! Signing outgoing requests (draft-cavage-http-signatures-12, `rsa-sha256`).

use crate::digest::digest_header;
use crate::{SignatureError, SigningKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, DATE, HOST};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Last second `httpdate` can format (9999-12-31T23:59:59Z); it panics beyond.
const MAX_HTTP_DATE: Duration = Duration::from_secs(253_402_300_799);

/// Computes the headers to add to an outgoing request: `Host`, `Date`,
/// `Digest` (SHA-256, only when `body` is `Some`) and `Signature`.
///
/// The signature is draft-cavage with `algorithm="rsa-sha256"`, covering
/// `(request-target) host date digest` when there is a body and
/// `(request-target) host date` otherwise. `Host` carries the port when the
/// URL has a non-default one. The request must then be sent with exactly
/// these header values and exactly `body`.
pub fn sign_request(
    key: &SigningKey,
    method: &http::Method,
    url: &url::Url,
    body: Option<&[u8]>,
    now: SystemTime,
) -> Result<Vec<(HeaderName, HeaderValue)>, SignatureError> {
    let host = url.host_str().ok_or(SignatureError::InvalidUrl)?;
    // `Url::port` is `None` for the scheme's default port, as wanted.
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    match now.duration_since(UNIX_EPOCH) {
        Ok(since_epoch) if since_epoch <= MAX_HTTP_DATE => {}
        _ => return Err(SignatureError::InvalidTime),
    }
    let date = httpdate::fmt_http_date(now);
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let digest = body.map(digest_header);

    let mut covered = String::from("(request-target) host date");
    let mut signing_string =
        format!("(request-target): {} {target}\nhost: {host}\ndate: {date}", method.as_str().to_ascii_lowercase());
    if let Some(digest) = &digest {
        covered.push_str(" digest");
        signing_string.push_str("\ndigest: ");
        signing_string.push_str(digest);
    }
    let signature = STANDARD.encode(key.sign(signing_string.as_bytes())?);
    let signature =
        format!(r#"keyId="{}",algorithm="rsa-sha256",headers="{covered}",signature="{signature}""#, key.key_id());

    // Every value is visible ASCII by construction (URL host, HTTP date,
    // base64, key id checked at load), so this error cannot really happen.
    let value = |s: &str| HeaderValue::from_str(s).map_err(|_| SignatureError::SigningFailed);
    let mut headers = vec![(HOST, value(&host)?), (DATE, value(&date)?)];
    if let Some(digest) = &digest {
        headers.push((HeaderName::from_static("digest"), value(digest)?));
    }
    headers.push((HeaderName::from_static("signature"), value(&signature)?));
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{now, pair, KEY_ID};
    use http::Method;

    fn sign(method: Method, url: &str, body: Option<&[u8]>) -> Vec<(HeaderName, HeaderValue)> {
        sign_request(&pair().1, &method, &url.parse().unwrap(), body, now()).unwrap()
    }

    fn get<'a>(headers: &'a [(HeaderName, HeaderValue)], name: &str) -> Option<&'a str> {
        headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.to_str().unwrap())
    }

    #[test]
    fn post_headers() {
        let h = sign(Method::POST, "https://b.example/inbox", Some(b"hello"));
        let names: Vec<_> = h.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["host", "date", "digest", "signature"]);
        assert_eq!(get(&h, "host"), Some("b.example"));
        assert_eq!(get(&h, "date"), Some("Tue, 14 Nov 2023 22:13:20 GMT"));
        assert_eq!(get(&h, "digest"), Some("SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="));
        let sig = get(&h, "signature").unwrap();
        assert!(sig.starts_with(&format!(
            r#"keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature=""#
        )));
    }

    #[test]
    fn get_without_body_has_no_digest() {
        let h = sign(Method::GET, "https://b.example/users/bob", None);
        assert_eq!(get(&h, "digest"), None);
        assert!(get(&h, "signature").unwrap().contains(r#"headers="(request-target) host date","#));
    }

    #[test]
    fn host_carries_non_default_port_only() {
        let h = sign(Method::GET, "https://b.example:8443/x", None);
        assert_eq!(get(&h, "host"), Some("b.example:8443"));
        let h = sign(Method::GET, "https://b.example:443/x", None);
        assert_eq!(get(&h, "host"), Some("b.example"));
        let h = sign(Method::GET, "http://localhost:3000/x", None);
        assert_eq!(get(&h, "host"), Some("localhost:3000"));
        let h = sign(Method::GET, "http://[::1]:8080/x", None);
        assert_eq!(get(&h, "host"), Some("[::1]:8080"));
    }

    #[test]
    fn refuses_unusable_input() {
        let key = &pair().1;
        let url = "mailto:a@b.example".parse().unwrap();
        assert_eq!(sign_request(key, &Method::GET, &url, None, now()), Err(SignatureError::InvalidUrl));
        let url = "https://b.example/".parse().unwrap();
        let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(sign_request(key, &Method::GET, &url, None, before_epoch), Err(SignatureError::InvalidTime));
        let year_10000 = UNIX_EPOCH + MAX_HTTP_DATE + Duration::from_secs(1);
        assert_eq!(sign_request(key, &Method::GET, &url, None, year_10000), Err(SignatureError::InvalidTime));
    }
}
