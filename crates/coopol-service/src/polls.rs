//! What a status carries besides its text (media attachments, a poll), and votes.

use chrono::Duration;
use coopol_core::Intent;
use coopol_db::entities::{accounts, media_attachments, poll_votes, polls};
use coopol_db::media as mq;
use coopol_db::queries;
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::{statuses, Service, ServiceError};

/// A poll as a person asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// Attachments and poll of a new status, checked by the door.
#[derive(Debug, Default, Clone)]
pub struct StatusExtras {
    pub media: Vec<media_attachments::Model>,
    pub poll: Option<NewPoll>,
}

/// Attaches the media and creates the poll of a new status, in its transaction.
pub async fn store_extras(
    db: &impl ConnectionTrait,
    status_id: i64,
    extras: &StatusExtras,
) -> Result<(), ServiceError> {
    for (i, a) in extras.media.iter().enumerate() {
        let mut m: media_attachments::ActiveModel = a.clone().into();
        m.status_id = Set(Some(status_id));
        m.position = Set(i32::try_from(i).unwrap_or(0));
        m.update(db).await?;
    }
    if let Some(p) = &extras.poll {
        let now = coopol_db::now();
        let options = serde_json::to_string(&p.options).map_err(|e| ServiceError::Unprocessable(e.to_string()))?;
        polls::ActiveModel {
            id: Set(coopol_core::new_id()),
            status_id: Set(status_id),
            options: Set(options),
            cached_counts: Set("[]".into()),
            cached_voters: Set(None),
            multiple: Set(p.multiple),
            hide_totals: Set(p.hide_totals),
            expires_at: Set(Some(now + Duration::seconds(p.expires_in))),
            created_at: Set(now),
            end_notified: Set(false),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Whether a poll is over.
pub fn expired(p: &polls::Model) -> bool {
    p.expires_at.is_some_and(|t| t <= chrono::Utc::now())
}

/// Votes in a poll (`choices` by index). A vote on a local poll updates it for every server
/// that has it (`Update(Question)`); a vote on a remote poll is sent to its origin, one per
/// choice.
pub async fn vote(svc: &Service, me: &accounts::Model, poll_id: i64, choices: &[String]) -> Result<(), ServiceError> {
    let p = mq::poll_by_id(&svc.db, poll_id).await?.ok_or(ServiceError::NotFound)?;
    let s = statuses::visible(svc, p.status_id, Some(me.id)).await?;
    let refuse = |m: String| Err(ServiceError::Unprocessable(m));
    if expired(&p) {
        return refuse("The poll has already ended".into());
    }
    if s.account_id == me.id {
        return refuse("You cannot vote in your own poll".into());
    }
    if mq::has_voted(&svc.db, p.id, me.id).await? {
        return refuse("You have already voted on this poll".into());
    }
    let n = mq::poll_options(&p).len();
    let mut picked: Vec<i32> = Vec::new();
    for c in choices {
        let invalid = || ServiceError::Unprocessable(format!("invalid choice {c}"));
        let i: usize = c.trim().parse().map_err(|_| invalid())?;
        if i >= n {
            return Err(invalid());
        }
        let i = i32::try_from(i).map_err(|_| invalid())?;
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    if picked.is_empty() {
        return refuse("choices can't be blank".into());
    }
    if picked.len() > 1 && !p.multiple {
        return refuse("this poll accepts only one choice".into());
    }
    let txn = svc.db.begin_write().await?;
    let mut ids = Vec::new();
    for choice in picked {
        let id = coopol_core::new_id();
        poll_votes::ActiveModel {
            id: Set(id),
            poll_id: Set(p.id),
            account_id: Set(me.id),
            choice: Set(choice),
            uri: Set(format!("{}#votes/{id}", me.uri)),
            created_at: Set(coopol_db::now()),
        }
        .insert(&txn)
        .await?;
        ids.push(id);
    }
    if s.local {
        queries::record_intent(&txn, &Intent::UpdateStatus { status_id: s.id }).await?;
    } else {
        for vote_id in ids {
            queries::record_intent(&txn, &Intent::PollVote { vote_id }).await?;
        }
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}
