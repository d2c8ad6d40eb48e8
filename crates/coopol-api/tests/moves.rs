//! Contract tests of what clients see of a moved account.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn a_moved_account_shows_where_it_went() {
    for api in apis().await {
        let old = api.user("oldname").await;
        let new = api.user("newname").await;
        let before = api.get(&format!("/api/v1/accounts/{}", old.id()), &new.token).await.ok();
        assert!(before["moved"].is_null(), "{}: {before}", api.backend);

        coopol_db::moves::set_moved_to(&api.fed.db, old.account.id, &new.account.uri).await.unwrap();
        let after = api.get(&format!("/api/v1/accounts/{}", old.id()), &new.token).await.ok();
        assert_keys(&after["moved"], ACCOUNT_KEYS, api.backend);
        assert_eq!(after["moved"]["id"], new.id(), "{}", api.backend);
        assert_eq!(after["moved"]["acct"], "newname");
        // One level only: the target's own `moved` is not expanded.
        assert!(after["moved"]["moved"].is_null());

        // A target we do not know is left out rather than invented.
        coopol_db::moves::set_moved_to(&api.fed.db, new.account.id, "https://gone.example/users/x").await.unwrap();
        let unknown = api.get(&format!("/api/v1/accounts/{}", new.id()), &old.token).await.ok();
        assert!(unknown["moved"].is_null(), "{}: {unknown}", api.backend);
    }
}
