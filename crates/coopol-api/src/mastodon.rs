//! Conversions to Mastodon's entities (Account, Status, Relationship). Nothing else in coopol
//! knows these shapes.

use chrono::{DateTime, SecondsFormat, Utc};
use coopol_db::entities::{accounts, favourites, mentions, status_tags, statuses};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_federation::Federation;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

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

fn missing_image(fed: &Federation) -> String {
    format!("{}/static/missing.png", fed.config.base_url())
}

/// The Account entity; `moved` is the account it moved to, when we know it.
pub async fn account(fed: &Federation, a: &accounts::Model) -> Result<Value, ApiError> {
    let mut v = account_without_move(fed, a).await?;
    let target = match &a.moved_to_uri {
        Some(uri) => queries::account_by_uri(&fed.db, uri).await?,
        None => None,
    };
    if let (Some(t), Some(m)) = (target, v.as_object_mut()) {
        // One level only, as Mastodon: the target's own `moved` is left out.
        m.insert("moved".into(), account_without_move(fed, &t).await?);
    }
    Ok(v)
}

async fn account_without_move(fed: &Federation, a: &accounts::Model) -> Result<Value, ApiError> {
    let (followers, following) = queries::follow_counts(&fed.db, a.id).await?;
    let statuses_count = statuses::Entity::find().filter(statuses::Column::AccountId.eq(a.id)).count(&fed.db).await?;
    let last = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(a.id))
        .order_by_desc(statuses::Column::Id)
        .one(&fed.db)
        .await?;
    let img = missing_image(fed);
    let (avatar, header) = coopol_db::profile_images::images_of(&fed.db, a.id).await?;
    let avatar = avatar.map_or_else(|| img.clone(), |i| i.url);
    let header = header.map_or_else(|| img.clone(), |i| i.url);
    let note = a.note.clone();
    Ok(json!({
        "id": a.id.to_string(),
        "username": a.username,
        "acct": acct(a),
        "display_name": a.display_name,
        "locked": a.locked,
        "bot": a.bot,
        "discoverable": true,
        "group": a.actor_type == "Group",
        "created_at": time(a.created_at),
        "note": note,
        "url": a.url,
        "uri": a.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": followers,
        "following_count": following,
        "statuses_count": statuses_count,
        "last_status_at": last.map(|s| s.created_at.format("%Y-%m-%d").to_string()),
        "moved": Value::Null,
        "emojis": [],
        "fields": profile_fields(fed, a).await?,
    }))
}

/// Profile fields of a local account, their values rendered as HTML (links made links).
async fn profile_fields(fed: &Federation, a: &accounts::Model) -> Result<Value, ApiError> {
    if a.domain.is_some() {
        // Remote fields are stored as sanitised HTML.
        let (_, fields) = coopol_service::accounts::profile_source(fed, a.id).await?;
        return Ok(json!(fields
            .iter()
            .map(|f| json!({ "name": f.name, "value": f.value, "verified_at": Value::Null }))
            .collect::<Vec<_>>()));
    }
    let (_, fields) = coopol_service::accounts::profile_source(fed, a.id).await?;
    let base = fed.config.base_url();
    Ok(json!(fields
        .iter()
        .map(|f| {
            let html = coopol_core::text::render(&f.value, &[], &base);
            let value = html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(&html).to_string();
            json!({ "name": f.name, "value": value, "verified_at": Value::Null })
        })
        .collect::<Vec<_>>()))
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
    Ok(json!({
        "id": other.to_string(),
        "following": out.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED),
        "showing_reblogs": out.as_ref().is_some_and(|f| f.show_reblogs),
        "notifying": out.as_ref().is_some_and(|f| f.notify),
        "languages": Value::Null,
        "followed_by": back.as_ref().is_some_and(|f| f.state == FOLLOW_ACCEPTED),
        "blocking": blocking,
        "blocked_by": blocked_by,
        "muting": mute.is_some(),
        "muting_notifications": mute.as_ref().is_some_and(|m| m.notifications),
        "requested": out.as_ref().is_some_and(|f| f.state == FOLLOW_PENDING),
        "requested_by": back.as_ref().is_some_and(|f| f.state == FOLLOW_PENDING),
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    }))
}

/// The Status entity as `viewer` sees it (their favourite and boost flags).
pub async fn status(fed: &Federation, s: &statuses::Model, viewer: Option<i64>) -> Result<Value, ApiError> {
    if let Some(orig_id) = s.reblog_of_id {
        let orig = queries::status_by_id(&fed.db, orig_id).await?.ok_or(ApiError::NotFound)?;
        let inner = Box::pin(status(fed, &orig, viewer)).await?;
        let mut outer = Box::pin(plain_status(fed, s, viewer)).await?;
        if let Some(m) = outer.as_object_mut() {
            m.insert("reblog".into(), inner);
            m.insert("content".into(), json!(""));
        }
        return Ok(outer);
    }
    plain_status(fed, s, viewer).await
}

async fn plain_status(fed: &Federation, s: &statuses::Model, viewer: Option<i64>) -> Result<Value, ApiError> {
    let author = queries::account_by_id(&fed.db, s.account_id).await?.ok_or(ApiError::NotFound)?;
    let mention_ids: Vec<i64> = mentions::Entity::find()
        .filter(mentions::Column::StatusId.eq(s.id))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    let mentioned = accounts::Entity::find().filter(accounts::Column::Id.is_in(mention_ids)).all(&fed.db).await?;
    let tags = status_tags::Entity::find().filter(status_tags::Column::StatusId.eq(s.id)).all(&fed.db).await?;
    let favourites_count =
        favourites::Entity::find().filter(favourites::Column::StatusId.eq(s.id)).count(&fed.db).await?;
    let reblogs_count = statuses::Entity::find().filter(statuses::Column::ReblogOfId.eq(s.id)).count(&fed.db).await?;
    let replies_count = statuses::Entity::find().filter(statuses::Column::InReplyToId.eq(s.id)).count(&fed.db).await?;
    let (favourited, reblogged) = match viewer {
        Some(v) => (
            favourites::Entity::find()
                .filter(favourites::Column::StatusId.eq(s.id))
                .filter(favourites::Column::AccountId.eq(v))
                .count(&fed.db)
                .await?
                > 0,
            statuses::Entity::find()
                .filter(statuses::Column::ReblogOfId.eq(s.id))
                .filter(statuses::Column::AccountId.eq(v))
                .count(&fed.db)
                .await?
                > 0,
        ),
        None => (false, false),
    };
    let (bookmarked, pinned) = match viewer {
        Some(v) => (
            coopol_db::social::bookmark_of(&fed.db, v, s.id).await?.is_some(),
            v == s.account_id && coopol_db::social::pin_of(&fed.db, v, s.id).await?.is_some(),
        ),
        None => (false, false),
    };
    // A direct post that a private group shared with its members reads as followers-only: its
    // audience is the group's people.
    let visibility = if s.visibility == "direct" && coopol_db::groups::shared_by_private_group(&fed.db, s.id).await? {
        "private"
    } else {
        s.visibility.as_str()
    };
    let base = fed.config.base_url();
    Ok(json!({
        "id": s.id.to_string(),
        "uri": s.uri,
        "url": s.url,
        "created_at": time(s.created_at),
        "edited_at": s.edited_at.map(time),
        "account": account(fed, &author).await?,
        "content": s.content,
        "visibility": visibility,
        "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text,
        "language": s.language,
        "in_reply_to_id": s.in_reply_to_id.map(|i| i.to_string()),
        "in_reply_to_account_id": s.in_reply_to_account_id.map(|i| i.to_string()),
        "reblog": Value::Null,
        "application": Value::Null,
        "media_attachments": crate::polls::status_media_json(fed, s).await?,
        "mentions": mentioned.iter().map(|m| json!({
            "id": m.id.to_string(), "username": m.username, "url": m.url, "acct": acct(m),
        })).collect::<Vec<_>>(),
        "tags": tags.iter().map(|t| json!({ "name": t.name, "url": format!("{base}/tags/{}", t.name) })).collect::<Vec<_>>(),
        "emojis": [],
        "card": Value::Null,
        "poll": crate::polls::status_poll_json(fed, s, viewer).await?,
        "replies_count": replies_count,
        "reblogs_count": reblogs_count,
        "favourites_count": favourites_count,
        "favourited": favourited,
        "reblogged": reblogged,
        "muted": false,
        "bookmarked": bookmarked,
        "pinned": pinned,
        "filtered": [],
    }))
}

/// Statuses in order, as a JSON array.
pub async fn statuses(fed: &Federation, list: &[statuses::Model], viewer: Option<i64>) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        out.push(status(fed, s, viewer).await?);
    }
    Ok(out)
}

/// The Notification entity, or `None` when its status is gone or hidden from the viewer.
pub async fn notification(
    fed: &Federation,
    n: &coopol_db::entities::notifications::Model,
) -> Result<Option<Value>, ApiError> {
    let Some(from) = queries::account_by_id(&fed.db, n.from_account_id).await? else { return Ok(None) };
    let status = match n.status_id {
        Some(id) => match queries::status_by_id(&fed.db, id).await? {
            Some(s) if coopol_service::statuses::can_view(fed, &s, Some(n.account_id)).await? => {
                Some(status(fed, &s, Some(n.account_id)).await?)
            }
            _ => return Ok(None),
        },
        None => None,
    };
    let mut v = json!({
        "id": n.id.to_string(),
        "type": n.kind,
        "created_at": time(n.created_at),
        "group_key": format!("ungrouped-{}", n.id),
        "account": account(fed, &from).await?,
    });
    if let (Some(s), Some(m)) = (status, v.as_object_mut()) {
        m.insert("status".into(), s);
    }
    Ok(Some(v))
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

/// The Conversation entity as its owner sees it.
pub async fn conversation(fed: &Federation, c: &coopol_db::entities::conversations::Model) -> Result<Value, ApiError> {
    let mut accounts_json = Vec::new();
    for id in coopol_db::conversations::participant_ids(c) {
        if let Some(a) = queries::account_by_id(&fed.db, id).await? {
            accounts_json.push(account(fed, &a).await?);
        }
    }
    let last_status = match queries::status_by_id(&fed.db, c.last_status_id).await? {
        Some(s) if coopol_service::statuses::can_view(fed, &s, Some(c.account_id)).await? => {
            status(fed, &s, Some(c.account_id)).await?
        }
        _ => Value::Null,
    };
    Ok(json!({
        "id": c.id.to_string(),
        "unread": c.unread,
        "accounts": accounts_json,
        "last_status": last_status,
    }))
}
