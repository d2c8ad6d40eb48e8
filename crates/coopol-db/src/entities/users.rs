//! `users` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(unique)]
    pub account_id: i64,
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: String,
    pub created_at: ChronoDateTimeUtc,
    /// `false` while the account waits for an admin's or moderator's approval: it cannot sign in.
    pub approved: bool,
    /// Why they want to join, as written when signing up on an instance that approves accounts.
    pub sign_up_reason: Option<String>,
    /// The invitation link they signed up with.
    pub invitation_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
