//! Conversions to Mastodon's entities (Account, Status, Notification, Relationship,
//! Conversation...). Nothing else in coopol knows these shapes. Pages are rendered from rows
//! loaded in batches (`coopol_db::batch`): a fixed number of statements per page, whatever
//! its length (a poll adds its own few).

pub mod entities;

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use coopol_core::Visibility;
use coopol_db::batch::{self, AccountFacts, StatusFacts};
use coopol_db::entities::{accounts, statuses};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_federation::Federation;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use self::entities::{Account, Field, Mention, Status, Tag};
use crate::ApiError;

/// RFC 3339 with milliseconds, as Mastodon (toot and others parse exactly that).
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `user` for local accounts, `user@domain` for remote ones.
pub fn acct(a: &accounts::Model) -> String {
    match &a.domain {
        Some(d) => format!("{}@{}", a.username, d),
        None => a.username.clone(),
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Profile fields: remote ones are stored as sanitised HTML; local ones as typed, rendered
/// as HTML here (links made links).
fn profile_fields(fed: &Federation, a: &accounts::Model, facts: &AccountFacts) -> Vec<Field> {
    let fields: Vec<coopol_service::accounts::Field> =
        facts.profiles.get(&a.id).and_then(|p| serde_json::from_str(&p.fields).ok()).unwrap_or_default();
    let base = fed.config.base_url();
    fields
        .into_iter()
        .map(|f| {
            let value = if a.domain.is_some() {
                f.value
            } else {
                let html = coopol_core::text::render(&f.value, &[], &base);
                html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(&html).to_string()
            };
            Field { name: f.name, value, verified_at: None }
        })
        .collect()
}

/// The Account entity from its row and the facts loaded for its page; `moved` one level deep.
fn account_entity(fed: &Federation, a: &accounts::Model, facts: &AccountFacts, with_move: bool) -> Account {
    let missing = format!("{}/static/missing.png", fed.config.base_url());
    let image =
        |kind: &str| facts.images.get(&(a.id, kind.to_string())).map_or_else(|| missing.clone(), |i| i.url.clone());
    let avatar = image(coopol_db::profile_images::AVATAR);
    let header = image(coopol_db::profile_images::HEADER);
    let moved = match (&a.moved_to_uri, with_move) {
        (Some(uri), true) => facts.moved_to.get(uri).map(|t| Box::new(account_entity(fed, t, facts, false))),
        _ => None,
    };
    Account {
        id: a.id.to_string(),
        username: a.username.clone(),
        acct: acct(a),
        display_name: a.display_name.clone(),
        locked: a.locked,
        bot: a.bot,
        discoverable: true,
        group: a.actor_type == "Group",
        created_at: time(a.created_at),
        note: a.note.clone(),
        url: a.url.clone(),
        uri: a.uri.clone(),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        followers_count: facts.followers.get(&a.id).copied().unwrap_or(0),
        following_count: facts.following.get(&a.id).copied().unwrap_or(0),
        statuses_count: facts.statuses.get(&a.id).copied().unwrap_or(0),
        last_status_at: facts.last_status_at.get(&a.id).map(|t| t.format("%Y-%m-%d").to_string()),
        moved,
        emojis: vec![],
        fields: profile_fields(fed, a, facts),
    }
}

/// Account entities, in the order of `list`, from one batch of loads.
pub async fn account_entities(fed: &Federation, list: &[accounts::Model]) -> Result<Vec<Account>, ApiError> {
    let refs: Vec<&accounts::Model> = list.iter().collect();
    let facts = batch::account_facts(&fed.db, &refs).await?;
    Ok(list.iter().map(|a| account_entity(fed, a, &facts, true)).collect())
}

/// Accounts as JSON, in order.
pub async fn accounts(fed: &Federation, list: &[accounts::Model]) -> Result<Vec<Value>, ApiError> {
    account_entities(fed, list).await?.iter().map(to_value).collect()
}

/// The Account entity; `moved` is the account it moved to, when we know it.
pub async fn account(fed: &Federation, a: &accounts::Model) -> Result<Value, ApiError> {
    let facts = batch::account_facts(&fed.db, &[a]).await?;
    to_value(&account_entity(fed, a, &facts, true))
}

/// The CredentialAccount entity: the Account with its `source`.
pub async fn credential_account(fed: &Federation, a: &accounts::Model) -> Result<Value, ApiError> {
    let mut v = account(fed, a).await?;
    let (note_source, fields) = coopol_service::accounts::profile_source(fed, a.id).await?;
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "source".into(),
            json!({
                "privacy": "public", "sensitive": false, "language": "", "note": note_source, "fields": fields,
                "follow_requests_count": coopol_db::social::follow_request_count(&fed.db, a.id).await?,
            }),
        );
    }
    Ok(v)
}

/// The Relationship entity between a viewer and another account.
pub async fn relationship(fed: &Federation, viewer: i64, other: i64) -> Result<Value, ApiError> {
    let out = queries::follow_between(&fed.db, viewer, other).await?;
    let back = queries::follow_between(&fed.db, other, viewer).await?;
    let blocking = coopol_db::entities::blocks::Entity::find()
        .filter(coopol_db::entities::blocks::Column::AccountId.eq(viewer))
        .filter(coopol_db::entities::blocks::Column::TargetAccountId.eq(other))
        .count(&fed.db)
        .await?
        > 0;
    let blocked_by = coopol_db::entities::blocks::Entity::find()
        .filter(coopol_db::entities::blocks::Column::AccountId.eq(other))
        .filter(coopol_db::entities::blocks::Column::TargetAccountId.eq(viewer))
        .count(&fed.db)
        .await?
        > 0;
    let mute = coopol_db::social::mute_between(&fed.db, viewer, other).await?;
    to_value(&entities::Relationship {
        id: other.to_string(),
        following: out.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED),
        showing_reblogs: out.as_ref().is_some_and(|f| f.show_reblogs),
        notifying: out.as_ref().is_some_and(|f| f.notify),
        languages: None,
        followed_by: back.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED),
        blocking,
        blocked_by,
        muting: mute.is_some(),
        muting_notifications: mute.as_ref().is_some_and(|m| m.notifications),
        requested: out.as_ref().is_some_and(|f| f.state == FOLLOW_PENDING),
        requested_by: back.as_ref().is_some_and(|f| f.state == FOLLOW_PENDING),
        domain_blocking: false,
        endorsed: false,
        note: String::new(),
    })
}

/// Everything a page of statuses needs, loaded in batches.
struct StatusRows {
    /// The statuses rendered and the ones they boost.
    statuses: HashMap<i64, statuses::Model>,
    authors: HashMap<i64, accounts::Model>,
    account_facts: AccountFacts,
    facts: StatusFacts,
    /// Direct statuses a private group shared with its members (they read as followers-only).
    shared_privately: std::collections::HashSet<i64>,
    /// Poll entities, by status.
    polls: HashMap<i64, Value>,
}

async fn load(fed: &Federation, list: &[&statuses::Model], viewer: Option<i64>) -> Result<StatusRows, ApiError> {
    let boosted: Vec<i64> = list.iter().filter_map(|s| s.reblog_of_id).collect();
    let mut all = batch::statuses(&fed.db, &boosted).await?;
    for s in list {
        all.insert(s.id, (*s).clone());
    }
    let author_ids: Vec<i64> = all.values().map(|s| s.account_id).collect();
    let authors = batch::accounts(&fed.db, &author_ids).await?;
    let refs: Vec<&accounts::Model> = authors.values().collect();
    let account_facts = batch::account_facts(&fed.db, &refs).await?;
    let ids: Vec<i64> = all.keys().copied().collect();
    let facts = batch::status_facts(&fed.db, &ids, viewer).await?;
    let direct: Vec<i64> = all.values().filter(|s| s.visibility == Visibility::Direct.as_str()).map(|s| s.id).collect();
    let shared_privately = coopol_db::groups::shared_by_private_groups(&fed.db, &direct).await?;
    let mut polls = HashMap::new();
    for (status_id, p) in &facts.polls {
        if let Some(s) = all.get(status_id) {
            polls.insert(*status_id, crate::polls::poll_json(fed, p, s, viewer).await?);
        }
    }
    Ok(StatusRows { statuses: all, authors, account_facts, facts, shared_privately, polls })
}

/// A status without its boost, or `None` when its author is unknown.
fn plain_status(fed: &Federation, rows: &StatusRows, s: &statuses::Model, viewer: Option<i64>) -> Option<Status> {
    let author = rows.authors.get(&s.account_id)?;
    let f = &rows.facts;
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    // A direct post that a private group shared with its members reads as followers-only: its
    // audience is the group's people.
    let visibility = if visibility == Visibility::Direct && rows.shared_privately.contains(&s.id) {
        Visibility::Private
    } else {
        visibility
    };
    let base = fed.config.base_url();
    let mut mentioned: Vec<&accounts::Model> = Vec::new();
    for id in f.mentions.get(&s.id).into_iter().flatten() {
        if let Some(a) = f.mentioned.get(id) {
            if !mentioned.iter().any(|m| m.id == a.id) {
                mentioned.push(a);
            }
        }
    }
    Some(Status {
        id: s.id.to_string(),
        uri: s.uri.clone(),
        url: s.url.clone(),
        created_at: time(s.created_at),
        edited_at: s.edited_at.map(time),
        account: account_entity(fed, author, &rows.account_facts, true),
        content: s.content.clone(),
        visibility: visibility.as_str(),
        sensitive: s.sensitive,
        spoiler_text: s.spoiler_text.clone(),
        language: s.language.clone(),
        in_reply_to_id: s.in_reply_to_id.map(|i| i.to_string()),
        in_reply_to_account_id: s.in_reply_to_account_id.map(|i| i.to_string()),
        reblog: None,
        application: None,
        media_attachments: f.media.get(&s.id).into_iter().flatten().map(crate::media::attachment_json).collect(),
        mentions: mentioned
            .iter()
            .map(|m| Mention { id: m.id.to_string(), username: m.username.clone(), url: m.url.clone(), acct: acct(m) })
            .collect(),
        tags: f
            .tags
            .get(&s.id)
            .into_iter()
            .flatten()
            .map(|t| Tag { name: t.clone(), url: format!("{base}/tags/{t}") })
            .collect(),
        emojis: vec![],
        card: None,
        poll: rows.polls.get(&s.id).cloned(),
        replies_count: f.replies.get(&s.id).copied().unwrap_or(0),
        reblogs_count: f.reblogs.get(&s.id).copied().unwrap_or(0),
        favourites_count: f.favourites.get(&s.id).copied().unwrap_or(0),
        favourited: f.favourited.contains(&s.id),
        reblogged: f.reblogged.contains(&s.id),
        muted: false,
        bookmarked: f.bookmarked.contains(&s.id),
        pinned: viewer == Some(s.account_id) && f.pinned.contains(&s.id),
        filtered: vec![],
    })
}

/// A status with its boost, or `None` when a row it needs is gone.
fn status_entity(fed: &Federation, rows: &StatusRows, s: &statuses::Model, viewer: Option<i64>) -> Option<Status> {
    let mut outer = plain_status(fed, rows, s, viewer)?;
    if let Some(orig_id) = s.reblog_of_id {
        let orig = rows.statuses.get(&orig_id)?;
        outer.reblog = Some(Box::new(plain_status(fed, rows, orig, viewer)?));
        outer.content = String::new();
    }
    Some(outer)
}

/// Status entities in order; statuses whose boosted status or author is gone are left out.
pub async fn status_entities(
    fed: &Federation,
    list: &[&statuses::Model],
    viewer: Option<i64>,
) -> Result<Vec<Status>, ApiError> {
    let rows = load(fed, list, viewer).await?;
    Ok(list.iter().filter_map(|s| status_entity(fed, &rows, s, viewer)).collect())
}

/// The Status entity as `viewer` sees it (their favourite and boost flags).
pub async fn status(fed: &Federation, s: &statuses::Model, viewer: Option<i64>) -> Result<Value, ApiError> {
    let one = status_entities(fed, &[s], viewer).await?;
    to_value(one.first().ok_or(ApiError::NotFound)?)
}

/// Statuses in order, as a JSON array.
pub async fn statuses(fed: &Federation, list: &[statuses::Model], viewer: Option<i64>) -> Result<Vec<Value>, ApiError> {
    let refs: Vec<&statuses::Model> = list.iter().collect();
    status_entities(fed, &refs, viewer).await?.iter().map(to_value).collect()
}

/// Notification entities in order; those whose sender or status is gone, or whose status the
/// owner may no longer see, are left out.
pub async fn notifications(
    fed: &Federation,
    list: &[coopol_db::entities::notifications::Model],
) -> Result<Vec<Value>, ApiError> {
    let senders = batch::accounts(&fed.db, &list.iter().map(|n| n.from_account_id).collect::<Vec<_>>()).await?;
    let sender_refs: Vec<&accounts::Model> = senders.values().collect();
    let sender_facts = batch::account_facts(&fed.db, &sender_refs).await?;
    let found = batch::statuses(&fed.db, &list.iter().filter_map(|n| n.status_id).collect::<Vec<_>>()).await?;
    // Each notification's status as its owner sees it (a notification belongs to one account:
    // the owner of the page).
    let mut out = Vec::with_capacity(list.len());
    let mut per_owner: HashMap<i64, Vec<&statuses::Model>> = HashMap::new();
    for n in list {
        if let Some(s) = n.status_id.and_then(|id| found.get(&id)) {
            if coopol_service::statuses::can_view(fed, s, Some(n.account_id)).await? {
                per_owner.entry(n.account_id).or_default().push(s);
            }
        }
    }
    let mut rendered: HashMap<(i64, i64), Status> = HashMap::new();
    for (owner, list) in per_owner {
        for st in status_entities(fed, &list, Some(owner)).await? {
            if let Ok(id) = st.id.parse::<i64>() {
                rendered.insert((owner, id), st);
            }
        }
    }
    for n in list {
        let Some(from) = senders.get(&n.from_account_id) else { continue };
        let status = match n.status_id {
            Some(id) => match rendered.get(&(n.account_id, id)) {
                Some(s) => Some(s.clone()),
                None => continue,
            },
            None => None,
        };
        out.push(to_value(&entities::Notification {
            id: n.id.to_string(),
            kind: n.kind.clone(),
            created_at: time(n.created_at),
            group_key: format!("ungrouped-{}", n.id),
            account: account_entity(fed, from, &sender_facts, true),
            status,
        })?);
    }
    Ok(out)
}

/// The Notification entity, or `None` when its status is gone or hidden from the viewer.
pub async fn notification(
    fed: &Federation,
    n: &coopol_db::entities::notifications::Model,
) -> Result<Option<Value>, ApiError> {
    Ok(notifications(fed, std::slice::from_ref(n)).await?.into_iter().next())
}

/// The List entity.
pub fn list(l: &coopol_db::entities::lists::Model) -> Value {
    json!({
        "id": l.id.to_string(),
        "title": l.title,
        "replies_policy": l.replies_policy,
        "exclusive": l.exclusive,
    })
}

/// The Marker entity.
pub fn marker(m: &coopol_db::entities::markers::Model) -> Value {
    json!({
        "last_read_id": m.last_read_id.to_string(),
        "version": m.version,
        "updated_at": time(m.updated_at),
    })
}

/// Conversation entities of one owner, in order, from one batch of loads.
pub async fn conversations(
    fed: &Federation,
    list: &[coopol_db::entities::conversations::Model],
) -> Result<Vec<Value>, ApiError> {
    let participant_ids: Vec<i64> = list.iter().flat_map(coopol_db::conversations::participant_ids).collect();
    let people = batch::accounts(&fed.db, &participant_ids).await?;
    let refs: Vec<&accounts::Model> = people.values().collect();
    let facts = batch::account_facts(&fed.db, &refs).await?;
    let last = batch::statuses(&fed.db, &list.iter().map(|c| c.last_status_id).collect::<Vec<_>>()).await?;
    let mut visible: HashMap<i64, Vec<&statuses::Model>> = HashMap::new();
    for c in list {
        if let Some(s) = last.get(&c.last_status_id) {
            if coopol_service::statuses::can_view(fed, s, Some(c.account_id)).await? {
                visible.entry(c.account_id).or_default().push(s);
            }
        }
    }
    let mut rendered: HashMap<(i64, String), Status> = HashMap::new();
    for (owner, list) in visible {
        for st in status_entities(fed, &list, Some(owner)).await? {
            rendered.insert((owner, st.id.clone()), st);
        }
    }
    list.iter()
        .map(|c| {
            let accounts = coopol_db::conversations::participant_ids(c)
                .into_iter()
                .filter_map(|id| people.get(&id))
                .map(|a| account_entity(fed, a, &facts, true))
                .collect();
            to_value(&entities::Conversation {
                id: c.id.to_string(),
                unread: c.unread,
                accounts,
                last_status: rendered.get(&(c.account_id, c.last_status_id.to_string())).cloned(),
            })
        })
        .collect()
}

/// The Conversation entity as its owner sees it.
pub async fn conversation(fed: &Federation, c: &coopol_db::entities::conversations::Model) -> Result<Value, ApiError> {
    let mut v = conversations(fed, std::slice::from_ref(c)).await?;
    Ok(v.pop().unwrap_or(Value::Null))
}
