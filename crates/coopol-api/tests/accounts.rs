//! Contract tests of the accounts endpoints present since the foundation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn verify_credentials_and_lookup_have_mastodon_shapes() {
    for api in apis().await {
        let alice = api.user("alice").await;
        let me = api.get("/api/v1/accounts/verify_credentials", &alice.token).await.ok();
        assert_keys(&me, ACCOUNT_KEYS, api.backend);
        assert_eq!(me["id"], alice.id(), "{}", api.backend);
        assert_eq!(me["acct"], "alice");
        let found = api.get("/api/v1/accounts/lookup?acct=alice", &alice.token).await.ok();
        assert_eq!(found["id"], me["id"]);
        let missing = api.get("/api/v1/accounts/lookup?acct=nobody", &alice.token).await;
        assert_eq!(missing.status, 404, "{}", api.backend);
        assert!(missing.json["error"].is_string(), "Mastodon error body: {}", missing.text);
    }
}

#[tokio::test]
async fn a_status_has_every_mastodon_field() {
    for api in apis().await {
        let alice = api.user("alice").await;
        let s = api.status(&alice, "hello #coopol").await;
        assert_keys(&s, STATUS_KEYS, api.backend);
        assert_keys(&s["account"], ACCOUNT_KEYS, api.backend);
        assert_eq!(s["tags"][0]["name"], "coopol");
        let no_token = api.call(axum::http::Method::POST, "/api/v1/statuses", None, None).await;
        assert_eq!(no_token.status, 401);
    }
}
