//! `Delete` of a note (with a tombstone, so a late or replayed Create never brings it back) or
//! of the actor itself (account deletion).

use activitypub_federation::kinds::activity::DeleteType;
use coopol_core::Audience;
use coopol_db::entities::{accounts, follows, statuses};
use coopol_db::queries;
use coopol_db::WriteTxn;
use coopol_service::stream::Message;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::recipients::{self, Outgoing};
use crate::wire::{with_context, Ref};
use crate::{Federation, FederationError};

/// `Delete` of a local note, as a Tombstone.
pub fn build(id: &str, actor: &str, object_uri: &str, to: Vec<String>, cc: Vec<String>) -> Value {
    with_context(json!({
        "id": id,
        "type": "Delete",
        "actor": actor,
        "to": to,
        "cc": cc,
        "object": { "id": object_uri, "type": "Tombstone" },
    }))
}

/// A deleted local post: who received it (`Intent::DeleteStatus`).
pub struct DeletedStatus<'a> {
    pub account_id: i64,
    pub uri: &'a str,
    pub audience: Audience,
    /// The author of the post a public reply answered.
    pub replied_to: Option<i64>,
    /// The local private groups that shared it.
    pub private_groups: &'a [i64],
    /// The local public groups that announced it.
    pub public_groups: &'a [i64],
}

/// `Delete` of a local post, to whoever received it, addressed to them and never to the public:
/// the Delete of a followers-only post must not say more than the post did.
pub async fn send_status(fed: &Federation, d: &DeletedStatus<'_>) -> Result<Option<Outgoing>, FederationError> {
    let author = recipients::account(fed, d.account_id).await?;
    let id = format!("{}#delete", d.uri);
    let mention_uris: Vec<String> = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(d.audience.mentioned.clone()))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|a| a.uri)
        .collect();
    let (mut to, cc) = match (&author.followers_url, d.audience.followers) {
        (Some(f), true) => (vec![f.clone()], mention_uris),
        _ => (mention_uris, vec![]),
    };
    let mut inboxes = recipients::audience_inboxes(fed, author.id, &d.audience, d.replied_to).await?;
    // The members of the private groups that shared it hold a copy too.
    for group_id in d.private_groups {
        let Some(group) = queries::account_by_id(&fed.db, *group_id).await? else { continue };
        to.push(crate::activities::announce::members_url(&group.uri));
        inboxes.extend(recipients::member_inboxes(fed, group.id).await?);
    }
    // And the followers of the public groups that announced it.
    let mut cc = cc;
    for group_id in d.public_groups {
        let Some(group) = queries::account_by_id(&fed.db, *group_id).await? else { continue };
        cc.extend(group.followers_url.clone());
        inboxes.extend(recipients::follower_inboxes(fed, group.id).await?);
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(Some(Outgoing { activity: build(&id, &author.uri, d.uri, to, cc), sender_account_id: author.id, inboxes }))
}

/// `Delete` of a deleted local account, public, to the servers of everyone it followed or was
/// followed by.
pub async fn send_account(fed: &Federation, account_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let a = recipients::account(fed, account_id).await?;
    let mut ids = queries::accepted_follower_ids(&fed.db, a.id).await?;
    ids.extend(
        follows::Entity::find()
            .select_only()
            .column(follows::Column::TargetAccountId)
            .filter(follows::Column::AccountId.eq(a.id))
            .into_tuple::<i64>()
            .all(&fed.db)
            .await?,
    );
    let activity = build(&format!("{}#delete", a.uri), &a.uri, &a.uri, vec![coopol_core::PUBLIC.into()], vec![]);
    Ok(Some(Outgoing { activity, sender_account_id: a.id, inboxes: queries::remote_inboxes(&fed.db, &ids).await? }))
}

/// A `Delete` received: of the actor itself, or of one of its objects (a note, an event).
#[derive(Debug, Deserialize)]
pub struct Delete {
    #[serde(rename = "type")]
    pub kind: DeleteType,
    pub object: Ref,
}

/// What a checked `Delete` removes.
pub enum Deletion {
    /// The actor deleted itself.
    Actor,
    /// An object on the actor's origin: the status we hold of it (with what the streams will
    /// hear), and in any case a tombstone.
    Object { uri: String, existing: Option<Box<(statuses::Model, Message)>> },
}

impl Delete {
    /// The object must be on the actor's origin, and a status we hold of it the actor's (or, for
    /// an event, its group's: Mobilizon's groups delete their events); writes nothing.
    pub async fn verify(&self, fed: &Federation, actor: &accounts::Model) -> Result<Deletion, FederationError> {
        let uri = self.object.as_str();
        if uri == actor.uri {
            return Ok(Deletion::Actor);
        }
        let (obj_url, actor_url) = match (Url::parse(uri), Url::parse(&actor.uri)) {
            (Ok(o), Ok(a)) => (o, a),
            _ => return Err(FederationError::Invalid("ids are not URLs".into())),
        };
        if !same_origin(&obj_url, &actor_url) {
            return Err(FederationError::Unauthorized("delete of an object on another origin".into()));
        }
        let existing = match queries::status_by_uri(&fed.db, uri).await? {
            Some(s) => {
                let event_group =
                    coopol_service::events::event_of_status(&fed.db, s.id).await?.and_then(|e| e.group_id);
                if s.account_id != actor.id && event_group != Some(actor.id) {
                    return Err(FederationError::Unauthorized("delete of another actor's note".into()));
                }
                let event = coopol_service::stream::deleted(fed, &s).await?;
                Some(Box::new((s, event)))
            }
            None => None,
        };
        Ok(Deletion::Object { uri: uri.to_string(), existing })
    }

    /// Removes the status and records the tombstone in one transaction, or deletes the actor.
    pub async fn receive(fed: &Federation, actor: &accounts::Model, deletion: Deletion) -> Result<(), FederationError> {
        let Deletion::Object { uri, existing } = deletion else { return delete_actor(fed, actor).await };
        let txn = fed.db.begin_write().await?;
        let event = match existing.map(|b| *b) {
            Some((s, event)) => {
                coopol_service::statuses::delete_rows(&txn, s.id).await?;
                Some(event)
            }
            None => None,
        };
        // Recorded even when we never saw the note: a Delete that arrives first wins.
        queries::add_tombstone(&txn, &uri).await?;
        txn.commit().await?;
        if let Some(e) = event {
            fed.stream.publish(e);
        }
        Ok(())
    }
}

/// A remote account deleted itself: its posts and follows go, the account is kept suspended so
/// that its id is not reused.
async fn delete_actor(fed: &Federation, actor: &accounts::Model) -> Result<(), FederationError> {
    let ids: Vec<i64> = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(actor.id))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let txn = fed.db.begin_write().await?;
    for id in ids {
        coopol_service::statuses::delete_rows(&txn, id).await?;
    }
    follows::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(follows::Column::AccountId.eq(actor.id))
                .add(follows::Column::TargetAccountId.eq(actor.id)),
        )
        .exec(&txn)
        .await?;
    let mut m: accounts::ActiveModel = actor.clone().into();
    m.suspended = Set(true);
    m.update(&txn).await?;
    txn.commit().await?;
    fed.keys.forget_actor(&actor.uri);
    Ok(())
}
