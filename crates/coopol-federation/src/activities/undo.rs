//! `Undo` of a Follow, Like, Announce or Block. The undone activity must be the actor's own.
//! Sending: each verb's module sends its own undo (`follow::send_undo`...) with [`build`].

use activitypub_federation::kinds::activity::UndoType;
use coopol_db::entities::{accounts, blocks, favourites, follows, statuses};
use coopol_db::queries;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::wire::{simple, Embedded};
use crate::{Federation, FederationError};

/// `Undo` of an activity `inner` (already built) by `actor`, addressed to `to`.
pub fn build(id: &str, actor: &str, mut inner: Value, to: &str) -> Value {
    // The undone activity is embedded: the context belongs on the outer document only.
    if let Some(m) = inner.as_object_mut() {
        m.remove("@context");
    }
    simple(id, "Undo", actor, inner, to)
}

/// An `Undo` received: its object is the undone activity, embedded or by id.
#[derive(Debug, Deserialize)]
pub struct Undo {
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub object: Embedded,
}

/// What a checked `Undo` takes back. Each is looked up by the undone activity's id, then (for
/// a Follow or a Like whose id we do not know) by its object, read here.
pub enum Undone {
    Follow { id: String, target: Option<accounts::Model> },
    Like { id: String, status: Option<statuses::Model> },
    Announce { id: String },
    Block { id: String },
    Other(String),
}

impl Undo {
    /// The undone activity must be the actor's own; writes nothing.
    pub async fn verify(&self, fed: &Federation, actor: &accounts::Model) -> Result<Undone, FederationError> {
        if self.object.actor.as_ref().is_some_and(|a| *a != actor.uri) {
            return Err(FederationError::Unauthorized("undo of another actor's activity".into()));
        }
        let id = self.object.id.clone().unwrap_or_default();
        let inner_object = self.object.object.as_deref();
        Ok(match self.object.kind() {
            "Follow" => {
                let target = match inner_object {
                    Some(uri) => queries::account_by_uri(&fed.db, uri).await?,
                    None => None,
                };
                Undone::Follow { id, target }
            }
            "Like" => {
                let status = match inner_object {
                    Some(uri) => queries::status_by_uri(&fed.db, uri).await?,
                    None => None,
                };
                Undone::Like { id, status }
            }
            "Announce" => Undone::Announce { id },
            "Block" => Undone::Block { id },
            other => Undone::Other(other.to_string()),
        })
    }

    /// Removes what `verify` found.
    pub async fn receive(fed: &Federation, actor: &accounts::Model, undone: Undone) -> Result<(), FederationError> {
        match undone {
            Undone::Follow { id, target } => {
                let mut removed = follows::Entity::delete_many()
                    .filter(follows::Column::AccountId.eq(actor.id))
                    .filter(follows::Column::Uri.eq(&id))
                    .exec(&fed.db)
                    .await?
                    .rows_affected;
                if let (0, Some(target)) = (removed, target) {
                    removed = follows::Entity::delete_many()
                        .filter(follows::Column::AccountId.eq(actor.id))
                        .filter(follows::Column::TargetAccountId.eq(target.id))
                        .exec(&fed.db)
                        .await?
                        .rows_affected;
                }
                tracing::debug!(actor = %actor.uri, removed, "undo follow");
            }
            Undone::Like { id, status } => {
                let by_uri = favourites::Entity::delete_many()
                    .filter(favourites::Column::AccountId.eq(actor.id))
                    .filter(favourites::Column::Uri.eq(&id))
                    .exec(&fed.db)
                    .await?;
                if let (0, Some(s)) = (by_uri.rows_affected, status) {
                    favourites::Entity::delete_many()
                        .filter(favourites::Column::AccountId.eq(actor.id))
                        .filter(favourites::Column::StatusId.eq(s.id))
                        .exec(&fed.db)
                        .await?;
                }
            }
            Undone::Announce { id } => {
                statuses::Entity::delete_many()
                    .filter(statuses::Column::AccountId.eq(actor.id))
                    .filter(statuses::Column::Uri.eq(&id))
                    .filter(statuses::Column::ReblogOfId.is_not_null())
                    .exec(&fed.db)
                    .await?;
            }
            Undone::Block { id } => {
                blocks::Entity::delete_many()
                    .filter(blocks::Column::AccountId.eq(actor.id))
                    .filter(blocks::Column::Uri.eq(&id))
                    .exec(&fed.db)
                    .await?;
            }
            Undone::Other(kind) => tracing::info!(kind, "ignoring Undo of an activity kind we do not handle"),
        }
        Ok(())
    }
}

/// The `Follow` object of an `Undo(Follow)`.
pub fn follow_object(follow_uri: &str, actor: &str, target: &str) -> Value {
    json!({ "id": follow_uri, "type": "Follow", "actor": actor, "object": target })
}
