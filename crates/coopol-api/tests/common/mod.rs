//! What the API contract tests share: a `localhost:1` instance in development mode on every
//! database backend enabled for the run, its router driven in-process (no socket), and local
//! users with bearer tokens.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use coopol_db::entities::accounts;
use coopol_federation::{actors, Federation, InstanceConfig};
use sea_orm::ActiveModelTrait;
use serde_json::Value;
use tower::ServiceExt;

/// Scopes of the tokens `user` issues: everything a full-featured app asks for.
pub const ALL_SCOPES: &str = "read write follow push";

pub fn config() -> InstanceConfig {
    InstanceConfig {
        domain: "localhost:1".into(),
        dev: true,
        title: "coopol test".into(),
        registrations: coopol_core::RegistrationMode::Closed,
        source_url: None,
    }
}

/// One instance under test: the federation context and the API router over it.
#[derive(Clone)]
pub struct Api {
    /// `sqlite` or `postgres`: name it in assertion messages.
    pub backend: &'static str,
    pub fed: Federation,
    pub router: Router,
}

/// A local user with a live token.
#[derive(Clone, Debug)]
pub struct User {
    pub account: accounts::Model,
    pub user_id: i64,
    pub token: String,
}

impl User {
    /// The account id as the API shows it (a string).
    pub fn id(&self) -> String {
        self.account.id.to_string()
    }
}

/// An answer: status, headers and the body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    /// Panics with the body when the status is not the one expected.
    pub fn expect(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "unexpected status, body: {}", self.text);
        self
    }
    pub fn ok(self) -> Value {
        self.expect(StatusCode::OK).json
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

/// A fresh instance per enabled backend (SQLite always, PostgreSQL when configured).
pub async fn apis() -> Vec<Api> {
    let mut out = Vec::new();
    for (backend, db) in coopol_db::testing::all().await.unwrap() {
        let fed = Federation::new(config(), db).await.unwrap();
        let router = coopol_api::router(fed.clone());
        out.push(Api { backend, fed, router });
    }
    out
}

impl Api {
    /// Creates a local account with a user row and a token with `ALL_SCOPES`.
    pub async fn user(&self, name: &str) -> User {
        self.user_with_scopes(name, ALL_SCOPES).await
    }

    pub async fn user_with_scopes(&self, name: &str, scopes: &str) -> User {
        let db = &self.fed.db;
        let account = actors::create_local_account(db, &self.fed.config, name).await.unwrap();
        // A real hash of "correct horse battery staple", for tests that log in.
        let hash = coopol_api::auth::hash_password("correct horse battery staple").unwrap();
        let user = coopol_db::testing::user_row(account.id, &format!("{name}@example.test"), &hash, "user");
        let user_id = user.insert(db).await.unwrap().id;
        let token = coopol_api::auth::issue_token(db, user_id, scopes).await.unwrap();
        User { account, user_id, token }
    }

    /// Sends one request. `body` is sent as JSON when given.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = Request::builder().method(method).uri(path).header(header::HOST, "localhost:1");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    /// Sends a form-encoded body, as Mastodon.py does.
    pub async fn form(&self, method: Method, path: &str, token: Option<&str>, form: &str) -> Answer {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost:1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(form.to_string())).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, json, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Posts a public status and returns its JSON.
    pub async fn status(&self, user: &User, text: &str) -> Value {
        self.post("/api/v1/statuses", &user.token, serde_json::json!({ "status": text })).await.ok()
    }
}

/// Asserts that `v` has every key of a Mastodon entity, naming the missing ones.
pub fn assert_keys(v: &Value, keys: &[&str], what: &str) {
    let missing: Vec<&str> = keys.iter().copied().filter(|k| v.get(k).is_none()).collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {v}");
}

/// Keys of Mastodon's Account entity.
pub const ACCOUNT_KEYS: &[&str] = &[
    "id",
    "username",
    "acct",
    "url",
    "display_name",
    "note",
    "avatar",
    "avatar_static",
    "header",
    "header_static",
    "locked",
    "fields",
    "emojis",
    "bot",
    "group",
    "discoverable",
    "created_at",
    "last_status_at",
    "statuses_count",
    "followers_count",
    "following_count",
];

/// Keys of Mastodon's Status entity.
pub const STATUS_KEYS: &[&str] = &[
    "id",
    "uri",
    "url",
    "created_at",
    "account",
    "content",
    "visibility",
    "sensitive",
    "spoiler_text",
    "media_attachments",
    "mentions",
    "tags",
    "emojis",
    "reblogs_count",
    "favourites_count",
    "replies_count",
    "in_reply_to_id",
    "in_reply_to_account_id",
    "reblog",
    "poll",
    "card",
    "language",
    "edited_at",
];
