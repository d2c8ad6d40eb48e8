//! Storage for moves (aliases, `movedTo`, followers who move along) and portable archives
//! (imported posts, the member list an archive carries).

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{accounts, archive_members, follows, group_posts, imported_statuses, statuses};
use crate::DbError;

/// Most actor ids an account may list in `alsoKnownAs` (as we keep from remote actors).
pub const MAX_ALIASES: usize = 20;

/// The actor ids an account lists in `alsoKnownAs`.
pub fn aliases(a: &accounts::Model) -> Vec<String> {
    serde_json::from_str(&a.also_known_as).unwrap_or_default()
}

/// Replaces an account's `alsoKnownAs` list.
pub async fn set_aliases(db: &impl ConnectionTrait, account_id: i64, aliases: &[String]) -> Result<(), DbError> {
    let json = serde_json::to_string(aliases).map_err(|e| DbError::Invalid(e.to_string()))?;
    accounts::Entity::update_many()
        .col_expr(accounts::Column::AlsoKnownAs, Expr::value(json))
        .col_expr(accounts::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(accounts::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records where an account moved to.
pub async fn set_moved_to(db: &impl ConnectionTrait, account_id: i64, target_uri: &str) -> Result<(), DbError> {
    accounts::Entity::update_many()
        .col_expr(accounts::Column::MovedToUri, Expr::value(target_uri.to_string()))
        .filter(accounts::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The follows (pending or accepted) of local accounts to `target_id`, oldest first.
pub async fn local_follows_of(db: &impl ConnectionTrait, target_id: i64) -> Result<Vec<follows::Model>, DbError> {
    let local = sea_orm::sea_query::Query::select()
        .column(accounts::Column::Id)
        .from(accounts::Entity)
        .and_where(accounts::Column::Domain.is_null())
        .to_owned();
    Ok(follows::Entity::find()
        .filter(follows::Column::TargetAccountId.eq(target_id))
        .filter(follows::Column::AccountId.in_subquery(local))
        .order_by_asc(follows::Column::Id)
        .all(db)
        .await?)
}

/// The actor ids of an account's accepted followers.
pub async fn follower_uris(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<String>, DbError> {
    let ids = crate::queries::accepted_follower_ids(db, account_id).await?;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let uris: Vec<String> = accounts::Entity::find()
            .select_only()
            .column(accounts::Column::Uri)
            .filter(accounts::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(uris);
    }
    out.sort();
    Ok(out)
}

/// An account's own posts (not boosts) of the given visibilities, oldest first.
pub async fn posts_for_export(
    db: &impl ConnectionTrait,
    account_id: i64,
    visibilities: &[&str],
) -> Result<Vec<statuses::Model>, DbError> {
    Ok(statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(account_id))
        .filter(statuses::Column::ReblogOfId.is_null())
        .filter(statuses::Column::Visibility.is_in(visibilities.iter().map(|v| v.to_string())))
        .order_by_asc(statuses::Column::CreatedAt)
        .order_by_asc(statuses::Column::Id)
        .all(db)
        .await?)
}

/// The local status a post with this original id was imported as, if it was.
pub async fn imported_status(db: &impl ConnectionTrait, original_uri: &str) -> Result<Option<i64>, DbError> {
    Ok(imported_statuses::Entity::find_by_id(original_uri.to_string()).one(db).await?.map(|r| r.status_id))
}

/// Records that `status_id` is the import of `original_uri`.
pub async fn record_import(
    db: &impl ConnectionTrait,
    original_uri: &str,
    status_id: i64,
    account_id: i64,
) -> Result<(), DbError> {
    imported_statuses::Entity::insert(imported_statuses::ActiveModel {
        original_uri: Set(original_uri.to_string()),
        status_id: Set(status_id),
        account_id: Set(account_id),
        imported_at: Set(crate::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records (or updates) an actor listed in an archive imported into `account_id`, with its
/// role (`follower` for a plain follower).
pub async fn add_archive_member(
    db: &impl ConnectionTrait,
    account_id: i64,
    member_uri: &str,
    role: &str,
) -> Result<(), DbError> {
    archive_members::Entity::insert(archive_members::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account_id),
        member_uri: Set(member_uri.to_string()),
        role: Set(role.to_string()),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([archive_members::Column::AccountId, archive_members::Column::MemberUri])
            .update_column(archive_members::Column::Role)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The role an imported archive gives `member_uri` in `account_id`, if it lists them.
pub async fn archive_role(
    db: &impl ConnectionTrait,
    account_id: i64,
    member_uri: &str,
) -> Result<Option<String>, DbError> {
    Ok(archive_members::Entity::find()
        .filter(archive_members::Column::AccountId.eq(account_id))
        .filter(archive_members::Column::MemberUri.eq(member_uri))
        .one(db)
        .await?
        .map(|m| m.role))
}

/// Adds `uri` to the `alsoKnownAs` of `account` (idempotent, at most `MAX_ALIASES`). Returns
/// the new list; the caller has checked that `uri` is an actor id.
pub async fn add_alias(
    db: &impl ConnectionTrait,
    account: &accounts::Model,
    uri: &str,
) -> Result<Vec<String>, DbError> {
    let mut list = aliases(account);
    if !list.iter().any(|a| a == uri) {
        if list.len() >= MAX_ALIASES {
            return Err(DbError::Invalid(format!("an actor lists at most {MAX_ALIASES} aliases")));
        }
        list.push(uri.to_string());
        set_aliases(db, account.id, &list).await?;
    }
    Ok(list)
}

/// The posts a group announced (members' posts, local or remote), oldest first, at most
/// `limit`.
pub async fn group_posts_for_export(
    db: &impl ConnectionTrait,
    group_id: i64,
    visibilities: &[&str],
    limit: u64,
) -> Result<Vec<statuses::Model>, DbError> {
    let announced = sea_orm::sea_query::Query::select()
        .column(group_posts::Column::StatusId)
        .from(group_posts::Entity)
        .and_where(group_posts::Column::GroupAccountId.eq(group_id))
        .to_owned();
    Ok(statuses::Entity::find()
        .filter(statuses::Column::Id.in_subquery(announced))
        .filter(statuses::Column::ReblogOfId.is_null())
        .filter(statuses::Column::Visibility.is_in(visibilities.iter().map(|v| v.to_string())))
        .order_by_asc(statuses::Column::CreatedAt)
        .order_by_asc(statuses::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Takes `uri` out of the `alsoKnownAs` of `account` (nothing when it is not there). Returns
/// the new list.
pub async fn remove_alias(
    db: &impl ConnectionTrait,
    account: &accounts::Model,
    uri: &str,
) -> Result<Vec<String>, DbError> {
    let mut list = aliases(account);
    let before = list.len();
    list.retain(|a| a != uri);
    if list.len() != before {
        set_aliases(db, account.id, &list).await?;
    }
    Ok(list)
}
