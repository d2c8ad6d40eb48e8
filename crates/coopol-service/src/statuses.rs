//! Statuses: who may see one, posting (the one path that stores a status: `store`), editing,
//! deleting, favourites, boosts, bookmarks and pins.

use chrono::{DateTime, Utc};
use coopol_core::text::{self, MentionHandle, ResolvedMention};
use coopol_core::{Audience, Intent, Visibility};
use coopol_db::entities::{
    accounts, bookmarks, event_participants, events, favourites, idempotency_keys, mentions, status_pins, status_tags,
    statuses,
};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_db::social;
use coopol_db::WriteTxn;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::polls::{self, StatusExtras};
use crate::{stream, Service, ServiceError};

/// Longest post, in characters (announced in `/api/v1/instance`).
pub const MAX_CHARS: usize = 5000;
/// Most mentions of a post that become mentions (the others stay text).
pub const MAX_MENTIONS: usize = 50;
/// Longest `Idempotency-Key` kept.
const MAX_IDEMPOTENCY_KEY: usize = 200;

fn unprocessable(m: impl Into<String>) -> ServiceError {
    ServiceError::Unprocessable(m.into())
}

/// Whether `viewer` may see `s`.
pub async fn can_view(svc: &Service, s: &statuses::Model, viewer: Option<i64>) -> Result<bool, ServiceError> {
    let v: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    if v.is_public() {
        return Ok(true);
    }
    let Some(viewer) = viewer else { return Ok(false) };
    let follows =
        queries::follow_between(&svc.db, viewer, s.account_id).await?.is_some_and(|f| f.state == FOLLOW_ACCEPTED);
    let mentioned = queries::mentioned_ids(&svc.db, s.id).await?.contains(&viewer);
    // The members of a private group read what it shared with them.
    Ok(Audience::may_view(v, viewer == s.account_id, follows, mentioned)
        || coopol_db::groups::shared_with(&svc.db, s.id, viewer).await?)
}

/// A status the viewer may see, or `NotFound` (never revealing that a private one exists).
pub async fn visible(svc: &Service, id: i64, viewer: Option<i64>) -> Result<statuses::Model, ServiceError> {
    let s = queries::status_by_id(&svc.db, id).await?.ok_or(ServiceError::NotFound)?;
    if can_view(svc, &s, viewer).await? {
        Ok(s)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The visibilities of an account's posts that `viewer` may see on its profile: all of them
/// for the account itself, followers-only ones for an accepted follower, public and unlisted
/// ones otherwise (direct posts shown to their author only; mentioned people see them in their
/// conversations).
pub async fn profile_visibilities(
    svc: &Service,
    account: &accounts::Model,
    viewer: Option<i64>,
) -> Result<&'static [&'static str], ServiceError> {
    if viewer == Some(account.id) {
        return Ok(&["public", "unlisted", "private", "direct"]);
    }
    let follows = match viewer {
        Some(v) => queries::follow_between(&svc.db, v, account.id).await?.is_some_and(|f| f.state == FOLLOW_ACCEPTED),
        None => false,
    };
    Ok(if follows { &["public", "unlisted", "private"] } else { &["public", "unlisted"] })
}

/// The thread around `s` as `viewer` may see it: its ancestors (oldest first, at most 40) and
/// its descendants (in id order, at most 200). Posts the viewer may not see are left out; the
/// walk goes on through them.
pub async fn context(
    svc: &Service,
    s: &statuses::Model,
    viewer: Option<i64>,
) -> Result<(Vec<statuses::Model>, Vec<statuses::Model>), ServiceError> {
    let mut ancestors = Vec::new();
    let mut parent = s.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        match queries::status_by_id(&svc.db, pid).await? {
            Some(p) => {
                parent = p.in_reply_to_id;
                if can_view(svc, &p, viewer).await? {
                    ancestors.push(p);
                }
            }
            None => break,
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack = vec![s.id];
    while let Some(id) = stack.pop() {
        if descendants.len() >= 200 {
            break;
        }
        for r in queries::replies(&svc.db, id).await?.into_iter().rev() {
            stack.push(r.id);
            if can_view(svc, &r, viewer).await? {
                descendants.push(r);
            }
        }
    }
    descendants.sort_by_key(|d| d.id);
    Ok((ancestors, descendants))
}

/// A typed `@user` or `@user@domain` and the account it names, as the door resolved it (the
/// API asks WebFinger for unknown remote handles; `known_mention` needs no network).
#[derive(Debug, Clone)]
pub struct Mention {
    pub handle: MentionHandle,
    pub account: accounts::Model,
}

/// The account a typed mention names when this instance knows it already: a local account, or
/// a remote one seen before.
pub async fn known_mention(svc: &Service, h: &MentionHandle) -> Result<Option<accounts::Model>, ServiceError> {
    let domain = h.domain.as_deref().filter(|d| !d.eq_ignore_ascii_case(&svc.config.domain));
    Ok(match domain {
        None => queries::local_account(&svc.db, &h.username).await?,
        Some(d) => queries::account_by_acct(&svc.db, &h.username, Some(d)).await?,
    })
}

/// The mentions of a text this instance can resolve without asking anyone (see
/// `known_mention`): what a door without network access passes as `NewStatus::mentions`.
pub async fn known_mentions(svc: &Service, text: &str) -> Result<Vec<Mention>, ServiceError> {
    let mut out = Vec::new();
    for handle in text::mentions(text).into_iter().take(MAX_MENTIONS) {
        if let Some(account) = known_mention(svc, &handle).await? {
            out.push(Mention { handle, account });
        }
    }
    Ok(out)
}

/// A status row to store and what hangs off it: the one way a status is written, whether a
/// person posts it, an event carries it or an archive brings it back.
pub struct Draft<'a> {
    pub id: i64,
    pub uri: String,
    pub url: String,
    pub account_id: i64,
    pub in_reply_to: Option<&'a statuses::Model>,
    /// The parent's id when it is not stored here (an imported reply).
    pub in_reply_to_uri: Option<String>,
    /// Sanitised HTML.
    pub content: String,
    pub source_text: Option<String>,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    pub local: bool,
    pub created_at: DateTime<Utc>,
    pub mentioned: &'a [i64],
    pub tags: &'a [String],
}

/// Writes a status with its mentions and hashtags, in the caller's transaction. No intent and
/// no stream message: the caller decides (a post federates, an imported one does not).
pub async fn store(db: &impl ConnectionTrait, d: Draft<'_>) -> Result<statuses::Model, ServiceError> {
    let status = statuses::ActiveModel {
        id: Set(d.id),
        uri: Set(d.uri),
        url: Set(d.url),
        account_id: Set(d.account_id),
        in_reply_to_id: Set(d.in_reply_to.map(|p| p.id)),
        in_reply_to_uri: Set(d.in_reply_to.map(|p| p.uri.clone()).or(d.in_reply_to_uri)),
        in_reply_to_account_id: Set(d.in_reply_to.map(|p| p.account_id)),
        reblog_of_id: Set(None),
        content: Set(d.content),
        source_text: Set(d.source_text),
        spoiler_text: Set(d.spoiler_text),
        sensitive: Set(d.sensitive),
        visibility: Set(d.visibility.as_str().to_string()),
        language: Set(d.language),
        local: Set(d.local),
        created_at: Set(d.created_at),
        edited_at: Set(None),
    }
    .insert(db)
    .await?;
    for m in d.mentioned {
        mentions::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(d.id), account_id: Set(*m) }
            .insert(db)
            .await?;
    }
    // Hashtags are stored lowercase, once each (an archive may list them as typed).
    let mut stored: Vec<String> = Vec::new();
    for t in d.tags.iter().map(|t| t.to_lowercase()) {
        if stored.contains(&t) {
            continue;
        }
        status_tags::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(d.id), name: Set(t.clone()) }
            .insert(db)
            .await?;
        stored.push(t);
    }
    Ok(status)
}

/// What a person posts.
pub struct NewStatus<'a> {
    pub text: &'a str,
    pub visibility: Option<Visibility>,
    pub in_reply_to_id: Option<i64>,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
    /// The mentions of `text` the door resolved (unresolved ones stay text).
    pub mentions: Vec<Mention>,
    /// Media attachments and a poll, checked by the door.
    pub extras: StatusExtras,
}

/// The distinct accounts mentioned, without the author, and what renders the links.
fn mention_parts(author: &accounts::Model, found: &[Mention]) -> (Vec<i64>, Vec<ResolvedMention>) {
    let mut ids: Vec<i64> = Vec::new();
    let mut resolved = Vec::new();
    for m in found.iter().take(MAX_MENTIONS) {
        resolved.push(ResolvedMention { handle: m.handle.clone(), url: m.account.url.clone() });
        if m.account.id != author.id && !ids.contains(&m.account.id) {
            ids.push(m.account.id);
        }
    }
    (ids, resolved)
}

fn check_length(text: &str, spoiler: &str) -> Result<(), ServiceError> {
    if text.chars().count() + spoiler.chars().count() > MAX_CHARS {
        return Err(unprocessable(format!("Text character limit of {MAX_CHARS} exceeded")));
    }
    Ok(())
}

/// Posts a status for `author`: stored with its extras and `Intent::CreateStatus`, announced by
/// the local groups it mentions (or whose thread it answers), then heard of by the streams.
pub async fn create(
    svc: &Service,
    author: &accounts::Model,
    new: NewStatus<'_>,
) -> Result<statuses::Model, ServiceError> {
    if new.text.trim().is_empty() && new.extras.media.is_empty() {
        return Err(unprocessable("Text can't be blank"));
    }
    check_length(new.text, new.spoiler_text)?;
    let parent = match new.in_reply_to_id {
        Some(id) => Some(visible(svc, id, Some(author.id)).await?),
        None => None,
    };
    let (mentioned, resolved) = mention_parts(author, &new.mentions);
    let tags = text::hashtags(new.text);
    let id = coopol_core::new_id();
    let draft = Draft {
        id,
        uri: svc.config.status_url(&author.username, id),
        url: format!("{}/{id}", svc.config.profile_url(&author.username)),
        account_id: author.id,
        in_reply_to: parent.as_ref(),
        in_reply_to_uri: None,
        content: text::render(new.text, &resolved, &svc.config.base_url()),
        source_text: Some(new.text.to_string()),
        spoiler_text: new.spoiler_text.to_string(),
        sensitive: new.sensitive || !new.spoiler_text.is_empty(),
        visibility: new.visibility.unwrap_or(Visibility::Public),
        language: new.language.map(|l| l.chars().take(16).collect()),
        local: true,
        created_at: coopol_db::now(),
        mentioned: &mentioned,
        tags: &tags,
    };
    let txn = svc.db.begin_write().await?;
    let status = store(&txn, draft).await?;
    polls::store_extras(&txn, id, &new.extras).await?;
    queries::record_intent(&txn, &Intent::CreateStatus { status_id: id }).await?;
    for (group, g) in coopol_db::groups::groups_taking(&txn, &status, &mentioned).await? {
        coopol_db::groups::announce_in_group(&txn, &group, &g, status.id).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    stream::status_created(svc, &status).await?;
    Ok(status)
}

/// Posts a status once per `Idempotency-Key`: the same key from the same account within an
/// hour returns the status posted the first time.
pub async fn create_once(
    svc: &Service,
    author: &accounts::Model,
    key: Option<&str>,
    new: NewStatus<'_>,
) -> Result<statuses::Model, ServiceError> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return create(svc, author, new).await;
    };
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(unprocessable("Idempotency-Key is too long"));
    }
    if let Some(id) = social::idempotent_status(&svc.db, author.id, key).await? {
        if let Some(s) = queries::status_by_id(&svc.db, id).await? {
            return Ok(s);
        }
    }
    let s = create(svc, author, new).await?;
    social::expire_idempotency_keys(&svc.db, author.id).await?;
    let row = idempotency_keys::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(author.id),
        key: Set(key.to_string()),
        status_id: Set(s.id),
        created_at: Set(coopol_db::now()),
    };
    // A concurrent request with the same key lost the race: its status stands, keyed or not.
    if let Err(e) = row.insert(&svc.db).await {
        tracing::info!(error = %e, "idempotency key already recorded");
    }
    Ok(s)
}

/// What an edit changes.
pub struct Edit<'a> {
    pub text: &'a str,
    pub spoiler_text: Option<&'a str>,
    pub sensitive: Option<bool>,
    pub language: Option<&'a str>,
    /// The mentions of `text` the door resolved.
    pub mentions: Vec<Mention>,
}

/// Edits a local status of `author`: new text (rendered again, mentions and tags recomputed),
/// content warning, sensitivity, language; the previous version is kept in the history and
/// `Update(Note)` goes to whoever received the post.
pub async fn edit(
    svc: &Service,
    author: &accounts::Model,
    id: i64,
    edit: Edit<'_>,
) -> Result<statuses::Model, ServiceError> {
    let before = queries::status_by_id(&svc.db, id)
        .await?
        .filter(|s| s.account_id == author.id && s.local && s.reblog_of_id.is_none())
        .ok_or(ServiceError::NotFound)?;
    let spoiler = edit.spoiler_text.unwrap_or(&before.spoiler_text);
    if edit.text.trim().is_empty() {
        return Err(unprocessable("Text can't be blank"));
    }
    check_length(edit.text, spoiler)?;
    let (mentioned, resolved) = mention_parts(author, &edit.mentions);
    // Accounts mentioned before stay in the audience: they received the post and must
    // receive its new version.
    let old_mentions = queries::mentioned_ids(&svc.db, id).await?;
    let tags = text::hashtags(edit.text);
    let had_edits = social::has_edits(&svc.db, id).await?;
    let mut m: statuses::ActiveModel = before.clone().into();
    m.content = Set(text::render(edit.text, &resolved, &svc.config.base_url()));
    m.source_text = Set(Some(edit.text.to_string()));
    m.spoiler_text = Set(spoiler.to_string());
    m.sensitive = Set(edit.sensitive.unwrap_or(before.sensitive) || !spoiler.is_empty());
    if let Some(l) = edit.language {
        m.language = Set(Some(l.chars().take(16).collect()));
    }
    m.edited_at = Set(Some(coopol_db::now()));
    let txn = svc.db.begin_write().await?;
    let after = m.update(&txn).await?;
    for a in mentioned.iter().filter(|a| !old_mentions.contains(a)) {
        mentions::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), account_id: Set(*a) }
            .insert(&txn)
            .await?;
    }
    status_tags::Entity::delete_many().filter(status_tags::Column::StatusId.eq(id)).exec(&txn).await?;
    for t in tags {
        status_tags::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), name: Set(t) }
            .insert(&txn)
            .await?;
    }
    social::record_edit(&txn, &before, &after, had_edits).await?;
    queries::record_intent(&txn, &Intent::UpdateStatus { status_id: id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    stream::status_updated(svc, &after).await?;
    Ok(after)
}

/// Removes a status and what hangs off it, inside the caller's transaction: its mentions, tags,
/// favourites, media, notifications, the event it carries (with its participations) and the
/// boosts of it. Replies stay, detached, as in Mastodon.
pub async fn delete_rows(db: &impl ConnectionTrait, status_id: i64) -> Result<(), ServiceError> {
    mentions::Entity::delete_many().filter(mentions::Column::StatusId.eq(status_id)).exec(db).await?;
    status_tags::Entity::delete_many().filter(status_tags::Column::StatusId.eq(status_id)).exec(db).await?;
    favourites::Entity::delete_many().filter(favourites::Column::StatusId.eq(status_id)).exec(db).await?;
    coopol_db::media::delete_status_media(db, status_id).await?;
    coopol_db::notifications::delete_for_status(db, status_id).await?;
    // An event's companion status takes the event and its participations with it.
    let event_ids: Vec<i64> = events::Entity::find()
        .filter(events::Column::StatusId.eq(status_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    if !event_ids.is_empty() {
        event_participants::Entity::delete_many()
            .filter(event_participants::Column::EventId.is_in(event_ids.clone()))
            .exec(db)
            .await?;
        events::Entity::delete_many().filter(events::Column::Id.is_in(event_ids)).exec(db).await?;
    }
    statuses::Entity::delete_many().filter(statuses::Column::ReblogOfId.eq(status_id)).exec(db).await?;
    statuses::Entity::delete_by_id(status_id).exec(db).await?;
    Ok(())
}

/// Deletes a status of `author`; returns it as it was (for "delete and redraft").
pub async fn delete(svc: &Service, author: &accounts::Model, id: i64) -> Result<statuses::Model, ServiceError> {
    let s = queries::status_by_id(&svc.db, id)
        .await?
        .filter(|s| s.account_id == author.id)
        .ok_or(ServiceError::NotFound)?;
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    let mentioned = queries::mentioned_ids(&svc.db, s.id).await?;
    let message = stream::deleted(svc, &s).await?;
    let private_groups = coopol_db::groups::private_groups_of(&svc.db, s.id).await?;
    let public_groups = coopol_db::groups::public_groups_of(&svc.db, s.id).await?;
    let txn = svc.db.begin_write().await?;
    delete_rows(&txn, s.id).await?;
    queries::add_tombstone(&txn, &s.uri).await?;
    let intent = match s.reblog_of_id {
        Some(orig) => Intent::UndoAnnounce { account_id: author.id, status_id: orig, announce_uri: s.uri.clone() },
        None => Intent::DeleteStatus {
            account_id: author.id,
            uri: s.uri.clone(),
            followers: visibility != Visibility::Direct,
            mentioned,
            replied_to: s.in_reply_to_account_id.filter(|_| visibility.is_public()),
            private_groups,
            public_groups,
        },
    };
    queries::record_intent(&txn, &intent).await?;
    txn.commit().await?;
    svc.intent_recorded();
    svc.stream.publish(message);
    Ok(s)
}

/// Favourites a status (idempotent).
pub async fn favourite(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    let exists = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(me.id))
        .filter(favourites::Column::StatusId.eq(s.id))
        .one(&svc.db)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let txn = svc.db.begin_write().await?;
    favourites::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        status_id: Set(s.id),
        uri: Set(format!("{}#likes/{id}", me.uri)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    if !s.local {
        queries::record_intent(&txn, &Intent::Like { favourite_id: id }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    stream::notify(svc, s.account_id, me.id, coopol_db::notifications::FAVOURITE, Some(s.id)).await?;
    Ok(())
}

/// Removes a favourite.
pub async fn unfavourite(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    let Some(f) = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(me.id))
        .filter(favourites::Column::StatusId.eq(s.id))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let txn = svc.db.begin_write().await?;
    favourites::Entity::delete_by_id(f.id).exec(&txn).await?;
    if !s.local {
        queries::record_intent(&txn, &Intent::UndoLike { account_id: me.id, status_id: s.id, like_uri: f.uri }).await?;
    }
    txn.commit().await?;
    svc.intent_recorded();
    Ok(())
}

/// Boosts a public or unlisted status; returns the boost.
pub async fn boost(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<statuses::Model, ServiceError> {
    let s = match s.reblog_of_id {
        Some(orig) => queries::status_by_id(&svc.db, orig).await?.ok_or(ServiceError::NotFound)?,
        None => s.clone(),
    };
    if !s.visibility.parse::<Visibility>().is_ok_and(Visibility::is_public) {
        return Err(unprocessable("only public posts can be boosted"));
    }
    let existing = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(me.id))
        .filter(statuses::Column::ReblogOfId.eq(s.id))
        .one(&svc.db)
        .await?;
    if let Some(r) = existing {
        return Ok(r);
    }
    let id = coopol_core::new_id();
    let uri = format!("{}/activity", svc.config.status_url(&me.username, id));
    let txn = svc.db.begin_write().await?;
    let boost = queries::boost_row(id, &uri, me.id, s.id, true).insert(&txn).await?;
    queries::record_intent(&txn, &Intent::Announce { reblog_id: id }).await?;
    txn.commit().await?;
    svc.intent_recorded();
    stream::notify(svc, s.account_id, me.id, coopol_db::notifications::REBLOG, Some(s.id)).await?;
    stream::status_created(svc, &boost).await?;
    Ok(boost)
}

/// Undoes a boost; returns the boosted status.
pub async fn unboost(
    svc: &Service,
    me: &accounts::Model,
    s: &statuses::Model,
) -> Result<statuses::Model, ServiceError> {
    let orig_id = s.reblog_of_id.unwrap_or(s.id);
    let boost = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(me.id))
        .filter(statuses::Column::ReblogOfId.eq(orig_id))
        .one(&svc.db)
        .await?;
    if let Some(b) = boost {
        delete(svc, me, b.id).await?;
    }
    queries::status_by_id(&svc.db, orig_id).await?.ok_or(ServiceError::NotFound)
}

/// Bookmarks a status (idempotent; bookmarks are private and never federated).
pub async fn bookmark(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    if social::bookmark_of(&svc.db, me.id, s.id).await?.is_none() {
        bookmarks::ActiveModel {
            id: Set(coopol_core::new_id()),
            account_id: Set(me.id),
            status_id: Set(s.id),
            created_at: Set(coopol_db::now()),
        }
        .insert(&svc.db)
        .await?;
    }
    Ok(())
}

pub async fn unbookmark(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    bookmarks::Entity::delete_many()
        .filter(bookmarks::Column::AccountId.eq(me.id))
        .filter(bookmarks::Column::StatusId.eq(s.id))
        .exec(&svc.db)
        .await?;
    Ok(())
}

/// Pins one of my own public, unlisted or followers-only statuses to my profile (at most 5).
pub async fn pin(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    if s.account_id != me.id || s.reblog_of_id.is_some() {
        return Err(unprocessable("You can only pin your own posts"));
    }
    if s.visibility == Visibility::Direct.as_str() {
        return Err(unprocessable("Direct posts cannot be pinned"));
    }
    if social::pin_of(&svc.db, me.id, s.id).await?.is_some() {
        return Ok(());
    }
    if social::pin_count(&svc.db, me.id).await? >= social::MAX_PINS {
        return Err(unprocessable("You have already pinned the maximum number of posts"));
    }
    status_pins::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(me.id),
        status_id: Set(s.id),
        created_at: Set(coopol_db::now()),
    }
    .insert(&svc.db)
    .await?;
    Ok(())
}

pub async fn unpin(svc: &Service, me: &accounts::Model, s: &statuses::Model) -> Result<(), ServiceError> {
    status_pins::Entity::delete_many()
        .filter(status_pins::Column::AccountId.eq(me.id))
        .filter(status_pins::Column::StatusId.eq(s.id))
        .exec(&svc.db)
        .await?;
    Ok(())
}
