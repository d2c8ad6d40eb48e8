//! OAuth 2 as Mastodon apps use it: app registration, the authorization-code flow with PKCE
//! (a real login page), token issuance (authorization_code, client_credentials, password,
//! refresh_token) and revocation.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use coopol_core::text::escape;
use coopol_db::entities::{oauth_apps, oauth_codes, oauth_tokens, users};
use coopol_federation::Federation;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use coopol_service::sessions::{self, SignedIn};

use crate::auth::{create_token, random_secret, secret_hash};
use crate::{ApiError, Params};

/// The redirect URI of apps that show the code to the user instead of being redirected.
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
/// Scopes we know (the granular ones are checked by prefix).
const TOP_SCOPES: [&str; 5] = ["read", "write", "follow", "push", "profile"];
/// How long an authorization code lives.
const CODE_TTL_MINUTES: i64 = 10;

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/apps", post(create_app))
        .route("/api/v1/apps/verify_credentials", get(verify_app))
        .route("/oauth/authorize", get(authorize_page).post(authorize))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/.well-known/oauth-authorization-server", get(metadata))
}

fn valid_scopes(scopes: &str) -> bool {
    scopes.split_whitespace().all(|s| TOP_SCOPES.contains(&s.split(':').next().unwrap_or(s)))
}

/// `scopes` if each is within what the app registered.
fn within(app_scopes: &str, asked: &str) -> bool {
    asked.split_whitespace().all(|s| crate::auth::scope_allows(app_scopes, s))
}

async fn create_app(State(fed): State<Federation>, params: Params) -> Result<Json<Value>, ApiError> {
    let name = params.required("client_name")?.chars().take(200).collect::<String>();
    let redirect_uris = params.required("redirect_uris")?.to_string();
    let scopes = params.str("scopes").unwrap_or("read").to_string();
    if !valid_scopes(&scopes) {
        return Err(ApiError::Unprocessable("invalid scope".into()));
    }
    for uri in redirect_uris.split_whitespace() {
        if uri != OOB && url::Url::parse(uri).is_err() {
            return Err(ApiError::Unprocessable(format!("redirect URI {uri} is not a URL")));
        }
    }
    let app = oauth_apps::ActiveModel {
        id: Set(coopol_core::new_id()),
        name: Set(name),
        client_id: Set(random_secret()),
        client_secret: Set(random_secret()),
        redirect_uris: Set(redirect_uris.split_whitespace().collect::<Vec<_>>().join("\n")),
        scopes: Set(scopes),
        website: Set(params.str("website").map(String::from)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&fed.db)
    .await?;
    Ok(Json(app_json(&app, true)))
}

fn app_json(app: &oauth_apps::Model, with_secret: bool) -> Value {
    let mut v = json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split_whitespace().collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris.replace('\n', " "),
        "redirect_uris": app.redirect_uris.split('\n').collect::<Vec<_>>(),
        "vapid_key": "",
    });
    if let (true, Some(m)) = (with_secret, v.as_object_mut()) {
        m.insert("client_id".into(), json!(app.client_id));
        m.insert("client_secret".into(), json!(app.client_secret));
    }
    v
}

async fn verify_app(State(fed): State<Federation>, headers: axum::http::HeaderMap) -> Result<Json<Value>, ApiError> {
    let token = crate::auth::bearer_token(&headers).ok_or(ApiError::Unauthorized)?;
    let row = crate::auth::live_token(&fed.db, &token).await?;
    let app = match row.app_id {
        Some(id) => oauth_apps::Entity::find_by_id(id).one(&fed.db).await?,
        None => None,
    };
    match app {
        Some(a) => Ok(Json(app_json(&a, false))),
        None => Ok(Json(
            json!({ "name": "coopol admin", "website": Value::Null, "scopes": row.scopes.split_whitespace().collect::<Vec<_>>() }),
        )),
    }
}

async fn app_by_client(fed: &Federation, client_id: &str) -> Result<oauth_apps::Model, ApiError> {
    oauth_apps::Entity::find()
        .filter(oauth_apps::Column::ClientId.eq(client_id))
        .one(&fed.db)
        .await?
        .ok_or(ApiError::Unauthorized)
}

/// The parameters an authorization request carries through the login form.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

async fn check_request(fed: &Federation, p: &Params) -> Result<(oauth_apps::Model, AuthRequest), ApiError> {
    if p.str("response_type").is_some_and(|t| t != "code") {
        return Err(ApiError::BadRequest("unsupported response_type".into()));
    }
    let app = app_by_client(fed, p.required("client_id")?).await?;
    let redirect_uri = p.required("redirect_uri")?.to_string();
    if !app.redirect_uris.split('\n').any(|u| u == redirect_uri) {
        return Err(ApiError::BadRequest("redirect_uri is not registered for this app".into()));
    }
    let scope = p.str("scope").or(p.str("scopes")).unwrap_or("read").replace('+', " ");
    if !valid_scopes(&scope) || !within(&app.scopes, &scope) {
        return Err(ApiError::BadRequest("invalid scope".into()));
    }
    let method = p.str("code_challenge_method").map(String::from);
    if method.as_deref().is_some_and(|m| m != "S256" && m != "plain") {
        return Err(ApiError::BadRequest("code_challenge_method must be S256".into()));
    }
    Ok((
        app,
        AuthRequest {
            client_id: p.required("client_id")?.to_string(),
            redirect_uri,
            scope,
            state: p.str("state").map(String::from),
            code_challenge: p.str("code_challenge").map(String::from),
            code_challenge_method: method,
        },
    ))
}

fn login_page(app_name: &str, r: &AuthRequest, error: Option<&str>, session: Option<&SignedIn>) -> Response {
    let hidden = |name: &str, value: Option<&str>| {
        value.map_or(String::new(), |v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v)))
    };
    let body = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>Connexion / Sign in</title><style>body{{font-family:sans-serif;max-width:26em;margin:3em auto;padding:0 1em}}\
input{{display:block;width:100%;margin:.3em 0 1em;padding:.5em}}button{{padding:.6em 1.2em}}.err{{color:#b00}}</style></head><body>\
<h1>Connexion / Sign in</h1><p><strong>{app}</strong> demande l'accès à votre compte ({scope}). / \
<strong>{app}</strong> asks to use your account ({scope}).</p>{err}\
<form method=\"post\" action=\"/oauth/authorize\">{who}\
{h1}{h2}{h3}{h4}{h5}{h6}<input type=\"hidden\" name=\"response_type\" value=\"code\">\
<button type=\"submit\">Autoriser / Authorize</button></form></body></html>",
        app = escape(app_name),
        scope = escape(&r.scope),
        err = error.map_or(String::new(), |e| format!("<p class=\"err\">{}</p>", escape(e))),
        who = match session {
            // Signed in on the web interface: consent only, with the session's CSRF token.
            Some(me) => format!(
                "<p>Connecté·e en tant que / Signed in as <strong>@{}</strong></p>{}",
                escape(&me.account.username),
                hidden("csrf", Some(&me.session.csrf_token))
            ),
            None => "<label>Nom d'utilisateur ou e-mail / Username or e-mail<input name=\"username\" autocomplete=\"username\" required></label>\
<label>Mot de passe / Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
                .to_string(),
        },
        h1 = hidden("client_id", Some(&r.client_id)),
        h2 = hidden("redirect_uri", Some(&r.redirect_uri)),
        h3 = hidden("scope", Some(&r.scope)),
        h4 = hidden("state", r.state.as_deref()),
        h5 = hidden("code_challenge", r.code_challenge.as_deref()),
        h6 = hidden("code_challenge_method", r.code_challenge_method.as_deref()),
    );
    let mut resp = Html(body).into_response();
    // The login form must never be framed by another site (clickjacking).
    resp.headers_mut().insert("x-frame-options", axum::http::HeaderValue::from_static("DENY"));
    resp
}

/// The web interface's session of this browser, if it has a live one.
async fn web_session(fed: &Federation, headers: &HeaderMap) -> Result<Option<SignedIn>, ApiError> {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == sessions::COOKIE)
        .map(|(_, value)| value.to_string());
    match cookie {
        Some(c) => Ok(sessions::lookup(fed, &c).await?),
        None => Ok(None),
    }
}

async fn authorize_page(
    State(fed): State<Federation>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let (app, r) = check_request(&fed, &params).await?;
    let session = web_session(&fed, &headers).await?;
    Ok(login_page(&app.name, &r, None, session.as_ref()))
}

/// The user if the name or e-mail and password are right (`coopol_service::credentials`).
async fn check_password(fed: &Federation, login: &str, password: &str) -> Result<Option<users::Model>, ApiError> {
    Ok(coopol_service::credentials::check_password(&fed.db, login, password).await?)
}

async fn authorize(State(fed): State<Federation>, headers: HeaderMap, params: Params) -> Result<Response, ApiError> {
    let (app, r) = check_request(&fed, &params).await?;
    let user = match params.str("csrf") {
        // Consent from a signed-in browser: the session's own token, or nothing.
        Some(token) => match web_session(&fed, &headers).await? {
            Some(me) if coopol_service::credentials::same_secret(&me.session.csrf_token, token) => Some(me.user),
            _ => return Err(ApiError::Forbidden),
        },
        None => {
            check_password(&fed, params.str("username").unwrap_or(""), params.str("password").unwrap_or("")).await?
        }
    };
    let Some(user) = user else {
        let mut resp = login_page(&app.name, &r, Some("Identifiants incorrects / Wrong username or password"), None);
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(resp);
    };
    let code = random_secret();
    oauth_codes::ActiveModel {
        code_hash: Set(secret_hash(&code)),
        app_id: Set(app.id),
        user_id: Set(user.id),
        redirect_uri: Set(r.redirect_uri.clone()),
        scopes: Set(r.scope.clone()),
        code_challenge: Set(r.code_challenge.clone()),
        code_challenge_method: Set(r
            .code_challenge_method
            .clone()
            .or(r.code_challenge.as_ref().map(|_| "plain".into()))),
        expires_at: Set(coopol_db::now() + chrono::Duration::minutes(CODE_TTL_MINUTES)),
    }
    .insert(&fed.db)
    .await?;
    if r.redirect_uri == OOB {
        let page = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Code</title></head><body>\
<p>Copiez ce code dans l'application / Copy this code into the app:</p><pre id=\"code\">{}</pre></body></html>",
            escape(&code)
        );
        return Ok(Html(page).into_response());
    }
    let mut target = url::Url::parse(&r.redirect_uri).map_err(|_| ApiError::BadRequest("bad redirect_uri".into()))?;
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = &r.state {
        target.query_pairs_mut().append_pair("state", s);
    }
    Ok(Redirect::to(target.as_str()).into_response())
}

/// Checks a PKCE verifier against the stored challenge.
fn pkce_ok(challenge: Option<&str>, method: Option<&str>, verifier: Option<&str>) -> bool {
    match (challenge, verifier) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(c), Some(v)) => match method {
            Some("S256") => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())) == c,
            _ => v == c,
        },
    }
}

fn token_response(token: &str, refresh: &str, row: &oauth_tokens::Model) -> Json<Value> {
    Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "scope": row.scopes,
        "created_at": row.created_at.timestamp(),
        "refresh_token": refresh,
    }))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

async fn token(State(fed): State<Federation>, params: Params) -> Result<Response, ApiError> {
    let grant = params.required("grant_type")?.to_string();
    let client_id = params.required("client_id")?;
    let Ok(app) = app_by_client(&fed, client_id).await else {
        return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client"));
    };
    let secret_ok = params.str("client_secret") == Some(app.client_secret.as_str());
    match grant.as_str() {
        "authorization_code" => {
            let code = params.required("code")?;
            let Some(row) = oauth_codes::Entity::find_by_id(secret_hash(code)).one(&fed.db).await? else {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown or used code"));
            };
            // Single use, whatever happens next.
            oauth_codes::Entity::delete_by_id(row.code_hash.clone()).exec(&fed.db).await?;
            let verifier = params.str("code_verifier");
            let client_ok = secret_ok || (row.code_challenge.is_some() && verifier.is_some());
            let valid = row.app_id == app.id
                && client_ok
                && row.expires_at > coopol_db::now()
                && params.str("redirect_uri").is_none_or(|u| u == row.redirect_uri)
                && pkce_ok(row.code_challenge.as_deref(), row.code_challenge_method.as_deref(), verifier);
            if !valid {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code does not match this request",
                ));
            }
            let (t, r, row) = create_token(&fed.db, Some(app.id), Some(row.user_id), &row.scopes).await?;
            Ok(token_response(&t, &r, &row).into_response())
        }
        "client_credentials" => {
            if !secret_ok {
                return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "wrong client secret"));
            }
            let scope = params.str("scope").unwrap_or("read").to_string();
            if !within(&app.scopes, &scope) {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "scope not registered"));
            }
            let (t, r, row) = create_token(&fed.db, Some(app.id), None, &scope).await?;
            Ok(token_response(&t, &r, &row).into_response())
        }
        "password" => {
            if !secret_ok {
                return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "wrong client secret"));
            }
            let scope = params.str("scope").unwrap_or("read").to_string();
            if !within(&app.scopes, &scope) {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "scope not registered"));
            }
            let user = check_password(&fed, params.str("username").unwrap_or(""), params.str("password").unwrap_or(""))
                .await?;
            let Some(user) = user else {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "wrong username or password"));
            };
            let (t, r, row) = create_token(&fed.db, Some(app.id), Some(user.id), &scope).await?;
            Ok(token_response(&t, &r, &row).into_response())
        }
        "refresh_token" => {
            let refresh = params.required("refresh_token")?;
            let old = oauth_tokens::Entity::find()
                .filter(oauth_tokens::Column::RefreshHash.eq(secret_hash(refresh)))
                .filter(oauth_tokens::Column::RevokedAt.is_null())
                .one(&fed.db)
                .await?;
            let Some(old) = old.filter(|o| o.app_id == Some(app.id) && secret_ok) else {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown refresh token"));
            };
            let (t, r, row) = create_token(&fed.db, Some(app.id), old.user_id, &old.scopes).await?;
            let mut m: oauth_tokens::ActiveModel = old.into();
            m.revoked_at = Set(Some(coopol_db::now()));
            m.update(&fed.db).await?;
            Ok(token_response(&t, &r, &row).into_response())
        }
        _ => Ok(oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type")),
    }
}

async fn revoke(State(fed): State<Federation>, params: Params) -> Result<Response, ApiError> {
    let app = app_by_client(&fed, params.required("client_id")?).await?;
    if params.str("client_secret") != Some(app.client_secret.as_str()) {
        return Ok(oauth_error(StatusCode::FORBIDDEN, "unauthorized_client", "wrong client secret"));
    }
    let hash = secret_hash(params.required("token")?);
    if let Some(t) = oauth_tokens::Entity::find().filter(oauth_tokens::Column::TokenHash.eq(hash)).one(&fed.db).await? {
        if t.app_id == Some(app.id) {
            let mut m: oauth_tokens::ActiveModel = t.into();
            m.revoked_at = Set(Some(coopol_db::now()));
            m.update(&fed.db).await?;
        }
    }
    Ok(Json(json!({})).into_response())
}

async fn metadata(State(fed): State<Federation>) -> Json<Value> {
    let base = fed.config.base_url();
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": ["read", "write", "follow", "push", "profile", "read:accounts", "read:statuses", "read:follows",
            "write:statuses", "write:follows", "write:favourites"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce() {
        // Challenge computed independently (Python hashlib + urlsafe base64 without padding).
        let verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";
        assert!(pkce_ok(Some(challenge), Some("S256"), Some(verifier)));
        assert!(!pkce_ok(Some(challenge), Some("S256"), Some("wrong")));
        assert!(!pkce_ok(Some(challenge), Some("S256"), None));
        assert!(pkce_ok(None, None, None));
    }

    #[test]
    fn scope_checks() {
        assert!(valid_scopes("read write:statuses follow"));
        assert!(!valid_scopes("admin:read"));
        assert!(within("read write", "read:statuses write"));
        assert!(!within("read", "write"));
    }
}
