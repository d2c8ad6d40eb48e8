//! `library_blobs` table: The blobs the library stores, once per content, and how many versions use each.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_blobs")]
pub struct Model {
    /// Hex SHA-256 of the content: its key in the blob store.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    /// How many `library_versions` rows use it; the blob is removed when none does.
    pub refcount: i64,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
