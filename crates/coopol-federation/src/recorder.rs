//! Records accepted activities (their id, for dedupe, and the job that applies them) in
//! batches: one writer task takes every activity verified meanwhile and writes them in one
//! transaction. SQLite has a single writer, so one commit for many requests is what lets the
//! inbox keep up with busy peers; PostgreSQL saves a disk sync per activity.

use coopol_db::WriteTxn;
use std::collections::HashSet;
use std::sync::Arc;

use coopol_db::entities::{inbox_jobs, received_activities};
use coopol_db::Db;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Set};
use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard, Notify};

use crate::FederationError;

/// Most activities written in one transaction.
const BATCH: usize = 256;

struct Pending {
    id: String,
    actor_uri: String,
    activity: String,
    /// `true` when recorded, `false` when the id was seen before.
    reply: oneshot::Sender<Result<bool, String>>,
}

/// Handle to the writer task. Cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Pending>,
    turns: Turns,
}

/// Turns at SQLite's one write lock between the recorder and the inbox worker's batches, taken
/// in order of arrival. Without them each waits for the other in SQLite's busy handler, which
/// sleeps up to 100 ms at a time and lets the other take the lock again: the inbox's accept
/// rate fell by two thirds. PostgreSQL has no such lock: no turns there.
#[derive(Clone)]
pub struct Turns(Option<Arc<Mutex<()>>>);

impl Turns {
    /// Waits for this task's turn at writing; the turn ends when the guard is dropped.
    pub async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }
}

impl Recorder {
    /// Starts the writer task; `ready` is notified after each commit (it wakes the inbox worker).
    pub fn start(db: Db, ready: Arc<Notify>) -> Self {
        let (tx, rx) = mpsc::channel(4 * BATCH);
        let sqlite = db.get_database_backend() == DbBackend::Sqlite;
        let turns = Turns(sqlite.then(|| Arc::new(Mutex::new(()))));
        tokio::spawn(run(db, rx, ready, turns.clone()));
        Recorder { tx, turns }
    }

    /// The write turns the inbox worker shares with the recorder.
    pub fn turns(&self) -> &Turns {
        &self.turns
    }

    /// Records an activity; `Ok(false)` when its id was already recorded (a duplicate).
    pub async fn record(&self, id: String, actor_uri: String, activity: String) -> Result<bool, FederationError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { id, actor_uri, activity, reply })
            .await
            .map_err(|_| FederationError::Http("the inbox writer has stopped".into()))?;
        match answer.await {
            Ok(Ok(recorded)) => Ok(recorded),
            Ok(Err(e)) => Err(FederationError::Db(coopol_db::DbError::Invalid(e))),
            Err(_) => Err(FederationError::Http("the inbox writer has stopped".into())),
        }
    }
}

/// Ids of inbox jobs, increasing in the order activities were accepted: the worker applies an
/// actor's activities in the order of their job ids. `new_id` alone does not promise that
/// within one millisecond (its low bits are salted per process).
#[derive(Default)]
struct JobIds {
    last: i64,
}

impl JobIds {
    fn next(&mut self) -> i64 {
        self.last = coopol_core::new_id().max(self.last.saturating_add(1));
        self.last
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Pending>, ready: Arc<Notify>, turns: Turns) {
    let mut ids = JobIds::default();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let turn = turns.take().await;
        let written = write(&db, &batch, &mut ids).await;
        drop(turn);
        match written {
            Ok(recorded) => {
                for (p, r) in batch.into_iter().zip(recorded) {
                    let _ = p.reply.send(Ok(r));
                }
                ready.notify_one();
            }
            Err(e) => {
                tracing::error!(error = %e, n = batch.len(), "recording received activities");
                for p in batch {
                    let _ = p.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

async fn write(db: &Db, batch: &[Pending], job_ids: &mut JobIds) -> Result<Vec<bool>, sea_orm::DbErr> {
    let now = coopol_db::now();
    let txn = db.begin_write().await?;
    // Two statements per batch, whatever its size: the ids first (a transaction that writes
    // first never fails on SQLite's lock), keeping those not seen before, then their jobs.
    let ids = batch.iter().map(|p| received_activities::ActiveModel { id: Set(p.id.clone()), received_at: Set(now) });
    let new_ids: HashSet<String> = match received_activities::Entity::insert_many(ids)
        .on_conflict(OnConflict::column(received_activities::Column::Id).do_nothing().to_owned())
        .exec_with_returning_many(&txn)
        .await
    {
        Ok(rows) => rows.into_iter().map(|r| r.id).collect(),
        Err(sea_orm::DbErr::RecordNotInserted) => HashSet::new(),
        Err(e) => return Err(e),
    };
    let mut recorded = Vec::with_capacity(batch.len());
    let mut jobs = Vec::new();
    let mut taken = HashSet::new();
    for p in batch {
        // A duplicate inside the batch counts once, like one across batches.
        let new = new_ids.contains(&p.id) && taken.insert(p.id.as_str());
        if new {
            jobs.push(inbox_jobs::ActiveModel {
                id: Set(job_ids.next()),
                activity: Set(p.activity.clone()),
                actor_uri: Set(p.actor_uri.clone()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                locked_until: Set(None),
                created_at: Set(now),
            });
        }
        recorded.push(new);
    }
    if !jobs.is_empty() {
        inbox_jobs::Entity::insert_many(jobs).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(recorded)
}
