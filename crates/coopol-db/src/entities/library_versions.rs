//! `library_versions` table: The versions of a library document, each a blob; earlier ones are kept.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub document_id: i64,
    /// 1 for the first upload, then 2, 3...
    pub number: i32,
    /// The content, a key of the blob store (hex SHA-256).
    pub blob_sha256: String,
    pub size: i64,
    /// Sniffed from the bytes at upload.
    pub media_type: String,
    pub uploaded_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
