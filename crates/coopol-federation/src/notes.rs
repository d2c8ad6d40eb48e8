//! Notes: the ActivityStreams form of a status, both ways. Remote HTML is sanitised with an
//! allow-list (`wire::sanitize_html`) before it is stored.

use coopol_db::WriteTxn;

use coopol_core::Visibility;
use coopol_db::entities::{accounts, status_tags, statuses};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::wire::{object_id, sanitize_html, string_list};
use crate::{Federation, FederationError, InstanceConfig};

const PUBLIC_ID: &str = coopol_core::PUBLIC;

/// Longest content we keep from a remote note.
const MAX_CONTENT: usize = 100_000;
/// Most mentions and tags we read from one remote note.
const MAX_TAGS: usize = 100;

/// Everything a Note needs besides the status row.
pub struct NoteParts<'a> {
    pub author: &'a accounts::Model,
    pub mentioned: &'a [accounts::Model],
    pub tags: &'a [String],
    pub in_reply_to_uri: Option<&'a str>,
}

/// The Note of a local status.
pub fn note_json(config: &InstanceConfig, s: &statuses::Model, p: &NoteParts<'_>) -> Value {
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    let mention_uris: Vec<String> = p.mentioned.iter().map(|a| a.uri.clone()).collect();
    let followers = p.author.followers_url.clone().unwrap_or_default();
    let (to, cc) = visibility.addressing(&followers, &mention_uris);
    let mut tag: Vec<Value> = p
        .mentioned
        .iter()
        .map(|a| {
            let acct = match &a.domain {
                Some(d) => format!("@{}@{}", a.username, d),
                None => format!("@{}@{}", a.username, config.domain),
            };
            json!({"type": "Mention", "href": a.uri, "name": acct})
        })
        .collect();
    tag.extend(p.tags.iter().map(
        |t| json!({"type": "Hashtag", "href": format!("{}/tags/{}", config.base_url(), t), "name": format!("#{t}")}),
    ));
    json!({
        "id": s.uri,
        "type": "Note",
        "attributedTo": p.author.uri,
        "content": s.content,
        "summary": if s.spoiler_text.is_empty() { Value::Null } else { json!(s.spoiler_text) },
        "sensitive": s.sensitive,
        "inReplyTo": p.in_reply_to_uri,
        "published": s.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "updated": s.edited_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "url": s.url,
        "to": to,
        "cc": cc,
        "tag": tag,
        "attachment": [],
        "contentMap": s.language.as_ref().map(|l| json!({ l: s.content })),
    })
}

/// Builds the Note of a stored local status, loading its mentions and tags.
/// The companion status of an event is sent and served as the `Event` itself.
pub async fn note_for_status(fed: &Federation, s: &statuses::Model) -> Result<Value, FederationError> {
    if let Some(e) = coopol_service::events::event_of_status(&fed.db, s.id).await? {
        return crate::event_store::event_document(fed, &e).await;
    }
    let author = queries::account_by_id(&fed.db, s.account_id).await?.ok_or(FederationError::NotFound)?;
    let mention_ids = queries::mentioned_ids(&fed.db, s.id).await?;
    let mentioned = accounts::Entity::find().filter(accounts::Column::Id.is_in(mention_ids)).all(&fed.db).await?;
    let tags: Vec<String> = status_tags::Entity::find()
        .filter(status_tags::Column::StatusId.eq(s.id))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut note = note_json(
        &fed.config,
        s,
        &NoteParts {
            author: &author,
            mentioned: &mentioned,
            tags: &tags,
            in_reply_to_uri: s.in_reply_to_uri.as_deref(),
        },
    );
    crate::polls::decorate_note(fed, s, &mut note).await?;
    Ok(note)
}

/// What we read from a remote Note.
pub(crate) struct ParsedNote {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) content: String,
    pub(crate) summary: String,
    pub(crate) sensitive: bool,
    pub(crate) visibility: Visibility,
    pub(crate) in_reply_to: Option<String>,
    pub(crate) published: chrono::DateTime<chrono::Utc>,
    pub(crate) mention_uris: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) language: Option<String>,
}

/// Longest title kept from a `Page` or `Article`.
const MAX_TITLE: usize = 500;

/// A Lemmy post (`Page`) or an `Article` has its title in `name` and, for a link post, the link
/// as an `attachment` of type `Link`: both are shown above and below the text, as Mastodon
/// does, since apps show `content` only. Sanitised with the content by the caller.
fn with_title_and_link(note: &Value, kind: &str, content: &str) -> String {
    if !matches!(kind, "Page" | "Article") {
        return content.to_string();
    }
    let mut out = String::new();
    if let Some(title) = note.get("name").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()) {
        let title: String = title.chars().take(MAX_TITLE).collect();
        out.push_str(&format!("<p><strong>{}</strong></p>", coopol_core::text::escape(&title)));
    }
    out.push_str(content);
    let link = match note.get("attachment") {
        Some(Value::Array(items)) => items.iter().take(10).find_map(|a| {
            (a.get("type").and_then(Value::as_str) == Some("Link")).then(|| a.get("href").and_then(Value::as_str))?
        }),
        _ => None,
    };
    let link = link
        .filter(|l| l.len() <= 2048)
        .and_then(|l| Url::parse(l).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    if let Some(u) = link {
        let href = coopol_core::text::escape(u.as_str());
        out.push_str(&format!("<p><a href=\"{href}\">{href}</a></p>"));
    }
    out
}

pub(crate) fn parse_note(note: &Value, author: &accounts::Model) -> Result<ParsedNote, FederationError> {
    let kind = note.get("type").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "Note" | "Article" | "Page" | "Question") {
        return Err(FederationError::Invalid(format!("unsupported object type {kind}")));
    }
    let id =
        note.get("id").and_then(Value::as_str).ok_or_else(|| FederationError::Invalid("note without id".into()))?;
    let id_url = Url::parse(id).map_err(|_| FederationError::Invalid("note id is not a URL".into()))?;
    let author_url = Url::parse(&author.uri).map_err(|_| FederationError::Invalid("bad author id".into()))?;
    if !same_origin(&id_url, &author_url) {
        return Err(FederationError::Unauthorized("note id is not on its author's origin".into()));
    }
    let attributed = note.get("attributedTo").and_then(|v| match v {
        Value::Array(a) => a.first().and_then(object_id).map(String::from),
        other => object_id(other).map(String::from),
    });
    if attributed.as_deref() != Some(author.uri.as_str()) {
        return Err(FederationError::Unauthorized("note is attributed to someone else".into()));
    }
    let to = string_list(note.get("to"));
    let cc = string_list(note.get("cc"));
    let visibility = Visibility::from_addressing(&to, &cc, author.followers_url.as_deref());
    let raw_content = note.get("content").and_then(Value::as_str).unwrap_or("");
    if raw_content.len() > MAX_CONTENT {
        return Err(FederationError::Invalid("note content too long".into()));
    }
    let mut mention_uris = Vec::new();
    let mut tags = Vec::new();
    if let Some(Value::Array(items)) = note.get("tag") {
        for t in items.iter().take(MAX_TAGS) {
            match t.get("type").and_then(Value::as_str) {
                Some("Mention") => {
                    if let Some(h) = t.get("href").and_then(Value::as_str) {
                        mention_uris.push(h.to_string());
                    }
                }
                Some("Hashtag") => {
                    if let Some(n) = t.get("name").and_then(Value::as_str) {
                        let n = n.trim_start_matches('#').to_lowercase();
                        if !n.is_empty() && n.len() <= 100 {
                            tags.push(n);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let published = note
        .get("published")
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(coopol_db::now);
    let language = note
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .filter(|l| l.len() <= 16);
    // Accounts addressed without a Mention tag (bto, bcc, a bare `to`) are silently mentioned,
    // as in Mastodon: a direct message reaches them even when its text names nobody.
    for uri in to.iter().chain(&cc).chain(&string_list(note.get("bto"))).chain(&string_list(note.get("bcc"))) {
        if mention_uris.len() < MAX_TAGS
            && !mention_uris.contains(uri)
            && uri != PUBLIC_ID
            && !uri.ends_with("/followers")
        {
            mention_uris.push(uri.clone());
        }
    }
    Ok(ParsedNote {
        id: id.to_string(),
        url: note
            .get("url")
            .and_then(|u| u.as_str().or_else(|| u.get("href").and_then(Value::as_str)))
            .unwrap_or(id)
            .to_string(),
        content: sanitize_html(&with_title_and_link(note, kind, raw_content)),
        summary: note
            .get("summary")
            .and_then(Value::as_str)
            .map(|s| s.chars().take(1000).collect())
            .unwrap_or_default(),
        sensitive: note.get("sensitive").and_then(Value::as_bool).unwrap_or(false),
        visibility,
        in_reply_to: note.get("inReplyTo").and_then(object_id).map(String::from),
        published,
        mention_uris,
        tags,
        language,
    })
}

/// Applies an `Update` of a remote note we hold: new content, summary and sensitivity.
pub async fn update_remote_note(
    fed: &Federation,
    note: &Value,
    author: &accounts::Model,
) -> Result<(), FederationError> {
    let p = parse_note(note, author)?;
    let Some(existing) = queries::status_by_uri(&fed.db, &p.id).await? else {
        return Ok(());
    };
    if existing.account_id != author.id {
        return Err(FederationError::Unauthorized("update of someone else's note".into()));
    }
    let status_id = existing.id;
    if existing.content == p.content && existing.spoiler_text == p.summary && existing.sensitive == p.sensitive {
        // Nothing a reader sees changed (a poll count, a repeated Update): no new version,
        // but a poll's counts may have moved.
        crate::polls::update_remote_poll(fed, note, status_id).await?;
        return Ok(());
    }
    // The previous version goes into the history, in the transaction of the change; the
    // read comes first (SQLite: a transaction must begin with a write).
    let had_edits = coopol_db::social::has_edits(&fed.db, existing.id).await?;
    let before = existing.clone();
    let mut m: statuses::ActiveModel = existing.into();
    m.content = Set(p.content);
    m.spoiler_text = Set(p.summary);
    m.sensitive = Set(p.sensitive);
    m.edited_at = Set(Some(coopol_db::now()));
    let txn = fed.db.begin_write().await?;
    let after = m.update(&txn).await?;
    coopol_db::social::record_edit(&txn, &before, &after, had_edits).await?;
    txn.commit().await?;
    crate::polls::update_remote_poll(fed, note, status_id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_title_is_escaped_and_only_web_links_are_shown() {
        let page = json!({
            "name": "<script>x</script> & co",
            "attachment": [{"type": "Link", "href": "javascript:alert(1)"}],
        });
        let html = sanitize_html(&with_title_and_link(&page, "Page", "<p>body</p>"));
        assert_eq!(html, "<p><strong>&lt;script&gt;x&lt;/script&gt; &amp; co</strong></p><p>body</p>");
        let link = json!({"attachment": [{"type": "Image", "url": "https://a.example/i.png"}, {"type": "Link", "href": "https://a.example/x?a=1&b=2"}]});
        let html = sanitize_html(&with_title_and_link(&link, "Page", ""));
        assert!(html.contains("href=\"https://a.example/x?a=1&amp;b=2\""), "{html}");
        // A Note's `name` is not a title (polls' options use it elsewhere).
        assert_eq!(with_title_and_link(&json!({"name": "t"}), "Note", "<p>n</p>"), "<p>n</p>");
    }
}
