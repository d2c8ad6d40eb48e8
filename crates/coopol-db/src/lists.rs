//! Personal lists of a local account (Mastodon lists): their members and their timeline.

use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{accounts, follows, list_accounts, lists, statuses};
use crate::queries::{run_page, Page, FOLLOW_ACCEPTED};
use crate::DbError;

/// The lists of an account, in creation order.
pub async fn of_account(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<lists::Model>, DbError> {
    Ok(lists::Entity::find()
        .filter(lists::Column::AccountId.eq(account_id))
        .order_by_asc(lists::Column::Id)
        .all(db)
        .await?)
}

/// A list, if `account_id` owns it.
pub async fn owned(db: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<Option<lists::Model>, DbError> {
    Ok(lists::Entity::find_by_id(id).filter(lists::Column::AccountId.eq(account_id)).one(db).await?)
}

pub async fn create(
    db: &impl ConnectionTrait,
    account_id: i64,
    title: &str,
    replies_policy: &str,
    exclusive: bool,
) -> Result<lists::Model, DbError> {
    Ok(lists::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account_id),
        title: Set(title.to_string()),
        replies_policy: Set(replies_policy.to_string()),
        exclusive: Set(exclusive),
        created_at: Set(crate::now()),
    }
    .insert(db)
    .await?)
}

pub async fn update(
    db: &impl ConnectionTrait,
    list: lists::Model,
    title: Option<&str>,
    replies_policy: Option<&str>,
    exclusive: Option<bool>,
) -> Result<lists::Model, DbError> {
    let mut m: lists::ActiveModel = list.into();
    if let Some(t) = title {
        m.title = Set(t.to_string());
    }
    if let Some(r) = replies_policy {
        m.replies_policy = Set(r.to_string());
    }
    if let Some(e) = exclusive {
        m.exclusive = Set(e);
    }
    Ok(m.update(db).await?)
}

/// Deletes a list and its memberships. The membership delete comes first (a write).
pub async fn delete(db: &impl ConnectionTrait, list_id: i64) -> Result<(), DbError> {
    list_accounts::Entity::delete_many().filter(list_accounts::Column::ListId.eq(list_id)).exec(db).await?;
    lists::Entity::delete_by_id(list_id).exec(db).await?;
    Ok(())
}

/// Member accounts of a list, by membership order, paged by account id (`limit` 0: all).
pub async fn members(
    db: &impl ConnectionTrait,
    list_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: u64,
) -> Result<Vec<accounts::Model>, DbError> {
    let ids = Query::select()
        .column(list_accounts::Column::AccountId)
        .from(list_accounts::Entity)
        .and_where(list_accounts::Column::ListId.eq(list_id))
        .to_owned();
    let mut q = accounts::Entity::find().filter(accounts::Column::Id.in_subquery(ids));
    if let Some(m) = max_id {
        q = q.filter(accounts::Column::Id.lt(m));
    }
    if let Some(s) = since_id {
        q = q.filter(accounts::Column::Id.gt(s));
    }
    q = q.order_by_desc(accounts::Column::Id);
    if limit > 0 {
        q = q.limit(limit);
    }
    Ok(q.all(db).await?)
}

/// Adds members (idempotent).
pub async fn add_members(db: &impl ConnectionTrait, list_id: i64, account_ids: &[i64]) -> Result<(), DbError> {
    for a in account_ids {
        list_accounts::Entity::insert(list_accounts::ActiveModel {
            id: Set(coopol_core::new_id()),
            list_id: Set(list_id),
            account_id: Set(*a),
        })
        .on_conflict(
            OnConflict::columns([list_accounts::Column::ListId, list_accounts::Column::AccountId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

pub async fn remove_members(db: &impl ConnectionTrait, list_id: i64, account_ids: &[i64]) -> Result<(), DbError> {
    list_accounts::Entity::delete_many()
        .filter(list_accounts::Column::ListId.eq(list_id))
        .filter(list_accounts::Column::AccountId.is_in(account_ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// The lists of `owner` that contain `account_id`.
pub async fn containing(db: &impl ConnectionTrait, owner: i64, account_id: i64) -> Result<Vec<lists::Model>, DbError> {
    let ids = Query::select()
        .column(list_accounts::Column::ListId)
        .from(list_accounts::Entity)
        .and_where(list_accounts::Column::AccountId.eq(account_id))
        .to_owned();
    Ok(lists::Entity::find()
        .filter(lists::Column::AccountId.eq(owner))
        .filter(lists::Column::Id.in_subquery(ids))
        .order_by_asc(lists::Column::Id)
        .all(db)
        .await?)
}

/// Whether `account_id` is a member of the list.
pub async fn is_member(db: &impl ConnectionTrait, list_id: i64, account_id: i64) -> Result<bool, DbError> {
    Ok(list_accounts::Entity::find()
        .filter(list_accounts::Column::ListId.eq(list_id))
        .filter(list_accounts::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .is_some())
}

/// The timeline of a list owned by `owner`: its members' public and unlisted statuses, and
/// their followers-only ones when the owner follows them (accepted). Never direct ones.
pub async fn timeline(
    db: &impl ConnectionTrait,
    list_id: i64,
    owner: i64,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    let members = Query::select()
        .column(list_accounts::Column::AccountId)
        .from(list_accounts::Entity)
        .and_where(list_accounts::Column::ListId.eq(list_id))
        .to_owned();
    let followed = Query::select()
        .column(follows::Column::TargetAccountId)
        .from(follows::Entity)
        .and_where(follows::Column::AccountId.eq(owner))
        .and_where(follows::Column::State.eq(FOLLOW_ACCEPTED))
        .to_owned();
    let q = statuses::Entity::find().filter(statuses::Column::AccountId.in_subquery(members)).filter(
        Condition::any().add(statuses::Column::Visibility.is_in(["public", "unlisted"])).add(
            Condition::all()
                .add(statuses::Column::Visibility.eq("private"))
                .add(statuses::Column::AccountId.in_subquery(followed)),
        ),
    );
    run_page(db, q, page).await
}

/// The public timeline of a hashtag (lowercase name), optionally only local or only remote.
pub async fn tag_timeline(
    db: &impl ConnectionTrait,
    tag: &str,
    local: Option<bool>,
    page: Page,
) -> Result<Vec<statuses::Model>, DbError> {
    use crate::entities::status_tags;
    let mut filter = crate::timelines::public_originals();
    if let Some(l) = local {
        filter = filter.add(statuses::Column::Local.eq(l));
    }
    let key = Condition::all().add(status_tags::Column::Name.eq(tag.to_lowercase()));
    crate::timelines::driven_page(db, "status_tags", "status_id", key, filter, page).await
}
