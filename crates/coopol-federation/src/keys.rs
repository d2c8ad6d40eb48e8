//! Keys: public keys of remote actors (cached, refetched at most once per actor every few
//! minutes so a forged request cannot make us hammer a server) and the private keys of local
//! accounts (parsed once).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use coopol_db::entities::accounts;
use coopol_signatures::{SigningKey, VerifyingKey};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{actors, Federation, FederationError};

/// How often one actor's key may be fetched again after a failed verification.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(300);
/// Bound on cached keys; the cache is cleared when it grows past it (cheap and safe).
const MAX_CACHED: usize = 50_000;

#[derive(Clone)]
pub struct CachedKey {
    pub account: accounts::Model,
    pub key: VerifyingKey,
    fetched: Instant,
}

/// Remote public keys by key id.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, CachedKey>>,
}

impl KeyCache {
    fn get(&self, key_id: &str) -> Option<CachedKey> {
        self.keys.lock().ok()?.get(key_id).cloned()
    }

    fn put(&self, key_id: &str, account: accounts::Model, key: VerifyingKey) -> CachedKey {
        let entry = CachedKey { account, key, fetched: Instant::now() };
        if let Ok(mut map) = self.keys.lock() {
            if map.len() >= MAX_CACHED {
                map.clear();
            }
            map.insert(key_id.to_string(), entry.clone());
        }
        entry
    }

    /// Forgets an actor's key (after a Delete or an Update of the actor).
    pub fn forget_actor(&self, actor_uri: &str) {
        if let Ok(mut map) = self.keys.lock() {
            map.retain(|_, v| v.account.uri != actor_uri);
        }
    }
}

fn parse_key(account: &accounts::Model) -> Result<VerifyingKey, FederationError> {
    VerifyingKey::from_pem(&account.public_key_pem)
        .map_err(|e| FederationError::Invalid(format!("public key of {}: {e}", account.uri)))
}

/// The actor and key behind `key_id`: from the cache, the database, or fetched.
pub async fn key_for(fed: &Federation, key_id: &str) -> Result<CachedKey, FederationError> {
    if let Some(k) = fed.keys.get(key_id) {
        return Ok(k);
    }
    let stored = accounts::Entity::find().filter(accounts::Column::PublicKeyId.eq(key_id)).one(&fed.db).await?;
    let account = match stored {
        Some(a) => a,
        None => actors::fetch_actor_for_key(fed, key_id).await?,
    };
    let key = parse_key(&account)?;
    Ok(fed.keys.put(key_id, account, key))
}

/// After a failed verification: fetch the actor again (key rotation), unless we did so less
/// than `REFETCH_INTERVAL` ago. Returns the new key when one was fetched.
pub async fn refetch_key(
    fed: &Federation,
    key_id: &str,
    current: &CachedKey,
) -> Result<Option<CachedKey>, FederationError> {
    let recently_fetched = current.fetched.elapsed() < REFETCH_INTERVAL
        && current
            .account
            .fetched_at
            .is_some_and(|t| (chrono::Utc::now() - t).to_std().unwrap_or_default() < REFETCH_INTERVAL);
    if recently_fetched || current.account.domain.is_none() {
        return Ok(None);
    }
    let account = actors::fetch_actor_for_key(fed, key_id).await?;
    let key = parse_key(&account)?;
    Ok(Some(fed.keys.put(key_id, account, key)))
}

/// Signing keys of local accounts by account id.
#[derive(Default)]
pub struct SignerCache {
    keys: Mutex<HashMap<i64, SigningKey>>,
}

impl SignerCache {
    /// The signing key of a local account.
    pub async fn get(&self, db: &coopol_db::Db, account_id: i64) -> Result<SigningKey, FederationError> {
        if let Some(k) = self.keys.lock().ok().and_then(|m| m.get(&account_id).cloned()) {
            return Ok(k);
        }
        let account = coopol_db::queries::account_by_id(db, account_id).await?.ok_or(FederationError::NotFound)?;
        let pem = account
            .private_key_pem
            .as_deref()
            .ok_or_else(|| FederationError::Invalid(format!("account {account_id} has no private key")))?;
        let key = SigningKey::from_pkcs8_pem(&account.public_key_id, pem)
            .map_err(|e| FederationError::Invalid(format!("key of account {account_id}: {e}")))?;
        if let Ok(mut m) = self.keys.lock() {
            m.insert(account_id, key.clone());
        }
        Ok(key)
    }
}
