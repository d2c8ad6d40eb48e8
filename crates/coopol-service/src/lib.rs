//! The workflows of coopol, under every door: the Mastodon API, the inbox (for a remote actor,
//! where the rule is the same), the command line and the web interface call these functions.
//! Each one checks its rule, writes the change and the `Intent` that federates it in one
//! transaction, then tells the streams (`stream`). No network, no ActivityStreams nor Mastodon
//! JSON: resolving a remote handle or URL is the caller's work, before calling in.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod accounts;
pub mod admin;
pub mod config;
pub mod credentials;
pub mod events;
pub mod groups;
pub mod library;
pub mod polls;
pub mod registrations;
pub mod relationships;
pub mod sessions;
pub mod statuses;
pub mod stream;

use std::sync::Arc;

use coopol_db::{Db, DbError};
use tokio::sync::Notify;

pub use config::InstanceConfig;

/// Why a workflow refused or failed; each kind has one meaning for every door (the API maps
/// them to HTTP statuses, the inbox to its own errors).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing, or one the person may not know exists.
    #[error("not found")]
    NotFound,
    /// The person may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request breaks a rule (blank text, a full event, a stored value we cannot read...).
    #[error("{0}")]
    Unprocessable(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(e: sea_orm::DbErr) -> Self {
        ServiceError::Db(DbError::Db(e))
    }
}

/// What every workflow needs: the database, who we are (to mint local ids), the stream bus and
/// the outbox worker's bell. Cheap to clone; `coopol_federation::Federation` holds one and
/// dereferences to it.
#[derive(Clone)]
pub struct Service(Arc<Shared>);

pub struct Shared {
    /// Who we are and which URLs we mint.
    pub config: InstanceConfig,
    /// The database pool.
    pub db: Db,
    /// What streaming clients hear about (statuses, notifications, conversations).
    pub stream: stream::Stream,
    /// Wakes the outbox worker when an intent is recorded.
    pub outbox_ready: Notify,
}

impl std::ops::Deref for Service {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Service {
    pub fn new(config: InstanceConfig, db: Db) -> Self {
        Service(Arc::new(Shared { config, db, stream: stream::Stream::default(), outbox_ready: Notify::new() }))
    }

    /// Wakes the outbox worker after a transaction that recorded an intent committed.
    pub fn intent_recorded(&self) {
        self.outbox_ready.notify_one();
    }
}
