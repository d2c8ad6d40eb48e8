//! ActivityPub for coopol: actors and objects, one module per activity kind, HTTP signatures
//! (through `coopol-signatures`), the inbox, the durable outbox and delivery queue, WebFinger,
//! NodeInfo and SSRF-safe fetching. Only this crate reads or writes ActivityStreams JSON.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod activities;
pub mod actors;
pub mod config;
pub mod delivery;
pub mod event_objects;
pub mod event_reminders;
pub mod event_store;
pub mod fetch;
pub mod fetch_guard;
pub mod inbox;
pub mod inbox_worker;
pub mod keys;
pub mod lemmy;
pub mod nodeinfo;
pub mod note_store;
pub mod notes;
pub mod outbox;
pub mod polls;
pub mod profile_images;
pub mod recipients;
pub mod recorder;
pub mod resolve;
pub mod routes;
pub mod webfinger;
pub mod wire;

use std::sync::Arc;

use coopol_db::{Db, DbError};
use coopol_service::{Service, ServiceError};
use coopol_signatures::SigningKey;
use tokio::sync::Notify;

pub use config::InstanceConfig;
pub use fetch::HttpClient;

/// Content type of ActivityPub documents we serve.
pub const AP_CONTENT_TYPE: &str = "application/activity+json";

/// Errors of federation work, each with a clear HTTP meaning for the inbox.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("not authorised: {0}")]
    Unauthorized(String),
    #[error("http: {0}")]
    Http(String),
    #[error("the object is gone")]
    Gone,
    #[error("body too large")]
    TooLarge,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<wire::WireError> for FederationError {
    fn from(e: wire::WireError) -> Self {
        FederationError::Invalid(e.to_string())
    }
}

impl From<ServiceError> for FederationError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => FederationError::NotFound,
            ServiceError::Forbidden(m) => FederationError::Unauthorized(m),
            ServiceError::Unprocessable(m) => FederationError::Invalid(m),
            ServiceError::Db(e) => FederationError::Db(e),
        }
    }
}

impl From<sea_orm::DbErr> for FederationError {
    fn from(e: sea_orm::DbErr) -> Self {
        FederationError::Db(DbError::Db(e))
    }
}

/// Everything federation work needs, shared by handlers and workers. Cheap to clone. It
/// dereferences to its `Inner`, which dereferences to the `Service` (database, instance
/// configuration, stream bus, outbox bell): `fed.db`, `fed.config`, and `&fed` where a
/// workflow takes a `&Service`.
#[derive(Clone)]
pub struct Federation(Arc<Inner>);

pub struct Inner {
    /// The workflows' context: configuration, database, stream bus, outbox bell.
    pub service: Service,
    /// The SSRF-guarded client for every outgoing request.
    pub http: HttpClient,
    /// The instance actor's key: signs fetches that are not on behalf of a user.
    pub instance_key: SigningKey,
    /// Public keys of remote actors, with refetch throttling.
    pub keys: keys::KeyCache,
    /// One store of each remote actor at a time.
    pub actor_turns: actors::ActorTurns,
    /// Private keys of local accounts, parsed once.
    pub signers: keys::SignerCache,
    /// Wakes delivery workers when jobs are queued.
    pub delivery_ready: Notify,
    /// Wakes the inbox worker when an activity is accepted.
    pub inbox_ready: Arc<Notify>,
    /// Writes accepted activities in batches.
    pub recorder: recorder::Recorder,
    /// The instance's figures (NodeInfo, `/api/v1/instance`), recounted once a minute.
    pub figures: coopol_db::figures::FiguresCache,
}

impl std::ops::Deref for Inner {
    type Target = Service;
    fn deref(&self) -> &Service {
        &self.service
    }
}

impl std::ops::Deref for Federation {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Federation {
    /// Builds the context; creates the instance actor on first start.
    pub async fn new(config: InstanceConfig, db: Db) -> Result<Self, FederationError> {
        let http =
            HttpClient::new(config.dev, &format!("coopol/{} (+{})", env!("CARGO_PKG_VERSION"), config.base_url()))?;
        let instance = actors::ensure_instance_actor(&db, &config).await?;
        let pem = instance.private_key_pem.clone().unwrap_or_default();
        let instance_key = SigningKey::from_pkcs8_pem(&instance.public_key_id, &pem)
            .map_err(|e| FederationError::Invalid(format!("instance key: {e}")))?;
        let inbox_ready = Arc::new(Notify::new());
        let recorder = recorder::Recorder::start(db.clone(), inbox_ready.clone());
        Ok(Federation(Arc::new(Inner {
            service: Service::new(config, db),
            http,
            instance_key,
            keys: keys::KeyCache::default(),
            actor_turns: actors::ActorTurns::default(),
            signers: keys::SignerCache::default(),
            delivery_ready: Notify::new(),
            inbox_ready,
            recorder,
            figures: coopol_db::figures::FiguresCache::default(),
        })))
    }
}
