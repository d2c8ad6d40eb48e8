//! `invitations` table: invitation links to sign up (`/invite/<code>`), made by an admin or a
//! moderator, single or multi-use, with an optional expiry.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The code in the link (random, URL-safe).
    #[sea_orm(unique)]
    pub code: String,
    /// The account of who made it.
    pub created_by: i64,
    /// `None`: no limit.
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<ChronoDateTimeUtc>,
    pub revoked: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
