//! What Lemmy needs to see a group's posts. Lemmy takes a group's `Announce` only when it
//! wraps an activity (FEP-1b12's `Announce(Create(Page))`) and never dereferences an announced
//! id, while Mastodon reads only `Announce(id)` of a post. Lemmy itself sends both shapes to
//! everyone; we send the Lemmy shape to the servers whose NodeInfo says they run it.

use std::collections::HashSet;

use coopol_core::plain::html_to_text;
use coopol_db::entities::{accounts, statuses};
use coopol_db::queries;
use serde_json::{json, Value};
use url::Url;

use crate::activities::{create, update};
use crate::config::authority;
use crate::recipients::Outgoing;
use crate::wire::with_context;
use crate::{Federation, FederationError};

/// NodeInfo software names that read group posts only in Lemmy's shape.
pub const SOFTWARE: &[&str] = &["lemmy"];

/// Lemmy's limit on a post's title, in characters.
const TITLE_MAX: usize = 200;

/// Splits a public group's `Announce(id)` of status `s` (boosted as `announce_uri`): the
/// inboxes on Lemmy servers get `Announce(Create(Page))` instead. Others keep `out` unchanged.
pub async fn split_group_announce(
    fed: &Federation,
    out: Outgoing,
    announce_uri: &str,
    s: &statuses::Model,
) -> Result<Vec<Outgoing>, FederationError> {
    let lemmy = lemmy_domains(fed, &out.inboxes).await?;
    if lemmy.is_empty() {
        return Ok(vec![out]);
    }
    let (to_lemmy, others): (Vec<String>, Vec<String>) = out.inboxes.iter().cloned().partition(|i| on(&lemmy, i));
    let group = queries::account_by_id(&fed.db, out.sender_account_id).await?.ok_or(FederationError::NotFound)?;
    let created = create_in_group(fed, s, &group.uri).await?;
    let activity = with_context(json!({
        "id": format!("{announce_uri}#create"),
        "type": "Announce",
        "actor": group.uri,
        "to": out.activity.get("to"),
        "cc": out.activity.get("cc"),
        "published": out.activity.get("published"),
        "object": created,
    }));
    let lemmy_out = Outgoing { activity, sender_account_id: out.sender_account_id, inboxes: to_lemmy };
    let mut all = vec![lemmy_out];
    if !others.is_empty() {
        all.push(Outgoing { inboxes: others, ..out });
    }
    Ok(all)
}

/// A change to a post that public groups announced.
pub enum Change<'a> {
    /// Edited: Lemmy takes the group's `Announce(Update(Page))`.
    Edited(&'a statuses::Model),
    /// Deleted (its id): Lemmy takes the group's `Announce(Delete)`, public as the post was.
    Deleted(&'a str),
    /// Taken out of the group by a moderator of this server (its id, who, why): Lemmy takes
    /// the group's `Announce` of the moderator's `Delete` as a moderator's removal.
    Removed { uri: &'a str, moderator: &'a accounts::Model, reason: &'a str },
}

/// Splits the author's `Update` or `Delete` (`out`) of a post the local public `groups`
/// announced, or a group's `Undo(Announce)` of it: each group's followers on Lemmy servers get
/// the change announced by the group, in the shape Lemmy reads; every other inbox keeps `out`.
pub async fn split_group_change(
    fed: &Federation,
    out: Outgoing,
    groups: &[i64],
    change: Change<'_>,
) -> Result<Vec<Outgoing>, FederationError> {
    let lemmy = lemmy_domains(fed, &out.inboxes).await?;
    if lemmy.is_empty() {
        return Ok(vec![out]);
    }
    let author = queries::account_by_id(&fed.db, out.sender_account_id).await?.ok_or(FederationError::NotFound)?;
    let inner_id = out.activity.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let edited = match change {
        Change::Edited(s) => Some(crate::notes::note_for_status(fed, s).await?),
        _ => None,
    };
    let mut all = Vec::new();
    let mut taken = HashSet::new();
    for &group_id in groups {
        let Some(group) = queries::account_by_id(&fed.db, group_id).await? else { continue };
        let followers = queries::accepted_follower_ids(&fed.db, group_id).await?;
        let inboxes: Vec<String> =
            queries::remote_inboxes(&fed.db, &followers).await?.into_iter().filter(|i| on(&lemmy, i)).collect();
        if inboxes.is_empty() {
            continue;
        }
        let inner = match change {
            Change::Edited(_) => {
                // Read once above, reshaped for each group.
                let mut object = edited.clone().ok_or(FederationError::NotFound)?;
                as_lemmy_post(&mut object, &author.uri, &group.uri);
                update::build(&inner_id, object, &author.uri)
            }
            Change::Deleted(uri) => json!({
                "id": inner_id,
                "type": "Delete",
                "actor": author.uri,
                "to": [coopol_core::PUBLIC],
                "cc": [group.uri],
                "audience": group.uri,
                "object": uri,
            }),
            Change::Removed { uri, moderator, reason } => json!({
                "id": fed.config.activity_url(&moderator.username, "remove", coopol_core::new_id()),
                "type": "Delete",
                "actor": moderator.uri,
                "to": [coopol_core::PUBLIC],
                "cc": [group.uri],
                "audience": group.uri,
                "object": uri,
                "summary": if reason.is_empty() { Value::Null } else { json!(reason) },
            }),
        };
        let activity = with_context(json!({
            "id": format!("{}/announces/{}", group.uri, coopol_core::new_id()),
            "type": "Announce",
            "actor": group.uri,
            "to": [coopol_core::PUBLIC],
            "cc": group.followers_url.as_deref().map(|f| vec![f]).unwrap_or_default(),
            "object": inner,
        }));
        taken.extend(inboxes.iter().cloned());
        all.push(Outgoing { activity, sender_account_id: group.id, inboxes });
    }
    let rest: Vec<String> = out.inboxes.iter().filter(|i| !taken.contains(*i)).cloned().collect();
    if !rest.is_empty() {
        all.push(Outgoing { inboxes: rest, ..out });
    }
    Ok(all)
}

/// The domains among `inboxes`' that run Lemmy.
async fn lemmy_domains(fed: &Federation, inboxes: &[String]) -> Result<HashSet<String>, FederationError> {
    let domains: Vec<String> = inboxes.iter().filter_map(|i| Url::parse(i).ok().as_ref().and_then(authority)).collect();
    crate::nodeinfo::running(fed, &domains, SOFTWARE).await
}

/// Whether `inbox` is on one of `domains`.
fn on(domains: &HashSet<String>, inbox: &str) -> bool {
    Url::parse(inbox).ok().as_ref().and_then(authority).is_some_and(|d| domains.contains(&d))
}

/// The author's `Create` of `s` as Lemmy reads a post of the group `group_uri`: a `Page` with a
/// title (`name`) and the group as `audience`; a reply stays a `Note` (a Lemmy comment).
async fn create_in_group(fed: &Federation, s: &statuses::Model, group_uri: &str) -> Result<Value, FederationError> {
    let mut object = crate::notes::note_for_status(fed, s).await?;
    let author = queries::account_by_id(&fed.db, s.account_id).await?.ok_or(FederationError::NotFound)?;
    as_lemmy_post(&mut object, &author.uri, group_uri);
    Ok(create::build(object, &author.uri))
}

/// Reshapes a Note (or an Event) into what Lemmy takes as a post of the group.
pub fn as_lemmy_post(object: &mut Value, author_uri: &str, group_uri: &str) {
    let Some(m) = object.as_object_mut() else { return };
    let reply = m.get("inReplyTo").is_some_and(|v| !v.is_null());
    if !reply {
        if matches!(m.get("type").and_then(Value::as_str), Some("Note" | "Question")) {
            m.insert("type".into(), json!("Page"));
        }
        let named = m.get("name").and_then(Value::as_str).is_some_and(|n| !n.trim().is_empty());
        if !named {
            let content = m.get("content").and_then(Value::as_str).unwrap_or_default();
            let fallback = m.get("url").and_then(Value::as_str).unwrap_or_default().to_string();
            m.insert("name".into(), json!(title_of(content).unwrap_or(fallback)));
        }
    }
    // An event's `attributedTo` is its group (Mobilizon's way); Lemmy wants the person there.
    m.insert("attributedTo".into(), json!(author_uri));
    m.insert("audience".into(), json!(group_uri));
    m.insert("mediaType".into(), json!("text/html"));
    let mut to: Vec<Value> = m.get("to").and_then(Value::as_array).cloned().unwrap_or_default();
    if !to.iter().any(|v| v == group_uri) {
        to.push(json!(group_uri));
    }
    m.insert("to".into(), Value::Array(to));
}

/// A post's title: its first line of text without the mentions that open it (`@group …`, the
/// way Mastodon users write to a group), cut at `TITLE_MAX` characters on a word.
pub fn title_of(html: &str) -> Option<String> {
    let text = html_to_text(html);
    let line = text.lines().map(without_leading_mentions).find(|l| !l.is_empty())?;
    if line.chars().count() <= TITLE_MAX {
        return Some(line.to_string());
    }
    let cut: String = line.chars().take(TITLE_MAX - 1).collect();
    let at_word = cut.rfind(char::is_whitespace).filter(|&i| i > TITLE_MAX / 2).map_or(cut.as_str(), |i| &cut[..i]);
    Some(format!("{}…", at_word.trim_end()))
}

fn without_leading_mentions(line: &str) -> &str {
    let mut rest = line.trim();
    while rest.starts_with('@') {
        rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r.trim_start());
    }
    rest.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_the_first_line_of_text_within_lemmys_limit() {
        assert_eq!(
            title_of("<p>Réunion <strong>jeudi</strong></p><p>Ordre du jour</p>").as_deref(),
            Some("Réunion jeudi")
        );
        assert_eq!(title_of("<p></p><p>  </p>"), None);
        let to_group = r#"<p><span class="h-card"><a href="x">@<span>greens</span></a></span> Tract du 1er mai</p>"#;
        assert_eq!(title_of(to_group).as_deref(), Some("Tract du 1er mai"));
        assert_eq!(title_of("<p>@greens @ana</p><p>Ordre du jour</p>").as_deref(), Some("Ordre du jour"));
        let long = format!("<p>{}</p>", "mot ".repeat(80));
        let t = title_of(&long).unwrap();
        assert!(t.chars().count() <= TITLE_MAX && t.ends_with("mot…"), "{t}");
    }

    #[test]
    fn a_top_level_note_becomes_a_page_of_the_group_and_a_reply_stays_a_note() {
        let group = "https://a.example/users/greens";
        let mut note = json!({"type": "Note", "content": "<p>Tract</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"], "inReplyTo": null});
        as_lemmy_post(&mut note, "https://a.example/users/ana", group);
        assert_eq!(note["type"], "Page");
        assert_eq!(note["name"], "Tract");
        assert_eq!(note["audience"], group);
        assert!(note["to"].as_array().unwrap().iter().any(|v| v == group));

        let mut reply = json!({"type": "Note", "content": "<p>+1</p>", "inReplyTo": "https://a.example/statuses/1"});
        as_lemmy_post(&mut reply, "https://a.example/users/ana", group);
        assert_eq!(reply["type"], "Note");
        assert!(reply.get("name").is_none());
    }

    #[test]
    fn an_event_keeps_its_type_and_title_and_names_its_organiser() {
        let mut event = json!({"type": "Event", "name": "Manif", "attributedTo": "https://a.example/users/greens"});
        as_lemmy_post(&mut event, "https://a.example/users/olivia", "https://a.example/users/greens");
        assert_eq!(event["type"], "Event");
        assert_eq!(event["name"], "Manif");
        assert_eq!(event["attributedTo"], "https://a.example/users/olivia");
    }
}
