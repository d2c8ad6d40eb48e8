//! A person's page, `/people/NAME` or `/people/NAME@DOMAIN`: who they are, who
//! sees what they post, their posts the viewer may see, and the follow button.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_db::entities::accounts;
use coopol_db::queries;
use coopol_service::{relationships, statuses};

use super::{back_to, older_link, ActionForm, Paging};
use crate::error::respond;
use crate::view::{self, Author, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new().route("/people/{acct}", get(profile)).route("/people/{acct}/{action}", post(act))
}

/// The account an address names, if it is known here and not suspended.
pub(super) async fn account(web: &Web, acct: &str) -> Result<accounts::Model, WebError> {
    let acct = acct.trim_start_matches('@');
    let (user, domain) = match acct.split_once('@') {
        Some((u, d)) if !d.eq_ignore_ascii_case(&web.svc.config.domain) => (u, Some(d)),
        Some((u, _)) => (u, None),
        None => (acct, None),
    };
    queries::account_by_acct(&web.svc.db, user, domain)
        .await?
        .filter(|a| !a.suspended && a.actor_type != "Application")
        .ok_or(WebError::NotFound)
}

/// What the viewer has to do with the account.
#[derive(PartialEq)]
enum Relation {
    Myself,
    Following,
    Requested,
    None,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    who: Author,
    /// Sanitised HTML (ours escaped, remote cleaned on arrival).
    note: String,
    remote_url: Option<String>,
    followers: u64,
    following: u64,
    relation: Relation,
    posts: Vec<PostView>,
    older: Option<String>,
    path: String,
    /// Where the posts' forms come back to.
    back: String,
}

async fn profile(
    State(web): State<Web>,
    visitor: Visitor,
    Path(acct): Path<String>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let a = account(&web, &acct).await?;
        // A group's address (`/users/NAME` opened in a browser) shows the group's page.
        if a.actor_type == coopol_db::groups::GROUP {
            return Ok(Redirect::to(&view::profile_path(&a)).into_response());
        }
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let mut c = c.clone();
        if viewer == Some(a.id) {
            c.current = "me";
        }
        let db = &web.svc.db;
        let visible = statuses::profile_visibilities(&web.svc, &a, viewer).await?;
        let paging = paging.map(|Query(p)| p).unwrap_or_default();
        let rows = queries::account_statuses(db, a.id, visible, paging.page()).await?;
        let path = view::profile_path(&a);
        let older = older_link(&path, &rows, |s| s.id);
        let posts = view::posts(db, &c.tr, &rows, viewer).await?;
        let (followers, following) = queries::follow_counts(db, a.id).await?;
        let relation = match viewer {
            Some(v) if v == a.id => Relation::Myself,
            Some(v) => match queries::follow_between(db, v, a.id).await? {
                Some(f) if f.state == queries::FOLLOW_ACCEPTED => Relation::Following,
                Some(_) => Relation::Requested,
                None => Relation::None,
            },
            None => Relation::None,
        };
        let page = ProfilePage {
            who: Author::of(&a),
            note: a.note.clone(),
            remote_url: a.domain.as_ref().map(|_| a.url.clone()),
            followers,
            following,
            relation,
            posts,
            older,
            back: path.clone(),
            path,
            c,
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

async fn act(
    State(web): State<Web>,
    visitor: Visitor,
    Path((acct, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let target = account(&web, &acct).await?;
        match action.as_str() {
            "follow" => relationships::follow(&web.svc, &me.account, &target).await?,
            "unfollow" => relationships::unfollow(&web.svc, &me.account, &target).await?,
            _ => return Err(WebError::NotFound),
        }
        Ok(Redirect::to(&back_to(&f.back, &view::profile_path(&target))).into_response())
    }
    .await;
    respond(&c, result)
}
