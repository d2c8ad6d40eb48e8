//! The group library: folders and documents of a local group, each document a history of
//! versions whose bytes live in a content-addressed [`BlobStore`]. Who may read: anyone for a
//! public group whose library its admins made public, otherwise the group's people (members,
//! sympathisers, moderators). Who may add files and versions: as the group's admins set
//! ([`AddMode`]). Uploads stream: the type is sniffed from the first bytes, the size and the
//! quotas are checked while the bytes are written and again in the transaction that records
//! the version, so a refused upload stores nothing. Downloads are short-lived links signed
//! with the instance's `library_links` secret ([`Library::link`], [`Library::check_link`]).

use std::sync::Arc;

use bytes::Bytes;
use coopol_core::group::GroupRole;
use coopol_db::entities::{accounts, groups as group_rows, library_documents as docs, library_folders as folders};
use coopol_db::entities::{library_settings, library_versions as versions};
use coopol_db::groups as gq;
use coopol_db::library as lq;
use coopol_db::WriteTxn;
use coopol_storage::sniff::{self, SNIFF_LEN};
use coopol_storage::{BlobStore, ByteStream, StorageError};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use sha2::Sha256;

use crate::{groups, Service, ServiceError};

/// The longest name of a folder or document, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// The longest description of a document, in characters.
pub const MAX_DESCRIPTION: usize = 5_000;
/// At most this many folders and documents are listed in a folder.
pub const LIST_LIMIT: u64 = 1_000;
/// How deep folders may nest.
pub const MAX_DEPTH: usize = 32;
/// How long a download link is valid, in seconds.
pub const LINK_TTL_SECS: i64 = 30 * 60;
/// The name of the instance secret that signs download links.
pub const LINK_SECRET: &str = "library_links";

/// Size limits of the library, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryLimits {
    /// The largest file.
    pub max_file: u64,
    /// What a group may store, unless the instance's admin set its own quota.
    pub group_quota: u64,
    /// What the library may store for the whole instance.
    pub instance_quota: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for LibraryLimits {
    fn default() -> Self {
        LibraryLimits { max_file: 1024 * MIB, group_quota: 2048 * MIB, instance_quota: 20 * 1024 * MIB }
    }
}

/// What the library's workflows need besides the [`Service`]: the blob store, the limits and
/// the key that signs download links. Cheap to clone.
#[derive(Clone)]
pub struct Library {
    pub store: Arc<dyn BlobStore>,
    pub limits: LibraryLimits,
    key: Arc<[u8]>,
}

/// Why a library workflow refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Over the size limit or a quota (HTTP 413); nothing was stored.
    #[error("{0}")]
    TooLarge(String),
    /// The upload itself broke off (HTTP 400); nothing was stored.
    #[error("{0}")]
    BadUpload(String),
    #[error("library storage: {0}")]
    Storage(StorageError),
}

impl From<sea_orm::DbErr> for LibraryError {
    fn from(e: sea_orm::DbErr) -> Self {
        LibraryError::Service(e.into())
    }
}

impl From<coopol_db::DbError> for LibraryError {
    fn from(e: coopol_db::DbError) -> Self {
        LibraryError::Service(e.into())
    }
}

fn unprocessable(m: impl Into<String>) -> ServiceError {
    ServiceError::Unprocessable(m.into())
}

/// Who may add files and versions to a group's library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddMode {
    /// Everyone in the group, sympathisers too.
    Everyone,
    /// Members, moderators and admins (the default).
    Members,
    /// Moderators and admins only.
    Moderators,
}

impl AddMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AddMode::Everyone => "everyone",
            AddMode::Members => "members",
            AddMode::Moderators => "moderators",
        }
    }
}

impl std::str::FromStr for AddMode {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self, ServiceError> {
        match s {
            "everyone" => Ok(AddMode::Everyone),
            "members" => Ok(AddMode::Members),
            "moderators" => Ok(AddMode::Moderators),
            other => Err(unprocessable(format!("unknown add mode {other:?}: everyone, members or moderators"))),
        }
    }
}

/// Whether someone of `role` (`None`: outside the group, or anonymous) may read the library.
pub fn may_read(private_group: bool, public_library: bool, role: Option<GroupRole>) -> bool {
    (public_library && !private_group) || role.is_some()
}

/// Whether someone of `role` may add files, versions and folders, rename and move.
pub fn may_add(mode: AddMode, role: Option<GroupRole>) -> bool {
    match (mode, role) {
        (_, None) => false,
        (AddMode::Everyone, Some(_)) => true,
        (AddMode::Members, Some(r)) => r != GroupRole::Sympathiser,
        (AddMode::Moderators, Some(r)) => r.can_moderate(),
    }
}

/// Whether someone of `role` may delete a document or folder: moderators, and the one who
/// added it while they may still add.
pub fn may_delete(mode: AddMode, role: Option<GroupRole>, added_it: bool) -> bool {
    role.is_some_and(GroupRole::can_moderate) || (added_it && may_add(mode, role))
}

/// A folder or document name made safe: control characters (NUL too) dropped, `/` and `\`
/// replaced by `_`, spaces trimmed, cut to [`MAX_NAME_BYTES`] keeping a short extension. A
/// name that is empty, `.`, `..` or only dots is refused.
pub fn clean_name(raw: &str) -> Result<String, ServiceError> {
    let replaced: String =
        raw.chars().filter(|c| !c.is_control()).map(|c| if c == '/' || c == '\\' { '_' } else { c }).collect();
    let mut name = replaced.trim().to_string();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        return Err(unprocessable("a name is required (not only dots)"));
    }
    if name.len() > MAX_NAME_BYTES {
        let ext = name.rfind('.').map(|i| name.split_at(i).1.to_string()).filter(|e| e.len() <= 16).unwrap_or_default();
        let mut cut = MAX_NAME_BYTES - ext.len();
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
        name = format!("{}{ext}", name.trim_end());
    }
    Ok(name)
}

/// A group's library settings, with the defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub add_mode: AddMode,
    pub public: bool,
    /// The quota in force, in bytes.
    pub quota: u64,
    /// The quota the instance's admin set for this group, if any.
    pub own_quota: Option<u64>,
}

/// A group as its library sees it, with where the viewer stands.
#[derive(Debug, Clone)]
pub struct Access {
    pub group: accounts::Model,
    pub group_settings: group_rows::Model,
    pub settings: Settings,
    /// The viewer's role (`None`: outside, or anonymous).
    pub role: Option<GroupRole>,
}

impl Access {
    pub fn may_add(&self) -> bool {
        may_add(self.settings.add_mode, self.role)
    }
}

/// What a folder holds, as a reader sees it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub access: Access,
    /// The folder listed (`None`: the top).
    pub folder: Option<folders::Model>,
    /// Its ancestors, from the top.
    pub path: Vec<folders::Model>,
    pub folders: Vec<folders::Model>,
    /// Each document with its latest version.
    pub documents: Vec<(docs::Model, versions::Model)>,
    /// Bytes the group's library uses.
    pub used: u64,
}

/// A download link: the path and query under the instance's address, and until when it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Library {
    /// The library over `store`, with the instance's link secret (made on first use).
    pub async fn new(svc: &Service, store: Arc<dyn BlobStore>, limits: LibraryLimits) -> Result<Self, ServiceError> {
        let secret = lq::secret(&svc.db, LINK_SECRET, &crate::credentials::random_secret()).await?;
        Ok(Library { store, limits, key: Arc::from(secret.into_bytes()) })
    }

    fn signature(&self, sha256: &str, expires: i64, name: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length.
            return String::new();
        };
        mac.update(format!("{sha256}\n{expires}\n{name}").as_bytes());
        coopol_storage::hex(&mac.finalize().into_bytes())
    }

    /// A signed link to the blob `sha256`, served as `name`, valid [`LINK_TTL_SECS`] from `now`.
    pub fn link(&self, svc: &Service, sha256: &str, name: &str, now: chrono::DateTime<chrono::Utc>) -> Link {
        let expires = now.timestamp() + LINK_TTL_SECS;
        let sig = self.signature(sha256, expires, name);
        let name_q: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let url = format!("{}/library/files/{sha256}?exp={expires}&name={name_q}&sig={sig}", svc.config.base_url());
        Link { url, expires_at: chrono::DateTime::from_timestamp(expires, 0).unwrap_or(now) }
    }

    /// Whether a link's signature is ours and it has not expired at `now`.
    pub fn check_link(
        &self,
        sha256: &str,
        expires: i64,
        name: &str,
        sig: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else { return false };
        mac.update(format!("{sha256}\n{expires}\n{name}").as_bytes());
        let Some(given) = from_hex(sig) else { return false };
        expires >= now.timestamp() && mac.verify_slice(&given).is_ok()
    }
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    s.as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).ok().filter(|c| c.len() == 2).and_then(|c| u8::from_str_radix(c, 16).ok()))
        .collect()
}

/// A group's library settings (the defaults when none are stored).
pub async fn settings(svc: &Service, lib: &Library, group_id: i64) -> Result<Settings, ServiceError> {
    let row = library_settings::Entity::find_by_id(group_id).one(&svc.db).await?;
    let own_quota = row.as_ref().and_then(|r| r.quota_bytes).and_then(|q| u64::try_from(q).ok());
    Ok(Settings {
        add_mode: row.as_ref().map_or(Ok(AddMode::Members), |r| r.add_mode.parse())?,
        public: row.as_ref().is_some_and(|r| r.public),
        quota: own_quota.unwrap_or(lib.limits.group_quota),
        own_quota,
    })
}

/// The library of the local group `group_id` for `viewer`: refused (not found for a private
/// group, forbidden otherwise) to those who may not read it.
pub async fn access(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    viewer: Option<&accounts::Model>,
) -> Result<Access, ServiceError> {
    let (group, group_settings) = groups::local(svc, group_id).await?;
    let settings = settings(svc, lib, group.id).await?;
    let role = match viewer {
        Some(v) => gq::role_of(&svc.db, group.id, v.id).await?,
        None => None,
    };
    if !may_read(group_settings.private, settings.public, role) {
        return Err(if group_settings.private {
            ServiceError::NotFound
        } else {
            ServiceError::Forbidden("the group's library is for its members".into())
        });
    }
    Ok(Access { group, group_settings, settings, role })
}

async fn writer(svc: &Service, lib: &Library, group_id: i64, me: &accounts::Model) -> Result<Access, ServiceError> {
    let a = access(svc, lib, group_id, Some(me)).await?;
    if !a.may_add() {
        return Err(ServiceError::Forbidden(format!(
            "in this group, {} may add to the library",
            match a.settings.add_mode {
                AddMode::Everyone => "the group's people",
                AddMode::Members => "members",
                AddMode::Moderators => "moderators",
            }
        )));
    }
    Ok(a)
}

/// A folder of the group.
async fn folder_of(svc: &Service, group_id: i64, id: i64) -> Result<folders::Model, ServiceError> {
    folders::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .filter(|f| f.group_account_id == group_id)
        .ok_or(ServiceError::NotFound)
}

/// A document of the group.
async fn document_of(svc: &Service, group_id: i64, id: i64) -> Result<docs::Model, ServiceError> {
    docs::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .filter(|d| d.group_account_id == group_id)
        .ok_or(ServiceError::NotFound)
}

/// The ancestors of `folder` from the top, ending with it; refuses a loop or too deep a tree.
async fn path_of(svc: &Service, group_id: i64, folder: Option<i64>) -> Result<Vec<folders::Model>, ServiceError> {
    let mut path = Vec::new();
    let mut next = folder;
    while let Some(id) = next {
        if path.len() >= MAX_DEPTH || path.iter().any(|f: &folders::Model| f.id == id) {
            return Err(unprocessable("folders nest too deep"));
        }
        let f = folder_of(svc, group_id, id).await?;
        next = f.parent_id;
        path.push(f);
    }
    path.reverse();
    Ok(path)
}

/// Refuses a second folder or document of the same name in one folder.
async fn check_free(
    svc: &Service,
    group_id: i64,
    folder: Option<i64>,
    name: &str,
    except: Option<i64>,
) -> Result<(), ServiceError> {
    let mut f = folders::Entity::find()
        .filter(folders::Column::GroupAccountId.eq(group_id))
        .filter(folders::Column::Name.eq(name));
    let mut d =
        docs::Entity::find().filter(docs::Column::GroupAccountId.eq(group_id)).filter(docs::Column::Name.eq(name));
    f = match folder {
        Some(p) => f.filter(folders::Column::ParentId.eq(p)),
        None => f.filter(folders::Column::ParentId.is_null()),
    };
    d = match folder {
        Some(p) => d.filter(docs::Column::FolderId.eq(p)),
        None => d.filter(docs::Column::FolderId.is_null()),
    };
    if let Some(x) = except {
        f = f.filter(folders::Column::Id.ne(x));
        d = d.filter(docs::Column::Id.ne(x));
    }
    if f.one(&svc.db).await?.is_some() || d.one(&svc.db).await?.is_some() {
        return Err(unprocessable(format!("{name:?} already exists in this folder")));
    }
    Ok(())
}

/// What a folder holds, for a reader.
pub async fn list(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    viewer: Option<&accounts::Model>,
    folder: Option<i64>,
) -> Result<Listing, ServiceError> {
    let access = access(svc, lib, group_id, viewer).await?;
    let mut path = path_of(svc, group_id, folder).await?;
    let current = path.pop();
    let mut fq = folders::Entity::find().filter(folders::Column::GroupAccountId.eq(group_id));
    let mut dq = docs::Entity::find().filter(docs::Column::GroupAccountId.eq(group_id));
    fq = match folder {
        Some(p) => fq.filter(folders::Column::ParentId.eq(p)),
        None => fq.filter(folders::Column::ParentId.is_null()),
    };
    dq = match folder {
        Some(p) => dq.filter(docs::Column::FolderId.eq(p)),
        None => dq.filter(docs::Column::FolderId.is_null()),
    };
    let sub = fq.order_by_asc(folders::Column::Name).limit(LIST_LIMIT).all(&svc.db).await?;
    let documents = dq.order_by_asc(docs::Column::Name).limit(LIST_LIMIT).all(&svc.db).await?;
    let latest = latest_versions(svc, &documents).await?;
    let documents = documents
        .into_iter()
        .filter_map(|d| latest.iter().find(|v| v.document_id == d.id).cloned().map(|v| (d, v)))
        .collect();
    let used = u64::try_from(lq::group_usage(&svc.db, group_id).await?).unwrap_or(0);
    Ok(Listing { access, folder: current, path, folders: sub, documents, used })
}

/// The latest version of each document.
async fn latest_versions(svc: &Service, documents: &[docs::Model]) -> Result<Vec<versions::Model>, ServiceError> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = documents.iter().map(|d| d.id).collect();
    let all = versions::Entity::find().filter(versions::Column::DocumentId.is_in(ids)).all(&svc.db).await?;
    Ok(all
        .into_iter()
        .filter(|v| documents.iter().any(|d| d.id == v.document_id && d.current_version == v.number))
        .collect())
}

/// Creates a folder (in `parent`, or at the top).
pub async fn create_folder(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    parent: Option<i64>,
    name: &str,
) -> Result<folders::Model, ServiceError> {
    writer(svc, lib, group_id, me).await?;
    let name = clean_name(name)?;
    if path_of(svc, group_id, parent).await?.len() >= MAX_DEPTH {
        return Err(unprocessable("folders nest too deep"));
    }
    check_free(svc, group_id, parent, &name, None).await?;
    let now = coopol_db::now();
    let txn = svc.db.begin_write().await?;
    let f = folders::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(group_id),
        parent_id: Set(parent),
        name: Set(name),
        created_by: Set(Some(me.id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(f)
}

/// A new document: where, its name and description.
#[derive(Debug, Clone, Default)]
pub struct NewDocument {
    pub folder: Option<i64>,
    pub name: String,
    pub description: String,
}

/// Room left for an upload, and the sentence that says why when it is passed.
struct Room {
    limit: u64,
    why: String,
}

async fn room(svc: &Service, lib: &Library, access: &Access) -> Result<Room, ServiceError> {
    let used = u64::try_from(lq::group_usage(&svc.db, access.group.id).await?).unwrap_or(0);
    let instance = u64::try_from(lq::instance_usage(&svc.db).await?).unwrap_or(0);
    let group_room = access.settings.quota.saturating_sub(used);
    let instance_room = lib.limits.instance_quota.saturating_sub(instance);
    let max = lib.limits.max_file;
    Ok(if max <= group_room && max <= instance_room {
        Room { limit: max, why: format!("the file is larger than the library's limit of {max} bytes") }
    } else if group_room <= instance_room {
        Room {
            limit: group_room,
            why: format!(
                "the group's library is full: {used} of {} bytes used, {group_room} left",
                access.settings.quota
            ),
        }
    } else {
        Room { limit: instance_room, why: "the instance's library storage is full".to_string() }
    })
}

/// Reads the first bytes of `data` (up to [`SNIFF_LEN`]) and gives them back with the rest.
async fn prefix<'a>(mut data: ByteStream<'a>) -> Result<(Vec<u8>, ByteStream<'a>), LibraryError> {
    let mut buf = Vec::new();
    while buf.len() < SNIFF_LEN {
        match data.next().await {
            Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
            Some(Err(e)) => return Err(LibraryError::BadUpload(format!("reading the upload failed: {e}"))),
            None => break,
        }
    }
    let head = futures::stream::iter([Ok(Bytes::copy_from_slice(&buf))]);
    Ok((buf, head.chain(data).boxed()))
}

/// What the store kept for an upload.
struct Upload {
    sha256: String,
    size: i64,
    media_type: &'static str,
}

/// Sniffs, then streams the bytes into the store within the room left.
async fn store_upload(
    svc: &Service,
    lib: &Library,
    access: &Access,
    name: &str,
    data: ByteStream<'_>,
) -> Result<Upload, LibraryError> {
    let room = room(svc, lib, access).await?;
    let (head, data) = prefix(data).await?;
    let media_type = sniff::library_type(head.get(..SNIFF_LEN).unwrap_or(&head), name)
        .map_err(|e| ServiceError::Unprocessable(e.to_string()))?;
    let stored = lib.store.put(data, room.limit).await.map_err(|e| match e {
        StorageError::TooLarge { .. } => LibraryError::TooLarge(room.why.clone()),
        StorageError::Source(e) => LibraryError::BadUpload(format!("reading the upload failed: {e}")),
        other => LibraryError::Storage(other),
    })?;
    Ok(Upload { sha256: stored.sha256, size: i64::try_from(stored.size).unwrap_or(i64::MAX), media_type })
}

/// Removes a blob no version uses (after a refused or rolled back upload, or a deletion).
async fn forget_blob(svc: &Service, lib: &Library, sha256: &str) {
    let used = coopol_db::entities::library_blobs::Entity::find_by_id(sha256.to_string()).one(&svc.db).await;
    if let Ok(None) = used {
        if let Err(e) = lib.store.delete(sha256).await {
            tracing::warn!(%sha256, error = %e, "could not remove a library blob");
        }
    }
}

/// Checks the quotas again in the transaction that records a version of `size` bytes (other
/// uploads may have finished meanwhile). `add_blob_ref` came first, so the instance's usage
/// counts this blob.
async fn check_quotas<C: sea_orm::ConnectionTrait>(
    txn: &C,
    lib: &Library,
    access: &Access,
    size: i64,
) -> Result<(), LibraryError> {
    let used = lq::group_usage(txn, access.group.id).await?;
    let quota = i64::try_from(access.settings.quota).unwrap_or(i64::MAX);
    if used.saturating_add(size) > quota {
        return Err(LibraryError::TooLarge(format!(
            "the group's library is full: {used} of {quota} bytes used, {size} more asked"
        )));
    }
    if lq::instance_usage(txn).await? > i64::try_from(lib.limits.instance_quota).unwrap_or(i64::MAX) {
        return Err(LibraryError::TooLarge("the instance's library storage is full".into()));
    }
    Ok(())
}

/// Adds a file to the group's library as a new document (version 1). `data` is the file's
/// bytes, read as they come.
pub async fn upload(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    new: NewDocument,
    data: ByteStream<'_>,
) -> Result<(docs::Model, versions::Model), LibraryError> {
    let access = writer(svc, lib, group_id, me).await?;
    let name = clean_name(&new.name)?;
    if new.description.chars().count() > MAX_DESCRIPTION {
        return Err(unprocessable(format!("the description is longer than {MAX_DESCRIPTION} characters")).into());
    }
    path_of(svc, group_id, new.folder).await?;
    check_free(svc, group_id, new.folder, &name, None).await?;
    let up = store_upload(svc, lib, &access, &name, data).await?;
    let result = record_new(svc, lib, &access, me, &new, name, &up).await;
    if result.is_err() {
        forget_blob(svc, lib, &up.sha256).await;
    }
    result
}

async fn record_new(
    svc: &Service,
    lib: &Library,
    access: &Access,
    me: &accounts::Model,
    new: &NewDocument,
    name: String,
    up: &Upload,
) -> Result<(docs::Model, versions::Model), LibraryError> {
    let now = coopol_db::now();
    let txn = svc.db.begin_write().await?;
    lq::add_blob_ref(&txn, &up.sha256, up.size, up.media_type).await?;
    check_quotas(&txn, lib, access, up.size).await?;
    let doc = docs::ActiveModel {
        id: Set(coopol_core::new_id()),
        group_account_id: Set(access.group.id),
        folder_id: Set(new.folder),
        name: Set(name),
        description: Set(new.description.trim().to_string()),
        current_version: Set(1),
        created_by: Set(Some(me.id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let version = insert_version(&txn, doc.id, 1, me, up, now).await?;
    txn.commit().await?;
    Ok((doc, version))
}

async fn insert_version<C: sea_orm::ConnectionTrait>(
    txn: &C,
    document_id: i64,
    number: i32,
    me: &accounts::Model,
    up: &Upload,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<versions::Model, LibraryError> {
    Ok(versions::ActiveModel {
        id: Set(coopol_core::new_id()),
        document_id: Set(document_id),
        number: Set(number),
        blob_sha256: Set(up.sha256.clone()),
        size: Set(up.size),
        media_type: Set(up.media_type.to_string()),
        uploaded_by: Set(Some(me.id)),
        created_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Uploads a new version of a document: the same document, its earlier versions kept.
pub async fn add_version(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    document_id: i64,
    data: ByteStream<'_>,
) -> Result<(docs::Model, versions::Model), LibraryError> {
    let access = writer(svc, lib, group_id, me).await?;
    let doc = document_of(svc, group_id, document_id).await?;
    let up = store_upload(svc, lib, &access, &doc.name, data).await?;
    let result = record_version(svc, lib, &access, me, document_id, &up).await;
    if result.is_err() {
        forget_blob(svc, lib, &up.sha256).await;
    }
    result
}

async fn record_version(
    svc: &Service,
    lib: &Library,
    access: &Access,
    me: &accounts::Model,
    document_id: i64,
    up: &Upload,
) -> Result<(docs::Model, versions::Model), LibraryError> {
    let now = coopol_db::now();
    let txn = svc.db.begin_write().await?;
    lq::add_blob_ref(&txn, &up.sha256, up.size, up.media_type).await?;
    check_quotas(&txn, lib, access, up.size).await?;
    // Read in the transaction: the number follows the latest committed version.
    let doc = docs::Entity::find_by_id(document_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let number = doc.current_version.saturating_add(1);
    let version = insert_version(&txn, doc.id, number, me, up, now).await?;
    let mut m: docs::ActiveModel = doc.into();
    m.current_version = Set(number);
    m.updated_at = Set(now);
    let doc = m.update(&txn).await?;
    txn.commit().await?;
    Ok((doc, version))
}

/// What may change of a document (`None`: unchanged). `folder: Some(None)` moves it to the top.
#[derive(Debug, Clone, Default)]
pub struct DocumentChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub folder: Option<Option<i64>>,
}

/// Renames, describes or moves a document.
pub async fn update_document(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    document_id: i64,
    change: DocumentChange,
) -> Result<docs::Model, ServiceError> {
    writer(svc, lib, group_id, me).await?;
    let doc = document_of(svc, group_id, document_id).await?;
    let name = change.name.as_deref().map(clean_name).transpose()?.unwrap_or_else(|| doc.name.clone());
    let folder = change.folder.unwrap_or(doc.folder_id);
    if let Some(d) = &change.description {
        if d.chars().count() > MAX_DESCRIPTION {
            return Err(unprocessable(format!("the description is longer than {MAX_DESCRIPTION} characters")));
        }
    }
    path_of(svc, group_id, folder).await?;
    if name != doc.name || folder != doc.folder_id {
        check_free(svc, group_id, folder, &name, Some(doc.id)).await?;
    }
    let txn = svc.db.begin_write().await?;
    let mut m: docs::ActiveModel = doc.into();
    m.name = Set(name);
    m.folder_id = Set(folder);
    if let Some(d) = change.description {
        m.description = Set(d.trim().to_string());
    }
    m.updated_at = Set(coopol_db::now());
    let doc = m.update(&txn).await?;
    txn.commit().await?;
    Ok(doc)
}

/// What may change of a folder. `parent: Some(None)` moves it to the top.
#[derive(Debug, Clone, Default)]
pub struct FolderChange {
    pub name: Option<String>,
    pub parent: Option<Option<i64>>,
}

/// Renames or moves a folder; a folder never moves into itself or one of its subfolders.
pub async fn update_folder(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    folder_id: i64,
    change: FolderChange,
) -> Result<folders::Model, ServiceError> {
    writer(svc, lib, group_id, me).await?;
    let folder = folder_of(svc, group_id, folder_id).await?;
    let name = change.name.as_deref().map(clean_name).transpose()?.unwrap_or_else(|| folder.name.clone());
    let parent = change.parent.unwrap_or(folder.parent_id);
    let target = path_of(svc, group_id, parent).await?;
    if target.iter().any(|f| f.id == folder.id) {
        return Err(unprocessable("a folder cannot move into itself or one of its subfolders"));
    }
    if name != folder.name || parent != folder.parent_id {
        check_free(svc, group_id, parent, &name, Some(folder.id)).await?;
    }
    let txn = svc.db.begin_write().await?;
    let mut m: folders::ActiveModel = folder.into();
    m.name = Set(name);
    m.parent_id = Set(parent);
    m.updated_at = Set(coopol_db::now());
    let folder = m.update(&txn).await?;
    txn.commit().await?;
    Ok(folder)
}

/// Deletes a document and all its versions; blobs no other version uses are removed.
pub async fn delete_document(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    document_id: i64,
) -> Result<(), ServiceError> {
    let access = access(svc, lib, group_id, Some(me)).await?;
    let doc = document_of(svc, group_id, document_id).await?;
    if !may_delete(access.settings.add_mode, access.role, doc.created_by == Some(me.id)) {
        return Err(ServiceError::Forbidden("moderators, or who added it, may delete a document".into()));
    }
    let txn = svc.db.begin_write().await?;
    docs::Entity::delete_by_id(doc.id).exec(&txn).await?;
    let gone = versions::Entity::find().filter(versions::Column::DocumentId.eq(doc.id)).all(&txn).await?;
    versions::Entity::delete_many().filter(versions::Column::DocumentId.eq(doc.id)).exec(&txn).await?;
    let mut unused = Vec::new();
    for v in &gone {
        if lq::drop_blob_ref(&txn, &v.blob_sha256).await? {
            unused.push(v.blob_sha256.clone());
        }
    }
    txn.commit().await?;
    for sha in unused {
        forget_blob(svc, lib, &sha).await;
    }
    Ok(())
}

/// Deletes an empty folder.
pub async fn delete_folder(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    folder_id: i64,
) -> Result<(), ServiceError> {
    let access = access(svc, lib, group_id, Some(me)).await?;
    let folder = folder_of(svc, group_id, folder_id).await?;
    if !may_delete(access.settings.add_mode, access.role, folder.created_by == Some(me.id)) {
        return Err(ServiceError::Forbidden("moderators, or who made it, may delete a folder".into()));
    }
    let txn = svc.db.begin_write().await?;
    // The write comes first; a folder that is not empty is put back by the rollback.
    folders::Entity::delete_by_id(folder.id).exec(&txn).await?;
    let sub = folders::Entity::find().filter(folders::Column::ParentId.eq(folder.id)).one(&txn).await?;
    let doc = docs::Entity::find().filter(docs::Column::FolderId.eq(folder.id)).one(&txn).await?;
    if sub.is_some() || doc.is_some() {
        txn.rollback().await?;
        return Err(unprocessable("the folder is not empty"));
    }
    txn.commit().await?;
    Ok(())
}

/// A document with all its versions, latest first.
pub async fn history(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    viewer: Option<&accounts::Model>,
    document_id: i64,
) -> Result<(docs::Model, Vec<versions::Model>), ServiceError> {
    access(svc, lib, group_id, viewer).await?;
    let doc = document_of(svc, group_id, document_id).await?;
    let all = versions::Entity::find()
        .filter(versions::Column::DocumentId.eq(doc.id))
        .order_by_desc(versions::Column::Number)
        .all(&svc.db)
        .await?;
    Ok((doc, all))
}

/// A download link to a version of a document (`None`: the latest), for a reader.
pub async fn download(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    viewer: Option<&accounts::Model>,
    document_id: i64,
    number: Option<i32>,
) -> Result<(docs::Model, versions::Model, Link), ServiceError> {
    access(svc, lib, group_id, viewer).await?;
    let doc = document_of(svc, group_id, document_id).await?;
    let v = versions::Entity::find()
        .filter(versions::Column::DocumentId.eq(doc.id))
        .filter(versions::Column::Number.eq(number.unwrap_or(doc.current_version)))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let link = lib.link(svc, &v.blob_sha256, &doc.name, coopol_db::now());
    Ok((doc, v, link))
}

/// What a group's admins may change of its library (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub add_mode: Option<AddMode>,
    pub public: Option<bool>,
}

async fn store_settings(svc: &Service, group_id: i64, s: &Settings) -> Result<(), ServiceError> {
    let row = library_settings::ActiveModel {
        group_account_id: Set(group_id),
        add_mode: Set(s.add_mode.as_str().to_string()),
        public: Set(s.public),
        quota_bytes: Set(s.own_quota.and_then(|q| i64::try_from(q).ok())),
        updated_at: Set(coopol_db::now()),
    };
    let txn = svc.db.begin_write().await?;
    library_settings::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(library_settings::Column::GroupAccountId)
                .update_columns([
                    library_settings::Column::AddMode,
                    library_settings::Column::Public,
                    library_settings::Column::QuotaBytes,
                    library_settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes who may add and whether the library is public; the group's admins only. A private
/// group's library is never public.
pub async fn update_settings(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    me: &accounts::Model,
    change: SettingsChange,
) -> Result<Settings, ServiceError> {
    let (group, g) = groups::local(svc, group_id).await?;
    groups::require_admin(svc, group.id, me).await?;
    let mut s = settings(svc, lib, group.id).await?;
    if change.public == Some(true) && g.private {
        return Err(unprocessable("a private group's library cannot be public"));
    }
    s.add_mode = change.add_mode.unwrap_or(s.add_mode);
    s.public = change.public.unwrap_or(s.public);
    store_settings(svc, group.id, &s).await?;
    Ok(s)
}

/// Sets a group's quota (`None`: back to the instance's default). The caller checks that the
/// instance's admin asks.
pub async fn set_quota(
    svc: &Service,
    lib: &Library,
    group_id: i64,
    quota: Option<u64>,
) -> Result<Settings, ServiceError> {
    let (group, _) = groups::local(svc, group_id).await?;
    let mut s = settings(svc, lib, group.id).await?;
    s.own_quota = quota;
    s.quota = quota.unwrap_or(lib.limits.group_quota);
    store_settings(svc, group.id, &s).await?;
    Ok(s)
}

/// The blob a link names, with the media type it was stored with; `None` when no version uses
/// it any more.
pub async fn blob(
    svc: &Service,
    sha256: &str,
) -> Result<Option<coopol_db::entities::library_blobs::Model>, ServiceError> {
    Ok(coopol_db::entities::library_blobs::Entity::find_by_id(sha256.to_string()).one(&svc.db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use GroupRole::*;

    #[test]
    fn names_are_neutralised() {
        assert_eq!(clean_name("Tract mai.pdf").unwrap(), "Tract mai.pdf");
        assert_eq!(clean_name("../../etc/passwd").unwrap(), ".._.._etc_passwd");
        assert_eq!(clean_name("a\\b/c").unwrap(), "a_b_c");
        assert_eq!(clean_name("nul\0in\u{7}side\n.txt").unwrap(), "nulinside.txt");
        assert_eq!(clean_name("  spaced  ").unwrap(), "spaced");
        for bad in ["", "   ", ".", "..", "...", "\0", "\u{1b}"] {
            assert!(clean_name(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}.pdf", "é".repeat(200));
        let cut = clean_name(&long).unwrap();
        assert!(cut.len() <= MAX_NAME_BYTES, "{}", cut.len());
        assert!(cut.ends_with("é.pdf"), "{cut}");
        let no_ext = "x".repeat(400);
        assert_eq!(clean_name(&no_ext).unwrap().len(), MAX_NAME_BYTES);
    }

    #[test]
    fn who_may_read() {
        // A private group: its people only, whatever the setting says.
        assert!(!may_read(true, true, None));
        assert!(may_read(true, false, Some(Sympathiser)));
        // A public group: anyone when the library is public, its people otherwise.
        assert!(may_read(false, true, None));
        assert!(!may_read(false, false, None));
        assert!(may_read(false, false, Some(Member)));
    }

    #[test]
    fn who_may_add_and_delete() {
        assert!(may_add(AddMode::Everyone, Some(Sympathiser)));
        assert!(!may_add(AddMode::Members, Some(Sympathiser)));
        assert!(may_add(AddMode::Members, Some(Member)));
        assert!(!may_add(AddMode::Moderators, Some(Member)));
        assert!(may_add(AddMode::Moderators, Some(Moderator)));
        assert!(may_add(AddMode::Moderators, Some(Admin)));
        assert!(!may_add(AddMode::Everyone, None));
        assert!(may_delete(AddMode::Members, Some(Member), true));
        assert!(!may_delete(AddMode::Members, Some(Member), false));
        assert!(!may_delete(AddMode::Moderators, Some(Member), true));
        assert!(may_delete(AddMode::Moderators, Some(Moderator), false));
        assert!(!may_delete(AddMode::Everyone, None, true));
        assert_eq!("moderators".parse::<AddMode>().unwrap(), AddMode::Moderators);
        assert!("admins".parse::<AddMode>().is_err());
    }

    #[test]
    fn links_are_signed_and_expire() {
        let lib = Library {
            store: Arc::new(coopol_storage::LocalDisk::new(&std::env::temp_dir().join("coopol-lib-unit")).unwrap()),
            limits: LibraryLimits::default(),
            key: Arc::from(b"k".to_vec()),
        };
        let sha = "a".repeat(64);
        let now = chrono::Utc::now();
        let sig = lib.signature(&sha, now.timestamp() + 60, "t.pdf");
        assert!(lib.check_link(&sha, now.timestamp() + 60, "t.pdf", &sig, now));
        assert!(!lib.check_link(&sha, now.timestamp() + 61, "t.pdf", &sig, now), "another expiry");
        assert!(!lib.check_link(&sha, now.timestamp() + 60, "u.pdf", &sig, now), "another name");
        assert!(!lib.check_link(&"b".repeat(64), now.timestamp() + 60, "t.pdf", &sig, now), "another blob");
        assert!(!lib.check_link(&sha, now.timestamp() + 60, "t.pdf", "zz", now));
        let later = now + chrono::Duration::seconds(61);
        assert!(!lib.check_link(&sha, now.timestamp() + 60, "t.pdf", &sig, later), "expired");
    }
}
