//! `oauth_tokens` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    /// SHA-256 of the bearer token, hex: a database leak yields no usable token.
    pub token_hash: String,
    pub refresh_hash: Option<String>,
    pub app_id: Option<i64>,
    /// `None` for client-credentials tokens.
    pub user_id: Option<i64>,
    pub scopes: String,
    pub created_at: ChronoDateTimeUtc,
    pub revoked_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
