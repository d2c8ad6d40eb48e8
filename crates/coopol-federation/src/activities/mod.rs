//! One module per activity kind, as Mastodon's `app/lib/activitypub/activity/`: each holds how
//! we send it (`send`: the activity and who receives it) and what happens when one arrives:
//! the hot path's activities (`Follow`, `Accept`/`Reject` of a follow, `Undo`, `Like`,
//! `Announce`, `Delete`, `Block`, and `Join`, `TentativeAccept`, `Leave` of events) are serde types with a `verify` that only reads and a
//! `receive` that applies. The inbox has already checked the signature, that the signer is the
//! `actor`, and that the activity id is on the actor's origin; each kind checks the rest.

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
pub mod undo;
pub mod update;

use coopol_db::entities::accounts;
use serde::Deserialize;
use serde_json::Value;

use crate::wire::kind;
use crate::{Federation, FederationError};

/// Reads a received activity into its serde type; a wrong shape is `Invalid`.
fn read<'a, T: Deserialize<'a>>(activity: &'a Value) -> Result<T, FederationError> {
    T::deserialize(activity).map_err(|e| FederationError::Invalid(format!("{} {e}", kind(activity))))
}

/// Dispatches a verified activity by kind. Kinds we do not handle are logged and dropped:
/// the sender already got its 202. A typed activity is read, checked by its `verify` (which
/// writes nothing), then applied by its `receive`.
pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    match kind(activity) {
        "Follow" => {
            let follow: follow::Follow = read(activity)?;
            let plan = follow.verify(fed, actor).await?;
            follow.receive(fed, actor, plan).await
        }
        // An answer to one of our Joins of an event, else to a Follow.
        "Accept" if join::receive_accept(fed, activity, actor).await? => Ok(()),
        "Accept" => {
            let answer: follow::FollowAnswer = read(activity)?;
            let answered = answer.verify(fed, actor).await?;
            follow::FollowAnswer::receive_accept(fed, answered).await
        }
        "Reject" if join::receive_reject(fed, activity, actor).await? => Ok(()),
        "Reject" => {
            let answer: follow::FollowAnswer = read(activity)?;
            let answered = answer.verify(fed, actor).await?;
            follow::FollowAnswer::receive_reject(fed, answered).await
        }
        "Join" | "TentativeAccept" => {
            let participation: join::Participation = read(activity)?;
            let event = participation.verify(fed, actor).await?;
            participation.receive(fed, actor, event, kind(activity) == "TentativeAccept").await
        }
        "Leave" => {
            let leave: leave::Leave = read(activity)?;
            let event = leave.verify(fed, actor).await?;
            leave::Leave::receive(fed, actor, event).await
        }
        "Undo" => {
            let undo: undo::Undo = read(activity)?;
            let undone = undo.verify(fed, actor).await?;
            undo::Undo::receive(fed, actor, undone).await
        }
        "Create" => create::receive(fed, activity, actor).await,
        "Update" => update::receive(fed, activity, actor).await,
        "Delete" => {
            let delete: delete::Delete = read(activity)?;
            let deletion = delete.verify(fed, actor).await?;
            delete::Delete::receive(fed, actor, deletion).await
        }
        "Like" => {
            let like: like::Like = read(activity)?;
            let liked = like.verify(fed, actor).await?;
            like.receive(fed, actor, liked).await
        }
        "Announce" => {
            let announce: announce::Announce = read(activity)?;
            let announced = announce.verify(fed, actor).await?;
            announce.receive(fed, actor, announced).await
        }
        "Block" => {
            let block: block::Block = read(activity)?;
            let blocking = block.verify(fed, actor).await?;
            block.receive(fed, actor, blocking).await
        }
        "Move" => r#move::receive(fed, activity, actor).await,
        "Flag" => groups::flag::receive(fed, activity, actor).await,
        other => {
            tracing::info!(kind = other, actor = %actor.uri, "ignoring an activity kind we do not handle");
            Ok(())
        }
    }
}
