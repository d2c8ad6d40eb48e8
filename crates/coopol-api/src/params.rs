//! Request parameters as Mastodon clients send them: query string, form body (Mastodon.py,
//! with `name[]=` arrays) or JSON body (toot, masto.js, megalodon), merged into one map.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::ApiError;

/// Largest request body the API reads (media uploads will have their own route and limit).
const MAX_BODY: usize = 1024 * 1024;

/// Merged parameters of a request.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Map<String, Value>);

fn insert_pair(map: &mut Map<String, Value>, key: &str, value: String) {
    if let Some(base) = key.strip_suffix("[]") {
        match map.entry(base.to_string()).or_insert_with(|| Value::Array(vec![])) {
            Value::Array(a) => a.push(Value::String(value)),
            other => *other = Value::Array(vec![Value::String(value)]),
        }
    } else {
        map.insert(key.to_string(), Value::String(value));
    }
}

impl Params {
    /// Parses `a=1&b[]=2&b[]=3`.
    pub fn from_form(s: &str) -> Self {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
            insert_pair(&mut map, &k, v.into_owned());
        }
        Params(map)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// A required string parameter.
    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.str(key).ok_or_else(|| ApiError::Unprocessable(format!("{key} can't be blank")))
    }

    /// Booleans as clients send them: `true`, `"true"`, `"1"`, `1`.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            Value::String(s) => Some(matches!(s.as_str(), "true" | "1" | "on" | "True")),
            _ => None,
        }
    }

    /// An id (a string of digits, or a number).
    pub fn id(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ApiError::NotFound),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(ApiError::NotFound),
            Some(_) => Err(ApiError::BadRequest(format!("{key} must be an id"))),
        }
    }

    pub fn u64(&self, key: &str) -> Option<u64> {
        match self.0.get(key)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A list parameter (`ids[]=1&ids[]=2`, a JSON array, or a single value).
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.0.get(key) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from).or_else(|| v.as_i64().map(|n| n.to_string())))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec![],
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut params = req.uri().query().map(Params::from_form).unwrap_or_default();
        let ctype = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| ApiError::BadRequest("request body too large or unreadable".into()))?;
        let _ = state;
        merge_body(&mut params, &ctype, &body)?;
        Ok(params)
    }
}

fn merge_body(params: &mut Params, ctype: &str, body: &Bytes) -> Result<(), ApiError> {
    if body.is_empty() {
        return Ok(());
    }
    if ctype.starts_with("application/json") {
        if !coopol_federation::fetch::json_depth_ok(body, 32) {
            return Err(ApiError::BadRequest("JSON nested too deeply".into()));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.0.extend(m),
            Ok(_) => return Err(ApiError::BadRequest("the JSON body must be an object".into())),
            Err(e) => return Err(ApiError::BadRequest(format!("invalid JSON: {e}"))),
        }
    } else if ctype.starts_with("multipart/form-data") {
        return Err(ApiError::Unprocessable("multipart bodies are accepted only by media uploads".into()));
    } else {
        let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
        for (k, v) in Params::from_form(text).0 {
            params.0.insert(k, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_with_arrays_and_lenient_types() {
        let p = Params::from_form("status=hi+there&sensitive=0&media_ids[]=1&media_ids[]=2&limit=5");
        assert_eq!(p.str("status"), Some("hi there"));
        assert_eq!(p.bool("sensitive"), Some(false));
        assert_eq!(p.list("media_ids"), vec!["1", "2"]);
        assert_eq!(p.u64("limit"), Some(5));
        assert!(p.required("nope").is_err());
    }

    #[test]
    fn json_bodies_merge_over_the_query() {
        let mut p = Params::from_form("a=1");
        merge_body(&mut p, "application/json", &Bytes::from_static(br#"{"b": true, "in_reply_to_id": "12"}"#)).unwrap();
        assert_eq!(p.str("a"), Some("1"));
        assert_eq!(p.bool("b"), Some(true));
        assert_eq!(p.id("in_reply_to_id").unwrap(), Some(12));
        assert!(merge_body(&mut p, "application/json", &Bytes::from_static(b"[1]")).is_err());
        assert!(merge_body(&mut p, "application/json", &Bytes::from_static(b"{bad")).is_err());
    }
}
