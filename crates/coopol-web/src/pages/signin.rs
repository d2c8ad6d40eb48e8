//! Signing in and out. Sign-in takes a name or e-mail and a password, checked by
//! `coopol_service::credentials`; a wrong name and a wrong password get the same answer. A new
//! session (and cookie) is made at every sign-in; attempts are limited per address and name.

use std::net::SocketAddr;
use std::time::Instant;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use coopol_service::credentials::{self, Login};
use coopol_service::sessions;
use serde::Deserialize;

use crate::error::respond;
use crate::session;
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new().route("/signin", get(form).post(sign_in)).route("/signout", post(sign_out))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: Chrome,
    /// The sign-in form's double-submit token.
    form_token: String,
    login: String,
    failed: bool,
    /// The password was right but the account waits for approval.
    awaiting: bool,
}

/// Why the form is shown again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Again {
    No,
    Failed,
    AwaitingApproval,
}

fn render(web: &Web, c: Chrome, login: String, again: Again, token: String) -> Result<Response, WebError> {
    let status = if again == Again::No { StatusCode::OK } else { StatusCode::UNAUTHORIZED };
    let page = SignInPage {
        c,
        form_token: token.clone(),
        login,
        failed: again != Again::No,
        awaiting: again == Again::AwaitingApproval,
    };
    Ok(signed_out_form((status, Html(page.render()?)).into_response(), web, "/signin", &token))
}

/// The page of a form people fill before they have a session (sign-in, sign-up): the cookie
/// its token is double-submitted against, sent back to `path` only, and no caching.
pub(super) fn signed_out_form(mut resp: Response, web: &Web, path: &'static str, token: &str) -> Response {
    if let Some(v) = session::form_cookie_for(path, token, web.svc.config.dev) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    // The form carries a secret bound to the visitor's cookie: not for shared caches.
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp
}

/// Checks a signed-out form's double-submitted `token`, then counts an attempt of `name` from
/// the client's address (sign-in and sign-up share the counters).
pub(super) fn check_signed_out_form(
    web: &Web,
    visitor: &Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    token: &str,
    name: &str,
) -> Result<(), WebError> {
    if !session::same_secret(visitor.form_cookie.as_deref().unwrap_or(""), token) {
        return Err(WebError::Forbidden);
    }
    let address = connect.map(|Extension(ConnectInfo(a))| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    if !web.attempts.allow(&address, name, Instant::now()) {
        return Err(WebError::TooMany);
    }
    Ok(())
}

async fn form(State(web): State<Web>, visitor: Visitor) -> Response {
    if visitor.me.is_some() {
        return Redirect::to("/home").into_response();
    }
    let c = Chrome::new(&web, &visitor, "signin");
    let token = visitor.form_cookie.clone().unwrap_or_else(credentials::random_secret);
    respond(&c, render(&web, c.clone(), String::new(), Again::No, token))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(web): State<Web>,
    visitor: Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "signin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        check_signed_out_form(&web, &visitor, connect, &f.form_token, f.login.trim())?;
        let user = match credentials::check_login(&web.svc.db, &f.login, &f.password).await? {
            Login::Valid(user) => user,
            Login::AwaitingApproval => return render(&web, c.clone(), f.login, Again::AwaitingApproval, f.form_token),
            Login::Refused => return render(&web, c.clone(), f.login, Again::Failed, f.form_token),
        };
        // A new session every time; the one this browser had (if any) ends.
        if let Some(old) = &visitor.me {
            sessions::end(&web.svc, old.user.id, old.session.id).await.ok();
        }
        let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let started = sessions::start(&web.svc, &user, agent).await?;
        let mut resp = Redirect::to("/home").into_response();
        if let Some(v) = session::session_cookie(&started.cookie, web.svc.config.dev) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        Ok(resp)
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(State(web): State<Web>, visitor: Visitor, form: Result<Form<CsrfForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        sessions::end(&web.svc, me.user.id, me.session.id).await?;
        let mut resp = Redirect::to("/").into_response();
        if let Some(v) = session::clear_session_cookie(web.svc.config.dev) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        Ok(resp)
    }
    .await;
    respond(&c, result)
}
