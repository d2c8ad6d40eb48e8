//! Contract tests of the group library (`/api/v1/coopol/groups/:id/library...` and the signed
//! downloads at `/library/files/...`), on every database backend of the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use coopol_db::entities::{library_blobs, library_documents, library_versions};
use coopol_service::library::{Library, LibraryLimits};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use sha2::{Digest, Sha256};

const GROUPS: &str = "/api/v1/coopol/groups";

/// An instance whose router has the library routes, over a fresh directory.
struct Lib {
    api: Api,
    library: Library,
    dir: PathBuf,
}

async fn library_apis(limits: LibraryLimits) -> Vec<Lib> {
    let mut out = Vec::new();
    for mut api in apis().await {
        let dir = std::env::temp_dir().join(format!("coopol-library-test-{}", coopol_core::new_id()));
        let store = coopol_storage::LocalDisk::new(&dir).unwrap();
        let library = Library::new(&api.fed, Arc::new(store), limits).await.unwrap();
        api.router =
            coopol_api::router(api.fed.clone()).merge(coopol_api::library_router(api.fed.clone(), library.clone()));
        out.push(Lib { api, library, dir });
    }
    out
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes that do not repeat (so that each call with another seed gives another blob).
fn noise(len: usize, mut seed: u32) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed.to_le_bytes()[0]
        })
        .collect()
}

/// A PDF-looking file of `len` bytes.
fn pdf(len: usize, seed: u32) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    b.extend(noise(len - b.len(), seed));
    b
}

/// Files under a directory (blobs; `tmp/` should stay empty).
fn files_under(p: &Path) -> usize {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    files_under(&e.path())
                } else {
                    1
                }
            })
            .sum()
        })
        .unwrap_or(0)
}

/// A multipart body of text fields then a `file` part.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "coopolboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    if let Some((name, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Lib {
    async fn upload_to(&self, path: &str, user: &User, fields: &[(&str, &str)], file: (&str, &[u8])) -> Answer {
        let (ct, body) = multipart(fields, Some(file));
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "localhost:1")
            .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.api.send(req).await
    }

    async fn upload(&self, group: &str, user: &User, name: &str, bytes: &[u8]) -> Answer {
        self.upload_to(&format!("{GROUPS}/{group}/library/documents"), user, &[], (name, bytes)).await
    }

    /// GETs a download URL (absolute) with an optional `Range`.
    async fn download(&self, url: &str, range: Option<&str>) -> Answer {
        let path = url.strip_prefix("http://localhost:1").unwrap();
        let mut req = Request::builder().uri(path).header(header::HOST, "localhost:1");
        if let Some(r) = range {
            req = req.header(header::RANGE, r);
        }
        self.api.send(req.body(Body::empty()).unwrap()).await
    }

    async fn link(&self, group: &str, doc: &str, user: &User, version: Option<u32>) -> Answer {
        let q = version.map(|v| format!("?version={v}")).unwrap_or_default();
        self.api.get(&format!("{GROUPS}/{group}/library/documents/{doc}/link{q}"), &user.token).await
    }

    async fn counts(&self) -> (u64, u64, u64) {
        let db = &self.api.fed.db;
        (
            library_documents::Entity::find().count(db).await.unwrap(),
            library_versions::Entity::find().count(db).await.unwrap(),
            library_blobs::Entity::find().count(db).await.unwrap(),
        )
    }
}

/// A private group of `admin`'s with `member` accepted in it; returns its id.
async fn private_group(api: &Api, admin: &User, name: &str, member: &User) -> String {
    let g =
        api.post(GROUPS, &admin.token, json!({ "name": name, "private": true, "join_mode": "approval" })).await.ok();
    let id = g["id"].as_str().unwrap().to_string();
    api.post(&format!("{GROUPS}/{id}/join"), &member.token, json!({})).await.ok();
    api.post(&format!("{GROUPS}/{id}/requests/{}/accept", member.id()), &admin.token, json!({})).await.ok();
    id
}

#[tokio::test]
async fn a_member_uploads_a_pdf_that_only_the_group_can_read() {
    for l in library_apis(LibraryLimits::default()).await {
        let api = &l.api;
        let (mia, nina, olga) = (api.user("mia").await, api.user("nina").await, api.user("olga").await);
        let g = private_group(api, &mia, "section", &nina).await;
        let bytes = pdf(300_000, 7);
        let doc = l
            .upload_to(
                &format!("{GROUPS}/{g}/library/documents"),
                &nina,
                &[("name", "Tract de mai.pdf"), ("description", "pour samedi")],
                ("ignored.pdf", &bytes),
            )
            .await
            .ok();
        assert_eq!(doc["name"], "Tract de mai.pdf", "{}", api.backend);
        assert_eq!(doc["description"], "pour samedi");
        assert_eq!(doc["version"]["number"], 1);
        assert_eq!(doc["version"]["size"], 300_000);
        assert_eq!(doc["version"]["media_type"], "application/pdf");
        assert_eq!(doc["version"]["sha256"], sha(&bytes));
        assert_eq!(doc["version"]["uploaded_by"]["acct"], "nina");
        let doc_id = doc["id"].as_str().unwrap();
        // The admin lists it, with the space used.
        let list = api.get(&format!("{GROUPS}/{g}/library"), &mia.token).await.ok();
        assert_eq!(list["documents"].as_array().unwrap().len(), 1, "{}", api.backend);
        assert_eq!(list["documents"][0]["id"], doc_id);
        assert_eq!(list["usage"]["used_bytes"], 300_000);
        assert_eq!(list["can_add"], true);
        // Someone outside a private group learns nothing: not found, whatever they ask.
        api.get(&format!("{GROUPS}/{g}/library"), &olga.token).await.expect(StatusCode::NOT_FOUND);
        l.link(&g, doc_id, &olga, None).await.expect(StatusCode::NOT_FOUND);
        api.get(&format!("{GROUPS}/{g}/library/documents/{doc_id}"), &olga.token).await.expect(StatusCode::NOT_FOUND);
        l.upload(&g, &olga, "x.pdf", &pdf(1000, 1)).await.expect(StatusCode::NOT_FOUND);
        api.call(Method::GET, &format!("{GROUPS}/{g}/library"), None, None).await.expect(StatusCode::NOT_FOUND);
        // The member's signed link downloads the same bytes.
        let link = l.link(&g, doc_id, &nina, None).await.ok();
        let url = link["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("http://localhost:1/library/files/{}?", sha(&bytes))), "{url}");
        let got = l.download(url, None).await.expect(StatusCode::OK);
        assert_eq!(got.header("content-type").as_deref(), Some("application/pdf"));
        assert_eq!(got.header("accept-ranges").as_deref(), Some("bytes"));
        assert_eq!(got.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(got.header("content-length").as_deref(), Some("300000"));
        let raw = l.download_bytes(url, None).await;
        assert_eq!(sha(&raw.1), sha(&bytes), "{}: same SHA-256", api.backend);
        // A range: 206 with Content-Range.
        let (status, part, headers) = l.download_bytes(url, Some("bytes=1000-1999")).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part, &bytes[1000..2000]);
        assert_eq!(headers.get("content-range").unwrap(), "bytes 1000-1999/300000");
        let (status, part, _) = l.download_bytes(url, Some("bytes=-100")).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part, &bytes[299_900..]);
        let (status, _, headers) = l.download_bytes(url, Some("bytes=300000-")).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(headers.get("content-range").unwrap(), "bytes */300000");
        // A tampered link, another name, or an expired link is refused.
        let tampered = url.replace("sig=", "sig=00");
        l.download(&tampered, None).await.expect(StatusCode::FORBIDDEN);
        let renamed = url.replace("name=Tract", "name=Trac");
        l.download(&renamed, None).await.expect(StatusCode::FORBIDDEN);
        let other_blob = url.replace(&sha(&bytes), &sha(b"other"));
        l.download(&other_blob, None).await.expect(StatusCode::FORBIDDEN);
        let old =
            l.library.link(&api.fed, &sha(&bytes), "Tract de mai.pdf", coopol_db::now() - chrono::Duration::hours(2));
        l.download(&old.url, None).await.expect(StatusCode::FORBIDDEN);
        let no_sig = url.split("&sig=").next().unwrap().to_string();
        l.download(&no_sig, None).await.expect(StatusCode::FORBIDDEN);
        assert_eq!(files_under(&l.dir.join("tmp")), 0);
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}

impl Lib {
    /// GETs a download URL and returns the raw body.
    async fn download_bytes(&self, url: &str, range: Option<&str>) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
        use tower::ServiceExt;
        let path = url.strip_prefix("http://localhost:1").unwrap();
        let mut req = Request::builder().uri(path).header(header::HOST, "localhost:1");
        if let Some(r) = range {
            req = req.header(header::RANGE, r);
        }
        let res = self.api.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await.unwrap();
        (status, body.to_vec(), headers)
    }
}

#[tokio::test]
async fn a_new_version_keeps_the_history_and_blobs_are_stored_once() {
    for l in library_apis(LibraryLimits::default()).await {
        let api = &l.api;
        let (mia, nina) = (api.user("mia").await, api.user("nina").await);
        let g = private_group(api, &mia, "workers", &nina).await;
        let (v1, v2) = (pdf(50_000, 1), pdf(60_000, 2));
        let doc = l.upload(&g, &nina, "statuts.pdf", &v1).await.ok();
        let doc_id = doc["id"].as_str().unwrap().to_string();
        let path = format!("{GROUPS}/{g}/library/documents/{doc_id}/versions");
        let d2 = l.upload_to(&path, &mia, &[], ("whatever.pdf", &v2)).await.ok();
        assert_eq!(d2["id"], doc_id.as_str(), "{}: the same document", api.backend);
        assert_eq!(d2["name"], "statuts.pdf");
        assert_eq!(d2["version"]["number"], 2);
        assert_eq!(d2["version"]["uploaded_by"]["acct"], "mia");
        let h = api.get(&format!("{GROUPS}/{g}/library/documents/{doc_id}"), &nina.token).await.ok();
        let versions = h["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{}", api.backend);
        assert_eq!((versions[0]["number"].as_i64(), versions[1]["number"].as_i64()), (Some(2), Some(1)));
        assert_eq!(versions[1]["uploaded_by"]["acct"], "nina");
        assert_eq!(versions[1]["sha256"], sha(&v1));
        // The earlier version still downloads.
        let link = l.link(&g, &doc_id, &nina, Some(1)).await.ok();
        assert_eq!(l.download_bytes(link["url"].as_str().unwrap(), None).await.1, v1);
        let latest = l.link(&g, &doc_id, &nina, None).await.ok();
        assert_eq!(latest["version"], 2);
        l.link(&g, &doc_id, &nina, Some(3)).await.expect(StatusCode::NOT_FOUND);
        // The same bytes as another document: stored once, counted twice.
        let copy = l.upload(&g, &nina, "copie.pdf", &v1).await.ok();
        assert_eq!(l.counts().await, (2, 3, 2), "{}", api.backend);
        assert_eq!(files_under(&l.dir), 2);
        let blob = library_blobs::Entity::find_by_id(sha(&v1)).one(&api.fed.db).await.unwrap().unwrap();
        assert_eq!(blob.refcount, 2);
        // Deleting the first document keeps the copy's bytes; deleting the copy removes them.
        let copy_id = copy["id"].as_str().unwrap();
        api.call(Method::DELETE, &format!("{GROUPS}/{g}/library/documents/{doc_id}"), Some(&nina.token), None)
            .await
            .ok();
        assert_eq!(l.counts().await, (1, 1, 1), "{}", api.backend);
        assert_eq!(files_under(&l.dir), 1);
        let link = l.link(&g, copy_id, &nina, None).await.ok();
        assert_eq!(sha(&l.download_bytes(link["url"].as_str().unwrap(), None).await.1), sha(&v1));
        api.call(Method::DELETE, &format!("{GROUPS}/{g}/library/documents/{copy_id}"), Some(&mia.token), None)
            .await
            .ok();
        assert_eq!(l.counts().await, (0, 0, 0));
        assert_eq!(files_under(&l.dir), 0);
        // A link to bytes no longer stored finds nothing.
        l.download(link["url"].as_str().unwrap(), None).await.expect(StatusCode::NOT_FOUND);
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}

#[tokio::test]
async fn over_the_quota_or_the_size_limit_is_413_and_stores_nothing() {
    let limits = LibraryLimits { max_file: 80_000, group_quota: 100_000, instance_quota: 10_000_000 };
    for l in library_apis(limits).await {
        let api = &l.api;
        let (mia, nina) = (api.user("mia").await, api.user("nina").await);
        let g = private_group(api, &mia, "small", &nina).await;
        l.upload(&g, &nina, "a.pdf", &pdf(60_000, 1)).await.ok();
        let before = l.counts().await;
        // 60 kB more would pass the group's 100 kB.
        let over = l.upload(&g, &nina, "b.pdf", &pdf(60_000, 2)).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
        assert!(over.json["error"].as_str().unwrap().contains("full"), "{}: {}", api.backend, over.text);
        // A new version over the quota too.
        let doc = api.get(&format!("{GROUPS}/{g}/library"), &nina.token).await.ok()["documents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("{GROUPS}/{g}/library/documents/{doc}/versions");
        l.upload_to(&path, &nina, &[], ("a.pdf", &pdf(50_000, 4))).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(l.counts().await, before, "{}: no row", api.backend);
        assert_eq!(files_under(&l.dir), 1, "{}: only the first file, no temporary file", api.backend);
        // The instance's admin raises the group's quota; then it fits.
        api.call(
            Method::PATCH,
            &format!("{GROUPS}/{g}/library/settings"),
            Some(&mia.token),
            Some(json!({ "quota_bytes": 500_000 })),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
        let admin = api.user("root").await;
        coopol_db::entities::users::Entity::update(coopol_db::entities::users::ActiveModel {
            id: sea_orm::Set(admin.user_id),
            role: sea_orm::Set("admin".into()),
            ..Default::default()
        })
        .exec(&api.fed.db)
        .await
        .unwrap();
        let s = api
            .call(
                Method::PATCH,
                &format!("{GROUPS}/{g}/library/settings"),
                Some(&admin.token),
                Some(json!({ "quota_bytes": 500_000 })),
            )
            .await
            .ok();
        assert_eq!(s["quota_bytes"], 500_000, "{}", api.backend);
        l.upload(&g, &nina, "b.pdf", &pdf(60_000, 2)).await.ok();
        // Over the largest file, with room left in the quota.
        let big = l.upload(&g, &mia, "c.pdf", &pdf(90_000, 3)).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
        assert!(big.json["error"].as_str().unwrap().contains("limit"), "{}", big.text);
        assert_eq!(files_under(&l.dir), 2, "{}", api.backend);
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}

#[tokio::test]
async fn html_svg_and_executables_are_422() {
    for l in library_apis(LibraryLimits::default()).await {
        let api = &l.api;
        let (mia, nina) = (api.user("mia").await, api.user("nina").await);
        let g = private_group(api, &mia, "typed", &nina).await;
        let refused: [(&str, &[u8]); 4] = [
            ("page.txt", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
            ("logo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>"),
            ("tool.pdf", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0"),
            ("setup.exe", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0"),
        ];
        for (name, bytes) in refused {
            let a = l.upload(&g, &nina, name, bytes).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {name}: {}", api.backend, a.text);
        }
        // A form field as large as a file is not read into memory.
        let long = "x".repeat(100_000);
        let path = format!("{GROUPS}/{g}/library/documents");
        l.upload_to(&path, &nina, &[("description", &long)], ("a.txt", b"text"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(l.counts().await, (0, 0, 0));
        assert_eq!(files_under(&l.dir), 0);
        // Plain text and Markdown are welcome.
        let md = l.upload(&g, &nina, "compte-rendu.md", "# Réunion\n\n- point 1\n".as_bytes()).await.ok();
        assert_eq!(md["version"]["media_type"], "text/markdown", "{}", api.backend);
        let txt = l.upload(&g, &nina, "notes", b"plain notes").await.ok();
        assert_eq!(txt["version"]["media_type"], "text/plain");
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}

#[tokio::test]
async fn folders_names_moves_and_who_may_write() {
    for l in library_apis(LibraryLimits::default()).await {
        let api = &l.api;
        let (mia, nina, sam) = (api.user("mia").await, api.user("nina").await, api.user("sam").await);
        let g = private_group(api, &mia, "tree", &nina).await;
        api.post(&format!("{GROUPS}/{g}/join"), &sam.token, json!({})).await.ok();
        api.post(&format!("{GROUPS}/{g}/requests/{}/accept", sam.id()), &mia.token, json!({})).await.ok();
        api.post(&format!("{GROUPS}/{g}/members/{}/role", sam.id()), &mia.token, json!({ "role": "sympathiser" }))
            .await
            .ok();
        let base = format!("{GROUPS}/{g}/library");
        let a = api.post(&format!("{base}/folders"), &nina.token, json!({ "name": "Tracts" })).await.ok();
        let a_id = a["id"].as_str().unwrap().to_string();
        let b = api
            .post(&format!("{base}/folders"), &nina.token, json!({ "name": "../2026\0", "parent_id": a_id }))
            .await
            .ok();
        assert_eq!(b["name"], ".._2026", "{}: neutralised", api.backend);
        let b_id = b["id"].as_str().unwrap().to_string();
        api.post(&format!("{base}/folders"), &nina.token, json!({ "name": ".." }))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        api.post(&format!("{base}/folders"), &nina.token, json!({ "name": "Tracts" }))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        // A folder never moves into its own subfolder.
        api.call(
            Method::PATCH,
            &format!("{base}/folders/{a_id}"),
            Some(&nina.token),
            Some(json!({ "parent_id": b_id })),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
        api.call(
            Method::PATCH,
            &format!("{base}/folders/{a_id}"),
            Some(&nina.token),
            Some(json!({ "parent_id": a_id })),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
        // Upload into the subfolder; list it with its path.
        let doc = l
            .upload_to(&format!("{base}/documents"), &nina, &[("folder_id", &b_id)], ("a/b\\c.txt", b"hello"))
            .await
            .ok();
        assert_eq!(doc["name"], "a_b_c.txt", "{}", api.backend);
        assert_eq!(doc["folder_id"], b_id.as_str());
        let list = api.get(&format!("{base}?folder={b_id}"), &sam.token).await.ok();
        assert_eq!(list["path"][0]["id"], a_id.as_str(), "{}", api.backend);
        assert_eq!(list["folder"]["id"], b_id.as_str());
        assert_eq!(list["documents"].as_array().unwrap().len(), 1);
        assert_eq!(list["can_add"], false, "sympathisers read");
        // Rename and move to the top.
        let doc_id = doc["id"].as_str().unwrap();
        let moved = api
            .call(
                Method::PATCH,
                &format!("{base}/documents/{doc_id}"),
                Some(&nina.token),
                Some(json!({ "name": "hello.txt", "folder_id": null })),
            )
            .await
            .ok();
        assert_eq!((moved["name"].as_str(), moved["folder_id"].as_str()), (Some("hello.txt"), None), "{}", api.backend);
        let top = api.get(&base, &nina.token).await.ok();
        assert_eq!(top["folders"].as_array().unwrap().len(), 1);
        assert_eq!(top["documents"][0]["name"], "hello.txt");
        // A folder with something in it stays; empty, it goes.
        api.call(Method::DELETE, &format!("{base}/folders/{a_id}"), Some(&nina.token), None)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        api.call(Method::DELETE, &format!("{base}/folders/{b_id}"), Some(&nina.token), None).await.ok();
        // A sympathiser reads but may not add, until the admins let everyone add.
        l.upload(&g, &sam, "s.txt", b"sympathy").await.expect(StatusCode::FORBIDDEN);
        api.call(Method::DELETE, &format!("{base}/documents/{doc_id}"), Some(&sam.token), None)
            .await
            .expect(StatusCode::FORBIDDEN);
        api.call(
            Method::PATCH,
            &format!("{base}/settings"),
            Some(&nina.token),
            Some(json!({ "add_mode": "everyone" })),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
        let s = api
            .call(Method::PATCH, &format!("{base}/settings"), Some(&mia.token), Some(json!({ "add_mode": "everyone" })))
            .await
            .ok();
        assert_eq!(s["add_mode"], "everyone", "{}", api.backend);
        l.upload(&g, &sam, "s.txt", b"sympathy").await.ok();
        // A private group's library is never public.
        api.call(Method::PATCH, &format!("{base}/settings"), Some(&mia.token), Some(json!({ "public": true })))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}

#[tokio::test]
async fn a_public_group_may_open_its_library_to_everyone() {
    for l in library_apis(LibraryLimits::default()).await {
        let api = &l.api;
        let (mia, olga) = (api.user("mia").await, api.user("olga").await);
        let g = api.post(GROUPS, &mia.token, json!({ "name": "open" })).await.ok()["id"].as_str().unwrap().to_string();
        let base = format!("{GROUPS}/{g}/library");
        let doc = l.upload(&g, &mia, "affiche.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").await.ok();
        let doc_id = doc["id"].as_str().unwrap();
        // Closed by default: outsiders are refused (the group itself is public, so 403).
        api.get(&base, &olga.token).await.expect(StatusCode::FORBIDDEN);
        api.call(Method::PATCH, &format!("{base}/settings"), Some(&mia.token), Some(json!({ "public": true })))
            .await
            .ok();
        let list = api.call(Method::GET, &base, None, None).await.ok();
        assert_eq!(list["documents"][0]["id"], doc_id, "{}", api.backend);
        assert_eq!(list["can_add"], false);
        let link = api.call(Method::GET, &format!("{base}/documents/{doc_id}/link"), None, None).await.ok();
        let (status, _, headers) = l.download_bytes(link["url"].as_str().unwrap(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers.get("content-type").unwrap(), "image/png");
        l.upload(&g, &olga, "x.txt", b"hi").await.expect(StatusCode::FORBIDDEN);
        std::fs::remove_dir_all(&l.dir).unwrap();
    }
}
