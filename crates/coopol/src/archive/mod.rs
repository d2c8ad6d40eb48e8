//! Portable archives (`docs/archive-format.md`): an actor's profile, posts, followers and
//! members, and for a group the posts it announced, with their media, as one versioned JSON
//! file, exported from the old instance and imported into the new one before a move. An
//! archive is untrusted input: every field is validated and bounded, and nothing is written
//! unless the whole archive is valid.

mod export;
mod import;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use self::export::export;
pub use self::import::import;
use crate::error::Error;

/// The `format` of every archive.
pub const FORMAT: &str = "coopol-archive";
/// The version this code writes; it reads this one and all older ones.
pub const VERSION: u32 = 3;
/// The oldest version still read.
const OLDEST_VERSION: u32 = 1;
/// Largest archive file read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Most posts, followers and members in one archive.
pub const MAX_POSTS: usize = 200_000;
pub const MAX_ACTORS: usize = 200_000;
/// Bounds of one post (as received posts).
const MAX_CONTENT_BYTES: usize = 100_000;
const MAX_SUMMARY_CHARS: usize = 1_000;
const MAX_URI_BYTES: usize = 2_048;
const MAX_ROLE_CHARS: usize = 32;
const MAX_HANDLE_BYTES: usize = 512;
const MAX_NAME_CHARS: usize = 200;
const MAX_CONTENT_TYPE_BYTES: usize = 100;
/// Most hashtags and mentions of one post, and the longest hashtag.
const MAX_TAGS: usize = 100;
const MAX_TAG_CHARS: usize = 100;
/// Mastodon's attachment types.
const ATTACHMENT_TYPES: [&str; 5] = ["image", "gifv", "video", "audio", "unknown"];
/// The role given to a plain follower in the archive's member table.
pub const FOLLOWER_ROLE: &str = "follower";
/// Visibilities carried by an archive: direct messages are conversations, not the actor's
/// content, and are never exported.
const EXPORTED_VISIBILITIES: [&str; 3] = ["public", "unlisted", "private"];

#[derive(Debug, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The domain of the instance that exported it.
    pub instance: String,
    pub actor: ArchiveActor,
    pub posts: Vec<ArchivePost>,
    /// Actor ids of the accepted followers.
    pub followers: Vec<String>,
    /// Members of a group, with their role (empty for a person).
    #[serde(default)]
    pub members: Vec<ArchiveMember>,
    /// The posts a group announced, by their authors (version 2; empty for a person).
    #[serde(default)]
    pub group_posts: Vec<ArchiveGroupPost>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveActor {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub username: String,
    pub name: String,
    /// HTML.
    pub summary: String,
    pub url: String,
    pub locked: bool,
    /// Profile images (version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<ArchiveImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<ArchiveImage>,
}

/// An avatar or a header image.
#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveImage {
    pub content_type: String,
    /// Where the exporting instance served it.
    pub url: String,
    /// The file, base64 (standard alphabet, padded), when the exporting instance held it.
    #[serde(default)]
    pub data: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ArchivePost {
    /// The post's id on the exporting instance.
    pub id: String,
    pub url: String,
    pub published: DateTime<Utc>,
    /// HTML.
    pub content: String,
    /// What the author typed, when known.
    #[serde(default)]
    pub source: Option<String>,
    /// Content warning.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub sensitive: bool,
    pub visibility: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Version 2.
    #[serde(default)]
    pub attachments: Vec<ArchiveAttachment>,
    /// Hashtags, without `#` (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Actor ids of the accounts it mentions (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
}

/// A post a group announced: a member's post, with its original id and author.
#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveGroupPost {
    pub author: ArchiveAuthor,
    #[serde(flatten)]
    pub post: ArchivePost,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveAuthor {
    /// The author's actor id.
    pub id: String,
    /// `user@domain`.
    pub handle: String,
    pub name: String,
}

/// A media attachment of a post.
#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveAttachment {
    /// Mastodon's type: `image`, `gifv`, `video`, `audio` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
    pub content_type: String,
    /// Where the file was served (for a file the exporting instance did not hold, its origin).
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The file itself, base64 (standard alphabet, padded), when the exporting instance held it.
    #[serde(default)]
    pub data: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveMember {
    pub id: String,
    pub role: String,
}

/// Reads and parses an archive file, bounded in size.
pub fn read(path: &Path) -> Result<Archive, Error> {
    let io = |e| Error::Io { what: format!("cannot read {}", path.display()), source: e };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Error::Usage(format!("{} is larger than {MAX_FILE_BYTES} bytes", path.display())));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Usage(format!("{} is not a coopol archive: {e}", path.display())))
}

fn valid_uri(s: &str) -> bool {
    s.len() <= MAX_URI_BYTES
        && url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// Checks everything before anything is written; the error names the first bad field.
pub fn validate(a: &Archive) -> Result<(), Error> {
    let bad = |what: String| Err(Error::Usage(format!("invalid archive: {what}")));
    if a.format != FORMAT {
        return bad(format!("format is {:?}, expected {FORMAT:?}", a.format));
    }
    if !(OLDEST_VERSION..=VERSION).contains(&a.version) {
        return bad(format!(
            "version {} is not supported (this coopol reads versions {OLDEST_VERSION} to {VERSION})",
            a.version
        ));
    }
    if !valid_uri(&a.actor.id) {
        return bad("actor.id is not an http(s) URL".into());
    }
    if !matches!(a.actor.kind.as_str(), "Person" | "Group") {
        return bad(format!("actor.type {:?} is not Person or Group", a.actor.kind));
    }
    for (what, image) in [("avatar", &a.actor.avatar), ("header", &a.actor.header)] {
        if let Some(i) = image {
            if !valid_uri(&i.url) || i.content_type.is_empty() || i.content_type.len() > MAX_CONTENT_TYPE_BYTES {
                return bad(format!("actor.{what} needs an http(s) url and a content_type"));
            }
        }
    }
    if a.posts.len() > MAX_POSTS || a.group_posts.len() > MAX_POSTS {
        return bad(format!("more than {MAX_POSTS} posts or group posts"));
    }
    if a.followers.len() > MAX_ACTORS || a.members.len() > MAX_ACTORS {
        return bad(format!("more than {MAX_ACTORS} followers or members"));
    }
    if !a.group_posts.is_empty() && a.actor.kind != "Group" {
        return bad("group_posts in the archive of a Person".into());
    }
    for (i, p) in a.posts.iter().enumerate() {
        check_post(p).or_else(|what| bad(format!("posts[{i}]: {what}")))?;
    }
    for (i, g) in a.group_posts.iter().enumerate() {
        check_post(&g.post).or_else(|what| bad(format!("group_posts[{i}]: {what}")))?;
        check_author(&g.author).or_else(|what| bad(format!("group_posts[{i}].author: {what}")))?;
        // A post's id is on its author's server: an archive cannot put words in the mouth of
        // someone on a third server.
        if !same_origin(&g.post.id, &g.author.id) {
            return bad(format!("group_posts[{i}]: id is not on the server of its author"));
        }
    }
    for (i, f) in a.followers.iter().enumerate() {
        if !valid_uri(f) {
            return bad(format!("followers[{i}] is not an http(s) URL"));
        }
    }
    for (i, m) in a.members.iter().enumerate() {
        let role_ok = !m.role.is_empty()
            && m.role.chars().count() <= MAX_ROLE_CHARS
            && m.role.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        let group_role_ok = a.actor.kind != "Group" || m.role.parse::<coopol_core::group::GroupRole>().is_ok();
        if !valid_uri(&m.id) || !role_ok || !group_role_ok {
            return bad(format!("members[{i}] needs an http(s) id and a role (admin, moderator, member, sympathiser)"));
        }
    }
    Ok(())
}

/// The bounds of one post (own or announced); the error says what is wrong.
fn check_post(p: &ArchivePost) -> Result<(), String> {
    if !valid_uri(&p.id) || !valid_uri(&p.url) {
        return Err("id and url must be http(s) URLs".into());
    }
    if p.in_reply_to.as_deref().is_some_and(|r| !valid_uri(r)) {
        return Err("in_reply_to must be an http(s) URL".into());
    }
    if !EXPORTED_VISIBILITIES.contains(&p.visibility.as_str()) {
        return Err("visibility must be public, unlisted or private".into());
    }
    if p.content.len() > MAX_CONTENT_BYTES || p.source.as_ref().is_some_and(|s| s.len() > MAX_CONTENT_BYTES) {
        return Err(format!("content longer than {MAX_CONTENT_BYTES} bytes"));
    }
    if p.content.trim().is_empty() && p.attachments.is_empty() {
        return Err("empty content".into());
    }
    if p.summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(format!("summary longer than {MAX_SUMMARY_CHARS} characters"));
    }
    if p.language.as_ref().is_some_and(|l| l.is_empty() || l.len() > 16) {
        return Err("language must be a short language tag".into());
    }
    if p.published > Utc::now() + chrono::Duration::days(1) {
        return Err("published is in the future".into());
    }
    if p.attachments.len() > coopol_db::media::MAX_ATTACHMENTS {
        return Err(format!("more than {} attachments", coopol_db::media::MAX_ATTACHMENTS));
    }
    if p.tags.len() > MAX_TAGS || p.mentions.len() > MAX_TAGS {
        return Err(format!("more than {MAX_TAGS} tags or mentions"));
    }
    let tag_ok = |t: &String| {
        !t.is_empty() && t.chars().count() <= MAX_TAG_CHARS && t.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if !p.tags.iter().all(tag_ok) {
        return Err("tags must be hashtags without '#' (letters, digits, _)".into());
    }
    if !p.mentions.iter().all(|m| valid_uri(m)) {
        return Err("mentions must be http(s) actor ids".into());
    }
    for (j, m) in p.attachments.iter().enumerate() {
        if !ATTACHMENT_TYPES.contains(&m.kind.as_str()) {
            return Err(format!("attachments[{j}]: type must be one of {}", ATTACHMENT_TYPES.join(", ")));
        }
        if !valid_uri(&m.url) {
            return Err(format!("attachments[{j}]: url must be an http(s) URL"));
        }
        if m.content_type.is_empty() || m.content_type.len() > MAX_CONTENT_TYPE_BYTES {
            return Err(format!("attachments[{j}]: content_type must be a MIME type"));
        }
        if m.description.as_ref().is_some_and(|d| d.chars().count() > coopol_api::media::MAX_DESCRIPTION) {
            return Err(format!(
                "attachments[{j}]: description longer than {} characters",
                coopol_api::media::MAX_DESCRIPTION
            ));
        }
    }
    Ok(())
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

fn check_author(a: &ArchiveAuthor) -> Result<(), String> {
    if !valid_uri(&a.id) {
        return Err("id must be an http(s) URL".into());
    }
    if a.handle.len() > MAX_HANDLE_BYTES || a.name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("handle longer than {MAX_HANDLE_BYTES} bytes or name than {MAX_NAME_CHARS} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::testing;
    use base64::Engine;
    use coopol_db::{moves, queries};
    use sea_orm::{ActiveModelTrait, Set};

    fn post(id: &str) -> ArchivePost {
        ArchivePost {
            id: id.into(),
            url: id.into(),
            published: "2024-05-01T10:00:00Z".parse().unwrap(),
            content: "<p>hello</p>".into(),
            source: Some("hello #moving".into()),
            summary: String::new(),
            sensitive: false,
            visibility: "public".into(),
            language: Some("en".into()),
            in_reply_to: None,
            attachments: vec![],
            tags: vec![],
            mentions: vec![],
        }
    }

    /// An archive of `n` posts, for the export tests.
    pub(super) fn archive_with_posts(n: usize) -> Archive {
        archive((0..n).map(|i| post(&format!("https://old.example/{i}"))).collect())
    }

    fn archive(posts: Vec<ArchivePost>) -> Archive {
        Archive {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: Utc::now(),
            instance: "old.example".into(),
            actor: ArchiveActor {
                id: "https://old.example/users/org".into(),
                kind: "Person".into(),
                username: "org".into(),
                name: "Org".into(),
                summary: String::new(),
                url: "https://old.example/@org".into(),
                locked: false,
                avatar: None,
                header: None,
            },
            posts,
            followers: vec!["https://a.example/users/f".into()],
            members: vec![],
            group_posts: vec![],
        }
    }

    fn announced(id: &str, author: &str) -> ArchiveGroupPost {
        ArchiveGroupPost {
            author: ArchiveAuthor { id: author.into(), handle: "m@a.example".into(), name: "M".into() },
            post: post(id),
        }
    }

    fn image(data: Option<&str>) -> ArchiveAttachment {
        ArchiveAttachment {
            kind: "image".into(),
            content_type: "image/png".into(),
            url: "https://a.example/media/1.png".into(),
            description: Some("a map".into()),
            data: data.map(String::from),
        }
    }

    /// A 1×1 PNG.
    const PNG_1X1: &str =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    #[test]
    fn version_1_archives_are_still_read() {
        let v1 = r#"{"format": "coopol-archive", "version": 1, "exported_at": "2026-11-01T00:00:00Z",
            "instance": "old.example",
            "actor": {"id": "https://old.example/users/org", "type": "Group", "username": "org", "name": "Org",
                      "summary": "", "url": "https://old.example/@org", "locked": false},
            "posts": [{"id": "https://old.example/s/1", "url": "https://old.example/@org/1",
                       "published": "2026-10-01T18:30:00Z", "content": "<p>hi</p>", "visibility": "public"}],
            "followers": ["https://a.example/users/ana"],
            "members": [{"id": "https://b.example/users/bob", "role": "moderator"}]}"#;
        let a: Archive = serde_json::from_str(v1).unwrap();
        validate(&a).unwrap();
        assert_eq!((a.version, a.posts.len(), a.group_posts.len()), (1, 1, 0));
        assert!(a.posts[0].attachments.is_empty());
    }

    #[test]
    fn bad_archives_are_refused_with_the_field_named() {
        assert!(validate(&archive(vec![post("https://old.example/1")])).is_ok());
        type Spoil = Box<dyn Fn(&mut Archive)>;
        let cases: Vec<(Spoil, &str)> = vec![
            (Box::new(|a| a.format = "other".into()), "format"),
            (Box::new(|a| a.version = VERSION + 1), "is not supported"),
            (Box::new(|a| a.posts[0].tags = vec!["#tag".into()]), "posts[0]: tags"),
            (Box::new(|a| a.posts[0].mentions = vec!["mailto:x@y".into()]), "posts[0]: mentions"),
            (
                Box::new(|a| {
                    a.actor.avatar =
                        Some(ArchiveImage { content_type: "image/png".into(), url: "data:x".into(), data: None })
                }),
                "actor.avatar",
            ),
            (Box::new(|a| a.version = 0), "version 0"),
            (
                Box::new(|a| a.group_posts.push(announced("https://a.example/p/1", "https://a.example/u/m"))),
                "of a Person",
            ),
            (
                Box::new(|a| {
                    a.actor.kind = "Group".into();
                    a.group_posts.push(announced("https://a.example/p/1", "https://b.example/u/m"));
                }),
                "group_posts[0]: id is not on the server of its author",
            ),
            (
                Box::new(|a| {
                    a.actor.kind = "Group".into();
                    a.group_posts.push(announced("https://a.example/p/1", "javascript:x"));
                }),
                "group_posts[0].author",
            ),
            (Box::new(|a| a.posts[0].attachments = (0..5).map(|_| image(None)).collect()), "more than 4 attachments"),
            (
                Box::new(|a| a.posts[0].attachments.push(ArchiveAttachment { kind: "script".into(), ..image(None) })),
                "posts[0]: attachments[0]: type",
            ),
            (
                Box::new(|a| {
                    a.posts[0].attachments.push(ArchiveAttachment { url: "file:///etc/passwd".into(), ..image(None) })
                }),
                "attachments[0]: url",
            ),
            (Box::new(|a| a.actor.id = "javascript:alert(1)".into()), "actor.id"),
            (Box::new(|a| a.actor.kind = "Application".into()), "actor.type"),
            (Box::new(|a| a.posts[0].visibility = "direct".into()), "posts[0]: visibility"),
            (Box::new(|a| a.posts[0].content = "x".repeat(MAX_CONTENT_BYTES + 1)), "posts[0]: content"),
            (Box::new(|a| a.posts[0].content = " ".into()), "posts[0]: empty"),
            (Box::new(|a| a.posts[0].id = "not a url".into()), "posts[0]: id"),
            (Box::new(|a| a.posts[0].summary = "x".repeat(MAX_SUMMARY_CHARS + 1)), "posts[0]: summary"),
            (Box::new(|a| a.posts[0].published = Utc::now() + chrono::Duration::days(30)), "future"),
            (Box::new(|a| a.followers.push("ftp://x/y".into())), "followers[1]"),
            (
                Box::new(|a| a.members.push(ArchiveMember { id: "https://a/b".into(), role: "Admin!".into() })),
                "members[0]",
            ),
        ];
        for (spoil, expected) in cases {
            let mut a = archive(vec![post("https://old.example/1")]);
            spoil(&mut a);
            let err = validate(&a).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
    }

    #[tokio::test]
    async fn export_then_import_carries_posts_once_and_records_the_alias() {
        for t in testing::all("localhost:18091", true).await {
            export_then_import_on(&t.config).await;
            t.cleanup().await;
        }
    }

    async fn export_then_import_on(config: &crate::config::Config) {
        let db = crate::setup::open(config).await.unwrap();
        let fed = coopol_federation::Federation::new(config.instance(), db.clone()).await.unwrap();
        let old = coopol_federation::actors::create_local_account(&db, &config.instance(), "oldorg").await.unwrap();
        let new = coopol_federation::actors::create_local_account(&db, &config.instance(), "neworg").await.unwrap();
        use coopol_core::Visibility;
        use coopol_service::statuses;
        let publish = |text: &'static str, v| {
            let fed = fed.clone();
            let old = old.clone();
            async move {
                let new = statuses::NewStatus {
                    text,
                    visibility: Some(v),
                    in_reply_to_id: None,
                    spoiler_text: "",
                    sensitive: false,
                    language: None,
                    mentions: statuses::known_mentions(&fed, text).await.unwrap(),
                    extras: Default::default(),
                };
                statuses::create(&fed, &old, new).await.unwrap()
            }
        };
        let first = publish("one #moving", Visibility::Public).await;
        publish("two", Visibility::Private).await;
        publish("@neworg secret", Visibility::Direct).await;
        // The first post carries an image, uploaded as a client does.
        let media = crate::serve::media(config).unwrap();
        let png = base64::engine::general_purpose::STANDARD.decode(PNG_1X1).unwrap();
        let prepared = coopol_api::media::check_and_prepare(media.limits, png.into()).await.ok().unwrap();
        let mut row =
            coopol_api::media::store_prepared(&media, old.id, prepared, Some("a dot".into()), None).await.ok().unwrap();
        row.status_id = Set(Some(first.id));
        let original = row.insert(&db).await.unwrap();

        let dir = std::env::temp_dir().join(format!("coopol-archive-{}", coopol_core::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("oldorg.json");
        let e = export(&db, &media, &config.domain, &old, &path).await.unwrap();
        assert_eq!((e.posts, e.followers, e.media_files), (2, 0, 1), "direct messages are not exported");
        let read_back = read(&path).unwrap();
        assert_eq!(read_back.actor.id, old.uri);
        assert_eq!(read_back.version, VERSION);

        let done = import(&fed, &media, &read_back, &new).await.unwrap();
        assert_eq!((done.posts, done.media_files), (2, 1));
        let again = import(&fed, &media, &read_back, &new).await.unwrap();
        assert_eq!((again.posts, again.already, again.media_files), (0, 2, 0), "a second import adds nothing");

        let mine = moves::posts_for_export(&db, new.id, &EXPORTED_VISIBILITIES).await.unwrap();
        assert_eq!(mine.len(), 2);
        let copy = mine.iter().find(|s| s.source_text.as_deref() == Some("one #moving")).unwrap();
        assert_eq!(copy.created_at, first.created_at, "the original time is kept");
        assert_ne!(copy.uri, first.uri);
        assert!(copy.uri.starts_with("http://localhost:18091/users/neworg/"), "{}", copy.uri);
        assert_eq!(coopol_core::id::id_time(copy.id), first.created_at, "ids sort by the original time");
        // The image is in the store again, as a file of the new post.
        let copied = coopol_db::media::attachments_of_status(&db, copy.id).await.unwrap();
        assert_eq!(copied.len(), 1);
        let (a, b) = (&copied[0], &original);
        assert_ne!(a.file_key, b.file_key);
        assert_eq!((a.kind.as_str(), a.description.as_deref()), ("image", Some("a dot")));
        let stored = media.store.get(a.file_key.as_deref().unwrap()).await.unwrap().unwrap();
        assert_eq!(stored, media.store.get(b.file_key.as_deref().unwrap()).await.unwrap().unwrap());
        assert!(a.thumbnail_key.is_some(), "the image got its thumbnail again");
        let new = queries::account_by_id(&db, new.id).await.unwrap().unwrap();
        assert_eq!(moves::aliases(&new), vec![old.uri.clone()]);

        // Followers and members listed in an archive are remembered with their role.
        let mut listed = archive(vec![]);
        listed.actor.id = "https://old.example/users/org2".into();
        listed.members.push(ArchiveMember { id: "https://b.example/users/m".into(), role: "moderator".into() });
        import(&fed, &media, &listed, &new).await.unwrap();
        assert_eq!(
            moves::archive_role(&db, new.id, "https://a.example/users/f").await.unwrap().as_deref(),
            Some(FOLLOWER_ROLE)
        );
        assert_eq!(
            moves::archive_role(&db, new.id, "https://b.example/users/m").await.unwrap().as_deref(),
            Some("moderator")
        );

        // A file that is not what it claims is refused before anything is written.
        let mut fake = archive(vec![post("https://old.example/9")]);
        fake.actor.id = "https://old.example/users/org3".into();
        fake.posts[0].attachments.push(ArchiveAttachment {
            data: Some(base64::engine::general_purpose::STANDARD.encode(b"<svg onload=alert(1)></svg>")),
            ..image(None)
        });
        let err = import(&fed, &media, &fake, &new).await.unwrap_err().to_string();
        assert!(err.contains("posts[0].attachments[0]") && err.contains("File type not supported"), "{err}");
        assert!(moves::imported_status(&db, "https://old.example/9").await.unwrap().is_none());
        let new = queries::account_by_id(&db, new.id).await.unwrap().unwrap();
        assert!(!moves::aliases(&new).contains(&fake.actor.id), "nothing was written");

        // A broken file is refused and nothing is written.
        std::fs::write(&path, b"{\"format\": \"coopol-archive\"").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("not a coopol archive"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_groups_announced_posts_are_held_by_their_authors_and_sent_nowhere() {
        for t in testing::all("localhost:18092", false).await {
            group_posts_on(&t.config).await;
            t.cleanup().await;
        }
    }

    /// A remote actor this instance knows (as if its document had been fetched).
    async fn known_remote(db: &coopol_db::Db, uri: &str, name: &str) -> coopol_db::entities::accounts::Model {
        let now = coopol_db::now();
        coopol_db::entities::accounts::ActiveModel {
            id: Set(coopol_core::new_id()),
            username: Set(name.into()),
            domain: Set(Some("remote.test:9".into())),
            display_name: Set(name.into()),
            note: Set(String::new()),
            uri: Set(uri.into()),
            url: Set(uri.into()),
            actor_type: Set("Person".into()),
            inbox_url: Set(format!("{uri}/inbox")),
            shared_inbox_url: Set(None),
            outbox_url: Set(None),
            followers_url: Set(None),
            following_url: Set(None),
            public_key_id: Set(format!("{uri}#main-key")),
            public_key_pem: Set(String::new()),
            private_key_pem: Set(None),
            locked: Set(false),
            bot: Set(false),
            suspended: Set(false),
            moved_to_uri: Set(None),
            also_known_as: Set("[]".into()),
            created_at: Set(now),
            updated_at: Set(now),
            fetched_at: Set(None),
        }
        .insert(db)
        .await
        .unwrap()
    }

    async fn group_posts_on(config: &crate::config::Config) {
        use coopol_db::entities::{group_posts, outbox};
        use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
        let db = crate::setup::open(config).await.unwrap();
        let fed = coopol_federation::Federation::new(config.instance(), db.clone()).await.unwrap();
        let media = crate::serve::media(config).unwrap();
        let new_group = coopol_federation::actors::NewGroup {
            name: "newgrp",
            display_name: "New",
            description: "",
            rules: "",
            join_mode: coopol_core::JoinMode::Open,
            private: false,
            members_visible: false,
        };
        let (group, _) =
            coopol_federation::actors::create_local_group(&db, &config.instance(), &new_group, None).await.unwrap();
        let rita = known_remote(&db, "http://remote.test:9/users/rita", "rita").await;

        let mut a = archive(vec![]);
        a.actor.kind = "Group".into();
        a.actor.avatar = Some(ArchiveImage {
            content_type: "image/png".into(),
            url: "https://old.example/files/avatar.png".into(),
            data: Some(PNG_1X1.into()),
        });
        let mut with_image = announced("http://remote.test:9/users/rita/statuses/1", &rita.uri);
        with_image.post.attachments.push(image(Some(PNG_1X1)));
        with_image.post.tags = vec!["Manif".into(), "manif".into()];
        with_image.post.mentions = vec![rita.uri.clone(), "http://remote.test:9/users/unknown".into()];
        with_image.post.published = "2024-05-01T09:00:00Z".parse().unwrap();
        let mut linked = announced("http://remote.test:9/users/rita/statuses/2", &rita.uri);
        linked.post.attachments.push(image(None));
        linked.post.attachments[0].url = "http://remote.test:9/media/2.png".into();
        linked.post.content = "<p>hi</p><script>alert(1)</script>".into();
        // An author this instance cannot fetch (a closed port on loopback).
        let gone = announced("http://127.0.0.1:9/users/gone/statuses/3", "http://127.0.0.1:9/users/gone");
        a.group_posts = vec![with_image, linked, gone];
        let intents = outbox::Entity::find().count(&db).await.unwrap();

        let done = import(&fed, &media, &a, &group).await.unwrap();
        assert_eq!((done.group_posts, done.skipped, done.media_files), (2, 1, 1), "{done:?}");
        let first = queries::status_by_uri(&db, "http://remote.test:9/users/rita/statuses/1").await.unwrap().unwrap();
        assert_eq!((first.account_id, first.local), (rita.id, false), "held as rita's remote post");
        assert_eq!(first.created_at, a.group_posts[0].post.published);
        let second = queries::status_by_uri(&db, "http://remote.test:9/users/rita/statuses/2").await.unwrap().unwrap();
        assert!(!second.content.contains("script"), "sanitised: {}", second.content);
        assert!(coopol_db::groups::group_post(&db, group.id, first.id).await.unwrap().is_some());
        let files = coopol_db::media::attachments_of_status(&db, first.id).await.unwrap();
        assert!(files[0].file_key.is_some() && files[0].url.starts_with(&format!("{}/media/", config.base_url())));
        let links = coopol_db::media::attachments_of_status(&db, second.id).await.unwrap();
        assert_eq!(
            (links[0].file_key.as_deref(), links[0].remote_url.as_deref()),
            (None, Some("http://remote.test:9/media/2.png"))
        );
        // Its hashtag and the mention of an account known here come along.
        let tags = coopol_db::entities::status_tags::Entity::find().all(&db).await.unwrap();
        assert_eq!(tags.iter().map(|t| (t.status_id, t.name.as_str())).collect::<Vec<_>>(), vec![(first.id, "manif")]);
        assert_eq!(queries::mentioned_ids(&db, first.id).await.unwrap(), vec![rita.id]);
        // The group's avatar is taken, processed as an upload.
        let (avatar, header) = coopol_db::profile_images::images_of(&db, group.id).await.unwrap();
        assert!(avatar.unwrap().file_key.is_some() && header.is_none());
        assert_eq!(done.profile_images, 1);
        // Nothing is sent but the new group's profile change.
        let sent: Vec<coopol_core::Intent> = outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .iter()
            .skip(usize::try_from(intents).unwrap())
            .map(|r| serde_json::from_str(&r.intent).unwrap())
            .collect();
        assert_eq!(sent, vec![coopol_core::Intent::UpdateAccount { account_id: group.id }]);

        let again = import(&fed, &media, &a, &group).await.unwrap();
        assert_eq!((again.group_posts, again.group_already, again.media_files), (0, 2, 0), "{again:?}");
        assert_eq!(again.profile_images, 0, "the group has its avatar now: kept");
        assert_eq!(group_posts::Entity::find().count(&db).await.unwrap(), 2);
    }
}
