//! `Create(Note)`: a post arrives. We keep it when someone here has a reason to see it: they
//! follow the author, are mentioned, or it answers a local post. The inbox worker applies runs
//! of them in batches ([`receive_batch`]); [`receive`] applies one, through the same steps.

use coopol_db::WriteTxn;
use std::collections::HashSet;

use coopol_db::entities::{accounts, follows, group_posts, groups as group_settings, statuses};
use coopol_db::groups as gq;
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_db::queue::{self, QueueTable};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::event_objects::event_activity;
use crate::note_store::{self, Incoming, Known};
use crate::notes::note_for_status;
use crate::recipients::{self, Outgoing};
use crate::wire::{kind, object, object_id, string_list, with_context};
use crate::{Federation, FederationError};
use coopol_service::stream::Message;

/// `Create` wrapping a local note; addressed as the note is.
pub fn build(note: Value, actor: &str) -> Value {
    let id = format!("{}/activity", note.get("id").and_then(Value::as_str).unwrap_or_default());
    with_context(json!({
        "id": id,
        "type": "Create",
        "actor": actor,
        "published": note.get("published"),
        "to": note.get("to"),
        "cc": note.get("cc"),
        "object": note,
    }))
}

/// `Create` of a local post, to its audience (`recipients::post_inboxes`). An event's
/// companion status federates as the `Event`, never as a Note.
pub async fn send_status(fed: &Federation, status_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let author = recipients::account(fed, s.account_id).await?;
    let note = note_for_status(fed, &s).await?;
    let activity = if kind(&note) == "Event" {
        event_activity(&format!("{}/activity", s.uri), "Create", &author.uri, note)
    } else {
        build(note, &author.uri)
    };
    let inboxes = recipients::post_inboxes(fed, &s).await?;
    Ok(Some(Outgoing { activity, sender_account_id: author.id, inboxes }))
}

/// `Create` of a local event, to whoever hears of it (`recipients::event_inboxes`).
pub async fn send_event(fed: &Federation, event_id: i64) -> Result<Option<Outgoing>, FederationError> {
    crate::event_store::outgoing(fed, event_id, "Create").await
}

/// `Create(Note)` of a local vote on a remote poll (the option's `name`), to the poll's author.
pub async fn send_vote(fed: &Federation, vote_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(vote) = crate::polls::vote_note(fed, vote_id).await? else { return Ok(None) };
    Ok(Some(Outgoing {
        activity: build(vote.note, &vote.voter.uri),
        sender_account_id: vote.voter.id,
        inboxes: recipients::personal_inbox(&vote.author),
    }))
}

/// Whether a local account has a reason to see a note by `author`.
async fn relevant(fed: &Federation, note: &Value, author: &accounts::Model) -> Result<bool, FederationError> {
    if addresses_someone_here(fed, note) || !with_local_followers(&fed.db, &[author.id]).await?.is_empty() {
        return Ok(true);
    }
    if let Some(parent) = note.get("inReplyTo").and_then(object_id) {
        if let Some(p) = queries::status_by_uri(&fed.db, parent).await? {
            return Ok(p.local || coopol_db::groups::in_group_thread(&fed.db, p.id).await?);
        }
    }
    Ok(false)
}

/// Whether a note is addressed to a local account or mentions one. bto and bcc count as
/// addressing, as to and cc do; they are never shown.
fn addresses_someone_here(fed: &Federation, note: &Value) -> bool {
    let addressed = ["to", "cc", "bto", "bcc"].into_iter().flat_map(|k| string_list(note.get(k)));
    let tagged = match note.get("tag") {
        Some(Value::Array(tags)) => tags.iter().filter_map(|t| t.get("href").and_then(Value::as_str)).collect(),
        _ => Vec::new(),
    };
    addressed.into_iter().any(|uri| fed.config.is_local(&uri)) || tagged.into_iter().any(|h| fed.config.is_local(h))
}

/// Those of `authors` that a local account follows.
async fn with_local_followers(db: &impl ConnectionTrait, authors: &[i64]) -> Result<HashSet<i64>, FederationError> {
    use sea_orm::sea_query::{Expr, Query};
    if authors.is_empty() {
        return Ok(HashSet::new());
    }
    let local_ids = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    let followed: Vec<i64> = follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .distinct()
        .filter(follows::Column::AccountId.in_subquery(local_ids))
        .filter(follows::Column::TargetAccountId.is_in(authors.iter().copied()))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .into_tuple()
        .all(db)
        .await?;
    Ok(followed.into_iter().collect())
}

/// The embedded note of a `Create` that can be applied in a batch with others
/// ([`receive_batch`]): not a note given by reference (fetched first), an `Event` or what may be
/// a poll vote (a `Note` with a `name` answering a post); those go through [`receive`].
pub fn batchable(activity: &Value) -> Option<&Value> {
    if kind(activity) != "Create" {
        return None;
    }
    let note = activity.get("object").filter(|o| o.is_object())?;
    let kind = kind(note);
    if !matches!(kind, "Note" | "Article" | "Page" | "Question") {
        return None;
    }
    let maybe_vote = kind == "Note" && note.get("name").is_some() && note.get("inReplyTo").is_some();
    (!maybe_vote).then_some(note)
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let obj = object(activity)?;
    // Mastodon embeds the object; a bare id is fetched from its origin, which must be the actor's.
    let note = if obj.is_string() {
        let uri = obj.as_str().unwrap_or_default();
        let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
        let actor_url = Url::parse(&actor.uri).map_err(|_| FederationError::Invalid("bad actor id".into()))?;
        if !same_origin(&url, &actor_url) {
            return Err(FederationError::Unauthorized("object not on the actor's origin".into()));
        }
        fed.http.fetch_object(&url, &fed.instance_key).await?
    } else {
        obj.clone()
    };
    if kind(&note) == "Event" {
        return receive_event(fed, &note, actor).await;
    }
    if crate::polls::receive_vote(fed, &note, actor).await? {
        return Ok(());
    }
    if !relevant(fed, &note, actor).await? {
        tracing::debug!(actor = %actor.uri, "dropping a note nobody here follows or is addressed by");
        return Ok(());
    }
    let items = vec![Incoming::read(note, actor.clone())?];
    // Read before the transaction: on SQLite a transaction must write first.
    let plan = plan(fed, &fed.db, &items).await?;
    if plan.keep.is_empty() {
        return Ok(());
    }
    let txn = fed.db.begin_write().await?;
    let done = store(&txn, &items, &plan).await?;
    txn.commit().await?;
    done.publish(fed);
    Ok(())
}

/// Applies received `Create`s of notes (each [`batchable`], read into an [`Incoming`]) in one
/// transaction that first deletes their inbox jobs: a job is gone exactly when its note is
/// stored with everything it causes (mentions, tags, notifications, conversations, a group's
/// announce), and a note whose job another process took is left to it. The notes must come
/// in each actor's order, and none may answer or repeat another of the batch (the worker cuts
/// batches there), since the batch is read before any of it is written. On an error nothing
/// is written: the caller applies the notes one by one.
pub async fn receive_batch(fed: &Federation, batch: Vec<(i64, Incoming)>) -> Result<(), FederationError> {
    let jobs: Vec<i64> = batch.iter().map(|(job, _)| *job).collect();
    let txn = fed.db.begin_write().await?;
    let taken: HashSet<i64> = queue::remove(&txn, QueueTable::Inbox, &jobs).await?.into_iter().collect();
    let items: Vec<Incoming> = batch.into_iter().filter(|(job, _)| taken.contains(job)).map(|(_, i)| i).collect();
    let plan = plan(fed, &txn, &items).await?;
    let done = store(&txn, &items, &plan).await?;
    txn.commit().await?;
    done.publish(fed);
    Ok(())
}

/// What the database says about a batch of notes: which to keep, and what their group offers
/// need.
struct Plan {
    known: Known,
    /// The notes to store (indexes into the batch): new, and relevant here.
    keep: Vec<usize>,
    /// For each note, the local accounts it addresses or mentions (groups among them may
    /// announce it).
    addressed: Vec<Vec<i64>>,
    /// Local group accounts among all of those.
    groups: HashSet<i64>,
    /// Statuses answered by the batch that are in a group's thread.
    in_threads: HashSet<i64>,
}

/// The local accounts a note addresses (`to`, `cc`, `audience`) or tags, as URIs.
fn addressed_here(fed: &Federation, note: &Value) -> Vec<String> {
    let mut uris: Vec<String> =
        ["to", "cc", "audience"].into_iter().flat_map(|k| string_list(note.get(k))).take(200).collect();
    if let Some(Value::Array(tags)) = note.get("tag") {
        uris.extend(tags.iter().take(100).filter_map(|t| t.get("href").and_then(Value::as_str)).map(String::from));
    }
    uris.retain(|u| fed.config.is_local(u));
    uris.sort();
    uris.dedup();
    uris
}

/// Reads what the batch needs, a fixed number of queries for all of it.
async fn plan(fed: &Federation, db: &impl ConnectionTrait, items: &[Incoming]) -> Result<Plan, FederationError> {
    let addressed_uris: Vec<Vec<String>> = items.iter().map(|i| addressed_here(fed, &i.note)).collect();
    let known = Known::load(db, items, addressed_uris.iter().flatten().cloned()).await?;
    let addressed: Vec<Vec<i64>> = addressed_uris
        .iter()
        .map(|uris| uris.iter().filter_map(|u| known.accounts.get(u)).map(|a| a.id).collect())
        .collect();
    let mut candidates: Vec<i64> = addressed.iter().flatten().copied().collect();
    candidates.sort_unstable();
    candidates.dedup();
    let groups: HashSet<i64> = if candidates.is_empty() {
        HashSet::new()
    } else {
        group_settings::Entity::find()
            .select_only()
            .column(group_settings::Column::AccountId)
            .filter(group_settings::Column::AccountId.is_in(candidates))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let parents: Vec<i64> =
        items.iter().filter_map(|i| i.in_reply_to()).filter_map(|u| known.statuses.get(u)).map(|s| s.id).collect();
    let in_threads: HashSet<i64> = if parents.is_empty() {
        HashSet::new()
    } else {
        group_posts::Entity::find()
            .select_only()
            .column(group_posts::Column::StatusId)
            .filter(group_posts::Column::StatusId.is_in(parents))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    // A local account has a reason to see the note: it follows the author, is addressed or
    // mentioned, or the note answers a local post or a post of a group's thread.
    let mut unaddressed: Vec<i64> =
        items.iter().filter(|i| !addresses_someone_here(fed, &i.note)).map(|i| i.author.id).collect();
    unaddressed.sort_unstable();
    unaddressed.dedup();
    let followed = with_local_followers(db, &unaddressed).await?;
    let keep = items
        .iter()
        .enumerate()
        .filter(|(_, i)| known.is_new(i))
        .filter(|(_, i)| {
            let parent = i.in_reply_to().and_then(|u| known.statuses.get(u));
            let wanted = addresses_someone_here(fed, &i.note)
                || followed.contains(&i.author.id)
                || parent.is_some_and(|p| p.local || in_threads.contains(&p.id));
            if !wanted {
                tracing::debug!(actor = %i.author.uri, "dropping a note nobody here follows or is addressed by");
            }
            wanted
        })
        .map(|(n, _)| n)
        .collect();
    Ok(Plan { known, keep, addressed, groups, in_threads })
}

/// What was stored, for the streams and the outbox worker to hear of after the commit.
struct Done {
    statuses: Vec<statuses::Model>,
    arrivals: coopol_db::arrivals::Arrivals,
    announced: bool,
}

/// Stores the kept notes and what they cause, in the caller's transaction.
async fn store(txn: &impl ConnectionTrait, items: &[Incoming], plan: &Plan) -> Result<Done, FederationError> {
    let stored = note_store::insert(txn, items, &plan.keep, &plan.known).await?;
    let statuses: Vec<statuses::Model> = stored.iter().map(|(_, s)| s.clone()).collect();
    let arrivals = coopol_db::arrivals::record(txn, &statuses).await?;
    // Local groups a note addresses, or whose thread it answers, may announce it.
    let mut announced = false;
    for (i, s) in &stored {
        let addressed = plan.addressed.get(*i).map(Vec::as_slice).unwrap_or_default();
        let offered = addressed.iter().any(|a| plan.groups.contains(a))
            || s.in_reply_to_id.is_some_and(|p| plan.in_threads.contains(&p));
        if !offered {
            continue;
        }
        for (group, g) in gq::groups_taking(txn, s, addressed).await? {
            gq::announce_in_group(txn, &group, &g, s.id).await?;
            tracing::debug!(group = %group.uri, status = %s.uri, "group announces a post");
            announced = true;
        }
    }
    Ok(Done { statuses, arrivals, announced })
}

impl Done {
    fn publish(self, fed: &Federation) {
        for n in self.arrivals.notifications {
            fed.stream.publish(Message::Notification { account_id: n.account_id, notification_id: n.id });
        }
        for c in self.arrivals.conversations {
            fed.stream.publish(Message::Conversation { account_id: c.account_id, conversation_id: c.id });
        }
        for s in self.statuses {
            tracing::debug!(uri = %s.uri, "stored remote note");
            fed.stream.publish(Message::StatusCreated { status_id: s.id });
        }
        if self.announced {
            fed.outbox_ready.notify_one();
        }
    }
}

/// `Create(Event)`: kept, with its companion status, when someone here follows its organiser or
/// its group, or it is addressed to a local account.
async fn receive_event(fed: &Federation, event: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let mut wanted = relevant(fed, event, actor).await?;
    if !wanted {
        if let Some(group) = event.get("attributedTo").and_then(object_id).filter(|g| *g != actor.uri) {
            if let Some(g) = queries::account_by_uri(&fed.db, group).await? {
                wanted = relevant(fed, event, &g).await?;
            }
        }
    }
    if !wanted {
        tracing::debug!(actor = %actor.uri, "dropping an event nobody here follows or is addressed by");
        return Ok(());
    }
    if let Some((e, s)) = crate::event_store::store_remote_event(fed, event, actor).await? {
        tracing::debug!(uri = %e.uri, "stored remote event");
        coopol_service::stream::status_created(fed, &s).await?;
    }
    Ok(())
}
