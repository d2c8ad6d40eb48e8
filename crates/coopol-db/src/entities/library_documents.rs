//! `library_documents` table: A document of a local group's library; its bytes are its versions.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub group_account_id: i64,
    /// The folder it is in; `None` at the top of the library.
    pub folder_id: Option<i64>,
    /// Neutralised (`coopol_service::library::clean_name`).
    pub name: String,
    /// Plain text.
    pub description: String,
    /// The number of its latest version (1, 2, ...).
    pub current_version: i32,
    /// Who added it (the first version).
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
