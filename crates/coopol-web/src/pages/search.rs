//! `/search?q=`: people and groups by name, posts by their words (signed in), and what a
//! handle (`@name@domain`, `!group@domain`) or a pasted URL names. A handle or URL this
//! instance does not know yet is looked up on its server for a signed-in person (through the
//! server's [`crate::lookup::Lookup`]), then opened: as on Mastodon, signed-out visitors only
//! search what is already here, so the page is no open proxy.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use coopol_db::entities::{accounts, statuses};
use coopol_db::queries;
use coopol_service::statuses as status_rules;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::error::respond;
use crate::lookup::Found;
use crate::view::{self, Author, PostView};
use crate::visitor::{Chrome, Visitor};
use crate::{Web, WebError};

/// Most results of each kind on the page.
const RESULTS: u64 = 20;
/// Longest query read.
const MAX_QUERY: usize = 500;

pub fn routes() -> Router<Web> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    searched: bool,
    accounts: Vec<Author>,
    posts: Vec<PostView>,
    /// Why a handle or URL led nowhere, if it did.
    missing: String,
    back: String,
}

/// What a query is.
enum Asked<'a> {
    Handle { user: &'a str, domain: &'a str },
    Url(&'a str),
    Words(&'a str),
}

fn parse(q: &str) -> Asked<'_> {
    if q.starts_with("https://") || q.starts_with("http://") {
        return Asked::Url(q);
    }
    let bare = q.strip_prefix('@').or_else(|| q.strip_prefix('!')).unwrap_or(q);
    match bare.split_once('@') {
        Some((user, domain))
            if !user.is_empty() && !domain.is_empty() && !q.contains(char::is_whitespace) && !domain.contains('@') =>
        {
            Asked::Handle { user, domain }
        }
        _ => Asked::Words(q),
    }
}

async fn search(
    State(web): State<Web>,
    visitor: Visitor,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let c = Chrome::new(&web, &visitor, "search");
    let result = async {
        let raw = query.map(|q| q.0.q).unwrap_or_default();
        let q: String = raw.trim().chars().take(MAX_QUERY).collect();
        let viewer = visitor.me.as_ref().map(|m| m.account.id);
        let mut page = SearchPage {
            c: c.clone(),
            searched: !q.is_empty(),
            q: q.clone(),
            accounts: Vec::new(),
            posts: Vec::new(),
            missing: String::new(),
            back: format!("/search?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()),
        };
        if q.is_empty() {
            return Ok(Html(page.render()?).into_response());
        }
        let lookup = web.site.lookup.clone().filter(|_| viewer.is_some());
        match parse(&q) {
            Asked::Handle { user, domain } => {
                let domain = domain.to_lowercase();
                let local = domain == web.svc.config.domain;
                let known =
                    queries::account_by_acct(&web.svc.db, user, if local { None } else { Some(domain.as_str()) })
                        .await?;
                let found = match (known, &lookup) {
                    (Some(a), _) => Some(a),
                    (None, Some(l)) if !local => l.handle(user, &domain).await.unwrap_or_else(|e| {
                        tracing::info!(handle = %q, error = %e, "web search could not find a handle");
                        None
                    }),
                    _ => None,
                };
                match found.filter(|a| !a.suspended) {
                    Some(a) => return Ok(Redirect::to(&view::profile_path(&a)).into_response()),
                    None => page.missing = c.t1("search-no-handle", "name", &q),
                }
            }
            Asked::Url(url) => match known_url(&web, url, viewer).await? {
                Some(to) => return Ok(Redirect::to(&to).into_response()),
                None => {
                    if let Some(l) = &lookup {
                        match l.url(url).await {
                            Ok(Some(Found::Account(a))) if !a.suspended => {
                                return Ok(Redirect::to(&view::profile_path(&a)).into_response())
                            }
                            Ok(Some(Found::Status(s))) if status_rules::can_view(&web.svc, &s, viewer).await? => {
                                return Ok(Redirect::to(&format!("/posts/{}", s.id)).into_response())
                            }
                            Ok(_) => {}
                            Err(e) => tracing::info!(url, error = %e, "web search could not open a URL"),
                        }
                    }
                    page.missing = c.t("search-no-url");
                }
            },
            Asked::Words(words) => {
                page.accounts = coopol_db::social::search_accounts(&web.svc.db, words, RESULTS, 0)
                    .await?
                    .iter()
                    .filter(|a| a.actor_type != "Application")
                    .map(Author::of)
                    .collect();
                if let Some(v) = viewer {
                    let mut rows = Vec::new();
                    for s in coopol_db::social::search_local_statuses(&web.svc.db, words, v, RESULTS, 0).await? {
                        if status_rules::can_view(&web.svc, &s, viewer).await? {
                            rows.push(s);
                        }
                    }
                    page.posts = view::posts(&web.svc.db, &c.tr, &rows, viewer).await?;
                }
            }
        }
        Ok(Html(page.render()?).into_response())
    }
    .await;
    respond(&c, result)
}

/// The page of what `url` names when this instance knows it: a post the viewer may see (by its
/// id or its link), or an actor.
async fn known_url(web: &Web, url: &str, viewer: Option<i64>) -> Result<Option<String>, WebError> {
    let db = &web.svc.db;
    let status = match queries::status_by_uri(db, url).await? {
        Some(s) => Some(s),
        None => statuses::Entity::find().filter(statuses::Column::Url.eq(url)).one(db).await?,
    };
    if let Some(s) = status {
        if status_rules::can_view(&web.svc, &s, viewer).await? {
            return Ok(Some(format!("/posts/{}", s.id)));
        }
        return Ok(None);
    }
    let account = match queries::account_by_uri(db, url).await? {
        Some(a) => Some(a),
        None => accounts::Entity::find().filter(accounts::Column::Url.eq(url)).one(db).await?,
    };
    Ok(account.filter(|a| !a.suspended).map(|a| view::profile_path(&a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_as_handles_urls_or_words() {
        assert!(matches!(parse("@karim@section.example"), Asked::Handle { user: "karim", domain: "section.example" }));
        assert!(matches!(parse("!fives@localhost:8081"), Asked::Handle { user: "fives", domain: "localhost:8081" }));
        assert!(matches!(parse("nadia@section.example"), Asked::Handle { .. }));
        assert!(matches!(parse("https://section.example/@nadia/1"), Asked::Url(_)));
        assert!(matches!(parse("logement écoles"), Asked::Words(_)));
        assert!(matches!(parse("@nadia"), Asked::Words(_)));
        assert!(matches!(parse("a@b c"), Asked::Words(_)));
    }
}
