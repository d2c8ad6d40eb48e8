//! Queries of the client API's statuses and relationships: edit history, bookmarks, pins,
//! mutes, follow options, follow requests, idempotency keys, profile sources, lists of
//! accounts (followers, favourited by...) and search. Pages of those lists go by the id of the
//! row that links them (the follow, the favourite...), as Mastodon's `Link` headers do.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::entities::{
    account_profiles, accounts, bookmarks, favourites, follows, idempotency_keys, mutes, status_edits, status_pins,
    status_tags, statuses,
};
use crate::queries::{Page, FOLLOW_ACCEPTED, FOLLOW_PENDING};
use crate::DbError;

/// How long an `Idempotency-Key` holds.
pub const IDEMPOTENCY_WINDOW_HOURS: i64 = 1;
/// Most statuses an account may pin, as Mastodon.
pub const MAX_PINS: u64 = 5;

/// Applies a page to a query ordered by `col` (an id column): newest first, or, with
/// `min_id`, the page right after it (the caller reverses it).
pub fn paged_by<E: EntityTrait>(mut q: Select<E>, col: E::Column, page: Page) -> Select<E> {
    if let Some(max) = page.max_id {
        q = q.filter(col.lt(max));
    }
    if let Some(since) = page.since_id {
        q = q.filter(col.gt(since));
    }
    let limit = page.limit.clamp(1, 80);
    match page.min_id {
        Some(min) => q.filter(col.gt(min)).order_by_asc(col).limit(limit),
        None => q.order_by_desc(col).limit(limit),
    }
}

async fn run<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    col: E::Column,
    page: Page,
) -> Result<Vec<E::Model>, DbError> {
    let mut rows = paged_by(q, col, page).all(db).await?;
    if page.min_id.is_some() {
        rows.reverse();
    }
    Ok(rows)
}

/// Accounts by id, in the order of `ids` (missing ones skipped).
pub async fn accounts_in_order(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<accounts::Model>, DbError> {
    let found = accounts::Entity::find().filter(accounts::Column::Id.is_in(ids.to_vec())).all(db).await?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|a| a.id == *id).cloned()).collect())
}

/// Statuses by id, in the order of `ids` (missing ones skipped).
pub async fn statuses_in_order(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<statuses::Model>, DbError> {
    let found = statuses::Entity::find().filter(statuses::Column::Id.is_in(ids.to_vec())).all(db).await?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|s| s.id == *id).cloned()).collect())
}

// ---- mutes and follow options -------------------------------------------------------------

/// The accounts `account_id` mutes (mutes that have not expired), as a subquery.
pub fn muted_subquery(account_id: i64) -> SelectStatement {
    Query::select()
        .column(mutes::Column::TargetAccountId)
        .from(mutes::Entity)
        .and_where(mutes::Column::AccountId.eq(account_id))
        .cond_where(
            Condition::any().add(mutes::Column::ExpiresAt.is_null()).add(mutes::Column::ExpiresAt.gt(crate::now())),
        )
        .to_owned()
}

/// Ids of the accounts `account_id` mutes; `notifications_only` keeps the mutes that also hide
/// notifications (for the notifications list).
pub async fn muted_ids(
    db: &impl ConnectionTrait,
    account_id: i64,
    notifications_only: bool,
) -> Result<Vec<i64>, DbError> {
    let mut q = mutes::Entity::find()
        .select_only()
        .column(mutes::Column::TargetAccountId)
        .filter(mutes::Column::AccountId.eq(account_id))
        .filter(
            Condition::any().add(mutes::Column::ExpiresAt.is_null()).add(mutes::Column::ExpiresAt.gt(crate::now())),
        );
    if notifications_only {
        q = q.filter(mutes::Column::Notifications.eq(true));
    }
    Ok(q.into_tuple().all(db).await?)
}

/// The live mute of `account_id` on `target`, if any.
pub async fn mute_between(
    db: &impl ConnectionTrait,
    account_id: i64,
    target: i64,
) -> Result<Option<mutes::Model>, DbError> {
    Ok(mutes::Entity::find()
        .filter(mutes::Column::AccountId.eq(account_id))
        .filter(mutes::Column::TargetAccountId.eq(target))
        .filter(Condition::any().add(mutes::Column::ExpiresAt.is_null()).add(mutes::Column::ExpiresAt.gt(crate::now())))
        .one(db)
        .await?)
}

/// What a timeline of `viewer` leaves out: statuses and boosts by accounts they mute, and boosts
/// by accounts they follow with `reblogs=false`.
pub fn timeline_filter(viewer: i64) -> Condition {
    let no_reblogs = Query::select()
        .column(follows::Column::TargetAccountId)
        .from(follows::Entity)
        .and_where(follows::Column::AccountId.eq(viewer))
        .and_where(follows::Column::ShowReblogs.eq(false))
        .to_owned();
    Condition::all().add(statuses::Column::AccountId.not_in_subquery(muted_subquery(viewer))).add(
        Condition::any()
            .add(statuses::Column::ReblogOfId.is_null())
            .add(statuses::Column::AccountId.not_in_subquery(no_reblogs)),
    )
}

/// The public timeline as `viewer` sees it: public statuses (not boosts), optionally only local
/// or only remote, without the accounts the viewer mutes.
pub async fn public_timeline(
    db: &impl ConnectionTrait,
    local: Option<bool>,
    viewer: Option<i64>,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let mut q = statuses::Entity::find().filter(crate::timelines::public_originals());
    if let Some(l) = local {
        q = q.filter(statuses::Column::Local.eq(l));
    }
    if let Some(v) = viewer {
        q = q.filter(statuses::Column::AccountId.not_in_subquery(muted_subquery(v)));
    }
    run(db, q, statuses::Column::Id, page).await
}

// ---- follows ------------------------------------------------------------------------------

/// Accepted followers of an account, newest follow first: (follow id, follower).
pub async fn followers(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let q = follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED));
    let rows = run(db, q, follows::Column::Id, page).await?;
    pair_accounts(db, rows.iter().map(|f| (f.id, f.account_id)).collect()).await
}

/// Accounts an account follows (accepted), newest follow first: (follow id, followed).
pub async fn following(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let q = follows::Entity::find()
        .filter(follows::Column::AccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED));
    let rows = run(db, q, follows::Column::Id, page).await?;
    pair_accounts(db, rows.iter().map(|f| (f.id, f.target_account_id)).collect()).await
}

/// Pending requests to follow an account: (follow id, requester).
pub async fn follow_requests(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let q = follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_PENDING));
    let rows = run(db, q, follows::Column::Id, page).await?;
    pair_accounts(db, rows.iter().map(|f| (f.id, f.account_id)).collect()).await
}

/// How many follow requests wait for an account's answer.
pub async fn follow_request_count(db: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbError> {
    Ok(follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(account_id))
        .filter(follows::Column::State.eq(FOLLOW_PENDING))
        .count(db)
        .await?)
}

/// Accounts `viewer` follows that also follow `target` (at most 40).
pub async fn familiar_followers(
    db: &impl ConnectionTrait,
    viewer: i64,
    target: i64,
) -> Result<Vec<accounts::Model>, DbError> {
    let mine = Query::select()
        .column(follows::Column::TargetAccountId)
        .from(follows::Entity)
        .and_where(follows::Column::AccountId.eq(viewer))
        .and_where(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .to_owned();
    let ids: Vec<i64> = follows::Entity::find()
        .select_only()
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.eq(target))
        .filter(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .filter(follows::Column::AccountId.in_subquery(mine))
        .order_by_desc(follows::Column::Id)
        .limit(40)
        .into_tuple()
        .all(db)
        .await?;
    accounts_in_order(db, &ids).await
}

async fn pair_accounts(
    db: &impl ConnectionTrait,
    pairs: Vec<(i64, i64)>,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let ids: Vec<i64> = pairs.iter().map(|(_, a)| *a).collect();
    let found = accounts::Entity::find().filter(accounts::Column::Id.is_in(ids)).all(db).await?;
    Ok(pairs.into_iter().filter_map(|(k, a)| found.iter().find(|x| x.id == a).map(|x| (k, x.clone()))).collect())
}

// ---- who favourited, boosted -------------------------------------------------------------

/// Who favourited a status: (favourite id, account).
pub async fn favourited_by(
    db: &impl ConnectionTrait,
    status_id: i64,
    page: Page,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let q = favourites::Entity::find().filter(favourites::Column::StatusId.eq(status_id));
    let rows = run(db, q, favourites::Column::Id, page).await?;
    pair_accounts(db, rows.iter().map(|f| (f.id, f.account_id)).collect()).await
}

/// Who boosted a status: (boost id, account).
pub async fn reblogged_by(
    db: &impl ConnectionTrait,
    status_id: i64,
    page: Page,
) -> Result<Vec<(i64, accounts::Model)>, DbError> {
    let q = statuses::Entity::find().filter(statuses::Column::ReblogOfId.eq(status_id));
    let rows = run(db, q, statuses::Column::Id, page).await?;
    pair_accounts(db, rows.iter().map(|s| (s.id, s.account_id)).collect()).await
}

// ---- bookmarks and pins -------------------------------------------------------------------

pub async fn bookmark_of(
    db: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<Option<bookmarks::Model>, DbError> {
    Ok(bookmarks::Entity::find()
        .filter(bookmarks::Column::AccountId.eq(account_id))
        .filter(bookmarks::Column::StatusId.eq(status_id))
        .one(db)
        .await?)
}

/// An account's bookmarks, newest first: (bookmark id, status).
pub async fn bookmarked(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, statuses::Model)>, DbError> {
    let q = bookmarks::Entity::find().filter(bookmarks::Column::AccountId.eq(account_id));
    let rows = run(db, q, bookmarks::Column::Id, page).await?;
    let found = statuses_in_order(db, &rows.iter().map(|b| b.status_id).collect::<Vec<_>>()).await?;
    Ok(rows.iter().filter_map(|b| found.iter().find(|s| s.id == b.status_id).map(|s| (b.id, s.clone()))).collect())
}

/// An account's favourites, newest first: (favourite id, status).
pub async fn favourited(
    db: &impl ConnectionTrait,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, statuses::Model)>, DbError> {
    let q = favourites::Entity::find().filter(favourites::Column::AccountId.eq(account_id));
    let rows = run(db, q, favourites::Column::Id, page).await?;
    let found = statuses_in_order(db, &rows.iter().map(|b| b.status_id).collect::<Vec<_>>()).await?;
    Ok(rows.iter().filter_map(|b| found.iter().find(|s| s.id == b.status_id).map(|s| (b.id, s.clone()))).collect())
}

pub async fn pin_of(
    db: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<Option<status_pins::Model>, DbError> {
    Ok(status_pins::Entity::find()
        .filter(status_pins::Column::AccountId.eq(account_id))
        .filter(status_pins::Column::StatusId.eq(status_id))
        .one(db)
        .await?)
}

pub async fn pin_count(db: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbError> {
    Ok(status_pins::Entity::find().filter(status_pins::Column::AccountId.eq(account_id)).count(db).await?)
}

/// The statuses an account pinned, most recently pinned first.
pub async fn pinned(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<statuses::Model>, DbError> {
    let ids: Vec<i64> = status_pins::Entity::find()
        .select_only()
        .column(status_pins::Column::StatusId)
        .filter(status_pins::Column::AccountId.eq(account_id))
        .order_by_desc(status_pins::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    statuses_in_order(db, &ids).await
}

// ---- statuses of an account ---------------------------------------------------------------

/// The filters of `GET /api/v1/accounts/:id/statuses`.
#[derive(Debug, Clone, Default)]
pub struct AccountStatusFilter {
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    pub tagged: Option<String>,
    /// Only statuses with media attachments.
    pub only_media: bool,
}

/// Statuses of one account with the given visibilities and filters, newest first. Replies to
/// the account itself (threads) stay with `exclude_replies`, as in Mastodon.
pub async fn account_statuses(
    db: &impl ConnectionTrait,
    account_id: i64,
    visible: &[&str],
    filter: &AccountStatusFilter,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let mut q = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(account_id))
        .filter(statuses::Column::Visibility.is_in(visible.iter().map(|s| s.to_string())));
    if filter.exclude_replies {
        q = q.filter(
            Condition::any()
                .add(statuses::Column::InReplyToId.is_null())
                .add(statuses::Column::InReplyToAccountId.eq(account_id)),
        );
    }
    if filter.exclude_reblogs {
        q = q.filter(statuses::Column::ReblogOfId.is_null());
    }
    if filter.only_media {
        q = q.filter(statuses::Column::Id.in_subquery(crate::media::with_media()));
    }
    if let Some(tag) = &filter.tagged {
        let tagged = Query::select()
            .column(status_tags::Column::StatusId)
            .from(status_tags::Entity)
            .and_where(status_tags::Column::Name.eq(tag.to_lowercase()))
            .to_owned();
        q = q.filter(statuses::Column::Id.in_subquery(tagged));
    }
    run(db, q, statuses::Column::Id, page).await
}

// ---- edits --------------------------------------------------------------------------------

/// The versions of a status, oldest first (empty when it was never edited).
pub async fn edits(db: &impl ConnectionTrait, status_id: i64) -> Result<Vec<status_edits::Model>, DbError> {
    Ok(status_edits::Entity::find()
        .filter(status_edits::Column::StatusId.eq(status_id))
        // Ids made in the same millisecond are not ordered (`new_id`): time first.
        .order_by_asc(status_edits::Column::CreatedAt)
        .order_by_asc(status_edits::Column::Id)
        .limit(1000)
        .all(db)
        .await?)
}

/// A version row of `s` as it is now, made at `at`.
pub fn edit_row(s: &statuses::Model, at: chrono::DateTime<Utc>) -> status_edits::ActiveModel {
    use sea_orm::Set;
    status_edits::ActiveModel {
        id: Set(coopol_core::new_id()),
        status_id: Set(s.id),
        content: Set(s.content.clone()),
        source_text: Set(s.source_text.clone()),
        spoiler_text: Set(s.spoiler_text.clone()),
        sensitive: Set(s.sensitive),
        created_at: Set(at),
    }
}

/// Records an edit in the caller's transaction: the original version first when this is the
/// first edit (`had_edits` false), then the new one.
pub async fn record_edit(
    db: &impl ConnectionTrait,
    before: &statuses::Model,
    after: &statuses::Model,
    had_edits: bool,
) -> Result<(), DbError> {
    use sea_orm::ActiveModelTrait;
    if !had_edits {
        edit_row(before, before.created_at).insert(db).await?;
    }
    edit_row(after, after.edited_at.unwrap_or_else(crate::now)).insert(db).await?;
    Ok(())
}

/// Whether a status has recorded versions.
pub async fn has_edits(db: &impl ConnectionTrait, status_id: i64) -> Result<bool, DbError> {
    Ok(status_edits::Entity::find().filter(status_edits::Column::StatusId.eq(status_id)).count(db).await? > 0)
}

// ---- idempotency --------------------------------------------------------------------------

/// The status an account posted with `key` within the idempotency window, if any.
pub async fn idempotent_status(db: &impl ConnectionTrait, account_id: i64, key: &str) -> Result<Option<i64>, DbError> {
    let since = Utc::now() - Duration::hours(IDEMPOTENCY_WINDOW_HOURS);
    Ok(idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::AccountId.eq(account_id))
        .filter(idempotency_keys::Column::Key.eq(key))
        .filter(idempotency_keys::Column::CreatedAt.gt(since))
        .one(db)
        .await?
        .map(|k| k.status_id))
}

/// Forgets an account's keys older than the window (so they can be reused). A plain delete,
/// so it can open a transaction.
pub async fn expire_idempotency_keys(db: &impl ConnectionTrait, account_id: i64) -> Result<(), DbError> {
    let since = Utc::now() - Duration::hours(IDEMPOTENCY_WINDOW_HOURS);
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::AccountId.eq(account_id))
        .filter(idempotency_keys::Column::CreatedAt.lte(since))
        .exec(db)
        .await?;
    Ok(())
}

// ---- profiles -----------------------------------------------------------------------------

pub async fn profile(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<account_profiles::Model>, DbError> {
    Ok(account_profiles::Entity::find_by_id(account_id).one(db).await?)
}

// ---- search -------------------------------------------------------------------------------

/// Hashtags used here whose name starts with `prefix` (lowercase), most used first.
pub async fn hashtags(db: &impl ConnectionTrait, prefix: &str, limit: u64) -> Result<Vec<String>, DbError> {
    let like = format!("{}%", prefix.to_lowercase().replace(['%', '_', '\\'], ""));
    let rows: Vec<(String, i64)> = status_tags::Entity::find()
        .select_only()
        .column(status_tags::Column::Name)
        .column_as(status_tags::Column::Id.count(), "uses")
        .filter(status_tags::Column::Name.like(like))
        .group_by(status_tags::Column::Name)
        .order_by_desc(Expr::col(sea_orm::sea_query::Alias::new("uses")))
        .order_by_asc(status_tags::Column::Name)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(n, _)| n).collect())
}

/// Accounts (people and groups, here and elsewhere) whose username or display name starts with
/// `needle`, or a word of whose display name does (case insensitive); never suspended ones nor
/// instance actors. Local first, then by domain and name.
pub async fn search_accounts(
    db: &impl ConnectionTrait,
    needle: &str,
    limit: u64,
    offset: u64,
) -> Result<Vec<accounts::Model>, DbError> {
    let needle = needle.trim_start_matches(['@', '!']).to_lowercase();
    let needle = needle.split('@').next().unwrap_or("").replace(['%', '_', '\\'], "");
    if needle.is_empty() {
        return Ok(vec![]);
    }
    Ok(accounts::Entity::find()
        .filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).like(format!("{needle}%")))
                .add(Expr::expr(Func::lower(Expr::col(accounts::Column::DisplayName))).like(format!("{needle}%")))
                .add(Expr::expr(Func::lower(Expr::col(accounts::Column::DisplayName))).like(format!("% {needle}%"))),
        )
        .filter(accounts::Column::Suspended.eq(false))
        .filter(accounts::Column::ActorType.ne("Application"))
        .order_by_asc(accounts::Column::Domain)
        .order_by_asc(accounts::Column::Username)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?)
}

/// Full-text search in local statuses: those whose text contains every word of `q` (case
/// insensitive), public or unlisted, or by `viewer`; newest first.
pub async fn search_local_statuses(
    db: &impl ConnectionTrait,
    q: &str,
    viewer: i64,
    limit: u64,
    offset: u64,
) -> Result<Vec<statuses::Model>, DbError> {
    let mut cond =
        Condition::all().add(statuses::Column::Local.eq(true)).add(statuses::Column::ReblogOfId.is_null()).add(
            Condition::any()
                .add(statuses::Column::Visibility.is_in(["public", "unlisted"]))
                .add(statuses::Column::AccountId.eq(viewer)),
        );
    let words: Vec<String> =
        q.split_whitespace().take(10).map(|w| w.to_lowercase().replace(['%', '_', '\\'], "")).collect();
    if words.iter().all(String::is_empty) {
        return Ok(vec![]);
    }
    for w in words.iter().filter(|w| !w.is_empty()) {
        cond = cond.add(Expr::expr(Func::lower(Expr::col(statuses::Column::SourceText))).like(format!("%{w}%")));
    }
    Ok(statuses::Entity::find()
        .filter(cond)
        .order_by_desc(statuses::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?)
}
