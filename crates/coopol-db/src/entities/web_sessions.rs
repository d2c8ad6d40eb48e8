//! `web_sessions` table: a signed-in browser (the web interface).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// SHA-256 of the cookie's random value, hex: a database leak yields no usable session.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: i64,
    /// The token every form of this session carries (CSRF).
    pub csrf_token: String,
    /// The browser's `User-Agent`, shortened: how the sessions list tells them apart.
    pub user_agent: String,
    pub created_at: ChronoDateTimeUtc,
    pub last_seen_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
