//! One module per activity kind, as Mastodon's `app/lib/activitypub/activity/`: each holds how
//! we build it for sending and what happens when one arrives (`receive`). The inbox has already
//! checked the signature, that the signer is the `actor`, and that the activity id is on the
//! actor's origin; `receive` checks what is specific to its kind.

pub mod announce;
pub mod block;
pub mod create;
pub mod delete;
pub mod follow;
pub mod groups;
pub mod join;
pub mod leave;
pub mod like;
pub mod r#move;
pub mod tentative_accept;
pub mod undo;
pub mod update;

use coopol_db::entities::accounts;
use serde_json::Value;

use crate::wire::kind;
use crate::{Federation, FederationError};

/// Dispatches a verified activity by kind. Kinds we do not handle are logged and dropped:
/// the sender already got its 202.
pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    match kind(activity) {
        "Follow" => follow::receive(fed, activity, actor).await,
        // An answer to one of our Joins of an event, else to a Follow.
        "Accept" if join::receive_accept(fed, activity, actor).await? => Ok(()),
        "Accept" => follow::receive_accept(fed, activity, actor).await,
        "Reject" if join::receive_reject(fed, activity, actor).await? => Ok(()),
        "Reject" => follow::receive_reject(fed, activity, actor).await,
        "Join" => join::receive_participation(fed, activity, actor, false).await,
        "TentativeAccept" => tentative_accept::receive(fed, activity, actor).await,
        "Leave" => leave::receive(fed, activity, actor).await,
        "Undo" => undo::receive(fed, activity, actor).await,
        "Create" => create::receive(fed, activity, actor).await,
        "Update" => update::receive(fed, activity, actor).await,
        "Delete" => delete::receive(fed, activity, actor).await,
        "Like" => like::receive(fed, activity, actor).await,
        "Announce" => announce::receive(fed, activity, actor).await,
        "Block" => block::receive(fed, activity, actor).await,
        "Move" => r#move::receive(fed, activity, actor).await,
        "Flag" => groups::flag::receive(fed, activity, actor).await,
        other => {
            tracing::info!(kind = other, actor = %actor.uri, "ignoring an activity kind we do not handle");
            Ok(())
        }
    }
}
