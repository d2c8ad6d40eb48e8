//! Writing an archive: the actor, its own posts, its followers and members and, for a group,
//! the posts it announced, each with its media files (base64) when this instance holds them.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use coopol_api::media::Media;
use coopol_db::entities::{accounts, statuses};
use coopol_db::{moves, queries, Db};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    Archive, ArchiveActor, ArchiveAttachment, ArchiveAuthor, ArchiveGroupPost, ArchiveImage, ArchiveMember,
    ArchivePost, EXPORTED_VISIBILITIES, FORMAT, MAX_ACTORS, MAX_FILE_BYTES, MAX_POSTS, VERSION,
};
use crate::error::Error;

/// What an export wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub posts: usize,
    pub group_posts: usize,
    pub media_files: usize,
    /// Media files left out (exported as links to where they are served) to keep the archive
    /// within what an import reads.
    pub media_linked: usize,
    pub followers: usize,
    pub members: usize,
}

/// Builds the archive of a local account (a person or a group).
pub async fn build(db: &Db, media: &Media, domain: &str, a: &accounts::Model) -> Result<Archive, Error> {
    let own = moves::posts_for_export(db, a.id, &EXPORTED_VISIBILITIES).await?;
    let by_id: HashMap<i64, String> = own.iter().map(|p| (p.id, p.uri.clone())).collect();
    let mut posts = Vec::with_capacity(own.len());
    for s in own {
        let in_reply_to = s.in_reply_to_uri.clone().or_else(|| s.in_reply_to_id.and_then(|i| by_id.get(&i).cloned()));
        posts.push(post(db, media, s, in_reply_to).await?);
    }
    let (avatar, header) = coopol_db::profile_images::images_of(db, a.id).await?;
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
            avatar: image(media, avatar).await?,
            header: image(media, header).await?,
        },
        posts,
        followers: moves::follower_uris(db, a.id).await?,
        members: members(db, a).await?,
        group_posts: group_posts(db, media, domain, a).await?,
    })
}

/// An avatar or header, with its file when this instance holds it.
async fn image(
    media: &Media,
    row: Option<coopol_db::entities::profile_images::Model>,
) -> Result<Option<ArchiveImage>, Error> {
    let Some(row) = row else { return Ok(None) };
    let data = match &row.file_key {
        Some(key) => file(media, key).await?,
        None => None,
    };
    Ok(Some(ArchiveImage { content_type: row.content_type, url: row.url, data }))
}

/// A file of the media store, base64.
async fn file(media: &Media, key: &str) -> Result<Option<String>, Error> {
    let bytes = media.store.get(key).await.map_err(|e| Error::Api(format!("cannot read the media file {key}: {e}")))?;
    if bytes.is_none() {
        tracing::warn!(key, "a media file is missing from the store: exported as a link");
    }
    Ok(bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(&b)))
}

/// One post with its attachments, hashtags and mentions.
async fn post(db: &Db, media: &Media, s: statuses::Model, in_reply_to: Option<String>) -> Result<ArchivePost, Error> {
    let attachments = attachments(db, media, s.id).await?;
    let tags = coopol_db::entities::status_tags::Entity::find()
        .filter(coopol_db::entities::status_tags::Column::StatusId.eq(s.id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mention_ids = queries::mentioned_ids(db, s.id).await?;
    let mentions = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(mention_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.uri)
        .collect();
    Ok(ArchivePost {
        tags,
        mentions,
        in_reply_to,
        id: s.uri,
        url: s.url,
        published: s.created_at,
        content: s.content,
        source: s.source_text,
        summary: s.spoiler_text,
        sensitive: s.sensitive,
        visibility: s.visibility,
        language: s.language,
        attachments,
    })
}

/// The attachments of a status; the file itself when it is in this instance's store.
async fn attachments(db: &Db, media: &Media, status_id: i64) -> Result<Vec<ArchiveAttachment>, Error> {
    let rows = coopol_db::media::attachments_of_status(db, status_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let data = match &m.file_key {
            Some(key) => file(media, key).await?,
            None => None,
        };
        out.push(ArchiveAttachment {
            kind: m.kind,
            content_type: m.content_type,
            url: m.remote_url.unwrap_or(m.url),
            description: m.description,
            data,
        });
    }
    Ok(out)
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

/// The posts a group announced, with their authors (none for a person).
async fn group_posts(
    db: &Db,
    media: &Media,
    domain: &str,
    a: &accounts::Model,
) -> Result<Vec<ArchiveGroupPost>, Error> {
    if a.actor_type != coopol_db::groups::GROUP {
        return Ok(Vec::new());
    }
    let rows = moves::group_posts_for_export(db, a.id, &EXPORTED_VISIBILITIES, MAX_POSTS as u64).await?;
    let mut authors: HashMap<i64, Option<ArchiveAuthor>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let author = match authors.get(&s.account_id) {
            Some(a) => a.clone(),
            None => {
                let a = queries::account_by_id(db, s.account_id).await?.map(|u| ArchiveAuthor {
                    handle: format!("{}@{}", u.username, u.domain.as_deref().unwrap_or(domain)),
                    name: u.display_name,
                    id: u.uri,
                });
                authors.insert(s.account_id, a.clone());
                a
            }
        };
        let Some(author) = author else { continue };
        let in_reply_to = match (&s.in_reply_to_uri, s.in_reply_to_id) {
            (Some(uri), _) => Some(uri.clone()),
            (None, Some(parent)) => queries::status_by_id(db, parent).await?.map(|p| p.uri),
            (None, None) => None,
        };
        out.push(ArchiveGroupPost { author, post: post(db, media, s, in_reply_to).await? });
    }
    Ok(out)
}

/// Writes the archive of `a` to `path` (through a temporary file, so a failed export never
/// leaves half a file under the name asked for).
pub async fn export(db: &Db, media: &Media, domain: &str, a: &accounts::Model, path: &Path) -> Result<Exported, Error> {
    let mut archive = build(db, media, domain, a).await?;
    let media_linked = fit(&mut archive, MAX_FILE_BYTES)?;
    let io = |what: String| move |e| Error::Io { what, source: e };
    let tmp = path.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).map_err(io(format!("cannot create {}", tmp.display())))?;
    serde_json::to_writer_pretty(&mut f, &archive)
        .map_err(|e| Error::Io { what: format!("cannot write {}", tmp.display()), source: e.into() })?;
    f.write_all(b"\n").and_then(|_| f.sync_all()).map_err(io(format!("cannot write {}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(io(format!("cannot write {}", path.display())))?;
    let all_posts = archive.posts.iter().chain(archive.group_posts.iter().map(|g| &g.post));
    Ok(Exported {
        posts: archive.posts.len(),
        group_posts: archive.group_posts.len(),
        media_files: all_posts.flat_map(|p| &p.attachments).filter(|m| m.data.is_some()).count(),
        media_linked,
        followers: archive.followers.len(),
        members: archive.members.len(),
    })
}

/// Counts the bytes written through it.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn written_size(archive: &Archive) -> Result<u64, Error> {
    let mut count = Counter(0);
    serde_json::to_writer_pretty(&mut count, archive)
        .map_err(|e| Error::Io { what: "cannot measure the archive".into(), source: e.into() })?;
    Ok(count.0 + 1)
}

/// Keeps the archive within `max` bytes (what an import reads): the largest media files are
/// left out, as links to where they are served, until it fits. Returns how many were.
fn fit(archive: &mut Archive, max: u64) -> Result<usize, Error> {
    let mut size = written_size(archive)?;
    if size <= max {
        return Ok(0);
    }
    let mut files: Vec<&mut ArchiveAttachment> = archive
        .posts
        .iter_mut()
        .chain(archive.group_posts.iter_mut().map(|g| &mut g.post))
        .flat_map(|p| p.attachments.iter_mut())
        .filter(|m| m.data.is_some())
        .collect();
    files.sort_by_key(|m| std::cmp::Reverse(m.data.as_ref().map_or(0, String::len)));
    let mut linked = 0;
    for m in files {
        if size <= max {
            break;
        }
        // A JSON string of base64 holds no escapes: its size is its length plus the quotes,
        // and `null` takes its place.
        let freed = m.data.take().map_or(0, |d| d.len() as u64 + 2).saturating_sub(4);
        size = size.saturating_sub(freed);
        linked += 1;
    }
    if linked > 0 {
        tracing::warn!(
            linked,
            "media files exported as links: with them the archive would exceed what an import reads"
        );
    }
    if written_size(archive)? > max {
        return Err(Error::Usage(format!(
            "the archive would be larger than {max} bytes even without its media files: too large to import"
        )));
    }
    Ok(linked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(len: usize) -> ArchiveAttachment {
        ArchiveAttachment {
            kind: "image".into(),
            content_type: "image/png".into(),
            url: "https://old.example/files/x.png".into(),
            description: None,
            data: Some("A".repeat(len)),
        }
    }

    #[test]
    fn an_archive_too_large_to_import_links_its_largest_media_files_instead() {
        let mut archive = super::super::tests::archive_with_posts(3);
        archive.posts[0].attachments = vec![attachment(5_000), attachment(100)];
        archive.posts[1].attachments = vec![attachment(3_000)];
        let full = written_size(&archive).unwrap();
        assert_eq!(fit(&mut archive, full).unwrap(), 0, "it fits: nothing left out");
        // Room for all but the largest file.
        let linked = fit(&mut archive, full - 4_000).unwrap();
        assert_eq!(linked, 1);
        assert!(archive.posts[0].attachments[0].data.is_none(), "the largest went");
        assert!(archive.posts[0].attachments[1].data.is_some() && archive.posts[1].attachments[0].data.is_some());
        assert!(written_size(&archive).unwrap() <= full - 4_000);
        assert!(fit(&mut archive, 10).is_err(), "even without media it would not fit");
    }
}
