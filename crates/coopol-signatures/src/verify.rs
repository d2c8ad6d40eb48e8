//! Verifying incoming requests: draft-cavage `Signature` headers and RFC 9421
//! `Signature-Input` + `Signature` headers.

use crate::digest::{check_content_digest, check_digest};
use crate::sfv::{self, BareItem, Item, Member, LENIENT_BASE64};
use crate::{SignatureError, VerifyingKey};
use base64::Engine as _;
use http::header::AUTHORIZATION;
use http::{HeaderMap, Method};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longest signature header we parse; real ones are well under 1 KiB.
const MAX_SIGNATURE_HEADER: usize = 8 * 1024;
/// How far `Date` / `created` may be from our clock, either way.
const MAX_SKEW: Duration = Duration::from_secs(60 * 60);
/// Derived components of RFC 9421 §2.2 that we can reproduce for a request.
const RFC9421_DERIVED: [&str; 7] =
    ["@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"];

/// The signature of an incoming request, parsed but not yet verified.
///
/// Either a draft-cavage `Signature` header (also accepted as
/// `Authorization: Signature ...`), or RFC 9421 `Signature-Input` +
/// `Signature` headers, of which the first signature label is used.
#[derive(Debug, Clone)]
pub struct IncomingSignature {
    key_id: String,
    signature: Vec<u8>,
    form: Form,
}

#[derive(Debug, Clone)]
enum Form {
    Cavage {
        /// Lowercased names from the `headers` parameter, in order.
        covered: Vec<String>,
        created: Option<Timestamp>,
        expires: Option<Timestamp>,
    },
    Rfc9421 {
        components: Vec<String>,
        /// Canonical serialisation of the inner list, the `@signature-params` value.
        signature_params: String,
        created: Option<i64>,
        expires: Option<i64>,
    },
}

/// A cavage `created` / `expires` value: signed as sent, checked as seconds.
#[derive(Debug, Clone)]
struct Timestamp {
    raw: String,
    secs: i64,
}

impl IncomingSignature {
    /// Parses the signature headers of a request.
    ///
    /// Besides syntax, this already rejects what can be rejected without the
    /// body or the key (unsupported algorithm, `(request-target)` / `host` /
    /// `date` or `@method` / target not covered), so that an inbox does not
    /// fetch a remote key for a request that cannot pass.
    pub fn parse(headers: &HeaderMap) -> Result<Self, SignatureError> {
        if headers.contains_key("signature-input") {
            return parse_rfc9421(headers);
        }
        let mut values = headers.get_all("signature").iter();
        let value = match (values.next(), values.next()) {
            (Some(value), None) => ascii(value.as_bytes())?,
            (Some(_), Some(_)) => return Err(SignatureError::Malformed("more than one Signature header")),
            // Some older implementations put the parameters in Authorization.
            (None, _) => headers
                .get(AUTHORIZATION)
                .and_then(|v| {
                    let (scheme, params) = v.to_str().ok()?.split_once(' ')?;
                    scheme.eq_ignore_ascii_case("signature").then_some(params)
                })
                .ok_or(SignatureError::MissingSignature)?,
        };
        if value.len() > MAX_SIGNATURE_HEADER {
            return Err(SignatureError::Malformed("Signature header too long"));
        }
        parse_cavage(value)
    }

    /// The key id as sent, e.g. `https://a.example/users/alice#main-key`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Fully verifies the request against `key`: covered components, date
    /// window, body digest, then the RSA signature.
    ///
    /// `method` and `path_and_query` are as received (`/inbox?x=1`),
    /// `headers` must include `Host` (with HTTP/2, copy the `:authority` into
    /// it first), `body` is the raw body (`None` for GET). A non-empty body
    /// must be covered by a digest.
    ///
    /// RFC 9421 `@target-uri` is rebuilt as `https://{host}{path_and_query}`;
    /// if that does not verify, `http://` is tried, for plain-HTTP
    /// development instances.
    pub fn verify(
        &self,
        method: &Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        key: &VerifyingKey,
        now: SystemTime,
    ) -> Result<(), SignatureError> {
        let has_body = body.is_some_and(|b| !b.is_empty());
        let body = body.unwrap_or_default();
        // Cheap checks first; RSA last.
        match &self.form {
            Form::Cavage { covered, created, expires } => {
                let covers = |name: &str| covered.iter().any(|c| c == name);
                if has_body && !covers("digest") {
                    return Err(SignatureError::MissingComponent("digest".into()));
                }
                // `date` is always covered: `parse` insists.
                check_date_header(headers, now)?;
                if let (true, Some(created)) = (covers("(created)"), created) {
                    check_created(created.secs, now)?;
                }
                if let (true, Some(expires)) = (covers("(expires)"), expires) {
                    check_expires(expires.secs, now)?;
                }
                if covers("digest") {
                    check_digest(&field_value(headers, "digest")?, body)?;
                }
                let signing_string = cavage_signing_string(
                    covered,
                    created.as_ref(),
                    expires.as_ref(),
                    method,
                    path_and_query,
                    headers,
                )?;
                key.verify(signing_string.as_bytes(), &self.signature)
            }
            Form::Rfc9421 { components, signature_params, created, expires } => {
                let covers = |name: &str| components.iter().any(|c| c == name);
                if has_body && !covers("content-digest") {
                    return Err(SignatureError::MissingComponent("content-digest".into()));
                }
                // `created` plays the part of the cavage Date; a covered Date will do too.
                match created {
                    Some(created) => check_created(*created, now)?,
                    None if covers("date") => {}
                    None => return Err(SignatureError::MissingComponent("created".into())),
                }
                if covers("date") {
                    check_date_header(headers, now)?;
                }
                if let Some(expires) = expires {
                    check_expires(*expires, now)?;
                }
                if covers("content-digest") {
                    check_content_digest(&field_value(headers, "content-digest")?, body)?;
                }
                let schemes: &[&str] =
                    if covers("@target-uri") || covers("@scheme") { &["https", "http"] } else { &["https"] };
                let mut outcome = Err(SignatureError::BadSignature);
                for scheme in schemes {
                    let base = signature_base(components, signature_params, method, path_and_query, headers, scheme)?;
                    outcome = key.verify(base.as_bytes(), &self.signature);
                    if outcome.is_ok() {
                        break;
                    }
                }
                outcome
            }
        }
    }
}

fn ascii(bytes: &[u8]) -> Result<&str, SignatureError> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or(SignatureError::Malformed("header value is not ASCII"))
}

fn parse_cavage(value: &str) -> Result<IncomingSignature, SignatureError> {
    let params = cavage_params(value)?;
    let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let key_id = get("keyId").filter(|k| !k.is_empty()).ok_or(SignatureError::Malformed("no keyId"))?;
    let signature = get("signature").ok_or(SignatureError::Malformed("no signature"))?;
    let signature =
        LENIENT_BASE64.decode(signature).map_err(|_| SignatureError::Malformed("signature is not base64"))?;
    match get("algorithm") {
        // hs2019 means "look at the key": our keys are RSA, so RSA-SHA256.
        None => {}
        Some(alg) if alg.eq_ignore_ascii_case("rsa-sha256") || alg.eq_ignore_ascii_case("hs2019") => {}
        Some(alg) => return Err(SignatureError::UnsupportedAlgorithm(alg.to_owned())),
    }
    let timestamp = |name: &str| get(name).map(parse_timestamp).transpose();
    let created = timestamp("created")?;
    let expires = timestamp("expires")?;
    // draft-cavage-12 §2.1.6: without `headers`, only `(created)` is signed.
    let covered: Vec<String> =
        get("headers").unwrap_or("(created)").split_ascii_whitespace().map(str::to_ascii_lowercase).collect();
    for name in covered.iter().filter(|n| n.starts_with('(')) {
        match name.as_str() {
            "(request-target)" => {}
            "(created)" if created.is_none() => return Err(SignatureError::MissingComponent("created".into())),
            "(expires)" if expires.is_none() => return Err(SignatureError::MissingComponent("expires".into())),
            "(created)" | "(expires)" => {}
            other => return Err(SignatureError::UnsupportedComponent(other.to_owned())),
        }
    }
    for required in ["(request-target)", "host", "date"] {
        if !covered.iter().any(|c| c == required) {
            return Err(SignatureError::MissingComponent(required.into()));
        }
    }
    Ok(IncomingSignature { key_id: key_id.to_owned(), signature, form: Form::Cavage { covered, created, expires } })
}

/// Splits `name="value", name=123` into pairs. Duplicates are refused, as a
/// second `headers` or `signature` could otherwise be read differently by
/// two parsers.
fn cavage_params(value: &str) -> Result<Vec<(&str, String)>, SignatureError> {
    const SYNTAX: SignatureError = SignatureError::Malformed("Signature header syntax");
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or(SYNTAX)?;
        let name = name.trim();
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok || params.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return Err(SYNTAX);
        }
        let after = after.trim_start();
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let (value, after) = quoted_string(quoted).ok_or(SYNTAX)?;
                let after = after.trim_start();
                if !after.is_empty() && !after.starts_with(',') {
                    return Err(SYNTAX);
                }
                (value, after.strip_prefix(',').unwrap_or(after))
            }
            // Unquoted: `created=1402170695`.
            None => {
                let (value, after) = after.split_once(',').unwrap_or((after, ""));
                let value = value.trim_end();
                if value.is_empty() || value.contains(|c: char| c.is_ascii_whitespace() || c == '"') {
                    return Err(SYNTAX);
                }
                (value.to_owned(), after)
            }
        };
        params.push((name, value));
        rest = after.trim_start();
    }
    Ok(params)
}

/// Reads up to the closing quote (the opening one already consumed);
/// returns the unescaped value and what follows the closing quote.
fn quoted_string(s: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' => return Some((value, s.get(i + 1..)?)),
            c => value.push(c),
        }
    }
    None
}

/// Unix time in seconds, possibly with a fraction (draft-cavage allows one).
fn parse_timestamp(raw: &str) -> Result<Timestamp, SignatureError> {
    const BAD: SignatureError = SignatureError::Malformed("created/expires is not a Unix time");
    let (int, frac) = raw.split_once('.').unwrap_or((raw, "0"));
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    let secs = int.parse().map_err(|_| BAD)?;
    Ok(Timestamp { raw: raw.to_owned(), secs })
}

fn cavage_signing_string(
    covered: &[String],
    created: Option<&Timestamp>,
    expires: Option<&Timestamp>,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<String, SignatureError> {
    let timestamp = |t: Option<&Timestamp>, name: &str| {
        t.map(|t| t.raw.clone()).ok_or_else(|| SignatureError::MissingComponent(name.into()))
    };
    let mut lines = Vec::with_capacity(covered.len());
    for name in covered {
        let value = match name.as_str() {
            "(request-target)" => {
                format!("{} {path_and_query}", method.as_str().to_ascii_lowercase())
            }
            "(created)" => timestamp(created, "created")?,
            "(expires)" => timestamp(expires, "expires")?,
            header => field_value(headers, header)?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

fn parse_rfc9421(headers: &HeaderMap) -> Result<IncomingSignature, SignatureError> {
    let input = joined_field(headers, "signature-input")?.ok_or(SignatureError::MissingSignature)?;
    let signatures = joined_field(headers, "signature")?.ok_or(SignatureError::MissingSignature)?;
    let input = sfv::parse_dictionary(&input).map_err(|_| SignatureError::Malformed("Signature-Input syntax"))?;
    let (label, member) = input.into_iter().next().ok_or(SignatureError::Malformed("empty Signature-Input"))?;
    let Member::InnerList(items, params) = member else {
        return Err(SignatureError::Malformed("Signature-Input member is not a list"));
    };

    let mut components: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let BareItem::String(name) = &item.bare else {
            return Err(SignatureError::Malformed("component name is not a string"));
        };
        // `;sf`, `;key=`, `;req`, ... change the value; we do not implement them.
        if !item.params.is_empty() {
            return Err(SignatureError::UnsupportedComponent(sfv::serialize_item(item)));
        }
        if name.starts_with('@') && !RFC9421_DERIVED.contains(&name.as_str()) {
            return Err(SignatureError::UnsupportedComponent(name.clone()));
        }
        if components.contains(name) {
            return Err(SignatureError::Malformed("component listed twice"));
        }
        components.push(name.clone());
    }

    let (mut key_id, mut created, mut expires) = (None, None, None);
    for (name, value) in &params {
        match (name.as_str(), value) {
            ("keyid", BareItem::String(id)) => key_id = Some(id.clone()),
            ("created", BareItem::Integer(t)) => created = Some(*t),
            ("expires", BareItem::Integer(t)) => expires = Some(*t),
            ("alg", BareItem::String(alg)) if alg == "rsa-v1_5-sha256" => {}
            ("alg", BareItem::String(alg)) => return Err(SignatureError::UnsupportedAlgorithm(alg.clone())),
            ("keyid" | "created" | "expires" | "alg", _) => {
                return Err(SignatureError::Malformed("signature parameter of the wrong type"))
            }
            // nonce, tag, ...: signed over, no meaning to us.
            _ => {}
        }
    }
    let key_id = key_id.filter(|k| !k.is_empty()).ok_or_else(|| SignatureError::MissingComponent("keyid".into()))?;

    let covers = |name: &str| components.iter().any(|c| c == name);
    if !covers("@method") {
        return Err(SignatureError::MissingComponent("@method".into()));
    }
    // The target, host included, must be signed or the request could be replayed elsewhere.
    if !covers("@target-uri") {
        if !covers("@path") && !covers("@request-target") {
            return Err(SignatureError::MissingComponent("@target-uri".into()));
        }
        if !covers("@authority") && !covers("host") {
            return Err(SignatureError::MissingComponent("@authority".into()));
        }
    }

    let signature = sfv::parse_dictionary(&signatures)
        .map_err(|_| SignatureError::Malformed("Signature syntax"))?
        .into_iter()
        .find_map(|(l, member)| (l == label).then_some(member))
        .ok_or(SignatureError::Malformed("no Signature for the Signature-Input label"))?;
    let Member::Item(Item { bare: BareItem::ByteSeq(signature), .. }) = signature else {
        return Err(SignatureError::Malformed("Signature value is not a byte sequence"));
    };

    Ok(IncomingSignature {
        key_id,
        signature,
        form: Form::Rfc9421 {
            signature_params: sfv::serialize_inner_list(&items, &params),
            components,
            created,
            expires,
        },
    })
}

/// All lines of a structured header joined as one list, size-capped.
fn joined_field(headers: &HeaderMap, name: &str) -> Result<Option<String>, SignatureError> {
    let mut total = 0;
    let mut parts = Vec::new();
    for value in headers.get_all(name) {
        total += value.len() + 2;
        if total > MAX_SIGNATURE_HEADER {
            return Err(SignatureError::Malformed("signature header too long"));
        }
        parts.push(ascii(value.as_bytes())?);
    }
    Ok((!parts.is_empty()).then(|| parts.join(", ")))
}

fn signature_base(
    components: &[String],
    signature_params: &str,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    scheme: &str,
) -> Result<String, SignatureError> {
    let authority = || field_value(headers, "host").map(|h| h.to_ascii_lowercase());
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let mut base = String::new();
    for name in components {
        let value = match name.as_str() {
            "@method" => method.as_str().to_owned(),
            "@target-uri" => format!("{scheme}://{}{path_and_query}", authority()?),
            "@authority" => authority()?,
            "@scheme" => scheme.to_owned(),
            "@request-target" => path_and_query.to_owned(),
            "@path" if path.is_empty() => "/".to_owned(),
            "@path" => path.to_owned(),
            "@query" => format!("?{}", query.unwrap_or_default()),
            derived if derived.starts_with('@') => {
                return Err(SignatureError::UnsupportedComponent(derived.to_owned()))
            }
            field => field_value(headers, field)?,
        };
        sfv::serialize_string(&mut base, name);
        base.push_str(": ");
        base.push_str(&value);
        base.push('\n');
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(signature_params);
    Ok(base)
}

/// All lines of a header field, each trimmed, joined with ", " (the rule of
/// both draft-cavage §2.3 and RFC 9421 §2.1).
fn field_value(headers: &HeaderMap, name: &str) -> Result<String, SignatureError> {
    let mut joined: Option<String> = None;
    for value in headers.get_all(name) {
        let value = ascii(value.as_bytes())?.trim_matches([' ', '\t']);
        match &mut joined {
            Some(joined) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            None => joined = Some(value.to_owned()),
        }
    }
    joined.ok_or_else(|| SignatureError::MissingComponent(name.to_owned()))
}

fn check_date_header(headers: &HeaderMap, now: SystemTime) -> Result<(), SignatureError> {
    let date = field_value(headers, "date")?;
    let date = httpdate::parse_http_date(&date).map_err(|_| SignatureError::DateUnparseable)?;
    check_window(date, now)
}

fn check_window(time: SystemTime, now: SystemTime) -> Result<(), SignatureError> {
    let skew = match time.duration_since(now) {
        Ok(ahead) => ahead,
        Err(behind) => behind.duration(),
    };
    if skew > MAX_SKEW {
        return Err(SignatureError::DateOutOfWindow);
    }
    Ok(())
}

fn unix_time(secs: i64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
}

fn check_created(secs: i64, now: SystemTime) -> Result<(), SignatureError> {
    check_window(unix_time(secs).ok_or(SignatureError::DateOutOfWindow)?, now)
}

fn check_expires(secs: i64, now: SystemTime) -> Result<(), SignatureError> {
    match unix_time(secs) {
        Some(expires) if expires >= now => Ok(()),
        _ => Err(SignatureError::Expired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{now, other_pair, pair, KEY_ID};
    use crate::{sign_request, SigningKey};
    use base64::engine::general_purpose::STANDARD;
    use http::header::{HeaderName, HeaderValue};

    const BODY: &[u8] = br#"{"type":"Follow"}"#;

    struct Req {
        method: Method,
        path_and_query: String,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    }

    impl Req {
        fn check(&self) -> Result<(), SignatureError> {
            self.check_with(&pair().2, now())
        }

        fn check_with(&self, key: &VerifyingKey, now: SystemTime) -> Result<(), SignatureError> {
            IncomingSignature::parse(&self.headers)?.verify(
                &self.method,
                &self.path_and_query,
                &self.headers,
                self.body.as_deref(),
                key,
                now,
            )
        }

        fn set(&mut self, name: &'static str, value: &str) {
            self.headers.insert(name, HeaderValue::from_str(value).unwrap());
        }

        fn get(&self, name: &str) -> String {
            self.headers[name].to_str().unwrap().to_owned()
        }

        /// Signs with `key` by building the cavage signing string in the
        /// plainest way, independently of the code under test.
        fn cavage_with(&mut self, key: &SigningKey, covered: &[&str], extra: &[(&str, &str)]) {
            let mut lines = Vec::new();
            for name in covered {
                let name = name.to_ascii_lowercase();
                let value = match name.as_str() {
                    "(request-target)" => {
                        format!("{} {}", self.method.as_str().to_ascii_lowercase(), self.path_and_query)
                    }
                    "(created)" | "(expires)" => {
                        let param = name.trim_matches(['(', ')']);
                        extra.iter().find(|(k, _)| *k == param).unwrap().1.to_owned()
                    }
                    header => {
                        self.headers.get_all(header).iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>().join(", ")
                    }
                };
                lines.push(format!("{name}: {value}"));
            }
            let signature = STANDARD.encode(key.sign(lines.join("\n").as_bytes()).unwrap());
            let mut header = format!(r#"keyId="{}","#, key.key_id());
            for (k, v) in extra {
                header.push_str(&format!("{k}={v},"));
            }
            header.push_str(&format!(r#"headers="{}",signature="{signature}""#, covered.join(" ")));
            self.set("signature", &header);
        }

        fn cavage(&mut self, covered: &[&str], extra: &[(&str, &str)]) {
            self.cavage_with(&pair().1, covered, extra);
        }

        /// RFC 9421 signature whose base is built by hand here.
        fn rfc9421(&mut self, components: &[&str], params: &str, scheme: &str) {
            let host = self.get("host");
            let mut base = String::new();
            for c in components {
                let value = match *c {
                    "@method" => self.method.as_str().to_owned(),
                    "@target-uri" => format!("{scheme}://{host}{}", self.path_and_query),
                    "@authority" => host.clone(),
                    "@request-target" => self.path_and_query.clone(),
                    "@path" => self.path_and_query.split('?').next().unwrap().to_owned(),
                    header => self.get(header),
                };
                base.push_str(&format!("\"{c}\": {value}\n"));
            }
            let list = components.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(" ");
            let input = format!("({list}){params}");
            base.push_str(&format!("\"@signature-params\": {input}"));
            let signature = STANDARD.encode(pair().1.sign(base.as_bytes()).unwrap());
            self.set("signature-input", &format!("sig1={input}"));
            self.set("signature", &format!("sig1=:{signature}:"));
        }
    }

    fn created_now() -> String {
        let secs = now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        format!(r#";created={secs};keyid="{KEY_ID}";alg="rsa-v1_5-sha256""#)
    }

    /// A request signed by `sign_request`.
    fn signed(method: Method, url: &str, body: Option<&[u8]>) -> Req {
        let url: url::Url = url.parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/activity+json"));
        for (name, value) in sign_request(&pair().1, &method, &url, body, now()).unwrap() {
            headers.insert(name, value);
        }
        let mut path_and_query = url.path().to_owned();
        if let Some(q) = url.query() {
            path_and_query = format!("{path_and_query}?{q}");
        }
        Req { method, path_and_query, headers, body: body.map(<[u8]>::to_vec) }
    }

    /// A POST with Host, Date and Digest set but no signature yet.
    fn unsigned_post() -> Req {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.headers.remove("signature");
        req
    }

    /// Same, with a Content-Digest for RFC 9421.
    fn unsigned_rfc9421_post() -> Req {
        let mut req = unsigned_post();
        req.headers.remove("digest");
        let digest = STANDARD.encode(crate::digest::sha256(BODY));
        req.set("content-digest", &format!("sha-256=:{digest}:"));
        req
    }

    fn missing(name: &str) -> Result<(), SignatureError> {
        Err(SignatureError::MissingComponent(name.into()))
    }

    const POST_COVERED: [&str; 4] = ["(request-target)", "host", "date", "digest"];

    // ---- round trips -------------------------------------------------------

    #[test]
    fn round_trip_post() {
        let req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.check().unwrap();
        let sig = IncomingSignature::parse(&req.headers).unwrap();
        assert_eq!(sig.key_id(), KEY_ID);
    }

    #[test]
    fn round_trip_get_with_query_and_port() {
        let req = signed(Method::GET, "http://b.example:8080/users/bob?page=1", None);
        req.check().unwrap();
    }

    #[test]
    fn round_trip_post_with_empty_body() {
        let req = signed(Method::POST, "https://b.example/inbox", Some(b""));
        req.check().unwrap();
    }

    // ---- algorithm ---------------------------------------------------------

    #[test]
    fn accepted_algorithms() {
        for extra in [&[][..], &[("algorithm", r#""rsa-sha256""#)][..], &[("algorithm", r#""hs2019""#)][..]] {
            let mut req = unsigned_post();
            req.cavage(&POST_COVERED, extra);
            req.check().unwrap();
        }
    }

    #[test]
    fn other_algorithms_are_unsupported() {
        for alg in ["rsa-sha512", "ed25519", "hmac-sha256", ""] {
            let mut req = unsigned_post();
            req.cavage(&POST_COVERED, &[("algorithm", &format!("\"{alg}\""))]);
            assert_eq!(req.check(), Err(SignatureError::UnsupportedAlgorithm(alg.into())));
        }
    }

    // ---- covered components ------------------------------------------------

    #[test]
    fn must_cover_request_target_host_and_date() {
        for required in ["(request-target)", "host", "date"] {
            let covered: Vec<_> = POST_COVERED.into_iter().filter(|c| *c != required).collect();
            let mut req = unsigned_post();
            req.cavage(&covered, &[]);
            assert_eq!(req.check(), missing(required), "{required}");
        }
    }

    #[test]
    fn body_requires_covered_digest() {
        let mut req = unsigned_post();
        req.cavage(&["(request-target)", "host", "date"], &[]);
        assert_eq!(req.check(), missing("digest"));
    }

    #[test]
    fn signature_covering_only_digest_is_refused() {
        let mut req = unsigned_post();
        req.cavage(&["digest"], &[]);
        assert_eq!(req.check(), missing("(request-target)"));
    }

    #[test]
    fn absent_headers_parameter_means_created_only() {
        let mut req = unsigned_post();
        req.set("signature", &format!(r#"keyId="{KEY_ID}",created=1700000000,signature="AAAA""#));
        assert_eq!(req.check(), missing("(request-target)"));
    }

    #[test]
    fn covered_header_names_are_case_insensitive() {
        let mut req = unsigned_post();
        req.cavage(&["(Request-Target)", "Host", "DATE", "Digest"], &[]);
        req.check().unwrap();
    }

    #[test]
    fn multiple_header_values_are_joined() {
        let mut req = unsigned_post();
        req.headers.append("x-multi", HeaderValue::from_static("one"));
        req.headers.append("x-multi", HeaderValue::from_static("two"));
        let mut covered = POST_COVERED.to_vec();
        covered.push("x-multi");
        req.cavage(&covered, &[]);
        req.check().unwrap();
        // Dropping the second value must break the signature.
        req.headers.remove("x-multi");
        req.headers.append("x-multi", HeaderValue::from_static("one"));
        assert_eq!(req.check(), Err(SignatureError::BadSignature));
    }

    #[test]
    fn covered_header_missing_from_request() {
        let mut req = unsigned_post();
        let mut covered = POST_COVERED.to_vec();
        covered.push("accept");
        req.set("accept", "application/activity+json");
        req.cavage(&covered, &[]);
        req.headers.remove("accept");
        assert_eq!(req.check(), missing("accept"));
    }

    #[test]
    fn missing_host_header() {
        let mut req = signed(Method::GET, "https://b.example/users/bob", None);
        req.headers.remove("host");
        assert_eq!(req.check(), missing("host"));
    }

    // ---- (created) / (expires) --------------------------------------------

    #[test]
    fn created_and_expires_pseudo_headers() {
        let mut covered = POST_COVERED.to_vec();
        covered.extend(["(created)", "(expires)"]);
        let created = "1700000000";
        let mut req = unsigned_post();
        req.cavage(&covered, &[("algorithm", r#""hs2019""#), ("created", created), ("expires", "1700000300.5")]);
        req.check().unwrap();

        // Expired.
        let mut req = unsigned_post();
        req.cavage(&covered, &[("created", created), ("expires", "1699999999")]);
        assert_eq!(req.check(), Err(SignatureError::Expired));

        // Created two hours ago.
        let mut req = unsigned_post();
        req.cavage(&covered, &[("created", "1699992800"), ("expires", "1700000300")]);
        assert_eq!(req.check(), Err(SignatureError::DateOutOfWindow));
    }

    #[test]
    fn created_listed_without_parameter() {
        let mut covered = POST_COVERED.to_vec();
        covered.push("(created)");
        let mut req = unsigned_post();
        req.cavage(&covered, &[("created", "1700000000")]);
        let header = req.get("signature").replace("created=1700000000,", "");
        req.set("signature", &header);
        assert_eq!(req.check(), missing("created"));
    }

    #[test]
    fn unknown_pseudo_header() {
        let mut req = unsigned_post();
        req.set(
            "signature",
            &format!(r#"keyId="{KEY_ID}",headers="(request-target) (algorithm) host date digest",signature="AAAA""#),
        );
        assert_eq!(req.check(), Err(SignatureError::UnsupportedComponent("(algorithm)".into())));
    }

    // ---- Date ----------------------------------------------------------------

    #[test]
    fn date_window() {
        let req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        let key = &pair().2;
        let minutes = |m: u64| Duration::from_secs(m * 60);
        req.check_with(key, now() + minutes(59)).unwrap();
        req.check_with(key, now() - minutes(59)).unwrap();
        // Date two hours behind, then ahead, of the verifier's clock.
        assert_eq!(req.check_with(key, now() + minutes(120)), Err(SignatureError::DateOutOfWindow));
        assert_eq!(req.check_with(key, now() - minutes(120)), Err(SignatureError::DateOutOfWindow));
    }

    #[test]
    fn date_unparseable() {
        let mut req = unsigned_post();
        req.set("date", "yesterday at noon");
        req.cavage(&POST_COVERED, &[]);
        assert_eq!(req.check(), Err(SignatureError::DateUnparseable));
    }

    #[test]
    fn date_header_missing() {
        let mut req = unsigned_post();
        req.cavage(&POST_COVERED, &[]);
        req.headers.remove("date");
        assert_eq!(req.check(), missing("date"));
    }

    // ---- Digest --------------------------------------------------------------

    #[test]
    fn tampered_body() {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.body = Some(br#"{"type":"Delete"}"#.to_vec());
        assert_eq!(req.check(), Err(SignatureError::DigestMismatch));
    }

    #[test]
    fn digest_header_missing() {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.headers.remove("digest");
        assert_eq!(req.check(), missing("digest"));
    }

    #[test]
    fn digest_with_several_algorithms() {
        let mut req = unsigned_post();
        let sha256 = req.get("digest");
        req.set("digest", &format!("SHA-512=AAAA,{sha256}"));
        req.cavage(&POST_COVERED, &[]);
        req.check().unwrap();

        let mut req = unsigned_post();
        req.set("digest", "SHA-512=AAAA");
        req.cavage(&POST_COVERED, &[]);
        assert_eq!(req.check(), Err(SignatureError::DigestUnsupported));
    }

    // ---- signature bytes -----------------------------------------------------

    #[test]
    fn tampered_signature() {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        let header = req.get("signature");
        let (head, sig) = header.rsplit_once("signature=\"").unwrap();
        let mut sig = STANDARD.decode(sig.trim_end_matches('"')).unwrap();
        sig[10] ^= 1;
        req.set("signature", &format!("{head}signature=\"{}\"", STANDARD.encode(sig)));
        assert_eq!(req.check(), Err(SignatureError::BadSignature));
    }

    #[test]
    fn tampered_covered_header_or_target() {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.path_and_query = "/users/bob/inbox".into();
        assert_eq!(req.check(), Err(SignatureError::BadSignature));

        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.set("host", "c.example");
        assert_eq!(req.check(), Err(SignatureError::BadSignature));

        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        req.method = Method::PUT;
        assert_eq!(req.check(), Err(SignatureError::BadSignature));
    }

    #[test]
    fn wrong_key() {
        let req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        assert_eq!(req.check_with(&other_pair().2, now()), Err(SignatureError::BadSignature));
        let mut req = unsigned_post();
        req.cavage_with(&other_pair().1, &POST_COVERED, &[]);
        assert_eq!(req.check(), Err(SignatureError::BadSignature));
    }

    // ---- header syntax -------------------------------------------------------

    #[test]
    fn authorization_header_fallback() {
        let mut req = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        let sig = req.get("signature");
        req.headers.remove("signature");
        req.set("authorization", &format!("Signature {sig}"));
        req.check().unwrap();
        req.set("authorization", "Bearer abc");
        assert_eq!(req.check(), Err(SignatureError::MissingSignature));
    }

    #[test]
    fn no_signature() {
        assert_eq!(IncomingSignature::parse(&HeaderMap::new()).unwrap_err(), SignatureError::MissingSignature);
    }

    #[test]
    fn malformed_headers() {
        let sig = format!(r#"keyId="{KEY_ID}",headers="(request-target) host date",signature="AAAA""#);
        for bad in [
            "garbage".to_owned(),
            r#"keyId="a",keyId="b",headers="(request-target) host date",signature="AAAA""#.to_owned(),
            r#"headers="(request-target) host date",signature="AAAA""#.to_owned(),
            r#"keyId="a",headers="(request-target) host date""#.to_owned(),
            r#"keyId="a",headers="(request-target) host date",signature="not base64!""#.to_owned(),
            r#"keyId="a" x,signature="AAAA""#.to_owned(),
            r#"keyId="unterminated"#.to_owned(),
            format!("{sig},created=soon"),
            format!("{sig},headers2=\"{}\"", "x".repeat(MAX_SIGNATURE_HEADER)),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("signature", HeaderValue::from_str(&bad).unwrap());
            assert!(matches!(IncomingSignature::parse(&headers), Err(SignatureError::Malformed(_))), "{bad}");
        }
        // Two Signature headers.
        let mut headers = HeaderMap::new();
        headers.append("signature", HeaderValue::from_str(&sig).unwrap());
        headers.append("signature", HeaderValue::from_str(&sig).unwrap());
        assert!(matches!(IncomingSignature::parse(&headers), Err(SignatureError::Malformed(_))));
        // Non-ASCII bytes.
        let mut headers = HeaderMap::new();
        let mut bytes = sig.into_bytes();
        bytes[8] = 0xe9;
        headers.insert("signature", HeaderValue::from_bytes(&bytes).unwrap());
        assert!(matches!(IncomingSignature::parse(&headers), Err(SignatureError::Malformed(_))));
    }

    #[test]
    fn lenient_but_exact_parameter_syntax() {
        let mut req = unsigned_post();
        req.cavage(&POST_COVERED, &[]);
        // Whitespace around separators is tolerated.
        let spaced = req.get("signature").replace("\",", "\" ,  ").replace("keyId=\"", " keyId = \"");
        req.set("signature", &spaced);
        req.check().unwrap();
    }

    // ---- RFC 9421 ------------------------------------------------------------

    const RFC_COVERED: [&str; 3] = ["@method", "@target-uri", "content-digest"];

    #[test]
    fn rfc9421_round_trip() {
        for scheme in ["https", "http"] {
            let mut req = unsigned_rfc9421_post();
            req.rfc9421(&RFC_COVERED, &created_now(), scheme);
            req.check().unwrap();
            assert_eq!(IncomingSignature::parse(&req.headers).unwrap().key_id(), KEY_ID);
        }
    }

    #[test]
    fn rfc9421_other_target_forms() {
        for components in [
            &["@method", "@path", "@authority", "content-digest"][..],
            &["@method", "@request-target", "@authority", "content-digest"][..],
            &["@method", "@path", "host", "content-digest", "date"][..],
        ] {
            let mut req = unsigned_rfc9421_post();
            req.rfc9421(components, &created_now(), "https");
            req.check().unwrap();
        }
    }

    #[test]
    fn rfc9421_get_without_digest() {
        let mut req = signed(Method::GET, "https://b.example/users/bob", None);
        req.headers.remove("signature");
        req.rfc9421(&["@method", "@target-uri"], &created_now(), "https");
        req.check().unwrap();
    }

    #[test]
    fn rfc9421_requires_content_digest_with_body() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&["@method", "@target-uri"], &created_now(), "https");
        assert_eq!(req.check(), missing("content-digest"));
    }

    #[test]
    fn rfc9421_requires_method_and_target() {
        let cases: [(&[&str], &str); 4] = [
            (&["@target-uri", "content-digest"], "@method"),
            (&["@method", "content-digest"], "@target-uri"),
            (&["@method", "@authority", "content-digest"], "@target-uri"),
            (&["@method", "@path", "content-digest"], "@authority"),
        ];
        for (components, absent) in cases {
            let mut req = unsigned_rfc9421_post();
            req.rfc9421(components, &created_now(), "https");
            assert_eq!(req.check(), missing(absent), "{components:?}");
        }
    }

    #[test]
    fn rfc9421_created_window_and_expiry() {
        let params = |created: u64, rest: &str| format!(r#";created={created};keyid="{KEY_ID}"{rest}"#);
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &params(1_700_000_000 - 7200, ""), "https");
        assert_eq!(req.check(), Err(SignatureError::DateOutOfWindow));

        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &params(1_700_000_000 + 7200, ""), "https");
        assert_eq!(req.check(), Err(SignatureError::DateOutOfWindow));

        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &params(1_700_000_000, ";expires=1699999999"), "https");
        assert_eq!(req.check(), Err(SignatureError::Expired));

        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &params(1_700_000_000, ";expires=1700000060"), "https");
        req.check().unwrap();

        // Neither created nor a covered Date: no freshness at all.
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &format!(r#";keyid="{KEY_ID}""#), "https");
        assert_eq!(req.check(), missing("created"));
    }

    #[test]
    fn rfc9421_algorithms() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &format!(r#";created=1700000000;keyid="{KEY_ID}""#), "https");
        req.check().unwrap();

        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &format!(r#";created=1700000000;keyid="{KEY_ID}";alg="rsa-pss-sha512""#), "https");
        assert_eq!(req.check(), Err(SignatureError::UnsupportedAlgorithm("rsa-pss-sha512".into())));
    }

    #[test]
    fn rfc9421_content_digest_mismatch() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        req.body = Some(b"{}".to_vec());
        assert_eq!(req.check(), Err(SignatureError::DigestMismatch));
    }

    #[test]
    fn rfc9421_tampering() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        req.path_and_query = "/other".into();
        assert_eq!(req.check(), Err(SignatureError::BadSignature));

        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        let tampered = req.get("signature").replacen(":", ":AAAA", 1);
        req.set("signature", &tampered);
        assert_eq!(req.check(), Err(SignatureError::BadSignature));

        // Signature parameters are signed too.
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        let input = req.get("signature-input").replace("created=1700000000", "created=1700000001");
        req.set("signature-input", &input);
        assert_eq!(req.check(), Err(SignatureError::BadSignature));

        assert_eq!(req.check_with(&other_pair().2, now()), Err(SignatureError::BadSignature));
    }

    #[test]
    fn rfc9421_non_canonical_input_is_reserialised() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        let spaced = req.get("signature-input").replace("(\"", "(  \"").replace("\" \"", "\"   \"");
        req.set("signature-input", &format!("  {spaced} "));
        req.check().unwrap();
    }

    #[test]
    fn rfc9421_first_label_is_used() {
        let mut req = unsigned_rfc9421_post();
        req.rfc9421(&RFC_COVERED, &created_now(), "https");
        let input = req.get("signature-input");
        let signature = req.get("signature");
        req.set("signature-input", &format!("{input}, sig2=(\"@method\");keyid=\"x\""));
        req.set("signature", &format!("sig2=:AAAA:, {signature}"));
        req.check().unwrap();
        assert_eq!(IncomingSignature::parse(&req.headers).unwrap().key_id(), KEY_ID);
    }

    #[test]
    fn rfc9421_malformed() {
        let base = unsigned_rfc9421_post();
        let ok_input = format!(r#"sig1=("@method" "@target-uri");created=1700000000;keyid="{KEY_ID}""#);
        let cases: Vec<(String, &str, SignatureError)> = vec![
            (ok_input.clone(), "sig2=:AAAA:", SignatureError::Malformed("no Signature for the Signature-Input label")),
            (ok_input.clone(), "sig1=AAAA", SignatureError::Malformed("Signature value is not a byte sequence")),
            (ok_input.clone(), "sig1=:AA", SignatureError::Malformed("Signature syntax")),
            ("sig1=\"x\"".into(), "sig1=:AAAA:", SignatureError::Malformed("Signature-Input member is not a list")),
            ("".into(), "sig1=:AAAA:", SignatureError::Malformed("empty Signature-Input")),
            (
                "sig1=(\"@method\" \"@method\")".into(),
                "sig1=:AAAA:",
                SignatureError::Malformed("component listed twice"),
            ),
            (
                "sig1=(\"@method\" path)".into(),
                "sig1=:AAAA:",
                SignatureError::Malformed("component name is not a string"),
            ),
            (
                "sig1=(\"@method\" \"@target-uri\");created=1700000000".into(),
                "sig1=:AAAA:",
                SignatureError::MissingComponent("keyid".into()),
            ),
            (
                "sig1=(\"@method\" \"@target-uri\");keyid=1".into(),
                "sig1=:AAAA:",
                SignatureError::Malformed("signature parameter of the wrong type"),
            ),
            (
                "sig1=(\"@method\" \"@target-uri\" \"@status\");keyid=\"k\"".into(),
                "sig1=:AAAA:",
                SignatureError::UnsupportedComponent("@status".into()),
            ),
            (
                "sig1=(\"@method\" \"@target-uri\" \"content-digest\";sf);keyid=\"k\"".into(),
                "sig1=:AAAA:",
                SignatureError::UnsupportedComponent("\"content-digest\";sf".into()),
            ),
            ("sig1=(\"@method\" \"@target-uri\");keyid=\"k\"".into(), "", SignatureError::MissingSignature),
            (
                format!("sig1=(\"@method\" \"@target-uri\");keyid=\"{}\"", "k".repeat(MAX_SIGNATURE_HEADER)),
                "sig1=:AAAA:",
                SignatureError::Malformed("signature header too long"),
            ),
        ];
        for (input, signature, expected) in cases {
            let mut headers = base.headers.clone();
            headers.insert("signature-input", HeaderValue::from_str(&input).unwrap());
            if signature.is_empty() {
                headers.remove("signature");
            } else {
                headers.insert("signature", HeaderValue::from_str(signature).unwrap());
            }
            assert_eq!(IncomingSignature::parse(&headers).unwrap_err(), expected, "{input} / {signature}");
        }
    }

    // ---- robustness ----------------------------------------------------------

    /// Truncations and byte substitutions of valid headers must never panic.
    #[test]
    fn mutated_headers_never_panic() {
        let cavage = signed(Method::POST, "https://b.example/inbox", Some(BODY));
        let mut rfc = unsigned_rfc9421_post();
        rfc.rfc9421(&RFC_COVERED, &created_now(), "https");
        let targets: [(&Req, &[&str]); 2] =
            [(&cavage, &["signature", "digest", "date"]), (&rfc, &["signature-input", "signature", "content-digest"])];
        let replacements = b"\"\\,;=():?*- \ta0@\x80";
        let key = &pair().2;
        let mut runs = 0;
        for (req, names) in targets {
            for name in names {
                let original = req.headers[*name].as_bytes().to_vec();
                let mut variants: Vec<Vec<u8>> = (0..original.len()).map(|n| original[..n].to_vec()).collect();
                for i in 0..original.len() {
                    for r in replacements {
                        let mut v = original.clone();
                        v[i] = *r;
                        variants.push(v);
                    }
                }
                for variant in variants {
                    let Ok(value) = HeaderValue::from_bytes(&variant) else {
                        continue;
                    };
                    let mut headers = req.headers.clone();
                    headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
                    if let Ok(sig) = IncomingSignature::parse(&headers) {
                        let _ = sig.verify(&req.method, &req.path_and_query, &headers, req.body.as_deref(), key, now());
                    }
                    runs += 1;
                }
            }
        }
        assert!(runs > 10_000, "{runs}");
    }
}
