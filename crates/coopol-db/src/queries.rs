//! Queries shared by the API and federation crates. Writes that must be atomic with an
//! outbox intent take any `ConnectionTrait`, so they run inside the caller's transaction.

use sea_orm::sea_query::{Expr, Func, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{accounts, domain_blocks, follows, mentions, outbox, statuses, tombstones, users};
use crate::DbError;

/// Follow states as stored.
pub const FOLLOW_PENDING: &str = "pending";
pub const FOLLOW_ACCEPTED: &str = "accepted";

pub async fn account_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<accounts::Model>, DbError> {
    Ok(accounts::Entity::find_by_id(id).one(db).await?)
}

pub async fn account_by_uri(db: &impl ConnectionTrait, uri: &str) -> Result<Option<accounts::Model>, DbError> {
    Ok(accounts::Entity::find().filter(accounts::Column::Uri.eq(uri)).one(db).await?)
}

/// A local account by username (case-insensitive, as Mastodon).
pub async fn local_account(db: &impl ConnectionTrait, username: &str) -> Result<Option<accounts::Model>, DbError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Domain.is_null())
        .filter(Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).eq(username.to_lowercase()))
        .one(db)
        .await?)
}

/// An account by `username` and `domain` (`None`: local).
pub async fn account_by_acct(
    db: &impl ConnectionTrait,
    username: &str,
    domain: Option<&str>,
) -> Result<Option<accounts::Model>, DbError> {
    match domain {
        None => local_account(db, username).await,
        Some(d) => Ok(accounts::Entity::find()
            .filter(accounts::Column::Domain.eq(d.to_lowercase()))
            .filter(Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).eq(username.to_lowercase()))
            .one(db)
            .await?),
    }
}

/// Local users whose account is not deleted or suspended (NodeInfo, instance statistics).
pub async fn active_local_users(db: &impl ConnectionTrait) -> Result<u64, DbError> {
    use sea_orm::PaginatorTrait;
    let suspended = Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(accounts::Column::Suspended.eq(true))
        .to_owned();
    Ok(users::Entity::find().filter(users::Column::AccountId.not_in_subquery(suspended)).count(db).await?)
}

pub async fn user_by_account(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<users::Model>, DbError> {
    Ok(users::Entity::find().filter(users::Column::AccountId.eq(account_id)).one(db).await?)
}

/// The follow of `follower` to `target`, if any (pending or accepted).
pub async fn follow_between(
    db: &impl ConnectionTrait,
    follower: i64,
    target: i64,
) -> Result<Option<follows::Model>, DbError> {
    Ok(follows::Entity::find()
        .filter(follows::Column::AccountId.eq(follower))
        .filter(follows::Column::TargetAccountId.eq(target))
        .one(db)
        .await?)
}

/// Accepted followers of `account_id` (never pending ones).
pub async fn accepted_follower_ids(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(follows::Entity::find()
        .select_only()
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .into_tuple()
        .all(db)
        .await?)
}

/// Counts accepted followers and followings of an account.
pub async fn follow_counts(db: &impl ConnectionTrait, account_id: i64) -> Result<(u64, u64), DbError> {
    use sea_orm::PaginatorTrait;
    let followers = follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .count(db)
        .await?;
    let following = follows::Entity::find()
        .filter(follows::Column::AccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .count(db)
        .await?;
    Ok((followers, following))
}

/// The distinct inboxes of the remote accounts among `account_ids`: their shared inbox when
/// they have one, so one request reaches every recipient on a server.
pub async fn remote_inboxes(db: &impl ConnectionTrait, account_ids: &[i64]) -> Result<Vec<String>, DbError> {
    let mut out: Vec<String> = Vec::new();
    for chunk in account_ids.chunks(500) {
        let rows: Vec<(String, Option<String>)> = accounts::Entity::find()
            .select_only()
            .column(accounts::Column::InboxUrl)
            .column(accounts::Column::SharedInboxUrl)
            .filter(accounts::Column::Id.is_in(chunk.to_vec()))
            .filter(accounts::Column::Domain.is_not_null())
            .filter(accounts::Column::Suspended.eq(false))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(inbox, shared)| shared.unwrap_or(inbox)));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub async fn status_by_uri(db: &impl ConnectionTrait, uri: &str) -> Result<Option<statuses::Model>, DbError> {
    Ok(statuses::Entity::find().filter(statuses::Column::Uri.eq(uri)).one(db).await?)
}

pub async fn status_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<statuses::Model>, DbError> {
    Ok(statuses::Entity::find_by_id(id).one(db).await?)
}

/// A boost: a public status whose only content is the boosted one. `uri` is the Announce's id.
pub fn boost_row(id: i64, uri: &str, account_id: i64, boosted_id: i64, local: bool) -> statuses::ActiveModel {
    statuses::ActiveModel {
        id: Set(id),
        uri: Set(uri.to_string()),
        url: Set(uri.to_string()),
        account_id: Set(account_id),
        in_reply_to_id: Set(None),
        in_reply_to_uri: Set(None),
        in_reply_to_account_id: Set(None),
        reblog_of_id: Set(Some(boosted_id)),
        content: Set(String::new()),
        source_text: Set(None),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set("public".into()),
        language: Set(None),
        local: Set(local),
        created_at: Set(crate::now()),
        edited_at: Set(None),
    }
}

/// Ids of the accounts a status mentions.
pub async fn mentioned_ids(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(mentions::Entity::find()
        .select_only()
        .column(mentions::Column::AccountId)
        .filter(mentions::Column::StatusId.eq(status_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether an object id was deleted here: such ids are never recreated.
pub async fn is_tombstoned(db: &impl ConnectionTrait, uri: &str) -> Result<bool, DbError> {
    Ok(tombstones::Entity::find_by_id(uri.to_string()).one(db).await?.is_some())
}

/// Records that `uri` was deleted (idempotent). A plain insert, so it can open a transaction.
pub async fn add_tombstone(db: &impl ConnectionTrait, uri: &str) -> Result<(), DbError> {
    tombstones::Entity::insert(tombstones::ActiveModel { uri: Set(uri.to_string()), deleted_at: Set(crate::now()) })
        .on_conflict(OnConflict::column(tombstones::Column::Uri).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The domains this instance's admin blocked.
pub async fn blocked_domains(db: &impl ConnectionTrait) -> Result<Vec<String>, DbError> {
    Ok(domain_blocks::Entity::find().all(db).await?.into_iter().map(|b| b.domain).collect())
}

/// Whether a domain (host with port), or a parent of it, is blocked by this instance's admin.
pub async fn is_domain_blocked(db: &impl ConnectionTrait, domain: &str) -> Result<bool, DbError> {
    Ok(blocked_domains(db).await?.iter().any(|b| coopol_core::domain_is_blocked(domain, b)))
}

/// Records something to federate, in the caller's transaction.
pub async fn record_intent(db: &impl ConnectionTrait, intent: &coopol_core::Intent) -> Result<(), DbError> {
    let json = serde_json::to_string(intent).map_err(|e| DbError::Invalid(e.to_string()))?;
    outbox::ActiveModel { id: Set(coopol_core::new_id()), intent: Set(json), created_at: Set(crate::now()) }
        .insert(db)
        .await?;
    Ok(())
}

/// A page request as Mastodon clients send it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: u64,
}

/// Applies a page to a statuses query: newest first, except with `min_id` (the page right
/// after it, oldest first, then reversed by the caller... Mastodon returns it newest first too).
pub fn paged(mut q: sea_orm::Select<statuses::Entity>, page: Page) -> sea_orm::Select<statuses::Entity> {
    if let Some(max) = page.max_id {
        q = q.filter(statuses::Column::Id.lt(max));
    }
    if let Some(since) = page.since_id {
        q = q.filter(statuses::Column::Id.gt(since));
    }
    let limit = page.limit.clamp(1, 40);
    if let Some(min) = page.min_id {
        q.filter(statuses::Column::Id.gt(min)).order_by_asc(statuses::Column::Id).limit(limit)
    } else {
        q.order_by_desc(statuses::Column::Id).limit(limit)
    }
}

pub async fn run_page(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<statuses::Entity>,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let mut rows = paged(q, page).all(db).await?;
    if page.min_id.is_some() {
        rows.reverse();
    }
    Ok(rows)
}

/// The home timeline of a local account: its own statuses, those of accounts it follows
/// (accepted) that are not direct, and every status that mentions it. Read from its
/// `home_feed` (kept by triggers, see migration `m0011_timelines`), checked against the same
/// rules at read time, so that unfollows, mutes and `reblogs=false` apply at once.
pub async fn home_timeline(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let followed = Query::select()
        .column(follows::Column::TargetAccountId)
        .from(follows::Entity)
        .and_where(follows::Column::AccountId.eq(account_id))
        .and_where(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .to_owned();
    let mentioning = Query::select()
        .column(mentions::Column::StatusId)
        .from(mentions::Entity)
        .and_where(mentions::Column::AccountId.eq(account_id))
        .to_owned();
    let cond = Condition::any()
        .add(statuses::Column::AccountId.eq(account_id))
        .add(
            Condition::all()
                .add(statuses::Column::AccountId.in_subquery(followed))
                .add(statuses::Column::Visibility.ne("direct")),
        )
        .add(statuses::Column::Id.in_subquery(mentioning));
    // Muted accounts, and boosts of accounts followed with `reblogs=false`, stay out.
    let filter = Condition::all().add(cond).add(crate::social::timeline_filter(account_id));
    let key = Condition::all().add(Expr::col(sea_orm::sea_query::Alias::new("account_id")).eq(account_id));
    crate::timelines::driven_page(db, "home_feed", "status_id", key, filter, page).await
}

/// Statuses of one account, newest first; `public_only` keeps public and unlisted ones.
pub async fn account_statuses(
    db: &impl ConnectionTrait,
    account_id: i64,
    visible: &[&str],
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let q = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(account_id))
        .filter(statuses::Column::Visibility.is_in(visible.iter().map(|s| s.to_string())));
    run_page(db, q, page).await
}

/// Direct replies to a status.
pub async fn replies(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<statuses::Model>, DbError> {
    Ok(statuses::Entity::find()
        .filter(statuses::Column::InReplyToId.eq(status_id))
        .order_by_asc(statuses::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}
