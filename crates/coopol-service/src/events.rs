//! Calendar events: participation in them (decided by `coopol_core::event`), the waiting list,
//! the counts that federate in an `Update(Event)`, and what participants hear of.

use coopol_core::Intent;
use coopol_db::entities::{accounts, event_participants, events, notifications};
use coopol_db::queries;
use coopol_db::WriteTxn;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::{stream, Service, ServiceError};

/// Participation states, as stored in `event_participants.state`.
pub const ACCEPTED: &str = "accepted";
pub const TENTATIVE: &str = "tentative";
pub const PENDING: &str = "pending";
pub const WAITLISTED: &str = "waitlisted";
pub const REJECTED: &str = "rejected";

/// Notification types of participation (documented in docs/mastodon-api.md).
pub const NOTIFY_REQUEST: &str = coopol_db::notifications::EVENT_PARTICIPATION_REQUEST;
pub const NOTIFY_ACCEPTED: &str = coopol_db::notifications::EVENT_PARTICIPATION_ACCEPTED;

/// The event whose companion status (or own id) is `uri`.
pub async fn event_by_uri(db: &impl ConnectionTrait, uri: &str) -> Result<Option<events::Model>, ServiceError> {
    Ok(events::Entity::find().filter(events::Column::Uri.eq(uri)).one(db).await?)
}

/// An event `viewer` may see (its companion status decides), or `NotFound` (never revealing
/// that a hidden one exists).
pub async fn visible(svc: &Service, id: i64, viewer: Option<i64>) -> Result<events::Model, ServiceError> {
    let e = events::Entity::find_by_id(id).one(&svc.db).await?.ok_or(ServiceError::NotFound)?;
    crate::statuses::visible(svc, e.status_id, viewer).await?;
    Ok(e)
}

/// How many of a group's events `upcoming_of_group` reads before it checks who may see them.
const GROUP_EVENTS_READ: u64 = 50;

/// The events a group organises that have not ended yet and that `viewer` may see (their
/// companion status decides), soonest first, at most `limit`.
pub async fn upcoming_of_group(
    svc: &Service,
    group_id: i64,
    viewer: Option<i64>,
    limit: usize,
) -> Result<Vec<events::Model>, ServiceError> {
    let now = coopol_db::now();
    let rows = events::Entity::find()
        .filter(events::Column::GroupId.eq(group_id))
        .filter(Condition::any().add(events::Column::StartsAt.gte(now)).add(events::Column::EndsAt.gte(now)))
        .order_by_asc(events::Column::StartsAt)
        .order_by_asc(events::Column::Id)
        .limit(GROUP_EVENTS_READ)
        .all(&svc.db)
        .await?;
    let status_ids: Vec<i64> = rows.iter().map(|e| e.status_id).collect();
    let companions = coopol_db::batch::statuses(&svc.db, &status_ids).await?;
    let mut out = Vec::new();
    for e in rows {
        if out.len() >= limit {
            break;
        }
        let Some(s) = companions.get(&e.status_id) else { continue };
        if crate::statuses::can_view(svc, s, viewer).await? {
            out.push(e);
        }
    }
    Ok(out)
}

/// A new secret for the personal calendar feed of `account_id` (the events they organise or
/// take part in); the previous one stops working. Only its hash is stored.
pub async fn new_calendar_token(svc: &Service, account_id: i64) -> Result<String, ServiceError> {
    let token = crate::credentials::random_secret();
    let txn = svc.db.begin_write().await?;
    // Its first statement deletes the old token: a write first, as SQLite needs.
    coopol_db::calendar::set_calendar_token(&txn, account_id, &crate::credentials::secret_hash(&token)).await?;
    txn.commit().await?;
    Ok(token)
}

/// The account whose personal calendar feed `token` opens.
pub async fn calendar_token_account(svc: &Service, token: &str) -> Result<Option<i64>, ServiceError> {
    Ok(coopol_db::calendar::account_of_calendar_token(&svc.db, &crate::credentials::secret_hash(token)).await?)
}

/// The events of `account_id`'s agenda not over yet: those they organise or take part in
/// (coming or maybe), soonest first.
pub async fn agenda(svc: &Service, account_id: i64) -> Result<Vec<events::Model>, ServiceError> {
    let now = chrono::Utc::now();
    let mut rows = coopol_db::calendar::personal_events(&svc.db, account_id).await?;
    rows.retain(|e| e.starts_at >= now || e.ends_at.is_some_and(|end| end >= now));
    Ok(rows)
}

/// The event of a companion status, if the status is one.
pub async fn event_of_status(db: &impl ConnectionTrait, status_id: i64) -> Result<Option<events::Model>, ServiceError> {
    Ok(events::Entity::find().filter(events::Column::StatusId.eq(status_id)).one(db).await?)
}

/// The account that answers joins of an event: its group when it has one, else the organiser.
pub fn owner_id(e: &events::Model) -> i64 {
    e.group_id.unwrap_or(e.account_id)
}

/// Counts the event's participants in one state.
pub async fn count_in_state(db: &impl ConnectionTrait, event_id: i64, state: &str) -> Result<u64, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::State.eq(state))
        .count(db)
        .await?)
}

/// The participant row of an account in an event.
pub async fn participation(
    db: &impl ConnectionTrait,
    event_id: i64,
    account_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::AccountId.eq(account_id))
        .one(db)
        .await?)
}

/// The oldest waitlisted participant of an event, who moves up when a place frees.
pub async fn next_waitlisted(
    db: &impl ConnectionTrait,
    event_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    Ok(event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(event_id))
        .filter(event_participants::Column::State.eq(WAITLISTED))
        .order_by_asc(event_participants::Column::CreatedAt)
        .order_by_asc(event_participants::Column::Id)
        .one(db)
        .await?)
}

/// The place of a waitlisted participant on the waiting list (1: the next to move up), in the
/// order `next_waitlisted` takes them.
pub async fn waitlist_place(db: &impl ConnectionTrait, p: &event_participants::Model) -> Result<u64, ServiceError> {
    use event_participants::Column;
    let earlier = Condition::any()
        .add(Column::CreatedAt.lt(p.created_at))
        .add(Condition::all().add(Column::CreatedAt.eq(p.created_at)).add(Column::Id.lt(p.id)));
    let ahead = event_participants::Entity::find()
        .filter(Column::EventId.eq(p.event_id))
        .filter(Column::State.eq(WAITLISTED))
        .filter(earlier)
        .count(db)
        .await?;
    Ok(ahead + 1)
}

/// Sets the event's `participants_count` to its accepted participants and records the
/// `Update(Event)` that tells everyone, inside the caller's transaction.
pub async fn recount(txn: &impl ConnectionTrait, event: &events::Model) -> Result<(), ServiceError> {
    let accepted = count_in_state(txn, event.id, ACCEPTED).await?;
    let mut m: events::ActiveModel = event.clone().into();
    m.participants_count = Set(i32::try_from(accepted).unwrap_or(i32::MAX));
    m.updated_at = Set(coopol_db::now());
    m.update(txn).await?;
    queries::record_intent(txn, &Intent::UpdateEvent { event_id: event.id }).await?;
    Ok(())
}

/// Whether `who` is a member of the event's group.
async fn is_member(svc: &Service, event: &events::Model, who: &accounts::Model) -> Result<bool, ServiceError> {
    match event.group_id {
        Some(g) => Ok(coopol_db::groups::role_of(&svc.db, g, who.id).await?.is_some()),
        None => Ok(false),
    }
}

/// `who` takes part in an event (`maybe`: says maybe): the one RSVP path, for a local person
/// (API, web) and, through the inbox, for a remote one (`join_uri`: the id of their `Join` or
/// `TentativeAccept`).
///
/// A local event decides at once with `coopol_core::event::decide_join`; a remote participant
/// is answered `Accept` or `Reject` (a refusal is recorded as `rejected`), a local person is
/// refused with an error instead. A repeated answer in the same spirit keeps its place (a
/// remote one, whose `Accept` may have been lost, is answered again). For a remote event, a
/// local person's `Join` is sent and waits for the organiser's answer. The counts federate in
/// an `Update(Event)`; an organiser hears of a request waiting for approval.
pub async fn join(
    svc: &Service,
    event: &events::Model,
    who: &accounts::Model,
    maybe: bool,
    join_uri: Option<&str>,
) -> Result<event_participants::Model, ServiceError> {
    use coopol_core::event::{decide_join, EventJoinMode, EventStatus, JoinRefused};
    let remote = who.domain.is_some();
    if remote && !event.local {
        return Err(ServiceError::Forbidden("a remote event answers its own participants".into()));
    }
    if !remote && event.status == EventStatus::Cancelled.as_str() {
        return Err(ServiceError::Unprocessable("the event is cancelled".into()));
    }
    // Reads before the transaction (SQLite: a transaction must write first).
    let existing = participation(&svc.db, event.id, who.id).await?;
    let same_spirit = existing.as_ref().filter(|p| p.state != REJECTED && (p.state == TENTATIVE) == maybe);
    if let (Some(p), false) = (same_spirit, remote) {
        return Ok(p.clone());
    }
    let state = if !event.local {
        if maybe {
            TENTATIVE
        } else {
            PENDING
        }
    } else if let Some(p) = same_spirit {
        state_name(&p.state)
    } else {
        let unreadable = |e: coopol_core::event::UnknownName| ServiceError::Unprocessable(format!("{e}"));
        let status: EventStatus = event.status.parse().map_err(unreadable)?;
        let mode: EventJoinMode = event.join_mode.parse().map_err(unreadable)?;
        let mut accepted = count_in_state(&svc.db, event.id, ACCEPTED).await?;
        if existing.as_ref().is_some_and(|p| p.state == ACCEPTED) {
            accepted = accepted.saturating_sub(1);
        }
        let member = is_member(svc, event, who).await?;
        match decide_join(status, mode, event.capacity, accepted, member, maybe) {
            Ok(s) => s.as_str(),
            Err(_) if remote => REJECTED,
            Err(JoinRefused::MembersOnly) => {
                return Err(ServiceError::Forbidden("only members of the organising group may take part".into()))
            }
            Err(JoinRefused::Cancelled) => return Err(ServiceError::Unprocessable("the event is cancelled".into())),
        }
    };
    let join_uri = match join_uri {
        Some(u) => u.to_string(),
        None => svc.config.activity_url(&who.username, "join", coopol_core::new_id()),
    };
    let now = coopol_db::now();
    let txn = svc.db.begin_write().await?;
    let row = match existing {
        Some(p) => {
            let mut m: event_participants::ActiveModel = p.into();
            m.state = Set(state.to_string());
            m.join_uri = Set(join_uri);
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
        None => {
            event_participants::ActiveModel {
                id: Set(coopol_core::new_id()),
                event_id: Set(event.id),
                account_id: Set(who.id),
                state: Set(state.to_string()),
                join_uri: Set(join_uri),
                created_at: Set(now),
                updated_at: Set(now),
                reminded_at: Set(None),
            }
            .insert(&txn)
            .await?
        }
    };
    if !event.local {
        queries::record_intent(&txn, &Intent::JoinEvent { participant_id: row.id }).await?;
    } else {
        if remote {
            answer_remote(&txn, &row).await?;
        }
        recount(&txn, event).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    if event.local && state == PENDING {
        stream::notify(svc, event.account_id, who.id, NOTIFY_REQUEST, Some(event.status_id)).await?;
    }
    Ok(row)
}

/// The stored name of a participation state, as a constant.
fn state_name(s: &str) -> &'static str {
    match s {
        ACCEPTED => ACCEPTED,
        TENTATIVE => TENTATIVE,
        PENDING => PENDING,
        WAITLISTED => WAITLISTED,
        _ => REJECTED,
    }
}

/// Records the answer a remote participant gets for their state: `Accept` (accepted or maybe),
/// `Reject`, or none yet (pending, waitlisted).
async fn answer_remote(txn: &impl ConnectionTrait, p: &event_participants::Model) -> Result<(), ServiceError> {
    match p.state.as_str() {
        ACCEPTED | TENTATIVE => {
            queries::record_intent(txn, &Intent::AcceptParticipant { participant_id: p.id }).await?;
        }
        REJECTED => queries::record_intent(txn, &Intent::RejectParticipant { participant_id: p.id }).await?,
        _ => {}
    }
    Ok(())
}

/// `who` no longer takes part in an event. For a local event, see `leave_local`; for a remote
/// one, a local person's `Leave` is sent to its organiser.
pub async fn leave(svc: &Service, event: &events::Model, who: &accounts::Model) -> Result<(), ServiceError> {
    if event.local {
        leave_local(svc, event.id, who.id).await?;
        return Ok(());
    }
    let Some(p) = participation(&svc.db, event.id, who.id).await? else { return Ok(()) };
    let txn = svc.db.begin_write().await?;
    event_participants::Entity::delete_by_id(p.id).exec(&txn).await?;
    let intent = Intent::LeaveEvent { account_id: who.id, event_id: event.id, join_uri: p.join_uri };
    queries::record_intent(&txn, &intent).await?;
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Whether `who` may manage an event: its organiser, or an admin or moderator of its group.
pub async fn may_manage(svc: &Service, e: &events::Model, who: &accounts::Model) -> Result<bool, ServiceError> {
    use coopol_core::GroupRole;
    if e.account_id == who.id {
        return Ok(true);
    }
    Ok(match e.group_id {
        Some(g) => {
            matches!(
                coopol_db::groups::role_of(&svc.db, g, who.id).await?,
                Some(GroupRole::Admin | GroupRole::Moderator)
            )
        }
        None => false,
    })
}

/// The organiser (or a manager, see `may_manage`) approves (`accept`) or rejects a participant
/// of a local event. Accepted into a full event, they wait; a place freed by a rejection goes
/// to the oldest waiting participant. Returns the participation and the participant.
pub async fn answer(
    svc: &Service,
    me: &accounts::Model,
    event: &events::Model,
    account_id: i64,
    accept: bool,
) -> Result<(event_participants::Model, accounts::Model), ServiceError> {
    if !event.local || !may_manage(svc, event, me).await? {
        return Err(ServiceError::Forbidden("the event's organisers only".into()));
    }
    let p = participation(&svc.db, event.id, account_id).await?.ok_or(ServiceError::NotFound)?;
    let who = queries::account_by_id(&svc.db, account_id).await?.ok_or(ServiceError::NotFound)?;
    let accepted = count_in_state(&svc.db, event.id, ACCEPTED).await?;
    let full = event.capacity.is_some_and(|c| accepted >= u64::try_from(c).unwrap_or(0));
    let was = p.state.clone();
    let state = match (accept, was.as_str()) {
        (true, ACCEPTED | TENTATIVE) => state_name(&was),
        (true, _) if full => WAITLISTED,
        (true, _) => ACCEPTED,
        (false, _) => REJECTED,
    };
    let next = if !accept && was == ACCEPTED { next_waitlisted(&svc.db, event.id).await? } else { None };
    let mut promoted_local = None;
    let txn = svc.db.begin_write().await?;
    let mut m: event_participants::ActiveModel = p.into();
    m.state = Set(state.to_string());
    m.updated_at = Set(coopol_db::now());
    let p = m.update(&txn).await?;
    if who.domain.is_some() && state != was {
        answer_remote(&txn, &p).await?;
    }
    if let Some(n) = next {
        let remote = queries::account_by_id(&txn, n.account_id).await?.is_some_and(|a| a.domain.is_some());
        let mut nm: event_participants::ActiveModel = n.into();
        nm.state = Set(ACCEPTED.to_string());
        nm.updated_at = Set(coopol_db::now());
        let n = nm.update(&txn).await?;
        if remote {
            queries::record_intent(&txn, &Intent::AcceptParticipant { participant_id: n.id }).await?;
        } else {
            promoted_local = Some(n.account_id);
        }
    }
    recount(&txn, event).await?;
    txn.commit().await?;
    svc.intent_recorded();
    if who.domain.is_none() && state == ACCEPTED && was != ACCEPTED {
        stream::notify(svc, who.id, me.id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
    }
    if let Some(a) = promoted_local {
        stream::notify(svc, a, me.id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
    }
    Ok((p, who))
}

/// A remote event's organiser (or group, `from`) answered a local person's participation:
/// `Some(maybe)` accepted (as "maybe" when it was one or `maybe`), `None` rejected. A person who
/// was waiting hears of the acceptance.
pub async fn answered(
    svc: &Service,
    p: event_participants::Model,
    event: &events::Model,
    from: i64,
    accepted: Option<bool>,
) -> Result<(), ServiceError> {
    let state = match accepted {
        Some(maybe) if maybe || p.state == TENTATIVE => TENTATIVE,
        Some(_) => ACCEPTED,
        None => REJECTED,
    };
    if p.state == state {
        return Ok(());
    }
    let was_waiting = matches!(p.state.as_str(), PENDING | WAITLISTED);
    let account_id = p.account_id;
    let mut m: event_participants::ActiveModel = p.into();
    m.state = Set(state.to_string());
    m.updated_at = Set(coopol_db::now());
    m.update(&svc.db).await?;
    if was_waiting && state != REJECTED {
        stream::notify(svc, account_id, from, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
    }
    Ok(())
}

/// Removes `account_id`'s participation in the local event `event_id` and moves the waiting
/// list up when a place frees, in one transaction; returns the promoted participant (who hears
/// of it: an `Accept` when remote, a notification when local). Shared by the inbox (`Leave`)
/// and the API.
pub async fn leave_local(
    svc: &Service,
    event_id: i64,
    account_id: i64,
) -> Result<Option<event_participants::Model>, ServiceError> {
    let Some(event) = events::Entity::find_by_id(event_id).one(&svc.db).await? else {
        return Ok(None);
    };
    let Some(p) = participation(&svc.db, event_id, account_id).await? else { return Ok(None) };
    let next = if p.state == ACCEPTED { next_waitlisted(&svc.db, event_id).await? } else { None };
    let promoted_is_remote = match &next {
        Some(n) => queries::account_by_id(&svc.db, n.account_id).await?.is_some_and(|a| a.domain.is_some()),
        None => false,
    };
    let txn = svc.db.begin_write().await?;
    event_participants::Entity::delete_by_id(p.id).exec(&txn).await?;
    let promoted = match next {
        Some(n) => {
            let mut m: event_participants::ActiveModel = n.into();
            m.state = Set(ACCEPTED.to_string());
            m.updated_at = Set(coopol_db::now());
            let n = m.update(&txn).await?;
            if promoted_is_remote {
                queries::record_intent(&txn, &Intent::AcceptParticipant { participant_id: n.id }).await?;
            }
            Some(n)
        }
        None => None,
    };
    recount(&txn, &event).await?;
    txn.commit().await?;
    svc.intent_recorded();
    if let Some(n) = &promoted {
        if !promoted_is_remote {
            stream::notify(svc, n.account_id, event.account_id, NOTIFY_ACCEPTED, Some(event.status_id)).await?;
        }
    }
    Ok(promoted)
}

/// Notifies the local accounts taking part in an event (accepted, maybe, waiting) with `kind`
/// about its companion status, from the organiser.
pub async fn notify_participants(svc: &Service, e: &events::Model, kind: &str) -> Result<(), ServiceError> {
    use sea_orm::sea_query::{Expr, Query};
    let local_ids = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(Expr::col(accounts::Column::Domain).is_null())
        .to_owned();
    let participants = event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(e.id))
        .filter(event_participants::Column::State.is_in([ACCEPTED, TENTATIVE, PENDING, WAITLISTED]))
        .filter(event_participants::Column::AccountId.in_subquery(local_ids))
        .all(&svc.db)
        .await?;
    for p in participants {
        // Each change is news: the notification of an earlier one makes way for it (the
        // notification helper keeps one per type, sender and status).
        notifications::Entity::delete_many()
            .filter(notifications::Column::AccountId.eq(p.account_id))
            .filter(notifications::Column::Kind.eq(kind))
            .filter(notifications::Column::StatusId.eq(e.status_id))
            .exec(&svc.db)
            .await?;
        stream::notify(svc, p.account_id, e.account_id, kind, Some(e.status_id)).await?;
    }
    Ok(())
}

/// Who may organise events for a group: its admins and moderators.
async fn may_organise(svc: &Service, group_id: i64, who: &accounts::Model) -> Result<bool, ServiceError> {
    use coopol_core::GroupRole;
    Ok(matches!(
        coopol_db::groups::role_of(&svc.db, group_id, who.id).await?,
        Some(GroupRole::Admin | GroupRole::Moderator)
    ))
}

/// Creates a local event organised by `me` (for the group `group_id`, whose admins and
/// moderators organise), with its companion status (same URI, public; a group announces it)
/// and `Intent::CreateEvent`. The door fills what the organiser described (`describe`: title,
/// description, dates, place, capacity, join mode) and renders the companion status's text
/// (`companion`, the text other servers show for the event).
pub async fn create(
    svc: &Service,
    me: &accounts::Model,
    group_id: Option<i64>,
    describe: impl FnOnce(&mut events::ActiveModel),
    companion: impl Fn(&events::Model) -> String,
) -> Result<events::Model, ServiceError> {
    let group = match group_id {
        Some(id) => {
            let (a, g) = crate::groups::local(svc, id).await?;
            if !may_organise(svc, a.id, me).await? {
                return Err(ServiceError::Forbidden("the group's admins and moderators organise its events".into()));
            }
            if g.private {
                return Err(ServiceError::Unprocessable("events of private groups are not supported yet".into()));
            }
            Some((a, g))
        }
        None => None,
    };
    let id = coopol_core::new_id();
    let uri = svc.config.status_url(&me.username, id);
    let url = format!("{}/{id}", svc.config.profile_url(&me.username));
    let now = coopol_db::now();
    let mut m = events::ActiveModel {
        id: Set(coopol_core::new_id()),
        status_id: Set(id),
        uri: Set(uri.clone()),
        url: Set(url.clone()),
        account_id: Set(me.id),
        group_id: Set(group.as_ref().map(|(a, _)| a.id)),
        status: Set(coopol_core::event::EventStatus::Confirmed.as_str().to_string()),
        image_url: Set(None),
        anonymous_participation: Set(false),
        participants_count: Set(0),
        local: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    describe(&mut m);
    let txn = svc.db.begin_write().await?;
    let event = m.insert(&txn).await?;
    let draft = crate::statuses::Draft {
        id,
        uri,
        url,
        account_id: me.id,
        in_reply_to: None,
        in_reply_to_uri: None,
        content: companion(&event),
        source_text: None,
        spoiler_text: String::new(),
        sensitive: false,
        visibility: coopol_core::Visibility::Public,
        language: None,
        local: true,
        created_at: now,
        mentioned: &[],
        tags: &[],
    };
    let status = crate::statuses::store(&txn, draft).await?;
    queries::record_intent(&txn, &Intent::CreateEvent { event_id: event.id }).await?;
    if let Some((a, g)) = &group {
        coopol_db::groups::announce_in_group(&txn, a, g, status.id).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    stream::status_created(svc, &status).await?;
    Ok(event)
}

/// A local event `me` may manage (see `may_manage`).
async fn managed(svc: &Service, me: &accounts::Model, id: i64) -> Result<events::Model, ServiceError> {
    let e = events::Entity::find_by_id(id).one(&svc.db).await?.ok_or(ServiceError::NotFound)?;
    if !e.local || !may_manage(svc, &e, me).await? {
        return Err(ServiceError::Forbidden("the event's organisers only".into()));
    }
    Ok(e)
}

/// Saves a changed local event and its companion status's text, tells everyone
/// (`Update(Event)`), and notifies the local participants (`update`).
async fn save(
    svc: &Service,
    m: events::ActiveModel,
    companion: impl Fn(&events::Model) -> String,
) -> Result<events::Model, ServiceError> {
    let txn = svc.db.begin_write().await?;
    let event = m.update(&txn).await?;
    if let Some(s) = coopol_db::entities::statuses::Entity::find_by_id(event.status_id).one(&txn).await? {
        let mut sm: coopol_db::entities::statuses::ActiveModel = s.into();
        sm.content = Set(companion(&event));
        sm.edited_at = Set(Some(coopol_db::now()));
        sm.update(&txn).await?;
    }
    queries::record_intent(&txn, &Intent::UpdateEvent { event_id: event.id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    notify_participants(svc, &event, coopol_db::notifications::UPDATE).await?;
    svc.stream.publish(stream::Message::StatusUpdated { status_id: event.status_id });
    Ok(event)
}

/// Updates a local event (its organiser, or the group's admins and moderators); `group_id`, when
/// given, must be the event's own group. See `create` for `describe` and `companion`.
pub async fn update(
    svc: &Service,
    me: &accounts::Model,
    id: i64,
    group_id: Option<i64>,
    describe: impl FnOnce(&mut events::ActiveModel),
    companion: impl Fn(&events::Model) -> String,
) -> Result<events::Model, ServiceError> {
    let e = managed(svc, me, id).await?;
    if group_id.is_some_and(|g| Some(g) != e.group_id) {
        return Err(ServiceError::Unprocessable("an event cannot move to another group".into()));
    }
    let mut m: events::ActiveModel = e.into();
    describe(&mut m);
    m.updated_at = Set(coopol_db::now());
    save(svc, m, companion).await
}

/// Cancels a local event; every participant hears of it.
pub async fn cancel(
    svc: &Service,
    me: &accounts::Model,
    id: i64,
    companion: impl Fn(&events::Model) -> String,
) -> Result<events::Model, ServiceError> {
    use coopol_core::event::EventStatus;
    let e = managed(svc, me, id).await?;
    if e.status == EventStatus::Cancelled.as_str() {
        return Ok(e);
    }
    let mut m: events::ActiveModel = e.into();
    m.status = Set(EventStatus::Cancelled.as_str().to_string());
    m.updated_at = Set(coopol_db::now());
    save(svc, m, companion).await
}
