//! `instance_software` table: a remote server's software, from its NodeInfo.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_software")]
pub struct Model {
    /// Host, with `:port` when not the default, as in `instances`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub domain: String,
    /// NodeInfo's `software.name`, lower case; `None` when the server has no NodeInfo.
    pub name: Option<String>,
    pub version: Option<String>,
    pub checked_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
