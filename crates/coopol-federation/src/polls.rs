//! Attachments and polls on the wire. A local status's media become `Document` objects in its
//! Note's `attachment`; a status with a poll is sent as a `Question` (`oneOf`/`anyOf` options
//! with `replies.totalItems`, `endTime`, `votersCount`). Remote attachments and Questions are
//! read back, bounded and checked; remote media are linked, never fetched. A vote is a
//! `Create(Note)` whose `name` is the option and `inReplyTo` the Question, counted once per
//! voter (and option, for multiple-choice polls).

use chrono::{DateTime, Utc};
use coopol_core::Intent;
use coopol_db::entities::{accounts, media_attachments, poll_votes, polls, statuses};
use coopol_db::media::{self as mq, MAX_ATTACHMENTS};
use coopol_db::queries;
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::wire::object_id;
use crate::{Federation, FederationError};

/// Longest URL, description and blurhash we keep from a remote attachment.
const MAX_URL: usize = 2048;
const MAX_DESCRIPTION: usize = 1500;
const MAX_BLURHASH: usize = 100;
/// Most options and longest option title we keep from a remote Question.
const MAX_OPTIONS: usize = 20;
const MAX_OPTION_CHARS: usize = 200;

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The `Document` of a local attachment.
pub fn document(a: &media_attachments::Model) -> Value {
    let meta: Value = serde_json::from_str(&a.meta).unwrap_or(Value::Null);
    let mut d = json!({
        "type": "Document",
        "mediaType": a.content_type,
        "url": a.url,
        "name": a.description,
    });
    if let Some(m) = d.as_object_mut() {
        if let Some(b) = &a.blurhash {
            m.insert("blurhash".into(), json!(b));
        }
        if let (Some(w), Some(h)) = (meta.pointer("/original/width"), meta.pointer("/original/height")) {
            m.insert("width".into(), w.clone());
            m.insert("height".into(), h.clone());
        }
        if let (Some(x), Some(y)) = (meta.pointer("/focus/x"), meta.pointer("/focus/y")) {
            m.insert("focalPoint".into(), json!([x, y]));
        }
    }
    d
}

/// Adds a local status's attachments to its Note, and turns it into a `Question` when it has a
/// poll.
pub async fn decorate_note(fed: &Federation, s: &statuses::Model, note: &mut Value) -> Result<(), FederationError> {
    let docs: Vec<Value> = mq::attachments_of_status(&fed.db, s.id).await?.iter().map(document).collect();
    let poll = mq::poll_of_status(&fed.db, s.id).await?;
    let Some(m) = note.as_object_mut() else { return Ok(()) };
    m.insert("attachment".into(), Value::Array(docs));
    if let Some(p) = poll {
        let (counts, voters) = mq::poll_results(&fed.db, &p, true).await?;
        let options: Vec<Value> = mq::poll_options(&p)
            .iter()
            .enumerate()
            .map(|(i, name)| {
                json!({
                    "type": "Note",
                    "name": name,
                    "replies": { "type": "Collection", "totalItems": counts.get(i).copied().unwrap_or(0) },
                })
            })
            .collect();
        m.insert("type".into(), json!("Question"));
        m.insert(if p.multiple { "anyOf" } else { "oneOf" }.into(), Value::Array(options));
        m.insert("votersCount".into(), json!(voters));
        if let Some(end) = p.expires_at {
            m.insert("endTime".into(), json!(time(end)));
            if end <= Utc::now() {
                m.insert("closed".into(), json!(time(end)));
            }
        }
    }
    Ok(())
}

/// Mastodon's attachment type from a media type.
fn kind_of(media_type: &str) -> &'static str {
    match media_type.split('/').next().unwrap_or("") {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "unknown",
    }
}

fn http_url(v: &Value) -> Option<String> {
    let s = v.as_str().or_else(|| v.get("href").and_then(Value::as_str)).or_else(|| {
        v.as_array().and_then(|a| a.iter().find_map(|x| x.as_str().or_else(|| x.get("href").and_then(Value::as_str))))
    })?;
    let u = Url::parse(s).ok()?;
    (matches!(u.scheme(), "http" | "https") && s.len() <= MAX_URL).then(|| u.to_string())
}

/// A remote attachment, as a row not yet tied to a status.
fn parse_attachment(v: &Value, account_id: i64) -> Option<media_attachments::ActiveModel> {
    let url = http_url(v.get("url")?)?;
    let media_type = v
        .get("mediaType")
        .or_else(|| v.get("url").and_then(|u| u.get("mediaType")))
        .and_then(Value::as_str)
        .filter(|t| t.len() <= 100 && t.contains('/'))
        .unwrap_or("application/octet-stream");
    let kind = match (v.get("type").and_then(Value::as_str), kind_of(media_type)) {
        (Some("Image"), "unknown") => "image",
        (Some("Video"), "unknown") => "video",
        (Some("Audio"), "unknown") => "audio",
        (_, k) => k,
    };
    let blurhash = v
        .get("blurhash")
        .and_then(Value::as_str)
        .filter(|b| b.len() <= MAX_BLURHASH && b.chars().all(|c| c.is_ascii_graphic()))
        .map(String::from);
    let mut meta = json!({});
    let dim = |k: &str| v.get(k).and_then(Value::as_u64).filter(|d| *d > 0 && *d <= 100_000);
    if let (Some(w), Some(h), Some(m)) = (dim("width"), dim("height"), meta.as_object_mut()) {
        m.insert(
            "original".into(),
            json!({ "width": w, "height": h, "size": format!("{w}x{h}"), "aspect": w as f64 / h as f64 }),
        );
    }
    if let (Some(Value::Array(fp)), Some(m)) = (v.get("focalPoint"), meta.as_object_mut()) {
        let xy: Vec<f64> = fp.iter().take(2).filter_map(Value::as_f64).filter(|c| (-1.0..=1.0).contains(c)).collect();
        if let [x, y] = xy.as_slice() {
            m.insert("focus".into(), json!({ "x": x, "y": y }));
        }
    }
    Some(media_attachments::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account_id),
        status_id: Set(None),
        position: Set(0),
        kind: Set(kind.to_string()),
        content_type: Set(media_type.to_string()),
        file_key: Set(None),
        thumbnail_key: Set(None),
        url: Set(url.clone()),
        preview_url: Set(if kind == "image" { Some(url.clone()) } else { None }),
        remote_url: Set(Some(url)),
        description: Set(v
            .get("name")
            .and_then(Value::as_str)
            .map(|d| d.chars().take(MAX_DESCRIPTION).collect::<String>())
            .filter(|d| !d.trim().is_empty())),
        blurhash: Set(blurhash),
        meta: Set(meta.to_string()),
        file_size: Set(0),
        created_at: Set(coopol_db::now()),
    })
}

/// Options (titles and announced counts) of a Question; `None` when the object is no poll.
fn parse_question(note: &Value) -> Option<(Vec<String>, Vec<u64>, bool)> {
    if note.get("type").and_then(Value::as_str) != Some("Question") {
        return None;
    }
    let (items, multiple) = match (note.get("oneOf"), note.get("anyOf")) {
        (Some(Value::Array(a)), _) => (a, false),
        (_, Some(Value::Array(a))) => (a, true),
        _ => return None,
    };
    let mut titles = Vec::new();
    let mut counts = Vec::new();
    for o in items.iter().take(MAX_OPTIONS) {
        let Some(name) = o.get("name").and_then(Value::as_str) else { continue };
        let name: String = name.chars().take(MAX_OPTION_CHARS).collect();
        if titles.contains(&name) {
            continue;
        }
        titles.push(name);
        counts.push(o.pointer("/replies/totalItems").and_then(Value::as_u64).unwrap_or(0));
    }
    (titles.len() >= 2).then_some((titles, counts, multiple))
}

fn end_time(note: &Value) -> Option<DateTime<Utc>> {
    note.get("endTime")
        .or_else(|| note.get("closed"))
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn voters(note: &Value) -> Option<i64> {
    note.get("votersCount").and_then(Value::as_i64).filter(|v| *v >= 0)
}

/// Stores the attachments and poll of a remote note, in the transaction that stores it.
pub async fn store_remote_extras(
    db: &impl ConnectionTrait,
    note: &Value,
    status_id: i64,
    author_id: i64,
) -> Result<(), FederationError> {
    let docs: Vec<&Value> = match note.get("attachment") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    };
    let mut position = 0;
    for d in docs.into_iter().take(MAX_ATTACHMENTS * 2) {
        if position >= MAX_ATTACHMENTS as i32 {
            break;
        }
        if let Some(mut row) = parse_attachment(d, author_id) {
            row.status_id = Set(Some(status_id));
            row.position = Set(position);
            row.insert(db).await?;
            position += 1;
        }
    }
    if let Some((titles, counts, multiple)) = parse_question(note) {
        polls::ActiveModel {
            id: Set(coopol_core::new_id()),
            status_id: Set(status_id),
            options: Set(json!(titles).to_string()),
            cached_counts: Set(json!(counts).to_string()),
            cached_voters: Set(voters(note)),
            multiple: Set(multiple),
            hide_totals: Set(false),
            expires_at: Set(end_time(note)),
            created_at: Set(coopol_db::now()),
            end_notified: Set(false),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Refreshes the counts of a remote poll from an `Update(Question)`.
pub async fn update_remote_poll(fed: &Federation, note: &Value, status_id: i64) -> Result<(), FederationError> {
    let Some((titles, counts, _)) = parse_question(note) else { return Ok(()) };
    let Some(p) = mq::poll_of_status(&fed.db, status_id).await? else { return Ok(()) };
    if mq::poll_options(&p) != titles {
        tracing::info!(status_id, "ignoring an Update(Question) whose options changed");
        return Ok(());
    }
    let mut m: polls::ActiveModel = p.into();
    m.cached_counts = Set(json!(counts).to_string());
    m.cached_voters = Set(voters(note));
    if let Some(end) = end_time(note) {
        m.expires_at = Set(Some(end));
    }
    m.update(&fed.db).await?;
    Ok(())
}

/// A vote on a local poll arriving as `Create(Note)`: returns whether the note was one (then it
/// is not stored as a post). Repeated or late votes have no effect.
pub async fn receive_vote(fed: &Federation, note: &Value, actor: &accounts::Model) -> Result<bool, FederationError> {
    let (Some(name), Some(parent)) =
        (note.get("name").and_then(Value::as_str), note.get("inReplyTo").and_then(object_id))
    else {
        return Ok(false);
    };
    if note.get("type").and_then(Value::as_str) != Some("Note") {
        return Ok(false);
    }
    let Some(s) = queries::status_by_uri(&fed.db, parent).await?.filter(|s| s.local) else { return Ok(false) };
    let Some(p) = mq::poll_of_status(&fed.db, s.id).await? else { return Ok(false) };
    let id =
        note.get("id").and_then(Value::as_str).ok_or_else(|| FederationError::Invalid("vote without id".into()))?;
    let (id_url, actor_url) = match (Url::parse(id), Url::parse(&actor.uri)) {
        (Ok(i), Ok(a)) => (i, a),
        _ => return Err(FederationError::Invalid("ids are not URLs".into())),
    };
    if !same_origin(&id_url, &actor_url) {
        return Err(FederationError::Unauthorized("vote id is not on the voter's origin".into()));
    }
    if note.get("attributedTo").and_then(object_id) != Some(actor.uri.as_str()) {
        return Err(FederationError::Unauthorized("vote attributed to someone else".into()));
    }
    let Some(choice) = mq::poll_options(&p).iter().position(|o| o == name) else {
        tracing::info!(poll = p.id, "a vote for an option the poll does not have");
        return Ok(true);
    };
    if p.expires_at.is_some_and(|t| t <= Utc::now()) || s.account_id == actor.id {
        return Ok(true);
    }
    let choice = i32::try_from(choice).unwrap_or(0);
    let previous: Vec<poll_votes::Model> = poll_votes::Entity::find()
        .filter(poll_votes::Column::PollId.eq(p.id))
        .filter(poll_votes::Column::AccountId.eq(actor.id))
        .all(&fed.db)
        .await?;
    if previous.iter().any(|v| v.uri == id || v.choice == choice) || (!p.multiple && !previous.is_empty()) {
        return Ok(true);
    }
    let txn = fed.db.begin_write().await?;
    poll_votes::ActiveModel {
        id: Set(coopol_core::new_id()),
        poll_id: Set(p.id),
        account_id: Set(actor.id),
        choice: Set(choice),
        uri: Set(id.to_string()),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    queries::record_intent(&txn, &Intent::UpdateStatus { status_id: s.id }).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(true)
}

/// Inboxes of the remote accounts that voted in a status's poll: they hear of new counts.
pub async fn voter_inboxes(fed: &Federation, status_id: i64) -> Result<Vec<String>, FederationError> {
    let Some(p) = mq::poll_of_status(&fed.db, status_id).await? else { return Ok(vec![]) };
    let ids: Vec<i64> = poll_votes::Entity::find()
        .filter(poll_votes::Column::PollId.eq(p.id))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|v| v.account_id)
        .collect();
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// A local vote on a remote poll, as the `Note` that carries it (the option's `name`).
pub struct VoteNote {
    pub note: Value,
    pub voter: accounts::Model,
    /// The poll's author, who receives it.
    pub author: accounts::Model,
}

/// The `Note` of a local vote on a remote poll; `None` when the vote, poll or option is gone.
pub async fn vote_note(fed: &Federation, vote_id: i64) -> Result<Option<VoteNote>, FederationError> {
    let Some(v) = poll_votes::Entity::find_by_id(vote_id).one(&fed.db).await? else { return Ok(None) };
    let Some(p) = mq::poll_by_id(&fed.db, v.poll_id).await? else { return Ok(None) };
    let Some(s) = queries::status_by_id(&fed.db, p.status_id).await? else { return Ok(None) };
    let voter = queries::account_by_id(&fed.db, v.account_id).await?.ok_or(FederationError::NotFound)?;
    let author = queries::account_by_id(&fed.db, s.account_id).await?.ok_or(FederationError::NotFound)?;
    let Some(name) = usize::try_from(v.choice).ok().and_then(|i| mq::poll_options(&p).get(i).cloned()) else {
        return Ok(None);
    };
    let note = json!({
        "id": v.uri,
        "type": "Note",
        "name": name,
        "attributedTo": voter.uri,
        "inReplyTo": s.uri,
        "to": [author.uri],
        "published": time(v.created_at),
    });
    Ok(Some(VoteNote { note, voter, author }))
}

/// How often the poll-ending worker looks for polls that just ended.
pub const ENDINGS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// Sends the `poll` notification of every poll that ended and was not announced yet: to its
/// local voters and, for a local poll, to its author. Each poll is announced once, even with
/// several processes (the mark is taken before notifying). Returns how many polls it announced.
pub async fn announce_ended_polls(fed: &Federation) -> Result<usize, FederationError> {
    let mut announced = 0;
    for poll in coopol_db::media::ended_unannounced_polls(&fed.db, coopol_db::now(), 100).await? {
        if !coopol_db::media::mark_poll_end_notified(&fed.db, poll.id).await? {
            continue;
        }
        let Some(status) = coopol_db::queries::status_by_id(&fed.db, poll.status_id).await? else { continue };
        let mut told = coopol_db::media::voter_ids(&fed.db, poll.id).await?;
        if status.local {
            told.push(status.account_id);
        }
        for account_id in told {
            // `notify` keeps local accounts only.
            coopol_service::stream::notify(
                fed,
                account_id,
                status.account_id,
                coopol_db::notifications::POLL,
                Some(status.id),
            )
            .await?;
        }
        announced += 1;
    }
    Ok(announced)
}

/// The poll-ending worker: runs until the process stops.
pub async fn run_endings(fed: Federation) {
    loop {
        match announce_ended_polls(&fed).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(polls = n, "announced the end of polls"),
            Err(e) => tracing::warn!(error = %e, "announcing ended polls failed"),
        }
        tokio::time::sleep(ENDINGS_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_attachments_are_bounded_and_checked() {
        let ok = json!({"type": "Document", "mediaType": "image/png", "url": "https://x.example/a.png",
            "name": "a cat", "blurhash": "LEHV6nWB2yk8", "width": 10, "height": 5, "focalPoint": [0.5, -1.0]});
        let row = parse_attachment(&ok, 1).unwrap();
        assert_eq!(row.kind.clone().unwrap(), "image");
        assert_eq!(row.remote_url.clone().unwrap().as_deref(), Some("https://x.example/a.png"));
        assert!(row.meta.clone().unwrap().contains("\"focus\""));
        assert!(parse_attachment(&json!({"type": "Document", "url": "javascript:alert(1)"}), 1).is_none());
        assert!(parse_attachment(&json!({"type": "Document"}), 1).is_none());
        let link = json!({"type": "Video", "url": [{"type": "Link", "href": "https://x.example/v", "mediaType": "video/mp4"}]});
        assert_eq!(parse_attachment(&link, 1).unwrap().kind.unwrap(), "video");
    }

    #[test]
    fn questions_are_read_with_their_counts() {
        let q = json!({"type": "Question", "anyOf": [
            {"type": "Note", "name": "yes", "replies": {"totalItems": 3}},
            {"type": "Note", "name": "no"}], "votersCount": 3});
        assert_eq!(parse_question(&q), Some((vec!["yes".into(), "no".into()], vec![3, 0], true)));
        assert_eq!(voters(&q), Some(3));
        assert!(parse_question(&json!({"type": "Note", "oneOf": []})).is_none());
        assert!(parse_question(&json!({"type": "Question", "oneOf": [{"name": "only"}]})).is_none());
    }
}
