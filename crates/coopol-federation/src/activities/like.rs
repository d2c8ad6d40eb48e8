//! `Like`: a favourite of a local status.

use coopol_db::entities::{accounts, favourites};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::recipients::{account, personal_inbox, Outgoing};
use crate::wire::{object, object_id, simple};
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

pub async fn receive(fed: &Federation, activity: &Value, actor: &accounts::Model) -> Result<(), FederationError> {
    let uri = object_id(object(activity)?).ok_or_else(|| FederationError::Invalid("Like without object".into()))?;
    let Some(status) = queries::status_by_uri(&fed.db, uri).await? else {
        return Ok(());
    };
    let exists = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(actor.id))
        .filter(favourites::Column::StatusId.eq(status.id))
        .one(&fed.db)
        .await?
        .is_some();
    if !exists {
        favourites::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(actor.id),
            status_id: Set(status.id),
            uri: Set(activity.get("id").and_then(Value::as_str).unwrap_or_default().to_string()),
            created_at: Set(coopol_db::now()),
        }
        .insert(&fed.db)
        .await?;
        if status.local {
            let kind = coopol_db::notifications::FAVOURITE;
            coopol_service::stream::notify(fed, status.account_id, actor.id, kind, Some(status.id)).await?;
        }
    }
    Ok(())
}
