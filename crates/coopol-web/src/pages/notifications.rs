//! `/notifications`: what happened to the signed-in person (mentions, follows, favourites,
//! boosts, polls, events), newest first, with accept/reject on follow requests. Reads the rows
//! the Mastodon API reads (`coopol_db::notifications`) and moves the same read marker.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use coopol_db::entities::{accounts, notifications as rows, statuses};
use coopol_db::queries::{self, Page};
use coopol_db::{batch, markers, notifications};
use coopol_service::{events, relationships};
use serde::Deserialize;

use super::{back_to, ActionForm, PAGE_LENGTH};
use crate::error::respond;
use crate::i18n::Tr;
use crate::view::{self, Author};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/requests/{account_id}/{action}", post(answer_request))
}

/// `?max_id=` (older page) and `?only=mentions`; anything else shows the newest page of all.
#[derive(Debug, Default, Deserialize)]
struct Wanted {
    #[serde(default)]
    max_id: Option<String>,
    #[serde(default)]
    only: Option<String>,
}

impl Wanted {
    fn mentions_only(&self) -> bool {
        self.only.as_deref() == Some("mentions")
    }
    fn max_id(&self) -> Option<i64> {
        self.max_id.as_deref().and_then(|m| m.parse().ok())
    }
}

/// One notification as a line of the page.
pub struct NotificationView {
    pub id: i64,
    pub actor: Author,
    /// "Alice mentioned you", in the visitor's language.
    pub sentence: String,
    /// The post excerpt or event title, and its page.
    pub about: Option<(String, String)>,
    pub when: String,
    pub iso: String,
    /// For a follow request still waiting: the actor's id, for the accept/reject forms.
    pub pending_request: Option<i64>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    items: Vec<NotificationView>,
    mentions_only: bool,
    older: Option<String>,
    back: String,
}

async fn list(State(web): State<Web>, visitor: Visitor, wanted: Result<Query<Wanted>, QueryRejection>) -> Response {
    let c = Chrome::new(&web, &visitor, "notifications");
    let result = async {
        let me = visitor.signed_in()?;
        let wanted = wanted.map(|Query(w)| w).unwrap_or_default();
        let filter = notifications::Filter {
            types: if wanted.mentions_only() { vec![notifications::MENTION.to_string()] } else { Vec::new() },
            ..Default::default()
        };
        let page = Page { max_id: wanted.max_id(), limit: PAGE_LENGTH, ..Page::default() };
        let found = notifications::page(&web.svc.db, me.account.id, &filter, page).await?;
        if wanted.max_id().is_none() {
            mark_read(&web, me.account.id, &found).await?;
        }
        let base = if wanted.mentions_only() { "/notifications?only=mentions&" } else { "/notifications?" };
        let older = (found.len() as u64 >= PAGE_LENGTH)
            .then(|| found.last().map(|n| format!("{base}max_id={}", n.id)))
            .flatten();
        let items = views(&web, &c.tr, &me.account, &found).await?;
        let back = match wanted.max_id() {
            Some(m) => format!("{base}max_id={m}"),
            None => "/notifications".into(),
        };
        let page = NotificationsPage { items, mentions_only: wanted.mentions_only(), older, back, c: c.clone() };
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// Seeing the newest page reads them, as a Mastodon app does: the `notifications` marker moves
/// to the newest one shown (never backwards).
async fn mark_read(web: &Web, account_id: i64, shown: &[rows::Model]) -> Result<(), WebError> {
    let Some(newest) = shown.first() else { return Ok(()) };
    let current = markers::get(&web.svc.db, account_id, &["notifications".to_string()]).await?;
    if current.first().is_some_and(|m| m.last_read_id >= newest.id) {
        return Ok(());
    }
    markers::set(&web.svc.db, account_id, "notifications", newest.id).await?;
    Ok(())
}

/// The lines of a page; those whose actor or post is gone, or whose post the person may no
/// longer see, are left out (as the API leaves them out).
async fn views(
    web: &Web,
    tr: &Tr,
    me: &accounts::Model,
    found: &[rows::Model],
) -> Result<Vec<NotificationView>, WebError> {
    let db = &web.svc.db;
    let actors = batch::accounts(db, &found.iter().map(|n| n.from_account_id).collect::<Vec<_>>()).await?;
    let posts = batch::statuses(db, &found.iter().filter_map(|n| n.status_id).collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(found.len());
    for n in found {
        let Some(actor) = actors.get(&n.from_account_id) else { continue };
        let about = match n.status_id {
            Some(id) => match posts.get(&id) {
                Some(s) if coopol_service::statuses::can_view(&web.svc, s, Some(me.id)).await? => {
                    Some(about(web, &n.kind, s).await?)
                }
                _ => continue,
            },
            None => None,
        };
        let pending_request = if n.kind == notifications::FOLLOW_REQUEST {
            queries::follow_between(db, actor.id, me.id)
                .await?
                .filter(|f| f.state == coopol_db::queries::FOLLOW_PENDING)
                .map(|_| actor.id)
        } else {
            None
        };
        out.push(NotificationView {
            id: n.id,
            sentence: tr.t1(sentence_key(&n.kind), "name", &view::display_name(actor)),
            actor: Author::of(actor),
            about,
            when: view::when(&n.created_at),
            iso: n.created_at.to_rfc3339(),
            pending_request,
        });
    }
    Ok(out)
}

/// What a notification links to: the event's title and page for an event notification, else
/// the post's first words and page.
async fn about(web: &Web, kind: &str, s: &statuses::Model) -> Result<(String, String), WebError> {
    if kind.starts_with("coopol.event_") {
        if let Some(e) = events::event_of_status(&web.svc.db, s.id).await? {
            return Ok((e.title, format!("/events/{}", e.id)));
        }
    }
    let text = s.source_text.clone().unwrap_or_else(|| strip_tags(&s.content));
    Ok((view::excerpt(&text, 120), format!("/posts/{}", s.id)))
}

/// The text of sanitised HTML, for an excerpt (a remote post has no source text).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// The message of each type; a type this page does not know yet gets a plain sentence.
fn sentence_key(kind: &str) -> &'static str {
    match kind {
        notifications::MENTION => "notif-mention",
        notifications::STATUS => "notif-status",
        notifications::REBLOG => "notif-reblog",
        notifications::FOLLOW => "notif-follow",
        notifications::FOLLOW_REQUEST => "notif-follow-request",
        notifications::FAVOURITE => "notif-favourite",
        notifications::POLL => "notif-poll",
        notifications::UPDATE => "notif-update",
        notifications::EVENT_PARTICIPATION_REQUEST => "notif-event-request",
        notifications::EVENT_PARTICIPATION_ACCEPTED => "notif-event-accepted",
        notifications::EVENT_REMINDER => "notif-event-reminder",
        _ => "notif-other",
    }
}

/// Accept or reject a follow request, through the service functions the Mastodon API uses.
async fn answer_request(
    State(web): State<Web>,
    visitor: Visitor,
    Path((account_id, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "notifications");
    let result = async {
        let Form(f) = form.map_err(|_| WebError::BadRequest)?;
        let me = visitor.check_csrf(&f.csrf)?;
        let id: i64 = account_id.parse().map_err(|_| WebError::NotFound)?;
        let follower = queries::account_by_id(&web.svc.db, id).await?.ok_or(WebError::NotFound)?;
        match action.as_str() {
            "accept" => relationships::authorize_follow(&web.svc, &me.account, &follower).await?,
            "reject" => relationships::reject_follow(&web.svc, &me.account, &follower).await?,
            _ => return Err(WebError::NotFound),
        }
        Ok(Redirect::to(&back_to(&f.back, "/notifications")).into_response())
    }
    .await;
    respond(&c, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_own_sentence() {
        for kind in notifications::KINDS {
            assert_ne!(sentence_key(kind), "notif-other", "{kind}");
        }
    }

    #[test]
    fn excerpts_of_remote_posts_lose_their_markup() {
        assert_eq!(strip_tags("<p>Rendez-vous &amp; tracts</p>").trim(), "Rendez-vous & tracts");
    }
}
