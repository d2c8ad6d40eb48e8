//! Search and the personal agenda in-process on every enabled database: names, handles and
//! links lead to their pages; a private calendar link is made once and opens the agenda.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn names_handles_and_links_lead_to_their_pages() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        let mut remote = coopol_db::testing::account_row("karim", Some("other.test"), "https://other.test/users/karim");
        remote.display_name = Set("Karim Benali".into());
        remote.url = Set("https://other.test/@karim".into());
        remote.insert(&site.svc.db).await.unwrap();

        // A word of a display name finds the person, here or elsewhere.
        let words = site.get("/search?q=benali", None, "en").await;
        assert_eq!(words.status, StatusCode::OK, "{}", site.backend);
        assert!(words.text.contains("Karim Benali") && words.text.contains("@karim@other.test"));
        assert!(words.text.contains("Sign in to search the words of posts"));

        // A known handle, with @ or !, and a profile link open the page at once.
        for q in ["@karim@other.test", "karim@other.test", "https://other.test/@karim"] {
            let res = site
                .get(
                    &format!("/search?q={}", q.replace('@', "%40").replace(':', "%3A").replace('/', "%2F")),
                    None,
                    "en",
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{q}");
            assert_eq!(res.location(), "/people/karim@other.test", "{q}");
        }
        let own = site.get("/search?q=%40nadia%40local.test", None, "en").await;
        assert_eq!(own.location(), "/people/nadia");

        // Unknown and signed out: said plainly, nothing fetched.
        let unknown = site.get("/search?q=%40nobody%40far.test", None, "en").await;
        assert_eq!(unknown.status, StatusCode::OK);
        assert!(unknown.text.contains("Nobody is known as @nobody@far.test"), "{}", unknown.text);

        // A post's link opens its thread for whoever may read it; its words find it once signed in.
        let api_like = coopol_service::statuses::NewStatus {
            text: "Distribution de tracts samedi au marché de Wazemmes",
            visibility: Some(coopol_core::Visibility::Public),
            in_reply_to_id: None,
            spoiler_text: "",
            sensitive: false,
            language: None,
            mentions: vec![],
            extras: Default::default(),
        };
        let post = coopol_service::statuses::create(&site.svc, &nadia, api_like).await.unwrap();
        let link = format!("/search?q={}", post.uri.replace(':', "%3A").replace('/', "%2F"));
        let opened = site.get(&link, None, "en").await;
        assert_eq!(opened.location(), format!("/posts/{}", post.id), "{}", site.backend);
        let cookie = site.sign_in("nadia").await;
        let found = site.get("/search?q=tracts+wazemmes", Some(&cookie), "en").await;
        assert!(found.text.contains("Distribution de tracts"), "{}", found.text);
    }
}

#[tokio::test]
async fn the_agenda_shows_a_private_calendar_link_once() {
    for site in sites().await {
        let karim = person(&site.svc, "karim").await;
        let cookie = site.sign_in("karim").await;
        let page = site.get("/events", Some(&cookie), "en").await;
        assert!(page.text.contains("My agenda") && page.text.contains("Nothing planned yet"));
        let csrf = field(&page.text, "csrf");
        let forged = site.post("/events/calendar-link", Some(&cookie), &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let made = site.post("/events/calendar-link", Some(&cookie), &[("csrf", &csrf)]).await;
        assert_eq!(made.status, StatusCode::OK, "{}: {}", site.backend, made.text);
        assert_eq!(made.headers[header::CACHE_CONTROL], "no-store");
        let link = field(&made.text, "feed-link");
        let token = link.split("token=").nth(1).unwrap();
        assert!(link.starts_with("https://local.test/users/karim/events.ics?token="));
        let owner = coopol_service::events::calendar_token_account(&site.svc, token).await.unwrap();
        assert_eq!(owner, Some(karim.id));
        // Shown once: the next visit does not show it again.
        assert!(!site.get("/events", Some(&cookie), "en").await.text.contains("token="));
        // A signed-out visitor sees the instance's events only.
        assert!(!site.get("/events", None, "en").await.text.contains("My agenda"));
    }
}
