//! `Like`: a favourite of a local status.

use activitypub_federation::kinds::activity::LikeType;
use coopol_db::entities::{accounts, favourites, statuses};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{simple, Ref};
use crate::{Federation, FederationError};

pub fn build(id: &str, actor: &str, object_uri: &str, to: &str) -> Value {
    simple(id, "Like", actor, json!(object_uri), to)
}

/// `Like` of a post by a local account, to the post's author.
pub async fn send(fed: &Federation, favourite_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(f) = favourites::Entity::find_by_id(favourite_id).one(&fed.db).await? else { return Ok(None) };
    let Some(s) = queries::status_by_id(&fed.db, f.status_id).await? else { return Ok(None) };
    let (liker, author) = (account(fed, f.account_id).await?, account(fed, s.account_id).await?);
    Ok(Some(Outgoing {
        activity: build(&f.uri, &liker.uri, &s.uri, &author.uri),
        sender_account_id: liker.id,
        inboxes: personal_inbox(&author),
    }))
}

/// `Undo(Like)`, to the post's author.
pub async fn send_undo(
    fed: &Federation,
    account_id: i64,
    status_id: i64,
    like_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let (liker, author) = (account(fed, account_id).await?, account(fed, s.account_id).await?);
    let inner = build(like_uri, &liker.uri, &s.uri, &author.uri);
    Ok(Some(Outgoing {
        activity: super::undo::build(&format!("{like_uri}#undo"), &liker.uri, inner, &author.uri),
        sender_account_id: liker.id,
        inboxes: personal_inbox(&author),
    }))
}

/// A `Like` received: a favourite of `object`.
#[derive(Debug, Deserialize)]
pub struct Like {
    #[serde(rename = "type")]
    pub kind: LikeType,
    pub id: String,
    pub object: Ref,
}

impl Like {
    /// The liked status, when we hold it and this actor has not liked it yet; writes nothing.
    pub async fn verify(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
    ) -> Result<Option<statuses::Model>, FederationError> {
        let Some(status) = queries::status_by_uri(&fed.db, self.object.as_str()).await? else {
            return Ok(None);
        };
        let exists = favourites::Entity::find()
            .filter(favourites::Column::AccountId.eq(actor.id))
            .filter(favourites::Column::StatusId.eq(status.id))
            .one(&fed.db)
            .await?
            .is_some();
        Ok((!exists).then_some(status))
    }

    /// Stores the favourite and notifies a local author.
    pub async fn receive(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
        status: Option<statuses::Model>,
    ) -> Result<(), FederationError> {
        let Some(status) = status else { return Ok(()) };
        favourites::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(actor.id),
            status_id: Set(status.id),
            uri: Set(self.id.clone()),
            created_at: Set(coopol_db::now()),
        }
        .insert(&fed.db)
        .await?;
        if status.local {
            let kind = coopol_db::notifications::FAVOURITE;
            coopol_service::stream::notify(fed, status.account_id, actor.id, kind, Some(status.id)).await?;
        }
        Ok(())
    }
}
