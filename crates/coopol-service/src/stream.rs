//! The in-process bus behind the streaming API: the workflows (whichever door called them) and
//! the inbox publish what changed (by id), and each streaming connection subscribes, reads what
//! it may show and renders it. One process only: several processes on one PostgreSQL database would
//! need LISTEN/NOTIFY to share events, which coopol does not do yet.

use coopol_db::entities::{accounts, statuses};
use coopol_db::notifications;
use tokio::sync::broadcast;

use crate::{Service, ServiceError};

/// How many messages a subscriber may fall behind before it is dropped (a slow client loses its
/// connection; the server and the other clients do not wait for it).
pub const BUFFER: usize = 1024;

/// Something a streaming client may want to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A status (or a boost) was stored.
    StatusCreated { status_id: i64 },
    /// A status was edited.
    StatusUpdated { status_id: i64 },
    /// A status was deleted; what decided who could see it is kept, the row is gone.
    StatusDeleted { status_id: i64, account_id: i64, visibility: String, mentioned: Vec<i64>, local: bool },
    /// A local account received a notification.
    Notification { account_id: i64, notification_id: i64 },
    /// A local account's direct conversation changed.
    Conversation { account_id: i64, conversation_id: i64 },
}

/// The bus: a broadcast channel; publishing never waits.
pub struct Stream {
    tx: broadcast::Sender<Message>,
}

impl Default for Stream {
    fn default() -> Self {
        Stream { tx: broadcast::channel(BUFFER).0 }
    }
}

impl Stream {
    /// Publishes a message (dropped when nobody listens).
    pub fn publish(&self, message: Message) {
        let _ = self.tx.send(message);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Message> {
        self.tx.subscribe()
    }
}

/// Records a notification and publishes it when it is new.
pub async fn notify(
    svc: &Service,
    account_id: i64,
    from_account_id: i64,
    kind: &str,
    status_id: Option<i64>,
) -> Result<(), ServiceError> {
    if let Some(n) = notifications::notify(&svc.db, account_id, from_account_id, kind, status_id).await? {
        svc.stream.publish(Message::Notification { account_id, notification_id: n.id });
    }
    Ok(())
}

/// After a status is stored: its mentions notify the local accounts named, a direct one updates
/// the conversations, followers who rang the bell hear of it (`coopol_db::arrivals`), and
/// streams hear of it.
pub async fn status_created(svc: &Service, status: &statuses::Model) -> Result<(), ServiceError> {
    let arrivals = coopol_db::arrivals::record(&svc.db, std::slice::from_ref(status)).await?;
    for n in arrivals.notifications {
        svc.stream.publish(Message::Notification { account_id: n.account_id, notification_id: n.id });
    }
    for c in arrivals.conversations {
        svc.stream.publish(Message::Conversation { account_id: c.account_id, conversation_id: c.id });
    }
    svc.stream.publish(Message::StatusCreated { status_id: status.id });
    Ok(())
}

/// After a status was edited: the local accounts that boosted it are told, and streams hear of it.
pub async fn status_updated(svc: &Service, status: &statuses::Model) -> Result<(), ServiceError> {
    for n in notifications::notify_boosters_of_edit(&svc.db, status).await? {
        svc.stream.publish(Message::Notification { account_id: n.account_id, notification_id: n.id });
    }
    svc.stream.publish(Message::StatusUpdated { status_id: status.id });
    Ok(())
}

/// Builds the deletion message of a status, before its rows go.
pub async fn deleted(svc: &Service, status: &statuses::Model) -> Result<Message, ServiceError> {
    Ok(Message::StatusDeleted {
        status_id: status.id,
        account_id: status.account_id,
        visibility: status.visibility.clone(),
        mentioned: coopol_db::queries::mentioned_ids(&svc.db, status.id).await?,
        local: status.local,
    })
}

/// A follow of a local account was recorded: `follow`, or `follow_request` when it waits.
pub async fn followed(
    svc: &Service,
    target: &accounts::Model,
    follower_id: i64,
    pending: bool,
) -> Result<(), ServiceError> {
    let kind = if pending { notifications::FOLLOW_REQUEST } else { notifications::FOLLOW };
    notify(svc, target.id, follower_id, kind, None).await
}
