//! What templates show, computed from rows loaded in batches (`coopol_db::batch`): a post
//! with its author and counts, an event with its date in its own zone, a group. Nothing here
//! queries the database; the loaders at the bottom do, with a fixed number of statements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use coopol_core::group::JoinMode;
use coopol_core::Visibility;
use coopol_db::entities::{accounts, events, groups, statuses};
use coopol_db::{batch, Db};

use crate::i18n::Tr;
use crate::WebError;

/// `@name` for a local account, `@name@domain` for a remote one.
pub fn handle(a: &accounts::Model) -> String {
    match &a.domain {
        Some(d) => format!("@{}@{}", a.username, d),
        None => format!("@{}", a.username),
    }
}

/// The web page of an account: `/people/name` or `/people/name@domain`, and for a group
/// `/groups/name` or `/groups/name@domain`.
pub fn profile_path(a: &accounts::Model) -> String {
    let base = if a.actor_type == coopol_db::groups::GROUP { "/groups" } else { "/people" };
    match &a.domain {
        Some(d) => format!("{base}/{}@{}", a.username, d),
        None => format!("{base}/{}", a.username),
    }
}

/// The name to show: the display name, else the username.
pub fn display_name(a: &accounts::Model) -> String {
    if a.display_name.trim().is_empty() {
        a.username.clone()
    } else {
        a.display_name.clone()
    }
}

/// A time as the page shows it (UTC until the viewer's zone is known).
pub fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Who can see a post, in one line, from its visibility.
pub fn who_sees(tr: &Tr, visibility: Visibility, author: &accounts::Model) -> String {
    match visibility {
        Visibility::Public => tr.t("who-public"),
        Visibility::Unlisted => tr.t("who-unlisted"),
        Visibility::Private => tr.t1("who-followers", "name", &handle(author)),
        Visibility::Direct => tr.t("who-direct"),
    }
}

/// An author as a post shows them.
pub struct Author {
    pub name: String,
    pub handle: String,
    pub path: String,
    /// The first letter of the name, for the round badge that stands in for an avatar.
    pub initial: String,
}

impl Author {
    pub fn of(a: &accounts::Model) -> Self {
        let name = display_name(a);
        let initial = name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
        Author { name, handle: handle(a), path: profile_path(a), initial }
    }
}

/// A post as a card.
pub struct PostView {
    pub id: i64,
    pub author: Author,
    /// Sanitised HTML: ours rendered from escaped text, remote cleaned on arrival.
    pub content: String,
    pub spoiler: String,
    pub when: String,
    pub iso: String,
    pub who: String,
    pub path: String,
    pub replies: u64,
    pub favourites: u64,
    pub boosts: u64,
    /// Who boosted it, when the line of the timeline is a boost.
    pub boosted_by: Option<Author>,
    /// The viewer's own marks.
    pub favourited: bool,
    pub boosted: bool,
    /// Public and unlisted posts can be boosted.
    pub can_boost: bool,
}

/// Posts of a page, in order, with what they show: authors, boosted originals and counts are
/// loaded in batches (a fixed number of statements for the page).
pub async fn posts(db: &Db, tr: &Tr, rows: &[statuses::Model], viewer: Option<i64>) -> Result<Vec<PostView>, WebError> {
    let original_ids: Vec<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    let originals = batch::statuses(db, &original_ids).await?;
    let shown: Vec<&statuses::Model> =
        rows.iter().filter_map(|s| s.reblog_of_id.map_or(Some(s), |id| originals.get(&id))).collect();
    let mut account_ids: Vec<i64> = rows.iter().map(|s| s.account_id).collect();
    account_ids.extend(shown.iter().map(|s| s.account_id));
    let people = batch::accounts(db, &account_ids).await?;
    let ids: Vec<i64> = shown.iter().map(|s| s.id).collect();
    let facts = batch::status_facts(db, &ids, viewer).await?;
    Ok(rows.iter().filter_map(|row| post_view(tr, row, &originals, &people, &facts)).collect())
}

fn post_view(
    tr: &Tr,
    row: &statuses::Model,
    originals: &HashMap<i64, statuses::Model>,
    people: &HashMap<i64, accounts::Model>,
    facts: &batch::StatusFacts,
) -> Option<PostView> {
    let (s, boosted_by) = match row.reblog_of_id {
        Some(id) => (originals.get(&id)?, Some(Author::of(people.get(&row.account_id)?))),
        None => (row, None),
    };
    let author = people.get(&s.account_id)?;
    let visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    Some(PostView {
        id: s.id,
        author: Author::of(author),
        content: s.content.clone(),
        spoiler: s.spoiler_text.clone(),
        when: when(&s.created_at),
        iso: s.created_at.to_rfc3339(),
        who: who_sees(tr, visibility, author),
        path: format!("/posts/{}", s.id),
        replies: facts.replies.get(&s.id).copied().unwrap_or(0),
        favourites: facts.favourites.get(&s.id).copied().unwrap_or(0),
        boosts: facts.reblogs.get(&s.id).copied().unwrap_or(0),
        boosted_by,
        favourited: facts.favourited.contains(&s.id),
        boosted: facts.reblogged.contains(&s.id),
        can_boost: visibility.is_public(),
    })
}

/// An event as a line of an agenda: the date block in the event's own zone.
pub struct EventView {
    pub title: String,
    pub day: String,
    pub month: String,
    pub time: String,
    pub iso: String,
    pub place: String,
    /// Its page here.
    pub path: String,
    pub cancelled: bool,
}

impl EventView {
    pub fn of(tr: &Tr, e: &events::Model) -> Self {
        let zone: chrono_tz::Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
        let local = e.starts_at.with_timezone(&zone);
        let month = local.format("%m").to_string();
        let place = [e.location_name.as_deref(), e.locality.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        EventView {
            title: e.title.clone(),
            day: local.format("%d").to_string(),
            month: tr.t(&format!("month-{month}")),
            time: format!("{} ({})", local.format("%H:%M"), zone.name()),
            iso: e.starts_at.to_rfc3339(),
            place: if place.is_empty() && e.online_url.is_some() { tr.t("event-online") } else { place },
            path: format!("/events/{}", e.id),
            cancelled: e.status == "cancelled",
        }
    }
}

/// The longest excerpt of a group's description in the directory, in characters.
const EXCERPT_CHARS: usize = 180;

/// A group as the directory and the front page show it.
pub struct GroupView {
    pub name: String,
    /// `!name` here, `!name@domain` for a group of another server.
    pub handle: String,
    /// Its page here.
    pub path: String,
    /// The join mode in words; empty for a group of another server (its server decides).
    pub join: String,
    pub private: bool,
    pub remote: bool,
    /// The start of its description, as plain text.
    pub excerpt: String,
    /// Members known here (accepted followers).
    pub members: u64,
}

impl GroupView {
    /// A group with its settings (`None` for a group of another server).
    pub fn of(tr: &Tr, a: &accounts::Model, g: Option<&groups::Model>) -> Self {
        let handle = match &a.domain {
            Some(d) => format!("!{}@{}", a.username, d),
            None => format!("!{}", a.username),
        };
        GroupView {
            name: display_name(a),
            handle,
            path: profile_path(a),
            join: g.map(|g| join_mode_words(tr, coopol_db::groups::join_mode(g))).unwrap_or_default(),
            private: g.is_some_and(|g| g.private),
            remote: a.domain.is_some(),
            excerpt: excerpt(&coopol_core::plain::html_to_text(&a.note), EXCERPT_CHARS),
            members: 0,
        }
    }
}

/// A join mode in words.
pub fn join_mode_words(tr: &Tr, mode: JoinMode) -> String {
    match mode {
        JoinMode::Open => tr.t("group-join-open"),
        JoinMode::Approval => tr.t("group-join-approval"),
        JoinMode::Invite => tr.t("group-join-invite"),
    }
}

/// The first `max` characters of `text` on one line, cut at a word with "…" when longer.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_word = cut.rfind(' ').and_then(|i| cut.get(..i)).unwrap_or(&cut);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

/// One choice of visibility in the compose form, with who would see the post.
pub struct VisibilityChoice {
    pub value: &'static str,
    pub label: String,
    pub who: String,
    pub checked: bool,
}

/// The compose form: a new post, or a reply.
pub struct Compose {
    pub choices: Vec<VisibilityChoice>,
    /// The post answered, if a reply.
    pub in_reply_to: Option<i64>,
    /// The text the form starts with (a reply starts with the handle answered).
    pub text: String,
    pub spoiler: String,
    /// Sent back with the form: posting twice (a double click, a reload) stores one post.
    pub key: String,
}

impl Compose {
    /// The form for `me`, answering `reply` (its author and visibility) if given.
    pub fn new(tr: &Tr, me: &accounts::Model, reply: Option<(&statuses::Model, &accounts::Model)>) -> Self {
        let chosen =
            reply.map(|(s, _)| s.visibility.parse().unwrap_or(Visibility::Direct)).unwrap_or(Visibility::Public);
        let choices = [
            (Visibility::Public, "visibility-public"),
            (Visibility::Unlisted, "visibility-unlisted"),
            (Visibility::Private, "visibility-private"),
            (Visibility::Direct, "visibility-direct"),
        ]
        .into_iter()
        .map(|(v, label)| VisibilityChoice {
            value: v.as_str(),
            label: tr.t(label),
            who: who_sees(tr, v, me),
            checked: v == chosen,
        })
        .collect();
        let text = match reply {
            Some((_, author)) if author.id != me.id => format!("{} ", handle(author)),
            _ => String::new(),
        };
        Compose {
            choices,
            in_reply_to: reply.map(|(s, _)| s.id),
            text,
            spoiler: reply.map(|(s, _)| s.spoiler_text.clone()).unwrap_or_default(),
            key: coopol_service::credentials::random_secret(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("Short\n text", 20), "Short text");
        assert_eq!(
            excerpt("The section's working group on housing, rents and tenants", 30),
            "The section's working group…"
        );
        assert_eq!(excerpt("Éàü ééé", 5), "Éàü…");
    }
}
