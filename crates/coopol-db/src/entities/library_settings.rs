//! `library_settings` table: A local group's library settings (no row: the defaults).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_account_id: i64,
    /// Who may add files and versions: `everyone` (sympathisers too), `members` or
    /// `moderators` (`coopol_service::library::AddMode`).
    pub add_mode: String,
    /// Anyone may read the library (only for a public group).
    pub public: bool,
    /// The group's quota in bytes, set by the instance's admin; `None`: the instance default.
    pub quota_bytes: Option<i64>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
