//! `Follow`, and the answers to it: `Accept` and `Reject`. Received ones are read into
//! [`Follow`] and [`FollowAnswer`], checked by `verify` (reads only) and applied by `receive`.

use activitypub_federation::kinds::activity::FollowType;
use coopol_core::group::JoinDecision;
use coopol_core::Intent;
use coopol_db::entities::{accounts, blocks, follows};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{simple, Embedded, Ref};
use crate::{Federation, FederationError};

/// `Follow` from a local account to a remote one.
pub fn build(follow: &follows::Model, follower: &accounts::Model, target: &accounts::Model) -> Value {
    simple(&follow.uri, "Follow", &follower.uri, json!(target.uri), &target.uri)
}

/// `Accept` or `Reject` (`kind`) of a follow of a local account, sent to the follower.
pub fn build_answer(
    kind: &str,
    answer_id: &str,
    follow_uri: &str,
    follower: &accounts::Model,
    target: &accounts::Model,
) -> Value {
    let follow = json!({ "id": follow_uri, "type": "Follow", "actor": follower.uri, "object": target.uri });
    simple(answer_id, kind, &target.uri, follow, &follower.uri)
}

/// `Follow` of a remote account by a local one, to the target.
pub async fn send(fed: &Federation, follow_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(f) = follows::Entity::find_by_id(follow_id).one(&fed.db).await? else { return Ok(None) };
    let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
    Ok(Some(Outgoing {
        activity: build(&f, &follower, &target),
        sender_account_id: follower.id,
        inboxes: personal_inbox(&target),
    }))
}

/// `Undo(Follow)`: unfollow, or a withdrawn request, to the target.
pub async fn send_undo(
    fed: &Federation,
    account_id: i64,
    target_account_id: i64,
    follow_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (follower, target) = (account(fed, account_id).await?, account(fed, target_account_id).await?);
    let inner = super::undo::follow_object(follow_uri, &follower.uri, &target.uri);
    Ok(Some(Outgoing {
        activity: super::undo::build(&format!("{follow_uri}#undo"), &follower.uri, inner, &target.uri),
        sender_account_id: follower.id,
        inboxes: personal_inbox(&target),
    }))
}

/// `Accept` of a remote account's follow of a local one, to the follower.
pub async fn send_accept(fed: &Federation, follow_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(f) = follows::Entity::find_by_id(follow_id).one(&fed.db).await? else { return Ok(None) };
    let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
    let id = fed.config.activity_url(&target.username, "accept", coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build_answer("Accept", &id, &f.uri, &follower, &target),
        sender_account_id: target.id,
        inboxes: personal_inbox(&follower),
    }))
}

/// `Reject` of a remote account's follow (`follow_uri`) of local `account_id`, to the follower.
pub async fn send_reject(
    fed: &Federation,
    account_id: i64,
    follower_account_id: i64,
    follow_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let (target, follower) = (account(fed, account_id).await?, account(fed, follower_account_id).await?);
    let id = fed.config.activity_url(&target.username, "reject", coopol_core::new_id());
    Ok(Some(Outgoing {
        activity: build_answer("Reject", &id, follow_uri, &follower, &target),
        sender_account_id: target.id,
        inboxes: personal_inbox(&follower),
    }))
}

/// A `Follow` received: its actor asks to follow `object`, a local account or group.
#[derive(Debug, Deserialize)]
pub struct Follow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub id: String,
    pub object: Ref,
}

/// What a checked `Follow` does when it is applied.
pub enum FollowPlan {
    /// A local group decides by its join mode (`coopol_service::groups::join`).
    Group { group: accounts::Model, decision: JoinDecision, existing: Option<follows::Model> },
    /// The follower is blocked, or the target suspended: answered with a `Reject`.
    Refuse { target: accounts::Model },
    /// Stored, accepted at once unless the target is locked (and the follower is not coming
    /// back from an archive); a repeated Follow renews the stored one's id.
    Store { target: accounts::Model, existing: Option<follows::Model>, returning: bool },
}

impl Follow {
    /// Reads the target and decides; writes nothing.
    pub async fn verify(&self, fed: &Federation, actor: &accounts::Model) -> Result<FollowPlan, FederationError> {
        let target = queries::account_by_uri(&fed.db, self.object.as_str())
            .await?
            .filter(|a| a.domain.is_none() && a.actor_type != "Application")
            .ok_or(FederationError::NotFound)?;
        let existing = queries::follow_between(&fed.db, actor.id, target.id).await?;
        if target.actor_type == coopol_db::groups::GROUP {
            let g = coopol_db::groups::settings(&fed.db, target.id).await?.ok_or(FederationError::NotFound)?;
            let decision = coopol_service::groups::join::decide(&fed.db, &target, &g, actor).await?;
            return Ok(FollowPlan::Group { group: target, decision, existing });
        }
        let blocked = blocks::Entity::find()
            .filter(blocks::Column::AccountId.eq(target.id))
            .filter(blocks::Column::TargetAccountId.eq(actor.id))
            .one(&fed.db)
            .await?
            .is_some();
        if blocked || target.suspended {
            return Ok(FollowPlan::Refuse { target });
        }
        // A follower or member listed in an archive imported into the target comes back without
        // waiting for approval: they followed the actor before it moved here.
        let returning =
            target.locked && coopol_db::moves::archive_role(&fed.db, target.id, &actor.uri).await?.is_some();
        Ok(FollowPlan::Store { target, existing, returning })
    }

    /// Applies what `verify` decided, in one transaction with the intent that answers it.
    pub async fn receive(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
        plan: FollowPlan,
    ) -> Result<(), FederationError> {
        let id = self.id.as_str();
        let (target, existing, returning) = match plan {
            FollowPlan::Group { group, decision, existing } => {
                // What the follower's server runs decides the shape of the group's announces to it.
                crate::nodeinfo::learn(fed, &actor.uri).await?;
                let txn = fed.db.begin_write().await?;
                coopol_service::groups::join::apply(&txn, &group, actor, existing, id, decision).await?;
                txn.commit().await?;
                fed.outbox_ready.notify_one();
                return Ok(());
            }
            FollowPlan::Refuse { target } => {
                let txn = fed.db.begin_write().await?;
                let intent = Intent::RejectFollow {
                    account_id: target.id,
                    follower_account_id: actor.id,
                    follow_uri: id.into(),
                };
                queries::record_intent(&txn, &intent).await?;
                txn.commit().await?;
                fed.outbox_ready.notify_one();
                return Ok(());
            }
            FollowPlan::Store { target, existing, returning } => (target, existing, returning),
        };
        let is_new = existing.is_none();
        let txn = fed.db.begin_write().await?;
        let follow = match existing {
            // A repeated Follow (lost Accept): answer again with the new activity id.
            Some(existing) => {
                let mut m: follows::ActiveModel = existing.into();
                m.uri = Set(id.to_string());
                m.update(&txn).await?
            }
            None => {
                follows::ActiveModel {
                    id: Set(coopol_core::new_id()),
                    account_id: Set(actor.id),
                    target_account_id: Set(target.id),
                    uri: Set(id.to_string()),
                    state: Set(if target.locked && !returning { FOLLOW_PENDING } else { FOLLOW_ACCEPTED }.to_string()),
                    created_at: Set(coopol_db::now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        if follow.state == FOLLOW_ACCEPTED {
            queries::record_intent(&txn, &Intent::AcceptFollow { follow_id: follow.id }).await?;
        }
        txn.commit().await?;
        fed.outbox_ready.notify_one();
        if is_new {
            coopol_service::stream::followed(fed, &target, actor.id, follow.state == FOLLOW_PENDING).await?;
        }
        Ok(())
    }
}

/// An `Accept` or a `Reject` of one of our Follows. Its object is our Follow, by id or embedded
/// (some servers send their own rendering of it: then matched by who follows whom).
#[derive(Debug, Deserialize)]
pub struct FollowAnswer {
    pub object: Embedded,
}

impl FollowAnswer {
    /// The local follow it answers, if any; writes nothing.
    pub async fn verify(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
    ) -> Result<Option<follows::Model>, FederationError> {
        if let Some(uri) = &self.object.id {
            let by_uri = follows::Entity::find()
                .filter(follows::Column::Uri.eq(uri))
                .filter(follows::Column::TargetAccountId.eq(actor.id))
                .one(&fed.db)
                .await?;
            if by_uri.is_some() {
                return Ok(by_uri);
            }
        }
        if let Some(follower_uri) = &self.object.actor {
            if let Some(follower) = queries::account_by_uri(&fed.db, follower_uri).await? {
                return Ok(queries::follow_between(&fed.db, follower.id, actor.id).await?);
            }
        }
        Ok(None)
    }

    /// `Accept`: the follow is accepted.
    pub async fn receive_accept(fed: &Federation, follow: Option<follows::Model>) -> Result<(), FederationError> {
        if let Some(f) = follow.filter(|f| f.state != FOLLOW_ACCEPTED) {
            let mut m: follows::ActiveModel = f.into();
            m.state = Set(FOLLOW_ACCEPTED.into());
            m.update(&fed.db).await?;
        }
        Ok(())
    }

    /// `Reject`: the follow (or its request) is gone.
    pub async fn receive_reject(fed: &Federation, follow: Option<follows::Model>) -> Result<(), FederationError> {
        if let Some(f) = follow {
            follows::Entity::delete_by_id(f.id).exec(&fed.db).await?;
        }
        Ok(())
    }
}
