//! `delivery_jobs` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub inbox_url: String,
    /// Host (with port) of the inbox, for per-instance health.
    pub domain: String,
    /// The local account whose key signs the request.
    pub sender_account_id: i64,
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    /// A worker holds the job until then (crash-safe lease).
    pub locked_until: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
