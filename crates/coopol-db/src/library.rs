//! The group library's shared queries: space used (per group and for the instance), the
//! reference counts of blobs, and the instance's named secrets. The workflows are
//! `coopol_service::library`'s.

use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entities::{instance_secrets, library_blobs, library_documents, library_versions};
use crate::DbError;

/// Bytes used by a group's library: the sizes of all versions of its documents (a blob two
/// documents share counts twice, as each group pays for what it keeps).
pub async fn group_usage(db: &impl ConnectionTrait, group_id: i64) -> Result<i64, DbError> {
    let docs = Query::select()
        .column(library_documents::Column::Id)
        .from(library_documents::Entity)
        .and_where(library_documents::Column::GroupAccountId.eq(group_id))
        .to_owned();
    Ok(library_versions::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COALESCE(SUM(library_versions.size), 0) AS BIGINT)"), "total")
        .filter(library_versions::Column::DocumentId.in_subquery(docs))
        .into_tuple::<i64>()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Bytes the library stores for the whole instance (each blob once).
pub async fn instance_usage(db: &impl ConnectionTrait) -> Result<i64, DbError> {
    Ok(library_blobs::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COALESCE(SUM(library_blobs.size), 0) AS BIGINT)"), "total")
        .into_tuple::<i64>()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Counts one more version using the blob `sha256` (recording the blob on its first use).
pub async fn add_blob_ref(db: &impl ConnectionTrait, sha256: &str, size: i64, media_type: &str) -> Result<(), DbError> {
    library_blobs::Entity::insert(library_blobs::ActiveModel {
        sha256: Set(sha256.to_string()),
        size: Set(size),
        media_type: Set(media_type.to_string()),
        refcount: Set(1),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::column(library_blobs::Column::Sha256)
            .value(
                library_blobs::Column::Refcount,
                Expr::col((library_blobs::Entity, library_blobs::Column::Refcount)).add(1),
            )
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Counts one version less using the blob `sha256`; returns whether none uses it any more (its
/// row is then gone, and the caller removes the bytes after its transaction commits).
pub async fn drop_blob_ref(db: &impl ConnectionTrait, sha256: &str) -> Result<bool, DbError> {
    library_blobs::Entity::update_many()
        .col_expr(library_blobs::Column::Refcount, Expr::col(library_blobs::Column::Refcount).sub(1))
        .filter(library_blobs::Column::Sha256.eq(sha256))
        .exec(db)
        .await?;
    let gone = library_blobs::Entity::delete_many()
        .filter(library_blobs::Column::Sha256.eq(sha256))
        .filter(library_blobs::Column::Refcount.lte(0))
        .exec(db)
        .await?;
    Ok(gone.rows_affected > 0)
}

/// The instance's secret `name`: the stored one, or `candidate` stored now when there is none
/// (several processes starting together all read the same one).
pub async fn secret(db: &impl ConnectionTrait, name: &str, candidate: &str) -> Result<String, DbError> {
    instance_secrets::Entity::insert(instance_secrets::ActiveModel {
        name: Set(name.to_string()),
        value: Set(candidate.to_string()),
        created_at: Set(crate::now()),
    })
    .on_conflict(OnConflict::column(instance_secrets::Column::Name).do_nothing().to_owned())
    .do_nothing()
    .exec(db)
    .await?;
    instance_secrets::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .map(|s| s.value)
        .ok_or_else(|| DbError::Invalid(format!("the secret {name} was not stored")))
}
