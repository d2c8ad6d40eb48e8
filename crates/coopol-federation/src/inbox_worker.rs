//! The inbox worker: applies the activities the inbox accepted, each actor's in the order they
//! arrived (a Follow before its Undo, a Create before its Delete).
//!
//! It claims up to [`CLAIM`] due jobs and applies them in rounds. In a round, each actor with
//! jobs left gives either the run of `Create`s of notes at the head of its queue, or, when its
//! head is another activity, that one activity. The runs of every actor go into one batch, one
//! transaction with a fixed number of statements (`activities::create::receive_batch`); the
//! other activities are applied alone, up to [`PARALLEL_ACTORS`] side by side, next to the batch.
//! An actor's later jobs wait for the next round, so its order holds. SQLite pays one commit per
//! transaction: batching is what lets the worker keep up with the inbox's accept rate. On
//! SQLite the claims and batches take turns with the recorder at the write lock
//! (`recorder::Turns`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use coopol_db::entities::{accounts, inbox_jobs};
use coopol_db::queries;
use coopol_db::queue::{self, QueueTable};
use futures::StreamExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::activities::{self, create};
use crate::note_store::Incoming;
use crate::{actors, Federation, FederationError};

/// Most jobs claimed at once.
const CLAIM: u64 = 256;
/// Activities other than Creates of notes applied at the same time (each from another actor).
const PARALLEL_ACTORS: usize = 8;
/// Attempts at applying a received activity when a transient error (a fetch) stops it.
const MAX_INBOX_ATTEMPTS: i32 = 5;
/// How long a claim holds its jobs; a process killed meanwhile leaves them to the next start.
const LEASE_SECONDS: i64 = 120;

/// Runs forever: applies received activities.
pub async fn run(fed: Federation) {
    if let Err(e) = queue::release_all(&fed.db, QueueTable::Inbox).await {
        tracing::error!(error = %e, "releasing inbox leases");
    }
    loop {
        let now = chrono::Utc::now();
        let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
        let turn = fed.recorder.turns().take().await;
        let claimed = queue::claim(&fed.db, QueueTable::Inbox, now, lease, CLAIM).await;
        drop(turn);
        let ids = match claimed {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "claiming inbox jobs");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if ids.is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(1), fed.inbox_ready.notified()).await;
            continue;
        }
        let mut jobs = match inbox_jobs::Entity::find().filter(inbox_jobs::Column::Id.is_in(ids)).all(&fed.db).await {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(error = %e, "loading inbox jobs");
                continue;
            }
        };
        // Job ids follow the order of arrival (`recorder`).
        jobs.sort_by_key(|j| j.id);
        let finished = apply_claimed(&fed, jobs).await;
        if !finished.is_empty() {
            if let Err(e) = queue::remove(&fed.db, QueueTable::Inbox, &finished).await {
                tracing::error!(error = %e, "removing applied inbox jobs");
            }
        }
    }
}

/// A claimed job, read.
enum Work {
    /// A Create of a note by a known actor: applied in a batch.
    Note(inbox_jobs::Model, Box<Incoming>),
    /// Anything else: applied alone.
    Alone(inbox_jobs::Model),
    /// Nothing to apply (unreadable, or a note refused as its author's): the job is done.
    Drop(i64),
}

fn read(job: inbox_jobs::Model, actors: &HashMap<String, accounts::Model>) -> Work {
    let Ok(activity) = serde_json::from_str::<Value>(&job.activity) else {
        tracing::info!(actor = %job.actor_uri, "activity dropped: unreadable");
        return Work::Drop(job.id);
    };
    let (Some(note), Some(actor)) = (create::batchable(&activity), actors.get(&job.actor_uri)) else {
        return Work::Alone(job);
    };
    match Incoming::read(note.clone(), actor.clone()) {
        Ok(incoming) => Work::Note(job, Box::new(incoming)),
        Err(e) => {
            tracing::info!(error = %e, actor = %job.actor_uri, "activity dropped");
            Work::Drop(job.id)
        }
    }
}

/// Applies claimed jobs (in order of arrival) in rounds; returns the jobs done with that are
/// still to delete (those applied in a batch were deleted with their effects).
async fn apply_claimed(fed: &Federation, jobs: Vec<inbox_jobs::Model>) -> Vec<i64> {
    let actors = match known_actors(fed, &jobs).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "loading the actors of inbox jobs");
            HashMap::new()
        }
    };
    let mut queues: Vec<VecDeque<Work>> = Vec::new();
    let mut queue_of: HashMap<String, usize> = HashMap::new();
    for job in jobs {
        let n = *queue_of.entry(job.actor_uri.clone()).or_insert_with(|| {
            queues.push(VecDeque::new());
            queues.len() - 1
        });
        let work = read(job, &actors);
        if let Some(q) = queues.get_mut(n) {
            q.push_back(work);
        }
    }
    let mut finished = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        let mut batch: Vec<(inbox_jobs::Model, Incoming)> = Vec::new();
        let mut alone = Vec::new();
        let mut in_batch: HashSet<String> = HashSet::new();
        for q in &mut queues {
            let mut took = false;
            while let Some(w) = q.front() {
                match w {
                    Work::Drop(id) => {
                        finished.push(*id);
                        q.pop_front();
                    }
                    // A note that answers or repeats one of the batch waits for the next round:
                    // the batch is read before any of it is written.
                    Work::Note(_, n)
                        if !in_batch.contains(n.uri()) && !n.in_reply_to().is_some_and(|p| in_batch.contains(p)) =>
                    {
                        in_batch.insert(n.uri().to_string());
                        if let Some(Work::Note(job, n)) = q.pop_front() {
                            batch.push((job, *n));
                        }
                        took = true;
                    }
                    Work::Note(..) => break,
                    Work::Alone(_) => {
                        if !took {
                            if let Some(Work::Alone(job)) = q.pop_front() {
                                alone.push(job);
                            }
                        }
                        break;
                    }
                }
            }
        }
        let batch_done = apply_batch(fed, batch);
        let alone_done =
            futures::stream::iter(alone).map(|job| apply_alone(fed, job)).buffer_unordered(PARALLEL_ACTORS).collect();
        let (from_batch, from_alone): (Vec<i64>, Vec<Option<i64>>) = tokio::join!(batch_done, alone_done);
        finished.extend(from_batch);
        finished.extend(from_alone.into_iter().flatten());
    }
    finished
}

/// The actors of the jobs that we know (one query); the others are resolved when applied.
async fn known_actors(
    fed: &Federation,
    jobs: &[inbox_jobs::Model],
) -> Result<HashMap<String, accounts::Model>, FederationError> {
    let mut uris: Vec<String> = jobs.iter().map(|j| j.actor_uri.clone()).collect();
    uris.sort_unstable();
    uris.dedup();
    let found = accounts::Entity::find().filter(accounts::Column::Uri.is_in(uris)).all(&fed.db).await?;
    let mut domains: Vec<String> = found.iter().filter_map(|a| a.domain.clone()).collect();
    domains.sort_unstable();
    domains.dedup();
    crate::delivery::mark_all_available(fed, &domains).await?;
    Ok(found.into_iter().map(|a| (a.uri.clone(), a)).collect())
}

/// Applies a batch of Creates in one transaction; if it fails, each one alone (one bad note
/// does not hold back the others). Returns the jobs left to delete.
async fn apply_batch(fed: &Federation, batch: Vec<(inbox_jobs::Model, Incoming)>) -> Vec<i64> {
    if batch.is_empty() {
        return Vec::new();
    }
    let jobs: Vec<inbox_jobs::Model> = batch.iter().map(|(j, _)| j.clone()).collect();
    let notes = batch.into_iter().map(|(j, n)| (j.id, n)).collect();
    let turn = fed.recorder.turns().take().await;
    let applied = create::receive_batch(fed, notes).await;
    drop(turn);
    match applied {
        Ok(()) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, n = jobs.len(), "a batch of notes failed; applying them one by one");
            let mut finished = Vec::new();
            for job in jobs {
                finished.extend(apply_alone(fed, job).await);
            }
            finished
        }
    }
}

/// Applies one queued activity.
async fn process(fed: &Federation, job: &inbox_jobs::Model) -> Result<(), FederationError> {
    let activity: Value = serde_json::from_str(&job.activity).map_err(|e| FederationError::Invalid(e.to_string()))?;
    let actor = match queries::account_by_uri(&fed.db, &job.actor_uri).await? {
        Some(a) => a,
        None => actors::resolve_actor(fed, &job.actor_uri).await?,
    };
    if let Some(domain) = actor.domain.as_deref() {
        crate::delivery::mark_available(fed, domain).await?;
    }
    activities::receive(fed, &activity, &actor).await
}

/// Applies one job; returns its id when it is done with (applied or dropped). One that failed
/// for a passing reason is rescheduled.
async fn apply_alone(fed: &Federation, job: inbox_jobs::Model) -> Option<i64> {
    let retry = match process(fed, &job).await {
        Ok(()) => false,
        Err(e @ (FederationError::Http(_) | FederationError::Db(_))) if job.attempts + 1 < MAX_INBOX_ATTEMPTS => {
            tracing::info!(error = %e, actor = %job.actor_uri, "activity will be retried");
            true
        }
        Err(e) => {
            tracing::info!(error = %e, actor = %job.actor_uri, "activity dropped");
            false
        }
    };
    if !retry {
        return Some(job.id);
    }
    let delay = chrono::Duration::seconds(if fed.config.dev { 2 } else { 60 } * i64::from(job.attempts + 1));
    let mut m: inbox_jobs::ActiveModel = job.into();
    m.attempts = Set(m.attempts.as_ref() + 1);
    m.next_attempt_at = Set(chrono::Utc::now() + delay);
    m.locked_until = Set(None);
    if let Err(e) = m.update(&fed.db).await {
        tracing::error!(error = %e, "rescheduling an inbox job");
    }
    None
}
