//! `event_participants` table: who takes part in an event, one row per event and account.
use sea_orm::entity::prelude::*;
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub event_id: i64,
    pub account_id: i64,
    /// `accepted`, `tentative`, `pending`, `waitlisted` or `rejected`.
    pub state: String,
    /// The `Join` (or `TentativeAccept`) activity's id; answers name it.
    pub join_uri: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// When the reminder was sent (once).
    pub reminded_at: Option<ChronoDateTimeUtc>,
}
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}
impl ActiveModelBehavior for ActiveModel {}
