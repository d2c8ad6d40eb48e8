//! `polls` table: the poll of a status (local, or a remote `Question`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub status_id: i64,
    /// Option titles, as a JSON array of strings.
    pub options: String,
    /// Votes per option as the origin last announced them (remote polls), a JSON array.
    pub cached_counts: String,
    /// Voters as the origin last announced them (remote polls).
    pub cached_voters: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    /// Whether the `poll` notification of its end went out (once).
    pub end_notified: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
