//! Getting an account in a browser, in-process on every enabled database: invitation links,
//! sign-up on approval, closed registrations, and the admin's pages that set them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use coopol_core::RegistrationMode;
use coopol_db::entities::{invitations, users};
use coopol_service::registrations::{self, By};

/// The sign-up form at `path`: its cookie and token.
async fn open_form(site: &Site, path: &str) -> (Answer, String, String) {
    let page = site.get(path, None, "en").await;
    if let Some(set) = page.cookie("coopol_form") {
        assert!(set.contains("Path=/signup"), "the browser sends the form's cookie back to /signup: {set}");
    }
    let cookie = page.cookie("coopol_form").map(|c| cookie_pair(&c)).unwrap_or_default();
    let token = if page.text.contains("name=\"form_token\"") { field(&page.text, "form_token") } else { String::new() };
    (page, cookie, token)
}

/// Fills and sends the sign-up form at `path` (a page that shows it) for `name`.
async fn sign_up(site: &Site, path: &str, name: &str, reason: &str) -> Answer {
    let (page, cookie, token) = open_form(site, path).await;
    assert_eq!(page.status, StatusCode::OK, "{}: {path} shows the form: {}", site.backend, page.text);
    let invitation = field(&page.text, "invitation");
    site.post_in(
        "/signup",
        Some(&cookie),
        &[
            ("form_token", &token),
            ("invitation", &invitation),
            ("username", name),
            ("email", &format!("{name}@example.test")),
            ("password", PASSWORD),
            ("reason", reason),
            ("agreement", "yes"),
        ],
        Some("en"),
    )
    .await
}

async fn user_named(site: &Site, name: &str) -> Option<users::Model> {
    let account = coopol_db::queries::local_account(&site.svc.db, name).await.unwrap()?;
    coopol_db::queries::user_by_account(&site.svc.db, account.id).await.unwrap()
}

#[tokio::test]
async fn an_invitation_link_brings_a_member_in_once() {
    for site in sites().await {
        registrations::set_mode(&site.svc, RegistrationMode::Invite).await.unwrap();
        let admin = person_with_role(&site.svc, "nadia", "admin").await;
        let admin_cookie = site.sign_in("nadia").await;

        // Without a link, the page says how to get one and shows no form.
        let (closed, _, _) = open_form(&site, "/signup").await;
        assert_eq!(closed.status, StatusCode::FORBIDDEN, "{}", site.backend);
        assert!(closed.text.contains("by invitation only") && !closed.text.contains("name=\"username\""));

        // The admin makes a single-use link from the panel.
        let panel = site.get("/admin/invitations", Some(&admin_cookie), "en").await;
        assert_eq!(panel.status, StatusCode::OK, "{}: {}", site.backend, panel.text);
        let csrf = field(&panel.text, "csrf");
        let made = site
            .post("/admin/invitations", Some(&admin_cookie), &[("csrf", &csrf), ("uses", "1"), ("days", "7")])
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}: {}", site.backend, made.text);
        let shown = site.get(made.location(), Some(&admin_cookie), "en").await;
        let link = field(&shown.text, "fresh-link");
        assert!(link.starts_with("https://local.test/invite/"), "{link}");
        let path = link.trim_start_matches("https://local.test");
        let invitation = invitations::Entity::find().one(&site.svc.db).await.unwrap().unwrap();
        assert_eq!(invitation.created_by, admin.id);

        // Karim opens it, signs up, and is signed in at once, in the language he browsed in.
        let done = sign_up(&site, path, "karim", "").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}: {}", site.backend, done.text);
        assert_eq!(done.location(), "/home");
        let session = cookie_pair(&done.cookie("coopol_session").unwrap());
        let home = site.get("/home", Some(&session), "fr").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains("<html lang=\"en\">"), "the language chosen at sign-up is kept");
        let karim = user_named(&site, "karim").await.unwrap();
        assert!(karim.approved);
        assert_eq!(karim.invitation_id, Some(invitation.id));

        // The link was for one person: the next one is told it no longer works.
        let (spent, _, _) = open_form(&site, path).await;
        assert_eq!(spent.status, StatusCode::GONE);
        assert!(spent.text.contains("no longer works") && !spent.text.contains("name=\"username\""));
        let unknown = site.get("/invite/notacode", None, "en").await;
        assert_eq!(unknown.status, StatusCode::GONE);
    }
}

#[tokio::test]
async fn on_approval_an_account_waits_until_a_moderator_approves_it() {
    for site in sites().await {
        registrations::set_mode(&site.svc, RegistrationMode::Approval).await.unwrap();
        person_with_role(&site.svc, "mod", "moderator").await;
        person(&site.svc, "member").await;

        // No reason: the form comes back with the error next to the field, nothing stored.
        let missing = sign_up(&site, "/signup", "lea", "  ").await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", site.backend);
        assert!(missing.text.contains("Say in a few words why you want to join"));
        assert!(missing.text.contains("href=\"#reason\""), "the summary links to the field");
        assert!(user_named(&site, "lea").await.is_none());

        let asked = sign_up(&site, "/signup", "lea", "Section Nord, tractage du samedi").await;
        assert_eq!(asked.status, StatusCode::OK, "{}: {}", site.backend, asked.text);
        assert!(asked.text.contains("Your request is sent"));
        assert!(asked.cookie("coopol_session").is_none(), "not signed in while waiting");

        // Signing in tells her she waits (her password is right), and starts no session.
        let form = site.get("/signin", None, "en").await;
        let cookie = cookie_pair(&form.cookie("coopol_form").unwrap());
        let token = field(&form.text, "form_token");
        let try_in = site
            .post_in(
                "/signin",
                Some(&cookie),
                &[("form_token", &token), ("login", "lea"), ("password", PASSWORD)],
                Some("en"),
            )
            .await;
        assert_eq!(try_in.status, StatusCode::UNAUTHORIZED);
        assert!(try_in.text.contains("waiting for the team"));
        let wrong = site
            .post("/signin", Some(&cookie), &[("form_token", &token), ("login", "lea"), ("password", "wrong pass")])
            .await;
        assert!(!wrong.text.contains("waiting"), "a wrong password learns nothing");

        // A plain member may not see the queue.
        let member = site.sign_in("member").await;
        assert_eq!(site.get("/admin/registrations", Some(&member), "en").await.status, StatusCode::FORBIDDEN);

        // The moderator sees her reason and approves her; a forged form changes nothing.
        let moderator = site.sign_in("mod").await;
        let queue = site.get("/admin/registrations", Some(&moderator), "en").await;
        assert!(queue.text.contains("@lea") && queue.text.contains("tractage du samedi"), "{}", queue.text);
        assert!(!queue.text.contains("name=\"mode\""), "only admins change the mode");
        let lea = user_named(&site, "lea").await.unwrap();
        let path = format!("/admin/registrations/{}/approve", lea.id);
        let forged = site.post(&path, Some(&moderator), &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(!user_named(&site, "lea").await.unwrap().approved);
        let csrf = field(&queue.text, "csrf");
        let ok = site.post(&path, Some(&moderator), &[("csrf", &csrf)]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}: {}", site.backend, ok.text);
        assert!(user_named(&site, "lea").await.unwrap().approved);
        site.sign_in("lea").await;
    }
}

#[tokio::test]
async fn a_rejected_request_frees_the_name_and_closed_registrations_make_no_account() {
    for site in sites().await {
        registrations::set_mode(&site.svc, RegistrationMode::Approval).await.unwrap();
        let admin = person_with_role(&site.svc, "nadia", "admin").await;
        let admin_user = coopol_db::queries::user_by_account(&site.svc.db, admin.id).await.unwrap().unwrap();
        sign_up(&site, "/signup", "spam", "buy things").await;
        let spam = user_named(&site, "spam").await.unwrap();
        registrations::reject(&site.svc, By::User(&admin_user), spam.id).await.unwrap();
        assert!(coopol_db::queries::local_account(&site.svc.db, "spam").await.unwrap().is_none());

        // The admin closes registrations from the panel; the form is gone and a replayed
        // sign-up is refused.
        let cookie = site.sign_in("nadia").await;
        let panel = site.get("/admin/registrations", Some(&cookie), "fr").await;
        assert!(panel.text.contains("Qui peut créer un compte"), "the panel speaks French too");
        let csrf = field(&panel.text, "csrf");
        let set = site.post("/admin/registrations", Some(&cookie), &[("csrf", &csrf), ("mode", "closed")]).await;
        assert_eq!(set.status, StatusCode::SEE_OTHER);
        assert_eq!(registrations::mode(&site.svc).await.unwrap(), RegistrationMode::Closed);
        let (closed, form_cookie, _) = open_form(&site, "/signup").await;
        assert_eq!(closed.status, StatusCode::FORBIDDEN);
        let token = field(&site.get("/signin", Some(&form_cookie), "en").await.text, "form_token");
        let replay = site
            .post(
                "/signup",
                Some(&form_cookie),
                &[
                    ("form_token", &token),
                    ("username", "late"),
                    ("email", "late@example.test"),
                    ("password", PASSWORD),
                    ("agreement", "yes"),
                ],
            )
            .await;
        assert_eq!(replay.status, StatusCode::FORBIDDEN, "{}: {}", site.backend, replay.text);
        assert!(user_named(&site, "late").await.is_none());
    }
}

#[tokio::test]
async fn an_open_sign_up_checks_every_field_and_the_rules() {
    for site in sites().await {
        registrations::set_mode(&site.svc, RegistrationMode::Open).await.unwrap();
        person(&site.svc, "taken").await;
        let (_, cookie, token) = open_form(&site, "/signup").await;
        let bad = site
            .post_in(
                "/signup",
                Some(&cookie),
                &[("form_token", &token), ("username", "taken"), ("email", "not-an-address"), ("password", "short")],
                Some("en"),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", site.backend);
        for said in ["This username is taken", "Enter an e-mail address", "at least 8 characters", "Accept the rules"] {
            assert!(bad.text.contains(said), "{said}: {}", bad.text);
        }
        assert!(bad.text.contains("value=\"not-an-address\""), "what was typed is kept");
        // Without the form's token, nothing happens.
        let forged = site
            .post(
                "/signup",
                None,
                &[("username", "ghost"), ("email", "g@example.test"), ("password", PASSWORD), ("agreement", "yes")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(user_named(&site, "ghost").await.is_none());
        let ok = sign_up(&site, "/signup", "Newcomer_1", "").await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}: {}", site.backend, ok.text);
        // The same name in other letters' case is the same person on the fediverse.
        let twin = sign_up(&site, "/signup", "newcomer_1", "").await;
        assert_eq!(twin.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
