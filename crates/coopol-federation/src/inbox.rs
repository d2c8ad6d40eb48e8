//! The inbox: verify, record the activity id, queue it, answer 202; a worker (`inbox_worker`)
//! applies it later. Verification is all done before anything is stored, so a refused request leaves no trace.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use coopol_db::queries;
use coopol_signatures::{IncomingSignature, SignatureError};
use serde_json::Value;
use url::Url;

use crate::config::{authority, same_origin};
use crate::wire::{kind, object_id};
use crate::{keys, Federation, FederationError};

fn error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
}

impl FederationError {
    /// The HTTP status an inbox answers for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            FederationError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            FederationError::Invalid(_) => StatusCode::BAD_REQUEST,
            FederationError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            FederationError::Refused(_) => StatusCode::FORBIDDEN,
            FederationError::NotFound | FederationError::Gone => StatusCode::NOT_FOUND,
            FederationError::Http(_) | FederationError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What the inbox decided about a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Queued for processing.
    Queued,
    /// Seen before, or from an actor we never knew deleting itself: nothing to do.
    Ignored,
}

/// Checks the request's signature against the key of its actor and returns that actor.
async fn verify_signature(
    fed: &Federation,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<coopol_db::entities::accounts::Model, FederationError> {
    let sig = IncomingSignature::parse(headers).map_err(|e| FederationError::Unauthorized(e.to_string()))?;
    let key_id = sig.key_id().to_string();
    let key = keys::key_for(fed, &key_id).await.map_err(|e| match e {
        // Our own trouble is not the sender's: answer 500 so that it retries later.
        FederationError::Db(_) => e,
        _ => FederationError::Unauthorized(format!("cannot get key {key_id}: {e}")),
    })?;
    let now = SystemTime::now();
    match sig.verify(method, path_and_query, headers, body, &key.key, now) {
        Ok(()) => Ok(key.account),
        Err(SignatureError::BadSignature) => {
            // The actor may have rotated its key: fetch once more (throttled), then retry.
            match keys::refetch_key(fed, &key_id, &key).await {
                Ok(Some(fresh)) => {
                    sig.verify(method, path_and_query, headers, body, &fresh.key, now)
                        .map_err(|e| FederationError::Unauthorized(e.to_string()))?;
                    Ok(fresh.account)
                }
                _ => Err(FederationError::Unauthorized(SignatureError::BadSignature.to_string())),
            }
        }
        Err(e) => Err(FederationError::Unauthorized(e.to_string())),
    }
}

/// The whole check of an incoming activity, then its recording. Separate from the handler so
/// benchmarks and tests can call it.
pub async fn accept(
    fed: &Federation,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Accepted, FederationError> {
    if body.len() > crate::fetch::MAX_BODY {
        return Err(FederationError::TooLarge);
    }
    let activity: Value = crate::fetch::parse_json(body)?;
    let actor_uri = activity
        .get("actor")
        .and_then(object_id)
        .ok_or_else(|| FederationError::Invalid("activity without actor".into()))?
        .to_string();
    let actor_url = Url::parse(&actor_uri).map_err(|_| FederationError::Invalid("actor is not a URL".into()))?;
    let actor_domain = authority(&actor_url).ok_or_else(|| FederationError::Invalid("actor without host".into()))?;
    if queries::is_domain_blocked(&fed.db, &actor_domain).await? {
        return Err(FederationError::Refused(format!("{actor_domain} is blocked here")));
    }
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| FederationError::Invalid("activity without id".into()))?
        .to_string();
    let id_url = Url::parse(&id).map_err(|_| FederationError::Invalid("activity id is not a URL".into()))?;
    if !same_origin(&id_url, &actor_url) {
        return Err(FederationError::Invalid("activity id is not on the actor's origin".into()));
    }
    let is_self_delete =
        kind(&activity) == "Delete" && activity.get("object").and_then(object_id) == Some(actor_uri.as_str());
    if is_self_delete && queries::account_by_uri(&fed.db, &actor_uri).await?.is_none() {
        // An account we never knew is gone: nothing to do, and nothing to fetch.
        return Ok(Accepted::Ignored);
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let signer = verify_signature(fed, method, path, headers, Some(body)).await?;
    if signer.uri != actor_uri {
        return Err(FederationError::Unauthorized(format!("signed by {}, not by the actor {actor_uri}", signer.uri)));
    }
    if signer.suspended && !is_self_delete {
        return Err(FederationError::Refused("this actor is suspended here".into()));
    }
    let recorded = fed.recorder.record(id, actor_uri, String::from_utf8_lossy(body).into_owned()).await?;
    if !recorded {
        return Ok(Accepted::Ignored);
    }
    Ok(Accepted::Queued)
}

/// `POST /inbox` and `POST /users/:name/inbox`.
pub async fn handler(
    State(fed): State<Federation>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match accept(&fed, &method, &uri, &headers, &body).await {
        Ok(_) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                tracing::error!(error = %e, "inbox");
            } else {
                tracing::info!(error = %e, status = status.as_u16(), "inbox refused an activity");
            }
            // Internal details stay in the log.
            let msg = if status.is_server_error() { "internal error".to_string() } else { e.to_string() };
            error(status, &msg)
        }
    }
}

/// Verifies a signed GET (authorized fetch) and returns the signer, if the request is signed.
pub async fn signed_fetcher(
    fed: &Federation,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<coopol_db::entities::accounts::Model> {
    if !headers.contains_key("signature") && !headers.contains_key("signature-input") {
        return None;
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    match verify_signature(fed, method, path, headers, None).await {
        Ok(a) if a.suspended => None,
        Ok(a) => match a.domain.as_deref() {
            // A blocked server sees what anonymous visitors see, no more.
            Some(d) if queries::is_domain_blocked(&fed.db, d).await.unwrap_or(true) => None,
            _ => Some(a),
        },
        Err(e) => {
            tracing::info!(error = %e, "refused a signed fetch");
            None
        }
    }
}
