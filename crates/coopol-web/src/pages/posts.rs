//! A post's thread (`/posts/ID`), posting (`POST /posts`) and what one does to a post
//! (favourite, boost and their undoing). Writes go through `coopol_service::statuses`.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_core::Visibility;
use coopol_service::polls::StatusExtras;
use coopol_service::statuses::{self, NewStatus};
use serde::Deserialize;

use super::{back_to, ActionForm};
use crate::error::respond;
use crate::view::{self, Compose, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/posts", post(create))
        .route("/posts/{id}", get(thread))
        .route("/posts/{id}/{action}", post(act))
}

fn post_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    c: Chrome,
    ancestors: Vec<PostView>,
    post: PostView,
    descendants: Vec<PostView>,
    compose: Option<Compose>,
    back: String,
}

/// `?by=NAME`: the local author a federation address (`/@NAME/ID`) named.
#[derive(Deserialize, Default)]
struct ByAuthor {
    by: Option<String>,
}

async fn thread(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    by: Result<Query<ByAuthor>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let s = statuses::visible(&web.svc, post_id(&id)?, viewer).await?;
        if let Some(name) = by.map(|Query(b)| b).unwrap_or_default().by {
            let author = coopol_db::queries::account_by_id(&web.svc.db, s.account_id).await?;
            if !author.is_some_and(|a| a.domain.is_none() && a.username.eq_ignore_ascii_case(&name)) {
                return Err(WebError::NotFound);
            }
        }
        // A boost's page is the boosted post's.
        if let Some(original) = s.reblog_of_id {
            return Ok(Redirect::to(&format!("/posts/{original}")).into_response());
        }
        let (ancestors, descendants) = statuses::context(&web.svc, &s, viewer).await?;
        let db = &web.svc.db;
        let post = view::posts(db, &c.tr, std::slice::from_ref(&s), viewer).await?.pop().ok_or(WebError::NotFound)?;
        let ancestors = view::posts(db, &c.tr, &ancestors, viewer).await?;
        let descendants = view::posts(db, &c.tr, &descendants, viewer).await?;
        let compose = match &visitor.me {
            Some(me) => {
                let author = coopol_db::queries::account_by_id(db, s.account_id).await?.ok_or(WebError::NotFound)?;
                Some(Compose::new(&c.tr, &me.account, Some((&s, &author))))
            }
            None => None,
        };
        let page = ThreadPage { c: c.clone(), ancestors, post, descendants, compose, back: format!("/posts/{}", s.id) };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

#[derive(Deserialize)]
struct ComposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    spoiler: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    in_reply_to: String,
    #[serde(default)]
    key: String,
}

async fn create(State(web): State<Web>, visitor: Visitor, form: Result<Form<ComposeForm>, FormRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let visibility: Visibility = f.visibility.parse().map_err(|_| WebError::BadRequest)?;
        let in_reply_to_id = match f.in_reply_to.trim() {
            "" => None,
            id => Some(id.parse().map_err(|_| WebError::BadRequest)?),
        };
        let new = NewStatus {
            text: &f.text,
            visibility: Some(visibility),
            in_reply_to_id,
            spoiler_text: f.spoiler.trim(),
            sensitive: false,
            language: Some(visitor.lang.code()),
            mentions: statuses::known_mentions(&web.svc, &f.text).await?,
            extras: StatusExtras::default(),
        };
        let s = statuses::create_once(&web.svc, &me.account, Some(&f.key), new).await?;
        Ok(Redirect::to(&format!("/posts/{}", s.id)).into_response())
    }
    .await;
    respond(&c, result)
}

async fn act(
    State(web): State<Web>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let s = statuses::visible(&web.svc, post_id(&id)?, Some(me.account.id)).await?;
        match action.as_str() {
            "favourite" => statuses::favourite(&web.svc, &me.account, &s).await?,
            "unfavourite" => statuses::unfavourite(&web.svc, &me.account, &s).await?,
            "boost" => statuses::boost(&web.svc, &me.account, &s).await.map(drop)?,
            "unboost" => statuses::unboost(&web.svc, &me.account, &s).await.map(drop)?,
            _ => return Err(WebError::NotFound),
        }
        Ok(Redirect::to(&back_to(&f.back, &format!("/posts/{}", s.id))).into_response())
    }
    .await;
    respond(&c, result)
}
