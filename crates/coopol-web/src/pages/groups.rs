//! Groups: the directory `/groups` (this instance's groups, and the groups of other servers the
//! viewer follows), a group's page `/groups/NAME` or `/groups/NAME@DOMAIN` (about, rules,
//! upcoming events, posts, and the viewer's way in or out), and for a local group's moderators
//! the join requests and the members with their roles. Every change goes through
//! `coopol_service` (`relationships`, `groups`), which checks who may make it.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_core::group::{may_list_members, may_read, GroupRole, JoinMode};
use coopol_db::entities::{accounts, groups as group_rows};
use coopol_db::groups::{self as gq, Person, GROUP};
use coopol_db::{batch, queries};
use coopol_service::groups::members::{self, Standing};
use coopol_service::{events, groups, relationships, statuses};
use serde::Deserialize;

use super::{older_link, ActionForm, Paging};
use crate::error::respond;
use crate::i18n::Tr;
use crate::view::{self, Author, EventView, GroupView, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};
use coopol_service::groups::join::MAX_JOIN_MESSAGE;

/// Upcoming events shown on a group's page.
const EVENTS: usize = 5;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/groups", get(directory))
        .route("/groups/{name}", get(group_page))
        .route("/groups/{name}/join", post(join))
        .route("/groups/{name}/leave", post(leave))
        .route("/groups/{name}/requests", get(requests_page))
        .route("/groups/{name}/requests/{account_id}/{answer}", post(answer))
        .route("/groups/{name}/members", get(members_page))
        .route("/groups/{name}/members/{account_id}/role", post(set_role))
}

/// The group an address names (local with its settings, or of another server), if known here
/// and not suspended.
async fn group(web: &Web, acct: &str) -> Result<(accounts::Model, Option<group_rows::Model>), WebError> {
    let a = super::people::account(web, acct).await?;
    if a.actor_type != GROUP {
        return Err(WebError::NotFound);
    }
    let settings = match a.domain {
        None => Some(gq::settings(&web.svc.db, a.id).await?.ok_or(WebError::NotFound)?),
        Some(_) => None,
    };
    Ok((a, settings))
}

/// A group of this instance: only those have requests and roles here.
async fn local_group(web: &Web, acct: &str) -> Result<(accounts::Model, group_rows::Model), WebError> {
    match group(web, acct).await? {
        (a, Some(g)) => Ok((a, g)),
        (_, None) => Err(WebError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "groups.html")]
struct DirectoryPage {
    c: Chrome,
    local: Vec<GroupView>,
    /// Groups of other servers the viewer follows or asked to join.
    elsewhere: Vec<GroupView>,
}

async fn directory(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let db = &web.svc.db;
        let local: Vec<(accounts::Model, group_rows::Model)> =
            gq::local_groups(db).await?.into_iter().filter(|(a, _)| !a.suspended).collect();
        let elsewhere = match &visitor.me {
            Some(me) => gq::followed_remote_groups(db, me.account.id).await?,
            None => vec![],
        };
        let all: Vec<&accounts::Model> = local.iter().map(|(a, _)| a).chain(elsewhere.iter()).collect();
        let facts = batch::account_facts(db, &all).await?;
        let with_members = |mut v: GroupView, id: i64| {
            v.members = facts.followers.get(&id).copied().unwrap_or(0);
            v
        };
        let page = DirectoryPage {
            local: local.iter().map(|(a, g)| with_members(GroupView::of(&c.tr, a, Some(g)), a.id)).collect(),
            elsewhere: elsewhere.iter().map(|a| with_members(GroupView::of(&c.tr, a, None), a.id)).collect(),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// What the viewer can do about the group, as its page offers it.
enum Way {
    /// Signed out: sign in first.
    SignIn,
    /// Open group (or an unlocked remote one): join at once.
    Join,
    /// On approval: ask, a moderator answers.
    Ask,
    /// By invitation only, and not invited.
    InviteOnly,
    /// The request waits for an answer.
    Pending,
    /// A member, with the role in words.
    Member(String),
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    c: Chrome,
    who: Author,
    /// Sanitised HTML (ours escaped, remote cleaned on arrival).
    note: String,
    /// The join mode in words, and what it means (empty for a group of another server).
    join: String,
    join_help: String,
    private: bool,
    remote_url: Option<String>,
    members: u64,
    rules: Vec<String>,
    way: Way,
    /// Longest message with a request to join.
    max_message: usize,
    /// For its moderators: the requests waiting, and the link to the members.
    moderates: bool,
    requests: u64,
    /// The members' list is open to the viewer.
    lists_members: bool,
    events: Vec<EventView>,
    /// The group's iCalendar feed (a public local group's).
    calendar: Option<String>,
    posts: Vec<PostView>,
    /// A private group's posts are for its people: the viewer is not one of them.
    posts_hidden: bool,
    older: Option<String>,
    path: String,
    /// Where the posts' forms come back to.
    back: String,
}

async fn group_page(
    State(web): State<Web>,
    visitor: Visitor,
    Path(acct): Path<String>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let (a, g) = group(&web, &acct).await?;
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let standing = match viewer {
            Some(v) => members::standing(&web.svc, a.id, v).await?,
            None => Standing::Outside,
        };
        let db = &web.svc.db;
        let path = view::profile_path(&a);
        let readable = g.as_ref().is_none_or(|g| may_read(g.private, standing.role()));
        let (posts, older) = if readable {
            let visible = statuses::profile_visibilities(&web.svc, &a, viewer).await?;
            let paging = paging.map(|Query(p)| p).unwrap_or_default();
            let rows = queries::account_statuses(db, a.id, visible, paging.page()).await?;
            (view::posts(db, &c.tr, &rows, viewer).await?, older_link(&path, &rows, |s| s.id))
        } else {
            (vec![], None)
        };
        let events = events::upcoming_of_group(&web.svc, a.id, viewer, EVENTS).await?;
        let moderates = standing.moderates() && g.is_some();
        let requests = match (&visitor.me, moderates) {
            (Some(me), true) => members::requests(&web.svc, &a, &me.account).await?.len() as u64,
            _ => 0,
        };
        let (members, _) = queries::follow_counts(db, a.id).await?;
        let page = GroupPage {
            who: Author::of(&a),
            note: a.note.clone(),
            join: g.as_ref().map(|g| view::join_mode_words(&c.tr, gq::join_mode(g))).unwrap_or_default(),
            join_help: g.as_ref().map(|g| join_help(&c.tr, gq::join_mode(g))).unwrap_or_default(),
            private: g.as_ref().is_some_and(|g| g.private),
            remote_url: a.domain.as_ref().map(|_| a.url.clone()),
            members,
            rules: g.as_ref().map(|g| rule_lines(&g.rules)).unwrap_or_default(),
            way: way(&c.tr, &visitor, &a, g.as_ref(), standing),
            max_message: MAX_JOIN_MESSAGE,
            moderates,
            requests,
            lists_members: g.as_ref().is_some_and(|g| may_list_members(standing.role(), g.members_visible)),
            events: events.iter().map(|e| EventView::of(&c.tr, e)).collect(),
            calendar: g.as_ref().filter(|g| !g.private).map(|_| format!("{path}/events.ics")),
            posts_hidden: !readable,
            posts,
            older,
            back: path.clone(),
            path,
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// The way in or out the page offers `visitor`.
fn way(tr: &Tr, visitor: &Visitor, a: &accounts::Model, g: Option<&group_rows::Model>, standing: Standing) -> Way {
    if visitor.me.is_none() {
        return Way::SignIn;
    }
    match standing {
        Standing::Member(role) => Way::Member(role_words(tr, role)),
        Standing::Pending => Way::Pending,
        Standing::Outside => match g.map(gq::join_mode) {
            Some(JoinMode::Open) => Way::Join,
            Some(JoinMode::Approval) => Way::Ask,
            Some(JoinMode::Invite) => Way::InviteOnly,
            // A group of another server: its server answers; a locked one asks for approval.
            None if a.locked => Way::Ask,
            None => Way::Join,
        },
    }
}

/// What a join mode means for someone who wants in.
fn join_help(tr: &Tr, mode: JoinMode) -> String {
    match mode {
        JoinMode::Open => tr.t("group-join-open-help"),
        JoinMode::Approval => tr.t("group-join-approval-help"),
        JoinMode::Invite => tr.t("group-join-invite-help"),
    }
}

/// A role in words.
fn role_words(tr: &Tr, role: GroupRole) -> String {
    match role {
        GroupRole::Admin => tr.t("group-role-admin"),
        GroupRole::Moderator => tr.t("group-role-moderator"),
        GroupRole::Member => tr.t("group-role-member"),
        GroupRole::Sympathiser => tr.t("group-role-sympathiser"),
    }
}

/// A group's rules, one per non-empty line, without the numbers or dashes they were typed
/// with (the page numbers them).
fn rule_lines(rules: &str) -> Vec<String> {
    rules
        .lines()
        .map(|l| {
            let l = l.trim();
            let unnumbered = l.trim_start_matches(|c: char| c.is_ascii_digit());
            let unmarked = if unnumbered.len() < l.len() {
                unnumbered.strip_prefix(['.', ')']).unwrap_or(l)
            } else {
                l.strip_prefix(['-', '*', '•']).unwrap_or(l)
            };
            unmarked.trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The join form: its token, and the message for the moderators of a group on approval.
#[derive(Debug, Deserialize)]
struct JoinForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    message: String,
}

async fn join(
    State(web): State<Web>,
    visitor: Visitor,
    Path(acct): Path<String>,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let (a, settings) = group(&web, &acct).await?;
        match settings {
            Some(_) => groups::join::ask_to_join(&web.svc, &me.account, &a, &f.message).await?,
            // Another server's group answers through its server; the message cannot travel.
            None => relationships::follow(&web.svc, &me.account, &a).await?,
        }
        Ok(Redirect::to(&view::profile_path(&a)).into_response())
    }
    .await;
    respond(&c, result)
}

async fn leave(
    State(web): State<Web>,
    visitor: Visitor,
    Path(acct): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let (a, _) = group(&web, &acct).await?;
        relationships::unfollow(&web.svc, &me.account, &a).await?;
        Ok(Redirect::to(&view::profile_path(&a)).into_response())
    }
    .await;
    respond(&c, result)
}

/// A person of a group as the moderation pages show them.
struct PersonView {
    id: i64,
    who: Author,
    role: String,
    /// What they wrote with their request to join (empty if nothing).
    message: String,
    /// The roles the viewer may give them (empty: no form), the current one first.
    choices: Vec<RoleChoice>,
}

struct RoleChoice {
    value: &'static str,
    label: String,
    selected: bool,
}

impl PersonView {
    fn of(tr: &Tr, p: &Person, mine: Option<GroupRole>, me: i64) -> Self {
        let choices = match mine {
            Some(mine) if p.account.id != me => {
                let allowed: Vec<GroupRole> =
                    ALL_ROLES.into_iter().filter(|to| *to == p.role || mine.may_set_role(p.role, *to)).collect();
                if allowed.len() > 1 {
                    allowed
                        .into_iter()
                        .map(|r| RoleChoice { value: r.as_str(), label: role_words(tr, r), selected: r == p.role })
                        .collect()
                } else {
                    vec![]
                }
            }
            _ => vec![],
        };
        PersonView {
            id: p.account.id,
            who: Author::of(&p.account),
            role: role_words(tr, p.role),
            message: String::new(),
            choices,
        }
    }
}

const ALL_ROLES: [GroupRole; 4] = [GroupRole::Admin, GroupRole::Moderator, GroupRole::Member, GroupRole::Sympathiser];

#[derive(Template)]
#[template(path = "group_requests.html")]
struct RequestsPage {
    c: Chrome,
    group: Author,
    path: String,
    people: Vec<PersonView>,
}

async fn requests_page(State(web): State<Web>, visitor: Visitor, Path(acct): Path<String>) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let me = visitor.signed_in()?;
        let (a, _) = local_group(&web, &acct).await?;
        let waiting = members::requests(&web.svc, &a, &me.account).await?;
        let page = RequestsPage {
            people: waiting
                .iter()
                .map(|r| PersonView {
                    message: r.message.clone(),
                    ..PersonView::of(&c.tr, &r.person, None, me.account.id)
                })
                .collect(),
            group: Author::of(&a),
            path: view::profile_path(&a),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// The id of an account in a path; anything else names nothing.
fn account_id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

async fn answer(
    State(web): State<Web>,
    visitor: Visitor,
    Path((acct, who, answer)): Path<(String, String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let accept = match answer.as_str() {
            "accept" => true,
            "reject" => false,
            _ => return Err(WebError::NotFound),
        };
        let (a, _) = local_group(&web, &acct).await?;
        groups::answer_request(&web.svc, &a, &me.account, account_id(&who)?, accept).await?;
        Ok(Redirect::to(&format!("{}/requests", view::profile_path(&a))).into_response())
    }
    .await;
    respond(&c, result)
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersPage {
    c: Chrome,
    group: Author,
    path: String,
    people: Vec<PersonView>,
    count: u64,
}

async fn members_page(State(web): State<Web>, visitor: Visitor, Path(acct): Path<String>) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let me = visitor.signed_in()?;
        let (a, _) = local_group(&web, &acct).await?;
        let people = members::people(&web.svc, &a, &me.account).await?;
        let mine = members::standing(&web.svc, a.id, me.account.id).await?.role().filter(|r| r.can_moderate());
        let people: Vec<PersonView> =
            people.iter().filter(|p| !p.pending).map(|p| PersonView::of(&c.tr, p, mine, me.account.id)).collect();
        let page = MembersPage {
            count: people.len() as u64,
            people,
            group: Author::of(&a),
            path: view::profile_path(&a),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

async fn set_role(
    State(web): State<Web>,
    visitor: Visitor,
    Path((acct, who)): Path<(String, String)>,
    form: Result<Form<RoleForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "groups");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let (a, _) = local_group(&web, &acct).await?;
        groups::set_role(&web.svc, &a, &me.account, account_id(&who)?, &f.role).await?;
        Ok(Redirect::to(&format!("{}/members", view::profile_path(&a))).into_response())
    }
    .await;
    respond(&c, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_lose_the_numbers_they_were_typed_with() {
        let typed = "1. Be kind\n\n2) No spam\n- Stay on topic\n  Plain line  \n2024 is a year";
        assert_eq!(rule_lines(typed), ["Be kind", "No spam", "Stay on topic", "Plain line", "2024 is a year"]);
    }
}
