//! One module per page (or family of pages), each returning its routes, and what they share:
//! paging, forms and where to go back after a form.

use axum::Router;
use coopol_db::queries::Page;
use serde::Deserialize;

use crate::Web;

mod admin;
mod events;
mod front;
mod groups;
mod notifications;
mod people;
mod posts;
mod registrations;
mod search;
mod settings;
mod signin;
mod timelines;

pub fn routes() -> Router<Web> {
    Router::new()
        .merge(front::routes())
        .merge(signin::routes())
        .merge(timelines::routes())
        .merge(posts::routes())
        .merge(people::routes())
        .merge(groups::routes())
        .merge(events::routes())
        .merge(notifications::routes())
        .merge(settings::routes())
        .merge(registrations::routes())
        .merge(search::routes())
        .merge(admin::routes())
}

/// Posts on one page of a timeline.
pub const PAGE_LENGTH: u64 = 20;

/// `?max_id=`: the page of posts older than that id. Anything else is ignored (a link that
/// was cut short shows the newest page rather than an error).
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    #[serde(default)]
    max_id: Option<String>,
}

impl Paging {
    pub fn page(&self) -> Page {
        Page { max_id: self.max_id.as_deref().and_then(|m| m.parse().ok()), limit: PAGE_LENGTH, ..Page::default() }
    }
}

/// A form whose only field is the CSRF token, and where to go back to.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub back: String,
}

/// Where a form sends the browser back to: a path of this site, never another site's URL.
pub fn back_to(back: &str, default: &str) -> String {
    let local =
        back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') && !back.contains(['\r', '\n']);
    if local {
        back.to_string()
    } else {
        default.to_string()
    }
}

/// The link to the next (older) page, when this one was full.
pub fn older_link<T>(base: &str, rows: &[T], id: impl Fn(&T) -> i64) -> Option<String> {
    if (rows.len() as u64) < PAGE_LENGTH {
        return None;
    }
    rows.last().map(|last| format!("{base}?max_id={}", id(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_this_site() {
        assert_eq!(back_to("/home?max_id=3", "/"), "/home?max_id=3");
        assert_eq!(back_to("https://evil.example/", "/"), "/");
        assert_eq!(back_to("//evil.example/", "/"), "/");
        assert_eq!(back_to("/\\evil.example", "/"), "/");
        assert_eq!(back_to("", "/home"), "/home");
    }
}
