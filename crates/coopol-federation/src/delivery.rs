//! Delivery workers: send queued activities, signed by their author, with retries. The queue is
//! a database table, so a crash (kill -9) at any point loses nothing: a claimed job whose
//! worker died becomes due again when its lease ends.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use coopol_db::entities::{delivery_jobs, instances};
use coopol_db::queue::{self, QueueTable};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use tokio::sync::{mpsc, Semaphore};
use url::Url;

use crate::{Federation, FederationError};

/// Attempts before a delivery is dropped: about three days in production.
pub const MAX_ATTEMPTS: u32 = 16;
/// Attempts in development mode, a few seconds apart (a few minutes in all).
pub const MAX_ATTEMPTS_DEV: u32 = 60;
/// Distinct failing days after which an instance is considered gone until it answers again.
pub const UNAVAILABLE_AFTER_DAYS: i32 = 7;
/// Requests in flight, in all and to one instance.
const IN_FLIGHT: usize = 128;
const IN_FLIGHT_PER_INSTANCE: usize = 16;
/// How long a worker holds a claimed job: longer than a job may wait for its instance's slots
/// and then be sent (128 jobs over 16 slots, 20 s each at worst), so a live worker never
/// loses a job it holds. Jobs held by a process that died are released when it starts again.
const LEASE: Duration = Duration::from_secs(300);

/// Delay before retry number `attempts` (1 after the first failure), or `None` when the job
/// has had its chances. `jitter` is in `[0, 1)`. Production: `attempts⁴ + 15 s` plus up to
/// `30 s × attempts` of jitter, which spreads 16 attempts over about three days.
pub fn retry_delay(attempts: u32, dev: bool, jitter: f64) -> Option<Duration> {
    if dev {
        if attempts > MAX_ATTEMPTS_DEV {
            return None;
        }
        let base = 2f64.powi(i32::try_from(attempts.min(3)).unwrap_or(3) - 1).min(4.0);
        return Some(Duration::from_secs_f64(base + jitter * 0.5));
    }
    if attempts > MAX_ATTEMPTS {
        return None;
    }
    let n = f64::from(attempts);
    Some(Duration::from_secs_f64(n.powi(4) + 15.0 + jitter * 30.0 * n))
}

/// What to do after an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// The peer refused for good (most 4xx): retrying would not help.
    Permanent,
    Retry,
}

/// Reads an HTTP status: 4xx are final except 401 (key not yet fetched), 408 and 429.
pub fn verdict(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        401 | 408 | 429 => Verdict::Retry,
        400..=499 => Verdict::Permanent,
        _ => Verdict::Retry,
    }
}

enum Outcome {
    Done { id: i64, domain: String, delivered: bool },
    Failed { job: delivery_jobs::Model, error: String, retry_after: Option<Duration> },
}

async fn attempt(fed: &Federation, job: &delivery_jobs::Model) -> Result<(Verdict, Option<Duration>), FederationError> {
    let inbox = Url::parse(&job.inbox_url).map_err(|_| FederationError::Invalid("bad inbox URL".into()))?;
    let key = fed.signers.get(&fed.db, job.sender_account_id).await?;
    let out = fed.http.post_activity(&inbox, Bytes::from(job.payload.clone()), &key).await?;
    Ok((verdict(out.status.as_u16()), out.retry_after))
}

/// Instance health, mirrored in memory so that a success costs no write when nothing changed.
#[derive(Default)]
struct Health {
    /// Instances known to answer since this process started.
    healthy: HashSet<String>,
}

impl Health {
    async fn success(&mut self, fed: &Federation, domain: &str) -> Result<(), FederationError> {
        // The first success since start also clears failures an earlier run recorded.
        if self.healthy.insert(domain.to_string()) {
            mark_available(fed, domain).await?;
        }
        Ok(())
    }

    async fn failure(&mut self, fed: &Federation, domain: &str) -> Result<(), FederationError> {
        self.healthy.remove(domain);
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        record_failure(fed, domain, &today).await.map(|_| ())
    }
}

/// Records that deliveries to `domain` failed on `day` (`YYYY-MM-DD`); several failures on one
/// day count once. Returns whether the instance is now considered unavailable.
pub async fn record_failure(fed: &Federation, domain: &str, day: &str) -> Result<bool, FederationError> {
    let row = instances::Entity::find_by_id(domain.to_string()).one(&fed.db).await?;
    match row {
        Some(r) if r.last_failure_day.as_deref() == Some(day) => Ok(r.unavailable),
        Some(r) => {
            let days = r.failure_days + 1;
            let unavailable = days >= UNAVAILABLE_AFTER_DAYS;
            let mut m: instances::ActiveModel = r.into();
            m.failure_days = Set(days);
            m.last_failure_day = Set(Some(day.to_string()));
            m.unavailable = Set(unavailable);
            m.update(&fed.db).await?;
            if unavailable {
                tracing::warn!(domain, days, "instance marked unavailable");
            }
            Ok(unavailable)
        }
        None => {
            instances::ActiveModel {
                domain: Set(domain.to_string()),
                failure_days: Set(1),
                last_failure_day: Set(Some(day.to_string())),
                unavailable: Set(false),
                last_success_at: Set(None),
            }
            .insert(&fed.db)
            .await?;
            Ok(false)
        }
    }
}

/// An instance answered (a delivery succeeded, or it sent us an activity): it is available.
pub async fn mark_available(fed: &Federation, domain: &str) -> Result<(), FederationError> {
    mark_all_available(fed, &[domain.to_string()]).await
}

/// [`mark_available`] for several instances, with one query when all of them are.
pub async fn mark_all_available(fed: &Federation, domains: &[String]) -> Result<(), FederationError> {
    if domains.is_empty() {
        return Ok(());
    }
    let failing = instances::Entity::find()
        .filter(instances::Column::Domain.is_in(domains.iter().cloned()))
        .filter(instances::Column::FailureDays.ne(0).or(instances::Column::Unavailable.eq(true)))
        .all(&fed.db)
        .await?;
    for r in failing {
        let mut m: instances::ActiveModel = r.into();
        m.failure_days = Set(0);
        m.last_failure_day = Set(None);
        m.unavailable = Set(false);
        m.last_success_at = Set(Some(coopol_db::now()));
        m.update(&fed.db).await?;
    }
    Ok(())
}

async fn unavailable_domains(fed: &Federation) -> Result<HashSet<String>, FederationError> {
    Ok(instances::Entity::find()
        .filter(instances::Column::Unavailable.eq(true))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|r| r.domain)
        .collect())
}

/// Records outcomes: finished jobs are deleted in batches, failed ones rescheduled.
async fn record_outcomes(fed: Federation, mut rx: mpsc::Receiver<Outcome>) {
    let mut health = Health::default();
    let mut finished: Vec<i64> = Vec::new();
    loop {
        let first = rx.recv().await;
        let Some(first) = first else { break };
        let mut batch = vec![first];
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        for o in batch {
            let r = match o {
                Outcome::Done { id, domain, delivered } => {
                    finished.push(id);
                    if delivered {
                        health.success(&fed, &domain).await
                    } else {
                        Ok(())
                    }
                }
                Outcome::Failed { job, error, retry_after } => {
                    reschedule(&fed, &mut health, job, error, retry_after).await
                }
            };
            if let Err(e) = r {
                tracing::error!(error = %e, "recording a delivery outcome");
            }
        }
        if !finished.is_empty() {
            match delivery_jobs::Entity::delete_many()
                .filter(delivery_jobs::Column::Id.is_in(finished.clone()))
                .exec(&fed.db)
                .await
            {
                Ok(_) => finished.clear(),
                Err(e) => tracing::error!(error = %e, "deleting delivered jobs"),
            }
        }
    }
}

async fn reschedule(
    fed: &Federation,
    health: &mut Health,
    job: delivery_jobs::Model,
    error: String,
    retry_after: Option<Duration>,
) -> Result<(), FederationError> {
    health.failure(fed, &job.domain).await?;
    let attempts = u32::try_from(job.attempts).unwrap_or(0) + 1;
    match retry_delay(attempts, fed.config.dev, rand::random::<f64>()) {
        None => {
            tracing::warn!(inbox = %job.inbox_url, attempts, %error, "giving up a delivery");
            delivery_jobs::Entity::delete_by_id(job.id).exec(&fed.db).await?;
        }
        Some(delay) => {
            let delay = retry_after.map_or(delay, |r| r.max(delay)).min(Duration::from_secs(86_400));
            tracing::info!(inbox = %job.inbox_url, attempts, %error, retry_in = ?delay, "delivery failed");
            let next = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
            let mut m: delivery_jobs::ActiveModel = job.into();
            m.attempts = Set(i32::try_from(attempts).unwrap_or(i32::MAX));
            m.next_attempt_at = Set(next);
            m.locked_until = Set(None);
            m.last_error = Set(Some(error.chars().take(500).collect()));
            m.update(&fed.db).await?;
        }
    }
    Ok(())
}

/// Runs forever: claims due jobs as request slots free up and sends them.
pub async fn run(fed: Federation) {
    match queue::release_all(&fed.db, QueueTable::Deliveries).await {
        Ok(n) if n > 0 => tracing::info!(jobs = n, "resuming deliveries a previous run had claimed"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "releasing delivery leases"),
    }
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut per_instance: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(record_outcomes(fed.clone(), rx));
    loop {
        let free = slots.available_permits();
        let claimed = if free == 0 {
            Ok(vec![])
        } else {
            let now = chrono::Utc::now();
            let lease = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
            queue::claim(&fed.db, QueueTable::Deliveries, now, lease, free as u64).await
        };
        let ids = match claimed {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "claiming deliveries");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if ids.is_empty() {
            let idle = if free == 0 { Duration::from_millis(20) } else { Duration::from_secs(1) };
            let _ = tokio::time::timeout(idle, fed.delivery_ready.notified()).await;
            continue;
        }
        let jobs = match delivery_jobs::Entity::find().filter(delivery_jobs::Column::Id.is_in(ids)).all(&fed.db).await {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(error = %e, "loading deliveries");
                continue;
            }
        };
        let unavailable = unavailable_domains(&fed).await.unwrap_or_default();
        let blocked = coopol_db::queries::blocked_domains(&fed.db).await.unwrap_or_default();
        if per_instance.len() > 10_000 {
            per_instance.retain(|_, s| s.available_permits() < IN_FLIGHT_PER_INSTANCE);
        }
        for job in jobs {
            let is_blocked = blocked.iter().any(|b| coopol_core::domain_is_blocked(&job.domain, b));
            if unavailable.contains(&job.domain) || is_blocked {
                tracing::info!(inbox = %job.inbox_url, is_blocked, "dropping a delivery to an unavailable or blocked instance");
                let _ = tx.send(Outcome::Done { id: job.id, domain: job.domain.clone(), delivered: false }).await;
                continue;
            }
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let instance = per_instance
                .entry(job.domain.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(IN_FLIGHT_PER_INSTANCE)))
                .clone();
            let (fed, tx) = (fed.clone(), tx.clone());
            tokio::spawn(async move {
                let Ok(_instance_slot) = instance.acquire_owned().await else { return };
                let outcome = match attempt(&fed, &job).await {
                    Ok((Verdict::Delivered, _)) => {
                        Outcome::Done { id: job.id, domain: job.domain.clone(), delivered: true }
                    }
                    Ok((Verdict::Permanent, _)) => {
                        tracing::info!(inbox = %job.inbox_url, "delivery refused for good");
                        Outcome::Done { id: job.id, domain: job.domain.clone(), delivered: true }
                    }
                    Ok((Verdict::Retry, retry_after)) => {
                        Outcome::Failed { job, error: "peer asked to retry".into(), retry_after }
                    }
                    Err(e) => Outcome::Failed { job, error: e.to_string(), retry_after: None },
                };
                drop(slot);
                let _ = tx.send(outcome).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_retries_span_about_three_days() {
        let total: f64 = (1..=MAX_ATTEMPTS).map(|n| retry_delay(n, false, 0.5).unwrap().as_secs_f64()).sum();
        let days = total / 86_400.0;
        assert!((2.5..3.5).contains(&days), "{days} days");
        assert!(retry_delay(MAX_ATTEMPTS + 1, false, 0.0).is_none());
        // Growing, and jitter spreads retries.
        assert!(retry_delay(5, false, 0.0) > retry_delay(4, false, 0.99));
        assert!(retry_delay(3, false, 0.9) > retry_delay(3, false, 0.0));
    }

    #[test]
    fn development_retries_are_quick_but_outlast_a_restart() {
        assert!(retry_delay(10, true, 0.99).unwrap() < Duration::from_secs(5));
        let total: f64 = (1..=MAX_ATTEMPTS_DEV).map(|n| retry_delay(n, true, 0.0).unwrap().as_secs_f64()).sum();
        assert!(total > 120.0, "{total}");
    }

    #[test]
    fn which_statuses_are_retried() {
        assert_eq!(verdict(202), Verdict::Delivered);
        assert_eq!(verdict(404), Verdict::Permanent);
        assert_eq!(verdict(410), Verdict::Permanent);
        assert_eq!(verdict(401), Verdict::Retry);
        assert_eq!(verdict(429), Verdict::Retry);
        assert_eq!(verdict(408), Verdict::Retry);
        assert_eq!(verdict(503), Verdict::Retry);
    }
}
