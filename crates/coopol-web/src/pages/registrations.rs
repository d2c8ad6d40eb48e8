//! Getting an account: the sign-up page (`/signup`, and `/invite/<code>` for an invitation
//! link), and the pages where admins and moderators answer the accounts that wait, choose who
//! may sign up (`/admin/registrations`) and make invitation links (`/admin/invitations`).
//! Everything goes through `coopol_service::registrations`, as the command line does.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use coopol_core::{RegistrationMode, Role};
use coopol_db::entities::{invitations, users};
use coopol_service::registrations::{self, By, NewAccount, Problem, Registered, RegistrationError, SignUp};
use coopol_service::{credentials, sessions};
use serde::Deserialize;

use super::signin::{check_signed_out_form, signed_out_form};
use crate::error::respond;
use crate::session;
use crate::view::when;
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/invite/{code}", get(invitation_form))
        .route("/admin/registrations", get(registrations_page).post(set_mode))
        .route("/admin/registrations/{user_id}/{answer}", post(answer))
        .route("/admin/invitations", get(invitations_page).post(create_invitation))
        .route("/admin/invitations/{code}/withdraw", post(withdraw))
}

/// A field's error, as the form shows it next to the field and in the summary.
struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    c: Chrome,
    form_token: String,
    /// What the page may offer: the form, or why there is none.
    state: DoorState,
    invitation: String,
    username: String,
    email: String,
    reason: String,
    /// The instance approves accounts and this sign-up has no invitation: ask for a reason.
    ask_reason: bool,
    rules: Vec<String>,
    errors: Vec<FieldError>,
    domain: String,
}

impl SignUpPage {
    /// The error of `field`, if any.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// What the sign-up page can do for this visitor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DoorState {
    /// The form (open, on approval, or with a working invitation).
    Form,
    /// Registrations are closed, or by invitation and none was given.
    Closed,
    /// By invitation only and none was given.
    InviteOnly,
    /// The invitation link no longer works.
    InvitationInvalid,
}

/// What a blank sign-up page is under `mode`, with `invitation` (checked) if any.
fn door(mode: RegistrationMode, invitation: Option<&invitations::Model>) -> DoorState {
    match (mode, invitation) {
        (RegistrationMode::Closed, _) => DoorState::Closed,
        (_, Some(i)) if registrations::usable(i) => DoorState::Form,
        (_, Some(_)) => DoorState::InvitationInvalid,
        (RegistrationMode::Invite, None) => DoorState::InviteOnly,
        (RegistrationMode::Approval | RegistrationMode::Open, None) => DoorState::Form,
    }
}

struct Blank<'a> {
    state: DoorState,
    invitation: &'a str,
    ask_reason: bool,
}

fn blank_page(web: &Web, c: Chrome, token: String, b: Blank<'_>) -> SignUpPage {
    SignUpPage {
        c,
        form_token: token,
        state: b.state,
        invitation: b.invitation.to_string(),
        username: String::new(),
        email: String::new(),
        reason: String::new(),
        ask_reason: b.ask_reason,
        rules: web.site.rules.clone(),
        errors: Vec::new(),
        domain: web.svc.config.domain.clone(),
    }
}

/// Renders the sign-up page with the form's double-submit cookie.
fn render_sign_up(web: &Web, page: SignUpPage, status: StatusCode) -> Result<Response, WebError> {
    let token = page.form_token.clone();
    Ok(signed_out_form((status, Html(page.render()?)).into_response(), web, "/signup", &token))
}

async fn sign_up_form(State(web): State<Web>, visitor: Visitor) -> Response {
    open_door(web, visitor, None).await
}

async fn invitation_form(State(web): State<Web>, visitor: Visitor, Path(code): Path<String>) -> Response {
    open_door(web, visitor, Some(code)).await
}

async fn open_door(web: Web, visitor: Visitor, code: Option<String>) -> Response {
    if visitor.me.is_some() {
        return Redirect::to("/home").into_response();
    }
    let c = Chrome::new(&web, &visitor, "signup");
    let result = async {
        let mode = registrations::mode(&web.svc).await?;
        let invitation = match &code {
            Some(code) => registrations::invitation_by_code(&web.svc, code).await?,
            None => None,
        };
        let state = match (&code, &invitation) {
            // A link whose code is unknown is as useless as a used-up one, and says so.
            (Some(_), None) if mode != RegistrationMode::Closed => DoorState::InvitationInvalid,
            _ => door(mode, invitation.as_ref()),
        };
        let token = visitor.form_cookie.clone().unwrap_or_else(credentials::random_secret);
        let ask_reason = mode == RegistrationMode::Approval && invitation.is_none();
        let page =
            blank_page(&web, c.clone(), token, Blank { state, invitation: code.as_deref().unwrap_or(""), ask_reason });
        let status = match state {
            DoorState::Form => StatusCode::OK,
            DoorState::InvitationInvalid => StatusCode::GONE,
            DoorState::Closed | DoorState::InviteOnly => StatusCode::FORBIDDEN,
        };
        render_sign_up(&web, page, status)
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    invitation: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    agreement: Option<String>,
}

/// The message of a problem with the form, in the visitor's language.
fn problem_message(c: &Chrome, p: Problem) -> String {
    let key = match p {
        Problem::UsernameInvalid => "signup-error-username-invalid",
        Problem::UsernameTaken => "signup-error-username-taken",
        Problem::EmailInvalid => "signup-error-email-invalid",
        Problem::EmailTaken => "signup-error-email-taken",
        Problem::PasswordTooShort => "signup-error-password-short",
        Problem::PasswordTooLong => "signup-error-password-long",
        Problem::ReasonMissing => "signup-error-reason-missing",
        Problem::ReasonTooLong => "signup-error-reason-long",
    };
    c.t(key)
}

async fn sign_up(
    State(web): State<Web>,
    visitor: Visitor,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<SignUpForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "signup");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        check_signed_out_form(&web, &visitor, connect, &f.form_token, &format!("signup:{}", f.username.trim()))?;
        let mode = registrations::mode(&web.svc).await?;
        let invitation = f.invitation.trim().to_string();
        let ask_reason = mode == RegistrationMode::Approval && invitation.is_empty();
        let request = SignUp {
            account: NewAccount {
                username: f.username.trim().to_string(),
                email: f.email.trim().to_string(),
                password: f.password.clone(),
            },
            reason: f.reason.clone(),
            invitation: (!invitation.is_empty()).then(|| invitation.clone()),
            locale: Some(visitor.lang.code().to_string()),
        };
        let refused = |state: DoorState, errors: Vec<FieldError>, status: StatusCode| {
            let mut page =
                blank_page(&web, c.clone(), f.form_token.clone(), Blank { state, invitation: &invitation, ask_reason });
            page.username = f.username.clone();
            page.email = f.email.clone();
            page.reason = f.reason.clone();
            page.errors = errors;
            render_sign_up(&web, page, status)
        };
        // The rules are accepted in the form; the service never sees a sign-up without it.
        let mut errors = Vec::new();
        if f.agreement.is_none() {
            errors.push(FieldError { field: "agreement", message: c.t("signup-error-agreement") });
        }
        let outcome = if errors.is_empty() {
            registrations::sign_up(&web.svc, &request).await
        } else {
            // Say everything that is wrong at once.
            let found = registrations::problems(&web.svc.db, &request.account).await?;
            Err(RegistrationError::Problems(found))
        };
        match outcome {
            Ok(Registered::Active(user)) => {
                let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
                let started = sessions::start(&web.svc, &user, agent).await?;
                let mut resp = Redirect::to("/home").into_response();
                if let Some(v) = session::session_cookie(&started.cookie, web.svc.config.dev) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
                Ok(resp)
            }
            Ok(Registered::Pending(_)) => {
                let page = WaitingPage { c: c.clone() };
                Ok(Html(page.render()?).into_response())
            }
            Err(RegistrationError::Problems(found)) => {
                errors.extend(
                    found.into_iter().map(|p| FieldError { field: p.field(), message: problem_message(&c, p) }),
                );
                if errors.is_empty() {
                    return Err(WebError::BadRequest);
                }
                refused(DoorState::Form, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(RegistrationError::Closed) => refused(DoorState::Closed, Vec::new(), StatusCode::FORBIDDEN),
            Err(RegistrationError::InvitationInvalid) => {
                refused(DoorState::InvitationInvalid, Vec::new(), StatusCode::GONE)
            }
            Err(RegistrationError::Service(e)) => Err(e.into()),
        }
    }
    .await;
    respond(&c, result)
}

#[derive(Template)]
#[template(path = "signup_waiting.html")]
struct WaitingPage {
    c: Chrome,
}

/// The signed-in user, if they are an admin or moderator of the instance.
fn moderator(visitor: &Visitor) -> Result<&users::Model, WebError> {
    let me = visitor.signed_in()?;
    match me.user.role.parse::<Role>() {
        Ok(r) if r.can_moderate() => Ok(&me.user),
        _ => Err(WebError::NotAllowed(String::new())),
    }
}

/// An account waiting for approval, as the list shows it.
struct WaitingLine {
    user_id: i64,
    username: String,
    email: String,
    reason: String,
    asked: String,
}

/// A mode to choose.
struct ModeChoice {
    value: &'static str,
    label: String,
    hint: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin_registrations.html")]
struct RegistrationsPage {
    c: Chrome,
    /// Only admins change the mode; moderators answer the waiting accounts.
    admin: bool,
    modes: Vec<ModeChoice>,
    waiting: Vec<WaitingLine>,
    notice: String,
}

#[derive(Deserialize, Default)]
struct Notice {
    #[serde(default)]
    done: String,
}

fn mode_choices(c: &Chrome, current: RegistrationMode) -> Vec<ModeChoice> {
    RegistrationMode::ALL
        .into_iter()
        .map(|m| ModeChoice {
            value: m.as_str(),
            label: c.t(&format!("registrations-mode-{}", m.as_str())),
            hint: c.t(&format!("registrations-mode-{}-hint", m.as_str())),
            checked: m == current,
        })
        .collect()
}

/// The confirmation shown after a change (`?done=...`), from a fixed set.
fn notice_text(c: &Chrome, done: &str) -> String {
    match done {
        "mode" | "approved" | "rejected" | "created" | "withdrawn" => c.t(&format!("registrations-done-{done}")),
        _ => String::new(),
    }
}

async fn registrations_page(
    State(web): State<Web>,
    visitor: Visitor,
    notice: Result<Query<Notice>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let me = moderator(&visitor)?;
        let mode = registrations::mode(&web.svc).await?;
        let waiting = registrations::waiting(&web.svc)
            .await?
            .into_iter()
            .map(|w| WaitingLine {
                user_id: w.user.id,
                username: w.account.username,
                email: w.user.email,
                reason: w.user.sign_up_reason.unwrap_or_default(),
                asked: when(&w.user.created_at),
            })
            .collect();
        let done = notice.map(|n| n.0.done).unwrap_or_default();
        let page = RegistrationsPage {
            admin: me.role == Role::Admin.as_str(),
            modes: mode_choices(&c, mode),
            waiting,
            notice: notice_text(&c, &done),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct ModeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    mode: String,
}

async fn set_mode(State(web): State<Web>, visitor: Visitor, form: Result<Form<ModeForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        if me.user.role != Role::Admin.as_str() {
            return Err(WebError::NotAllowed(String::new()));
        }
        let mode: RegistrationMode = f.mode.parse().map_err(|_| WebError::BadRequest)?;
        registrations::set_mode(&web.svc, mode).await?;
        Ok(Redirect::to("/admin/registrations?done=mode").into_response())
    }
    .await;
    respond(&c, result)
}

async fn answer(
    State(web): State<Web>,
    visitor: Visitor,
    Path((user_id, answer)): Path<(i64, String)>,
    form: Result<Form<super::ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let done = match answer.as_str() {
            "approve" => {
                registrations::approve(&web.svc, By::User(&me.user), user_id).await?;
                "approved"
            }
            "reject" => {
                registrations::reject(&web.svc, By::User(&me.user), user_id).await?;
                "rejected"
            }
            _ => return Err(WebError::NotFound),
        };
        Ok(Redirect::to(&format!("/admin/registrations?done={done}")).into_response())
    }
    .await;
    respond(&c, result)
}

/// An invitation link as the list shows it.
struct InvitationLine {
    code: String,
    link: String,
    uses: String,
    expiry: String,
    works: bool,
}

#[derive(Template)]
#[template(path = "admin_invitations.html")]
struct InvitationsPage {
    c: Chrome,
    invitations: Vec<InvitationLine>,
    mode_note: String,
    notice: String,
    /// The link just made, shown on top to copy.
    fresh: String,
}

#[derive(Deserialize, Default)]
struct InvitationsQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    code: String,
}

async fn invitations_page(
    State(web): State<Web>,
    visitor: Visitor,
    query: Result<Query<InvitationsQuery>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        moderator(&visitor)?;
        let base = web.svc.config.base_url();
        let q = query.map(|q| q.0).unwrap_or_default();
        let list = registrations::invitations(&web.svc).await?;
        let fresh = list
            .iter()
            .find(|i| !q.code.is_empty() && i.code == q.code)
            .map(|i| format!("{base}{}", registrations::invitation_path(&i.code)))
            .unwrap_or_default();
        let invitations = list
            .into_iter()
            .map(|i| InvitationLine {
                link: format!("{base}{}", registrations::invitation_path(&i.code)),
                uses: match i.max_uses {
                    Some(m) => c.tr.t2("invitations-uses-of", ("used", &i.uses.to_string()), ("max", &m.to_string())),
                    None => c.t1("invitations-uses", "used", &i.uses.to_string()),
                },
                expiry: match i.expires_at {
                    Some(t) => c.t1("invitations-until", "name", &when(&t)),
                    None => c.t("invitations-no-expiry"),
                },
                works: registrations::usable(&i),
                code: i.code,
            })
            .collect();
        let mode_note = match registrations::mode(&web.svc).await? {
            RegistrationMode::Closed => c.t("invitations-mode-closed"),
            _ => String::new(),
        };
        let page = InvitationsPage { invitations, mode_note, notice: notice_text(&c, &q.done), fresh, c: c.clone() };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct InvitationForm {
    #[serde(default)]
    csrf: String,
    /// `1`, `5`, `25`... or `unlimited`.
    #[serde(default)]
    uses: String,
    /// Days, or `never`.
    #[serde(default)]
    days: String,
}

async fn create_invitation(
    State(web): State<Web>,
    visitor: Visitor,
    form: Result<Form<InvitationForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let uses = match f.uses.as_str() {
            "unlimited" => None,
            n => Some(n.parse::<i32>().map_err(|_| WebError::BadRequest)?),
        };
        let days = match f.days.as_str() {
            "never" => None,
            n => Some(chrono::Duration::days(n.parse::<i64>().map_err(|_| WebError::BadRequest)?)),
        };
        let i = registrations::invite(&web.svc, By::User(&me.user), me.account.id, uses, days).await?;
        Ok(Redirect::to(&format!("/admin/invitations?done=created&code={}", i.code)).into_response())
    }
    .await;
    respond(&c, result)
}

async fn withdraw(
    State(web): State<Web>,
    visitor: Visitor,
    Path(code): Path<String>,
    form: Result<Form<super::ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        registrations::withdraw(&web.svc, By::User(&me.user), &code).await?;
        Ok(Redirect::to("/admin/invitations?done=withdrawn").into_response())
    }
    .await;
    respond(&c, result)
}
