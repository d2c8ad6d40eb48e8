//! `/`: the instance's front page: who we are, the rules, the public groups, upcoming public
//! events, the latest local public posts, and how to join.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use coopol_db::calendar::{self, Feed};
use coopol_db::queries::Page;

use crate::error::respond;
use crate::view::{self, EventView, GroupView, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

/// How many of each the front page shows.
const GROUPS: usize = 12;
const EVENTS: usize = 5;
const POSTS: u64 = 10;

pub fn routes() -> Router<Web> {
    Router::new().route("/", get(front)).route(crate::browser::NOT_FOUND_PAGE, get(not_found))
}

/// The page a browser gets for an address nothing answers (the server sends it there, see
/// `browser::wants_error_page`).
async fn not_found(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    respond(&c, Err(WebError::NotFound))
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontPage {
    c: Chrome,
    description: String,
    rules: Vec<String>,
    groups: Vec<GroupView>,
    events: Vec<EventView>,
    posts: Vec<PostView>,
    domain: String,
    /// Who may sign up: `closed`, `invite`, `approval` or `open`.
    registrations: &'static str,
    /// Where the posts' forms come back to.
    back: String,
}

async fn front(State(web): State<Web>, visitor: Visitor) -> Response {
    let c = Chrome::new(&web, &visitor, "front");
    respond(&c, page(&web, c.clone()).await)
}

async fn page(web: &Web, c: Chrome) -> Result<Response, WebError> {
    let db = &web.svc.db;
    let groups = coopol_db::groups::local_groups(db)
        .await?
        .iter()
        .filter(|(a, g)| !g.private && !a.suspended)
        .take(GROUPS)
        .map(|(a, g)| GroupView::of(&c.tr, a, Some(g)))
        .collect();
    let now = Utc::now();
    let events = calendar::public_events(db, Feed::Instance)
        .await?
        .iter()
        .filter(|e| e.starts_at >= now || e.ends_at.is_some_and(|end| end >= now))
        .take(EVENTS)
        .map(|e| EventView::of(&c.tr, e))
        .collect();
    let rows =
        coopol_db::social::public_timeline(db, Some(true), None, Page { limit: POSTS, ..Page::default() }).await?;
    let posts = view::posts(db, &c.tr, &rows, None).await?;
    let description = if web.site.description.trim().is_empty() {
        c.t("front-default-description")
    } else {
        web.site.description.clone()
    };
    let page = FrontPage {
        c,
        description,
        rules: web.site.rules.clone(),
        groups,
        events,
        posts,
        domain: web.svc.config.domain.clone(),
        registrations: coopol_service::registrations::mode(&web.svc).await?.as_str(),
        back: "/".into(),
    };
    Ok(Html(page.render()?).into_response())
}
