//! What the web interface asks of the network, through the server that runs it: coopol-web has
//! no network of its own (it depends on nothing above the service layer), so the binary gives
//! it a [`Lookup`] backed by the federation crate (WebFinger, signed fetches, SSRF guard).

use coopol_db::entities::{accounts, statuses};

/// What a pasted URL turned out to be.
pub enum Found {
    Account(accounts::Model),
    Status(statuses::Model),
}

/// Finding what this instance does not know yet.
#[async_trait::async_trait]
pub trait Lookup: Send + Sync {
    /// The actor (person or group) `user@domain`, found by WebFinger and stored; `None` when
    /// that server says there is none. The error is for the log.
    async fn handle(&self, user: &str, domain: &str) -> Result<Option<accounts::Model>, String>;
    /// What `url` is, fetched from its origin and stored: an actor, or a post (an event comes
    /// as its post); `None` when it is neither.
    async fn url(&self, url: &str) -> Result<Option<Found>, String>;
}
