//! The instance admin's panel, for users whose role is `admin`: `/admin` (the dashboard: counts,
//! queues, unavailable servers), `/admin/domains` (domain blocks with their reasons),
//! `/admin/accounts` (suspend, unsuspend, delete after a confirmation page), `/admin/groups`
//! (suspend after a confirmation page, unsuspend) and `/admin/log`. Every change goes through
//! `coopol_service::admin`, which the command line calls too; anyone else gets a 403 page.
//! The pages share a sub-navigation (`templates/admin_nav.html`): a page of its own adds a line
//! there and names its `section`.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_service::admin::{self, AccountState, AdminAction, MAX_REASON};
use coopol_service::sessions::SignedIn;
use serde::Deserialize;

use crate::error::respond;
use crate::i18n::Tr;
use crate::view::{self, when, Author};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/domains", get(domains).post(block))
        .route("/admin/domains/lift", post(lift))
        .route("/admin/accounts", get(accounts))
        .route("/admin/accounts/{id}/suspend", post(suspend_account))
        .route("/admin/accounts/{id}/unsuspend", post(unsuspend_account))
        .route("/admin/accounts/{id}/delete", get(confirm_delete).post(delete_account))
        .route("/admin/groups", get(groups))
        .route("/admin/groups/{id}/suspend", get(confirm_suspend_group).post(suspend_group))
        .route("/admin/groups/{id}/unsuspend", post(unsuspend_group))
        .route("/admin/log", get(log))
}

/// The signed-in admin, or the refusal: signed out, off to sign in; anyone else, a 403 page.
fn admin_of(visitor: &Visitor) -> Result<&SignedIn, WebError> {
    let me = visitor.signed_in()?;
    admin::require_admin(&me.user).map_err(|_| WebError::AdminOnly)?;
    Ok(me)
}

/// The admin who sent a form: its CSRF token first (nothing changes without it), then the role.
fn admin_form<'a>(visitor: &'a Visitor, csrf: &str) -> Result<&'a SignedIn, WebError> {
    let me = visitor.check_csrf(csrf)?;
    admin::require_admin(&me.user).map_err(|_| WebError::AdminOnly)?;
    Ok(me)
}

/// An admin page: not kept by caches (it carries forms' tokens and private figures).
fn page(body: String) -> Response {
    let mut resp = Html(body).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp
}

/// `?done=...`: what the last form did, shown once at the top of the page it came back to.
#[derive(Debug, Default, Deserialize)]
struct Done {
    #[serde(default)]
    done: String,
}

impl Done {
    /// The message of a known outcome (anything else shows nothing).
    fn message(&self, tr: &Tr) -> Option<String> {
        let key = match self.done.as_str() {
            "blocked" => "admin-done-blocked",
            "lifted" => "admin-done-lifted",
            "suspended" => "admin-done-suspended",
            "unsuspended" => "admin-done-unsuspended",
            "deleted" => "admin-done-deleted",
            "suspended-group" => "admin-done-group-suspended",
            "unsuspended-group" => "admin-done-group-unsuspended",
            _ => return None,
        };
        Some(tr.t(key))
    }
}

fn done(q: Result<Query<Done>, QueryRejection>) -> Done {
    q.map(|Query(d)| d).unwrap_or_default()
}

/// A number of bytes in words (KB, MB, GB: powers of 1,000, as people read them).
fn bytes_words(tr: &Tr, n: u64) -> String {
    let units = [("admin-bytes-gb", 1_000_000_000u64), ("admin-bytes-mb", 1_000_000), ("admin-bytes-kb", 1_000)];
    for (key, size) in units {
        if n >= size {
            let value = format!("{:.1}", n as f64 / size as f64);
            return tr.t1(key, "count", &value);
        }
    }
    tr.tn("admin-bytes", n)
}

#[derive(Template)]
#[template(path = "admin.html")]
struct DashboardPage {
    c: Chrome,
    section: &'static str,
    figures: admin::Dashboard,
    media: String,
}

async fn dashboard(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        let figures = admin::dashboard(&web.svc).await?;
        let media = bytes_words(&c.tr, figures.media_bytes);
        Ok(page(DashboardPage { c: c.clone(), section: "dashboard", figures, media }.render()?))
    }
    .await;
    respond(&c, result)
}

/// A domain block as the list shows it.
struct BlockLine {
    domain: String,
    reason: String,
    since: String,
}

/// A problem with a field of a form: its id (the summary links to it) and the message.
struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "admin_domains.html")]
struct DomainsPage {
    c: Chrome,
    section: &'static str,
    done: Option<String>,
    errors: Vec<FieldError>,
    domain: String,
    reason: String,
    max_reason: usize,
    blocks: Vec<BlockLine>,
}

impl DomainsPage {
    /// The error of a field, if any.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

async fn domains_page(
    web: &Web,
    c: &Chrome,
    done: Option<String>,
    errors: Vec<FieldError>,
    domain: String,
    reason: String,
) -> Result<Response, WebError> {
    let blocks = admin::domain_blocks(&web.svc)
        .await?
        .into_iter()
        .map(|b| BlockLine { domain: b.domain, reason: b.reason, since: when(&b.created_at) })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body =
        DomainsPage { c: c.clone(), section: "domains", done, errors, domain, reason, max_reason: MAX_REASON, blocks }
            .render()?;
    let mut resp = page(body);
    *resp.status_mut() = status;
    Ok(resp)
}

async fn domains(State(web): State<Web>, visitor: Visitor, q: Result<Query<Done>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        domains_page(&web, &c, done(q).message(&c.tr), vec![], String::new(), String::new()).await
    }
    .await;
    respond(&c, result)
}

#[derive(Debug, Deserialize)]
struct BlockForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    reason: String,
}

async fn block(State(web): State<Web>, visitor: Visitor, form: Result<Form<BlockForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = admin_form(&visitor, &f.csrf)?;
        let mut errors = vec![];
        let domain = if f.domain.trim().is_empty() {
            errors.push(FieldError { field: "domain", message: c.t("admin-domain-empty") });
            None
        } else {
            match admin::normalize_domain(&f.domain) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError { field: "domain", message: c.t("admin-domain-invalid") });
                    None
                }
            }
        };
        if f.reason.trim().chars().count() > MAX_REASON {
            errors.push(FieldError { field: "reason", message: c.tr.tn("admin-reason-too-long", MAX_REASON as u64) });
        }
        if let (Some(d), true) = (&domain, errors.is_empty()) {
            if admin::block_domain(&web.svc, Some(me.account.id), d, &f.reason).await? {
                return Ok(Redirect::to("/admin/domains?done=blocked").into_response());
            }
            errors.push(FieldError { field: "domain", message: c.t1("admin-domain-already", "name", d) });
        }
        domains_page(&web, &c, None, errors, f.domain, f.reason).await
    }
    .await;
    respond(&c, result)
}

#[derive(Debug, Deserialize)]
struct LiftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    domain: String,
}

async fn lift(State(web): State<Web>, visitor: Visitor, form: Result<Form<LiftForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = admin_form(&visitor, &f.csrf)?;
        if !admin::unblock_domain(&web.svc, Some(me.account.id), f.domain.trim(), "").await? {
            return Err(WebError::NotFound);
        }
        Ok(Redirect::to("/admin/domains?done=lifted").into_response())
    }
    .await;
    respond(&c, result)
}

/// A local account as the list shows it.
struct AccountLine {
    id: i64,
    who: Author,
    email: String,
    role: String,
    created: String,
    /// `active`, `suspended` or `deleted`.
    state: &'static str,
    state_words: String,
    reason: String,
    /// The admin's own line: no actions.
    me: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    c: Chrome,
    section: &'static str,
    done: Option<String>,
    max_reason: usize,
    count: u64,
    accounts: Vec<AccountLine>,
}

fn role_words(tr: &Tr, role: &str) -> String {
    match role {
        "admin" => tr.t("admin-role-admin"),
        "moderator" => tr.t("admin-role-moderator"),
        _ => tr.t("admin-role-user"),
    }
}

fn state_of(tr: &Tr, state: AccountState) -> (&'static str, String) {
    match state {
        AccountState::Active => ("active", tr.t("admin-state-active")),
        AccountState::Suspended => ("suspended", tr.t("admin-state-suspended")),
        AccountState::Deleted => ("deleted", tr.t("admin-state-deleted")),
    }
}

async fn accounts(State(web): State<Web>, visitor: Visitor, q: Result<Query<Done>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let me = admin_of(&visitor)?;
        let accounts = admin::local_accounts(&web.svc)
            .await?
            .into_iter()
            .map(|a| {
                let (state, state_words) = state_of(&c.tr, a.state);
                AccountLine {
                    id: a.account.id,
                    who: Author::of(&a.account),
                    email: a.user.email.clone(),
                    role: role_words(&c.tr, &a.user.role),
                    created: when(&a.user.created_at),
                    state,
                    state_words,
                    reason: a.reason,
                    me: a.account.id == me.account.id,
                }
            })
            .collect::<Vec<_>>();
        let body = AccountsPage {
            count: accounts.len() as u64,
            c: c.clone(),
            section: "accounts",
            done: done(q).message(&c.tr),
            max_reason: MAX_REASON,
            accounts,
        }
        .render()?;
        Ok(page(body))
    }
    .await;
    respond(&c, result)
}

/// A form with a reason.
#[derive(Debug, Deserialize)]
struct ReasonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// The id in a path; anything else names nothing.
fn id_of(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// What a suspension form is about.
#[derive(Clone, Copy)]
enum Target {
    Account,
    Group,
}

/// Suspends a local account or group, or lifts its suspension (`lift`): the four forms of the
/// accounts and groups pages.
async fn suspension(
    web: Web,
    visitor: Visitor,
    id: String,
    form: Result<Form<ReasonForm>, FormRejection>,
    target: Target,
    lift: bool,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = admin_form(&visitor, &f.csrf)?;
        let (svc, by, id) = (&web.svc, Some(me.account.id), id_of(&id)?);
        let done = match (target, lift) {
            (Target::Account, false) => {
                admin::suspend_account(svc, by, &admin::local_account(svc, id).await?, &f.reason).await?;
                "/admin/accounts?done=suspended"
            }
            (Target::Account, true) => {
                admin::unsuspend_account(svc, by, &admin::local_account(svc, id).await?, &f.reason).await?;
                "/admin/accounts?done=unsuspended"
            }
            (Target::Group, false) => {
                admin::suspend_group(svc, by, &admin::local_group(svc, id).await?, &f.reason).await?;
                "/admin/groups?done=suspended-group"
            }
            (Target::Group, true) => {
                admin::unsuspend_group(svc, by, &admin::local_group(svc, id).await?, &f.reason).await?;
                "/admin/groups?done=unsuspended-group"
            }
        };
        Ok(Redirect::to(done).into_response())
    }
    .await;
    respond(&c, result)
}

async fn suspend_account(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Response {
    suspension(web, visitor, id, form, Target::Account, false).await
}

async fn unsuspend_account(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Response {
    suspension(web, visitor, id, form, Target::Account, true).await
}

/// The page that asks before something that cannot be undone.
#[derive(Template)]
#[template(path = "admin_confirm.html")]
struct ConfirmPage {
    c: Chrome,
    section: &'static str,
    title: String,
    /// What will happen, one sentence a line.
    consequences: Vec<String>,
    action: String,
    button: String,
    back: &'static str,
    max_reason: usize,
}

async fn confirm_delete(State(web): State<Web>, visitor: Visitor, Path(id): Path<String>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        let account = admin::local_account(&web.svc, id_of(&id)?).await?;
        if account.state == AccountState::Deleted {
            return Err(WebError::NotFound);
        }
        let handle = view::handle(&account.account);
        let body = ConfirmPage {
            title: c.t1("admin-delete-title", "name", &handle),
            consequences: vec![
                c.t("admin-delete-posts"),
                c.t("admin-delete-federation"),
                c.t("admin-delete-name"),
                c.t("admin-delete-final"),
            ],
            action: format!("/admin/accounts/{}/delete", account.account.id),
            button: c.t1("admin-delete-button", "name", &handle),
            back: "/admin/accounts",
            max_reason: MAX_REASON,
            section: "accounts",
            c: c.clone(),
        }
        .render()?;
        Ok(page(body))
    }
    .await;
    respond(&c, result)
}

async fn delete_account(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = admin_form(&visitor, &f.csrf)?;
        let account = admin::local_account(&web.svc, id_of(&id)?).await?;
        admin::delete_account(&web.svc, Some(me.account.id), &account, &f.reason).await?;
        Ok(Redirect::to("/admin/accounts?done=deleted").into_response())
    }
    .await;
    respond(&c, result)
}

/// A local group as the list shows it.
struct GroupLine {
    id: i64,
    who: Author,
    suspended: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "admin_groups.html")]
struct GroupsPage {
    c: Chrome,
    section: &'static str,
    done: Option<String>,
    count: u64,
    groups: Vec<GroupLine>,
}

async fn groups(State(web): State<Web>, visitor: Visitor, q: Result<Query<Done>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        let groups = admin::local_groups(&web.svc)
            .await?
            .iter()
            .map(|g| GroupLine { id: g.id, who: Author::of(g), suspended: g.suspended, created: when(&g.created_at) })
            .collect::<Vec<_>>();
        let count = groups.len() as u64;
        let body =
            GroupsPage { c: c.clone(), section: "groups", done: done(q).message(&c.tr), count, groups }.render()?;
        Ok(page(body))
    }
    .await;
    respond(&c, result)
}

async fn confirm_suspend_group(State(web): State<Web>, visitor: Visitor, Path(id): Path<String>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        let group = admin::local_group(&web.svc, id_of(&id)?).await?;
        if group.suspended {
            return Ok(Redirect::to("/admin/groups").into_response());
        }
        let name = view::display_name(&group);
        let body = ConfirmPage {
            title: c.t1("admin-group-suspend-title", "name", &name),
            consequences: vec![
                c.t("admin-group-suspend-here"),
                c.t("admin-group-suspend-federation"),
                c.t("admin-group-suspend-back"),
            ],
            action: format!("/admin/groups/{}/suspend", group.id),
            button: c.t1("admin-group-suspend-button", "name", &name),
            back: "/admin/groups",
            max_reason: MAX_REASON,
            section: "groups",
            c: c.clone(),
        }
        .render()?;
        Ok(page(body))
    }
    .await;
    respond(&c, result)
}

async fn suspend_group(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Response {
    suspension(web, visitor, id, form, Target::Group, false).await
}

async fn unsuspend_group(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Response {
    suspension(web, visitor, id, form, Target::Group, true).await
}

/// An entry of the log as the page shows it.
struct LogLine {
    when: String,
    who: String,
    what: String,
    target: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin_log.html")]
struct LogPage {
    c: Chrome,
    section: &'static str,
    entries: Vec<LogLine>,
    older: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Before {
    #[serde(default)]
    before: Option<String>,
}

fn action_words(tr: &Tr, action: &str) -> String {
    match AdminAction::parse(action) {
        Some(AdminAction::DomainBlock) => tr.t("admin-log-domain-block"),
        Some(AdminAction::DomainUnblock) => tr.t("admin-log-domain-unblock"),
        Some(AdminAction::AccountSuspend) => tr.t("admin-log-account-suspend"),
        Some(AdminAction::AccountUnsuspend) => tr.t("admin-log-account-unsuspend"),
        Some(AdminAction::AccountDelete) => tr.t("admin-log-account-delete"),
        Some(AdminAction::GroupSuspend) => tr.t("admin-log-group-suspend"),
        Some(AdminAction::GroupUnsuspend) => tr.t("admin-log-group-unsuspend"),
        None => action.to_string(),
    }
}

async fn log(State(web): State<Web>, visitor: Visitor, q: Result<Query<Before>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "admin");
    let result = async {
        admin_of(&visitor)?;
        let before = q.ok().and_then(|Query(b)| b.before).and_then(|b| b.parse().ok());
        let rows = admin::log_page(&web.svc, before).await?;
        let older = match rows.last() {
            Some(last) if rows.len() as u64 >= admin::LOG_PAGE => Some(format!("/admin/log?before={}", last.entry.id)),
            _ => None,
        };
        let entries = rows
            .into_iter()
            .map(|r| LogLine {
                when: when(&r.entry.created_at),
                who: match (&r.by, r.entry.actor_account_id) {
                    (Some(a), _) => view::handle(a),
                    (None, None) => c.t("admin-log-command-line"),
                    (None, Some(_)) => c.t("admin-log-someone"),
                },
                what: action_words(&c.tr, &r.entry.action),
                target: r.entry.target,
                reason: r.entry.reason,
            })
            .collect();
        Ok(page(LogPage { c: c.clone(), section: "log", entries, older }.render()?))
    }
    .await;
    respond(&c, result)
}
