//! `coopol serve`: opens the database, builds the federation context, starts the background
//! workers and serves the federation routes and the client API on one listener, until SIGTERM
//! or Ctrl-C.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Request;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use coopol_api::media::store::LocalDiskStore;
use coopol_api::media::{Media, MediaLimits};
use coopol_federation::{delivery, inbox_worker, outbox, Federation};
use tokio::task::JoinHandle;
use tower::ServiceExt;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::{is_ip_domain, is_local_domain, Config};
use crate::error::Error;

/// How long in-flight requests may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The whole HTTP application of an instance: federation routes (WebFinger, NodeInfo, actors,
/// inboxes...), the Mastodon client API (with its rate limits) and the web interface, with
/// request tracing.
pub fn app(
    fed: Federation,
    media: Media,
    library: coopol_service::library::Library,
    limits: coopol_api::ratelimit::RateLimit,
    site: coopol_web::Site,
) -> Result<Router, Error> {
    let site = coopol_web::Site {
        lookup: Some(std::sync::Arc::new(crate::web_lookup::FederationLookup(fed.clone()))),
        ..site
    };
    let web = coopol_web::router(fed.service.clone(), site).map_err(|e| Error::Usage(e.to_string()))?;
    let routes = coopol_federation::routes::router(fed.clone())
        .merge(coopol_api::router_with(fed.clone(), limits))
        .merge(web)
        .merge(coopol_api::library_router(fed.clone(), library))
        .merge(coopol_api::media_router(fed, media.clone()))
        // The instance endpoints announce the media limits in force.
        .layer(axum::Extension(media));
    // Before routing: a browser opening an actor, post or hashtag address gets the web page.
    // The outer router has only its fallback, so its middleware runs before `routes` route.
    Ok(Router::new()
        .fallback_service(routes.clone())
        .layer(axum::middleware::from_fn_with_state(routes, browser_pages))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        ))
}

/// Content negotiation of the addresses other servers know (`/@name`, `/users/name`, a post's,
/// a hashtag's): ActivityStreams for whoever asks for it, the web interface's page of the same
/// thing for a browser (`coopol_web::browser::page_for`), with `Vary: Accept` either way.
/// An address nothing answers gives a browser the web interface's 404 page instead of
/// Mastodon's JSON (`coopol_web::browser::wants_error_page` decides).
async fn browser_pages(State(routes): State<Router>, mut req: Request, next: Next) -> Response {
    let error_page = coopol_web::browser::wants_error_page(req.method(), req.uri().path(), req.headers())
        .then(|| (req.method().clone(), req.headers().clone()));
    let page = coopol_web::browser::page_for(req.uri().path());
    let browser = matches!(*req.method(), Method::GET | Method::HEAD)
        && !coopol_federation::routes::wants_activity_json(req.headers());
    if let (true, Some(target)) = (browser, &page) {
        if let Ok(uri) = target.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let mut resp = next.run(req).await;
    if let Some((method, headers)) = error_page.filter(|_| is_json_not_found(&resp)) {
        resp = not_found_page(routes, method, headers).await;
    }
    // A 404 is negotiated too: HTML for a browser, JSON for the rest.
    if page.is_some() || resp.status() == StatusCode::NOT_FOUND {
        resp.headers_mut().append(header::VARY, HeaderValue::from_static("Accept"));
    }
    resp
}

/// Mastodon's `{"error": ...}` 404, which a browser should not see.
fn is_json_not_found(resp: &Response) -> bool {
    resp.status() == StatusCode::NOT_FOUND
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"))
}

/// The web interface's 404 page, asked with the browser's headers (its language, its session).
async fn not_found_page(routes: Router, method: Method, headers: axum::http::HeaderMap) -> Response {
    let mut req = Request::new(axum::body::Body::empty());
    *req.method_mut() = method;
    *req.uri_mut() = Uri::from_static(coopol_web::browser::NOT_FOUND_PAGE);
    *req.headers_mut() = headers;
    match routes.oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// The media store and limits of an instance: files on local disk under `media_dir`.
pub fn media(config: &Config) -> Result<Media, Error> {
    let store = LocalDiskStore::new(&config.media_dir, &config.base_url())
        .map_err(|e| Error::Usage(format!("cannot use the media directory {}: {e}", config.media_dir.display())))?;
    Ok(Media {
        store: std::sync::Arc::new(store),
        limits: MediaLimits { video: config.media_video_limit, ..MediaLimits::default() },
    })
}

/// The group libraries of an instance: content-addressed files on local disk under
/// `library_dir`, and the link-signing secret stored in the database.
pub async fn library(config: &Config, fed: &Federation) -> Result<coopol_service::library::Library, Error> {
    let store = coopol_storage::LocalDisk::new(&config.library_dir)
        .map_err(|e| Error::Usage(format!("cannot use the library directory {}: {e}", config.library_dir.display())))?;
    coopol_service::library::Library::new(fed, std::sync::Arc::new(store), config.library_limits)
        .await
        .map_err(|e| Error::Usage(format!("cannot open the group libraries: {e}")))
}

/// Starts the background workers (outbox, delivery, inbox, poll endings, event reminders); their
/// handles let shutdown stop them.
pub fn spawn_workers(fed: &Federation, config: &Config) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(outbox::run(fed.clone())),
        tokio::spawn(delivery::run(fed.clone())),
        tokio::spawn(inbox_worker::run(fed.clone())),
        tokio::spawn(coopol_federation::polls::run_endings(fed.clone())),
        tokio::spawn(coopol_federation::event_reminders::run(fed.clone(), config.event_reminder_minutes)),
    ]
}

/// Warnings about a configuration that works but is probably not what was meant.
pub fn warnings(config: &Config) -> Vec<String> {
    let mut w = Vec::new();
    if config.dev {
        w.push(
            "development mode is on: plain http, loopback peers and quick retries are allowed. \
             Never use it on a server reachable from the Internet."
                .to_string(),
        );
        if is_ip_domain(&config.domain) {
            w.push(format!(
                "the domain {} is an IP address: federation needs a host name (use localhost:PORT for trials)",
                config.domain
            ));
        }
    } else if is_local_domain(&config.domain) {
        w.push(format!(
            "production mode with the domain {}: other servers cannot reach it, and the URLs it publishes \
             are https. Set COOPOL_DOMAIN to the public host name, or use --dev for a local trial.",
            config.domain
        ));
    }
    w
}

/// Resolves when SIGTERM or Ctrl-C (SIGINT) arrives.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Runs the server until a shutdown signal.
pub async fn run(config: Config) -> Result<(), Error> {
    for w in warnings(&config) {
        tracing::warn!("{w}");
    }
    if let Some(file) = &config.file {
        tracing::info!(file = %file.display(), "configuration file read");
    }
    tracing::info!(database = %config.database_url_for_display(), "opening the database");
    let db = crate::setup::open(&config).await?;
    let fed = Federation::new(config.instance(), db).await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Io { what: format!("cannot listen on {}", config.listen), source })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::Io { what: "cannot read the listening address".into(), source })?;

    let media = media(&config)?;
    let library = library(&config, &fed).await?;
    let workers = spawn_workers(&fed, &config);
    let app = app(fed, media, library, config.rate_limit(), config.site())?
        .into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(
        "coopol {} listening on http://{local}, serving {} as {}",
        env!("CARGO_PKG_VERSION"),
        config.title,
        config.base_url()
    );

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });

    let result = tokio::select! {
        // The server stopped on its own: an accept error it could not recover from.
        joined = &mut server => Some(joined),
        () = shutdown_signal() => None,
    };
    let result = match result {
        Some(joined) => joined,
        None => {
            let _ = stop_tx.send(());
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
                Ok(joined) => joined,
                Err(_) => {
                    tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; closing them");
                    server.abort();
                    Ok(Ok(()))
                }
            }
        }
    };
    // Workers keep their state in the database: stopping them mid-task loses nothing (a
    // claimed job becomes due again when its lease ends).
    for w in workers {
        w.abort();
    }
    match result {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            Ok(())
        }
        Ok(Err(source)) => Err(Error::Io { what: "the HTTP server failed".into(), source }),
        Err(e) => Err(Error::Usage(format!("the HTTP server task ended abnormally: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CliOverrides, Config, FileConfig};

    fn config(env: &[(&str, &str)], dev: bool) -> Config {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::resolve(
            FileConfig::default(),
            None,
            move |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            CliOverrides { dev },
        )
        .unwrap()
    }

    #[test]
    fn production_on_localhost_is_warned_about() {
        let w = warnings(&config(&[], false));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("production mode"));
        assert!(warnings(&config(&[("COOPOL_DOMAIN", "section.example")], false)).is_empty());
        let w = warnings(&config(&[], true));
        assert!(w[0].contains("development mode"));
        let w = warnings(&config(&[("COOPOL_DOMAIN", "127.0.0.1:8080")], true));
        assert_eq!(w.len(), 2);
    }

    #[tokio::test]
    async fn the_application_answers_both_sides() {
        use axum::body::Body;
        use axum::http::{Request, StatusCode};
        use tower::ServiceExt;

        let t = crate::setup::testing::sqlite("localhost:18100", true);
        let config = t.config.clone();
        let db = crate::setup::open(&config).await.unwrap();
        let fed = Federation::new(config.instance(), db).await.unwrap();
        let library = library(&config, &fed).await.unwrap();
        let app =
            app(fed, media(&config).unwrap(), library, coopol_api::ratelimit::RateLimit::default(), config.site())
                .unwrap();
        for path in ["/api/v1/instance", "/.well-known/nodeinfo", "/nodeinfo/2.1", "/actor"] {
            let res = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
        let res = app.clone().oneshot(Request::get("/users/nobody").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // An actor's address: ActivityStreams when asked for, the web page for a browser.
        let ap =
            Request::get("/users/nobody").header("accept", "application/activity+json").body(Body::empty()).unwrap();
        let res = app.clone().oneshot(ap).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let html = Request::get("/@nobody").header("accept", "text/html").body(Body::empty()).unwrap();
        let res = app.clone().oneshot(html).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(res.headers()["vary"], "Accept");
        // The web interface: the front page is HTML under a strict policy, never JSON.
        let res = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        t.cleanup().await;
    }
}
