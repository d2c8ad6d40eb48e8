//! The outbox worker: turns recorded intents into activities and one delivery job per distinct
//! inbox, in one transaction with the intent's removal, so each intent is delivered once.

use coopol_db::WriteTxn;
use std::time::Duration;

use coopol_core::{Audience, Intent, Visibility};
use coopol_db::entities::{
    accounts, blocks, delivery_jobs, event_participants, events, favourites, follows, outbox, statuses,
};
use coopol_db::queries;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value;
use url::Url;

use crate::activities::{announce, block, create, delete, follow, join, leave, like, r#move, undo, update};
use crate::config::authority;
use crate::event_store;
use crate::notes::note_for_status;
use crate::{Federation, FederationError};

/// What an intent becomes: an activity, who signs it, where it goes.
pub struct Outgoing {
    pub activity: Value,
    pub sender_account_id: i64,
    pub inboxes: Vec<String>,
}

async fn account(fed: &Federation, id: i64) -> Result<accounts::Model, FederationError> {
    queries::account_by_id(&fed.db, id).await?.ok_or(FederationError::NotFound)
}

/// Personal inbox of a remote account (for activities meant for that actor alone).
fn personal_inbox(a: &accounts::Model) -> Vec<String> {
    if a.domain.is_some() {
        vec![a.inbox_url.clone()]
    } else {
        vec![]
    }
}

/// Inboxes of a post's audience: accepted followers (when the visibility reaches them), the
/// mentioned accounts, and the author of the post it answers.
async fn post_inboxes(fed: &Federation, s: &statuses::Model) -> Result<Vec<String>, FederationError> {
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    let mut mentioned = queries::mentioned_ids(&fed.db, s.id).await?;
    // A public reply in a group's thread goes to the group too, which announces it (FEP-1b12).
    if let (Some(parent), true) = (s.in_reply_to_id, visibility.is_public()) {
        mentioned.extend(coopol_db::groups::groups_boosting(&fed.db, parent).await?);
    }
    audience_inboxes(
        fed,
        s.account_id,
        &Audience::of(visibility, &mentioned),
        // The author of the post answered hears of a public reply; a followers-only or direct
        // reply reaches them only when it mentions them.
        s.in_reply_to_account_id.filter(|_| visibility.is_public()),
    )
    .await
}

async fn audience_inboxes(
    fed: &Federation,
    author: i64,
    audience: &Audience,
    also: Option<i64>,
) -> Result<Vec<String>, FederationError> {
    let mut ids = audience.mentioned.clone();
    if audience.followers {
        ids.extend(queries::accepted_follower_ids(&fed.db, author).await?);
    }
    ids.extend(also);
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// Whether an account is a local private group (whose announces go to its members only).
async fn private_group(fed: &Federation, a: &accounts::Model) -> Result<bool, FederationError> {
    if a.actor_type != coopol_db::groups::GROUP || a.domain.is_some() {
        return Ok(false);
    }
    Ok(coopol_db::groups::settings(&fed.db, a.id).await?.is_some_and(|g| g.private))
}

/// Whether an account is a local public group (whose announces are public).
async fn local_public_group(fed: &Federation, a: &accounts::Model) -> Result<bool, FederationError> {
    Ok(a.actor_type == coopol_db::groups::GROUP && a.domain.is_none() && !private_group(fed, a).await?)
}

/// Inboxes of an account's remote accepted followers.
async fn follower_inboxes(fed: &Federation, account_id: i64) -> Result<Vec<String>, FederationError> {
    let ids = queries::accepted_follower_ids(&fed.db, account_id).await?;
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// Inboxes of a group's remote members: accepted, not banned, one per distinct inbox.
async fn member_inboxes(fed: &Federation, group_id: i64) -> Result<Vec<String>, FederationError> {
    let ids = coopol_db::groups::member_ids(&fed.db, group_id).await?;
    Ok(queries::remote_inboxes(&fed.db, &ids).await?)
}

/// `Create` or `Update` (`kind`) of an event, with the events' JSON-LD context.
fn event_activity(id: &str, kind: &str, actor: &str, mut doc: Value) -> Value {
    if let Some(m) = doc.as_object_mut() {
        m.remove("@context");
    }
    serde_json::json!({
        "@context": crate::event_objects::event_context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "published": doc.get("published"),
        "to": doc.get("to"),
        "cc": doc.get("cc"),
        "object": doc,
    })
}

/// Who hears of an event and of its changes: the organiser's audience for a public post, the
/// group's members, and every remote participant (so counts agree everywhere).
async fn event_inboxes(
    fed: &Federation,
    e: &events::Model,
    s: &statuses::Model,
) -> Result<Vec<String>, FederationError> {
    let mut ids: Vec<i64> = event_participants::Entity::find()
        .select_only()
        .column(event_participants::Column::AccountId)
        .filter(sea_orm::ColumnTrait::eq(&event_participants::Column::EventId, e.id))
        .into_tuple::<i64>()
        .all(&fed.db)
        .await?;
    if let Some(g) = e.group_id {
        ids.extend(queries::accepted_follower_ids(&fed.db, g).await?);
    }
    let mut inboxes = post_inboxes(fed, s).await?;
    inboxes.extend(queries::remote_inboxes(&fed.db, &ids).await?);
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// Builds the activity and recipients of an intent. `None`: nothing to send any more (the
/// object is gone, or nobody remote is concerned).
pub async fn build(fed: &Federation, intent: &Intent) -> Result<Option<Outgoing>, FederationError> {
    let c = &fed.config;
    let out = match intent {
        Intent::CreateStatus { status_id } | Intent::UpdateStatus { status_id } => {
            let Some(s) = queries::status_by_id(&fed.db, *status_id).await? else { return Ok(None) };
            let author = account(fed, s.account_id).await?;
            let note = note_for_status(fed, &s).await?;
            let activity = if note.get("type").and_then(Value::as_str) == Some("Event") {
                // An event's companion status federates as the Event, never as a Note.
                let id = if matches!(intent, Intent::CreateStatus { .. }) {
                    format!("{}/activity", s.uri)
                } else {
                    c.activity_url(&author.username, "update", coopol_core::new_id())
                };
                let kind = if matches!(intent, Intent::CreateStatus { .. }) { "Create" } else { "Update" };
                event_activity(&id, kind, &author.uri, note)
            } else if matches!(intent, Intent::CreateStatus { .. }) {
                create::build(note, &author.uri)
            } else {
                let id = c.activity_url(&author.username, "update", coopol_core::new_id());
                update::build(&id, note, &author.uri)
            };
            let mut inboxes = post_inboxes(fed, &s).await?;
            if matches!(intent, Intent::UpdateStatus { .. }) {
                // Remote voters hear of a poll's new counts even when they do not follow.
                inboxes.extend(crate::polls::voter_inboxes(fed, s.id).await?);
                // The members of a private group that shared it hold a copy to update.
                for group_id in coopol_db::groups::private_groups_of(&fed.db, s.id).await? {
                    inboxes.extend(member_inboxes(fed, group_id).await?);
                }
                // So do the followers of a public group that announced it (FEP-1b12).
                for group_id in coopol_db::groups::public_groups_of(&fed.db, s.id).await? {
                    inboxes.extend(follower_inboxes(fed, group_id).await?);
                }
                inboxes.sort();
                inboxes.dedup();
            }
            Outgoing { activity, sender_account_id: author.id, inboxes }
        }
        Intent::DeleteStatus { account_id, uri, followers, mentioned, replied_to, private_groups, public_groups } => {
            let author = account(fed, *account_id).await?;
            let audience = Audience { followers: *followers, mentioned: mentioned.clone() };
            let id = format!("{uri}#delete");
            // Addressed to who received the post, never to the public: the Delete of a
            // followers-only post must not say more than the post did.
            let mention_uris: Vec<String> = accounts::Entity::find()
                .filter(sea_orm::ColumnTrait::is_in(&accounts::Column::Id, mentioned.clone()))
                .all(&fed.db)
                .await?
                .into_iter()
                .map(|a| a.uri)
                .collect();
            let (mut to, cc) = match (&author.followers_url, followers) {
                (Some(f), true) => (vec![f.clone()], mention_uris),
                _ => (mention_uris, vec![]),
            };
            let mut inboxes = audience_inboxes(fed, author.id, &audience, *replied_to).await?;
            // The members of the private groups that shared it hold a copy too.
            for group_id in private_groups {
                let Some(group) = queries::account_by_id(&fed.db, *group_id).await? else { continue };
                to.push(announce::members_url(&group.uri));
                inboxes.extend(member_inboxes(fed, group.id).await?);
            }
            // And the followers of the public groups that announced it.
            let mut cc = cc;
            for group_id in public_groups {
                let Some(group) = queries::account_by_id(&fed.db, *group_id).await? else { continue };
                cc.extend(group.followers_url.clone());
                inboxes.extend(follower_inboxes(fed, group.id).await?);
            }
            inboxes.sort();
            inboxes.dedup();
            Outgoing { activity: delete::build(&id, &author.uri, uri, to, cc), sender_account_id: author.id, inboxes }
        }
        Intent::Follow { follow_id } => {
            let Some(f) = follows::Entity::find_by_id(*follow_id).one(&fed.db).await? else { return Ok(None) };
            let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
            Outgoing {
                activity: follow::build(&f, &follower, &target),
                sender_account_id: follower.id,
                inboxes: personal_inbox(&target),
            }
        }
        Intent::UndoFollow { account_id, target_account_id, follow_uri } => {
            let (follower, target) = (account(fed, *account_id).await?, account(fed, *target_account_id).await?);
            let inner = undo::follow_object(follow_uri, &follower.uri, &target.uri);
            Outgoing {
                activity: undo::build(&format!("{follow_uri}#undo"), &follower.uri, inner, &target.uri),
                sender_account_id: follower.id,
                inboxes: personal_inbox(&target),
            }
        }
        Intent::AcceptFollow { follow_id } => {
            let Some(f) = follows::Entity::find_by_id(*follow_id).one(&fed.db).await? else { return Ok(None) };
            let (follower, target) = (account(fed, f.account_id).await?, account(fed, f.target_account_id).await?);
            let id = c.activity_url(&target.username, "accept", coopol_core::new_id());
            Outgoing {
                activity: follow::build_answer("Accept", &id, &f.uri, &follower, &target),
                sender_account_id: target.id,
                inboxes: personal_inbox(&follower),
            }
        }
        Intent::RejectFollow { account_id, follower_account_id, follow_uri } => {
            let (target, follower) = (account(fed, *account_id).await?, account(fed, *follower_account_id).await?);
            let id = c.activity_url(&target.username, "reject", coopol_core::new_id());
            Outgoing {
                activity: follow::build_answer("Reject", &id, follow_uri, &follower, &target),
                sender_account_id: target.id,
                inboxes: personal_inbox(&follower),
            }
        }
        Intent::Like { favourite_id } => {
            let Some(f) = favourites::Entity::find_by_id(*favourite_id).one(&fed.db).await? else { return Ok(None) };
            let Some(s) = queries::status_by_id(&fed.db, f.status_id).await? else { return Ok(None) };
            let (liker, author) = (account(fed, f.account_id).await?, account(fed, s.account_id).await?);
            Outgoing {
                activity: like::build(&f.uri, &liker.uri, &s.uri, &author.uri),
                sender_account_id: liker.id,
                inboxes: personal_inbox(&author),
            }
        }
        Intent::UndoLike { account_id, status_id, like_uri } => {
            let Some(s) = queries::status_by_id(&fed.db, *status_id).await? else { return Ok(None) };
            let (liker, author) = (account(fed, *account_id).await?, account(fed, s.account_id).await?);
            let inner = like::build(like_uri, &liker.uri, &s.uri, &author.uri);
            Outgoing {
                activity: undo::build(&format!("{like_uri}#undo"), &liker.uri, inner, &author.uri),
                sender_account_id: liker.id,
                inboxes: personal_inbox(&author),
            }
        }
        Intent::Announce { reblog_id } => {
            let Some(r) = queries::status_by_id(&fed.db, *reblog_id).await? else { return Ok(None) };
            let Some(orig) = r.reblog_of_id else { return Ok(None) };
            let Some(s) = queries::status_by_id(&fed.db, orig).await? else { return Ok(None) };
            let (booster, author) = (account(fed, r.account_id).await?, account(fed, s.account_id).await?);
            let published = r.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            if private_group(fed, &booster).await? {
                // Only posts written here: their fetch is checked against the membership.
                if !s.local {
                    return Ok(None);
                }
                return Ok(Some(Outgoing {
                    activity: announce::build_for_members(&r.uri, &booster.uri, &s.uri, &published),
                    sender_account_id: booster.id,
                    inboxes: member_inboxes(fed, booster.id).await?,
                }));
            }
            let followers = booster.followers_url.clone().unwrap_or_default();
            let mut inboxes =
                audience_inboxes(fed, booster.id, &Audience::of(Visibility::Public, &[]), Some(author.id)).await?;
            inboxes.dedup();
            Outgoing {
                activity: announce::build(&r.uri, &booster.uri, &followers, &s.uri, &author.uri, &published),
                sender_account_id: booster.id,
                inboxes,
            }
        }
        Intent::UndoAnnounce { account_id, status_id, announce_uri } => {
            let Some(s) = queries::status_by_id(&fed.db, *status_id).await? else { return Ok(None) };
            let (booster, author) = (account(fed, *account_id).await?, account(fed, s.account_id).await?);
            if private_group(fed, &booster).await? {
                let inner = announce::build_for_members(announce_uri, &booster.uri, &s.uri, "");
                let members = announce::members_url(&booster.uri);
                return Ok(Some(Outgoing {
                    activity: undo::build(&format!("{announce_uri}#undo"), &booster.uri, inner, &members),
                    sender_account_id: booster.id,
                    inboxes: member_inboxes(fed, booster.id).await?,
                }));
            }
            let followers = booster.followers_url.clone().unwrap_or_default();
            let inner = announce::build(announce_uri, &booster.uri, &followers, &s.uri, &author.uri, "");
            Outgoing {
                activity: undo::build(&format!("{announce_uri}#undo"), &booster.uri, inner, coopol_core::PUBLIC),
                sender_account_id: booster.id,
                inboxes: audience_inboxes(fed, booster.id, &Audience::of(Visibility::Public, &[]), Some(author.id))
                    .await?,
            }
        }
        Intent::Block { block_id } => {
            let Some(b) = blocks::Entity::find_by_id(*block_id).one(&fed.db).await? else { return Ok(None) };
            let (blocker, target) = (account(fed, b.account_id).await?, account(fed, b.target_account_id).await?);
            Outgoing {
                activity: block::build(&b.uri, &blocker.uri, &target.uri),
                sender_account_id: blocker.id,
                inboxes: personal_inbox(&target),
            }
        }
        Intent::UndoBlock { account_id, target_account_id, block_uri } => {
            let (blocker, target) = (account(fed, *account_id).await?, account(fed, *target_account_id).await?);
            let inner = block::build(block_uri, &blocker.uri, &target.uri);
            Outgoing {
                activity: undo::build(&format!("{block_uri}#undo"), &blocker.uri, inner, &target.uri),
                sender_account_id: blocker.id,
                inboxes: personal_inbox(&target),
            }
        }
        Intent::CreateEvent { event_id } | Intent::UpdateEvent { event_id } => {
            let Some(e) = events::Entity::find_by_id(*event_id).one(&fed.db).await? else { return Ok(None) };
            let Some(s) = queries::status_by_id(&fed.db, e.status_id).await? else { return Ok(None) };
            let organiser = account(fed, e.account_id).await?;
            let doc = event_store::event_document(fed, &e).await?;
            let id = if matches!(intent, Intent::CreateEvent { .. }) {
                format!("{}/activity", e.uri)
            } else {
                c.activity_url(&organiser.username, "update", coopol_core::new_id())
            };
            let kind = if matches!(intent, Intent::CreateEvent { .. }) { "Create" } else { "Update" };
            Outgoing {
                activity: event_activity(&id, kind, &organiser.uri, doc),
                sender_account_id: organiser.id,
                inboxes: event_inboxes(fed, &e, &s).await?,
            }
        }
        Intent::JoinEvent { participant_id } => {
            let Some(p) = event_participants::Entity::find_by_id(*participant_id).one(&fed.db).await? else {
                return Ok(None);
            };
            let Some(e) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? else { return Ok(None) };
            let (who, owner) =
                (account(fed, p.account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
            let maybe = p.state == coopol_service::events::TENTATIVE;
            Outgoing {
                activity: join::build(&p.join_uri, maybe, &who.uri, &e.uri, &owner.uri),
                sender_account_id: who.id,
                inboxes: personal_inbox(&owner),
            }
        }
        Intent::LeaveEvent { account_id, event_id, join_uri } => {
            let Some(e) = events::Entity::find_by_id(*event_id).one(&fed.db).await? else { return Ok(None) };
            let (who, owner) =
                (account(fed, *account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
            Outgoing {
                activity: leave::build(&format!("{join_uri}#leave"), &who.uri, &e.uri, &owner.uri),
                sender_account_id: who.id,
                inboxes: personal_inbox(&owner),
            }
        }
        Intent::AcceptParticipant { participant_id } | Intent::RejectParticipant { participant_id } => {
            let Some(p) = event_participants::Entity::find_by_id(*participant_id).one(&fed.db).await? else {
                return Ok(None);
            };
            let Some(e) = events::Entity::find_by_id(p.event_id).one(&fed.db).await? else { return Ok(None) };
            let (who, owner) =
                (account(fed, p.account_id).await?, account(fed, coopol_service::events::owner_id(&e)).await?);
            let kind = if matches!(intent, Intent::AcceptParticipant { .. }) { "Accept" } else { "Reject" };
            let id = c.activity_url(&owner.username, &kind.to_lowercase(), coopol_core::new_id());
            Outgoing {
                activity: join::build_answer(kind, &id, &p, &who.uri, &e.uri, &owner.uri),
                sender_account_id: owner.id,
                inboxes: personal_inbox(&who),
            }
        }
        Intent::PollVote { vote_id } => return crate::polls::build_vote(fed, *vote_id).await,
        Intent::GroupFlag { account_id, group_account_id, status_uris, comment } => {
            let (reporter, group) = (account(fed, *account_id).await?, account(fed, *group_account_id).await?);
            let id = c.activity_url(&reporter.username, "flag", coopol_core::new_id());
            Outgoing {
                activity: crate::activities::groups::flag::build(&id, &reporter.uri, &group.uri, status_uris, comment),
                sender_account_id: reporter.id,
                inboxes: personal_inbox(&group),
            }
        }
        Intent::DeleteAccount { account_id } => {
            let a = account(fed, *account_id).await?;
            let mut ids = queries::accepted_follower_ids(&fed.db, a.id).await?;
            ids.extend(
                follows::Entity::find()
                    .select_only()
                    .column(follows::Column::TargetAccountId)
                    .filter(sea_orm::ColumnTrait::eq(&follows::Column::AccountId, a.id))
                    .into_tuple::<i64>()
                    .all(&fed.db)
                    .await?,
            );
            let activity =
                delete::build(&format!("{}#delete", a.uri), &a.uri, &a.uri, vec![coopol_core::PUBLIC.into()], vec![]);
            Outgoing { activity, sender_account_id: a.id, inboxes: queries::remote_inboxes(&fed.db, &ids).await? }
        }
        Intent::UpdateAccount { account_id } => {
            let a = account(fed, *account_id).await?;
            let ids = queries::accepted_follower_ids(&fed.db, a.id).await?;
            let id = c.activity_url(&a.username, "update", coopol_core::new_id());
            let doc = crate::actors::local_actor_doc(fed, &a).await?;
            Outgoing {
                activity: update::build_actor(&id, doc, &a.uri, a.followers_url.as_deref()),
                sender_account_id: a.id,
                inboxes: queries::remote_inboxes(&fed.db, &ids).await?,
            }
        }
        Intent::Move { account_id, target_uri } => {
            let a = account(fed, *account_id).await?;
            let id = c.activity_url(&a.username, "move", coopol_core::new_id());
            let followers = queries::accepted_follower_ids(&fed.db, a.id).await?;
            Outgoing {
                activity: r#move::build(&id, &a, target_uri),
                sender_account_id: a.id,
                inboxes: queries::remote_inboxes(&fed.db, &followers).await?,
            }
        }
    };
    Ok(Some(out))
}

/// Everything an intent sends: one activity, except where a local public group's followers on
/// Lemmy servers get their own shape of it (see `lemmy`): the group's announce of a post, the
/// author's edit or deletion of it, a moderator's removal of it.
pub async fn build_all(fed: &Federation, intent: &Intent) -> Result<Vec<Outgoing>, FederationError> {
    let Some(out) = build(fed, intent).await? else { return Ok(Vec::new()) };
    match intent {
        Intent::Announce { reblog_id } => {
            if let Some((r, s)) = public_group_boost(fed, *reblog_id).await? {
                return crate::lemmy::split_group_announce(fed, out, &r.uri, &s).await;
            }
        }
        Intent::UpdateStatus { status_id } => {
            let groups = coopol_db::groups::public_groups_of(&fed.db, *status_id).await?;
            if let (false, Some(s)) = (groups.is_empty(), queries::status_by_id(&fed.db, *status_id).await?) {
                return crate::lemmy::split_group_change(fed, out, &groups, crate::lemmy::Change::Edited(&s)).await;
            }
        }
        Intent::DeleteStatus { uri, public_groups, .. } if !public_groups.is_empty() => {
            return crate::lemmy::split_group_change(fed, out, public_groups, crate::lemmy::Change::Deleted(uri)).await;
        }
        Intent::UndoAnnounce { account_id, status_id, .. } => {
            if let Some((uri, moderator, reason)) = removal_by_local_moderator(fed, *account_id, *status_id).await? {
                let change = crate::lemmy::Change::Removed { uri: &uri, moderator: &moderator, reason: &reason };
                return crate::lemmy::split_group_change(fed, out, &[*account_id], change).await;
            }
        }
        _ => {}
    }
    Ok(vec![out])
}

/// When `group_id` is a local public group whose moderator here took `status_id` out of it:
/// the post's id, the moderator and the reason.
async fn removal_by_local_moderator(
    fed: &Federation,
    group_id: i64,
    status_id: i64,
) -> Result<Option<(String, accounts::Model, String)>, FederationError> {
    if !local_public_group(fed, &account(fed, group_id).await?).await? {
        return Ok(None);
    }
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let Some((moderator_id, reason)) = coopol_db::groups::remover_of(&fed.db, group_id, &s.uri).await? else {
        return Ok(None);
    };
    let moderator = account(fed, moderator_id).await?;
    Ok(moderator.domain.is_none().then_some((s.uri, moderator, reason)))
}

/// The boost `reblog_id` and the post it shares, when a local public group made it.
async fn public_group_boost(
    fed: &Federation,
    reblog_id: i64,
) -> Result<Option<(statuses::Model, statuses::Model)>, FederationError> {
    let Some(r) = queries::status_by_id(&fed.db, reblog_id).await? else { return Ok(None) };
    if !local_public_group(fed, &account(fed, r.account_id).await?).await? {
        return Ok(None);
    }
    let Some(orig) = r.reblog_of_id else { return Ok(None) };
    Ok(queries::status_by_id(&fed.db, orig).await?.map(|s| (r, s)))
}

/// Processes pending intents until none is left. Returns how many were processed.
pub async fn drain(fed: &Federation) -> Result<usize, FederationError> {
    let mut done = 0;
    loop {
        let batch = outbox::Entity::find().order_by_asc(outbox::Column::Id).limit(64).all(&fed.db).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for row in batch {
            let intent: Result<Intent, _> = serde_json::from_str(&row.intent);
            let outgoing = match intent {
                Ok(i) => match build_all(fed, &i).await {
                    Ok(o) => o,
                    Err(FederationError::Db(e)) => return Err(FederationError::Db(e)),
                    Err(e) => {
                        tracing::warn!(intent = %row.intent, error = %e, "dropping an intent that cannot be built");
                        Vec::new()
                    }
                },
                Err(e) => {
                    tracing::error!(intent = %row.intent, error = %e, "dropping an unreadable intent");
                    Vec::new()
                }
            };
            // Taking the intent out first makes the transaction write first (SQLite) and lets
            // only one process deliver it when several share the database.
            let txn = fed.db.begin_write().await?;
            if outbox::Entity::delete_by_id(row.id).exec(&txn).await?.rows_affected == 0 {
                txn.rollback().await?;
                continue;
            }
            for o in &outgoing {
                enqueue(&txn, o).await?;
            }
            txn.commit().await?;
            done += 1;
        }
        fed.delivery_ready.notify_waiters();
    }
}

/// Queues one delivery job per inbox of `o`.
pub async fn enqueue(db: &impl sea_orm::ConnectionTrait, o: &Outgoing) -> Result<(), FederationError> {
    let payload = serde_json::to_string(&o.activity).map_err(|e| FederationError::Invalid(e.to_string()))?;
    let now = coopol_db::now();
    let mut rows = Vec::new();
    for inbox in &o.inboxes {
        let Some(domain) = Url::parse(inbox).ok().as_ref().and_then(authority) else { continue };
        rows.push(delivery_jobs::ActiveModel {
            id: Set(coopol_core::new_id()),
            inbox_url: Set(inbox.clone()),
            domain: Set(domain),
            sender_account_id: Set(o.sender_account_id),
            payload: Set(payload.clone()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
        });
    }
    for chunk in rows.chunks(200) {
        delivery_jobs::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

/// Runs forever: drains the outbox whenever woken, and every few seconds in case a wake-up
/// was missed (another process sharing the database).
pub async fn run(fed: Federation) {
    loop {
        if let Err(e) = drain(&fed).await {
            tracing::error!(error = %e, "outbox worker");
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), fed.outbox_ready.notified()).await;
    }
}
