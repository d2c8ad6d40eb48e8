//! `events` table: one row beside each event's companion status (same `uri`), local or remote.
use sea_orm::entity::prelude::*;
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The companion status (timelines, replies, boosts, deletes).
    pub status_id: i64,
    pub uri: String,
    pub url: String,
    /// The organiser person.
    pub account_id: i64,
    /// The organising group's account, if any.
    pub group_id: Option<i64>,
    pub title: String,
    /// Markdown as typed (local events only).
    pub description_source: Option<String>,
    pub description_html: String,
    pub starts_at: ChronoDateTimeUtc,
    pub ends_at: Option<ChronoDateTimeUtc>,
    /// IANA zone name; `starts_at`/`ends_at` are UTC.
    pub timezone: String,
    pub location_name: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub category: Option<String>,
    pub capacity: Option<i32>,
    /// `free`, `approval` or `members`.
    pub join_mode: String,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: String,
    pub image_url: Option<String>,
    pub anonymous_participation: bool,
    /// Accepted participants (remote events: what the origin last published).
    pub participants_count: i32,
    pub local: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}
impl ActiveModelBehavior for ActiveModel {}
