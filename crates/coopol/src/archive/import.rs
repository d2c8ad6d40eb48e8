//! Reading an archive into a local actor. Everything is checked first (fields, then every
//! media file, sniffed and processed as an upload is); then the actor's own posts become its
//! local posts, a group's announced posts are held like remote posts this instance knows and
//! announced again by the new group (locally only: nothing is sent), and the followers,
//! members and alias are recorded. A second import adds nothing.

use coopol_db::WriteTxn;
use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use base64::Engine;
use coopol_api::media::{self, Media, MediaError, Prepared};
use coopol_api::profile_images::ProcessedProfileImage;
use coopol_db::entities::{accounts, group_posts, media_attachments};
use coopol_db::{groups, moves, queries};
use coopol_federation::{actors, Federation};
use coopol_service::statuses::{self, Draft};
use sea_orm::{ActiveModelTrait, Set};

use super::{validate, Archive, ArchiveAttachment, ArchiveGroupPost, ArchivePost, FOLLOWER_ROLE};
use crate::error::Error;

/// Posts written per transaction.
const CHUNK: usize = 200;

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub posts: usize,
    /// Posts already imported before (same original id): left as they are.
    pub already: usize,
    /// Announced posts of a group added to the new group.
    pub group_posts: usize,
    /// Announced posts already in the new group.
    pub group_already: usize,
    /// Announced posts left out because their author could not be reached.
    pub skipped: usize,
    /// Media files stored.
    pub media_files: usize,
    /// Avatar and header taken from the archive (only where the account had none).
    pub profile_images: usize,
    pub followers: usize,
    pub members: usize,
}

/// Where a post sits in the archive: its own posts, or a group's announced ones.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Own(usize),
    Group(usize),
}

/// Imports a validated archive into the local account `into` (see the module's doc).
pub async fn import(
    fed: &Federation,
    media: &Media,
    archive: &Archive,
    into: &accounts::Model,
) -> Result<Imported, Error> {
    validate(archive)?;
    if archive.actor.id == into.uri {
        return Err(Error::Usage("this archive was exported from this very account".into()));
    }
    let settings = if archive.group_posts.is_empty() {
        None
    } else {
        Some(
            groups::settings(&fed.db, into.id)
                .await?
                .filter(|_| into.actor_type == groups::GROUP)
                .ok_or_else(|| Error::Usage(format!("{} is not a group: group posts cannot go there", into.uri)))?,
        )
    };
    let mut files = prepare_files(media, archive).await?;
    let images = prepare_profile_images(fed, media, archive, into).await?;
    let mut done = Imported::default();
    own_posts(fed, media, archive, into, &mut files, &mut done).await?;
    if let Some(g) = settings {
        announced_posts(fed, media, archive, into, &g, &mut files, &mut done).await?;
    }
    let txn = fed.db.begin_write().await?;
    for f in &archive.followers {
        moves::add_archive_member(&txn, into.id, f, FOLLOWER_ROLE).await?;
        done.followers += 1;
    }
    for m in &archive.members {
        moves::add_archive_member(&txn, into.id, &m.id, &m.role).await?;
        done.members += 1;
    }
    txn.commit().await?;
    done.profile_images = images.len();
    coopol_api::profile_images::store(fed, media, into, images).await.map_err(|e| Error::Api(e.to_string()))?;
    let fresh = queries::account_by_id(&fed.db, into.id).await?.unwrap_or_else(|| into.clone());
    moves::add_alias(&fed.db, &fresh, &archive.actor.id).await?;
    Ok(done)
}

/// Decodes and checks every media file of the archive, as an upload is checked (type sniffed
/// from the bytes, size limit of that type, images decoded within bounds and re-encoded),
/// before anything is written.
async fn prepare_files(media: &Media, archive: &Archive) -> Result<HashMap<(Slot, usize), Prepared>, Error> {
    let own = archive.posts.iter().enumerate().map(|(i, p)| (Slot::Own(i), p));
    let announced = archive.group_posts.iter().enumerate().map(|(i, g)| (Slot::Group(i), &g.post));
    let mut out = HashMap::new();
    for (slot, p) in own.chain(announced) {
        for (j, a) in p.attachments.iter().enumerate() {
            let Some(data) = &a.data else { continue };
            let at = match slot {
                Slot::Own(i) => format!("posts[{i}].attachments[{j}]"),
                Slot::Group(i) => format!("group_posts[{i}].attachments[{j}]"),
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| Error::Usage(format!("invalid archive: {at}: data is not base64: {e}")))?;
            let prepared = media::check_and_prepare(media.limits, Bytes::from(bytes)).await.map_err(|e| {
                let why = match e {
                    MediaError::Api(e) => e.to_string(),
                    MediaError::TooLarge(m) => m,
                };
                Error::Usage(format!("invalid archive: {at}: {why}"))
            })?;
            out.insert((slot, j), prepared);
        }
    }
    Ok(out)
}

/// The archive's avatar and header, decoded and processed as uploaded ones are, for the kinds
/// the account has none of yet (a picture chosen on the new instance is kept).
async fn prepare_profile_images(
    fed: &Federation,
    media: &Media,
    archive: &Archive,
    into: &accounts::Model,
) -> Result<Vec<ProcessedProfileImage>, Error> {
    let (avatar, header) = coopol_db::profile_images::images_of(&fed.db, into.id).await?;
    let mut wanted = Vec::new();
    for (kind, image, current) in
        [("avatar", &archive.actor.avatar, avatar.is_some()), ("header", &archive.actor.header, header.is_some())]
    {
        let Some(data) = image.as_ref().and_then(|i| i.data.as_ref()).filter(|_| !current) else { continue };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| Error::Usage(format!("invalid archive: actor.{kind}: data is not base64: {e}")))?;
        wanted.push((kind.to_string(), Bytes::from(bytes)));
    }
    coopol_api::profile_images::process_all(media, wanted)
        .await
        .map_err(|e| Error::Usage(format!("invalid archive: actor's avatar or header: {e}")))
}

/// A post's visibility as the archive names it.
fn visibility(name: &str) -> Result<coopol_core::Visibility, Error> {
    name.parse().map_err(|e: coopol_core::CoreError| Error::Usage(format!("archive post: {e}")))
}

/// The accounts this instance knows among the actor ids a post mentions.
async fn known_mentions(db: &coopol_db::Db, uris: &[String]) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::new();
    for uri in uris {
        if let Some(a) = queries::account_by_uri(db, uri).await? {
            if !ids.contains(&a.id) {
                ids.push(a.id);
            }
        }
    }
    Ok(ids)
}

/// Stores the files of a post's attachments and returns their rows (not inserted yet).
async fn attachment_rows(
    media: &Media,
    files: &mut HashMap<(Slot, usize), Prepared>,
    slot: Slot,
    attachments: &[ArchiveAttachment],
    owner_id: i64,
) -> Result<Vec<media_attachments::ActiveModel>, Error> {
    let mut rows = Vec::with_capacity(attachments.len());
    for (j, a) in attachments.iter().enumerate() {
        let mut row = match files.remove(&(slot, j)) {
            Some(p) => media::store_prepared(media, owner_id, p, a.description.clone(), None).await.map_err(|e| {
                Error::Api(match e {
                    MediaError::Api(e) => e.to_string(),
                    MediaError::TooLarge(m) => m,
                })
            })?,
            // A file the old instance did not hold: linked where it is, like remote media.
            None => media_attachments::ActiveModel {
                id: Set(coopol_core::new_id()),
                account_id: Set(owner_id),
                status_id: Set(None),
                position: Set(0),
                kind: Set(a.kind.clone()),
                content_type: Set(a.content_type.clone()),
                file_key: Set(None),
                thumbnail_key: Set(None),
                url: Set(a.url.clone()),
                preview_url: Set(None),
                remote_url: Set(Some(a.url.clone())),
                description: Set(a.description.clone()),
                blurhash: Set(None),
                meta: Set("{}".into()),
                file_size: Set(0),
                created_at: Set(coopol_db::now()),
            },
        };
        row.position = Set(i32::try_from(j).unwrap_or(i32::MAX));
        rows.push(row);
    }
    Ok(rows)
}

/// Inserts attachment rows for a status, in the caller's transaction.
async fn insert_attachments(
    txn: &impl sea_orm::ConnectionTrait,
    rows: Vec<media_attachments::ActiveModel>,
    status_id: i64,
    done: &mut Imported,
) -> Result<(), Error> {
    for mut row in rows {
        if matches!(&row.file_key, sea_orm::ActiveValue::Set(Some(_))) {
            done.media_files += 1;
        }
        row.status_id = Set(Some(status_id));
        row.insert(txn).await?;
    }
    Ok(())
}

/// The actor's own posts become local posts of `into` (new ids, the original time).
async fn own_posts(
    fed: &Federation,
    media: &Media,
    archive: &Archive,
    into: &accounts::Model,
    files: &mut HashMap<(Slot, usize), Prepared>,
    done: &mut Imported,
) -> Result<(), Error> {
    let db = &fed.db;
    let config = &fed.config;
    // Original id → local status id, for replies within the archive.
    let mut local_ids: HashMap<String, i64> = HashMap::new();
    let mut order: Vec<(usize, &ArchivePost)> = archive.posts.iter().enumerate().collect();
    order.sort_by_key(|(_, p)| p.published);
    for chunk in order.chunks(CHUNK) {
        // Reads (and file storage) first: on SQLite a transaction must begin with a write.
        let mut todo = Vec::new();
        for (i, p) in chunk {
            match moves::imported_status(db, &p.id).await? {
                Some(id) => {
                    local_ids.insert(p.id.clone(), id);
                    done.already += 1;
                }
                None if local_ids.contains_key(&p.id) => done.already += 1,
                None => {
                    let parent = match &p.in_reply_to {
                        Some(r) => match local_ids.get(r) {
                            Some(id) => queries::status_by_id(db, *id).await?,
                            None => queries::status_by_uri(db, r).await?,
                        },
                        None => None,
                    };
                    let rows = attachment_rows(media, files, Slot::Own(*i), &p.attachments, into.id).await?;
                    let mentioned = known_mentions(db, &p.mentions).await?;
                    // Ids sort by time: the post keeps its place among the account's posts.
                    let id = coopol_core::id::id_at(p.published.timestamp_millis());
                    local_ids.insert(p.id.clone(), id);
                    todo.push((id, p, parent, rows, mentioned));
                }
            }
        }
        if todo.is_empty() {
            continue;
        }
        let txn = db.begin_write().await?;
        for (id, p, parent, rows, mentioned) in todo {
            // Version 3 lists the tags; older archives give the typed text to find them in.
            let tags = match (&p.source, p.tags.is_empty()) {
                (Some(src), true) => coopol_core::text::hashtags(src),
                _ => p.tags.clone(),
            };
            // A local post, through the service's one status path: its own time, no intent
            // (its followers saw it where it was first posted).
            let draft = Draft {
                id,
                uri: config.status_url(&into.username, id),
                url: format!("{}/{id}", config.profile_url(&into.username)),
                account_id: into.id,
                in_reply_to: parent.as_ref(),
                in_reply_to_uri: p.in_reply_to.clone(),
                content: coopol_federation::wire::sanitize_html(&p.content),
                source_text: p.source.clone(),
                spoiler_text: p.summary.clone(),
                sensitive: p.sensitive || !p.summary.is_empty(),
                visibility: visibility(&p.visibility)?,
                language: p.language.clone(),
                local: true,
                created_at: p.published,
                mentioned: &mentioned,
                tags: &tags,
            };
            statuses::store(&txn, draft).await?;
            insert_attachments(&txn, rows, id, done).await?;
            moves::record_import(&txn, &p.id, id, into.id).await?;
            done.posts += 1;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// The author of an announced post as this instance knows them: already known, or fetched
/// from their server by id. `None` when they cannot be reached (their posts are left out).
async fn author(
    fed: &Federation,
    known: &mut HashMap<String, Option<accounts::Model>>,
    id: &str,
) -> Result<Option<accounts::Model>, Error> {
    if let Some(a) = known.get(id) {
        return Ok(a.clone());
    }
    let found = match queries::account_by_uri(&fed.db, id).await? {
        Some(a) => Some(a),
        None if fed.config.is_local(id) => None,
        None => match actors::fetch_actor(fed, id).await {
            Ok(a) if a.uri == id => Some(a),
            Ok(a) => {
                tracing::warn!(author = id, got = %a.uri, "an archive's author answers with another id: posts left out");
                None
            }
            Err(e) => {
                tracing::warn!(author = id, error = %e, "an archive's author cannot be fetched: posts left out");
                None
            }
        },
    };
    let found = found.filter(|a| !a.suspended);
    known.insert(id.to_string(), found.clone());
    Ok(found)
}

/// A group's announced posts: held like remote posts this instance knows (original id,
/// author and time; never sent as new posts), and announced by `group` here, so that they are
/// in its timeline. No `Announce` is sent: its followers saw them when they were posted.
async fn announced_posts(
    fed: &Federation,
    media: &Media,
    archive: &Archive,
    group: &accounts::Model,
    g: &coopol_db::entities::groups::Model,
    files: &mut HashMap<(Slot, usize), Prepared>,
    done: &mut Imported,
) -> Result<(), Error> {
    let db = &fed.db;
    let mut known: HashMap<String, Option<accounts::Model>> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut order: Vec<(usize, &ArchiveGroupPost)> = archive.group_posts.iter().enumerate().collect();
    order.sort_by_key(|(_, p)| p.post.published);
    for chunk in order.chunks(CHUNK) {
        // Reads (and file storage) first: on SQLite a transaction must begin with a write.
        let mut todo = Vec::new();
        for (i, gp) in chunk {
            let p = &gp.post;
            if !seen.insert(p.id.as_str()) {
                done.group_already += 1;
                continue;
            }
            let Some(author) = author(fed, &mut known, &gp.author.id).await? else {
                done.skipped += 1;
                continue;
            };
            let existing = queries::status_by_uri(db, &p.id).await?;
            if let Some(s) = &existing {
                if s.account_id != author.id || s.reblog_of_id.is_some() {
                    tracing::warn!(post = %p.id, "an archive's post is known here with another author: left out");
                    done.skipped += 1;
                    continue;
                }
                if groups::group_post(db, group.id, s.id).await?.is_some() {
                    done.group_already += 1;
                    continue;
                }
            }
            let parent = match &p.in_reply_to {
                Some(r) => queries::status_by_uri(db, r).await?,
                None => None,
            };
            let rows = match existing {
                Some(_) => Vec::new(),
                None => attachment_rows(media, files, Slot::Group(*i), &p.attachments, author.id).await?,
            };
            let mentioned = known_mentions(db, &p.mentions).await?;
            todo.push((p, author, existing, parent, rows, mentioned));
        }
        if todo.is_empty() {
            continue;
        }
        let txn = db.begin_write().await?;
        for (p, author, existing, parent, rows, mentioned) in todo {
            let status_id = match existing {
                Some(s) => s.id,
                None => {
                    let id = coopol_core::id::id_at(p.published.timestamp_millis());
                    // A remote post as this instance knows it: its own id, time and author.
                    let draft = Draft {
                        id,
                        uri: p.id.clone(),
                        url: p.url.clone(),
                        account_id: author.id,
                        in_reply_to: parent.as_ref(),
                        in_reply_to_uri: p.in_reply_to.clone(),
                        content: coopol_federation::wire::sanitize_html(&p.content),
                        source_text: None,
                        spoiler_text: p.summary.clone(),
                        sensitive: p.sensitive || !p.summary.is_empty(),
                        visibility: visibility(&p.visibility)?,
                        language: p.language.clone(),
                        local: false,
                        created_at: p.published,
                        mentioned: &mentioned,
                        tags: &p.tags,
                    };
                    statuses::store(&txn, draft).await?;
                    insert_attachments(&txn, rows, id, done).await?;
                    id
                }
            };
            // The group's announce, at the post's time so that it keeps its place in the
            // group's timeline. No intent: nothing is sent.
            let id = coopol_core::id::id_at(p.published.timestamp_millis());
            let announce_uri = format!("{}/announces/{id}", group.uri);
            group_posts::ActiveModel {
                id: Set(id),
                group_account_id: Set(group.id),
                status_id: Set(status_id),
                announce_uri: Set(announce_uri.clone()),
                created_at: Set(p.published),
            }
            .insert(&txn)
            .await?;
            let mut boost = queries::boost_row(id, &announce_uri, group.id, status_id, true);
            boost.created_at = Set(p.published);
            if g.private {
                boost.visibility = Set(coopol_core::Visibility::Private.as_str().to_string());
            }
            boost.insert(&txn).await?;
            done.group_posts += 1;
        }
        txn.commit().await?;
    }
    Ok(())
}
