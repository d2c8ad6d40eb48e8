//! Writing an archive: the actor, its own posts, its followers and members and, for a group,
//! the posts it announced, each with its media files (base64) when this instance holds them.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use coopol_api::media::Media;
use coopol_db::entities::{accounts, statuses};
use coopol_db::{moves, queries, Db};

use super::{
    Archive, ArchiveActor, ArchiveAttachment, ArchiveAuthor, ArchiveGroupPost, ArchiveMember, ArchivePost,
    EXPORTED_VISIBILITIES, FORMAT, MAX_ACTORS, MAX_POSTS, VERSION,
};
use crate::error::Error;

/// What an export wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub posts: usize,
    pub group_posts: usize,
    pub media_files: usize,
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
        group_posts: group_posts(db, media, domain, a).await?,
    })
}

/// One post with its attachments.
async fn post(db: &Db, media: &Media, s: statuses::Model, in_reply_to: Option<String>) -> Result<ArchivePost, Error> {
    let attachments = attachments(db, media, s.id).await?;
    Ok(ArchivePost {
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
            Some(key) => media
                .store
                .get(key)
                .await
                .map_err(|e| Error::Api(format!("cannot read the media file {key}: {e}")))?
                .map(|bytes| base64::engine::general_purpose::STANDARD.encode(&bytes)),
            None => None,
        };
        if m.file_key.is_some() && data.is_none() {
            tracing::warn!(attachment = m.id, "a media file is missing from the store: exported as a link");
        }
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
    let archive = build(db, media, domain, a).await?;
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
        followers: archive.followers.len(),
        members: archive.members.len(),
    })
}
