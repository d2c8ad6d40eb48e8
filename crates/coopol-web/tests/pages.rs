//! The web interface driven in-process (no socket) on every enabled database: the front page,
//! signing in and out, posting, CSRF refusals, the language setting and sessions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn the_front_page_is_html_in_the_visitors_language() {
    for site in sites().await {
        let res = site.get("/", None, "fr-FR,fr;q=0.9").await;
        assert_eq!(res.status, StatusCode::OK, "{}", site.backend);
        assert!(res.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let csp = res.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'") && !csp.contains("unsafe")
        );
        assert!(res.text.contains("<html lang=\"fr\">"));
        assert!(res.text.contains("Section Nord") && res.text.contains("Comment nous rejoindre"));
        assert!(res.text.contains("Be kind"));
        assert!(!res.text.contains("style=") && !res.text.contains("<script"), "no inline style or script");
        let en = site.get("/", None, "en-GB,en;q=0.8").await;
        assert!(en.text.contains("<html lang=\"en\">") && en.text.contains("How to join"));
        let css = site.get("/static/coopol.css", None, "fr").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
    }
}

#[tokio::test]
async fn signing_in_makes_a_new_session_and_refuses_alike_unknown_names_and_wrong_passwords() {
    for site in sites().await {
        person(&site.svc, "alice").await;
        let form = site.get("/signin", None, "en").await;
        assert_eq!(form.status, StatusCode::OK);
        let form_cookie = cookie_pair(&form.cookie("coopol_form").unwrap());
        let token = field(&form.text, "form_token");
        let wrong = site
            .post(
                "/signin",
                Some(&form_cookie),
                &[("form_token", &token), ("login", "alice"), ("password", "nope nope")],
            )
            .await;
        let unknown = site
            .post(
                "/signin",
                Some(&form_cookie),
                &[("form_token", &token), ("login", "nobody"), ("password", "nope nope")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        let message = |t: &str| {
            let from = t.find("role=\"alert\"").unwrap();
            t[from..from + t[from..].find("</div>").unwrap()].to_string()
        };
        assert_eq!(message(&wrong.text), message(&unknown.text), "the answer does not tell whether the account exists");
        // Without the form's cookie, nothing happens.
        let forged =
            site.post("/signin", None, &[("form_token", &token), ("login", "alice"), ("password", PASSWORD)]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(forged.cookie("coopol_session").is_none());

        let first = site.sign_in("alice@example.test").await;
        let second = site.sign_in("alice").await;
        assert_ne!(first, second, "a new session id at each sign-in");
        let set = site
            .post("/signin", Some(&form_cookie), &[("form_token", &token), ("login", "alice"), ("password", PASSWORD)])
            .await
            .cookie("coopol_session")
            .unwrap();
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(set.contains(part), "{set} lacks {part}");
        }
        let home = site.get("/home", Some(&first), "en").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.text);
        assert!(home.text.contains("Sign out") && home.text.contains("name=\"csrf\""));
        // Signed out, home sends to the sign-in page.
        let anon = site.get("/home", None, "en").await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER);
        assert_eq!(anon.location(), "/signin");
    }
}

#[tokio::test]
async fn sign_in_attempts_are_limited() {
    for site in sites().await {
        person(&site.svc, "bob").await;
        let form = site.get("/signin", None, "en").await;
        let form_cookie = cookie_pair(&form.cookie("coopol_form").unwrap());
        let token = field(&form.text, "form_token");
        let mut last = StatusCode::OK;
        for _ in 0..11 {
            last = site
                .post(
                    "/signin",
                    Some(&form_cookie),
                    &[("form_token", &token), ("login", "bob"), ("password", "wrong pass")],
                )
                .await
                .status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "{}", site.backend);
        let right = site
            .post("/signin", Some(&form_cookie), &[("form_token", &token), ("login", "bob"), ("password", PASSWORD)])
            .await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    }
}

#[tokio::test]
async fn posting_needs_the_sessions_csrf_token_and_content_is_rendered_inert() {
    for site in sites().await {
        person(&site.svc, "carol").await;
        let session = site.sign_in("carol").await;
        let home = site.get("/home", Some(&session), "en").await;
        let csrf = field(&home.text, "csrf");
        let key = field(&home.text, "key");
        let xss = "<script>alert(1)</script><img src=x onerror=alert(2)> hello";
        let before = site.statuses().await;
        for bad in ["", "not-the-token"] {
            let res = site
                .post(
                    "/posts",
                    Some(&session),
                    &[("csrf", bad), ("text", xss), ("visibility", "public"), ("key", &key)],
                )
                .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", site.backend);
        }
        // Another visitor's form, signed out: refused too.
        let res =
            site.post("/posts", None, &[("csrf", &csrf), ("text", xss), ("visibility", "public"), ("key", &key)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(site.statuses().await, before, "nothing stored");

        let form =
            [("csrf", csrf.as_str()), ("text", xss), ("visibility", "public"), ("key", key.as_str()), ("spoiler", "")];
        let res = site.post("/posts", Some(&session), &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let again = site.post("/posts", Some(&session), &form).await;
        assert_eq!(again.location(), res.location(), "the same form posted twice stores one post");
        assert_eq!(site.statuses().await, before + 1);
        for path in [res.location(), "/", "/local", "/people/carol"] {
            let page = site.get(path, None, "en").await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(page.text.contains("hello"), "{path}");
            assert!(!page.text.contains("<script>alert") && !page.text.contains("<img src=x"), "{path}: {}", page.text);
            assert!(page.text.contains("Public, federated"), "{path}: who sees it");
        }
        // Favourite through a form; the back link stays on this site.
        let id = res.location().trim_start_matches("/posts/").to_string();
        let fav = site
            .post(
                &format!("/posts/{id}/favourite"),
                Some(&session),
                &[("csrf", &csrf), ("back", "https://evil.example/")],
            )
            .await;
        assert_eq!(fav.status, StatusCode::SEE_OTHER);
        assert_eq!(fav.location(), format!("/posts/{id}"));
        let thread = site.get(&format!("/posts/{id}"), Some(&session), "en").await;
        assert!(thread.text.contains("1 favourite") && thread.text.contains("Remove favourite"));
    }
}

#[tokio::test]
async fn bad_addresses_get_error_pages() {
    for site in sites().await {
        for path in ["/posts/abc", "/posts/123", "/people/nobody", "/people/x@unknown.example"] {
            let res = site.get(path, None, "en").await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
            assert!(res.text.contains("Page not found"), "{path}");
        }
        let res = site.post("/posts/1/favourite", None, &[]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn settings_choose_the_language_and_end_sessions() {
    for site in sites().await {
        person(&site.svc, "dana").await;
        let laptop = site.sign_in("dana").await;
        let phone = site.sign_in("dana").await;
        let page = site.get("/settings", Some(&laptop), "fr").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text.matches("/end\"").count(), 2, "both sessions listed");
        let csrf = field(&page.text, "csrf");
        let res = site.post("/settings/language", Some(&laptop), &[("csrf", &csrf), ("language", "en")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let page = site.get("/settings", Some(&laptop), "fr-FR,fr").await;
        assert!(page.text.contains("<html lang=\"en\">"), "the account's language wins over the browser's");
        let res = site.post("/settings/language", Some(&laptop), &[("csrf", &csrf), ("language", "xx")]).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        // The phone's CSRF token does not work with the laptop's session.
        let phone_csrf = field(&site.get("/settings", Some(&phone), "fr").await.text, "csrf");
        let res = site.post("/settings/sessions/end-all", Some(&laptop), &[("csrf", &phone_csrf)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = site.post("/settings/sessions/end-all", Some(&laptop), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.cookie("coopol_session").unwrap().contains("Max-Age=0"));
        for s in [&laptop, &phone] {
            assert_eq!(site.get("/home", Some(s), "fr").await.location(), "/signin", "signed out everywhere");
        }
    }
}

/// A local group with `admin` as its admin (an accepted follower with the admin role).
async fn group(svc: &Service, name: &str, join_mode: &str, private: bool, admin: &accounts::Model) -> accounts::Model {
    use coopol_db::entities::{follows, groups};
    let mut row = coopol_db::testing::account_row(name, None, &svc.config.actor_url(name));
    row.url = Set(svc.config.profile_url(name));
    row.display_name = Set(format!("Groupe {name}"));
    row.note = Set("<p>Le groupe de travail du quartier.</p>".into());
    row.actor_type = Set(coopol_db::groups::GROUP.into());
    row.locked = Set(join_mode != "open");
    let a = row.insert(&svc.db).await.unwrap();
    groups::ActiveModel {
        account_id: Set(a.id),
        join_mode: Set(join_mode.into()),
        private: Set(private),
        members_visible: Set(false),
        rules: Set("1. Be kind\n2. Stay on topic".into()),
        creator_account_id: Set(Some(admin.id)),
        created_at: Set(coopol_db::now()),
    }
    .insert(&svc.db)
    .await
    .unwrap();
    follows::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(admin.id),
        target_account_id: Set(a.id),
        uri: Set(format!("{}/follows/{}", admin.uri, a.id)),
        state: Set("accepted".into()),
        created_at: Set(coopol_db::now()),
        notify: Set(false),
        show_reblogs: Set(true),
    }
    .insert(&svc.db)
    .await
    .unwrap();
    coopol_db::groups::set_role(&svc.db, a.id, admin.id, coopol_core::group::GroupRole::Admin).await.unwrap();
    a
}

#[tokio::test]
async fn the_directory_lists_groups_and_a_person_joins_an_open_one() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        group(&site.svc, "nord", "open", false, &nadia).await;
        let dir = site.get("/groups", None, "en").await;
        assert_eq!(dir.status, StatusCode::OK, "{}: {}", site.backend, dir.text);
        assert!(dir.text.contains("href=\"/groups/nord\"") && dir.text.contains("Groupe nord"), "{}", dir.text);
        assert!(dir.text.contains("1 member") && dir.text.contains("Open to all") && dir.text.contains("Public"));
        assert!(dir.text.contains("Le groupe de travail du quartier."), "the description's excerpt");
        assert!(site.get("/", None, "en").await.text.contains("href=\"/groups\""), "linked from the navigation");
        // Signed out: the page says to sign in, no form.
        let page = site.get("/groups/nord", None, "en").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Sign in to join this group") && !page.text.contains("/groups/nord/join"));
        assert!(page.text.contains("Be kind") && page.text.contains("Stay on topic") && !page.text.contains("1. Be"));
        // The group's actor address in a browser (rewritten to /people/nord) lands on this page.
        let person_page = site.get("/people/nord", None, "en").await;
        assert_eq!(person_page.status, StatusCode::SEE_OTHER);
        assert_eq!(person_page.location(), "/groups/nord");

        person(&site.svc, "karim").await;
        let karim = site.sign_in("karim").await;
        let page = site.get("/groups/nord", Some(&karim), "en").await;
        assert!(page.text.contains("Join the group") && page.text.contains("you become a member at once"));
        let csrf = field(&page.text, "csrf");
        let forged = site.post("/groups/nord/join", Some(&karim), &[("csrf", "nope")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(site.get("/groups/nord", Some(&karim), "en").await.text.contains("Join the group"), "not joined");
        let res = site.post("/groups/nord/join", Some(&karim), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        assert_eq!(res.location(), "/groups/nord");
        let page = site.get("/groups/nord", Some(&karim), "en").await;
        assert!(page.text.contains("Leave the group") && page.text.contains("You are in this group as: member"));
        assert!(page.text.contains("2 members"));
        assert!(!page.text.contains("/groups/nord/requests"), "members do not moderate");
        let res = site.post("/groups/nord/leave", Some(&karim), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(site.get("/groups/nord", Some(&karim), "fr").await.text.contains("Rejoindre le groupe"));
    }
}

#[tokio::test]
async fn a_request_to_join_waits_for_a_moderator_who_accepts_it_from_the_queue() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        group(&site.svc, "logement", "approval", false, &nadia).await;
        person(&site.svc, "karim").await;
        person(&site.svc, "lea").await;
        let karim = site.sign_in("karim").await;
        let page = site.get("/groups/logement", Some(&karim), "en").await;
        assert!(page.text.contains("Ask to join") && page.text.contains("On approval"), "{}", page.text);
        assert!(page.text.contains("Message to the moderators (optional)"));
        let csrf = field(&page.text, "csrf");
        let too_long = "x".repeat(1001);
        let res = site.post("/groups/logement/join", Some(&karim), &[("csrf", &csrf), ("message", &too_long)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(site.get("/groups/logement", Some(&karim), "en").await.text.contains("Ask to join"), "nothing asked");
        let message = "Voisin du 12, <b>locataire</b> depuis 2019";
        let res = site.post("/groups/logement/join", Some(&karim), &[("csrf", &csrf), ("message", message)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let page = site.get("/groups/logement", Some(&karim), "en").await;
        assert!(page.text.contains("waiting for a moderator") && page.text.contains("Withdraw the request"));
        assert!(page.text.contains("1 member"), "not a member yet");

        // Neither the person asking nor another member may open the queue or answer.
        let queue = site.get("/groups/logement/requests", Some(&karim), "en").await;
        assert_eq!(queue.status, StatusCode::FORBIDDEN, "{}", queue.text);
        assert!(queue.text.contains("Not allowed"));
        let lea = site.sign_in("lea").await;
        let lea_csrf = field(&site.get("/groups/logement", Some(&lea), "en").await.text, "csrf");
        let karim_id = coopol_db::queries::local_account(&site.svc.db, "karim").await.unwrap().unwrap().id;
        let res = site
            .post(&format!("/groups/logement/requests/{karim_id}/accept"), Some(&lea), &[("csrf", &lea_csrf)])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(site.get("/groups/logement/requests", None, "en").await.location(), "/signin");

        let nadia_s = site.sign_in("nadia").await;
        let page = site.get("/groups/logement", Some(&nadia_s), "en").await;
        assert!(page.text.contains("Join requests (1 waiting)"), "{}", page.text);
        let queue = site.get("/groups/logement/requests", Some(&nadia_s), "en").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
        assert!(queue.text.contains("@karim") && !queue.text.contains("@lea"));
        assert!(queue.text.contains("Voisin du 12, &#60;b&#62;locataire&#60;/b&#62; depuis 2019"), "{}", queue.text);
        assert!(!queue.text.contains("<b>locataire"), "the message is shown as text");
        let csrf = field(&queue.text, "csrf");
        let res = site
            .post(&format!("/groups/logement/requests/{karim_id}/accept"), Some(&nadia_s), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        assert_eq!(res.location(), "/groups/logement/requests");
        assert!(site
            .get("/groups/logement/requests", Some(&nadia_s), "en")
            .await
            .text
            .contains("No request is waiting"));
        let group_id = coopol_db::queries::local_account(&site.svc.db, "logement").await.unwrap().unwrap().id;
        let kept = coopol_db::groups::join_messages(&site.svc.db, group_id, &[karim_id]).await.unwrap();
        assert!(kept.is_empty(), "an answered request's message is not kept");
        let page = site.get("/groups/logement", Some(&karim), "en").await;
        assert!(page.text.contains("You are in this group as: member") && page.text.contains("2 members"));

        // The admin makes karim a moderator from the members' list.
        let members = site.get("/groups/logement/members", Some(&nadia_s), "en").await;
        assert_eq!(members.status, StatusCode::OK, "{}", members.text);
        assert!(members.text.contains(&format!("/groups/logement/members/{karim_id}/role")));
        let res = site
            .post(
                &format!("/groups/logement/members/{karim_id}/role"),
                Some(&nadia_s),
                &[("csrf", &csrf), ("role", "moderator")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let page = site.get("/groups/logement", Some(&karim), "en").await;
        assert!(page.text.contains("You are in this group as: moderator") && page.text.contains("Join requests"));
        // A moderator may not make admins: refused by the service, with a 403 page.
        let karim_csrf = field(&page.text, "csrf");
        let res = site
            .post(
                &format!("/groups/logement/members/{}/role", nadia.id),
                Some(&karim),
                &[("csrf", &karim_csrf), ("role", "member")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    }
}

#[tokio::test]
async fn a_private_groups_posts_are_for_its_members_only() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        group(&site.svc, "bureau", "invite", true, &nadia).await;
        person(&site.svc, "karim").await;
        let nadia_s = site.sign_in("nadia").await;
        let home = site.get("/home", Some(&nadia_s), "en").await;
        let form = [
            ("csrf", field(&home.text, "csrf")),
            ("text", "@bureau Ordre du jour confidentiel".to_string()),
            ("visibility", "direct".to_string()),
            ("key", field(&home.text, "key")),
            ("spoiler", String::new()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = site.post("/posts", Some(&nadia_s), &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let member = site.get("/groups/bureau", Some(&nadia_s), "en").await;
        assert!(member.text.contains("Ordre du jour confidentiel"), "{}: the member reads it", site.backend);

        let karim = site.sign_in("karim").await;
        for (who, cookie) in [("outsider", Some(karim.as_str())), ("signed out", None)] {
            let page = site.get("/groups/bureau", cookie, "en").await;
            assert_eq!(page.status, StatusCode::OK, "{who}");
            assert!(!page.text.contains("Ordre du jour"), "{who}: {}", page.text);
            assert!(page.text.contains("This group is private: its posts are for its members."), "{who}");
            assert!(page.text.contains("Private"), "{who}");
        }
        let page = site.get("/groups/bureau", Some(&karim), "en").await;
        assert!(page.text.contains("by invitation only") && !page.text.contains("/groups/bureau/join\""));
        // Joining anyway (a crafted form) is refused by the group's rule.
        let res = site.post("/groups/bureau/join", Some(&karim), &[("csrf", &field(&page.text, "csrf"))]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        assert!(!site.get("/groups/bureau", Some(&karim), "en").await.text.contains("Ordre du jour"));
    }
}

#[tokio::test]
async fn group_addresses_that_name_nothing_get_error_pages() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        group(&site.svc, "nord", "open", false, &nadia).await;
        let s = site.sign_in("nadia").await;
        let csrf = field(&site.get("/groups/nord", Some(&s), "en").await.text, "csrf");
        for path in ["/groups/nobody", "/groups/nadia", "/groups/x@unknown.example", "/groups/nadia/requests"] {
            let res = site.get(path, Some(&s), "en").await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        }
        for path in
            ["/groups/nord/requests/abc/accept", "/groups/nord/requests/1/maybe", "/groups/nord/requests/1/accept"]
        {
            let res = site.post(path, Some(&s), &[("csrf", &csrf)]).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text);
        }
        let res = site
            .post(&format!("/groups/nord/members/{}/role", nadia.id), Some(&s), &[("csrf", &csrf), ("role", "boss")])
            .await;
        assert!(res.status.is_client_error(), "{}", res.status);
    }
}

/// A public event of `group` by `organiser`, in ten days, with `capacity` places.
async fn event(svc: &Service, organiser: &accounts::Model, group: &accounts::Model, capacity: i32) -> i64 {
    use coopol_db::entities::events;
    let starts = coopol_db::now() + chrono::Duration::days(10);
    let e = coopol_service::events::create(
        svc,
        organiser,
        Some(group.id),
        |m: &mut events::ActiveModel| {
            m.title = Set("Tractage au marché".into());
            m.description_html = Set("<p>Rendez-vous devant la mairie.</p>".into());
            m.starts_at = Set(starts);
            m.ends_at = Set(Some(starts + chrono::Duration::hours(3)));
            m.timezone = Set("Europe/Paris".into());
            m.location_name = Set(Some("Marché Wazemmes".into()));
            m.locality = Set(Some("Lille".into()));
            m.latitude = Set(Some(50.62));
            m.longitude = Set(Some(3.05));
            m.capacity = Set(Some(capacity));
            m.join_mode = Set("free".into());
        },
        |e: &events::Model| format!("<p>{}</p>", e.title),
    )
    .await
    .unwrap();
    e.id
}

#[tokio::test]
async fn an_events_page_takes_answers_and_keeps_a_waiting_list() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        let nord = group(&site.svc, "nord", "open", false, &nadia).await;
        let id = event(&site.svc, &nadia, &nord, 1).await;
        let path = format!("/events/{id}");
        let agenda = site.get("/events", None, "en").await;
        assert_eq!(agenda.status, StatusCode::OK, "{}: {}", site.backend, agenda.text);
        assert!(agenda.text.contains(&format!("href=\"{path}\"")) && agenda.text.contains("Tractage au marché"));
        assert!(agenda.text.contains("href=\"/events.ics\""), "the calendar feed");
        assert!(
            site.get("/groups/nord", None, "en").await.text.contains(&format!("href=\"{path}\"")),
            "on the group's page"
        );
        let page = site.get(&path, None, "en").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("(Europe/Paris)") && page.text.contains("(UTC)"), "both zones");
        assert!(page.text.contains("Marché Wazemmes") && page.text.contains("openstreetmap.org/?mlat=50.62000"));
        assert!(page.text.contains("0 places taken") && page.text.contains("Sign in to say that you are coming"));

        person(&site.svc, "karim").await;
        person(&site.svc, "lea").await;
        let karim = site.sign_in("karim").await;
        let lea = site.sign_in("lea").await;
        let csrf = |text: &str| field(text, "csrf");
        let k_csrf = csrf(&site.get(&path, Some(&karim), "en").await.text);
        let res = site.post(&format!("{path}/join"), Some(&karim), &[("csrf", &k_csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let page = site.get(&path, Some(&karim), "en").await;
        assert!(page.text.contains("You are coming.") && page.text.contains("1 place taken / 1"), "{}", page.text);

        let l_csrf = csrf(&site.get(&path, Some(&lea), "en").await.text);
        site.post(&format!("{path}/join"), Some(&lea), &[("csrf", &l_csrf)]).await;
        let page = site.get(&path, Some(&lea), "fr").await;
        assert!(page.text.contains("vous êtes en tête de la liste d’attente"), "{}", page.text);
        assert!(page.text.contains("1 personne en liste d’attente"));

        let res = site.post(&format!("{path}/leave"), Some(&karim), &[("csrf", &k_csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(site.get(&path, Some(&lea), "en").await.text.contains("You are coming."), "moved up from the list");
        let page = site.get(&path, Some(&karim), "en").await;
        assert!(page.text.contains(&format!("action=\"{path}/join\"")) && !page.text.contains("You are coming."));

        for bad in ["/events/abc", "/events/123"] {
            assert_eq!(site.get(bad, None, "en").await.status, StatusCode::NOT_FOUND, "{bad}");
        }
        let res = site.post(&format!("{path}/dance"), Some(&karim), &[("csrf", &k_csrf)]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        let res = site.post(&format!("{path}/join"), Some(&karim), &[("csrf", "forged")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
}

/// Posts `text` publicly as the signed-in person of `session`; the new post's page.
async fn post_as(site: &Site, session: &str, text: &str) -> String {
    let home = site.get("/home", Some(session), "en").await;
    let (csrf, key) = (field(&home.text, "csrf"), field(&home.text, "key"));
    let form =
        [("csrf", csrf.as_str()), ("text", text), ("visibility", "public"), ("key", key.as_str()), ("spoiler", "")];
    let res = site.post("/posts", Some(session), &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    res.location().to_string()
}

#[tokio::test]
async fn mentions_and_follows_appear_on_the_notifications_page_and_requests_are_answered_there() {
    for site in sites().await {
        let nadia = person(&site.svc, "nadia").await;
        let karim = person(&site.svc, "karim").await;
        let lea = person(&site.svc, "lea").await;
        let karims = site.sign_in("karim").await;
        let mention = post_as(&site, &karims, "@nadia rendez-vous au marché samedi").await;
        coopol_service::relationships::follow(&site.svc, &karim, &nadia).await.unwrap();

        assert_eq!(site.get("/notifications", None, "en").await.location(), "/signin", "signed in only");
        let nadias = site.sign_in("nadia").await;
        let page = site.get("/notifications", Some(&nadias), "en").await;
        assert_eq!(page.status, StatusCode::OK, "{}: {}", site.backend, page.text);
        assert!(page.text.contains("karim mentioned you"), "{}", page.text);
        assert!(page.text.contains("karim follows you"));
        assert!(page.text.contains(&format!("href=\"{mention}\"")) && page.text.contains("rendez-vous au marché"));
        let fr = site.get("/notifications", Some(&nadias), "fr").await;
        assert!(fr.text.contains("karim vous suit"), "the settings' language is English? {}", fr.text);
        let only = site.get("/notifications?only=mentions", Some(&nadias), "en").await;
        assert!(only.text.contains("karim mentioned you") && !only.text.contains("karim follows you"));
        let marker = coopol_db::markers::get(&site.svc.db, nadia.id, &["notifications".into()]).await.unwrap();
        assert_eq!(marker.len(), 1, "seeing the page reads the notifications");

        // A locked account answers a request from the page.
        let mut locked: accounts::ActiveModel = nadia.clone().into();
        locked.locked = Set(true);
        let nadia = locked.update(&site.svc.db).await.unwrap();
        coopol_service::relationships::follow(&site.svc, &lea, &nadia).await.unwrap();
        let page = site.get("/notifications", Some(&nadias), "en").await;
        assert!(page.text.contains("lea asks to follow you"), "{}", page.text);
        let csrf = field(&page.text, "csrf");
        let bad =
            site.post(&format!("/notifications/requests/{}/accept", lea.id), Some(&nadias), &[("csrf", "x")]).await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN);
        let res =
            site.post(&format!("/notifications/requests/{}/accept", lea.id), Some(&nadias), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let follow = coopol_db::queries::follow_between(&site.svc.db, lea.id, nadia.id).await.unwrap().unwrap();
        assert_eq!(follow.state, coopol_db::queries::FOLLOW_ACCEPTED);
        let page = site.get("/notifications", Some(&nadias), "en").await;
        assert!(!page.text.contains("/accept\""), "no button once answered");
        let again =
            site.post(&format!("/notifications/requests/{}/accept", lea.id), Some(&nadias), &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "nothing left to accept");
    }
}

#[tokio::test]
async fn the_not_found_page_speaks_the_visitors_language() {
    for site in sites().await {
        let res = site.get(coopol_web::browser::NOT_FOUND_PAGE, None, "en").await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", site.backend);
        assert!(res.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(res.text.contains("<h1>Page not found</h1>"), "{}", res.text);
        let fr = site.get(coopol_web::browser::NOT_FOUND_PAGE, None, "fr").await;
        assert!(fr.text.contains("<h1>Page introuvable</h1>"), "{}", fr.text);
    }
}
