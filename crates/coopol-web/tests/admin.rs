//! The admin panel driven in-process on every enabled database: only admins get in, a domain
//! block with its reason, CSRF refusals that change nothing, suspending (the person can no
//! longer sign in) and lifting it, deleting after a confirmation page, suspending a group, and
//! the log of it all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use coopol_db::entities::{admin_log, domain_blocks};

async fn person(svc: &Service, name: &str, role: &str) -> accounts::Model {
    person_with_role(svc, name, role).await
}

/// A local open group.
async fn group(svc: &Service, name: &str) -> accounts::Model {
    let mut row = coopol_db::testing::account_row(name, None, &svc.config.actor_url(name));
    row.url = Set(svc.config.profile_url(name));
    row.actor_type = Set(coopol_db::groups::GROUP.into());
    let a = row.insert(&svc.db).await.unwrap();
    coopol_db::entities::groups::ActiveModel {
        account_id: Set(a.id),
        join_mode: Set("open".into()),
        private: Set(false),
        members_visible: Set(false),
        rules: Set(String::new()),
        creator_account_id: Set(None),
        created_at: Set(coopol_db::now()),
    }
    .insert(&svc.db)
    .await
    .unwrap();
    a
}

impl Site {
    async fn blocks(&self) -> Vec<domain_blocks::Model> {
        domain_blocks::Entity::find().all(&self.svc.db).await.unwrap()
    }

    async fn account(&self, id: i64) -> accounts::Model {
        accounts::Entity::find_by_id(id).one(&self.svc.db).await.unwrap().unwrap()
    }
}

const PAGES: [&str; 5] = ["/admin", "/admin/domains", "/admin/accounts", "/admin/groups", "/admin/log"];

#[tokio::test]
async fn only_the_instances_admins_get_the_panel() {
    for site in sites().await {
        person(&site.svc, "nadia", "admin").await;
        let bob = person(&site.svc, "bob", "user").await;
        let mod_ = person(&site.svc, "mona", "moderator").await;
        let nadia = site.sign_in("nadia").await;
        let user = site.sign_in("bob").await;
        let moderator = site.sign_in("mona").await;
        for path in PAGES {
            let res = site.get(path, Some(&nadia), "en").await;
            assert_eq!(res.status, StatusCode::OK, "{}: {path}: {}", site.backend, res.text);
            assert!(res.text.contains("href=\"/admin/domains\"") && res.text.contains("Administration"), "{path}");
            assert!(!res.text.contains("style=") && !res.text.contains("<script"), "{path}: no inline style or script");
            assert_eq!(res.headers[header::CACHE_CONTROL], "no-store");
            for who in [&user, &moderator] {
                let res = site.get(path, Some(who), "en").await;
                assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
                assert!(
                    res.text.contains("For the instance&#39;s admins")
                        || res.text.contains("For the instance's admins")
                );
            }
            let anon = site.get(path, None, "en").await;
            assert_eq!((anon.status, anon.location()), (StatusCode::SEE_OTHER, "/signin"), "{path}");
        }
        let fr = site.get("/admin", Some(&nadia), "fr").await;
        assert!(fr.text.contains("Serveurs bloqués") && fr.text.contains("comptes locaux"), "{}", fr.text);
        // Only admins see the link in the navigation.
        assert!(site.get("/home", Some(&nadia), "en").await.text.contains("<a href=\"/admin\""));
        assert!(!site.get("/home", Some(&user), "en").await.text.contains("<a href=\"/admin\""));
        // A user's own valid token does not make them an admin.
        let csrf = site.csrf(&user).await;
        let res = site
            .post("/admin/domains", Some(&user), &[("csrf", &csrf), ("domain", "spam.example"), ("reason", "")])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = site.post_en(&format!("/admin/accounts/{}/suspend", mod_.id), Some(&user), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(site.blocks().await.is_empty());
        assert!(!site.account(mod_.id).await.suspended && !site.account(bob.id).await.suspended);
    }
}

#[tokio::test]
async fn an_admin_blocks_a_domain_with_a_reason_and_lifts_it() {
    for site in sites().await {
        person(&site.svc, "nadia", "admin").await;
        let s = site.sign_in("nadia").await;
        let csrf = site.csrf(&s).await;
        let res = site
            .post(
                "/admin/domains",
                Some(&s),
                &[("csrf", &csrf), ("domain", " https://Spam.Example/users/x "), ("reason", "Spam wave <b>today</b>")],
            )
            .await;
        assert_eq!(
            (res.status, res.location()),
            (StatusCode::SEE_OTHER, "/admin/domains?done=blocked"),
            "{}",
            res.text
        );
        let blocks = site.blocks().await;
        assert_eq!(blocks.len(), 1, "{}", site.backend);
        assert_eq!((blocks[0].domain.as_str(), blocks[0].reason.as_str()), ("spam.example", "Spam wave <b>today</b>"));
        assert!(coopol_db::queries::is_domain_blocked(&site.svc.db, "social.spam.example").await.unwrap());
        let list = site.get(res.location(), Some(&s), "en").await;
        assert!(list.text.contains("The server is blocked.") && list.text.contains("role=\"status\""));
        assert!(list.text.contains("spam.example") && list.text.contains("Spam wave "), "{}", list.text);
        assert!(!list.text.contains("<b>today"), "the reason is shown as text");

        // Mistakes: an error summary at the top, the message next to the field, the input kept.
        for (domain, message) in
            [("", "Enter the domain of the server to block."), ("not a domain", "Enter a domain such as spam.example")]
        {
            let res =
                site.post_en("/admin/domains", Some(&s), &[("csrf", &csrf), ("domain", domain), ("reason", "x")]).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{domain:?}");
            assert!(
                res.text.contains("class=\"error-summary\"") && res.text.contains("href=\"#domain\""),
                "{domain:?}"
            );
            assert!(res.text.contains("id=\"domain-error\"") && res.text.contains("aria-invalid=\"true\""));
            assert!(res.text.contains(message), "{domain:?}");
        }
        let long = "x".repeat(coopol_service::admin::MAX_REASON + 1);
        let res = site
            .post("/admin/domains", Some(&s), &[("csrf", &csrf), ("domain", "other.example"), ("reason", &long)])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text.contains("id=\"reason-error\"") && res.text.contains("value=\"other.example\""));
        let again = site.post_en("/admin/domains", Some(&s), &[("csrf", &csrf), ("domain", "spam.example")]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text.contains("spam.example is already blocked."));
        assert_eq!(site.blocks().await.len(), 1, "no mistake stored anything");

        let res = site.post_en("/admin/domains/lift", Some(&s), &[("csrf", &csrf), ("domain", "spam.example")]).await;
        assert_eq!(res.location(), "/admin/domains?done=lifted");
        assert!(site.blocks().await.is_empty());
        let res = site.post_en("/admin/domains/lift", Some(&s), &[("csrf", &csrf), ("domain", "spam.example")]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn admin_forms_without_the_csrf_token_change_nothing() {
    for site in sites().await {
        person(&site.svc, "nadia", "admin").await;
        let bob = person(&site.svc, "bob", "user").await;
        let nord = group(&site.svc, "nord").await;
        let s = site.sign_in("nadia").await;
        for bad in ["", "not-the-token"] {
            let forms: [(String, Vec<(&str, &str)>); 6] = [
                ("/admin/domains".into(), vec![("csrf", bad), ("domain", "spam.example"), ("reason", "x")]),
                (format!("/admin/accounts/{}/suspend", bob.id), vec![("csrf", bad), ("reason", "x")]),
                (format!("/admin/accounts/{}/delete", bob.id), vec![("csrf", bad)]),
                (format!("/admin/groups/{}/suspend", nord.id), vec![("csrf", bad)]),
                ("/admin/domains/lift".into(), vec![("csrf", bad), ("domain", "spam.example")]),
                (format!("/admin/groups/{}/unsuspend", nord.id), vec![("csrf", bad)]),
            ];
            for (path, form) in &forms {
                let res = site.post_en(path, Some(&s), form).await;
                assert_eq!(res.status, StatusCode::FORBIDDEN, "{}: {path}", site.backend);
            }
        }
        assert!(site.blocks().await.is_empty());
        assert!(!site.account(bob.id).await.suspended && !site.account(nord.id).await.suspended);
        assert_eq!(admin_log::Entity::find().count(&site.svc.db).await.unwrap(), 0);
        assert!(site.try_sign_in("bob").await.is_some());
    }
}

#[tokio::test]
async fn a_suspended_account_cannot_sign_in_until_the_suspension_is_lifted() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia", "admin").await;
        let bob = person(&site.svc, "bob", "user").await;
        let s = site.sign_in("nadia").await;
        let bobs = site.sign_in("bob").await;
        let csrf = site.csrf(&s).await;
        let page = site.get("/admin/accounts", Some(&s), "en").await;
        assert!(page.text.contains("@bob") && page.text.contains("This is your account."), "{}", page.text);

        let res = site
            .post(&format!("/admin/accounts/{}/suspend", bob.id), Some(&s), &[("csrf", &csrf), ("reason", "spam")])
            .await;
        assert_eq!(res.location(), "/admin/accounts?done=suspended", "{}: {}", site.backend, res.text);
        assert!(site.account(bob.id).await.suspended);
        assert!(site.try_sign_in("bob").await.is_none(), "a suspended account cannot sign in");
        let home = site.get("/home", Some(&bobs), "en").await;
        assert_eq!(home.location(), "/signin", "its sessions ended");
        let page = site.get("/admin/accounts?done=suspended", Some(&s), "en").await;
        assert!(page.text.contains("The account is suspended.") && page.text.contains("Suspended"));
        assert!(page.text.contains(&format!("/admin/accounts/{}/unsuspend", bob.id)));
        // The admin cannot suspend themself.
        let me = site.post_en(&format!("/admin/accounts/{}/suspend", nadia.id), Some(&s), &[("csrf", &csrf)]).await;
        assert_eq!(me.status, StatusCode::UNPROCESSABLE_ENTITY);

        let res = site.post_en(&format!("/admin/accounts/{}/unsuspend", bob.id), Some(&s), &[("csrf", &csrf)]).await;
        assert_eq!(res.location(), "/admin/accounts?done=unsuspended");
        assert!(!site.account(bob.id).await.suspended);
        assert!(site.try_sign_in("bob").await.is_some());

        // Deleting asks first, then cannot be undone.
        let confirm = site.get(&format!("/admin/accounts/{}/delete", bob.id), Some(&s), "en").await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(confirm.text.contains("Delete the account @bob?") && confirm.text.contains("This cannot be undone."));
        assert!(confirm.text.contains("name=\"csrf\"") && confirm.text.contains("href=\"/admin/accounts\""));
        assert!(!site.account(bob.id).await.suspended, "the confirmation page changes nothing");
        let res = site
            .post(&format!("/admin/accounts/{}/delete", bob.id), Some(&s), &[("csrf", &csrf), ("reason", "asked to")])
            .await;
        assert_eq!(res.location(), "/admin/accounts?done=deleted");
        assert!(site.account(bob.id).await.suspended);
        assert!(site.try_sign_in("bob").await.is_none());
        let res = site.post_en(&format!("/admin/accounts/{}/unsuspend", bob.id), Some(&s), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a deleted account does not come back");
        let page = site.get("/admin/accounts", Some(&s), "en").await;
        assert!(page.text.contains("Deleted"));
    }
}

#[tokio::test]
async fn groups_are_suspended_after_a_confirmation_and_the_log_lists_every_action() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia", "admin").await;
        let bob = person(&site.svc, "bob", "user").await;
        let nord = group(&site.svc, "nord").await;
        let s = site.sign_in("nadia").await;
        let csrf = site.csrf(&s).await;
        let confirm = site.get(&format!("/admin/groups/{}/suspend", nord.id), Some(&s), "fr").await;
        assert!(confirm.text.contains("Suspendre le groupe nord\u{a0}?"), "{}", confirm.text);
        let res = site
            .post(&format!("/admin/groups/{}/suspend", nord.id), Some(&s), &[("csrf", &csrf), ("reason", "raid")])
            .await;
        assert_eq!(res.location(), "/admin/groups?done=suspended-group", "{}", res.text);
        assert!(site.account(nord.id).await.suspended);
        assert_eq!(site.get("/groups/nord", None, "en").await.status, StatusCode::NOT_FOUND);
        let res = site.post_en(&format!("/admin/groups/{}/unsuspend", nord.id), Some(&s), &[("csrf", &csrf)]).await;
        assert_eq!(res.location(), "/admin/groups?done=unsuspended-group");
        assert!(!site.account(nord.id).await.suspended);
        // A person's id is not a group's.
        let res = site.post_en(&format!("/admin/groups/{}/suspend", bob.id), Some(&s), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);

        site.post_en(
            "/admin/domains",
            Some(&s),
            &[("csrf", &csrf), ("domain", "spam.example"), ("reason", "spam wave")],
        )
        .await;
        site.post_en(&format!("/admin/accounts/{}/suspend", bob.id), Some(&s), &[("csrf", &csrf), ("reason", "abuse")])
            .await;
        // The command line's door writes the same log, as nobody.
        let lucas = person(&site.svc, "lucas", "user").await;
        let lucas = coopol_service::admin::local_account(&site.svc, lucas.id).await.unwrap();
        coopol_service::admin::suspend_account(&site.svc, None, &lucas, "from the shell").await.unwrap();

        let log = admin_log::Entity::find().all(&site.svc.db).await.unwrap();
        assert_eq!(log.len(), 5, "{}: {log:?}", site.backend);
        assert_eq!(log.iter().filter(|e| e.actor_account_id == Some(nadia.id)).count(), 4);
        let page = site.get("/admin/log", Some(&s), "en").await;
        for text in [
            "Server blocked:",
            "spam.example",
            "spam wave",
            "Account suspended:",
            "@bob",
            "abuse",
            "Group suspended:",
            "!nord",
            "raid",
            "Group back:",
            "by @nadia",
            "by the command line on the server",
            "from the shell",
        ] {
            assert!(page.text.contains(text), "{text}: {}", page.text);
        }
        let newest = page.text.find("@lucas").unwrap();
        let oldest = page.text.find("raid").unwrap();
        assert!(newest < oldest, "newest first");
        let fr = site.get("/admin/log", Some(&s), "fr").await;
        assert!(fr.text.contains("Serveur bloqué\u{a0}:") && fr.text.contains("par @nadia"));
        // The dashboard counts what is there.
        let dash = site.get("/admin", Some(&s), "en").await;
        assert!(dash.text.contains("local accounts") && dash.text.contains("Every server answers."), "{}", dash.text);
    }
}
