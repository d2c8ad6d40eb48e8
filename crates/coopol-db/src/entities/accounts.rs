//! `accounts` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    pub display_name: String,
    pub note: String,
    #[sea_orm(unique)]
    /// The actor id.
    pub uri: String,
    pub url: String,
    pub actor_type: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    /// Only local accounts (and the instance actor) have one.
    pub private_key_pem: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub suspended: bool,
    pub moved_to_uri: Option<String>,
    /// JSON array of actor ids.
    pub also_known_as: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// When a remote actor was last fetched.
    pub fetched_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
