//! `/settings`: the interface's language, and the sessions of the account (each can be ended;
//! "sign out everywhere" ends them all, this one included).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_service::sessions;
use serde::Deserialize;

use super::ActionForm;
use crate::error::respond;
use crate::i18n::Lang;
use crate::session;
use crate::view::when;
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/settings", get(settings))
        .route("/settings/language", post(language))
        .route("/settings/sessions/end-all", post(end_all))
        .route("/settings/sessions/{id}/end", post(end_one))
}

/// A session as the list shows it.
struct SessionLine {
    id: i64,
    agent: String,
    started: String,
    last_seen: String,
    current: bool,
}

/// A language to choose.
struct LangChoice {
    code: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    languages: Vec<LangChoice>,
    browser_checked: bool,
    sessions: Vec<SessionLine>,
}

async fn settings(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "settings");
    let result = async {
        let me = visitor.signed_in()?;
        let chosen = me.locale.as_deref().and_then(Lang::from_code);
        let languages = Lang::ALL
            .into_iter()
            .map(|l| LangChoice {
                code: l.code(),
                label: c.t(match l {
                    Lang::Fr => "settings-language-fr",
                    Lang::En => "settings-language-en",
                }),
                checked: chosen == Some(l),
            })
            .collect();
        let sessions = sessions::list(&web.svc, me.user.id)
            .await?
            .into_iter()
            .map(|s| SessionLine {
                id: s.id,
                agent: if s.user_agent.trim().is_empty() { c.t("settings-session-unknown") } else { s.user_agent },
                started: when(&s.created_at),
                last_seen: when(&s.last_seen_at),
                current: s.id == me.session.id,
            })
            .collect();
        let page = SettingsPage { c: c.clone(), languages, browser_checked: chosen.is_none(), sessions };
        let mut resp = Html(page.render()?).into_response();
        resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        Ok(resp)
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
}

async fn language(
    State(web): State<Web>,
    visitor: Visitor,
    form: Result<Form<LanguageForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "settings");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let locale = match f.language.as_str() {
            "browser" => None,
            code => Some(Lang::from_code(code).ok_or(WebError::BadRequest)?.code()),
        };
        sessions::set_locale(&web.svc, me.user.id, locale).await?;
        Ok(Redirect::to("/settings").into_response())
    }
    .await;
    respond(&c, result)
}

async fn end_one(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "settings");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
        sessions::end(&web.svc, me.user.id, id).await?;
        if id == me.session.id {
            return Ok(signed_out(&web));
        }
        Ok(Redirect::to("/settings").into_response())
    }
    .await;
    respond(&c, result)
}

async fn end_all(State(web): State<Web>, visitor: Visitor, form: Result<Form<ActionForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "settings");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        sessions::end_all(&web.svc, me.user.id).await?;
        Ok(signed_out(&web))
    }
    .await;
    respond(&c, result)
}

/// Back to the front page, without the session cookie.
fn signed_out(web: &Web) -> Response {
    let mut resp = Redirect::to("/").into_response();
    if let Some(v) = session::clear_session_cookie(web.svc.config.dev) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
