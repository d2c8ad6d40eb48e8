//! What the API does, apart from HTTP: each function validates, writes in one transaction, and
//! records the `Intent` that federates the change. Handlers call one of these.

use coopol_core::text::{self, MentionHandle, ResolvedMention};
use coopol_core::{Audience, Intent, Visibility};
use coopol_db::entities::{accounts, blocks, favourites, follows, mentions, status_tags, statuses};
use coopol_db::queries::{self, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use coopol_federation::{webfinger, Federation};
use coopol_service::stream;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::ApiError;

/// Longest post, in characters (announced in `/api/v1/instance`).
pub const MAX_CHARS: usize = 5000;

/// Whether `viewer` may see `s`.
pub async fn can_view(fed: &Federation, s: &statuses::Model, viewer: Option<i64>) -> Result<bool, ApiError> {
    let v: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    if v.is_public() {
        return Ok(true);
    }
    let Some(viewer) = viewer else { return Ok(false) };
    let follows =
        queries::follow_between(&fed.db, viewer, s.account_id).await?.is_some_and(|f| f.state == FOLLOW_ACCEPTED);
    let mentioned = queries::mentioned_ids(&fed.db, s.id).await?.contains(&viewer);
    // The members of a private group read what it shared with them.
    Ok(Audience::may_view(v, viewer == s.account_id, follows, mentioned)
        || coopol_db::groups::shared_with(&fed.db, s.id, viewer).await?)
}

/// A status the viewer may see, or 404 (never revealing that a private one exists).
pub async fn visible_status(fed: &Federation, id: i64, viewer: Option<i64>) -> Result<statuses::Model, ApiError> {
    let s = queries::status_by_id(&fed.db, id).await?.ok_or(ApiError::NotFound)?;
    if can_view(fed, &s, viewer).await? {
        Ok(s)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Resolves a typed mention: local, known remote, or through WebFinger. Unknown ones stay text.
pub(crate) async fn resolve_mention(fed: &Federation, h: &MentionHandle) -> Option<accounts::Model> {
    let domain = h.domain.as_deref().filter(|d| !d.eq_ignore_ascii_case(&fed.config.domain));
    match domain {
        None => queries::local_account(&fed.db, &h.username).await.ok().flatten(),
        Some(d) => match webfinger::resolve(fed, &h.username, d).await {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::info!(mention = %h.acct(), error = %e, "mention left as text");
                None
            }
        },
    }
}

/// What a client asks to post.
pub struct NewStatus<'a> {
    pub text: &'a str,
    pub visibility: Option<Visibility>,
    pub in_reply_to_id: Option<i64>,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
}

/// Posts a status for `author`.
pub async fn create_status(
    fed: &Federation,
    author: &accounts::Model,
    new: NewStatus<'_>,
) -> Result<statuses::Model, ApiError> {
    create_status_with(fed, author, new, &crate::polls::StatusExtras::default()).await
}

/// Posts a status with media attachments or a poll (checked by `polls::status_extras`).
pub async fn create_status_with(
    fed: &Federation,
    author: &accounts::Model,
    new: NewStatus<'_>,
    extras: &crate::polls::StatusExtras,
) -> Result<statuses::Model, ApiError> {
    let chars = new.text.chars().count() + new.spoiler_text.chars().count();
    if new.text.trim().is_empty() && extras.media.is_empty() {
        return Err(ApiError::Unprocessable("Text can't be blank".into()));
    }
    if chars > MAX_CHARS {
        return Err(ApiError::Unprocessable(format!("Text character limit of {MAX_CHARS} exceeded")));
    }
    let parent = match new.in_reply_to_id {
        Some(id) => Some(visible_status(fed, id, Some(author.id)).await?),
        None => None,
    };
    let visibility = new.visibility.unwrap_or(Visibility::Public);
    let mut mentioned: Vec<accounts::Model> = Vec::new();
    let mut resolved: Vec<ResolvedMention> = Vec::new();
    for h in text::mentions(new.text).into_iter().take(50) {
        if let Some(a) = resolve_mention(fed, &h).await {
            resolved.push(ResolvedMention { handle: h, url: a.url.clone() });
            if a.id != author.id && !mentioned.iter().any(|m| m.id == a.id) {
                mentioned.push(a);
            }
        }
    }
    let tags = text::hashtags(new.text);
    let content = text::render(new.text, &resolved, &fed.config.base_url());
    let id = coopol_core::new_id();
    let uri = fed.config.status_url(&author.username, id);
    let txn = fed.db.begin().await?;
    let status = statuses::ActiveModel {
        id: Set(id),
        uri: Set(uri.clone()),
        url: Set(format!("{}/{id}", fed.config.profile_url(&author.username))),
        account_id: Set(author.id),
        in_reply_to_id: Set(parent.as_ref().map(|p| p.id)),
        in_reply_to_uri: Set(parent.as_ref().map(|p| p.uri.clone())),
        in_reply_to_account_id: Set(parent.as_ref().map(|p| p.account_id)),
        reblog_of_id: Set(None),
        content: Set(content),
        source_text: Set(Some(new.text.to_string())),
        spoiler_text: Set(new.spoiler_text.to_string()),
        sensitive: Set(new.sensitive || !new.spoiler_text.is_empty()),
        visibility: Set(visibility.as_str().to_string()),
        language: Set(new.language.map(|l| l.chars().take(16).collect())),
        local: Set(true),
        created_at: Set(coopol_db::now()),
        edited_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for m in &mentioned {
        mentions::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), account_id: Set(m.id) }
            .insert(&txn)
            .await?;
    }
    for t in tags {
        status_tags::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), name: Set(t) }
            .insert(&txn)
            .await?;
    }
    crate::polls::store_extras(&txn, id, extras).await?;
    queries::record_intent(&txn, &Intent::CreateStatus { status_id: id }).await?;
    // Local groups it mentions (or whose thread it answers) announce it, in this transaction.
    let mentioned_ids: Vec<i64> = mentioned.iter().map(|m| m.id).collect();
    for (group, g) in coopol_db::groups::groups_taking(&txn, &status, &mentioned_ids).await? {
        coopol_db::groups::announce_in_group(&txn, &group, &g, status.id).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    stream::status_created(fed, &status).await?;
    Ok(status)
}

/// Deletes a status of `author`; returns it as it was (for "delete and redraft").
pub async fn delete_status(fed: &Federation, author: &accounts::Model, id: i64) -> Result<statuses::Model, ApiError> {
    let s =
        queries::status_by_id(&fed.db, id).await?.filter(|s| s.account_id == author.id).ok_or(ApiError::NotFound)?;
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    let mentioned = queries::mentioned_ids(&fed.db, s.id).await?;
    let event = stream::deleted(fed, &s).await?;
    let private_groups = coopol_db::groups::private_groups_of(&fed.db, s.id).await?;
    let public_groups = coopol_db::groups::public_groups_of(&fed.db, s.id).await?;
    let txn = fed.db.begin().await?;
    coopol_service::statuses::delete_rows(&txn, s.id).await?;
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
    fed.outbox_ready.notify_one();
    fed.stream.publish(event);
    Ok(s)
}

/// Follows an account: at once for unlocked local accounts, pending until the remote server
/// (or the locked account's owner) accepts otherwise.
pub async fn follow(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> Result<(), ApiError> {
    if me.id == target.id {
        return Err(ApiError::Unprocessable("you cannot follow yourself".into()));
    }
    if target.suspended || target.actor_type == "Application" {
        return Err(ApiError::NotFound);
    }
    if target.actor_type == coopol_db::groups::GROUP && target.domain.is_none() {
        return crate::groups::join_group(fed, me, target).await;
    }
    let blocked = blocks::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(blocks::Column::AccountId.eq(target.id))
                        .add(blocks::Column::TargetAccountId.eq(me.id)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(blocks::Column::AccountId.eq(me.id))
                        .add(blocks::Column::TargetAccountId.eq(target.id)),
                ),
        )
        .one(&fed.db)
        .await?;
    if blocked.is_some() {
        return Err(ApiError::Unprocessable("a block stands between these accounts".into()));
    }
    if queries::follow_between(&fed.db, me.id, target.id).await?.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let state = if target.domain.is_none() && !target.locked { FOLLOW_ACCEPTED } else { FOLLOW_PENDING };
    let txn = fed.db.begin().await?;
    follows::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        uri: Set(fed.config.activity_url(&me.username, "follow", id)),
        state: Set(state.to_string()),
        created_at: Set(coopol_db::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Follow { follow_id: id }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    stream::followed(fed, target, me.id, state == FOLLOW_PENDING).await?;
    Ok(())
}

/// Stops following (or withdraws a request).
pub async fn unfollow(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> Result<(), ApiError> {
    let Some(f) = queries::follow_between(&fed.db, me.id, target.id).await? else { return Ok(()) };
    let txn = fed.db.begin().await?;
    follows::Entity::delete_by_id(f.id).exec(&txn).await?;
    if target.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::UndoFollow { account_id: me.id, target_account_id: target.id, follow_uri: f.uri },
        )
        .await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Favourites a status (idempotent).
pub async fn favourite(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    let exists = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(me.id))
        .filter(favourites::Column::StatusId.eq(s.id))
        .one(&fed.db)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let txn = fed.db.begin().await?;
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
    fed.outbox_ready.notify_one();
    stream::notify(fed, s.account_id, me.id, coopol_db::notifications::FAVOURITE, Some(s.id)).await?;
    Ok(())
}

/// Removes a favourite.
pub async fn unfavourite(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<(), ApiError> {
    let Some(f) = favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(me.id))
        .filter(favourites::Column::StatusId.eq(s.id))
        .one(&fed.db)
        .await?
    else {
        return Ok(());
    };
    let txn = fed.db.begin().await?;
    favourites::Entity::delete_by_id(f.id).exec(&txn).await?;
    if !s.local {
        queries::record_intent(&txn, &Intent::UndoLike { account_id: me.id, status_id: s.id, like_uri: f.uri }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Boosts a public or unlisted status; returns the boost.
pub async fn reblog(fed: &Federation, me: &accounts::Model, s: &statuses::Model) -> Result<statuses::Model, ApiError> {
    let s = match s.reblog_of_id {
        Some(orig) => queries::status_by_id(&fed.db, orig).await?.ok_or(ApiError::NotFound)?,
        None => s.clone(),
    };
    if !s.visibility.parse::<Visibility>().is_ok_and(Visibility::is_public) {
        return Err(ApiError::Unprocessable("only public posts can be boosted".into()));
    }
    let existing = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(me.id))
        .filter(statuses::Column::ReblogOfId.eq(s.id))
        .one(&fed.db)
        .await?;
    if let Some(r) = existing {
        return Ok(r);
    }
    let id = coopol_core::new_id();
    let uri = format!("{}/activity", fed.config.status_url(&me.username, id));
    let txn = fed.db.begin().await?;
    let reblog = queries::boost_row(id, &uri, me.id, s.id, true).insert(&txn).await?;
    queries::record_intent(&txn, &Intent::Announce { reblog_id: id }).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    stream::notify(fed, s.account_id, me.id, coopol_db::notifications::REBLOG, Some(s.id)).await?;
    stream::status_created(fed, &reblog).await?;
    Ok(reblog)
}

/// Undoes a boost; returns the boosted status.
pub async fn unreblog(
    fed: &Federation,
    me: &accounts::Model,
    s: &statuses::Model,
) -> Result<statuses::Model, ApiError> {
    let orig_id = s.reblog_of_id.unwrap_or(s.id);
    let boost = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(me.id))
        .filter(statuses::Column::ReblogOfId.eq(orig_id))
        .one(&fed.db)
        .await?;
    if let Some(b) = boost {
        delete_status(fed, me, b.id).await?;
    }
    queries::status_by_id(&fed.db, orig_id).await?.ok_or(ApiError::NotFound)
}

/// Blocks an account: follows between the two end, and a remote account's server is told.
pub async fn block(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> Result<(), ApiError> {
    if me.id == target.id {
        return Err(ApiError::Unprocessable("you cannot block yourself".into()));
    }
    let exists = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(me.id))
        .filter(blocks::Column::TargetAccountId.eq(target.id))
        .one(&fed.db)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let id = coopol_core::new_id();
    let txn = fed.db.begin().await?;
    coopol_service::relationships::end_follows(&txn, me.id, target.id).await?;
    blocks::ActiveModel {
        id: Set(id),
        account_id: Set(me.id),
        target_account_id: Set(target.id),
        uri: Set(fed.config.activity_url(&me.username, "block", id)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&txn)
    .await?;
    if target.domain.is_some() {
        queries::record_intent(&txn, &Intent::Block { block_id: id }).await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Removes a block.
pub async fn unblock(fed: &Federation, me: &accounts::Model, target: &accounts::Model) -> Result<(), ApiError> {
    let Some(b) = blocks::Entity::find()
        .filter(blocks::Column::AccountId.eq(me.id))
        .filter(blocks::Column::TargetAccountId.eq(target.id))
        .one(&fed.db)
        .await?
    else {
        return Ok(());
    };
    let txn = fed.db.begin().await?;
    blocks::Entity::delete_by_id(b.id).exec(&txn).await?;
    if target.domain.is_some() {
        queries::record_intent(
            &txn,
            &Intent::UndoBlock { account_id: me.id, target_account_id: target.id, block_uri: b.uri },
        )
        .await?;
    }
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(())
}

/// Deletes a local account: its posts go (tombstoned), it is suspended so that its name and id
/// are never reused, and every server that follows it or is followed by it receives
/// `Delete(Person)`. Follows are kept until that delivery is built (it reads them).
pub async fn delete_account(fed: &Federation, account: &accounts::Model) -> Result<u64, ApiError> {
    if account.domain.is_some() {
        return Err(ApiError::Unprocessable("only local accounts can be deleted here".into()));
    }
    let posts = statuses::Entity::find().filter(statuses::Column::AccountId.eq(account.id)).all(&fed.db).await?;
    let txn = fed.db.begin().await?;
    for s in &posts {
        coopol_service::statuses::delete_rows(&txn, s.id).await?;
        queries::add_tombstone(&txn, &s.uri).await?;
    }
    let mut m: accounts::ActiveModel = account.clone().into();
    m.suspended = Set(true);
    m.display_name = Set(String::new());
    m.note = Set(String::new());
    m.update(&txn).await?;
    coopol_db::entities::oauth_tokens::Entity::update_many()
        .col_expr(
            coopol_db::entities::oauth_tokens::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(coopol_db::now()),
        )
        .filter(
            coopol_db::entities::oauth_tokens::Column::UserId.is_in(
                coopol_db::entities::users::Entity::find()
                    .filter(coopol_db::entities::users::Column::AccountId.eq(account.id))
                    .all(&txn)
                    .await?
                    .into_iter()
                    .map(|u| u.id),
            ),
        )
        .exec(&txn)
        .await?;
    queries::record_intent(&txn, &Intent::DeleteAccount { account_id: account.id }).await?;
    txn.commit().await?;
    fed.outbox_ready.notify_one();
    Ok(posts.len() as u64)
}
