//! Who is asking: the language to answer in and, when signed in, their session. Every page
//! handler takes a `Visitor` and builds its `Chrome` (what the layout shows) from it.

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use coopol_service::sessions::{self, SignedIn};

use crate::i18n::{Lang, Tr};
use crate::session::{FORM_COOKIE, SESSION_COOKIE};
use crate::{assets, error, Web, WebError};

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    /// Their live session, when signed in.
    pub me: Option<SignedIn>,
    /// The value of the sign-in form's cookie (double-submitted by that form), if any.
    pub form_cookie: Option<String>,
}

impl Visitor {
    /// Their session, or the refusal of a change asked for by someone signed out.
    pub fn signed_in(&self) -> Result<&SignedIn, WebError> {
        self.me.as_ref().ok_or(WebError::SignInFirst)
    }

    /// Their session, if `token` is the CSRF token of its forms; otherwise nothing may change.
    pub fn check_csrf(&self, token: &str) -> Result<&SignedIn, WebError> {
        let me = self.me.as_ref().ok_or(WebError::Forbidden)?;
        if crate::session::same_secret(&me.session.csrf_token, token) {
            Ok(me)
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

impl FromRequestParts<Web> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let accept = parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let browser = Lang::negotiate(accept);
        let me = match cookie_value(parts, SESSION_COOKIE) {
            Some(c) => match sessions::lookup(&web.svc, &c).await {
                Ok(me) => me,
                Err(e) => {
                    let visitor = Visitor { lang: browser, me: None, form_cookie: None };
                    let chrome = Chrome::new(web, &visitor, "");
                    return Err(error::page(&chrome, &WebError::from(e)).into_response());
                }
            },
            None => None,
        };
        let lang = me.as_ref().and_then(|m| m.locale.as_deref()).and_then(Lang::from_code).unwrap_or(browser);
        Ok(Visitor { lang, me, form_cookie: cookie_value(parts, FORM_COOKIE) })
    }
}

/// The signed-in person as the layout shows them.
#[derive(Clone)]
pub struct Me {
    /// Their profile page.
    pub path: String,
}

/// What the layout of every page needs: the messages, the instance's name, the stylesheet,
/// the signed-in person and their forms' CSRF token, and which navigation item is current.
#[derive(Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub instance: String,
    pub css: &'static str,
    pub me: Option<Me>,
    /// The CSRF token of the session's forms (empty when signed out).
    pub csrf: String,
    /// The navigation item of this page (`home`, `local`, ...), or empty.
    pub current: &'static str,
    /// The signed-in person is an admin of the instance: the navigation shows the panel.
    pub admin: bool,
    /// The signed-in person is an admin or a moderator of the instance: the navigation shows
    /// the pages they may use (registrations and invitation links for moderators).
    pub moderator: bool,
}

impl Chrome {
    pub fn new(web: &Web, visitor: &Visitor, current: &'static str) -> Self {
        let me = visitor.me.as_ref().map(|m| Me { path: crate::view::profile_path(&m.account) });
        Chrome {
            tr: Tr::new(web.translations.clone(), visitor.lang),
            instance: web.svc.config.title.clone(),
            css: assets::CSS_URL,
            me,
            csrf: visitor.me.as_ref().map(|m| m.session.csrf_token.clone()).unwrap_or_default(),
            current,
            admin: visitor.me.as_ref().is_some_and(|m| coopol_service::admin::is_admin(&m.user)),
            moderator: visitor
                .me
                .as_ref()
                .is_some_and(|m| m.user.role.parse::<coopol_core::Role>().is_ok_and(coopol_core::Role::can_moderate)),
        }
    }

    /// The message `key` in the visitor's language.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.tr.t1(key, name, value)
    }

    /// The message `key` for a number `count` (templates pass their values by reference).
    pub fn tn(&self, key: &str, count: &u64) -> String {
        self.tr.tn(key, *count)
    }

    /// `aria-current="page"` for the current navigation item.
    pub fn is_current(&self, item: &str) -> bool {
        self.current == item
    }
}
