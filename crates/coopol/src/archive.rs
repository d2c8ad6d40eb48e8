//! Portable archives (`docs/archive-format.md`): an actor's profile, posts, followers and
//! members as one versioned JSON file, exported from the old instance and imported into the
//! new one before a move. An archive is untrusted input: every field is validated and bounded,
//! and nothing is written unless the whole archive is valid.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use coopol_db::entities::{accounts, status_tags, statuses};
use coopol_db::{moves, queries, Db};
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The `format` of every archive.
pub const FORMAT: &str = "coopol-archive";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;
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
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveMember {
    pub id: String,
    pub role: String,
}

/// Builds the archive of a local account.
pub async fn build(db: &Db, domain: &str, a: &accounts::Model) -> Result<Archive, Error> {
    let posts = moves::posts_for_export(db, a.id, &EXPORTED_VISIBILITIES).await?;
    let mut by_id: HashMap<i64, String> = HashMap::new();
    for p in &posts {
        by_id.insert(p.id, p.uri.clone());
    }
    let posts = posts
        .into_iter()
        .map(|s| ArchivePost {
            in_reply_to: s.in_reply_to_uri.clone().or_else(|| s.in_reply_to_id.and_then(|i| by_id.get(&i).cloned())),
            id: s.uri,
            url: s.url,
            published: s.created_at,
            content: s.content,
            source: s.source_text,
            summary: s.spoiler_text,
            sensitive: s.sensitive,
            visibility: s.visibility,
            language: s.language,
        })
        .collect();
    Ok(Archive {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: coopol_db::now(),
        instance: domain.to_string(),
        actor: ArchiveActor {
            id: a.uri.clone(),
            kind: a.actor_type.clone(),
            username: a.username.clone(),
            name: a.display_name.clone(),
            summary: a.note.clone(),
            url: a.url.clone(),
            locked: a.locked,
        },
        posts,
        followers: moves::follower_uris(db, a.id).await?,
        members: members(db, a).await?,
    })
}

/// A group's accepted members with their role (none for a person).
async fn members(db: &Db, a: &accounts::Model) -> Result<Vec<ArchiveMember>, Error> {
    if a.actor_type != coopol_db::groups::GROUP {
        return Ok(Vec::new());
    }
    let people = coopol_db::groups::people(db, a.id, MAX_ACTORS as u64).await?;
    Ok(people
        .into_iter()
        .filter(|p| !p.pending)
        .map(|p| ArchiveMember { id: p.account.uri, role: p.role.as_str().to_string() })
        .collect())
}

/// Writes the archive of `a` to `path` (through a temporary file, so a failed export never
/// leaves half a file under the name asked for). Returns (posts, followers, members).
pub async fn export(db: &Db, domain: &str, a: &accounts::Model, path: &Path) -> Result<(usize, usize, usize), Error> {
    let archive = build(db, domain, a).await?;
    let io = |what: String| move |e| Error::Io { what, source: e };
    let tmp = path.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).map_err(io(format!("cannot create {}", tmp.display())))?;
    serde_json::to_writer_pretty(&mut f, &archive)
        .map_err(|e| Error::Io { what: format!("cannot write {}", tmp.display()), source: e.into() })?;
    f.write_all(b"\n").and_then(|_| f.sync_all()).map_err(io(format!("cannot write {}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(io(format!("cannot write {}", path.display())))?;
    Ok((archive.posts.len(), archive.followers.len(), archive.members.len()))
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
    if a.version != VERSION {
        return bad(format!("version {} is not supported (this coopol reads version {VERSION})", a.version));
    }
    if !valid_uri(&a.actor.id) {
        return bad("actor.id is not an http(s) URL".into());
    }
    if !matches!(a.actor.kind.as_str(), "Person" | "Group") {
        return bad(format!("actor.type {:?} is not Person or Group", a.actor.kind));
    }
    if a.posts.len() > MAX_POSTS {
        return bad(format!("more than {MAX_POSTS} posts"));
    }
    if a.followers.len() > MAX_ACTORS || a.members.len() > MAX_ACTORS {
        return bad(format!("more than {MAX_ACTORS} followers or members"));
    }
    for (i, p) in a.posts.iter().enumerate() {
        let at = |what: &str| format!("posts[{i}]: {what}");
        if !valid_uri(&p.id) || !valid_uri(&p.url) {
            return bad(at("id and url must be http(s) URLs"));
        }
        if p.in_reply_to.as_deref().is_some_and(|r| !valid_uri(r)) {
            return bad(at("in_reply_to must be an http(s) URL"));
        }
        if !EXPORTED_VISIBILITIES.contains(&p.visibility.as_str()) {
            return bad(at("visibility must be public, unlisted or private"));
        }
        if p.content.len() > MAX_CONTENT_BYTES || p.source.as_ref().is_some_and(|s| s.len() > MAX_CONTENT_BYTES) {
            return bad(at(&format!("content longer than {MAX_CONTENT_BYTES} bytes")));
        }
        if p.content.trim().is_empty() {
            return bad(at("empty content"));
        }
        if p.summary.chars().count() > MAX_SUMMARY_CHARS {
            return bad(at(&format!("summary longer than {MAX_SUMMARY_CHARS} characters")));
        }
        if p.language.as_ref().is_some_and(|l| l.is_empty() || l.len() > 16) {
            return bad(at("language must be a short language tag"));
        }
        if p.published > Utc::now() + chrono::Duration::days(1) {
            return bad(at("published is in the future"));
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

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub posts: usize,
    /// Posts already imported before (same original id): left as they are.
    pub already: usize,
    pub followers: usize,
    pub members: usize,
}

/// Imports a validated archive into the local account `into`: its posts become local posts
/// (new ids, the original publication time), the followers and members are remembered (they
/// are accepted back, with their role, when they follow `into`), and `into` declares the old
/// actor in `alsoKnownAs`. Importing the same archive again adds nothing.
pub async fn import(
    db: &Db,
    config: &coopol_federation::InstanceConfig,
    archive: &Archive,
    into: &accounts::Model,
) -> Result<Imported, Error> {
    validate(archive)?;
    if archive.actor.id == into.uri {
        return Err(Error::Usage("this archive was exported from this very account".into()));
    }
    let mut done = Imported::default();
    // Original id → local status id, for replies within the archive.
    let mut local_ids: HashMap<String, i64> = HashMap::new();
    let mut order: Vec<&ArchivePost> = archive.posts.iter().collect();
    order.sort_by_key(|p| p.published);
    for chunk in order.chunks(200) {
        // Reads first: on SQLite a transaction must begin with a write.
        let mut todo = Vec::new();
        for p in chunk {
            match moves::imported_status(db, &p.id).await? {
                Some(id) => {
                    local_ids.insert(p.id.clone(), id);
                    done.already += 1;
                }
                None => {
                    let parent = match &p.in_reply_to {
                        Some(r) => match local_ids.get(r) {
                            Some(id) => queries::status_by_id(db, *id).await?,
                            None => queries::status_by_uri(db, r).await?,
                        },
                        None => None,
                    };
                    todo.push((p, parent));
                }
            }
        }
        if todo.is_empty() {
            continue;
        }
        let txn = db.begin().await?;
        for (p, parent) in todo {
            // Ids sort by time: the post keeps its place among the account's posts.
            let id = coopol_core::id::id_at(p.published.timestamp_millis());
            statuses::ActiveModel {
                id: Set(id),
                uri: Set(config.status_url(&into.username, id)),
                url: Set(format!("{}/{id}", config.profile_url(&into.username))),
                account_id: Set(into.id),
                in_reply_to_id: Set(parent.as_ref().map(|s| s.id)),
                in_reply_to_uri: Set(parent.as_ref().map(|s| s.uri.clone()).or_else(|| p.in_reply_to.clone())),
                in_reply_to_account_id: Set(parent.as_ref().map(|s| s.account_id)),
                reblog_of_id: Set(None),
                content: Set(coopol_federation::notes::sanitize_html(&p.content)),
                source_text: Set(p.source.clone()),
                spoiler_text: Set(p.summary.clone()),
                sensitive: Set(p.sensitive || !p.summary.is_empty()),
                visibility: Set(p.visibility.clone()),
                language: Set(p.language.clone()),
                local: Set(true),
                created_at: Set(p.published),
                edited_at: Set(None),
            }
            .insert(&txn)
            .await?;
            if let Some(src) = &p.source {
                for t in coopol_core::text::hashtags(src) {
                    status_tags::ActiveModel { id: Set(coopol_core::new_id()), status_id: Set(id), name: Set(t) }
                        .insert(&txn)
                        .await?;
                }
            }
            moves::record_import(&txn, &p.id, id, into.id).await?;
            local_ids.insert(p.id.clone(), id);
            done.posts += 1;
        }
        txn.commit().await?;
    }
    let txn = db.begin().await?;
    for f in &archive.followers {
        moves::add_archive_member(&txn, into.id, f, FOLLOWER_ROLE).await?;
        done.followers += 1;
    }
    for m in &archive.members {
        moves::add_archive_member(&txn, into.id, &m.id, &m.role).await?;
        done.members += 1;
    }
    txn.commit().await?;
    let fresh = queries::account_by_id(db, into.id).await?.unwrap_or_else(|| into.clone());
    moves::add_alias(db, &fresh, &archive.actor.id).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::testing;

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
        }
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
            },
            posts,
            followers: vec!["https://a.example/users/f".into()],
            members: vec![],
        }
    }

    #[test]
    fn bad_archives_are_refused_with_the_field_named() {
        assert!(validate(&archive(vec![post("https://old.example/1")])).is_ok());
        type Spoil = Box<dyn Fn(&mut Archive)>;
        let cases: Vec<(Spoil, &str)> = vec![
            (Box::new(|a| a.format = "other".into()), "format"),
            (Box::new(|a| a.version = 2), "version 2"),
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
        let new_status = |text: &'static str, v| coopol_api::service::NewStatus {
            text,
            visibility: Some(v),
            in_reply_to_id: None,
            spoiler_text: "",
            sensitive: false,
            language: None,
        };
        use coopol_core::Visibility;
        let first = coopol_api::service::create_status(&fed, &old, new_status("one #moving", Visibility::Public))
            .await
            .unwrap();
        coopol_api::service::create_status(&fed, &old, new_status("two", Visibility::Private)).await.unwrap();
        coopol_api::service::create_status(&fed, &old, new_status("@neworg secret", Visibility::Direct)).await.unwrap();

        let dir = std::env::temp_dir().join(format!("coopol-archive-{}", coopol_core::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("oldorg.json");
        let (posts, followers, _) = export(&db, &config.domain, &old, &path).await.unwrap();
        assert_eq!((posts, followers), (2, 0), "direct messages are not exported");
        let read_back = read(&path).unwrap();
        assert_eq!(read_back.actor.id, old.uri);

        let done = import(&db, &config.instance(), &read_back, &new).await.unwrap();
        assert_eq!(done.posts, 2);
        let again = import(&db, &config.instance(), &read_back, &new).await.unwrap();
        assert_eq!((again.posts, again.already), (0, 2), "a second import adds nothing");

        let mine = moves::posts_for_export(&db, new.id, &EXPORTED_VISIBILITIES).await.unwrap();
        assert_eq!(mine.len(), 2);
        let copy = mine.iter().find(|s| s.source_text.as_deref() == Some("one #moving")).unwrap();
        assert_eq!(copy.created_at, first.created_at, "the original time is kept");
        assert_ne!(copy.uri, first.uri);
        assert!(copy.uri.starts_with("http://localhost:18091/users/neworg/"), "{}", copy.uri);
        assert_eq!(coopol_core::id::id_time(copy.id), first.created_at, "ids sort by the original time");
        let new = queries::account_by_id(&db, new.id).await.unwrap().unwrap();
        assert_eq!(moves::aliases(&new), vec![old.uri.clone()]);

        // Followers and members listed in an archive are remembered with their role.
        let mut listed = archive(vec![]);
        listed.actor.id = "https://old.example/users/org2".into();
        listed.members.push(ArchiveMember { id: "https://b.example/users/m".into(), role: "moderator".into() });
        import(&db, &config.instance(), &listed, &new).await.unwrap();
        assert_eq!(
            moves::archive_role(&db, new.id, "https://a.example/users/f").await.unwrap().as_deref(),
            Some(FOLLOWER_ROLE)
        );
        assert_eq!(
            moves::archive_role(&db, new.id, "https://b.example/users/m").await.unwrap().as_deref(),
            Some("moderator")
        );

        // A broken file is refused and nothing is written.
        std::fs::write(&path, b"{\"format\": \"coopol-archive\"").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("not a coopol archive"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
