//! `media_attachments` table: an uploaded file (local) or a remote one we link to.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The uploader (local) or the author of the remote status.
    pub account_id: i64,
    /// Unset until a status carries it.
    pub status_id: Option<i64>,
    /// Order within the status.
    pub position: i32,
    /// Mastodon's type: `image`, `gifv`, `video`, `audio` or `unknown`.
    pub kind: String,
    /// The sniffed MIME type (local) or the announced one (remote).
    pub content_type: String,
    /// Storage key of the original file (local only).
    pub file_key: Option<String>,
    /// Storage key of the thumbnail (local images only).
    pub thumbnail_key: Option<String>,
    /// Where the file is served (for remote media, its remote URL).
    pub url: String,
    pub preview_url: Option<String>,
    /// The file's URL on its origin server (remote media only).
    pub remote_url: Option<String>,
    pub description: Option<String>,
    pub blurhash: Option<String>,
    /// Mastodon's `meta` object, as JSON.
    pub meta: String,
    pub file_size: i64,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
