//! The instance's figures (users, local statuses, known domains) shown by `/api/v1/instance`
//! and NodeInfo. Counting a million statuses takes a few hundred milliseconds, so they are
//! kept in memory for a minute: one request a minute recounts, the others read the copy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::entities::{accounts, statuses};
use crate::DbError;

/// How long figures are served before they are counted again.
pub const TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceFigures {
    /// Local users whose account is not suspended.
    pub users: u64,
    /// Local statuses, boosts included (NodeInfo's `localPosts`).
    pub local_posts: u64,
    /// Local statuses without boosts (Mastodon's `status_count`).
    pub local_statuses: u64,
    /// Remote domains we know accounts of, sorted.
    pub domains: Vec<String>,
}

/// Counts the figures now.
pub async fn count(db: &impl ConnectionTrait) -> Result<InstanceFigures, DbError> {
    let users = crate::queries::active_local_users(db).await?;
    let local = || statuses::Entity::find().filter(statuses::Column::Local.eq(true));
    let local_posts = local().count(db).await?;
    let local_statuses = local().filter(statuses::Column::ReblogOfId.is_null()).count(db).await?;
    let mut domains: Vec<Option<String>> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Domain)
        .filter(accounts::Column::Domain.is_not_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    domains.sort();
    Ok(InstanceFigures { users, local_posts, local_statuses, domains: domains.into_iter().flatten().collect() })
}

/// The figures, counted at most once per [`TTL`] (hangs off `Federation`).
#[derive(Debug, Default)]
pub struct FiguresCache {
    copy: RwLock<Option<(Instant, InstanceFigures)>>,
    counting: AtomicBool,
}

impl FiguresCache {
    /// The figures: the copy while it is fresh; otherwise one caller recounts while the others
    /// keep reading the previous copy.
    pub async fn get(&self, db: &impl ConnectionTrait) -> Result<InstanceFigures, DbError> {
        let copy = self.copy.read().ok().and_then(|c| c.clone());
        if let Some((at, figures)) = &copy {
            if at.elapsed() < TTL || self.counting.swap(true, Ordering::AcqRel) {
                return Ok(figures.clone());
            }
        } else {
            self.counting.store(true, Ordering::Release);
        }
        let result = count(db).await;
        if let Ok(f) = &result {
            if let Ok(mut c) = self.copy.write() {
                *c = Some((Instant::now(), f.clone()));
            }
        }
        self.counting.store(false, Ordering::Release);
        result
    }
}
