//! `/home` (the people I follow, and me) and `/local` (this instance's public posts), with the
//! compose form on top.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coopol_db::queries;

use super::{older_link, Paging};
use crate::error::respond;
use crate::view::{self, Compose, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new().route("/home", get(home)).route("/local", get(local)).route("/hashtags/{tag}", get(hashtag))
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    c: Chrome,
    title: String,
    intro: String,
    compose: Option<Compose>,
    posts: Vec<PostView>,
    older: Option<String>,
    back: String,
}

async fn home(State(web): State<Web>, visitor: Visitor, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "home");
    let result = async {
        let me = visitor.signed_in()?;
        let paging = paging.map(|Query(p)| p).unwrap_or_default();
        let rows = queries::home_timeline(&web.svc.db, me.account.id, paging.page()).await?;
        let posts = view::posts(&web.svc.db, &c.tr, &rows, Some(me.account.id)).await?;
        let page = TimelinePage {
            title: c.t("timeline-home-title"),
            intro: c.t("timeline-home-intro"),
            compose: Some(Compose::new(&c.tr, &me.account, None)),
            older: older_link("/home", &rows, |s| s.id),
            posts,
            back: "/home".into(),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

async fn local(State(web): State<Web>, visitor: Visitor, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "local");
    let result: Result<Response, WebError> = async {
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let paging = paging.map(|Query(p)| p).unwrap_or_default();
        let rows = coopol_db::social::public_timeline(&web.svc.db, Some(true), viewer, paging.page()).await?;
        let posts = view::posts(&web.svc.db, &c.tr, &rows, viewer).await?;
        let page = TimelinePage {
            title: c.t("timeline-local-title"),
            intro: c.t1("timeline-local-intro", "name", &web.svc.config.title),
            compose: visitor.me.as_ref().map(|me| Compose::new(&c.tr, &me.account, None)),
            older: older_link("/local", &rows, |s| s.id),
            posts,
            back: "/local".into(),
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// `/hashtags/NAME`: the public posts known here that carry the hashtag.
async fn hashtag(
    State(web): State<Web>,
    visitor: Visitor,
    Path(tag): Path<String>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result: Result<Response, WebError> = async {
        let tag = tag.trim_start_matches('#').to_lowercase();
        if tag.is_empty() || tag.chars().count() > 100 {
            return Err(WebError::NotFound);
        }
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let paging = paging.map(|Query(p)| p).unwrap_or_default();
        let rows = coopol_db::lists::tag_timeline(&web.svc.db, &tag, None, paging.page()).await?;
        let posts = view::posts(&web.svc.db, &c.tr, &rows, viewer).await?;
        let base = format!("/hashtags/{tag}");
        let page = TimelinePage {
            title: format!("#{tag}"),
            intro: c.t1("timeline-hashtag-intro", "name", &format!("#{tag}")),
            compose: None,
            older: older_link(&base, &rows, |s| s.id),
            posts,
            back: base,
            c: c.clone(),
        };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}
