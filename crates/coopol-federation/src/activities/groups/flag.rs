//! `Flag`: a report to a group's moderators, across instances. Received by a local group, it
//! is written to the group's moderation log (shown to its moderators only).

use coopol_core::group::ModAction;
use coopol_db::entities::accounts;
use coopol_db::groups as gq;
use coopol_db::queries;
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{object, string_list, with_context};
use crate::{Federation, FederationError};

/// Longest report comment kept.
const MAX_COMMENT: usize = 1000;

/// `Flag` of `statuses` by `actor`, to the group `group`.
/// `Flag` of posts by a local account, to the remote group whose moderators decide.
pub async fn send(
    fed: &Federation,
    account_id: i64,
    group_account_id: i64,
    status_uris: &[String],
    comment: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (reporter, group) = (account(fed, account_id).await?, account(fed, group_account_id).await?);
    let id = fed.config.activity_url(&reporter.username, "flag", coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build(&id, &reporter.uri, &group.uri, status_uris, comment),
        sender_account_id: reporter.id,
        inboxes: personal_inbox(&group),
    }))
}

pub fn build(id: &str, actor: &str, group: &str, statuses: &[String], comment: &str) -> Value {
    let mut objects = vec![json!(group)];
    objects.extend(statuses.iter().map(|s| json!(s)));
    with_context(json!({
        "id": id,
        "type": "Flag",
        "actor": actor,
        "object": objects,
        "content": comment,
        "to": [group],
    }))
}

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let mut ids: Vec<String> = string_list(Some(object(activity)?));
    ids.extend(string_list(activity.get("to")));
    ids.truncate(50);
    let mut group = None;
    for id in ids.iter().filter(|i| fed.config.is_local(i)) {
        if let Some(a) = queries::account_by_uri(&fed.db, id).await? {
            if a.actor_type == gq::GROUP && !a.suspended {
                group = Some(a);
                break;
            }
        }
    }
    let Some(group) = group else {
        tracing::info!(actor = %actor.uri, "ignoring a Flag that names no local group");
        return Ok(());
    };
    let target = ids.iter().find(|i| **i != group.uri).map(String::as_str);
    let comment: String =
        activity.get("content").and_then(Value::as_str).unwrap_or("").chars().take(MAX_COMMENT).collect();
    gq::log(&fed.db, group.id, Some(actor.id), ModAction::Report, None, target, &comment).await?;
    Ok(())
}
