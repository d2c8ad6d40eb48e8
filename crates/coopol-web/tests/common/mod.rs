//! What the web tests share: an in-process site on every enabled database, people with a
//! password, and a client that keeps to forms and cookies as a browser does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, dead_code)]

pub use axum::body::Body;
pub use axum::http::{header, Request, StatusCode};
use axum::Router;
pub use coopol_db::entities::{accounts, statuses};
pub use coopol_service::{InstanceConfig, Service};
pub use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn config() -> InstanceConfig {
    InstanceConfig {
        domain: "local.test".into(),
        dev: false,
        title: "Section Nord".into(),
        registrations: coopol_core::RegistrationMode::Closed,
        source_url: None,
    }
}

pub struct Site {
    pub backend: &'static str,
    pub svc: Service,
    pub router: Router,
}

pub async fn sites() -> Vec<Site> {
    let mut out = Vec::new();
    for (backend, db) in coopol_db::testing::all().await.unwrap() {
        let svc = Service::new(config(), db);
        let site = coopol_web::Site { rules: vec!["Be kind".into()], ..Default::default() };
        let router = coopol_web::router(svc.clone(), site).unwrap();
        out.push(Site { backend, svc, router });
    }
    out
}

/// A local person with a password.
pub async fn person(svc: &Service, name: &str) -> accounts::Model {
    person_with_role(svc, name, "user").await
}

/// A local person with a password and an instance role (`admin`, `moderator`, `user`).
pub async fn person_with_role(svc: &Service, name: &str, role: &str) -> accounts::Model {
    let mut row = coopol_db::testing::account_row(name, None, &svc.config.actor_url(name));
    row.url = Set(svc.config.profile_url(name));
    let a = row.insert(&svc.db).await.unwrap();
    let hash = coopol_service::credentials::hash_password(PASSWORD).unwrap();
    coopol_db::testing::user_row(a.id, &format!("{name}@example.test"), &hash, role).insert(&svc.db).await.unwrap();
    a
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

/// The value of `name="field" value="..."` in a page.
pub fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

impl Site {
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 4 << 20).await.unwrap();
        Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>, lang: &str) -> Answer {
        let mut req = Request::get(path).header(header::ACCEPT_LANGUAGE, lang);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Answer {
        self.post_in(path, cookie, form, None).await
    }

    /// Posts a form from a browser set to `lang` (`Accept-Language`), if given.
    pub async fn post_in(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)], lang: Option<&str>) -> Answer {
        let body: String = url_encode(form);
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(l) = lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Posts a form from a browser set to English.
    pub async fn post_en(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Answer {
        self.post_in(path, cookie, form, Some("en")).await
    }

    /// Tries to sign in; the session cookie (`name=value`) when it worked.
    pub async fn try_sign_in(&self, login: &str) -> Option<String> {
        let form = self.get("/signin", None, "en").await;
        let form_cookie = cookie_pair(&form.cookie("coopol_form").unwrap());
        let token = field(&form.text, "form_token");
        let res = self
            .post_en("/signin", Some(&form_cookie), &[("form_token", &token), ("login", login), ("password", PASSWORD)])
            .await;
        res.cookie("coopol_session").map(|c| cookie_pair(&c))
    }

    /// The CSRF token of a signed-in page.
    pub async fn csrf(&self, session: &str) -> String {
        field(&self.get("/settings", Some(session), "en").await.text, "csrf")
    }

    /// Signs in; returns the session cookie (`name=value`).
    pub async fn sign_in(&self, login: &str) -> String {
        let form = self.get("/signin", None, "fr").await;
        let form_cookie = cookie_pair(&form.cookie("coopol_form").unwrap());
        let token = field(&form.text, "form_token");
        let res = self
            .post("/signin", Some(&form_cookie), &[("form_token", &token), ("login", login), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}: {}", self.backend, res.text);
        assert_eq!(res.location(), "/home");
        cookie_pair(&res.cookie("coopol_session").unwrap())
    }

    pub async fn statuses(&self) -> u64 {
        statuses::Entity::find().count(&self.svc.db).await.unwrap()
    }
}

pub fn url_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            let enc = |s: &str| {
                s.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            };
            format!("{}={}", enc(k), enc(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}
