//! Posts that reach a local group from another server: a note that mentions or addresses the
//! group, or answers a post of one of its threads, is announced by the group to its followers
//! when its author may post there.

use coopol_db::entities::{accounts, statuses};
use coopol_db::groups as gq;
use sea_orm::TransactionTrait;
use serde_json::Value;

use crate::notes::string_list;
use crate::{Federation, FederationError};

/// The local accounts a note addresses (`to`, `cc`, `audience`) or mentions.
async fn addressed_local(fed: &Federation, note: &Value) -> Result<Vec<i64>, FederationError> {
    let mut uris: Vec<String> =
        ["to", "cc", "audience"].into_iter().flat_map(|k| string_list(note.get(k))).take(200).collect();
    if let Some(Value::Array(tags)) = note.get("tag") {
        uris.extend(tags.iter().take(100).filter_map(|t| t.get("href").and_then(Value::as_str)).map(String::from));
    }
    uris.retain(|u| fed.config.is_local(u));
    uris.sort();
    uris.dedup();
    let mut ids = Vec::new();
    for u in uris {
        if let Some(a) = coopol_db::queries::account_by_uri(&fed.db, &u).await? {
            ids.push(a.id);
        }
    }
    Ok(ids)
}

/// Offers a stored remote note to the local groups it concerns; each one that takes it
/// announces it.
pub async fn offer(fed: &Federation, note: &Value, status: &statuses::Model) -> Result<(), FederationError> {
    let addressed = addressed_local(fed, note).await?;
    let taking: Vec<(accounts::Model, _)> = gq::groups_taking(&fed.db, status, &addressed).await?;
    if taking.is_empty() {
        return Ok(());
    }
    for (group, g) in taking {
        let txn = fed.db.begin().await?;
        gq::announce_in_group(&txn, &group, &g, status.id).await?;
        txn.commit().await?;
        tracing::debug!(group = %group.uri, status = %status.uri, "group announces a post");
    }
    fed.outbox_ready.notify_one();
    Ok(())
}
