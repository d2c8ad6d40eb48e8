//! What Lemmy needs to see a group's posts. Lemmy takes a group's `Announce` only when it
//! wraps an activity (FEP-1b12's `Announce(Create(Page))`) and never dereferences an announced
//! id, while Mastodon reads only `Announce(id)` of a post. Lemmy itself sends both shapes to
//! everyone; we send the Lemmy shape to the servers whose NodeInfo says they run it.

use coopol_core::plain::html_to_text;
use coopol_db::entities::statuses;
use coopol_db::queries;
use serde_json::{json, Value};
use url::Url;

use crate::activities::{create, with_context};
use crate::config::authority;
use crate::outbox::Outgoing;
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
    let domains: Vec<String> =
        out.inboxes.iter().filter_map(|i| Url::parse(i).ok().as_ref().and_then(authority)).collect();
    let lemmy = crate::nodeinfo::running(fed, &domains, SOFTWARE).await?;
    if lemmy.is_empty() {
        return Ok(vec![out]);
    }
    let (to_lemmy, others): (Vec<String>, Vec<String>) = out
        .inboxes
        .iter()
        .cloned()
        .partition(|i| Url::parse(i).ok().as_ref().and_then(authority).is_some_and(|d| lemmy.contains(&d)));
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
