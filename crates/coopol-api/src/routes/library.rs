//! `/api/v1/coopol/groups/:id/library...`: a group's library for apps (list a folder, create
//! folders, upload files and new versions as multipart, rename, move, delete, history, settings,
//! download links), and `/library/files/:sha256`, where a signed link downloads a file with
//! `Range` support. The rules and writes are `coopol_service::library`'s.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router};
use coopol_db::entities::{
    accounts, library_documents as docs, library_folders as folders, library_versions as versions,
};
use coopol_federation::Federation;
use coopol_service::library::{self as lib, Library, LibraryError};
use coopol_storage::ByteRange;
use futures::{StreamExt, TryStreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use super::path_id;
use crate::auth::{Auth, MaybeAuth};
use crate::media::MediaError;
use crate::{ApiError, Params};

/// The library routes over `library`; uploads (only) take bodies up to its largest file.
pub fn routes(library: Library) -> Router<Federation> {
    let upload_limit = usize::try_from(library.limits.max_file).unwrap_or(usize::MAX).saturating_add(1024 * 1024);
    let base = "/api/v1/coopol/groups/{id}/library";
    Router::new()
        .route(base, get(list))
        .route(&format!("{base}/settings"), get(show_settings).patch(update_settings))
        .route(&format!("{base}/folders"), post(create_folder))
        .route(&format!("{base}/folders/{{folder}}"), patch(update_folder).delete(delete_folder))
        .route(&format!("{base}/documents"), post(upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route(&format!("{base}/documents/{{doc}}"), get(history).patch(update_document).delete(delete_document))
        .route(
            &format!("{base}/documents/{{doc}}/versions"),
            post(add_version).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(&format!("{base}/documents/{{doc}}/link"), get(link))
        .route("/library/files/{sha256}", get(file))
        .layer(Extension(library))
}

impl From<LibraryError> for MediaError {
    fn from(e: LibraryError) -> Self {
        match e {
            LibraryError::Service(e) => MediaError::Api(e.into()),
            LibraryError::TooLarge(m) => MediaError::TooLarge(m),
            LibraryError::BadUpload(m) => MediaError::Api(ApiError::BadRequest(m)),
            LibraryError::Storage(e) => MediaError::Api(ApiError::Internal(e.to_string())),
        }
    }
}

fn multipart_error(e: MultipartError) -> MediaError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        MediaError::TooLarge("the upload is too large".into())
    } else {
        MediaError::Api(ApiError::Unprocessable(format!("invalid multipart body: {}", e.body_text())))
    }
}

/// `folder_id` / `parent_id` of a change: absent (unchanged), empty or null (the top), an id.
fn folder_change(p: &Params, key: &str) -> Result<Option<Option<i64>>, ApiError> {
    if !p.0.contains_key(key) {
        return Ok(None);
    }
    Ok(Some(p.id(key)?))
}

/// Accounts by id, to name who added what.
async fn people(fed: &Federation, ids: impl Iterator<Item = Option<i64>>) -> Result<HashMap<i64, Value>, ApiError> {
    let mut ids: Vec<i64> = ids.flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = accounts::Entity::find().filter(accounts::Column::Id.is_in(ids)).all(&fed.db).await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let acct = match &a.domain {
                Some(d) => format!("{}@{d}", a.username),
                None => a.username.clone(),
            };
            (a.id, json!({ "id": a.id.to_string(), "acct": acct, "display_name": a.display_name }))
        })
        .collect())
}

fn folder_json(f: &folders::Model) -> Value {
    json!({
        "id": f.id.to_string(),
        "name": f.name,
        "parent_id": f.parent_id.map(|p| p.to_string()),
        "created_at": crate::mastodon::time(f.created_at),
        "updated_at": crate::mastodon::time(f.updated_at),
    })
}

fn version_json(v: &versions::Model, people: &HashMap<i64, Value>) -> Value {
    json!({
        "number": v.number,
        "size": v.size,
        "media_type": v.media_type,
        "sha256": v.blob_sha256,
        "uploaded_by": v.uploaded_by.and_then(|id| people.get(&id).cloned()),
        "created_at": crate::mastodon::time(v.created_at),
    })
}

fn document_json(d: &docs::Model, latest: &versions::Model, people: &HashMap<i64, Value>) -> Value {
    json!({
        "id": d.id.to_string(),
        "name": d.name,
        "description": d.description,
        "folder_id": d.folder_id.map(|f| f.to_string()),
        "created_by": d.created_by.and_then(|id| people.get(&id).cloned()),
        "created_at": crate::mastodon::time(d.created_at),
        "updated_at": crate::mastodon::time(d.updated_at),
        "version": version_json(latest, people),
    })
}

fn settings_json(s: &lib::Settings) -> Value {
    json!({ "add_mode": s.add_mode.as_str(), "public": s.public, "quota_bytes": s.quota })
}

/// `GET .../library?folder=ID`: what a folder holds (the top without `folder`).
async fn list(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let viewer = auth.0.as_ref().map(|a| &a.account);
    let l = lib::list(&fed, &library, path_id(&id)?, viewer, p.id("folder")?).await?;
    let who = people(&fed, l.documents.iter().flat_map(|(d, v)| [d.created_by, v.uploaded_by])).await?;
    Ok(Json(json!({
        "group_id": l.access.group.id.to_string(),
        "folder": l.folder.as_ref().map(folder_json),
        "path": l.path.iter().map(folder_json).collect::<Vec<_>>(),
        "folders": l.folders.iter().map(folder_json).collect::<Vec<_>>(),
        "documents": l.documents.iter().map(|(d, v)| document_json(d, v, &who)).collect::<Vec<_>>(),
        "usage": { "used_bytes": l.used, "quota_bytes": l.access.settings.quota },
        "settings": settings_json(&l.access.settings),
        "can_add": l.access.may_add(),
    })))
}

async fn show_settings(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let a = lib::access(&fed, &library, path_id(&id)?, auth.0.as_ref().map(|a| &a.account)).await?;
    Ok(Json(settings_json(&a.settings)))
}

/// `PATCH .../library/settings`: `add_mode` and `public` (the group's admins), `quota_bytes`
/// (the instance's admin; empty: back to the default).
async fn update_settings(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let group_id = path_id(&id)?;
    let mut s = None;
    if p.0.contains_key("quota_bytes") {
        if auth.user.role != "admin" {
            return Err(ApiError::Forbidden);
        }
        let quota = match p.str("quota_bytes") {
            None if p.u64("quota_bytes").is_none() => None,
            _ => Some(
                p.u64("quota_bytes").ok_or_else(|| ApiError::Unprocessable("quota_bytes must be a number".into()))?,
            ),
        };
        s = Some(lib::set_quota(&fed, &library, group_id, quota).await?);
    }
    if p.0.contains_key("add_mode") || p.0.contains_key("public") {
        let change =
            lib::SettingsChange { add_mode: p.str("add_mode").map(str::parse).transpose()?, public: p.bool("public") };
        s = Some(lib::update_settings(&fed, &library, group_id, &auth.account, change).await?);
    }
    let s = match s {
        Some(s) => s,
        None => lib::access(&fed, &library, group_id, Some(&auth.account)).await?.settings,
    };
    Ok(Json(settings_json(&s)))
}

/// `POST .../library/folders`: `name`, `parent_id` (none: at the top).
async fn create_folder(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    let name = p.required("name")?;
    let f = lib::create_folder(&fed, &library, path_id(&id)?, &auth.account, p.id("parent_id")?, name).await?;
    Ok(Json(folder_json(&f)))
}

/// `PATCH .../library/folders/:folder`: `name`, `parent_id` (empty or null: the top).
async fn update_folder(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path((id, folder)): Path<(String, String)>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    let change = lib::FolderChange { name: p.str("name").map(str::to_string), parent: folder_change(&p, "parent_id")? };
    let f = lib::update_folder(&fed, &library, path_id(&id)?, &auth.account, path_id(&folder)?, change).await?;
    Ok(Json(folder_json(&f)))
}

async fn delete_folder(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path((id, folder)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    lib::delete_folder(&fed, &library, path_id(&id)?, &auth.account, path_id(&folder)?).await?;
    Ok(Json(json!({})))
}

/// The longest text field of an upload form, in bytes (the body may be as large as a file).
const MAX_TEXT_FIELD: usize = 64 * 1024;

/// A text field of an upload form, read chunk by chunk up to [`MAX_TEXT_FIELD`].
async fn text_field(mut field: Field<'_>) -> Result<String, MediaError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_TEXT_FIELD {
            return Err(ApiError::Unprocessable(format!("a form field is longer than {MAX_TEXT_FIELD} bytes")).into());
        }
    }
    String::from_utf8(buf).map_err(|_| ApiError::Unprocessable("a form field is not UTF-8".into()).into())
}

/// The bytes of a multipart field, as the blob store reads them.
fn field_stream<'a>(field: Field<'a>) -> coopol_storage::ByteStream<'a> {
    field.map_err(|e| std::io::Error::other(e.body_text())).boxed()
}

/// `POST .../library/documents` (multipart): `name` (default: the file's name), `description`,
/// `folder_id`, then `file`, streamed to the store as it arrives. Fields after `file` are
/// ignored.
async fn upload(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, MediaError> {
    auth.require("write:media")?;
    let group_id = path_id(&id)?;
    // Who may add is checked before a byte of the file is read.
    let access = lib::access(&fed, &library, group_id, Some(&auth.account)).await.map_err(ApiError::from)?;
    if !access.may_add() {
        return Err(ApiError::Forbidden.into());
    }
    let mut form = form.map_err(|e| ApiError::Unprocessable(format!("a multipart/form-data body is expected: {e}")))?;
    let mut new = lib::NewDocument::default();
    let mut name: Option<String> = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "name" => name = Some(text_field(field).await?),
            "description" => new.description = text_field(field).await?,
            "folder_id" => {
                let f = text_field(field).await?;
                new.folder = if f.trim().is_empty() { None } else { Some(path_id(f.trim())?) };
            }
            "file" => {
                new.name = name
                    .take()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| field.file_name().map(str::to_string))
                    .unwrap_or_default();
                let (d, v) = lib::upload(&fed, &library, group_id, &auth.account, new, field_stream(field)).await?;
                let who = people(&fed, [d.created_by, v.uploaded_by].into_iter()).await?;
                return Ok(Json(document_json(&d, &v, &who)));
            }
            _ => {}
        }
    }
    Err(ApiError::Unprocessable("file can't be blank".into()).into())
}

/// `POST .../library/documents/:doc/versions` (multipart `file`): a new version.
async fn add_version(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, MediaError> {
    auth.require("write:media")?;
    let (group_id, doc_id) = (path_id(&id)?, path_id(&doc)?);
    let access = lib::access(&fed, &library, group_id, Some(&auth.account)).await.map_err(ApiError::from)?;
    if !access.may_add() {
        return Err(ApiError::Forbidden.into());
    }
    let mut form = form.map_err(|e| ApiError::Unprocessable(format!("a multipart/form-data body is expected: {e}")))?;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            let (d, v) = lib::add_version(&fed, &library, group_id, &auth.account, doc_id, field_stream(field)).await?;
            let who = people(&fed, [d.created_by, v.uploaded_by].into_iter()).await?;
            return Ok(Json(document_json(&d, &v, &who)));
        }
    }
    Err(ApiError::Unprocessable("file can't be blank".into()).into())
}

/// `GET .../library/documents/:doc`: the document and all its versions, latest first.
async fn history(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: MaybeAuth,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let viewer = auth.0.as_ref().map(|a| &a.account);
    let (d, all) = lib::history(&fed, &library, path_id(&id)?, viewer, path_id(&doc)?).await?;
    let who = people(&fed, all.iter().map(|v| v.uploaded_by).chain([d.created_by])).await?;
    let latest = all.first().ok_or(ApiError::NotFound)?;
    let mut out = document_json(&d, latest, &who);
    if let Some(o) = out.as_object_mut() {
        o.insert("versions".into(), all.iter().map(|v| version_json(v, &who)).collect());
    }
    Ok(Json(out))
}

/// `PATCH .../library/documents/:doc`: `name`, `description`, `folder_id` (empty or null: the top).
async fn update_document(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    let change = lib::DocumentChange {
        name: p.str("name").map(str::to_string),
        description: p.0.get("description").and_then(Value::as_str).map(str::to_string),
        folder: folder_change(&p, "folder_id")?,
    };
    let (group_id, doc_id) = (path_id(&id)?, path_id(&doc)?);
    lib::update_document(&fed, &library, group_id, &auth.account, doc_id, change).await?;
    let (d, all) = lib::history(&fed, &library, group_id, Some(&auth.account), doc_id).await?;
    let who = people(&fed, all.iter().map(|v| v.uploaded_by).chain([d.created_by])).await?;
    let latest = all.first().ok_or(ApiError::NotFound)?;
    Ok(Json(document_json(&d, latest, &who)))
}

async fn delete_document(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:media")?;
    lib::delete_document(&fed, &library, path_id(&id)?, &auth.account, path_id(&doc)?).await?;
    Ok(Json(json!({})))
}

/// `GET .../library/documents/:doc/link?version=N`: a short-lived signed download link.
async fn link(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    auth: MaybeAuth,
    Path((id, doc)): Path<(String, String)>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let number = p.u64("version").map(|n| i32::try_from(n).map_err(|_| ApiError::NotFound)).transpose()?;
    let viewer = auth.0.as_ref().map(|a| &a.account);
    let (_, v, l) = lib::download(&fed, &library, path_id(&id)?, viewer, path_id(&doc)?, number).await?;
    Ok(Json(json!({
        "url": l.url,
        "expires_at": crate::mastodon::time(l.expires_at),
        "version": v.number,
        "size": v.size,
        "media_type": v.media_type,
    })))
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// What a `Range` header asks of a blob of `size` bytes: `Ok(None)` for the whole blob (no
/// header, another unit, several ranges or a malformed one, which RFC 9110 lets us ignore),
/// `Err(())` when it cannot be satisfied.
pub fn parse_range(value: Option<&str>, size: u64) -> Result<Option<ByteRange>, ()> {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.split_once('-') else { return Ok(None) };
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        let Ok(n) = end.parse::<u64>() else { return Ok(None) };
        if n == 0 || size == 0 {
            return Err(());
        }
        let n = n.min(size);
        return Ok(Some(ByteRange { offset: size - n, length: Some(n) }));
    }
    let Ok(start) = start.parse::<u64>() else { return Ok(None) };
    let end = if end.is_empty() {
        None
    } else {
        match end.parse::<u64>() {
            Ok(e) if e >= start => Some(e),
            _ => return Ok(None),
        }
    };
    if start >= size {
        return Err(());
    }
    Ok(Some(ByteRange { offset: start, length: end.map(|e| e.min(size - 1) - start + 1) }))
}

/// `filename*` of a `Content-Disposition` (RFC 5987): UTF-8, percent-encoded.
fn encoded_filename(name: &str) -> String {
    name.bytes().fold(String::new(), |mut s, b| {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
        s
    })
}

/// `GET /library/files/:sha256?exp=&name=&sig=`: a file through a signed link, whole or the
/// byte range asked for; never ActivityStreams, never sniffed by the browser, and sandboxed.
async fn file(
    State(fed): State<Federation>,
    Extension(library): Extension<Library>,
    Path(sha256): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !coopol_storage::valid_key(&sha256) {
        return Err(ApiError::NotFound);
    }
    let exp = q.get("exp").and_then(|e| e.parse::<i64>().ok()).unwrap_or(0);
    let name = q.get("name").map(String::as_str).unwrap_or("");
    let sig = q.get("sig").map(String::as_str).unwrap_or("");
    if !library.check_link(&sha256, exp, name, sig, coopol_db::now()) {
        return Ok(refuse(StatusCode::FORBIDDEN, "this download link is invalid or has expired"));
    }
    let blob = lib::blob(&fed, &sha256).await?.ok_or(ApiError::NotFound)?;
    let size = u64::try_from(blob.size).unwrap_or(0);
    let unsatisfiable = || {
        let mut r = refuse(StatusCode::RANGE_NOT_SATISFIABLE, "the range is outside the file");
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        r
    };
    let Ok(range) = parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), size) else {
        return Ok(unsatisfiable());
    };
    let b = match library.store.get(&sha256, range).await {
        Ok(Some(b)) => b,
        Ok(None) => return Err(ApiError::NotFound),
        Err(coopol_storage::StorageError::RangeNotSatisfiable { .. }) => return Ok(unsatisfiable()),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    let inline = ["image/", "audio/", "video/", "application/pdf"].iter().any(|t| blob.media_type.starts_with(t));
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encoded_filename(name)
    );
    let mut resp = Response::new(Body::from_stream(b.body));
    *resp.status_mut() = if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
    let h = resp.headers_mut();
    let mut set = |k: header::HeaderName, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set(header::CONTENT_TYPE, blob.media_type.clone());
    set(header::CONTENT_LENGTH, b.length.to_string());
    set(header::ACCEPT_RANGES, "bytes".into());
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(header::CONTENT_SECURITY_POLICY, "default-src 'none'; img-src 'self'; media-src 'self'; sandbox".into());
    set(header::CACHE_CONTROL, "private, max-age=600".into());
    set(header::CONTENT_DISPOSITION, disposition);
    if range.is_some() {
        set(header::CONTENT_RANGE, format!("bytes {}-{}/{}", b.offset, b.offset + b.length.saturating_sub(1), b.size));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let r = |o, l| Ok(Some(ByteRange { offset: o, length: l }));
        assert_eq!(parse_range(None, 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-9"), 100), r(0, Some(10)));
        assert_eq!(parse_range(Some("bytes=90-"), 100), r(90, None));
        assert_eq!(parse_range(Some("bytes=90-200"), 100), r(90, Some(10)));
        assert_eq!(parse_range(Some("bytes=-10"), 100), r(90, Some(10)));
        assert_eq!(parse_range(Some("bytes=-500"), 100), r(0, Some(100)));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Err(()));
        assert_eq!(parse_range(Some("bytes=-0"), 100), Err(()));
        // Ignored: whole file.
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Ok(None));
        assert_eq!(parse_range(Some("items=0-1"), 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=9-2"), 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=x-2"), 100), Ok(None));
    }

    #[test]
    fn filenames_are_encoded() {
        assert_eq!(encoded_filename("Tract été.pdf"), "Tract%20%C3%A9t%C3%A9.pdf");
    }
}
