//! Delivery against a real database and real HTTP on loopback: instance health over days, and
//! what the fetcher refuses from a peer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use coopol_federation::delivery::{mark_available, record_failure};
use coopol_federation::{FederationError, HttpClient};
use serde_json::json;
use url::Url;

#[tokio::test]
async fn an_instance_failing_on_seven_distinct_days_is_unavailable_until_it_answers() {
    for (backend, fed) in common::federations(&[]).await {
        let d = "down.example";
        for day in 1..=6 {
            // Many failures on one day count as one day.
            for _ in 0..3 {
                assert!(!record_failure(&fed, d, &format!("2026-01-0{day}")).await.unwrap(), "{backend} day {day}");
            }
        }
        assert!(record_failure(&fed, d, "2026-01-07").await.unwrap(), "{backend}: seventh day");
        assert!(record_failure(&fed, "other.example", "2026-01-07").await.map(|u| !u).unwrap(), "{backend}");
        mark_available(&fed, d).await.unwrap();
        assert!(!record_failure(&fed, d, "2026-01-08").await.unwrap(), "{backend}: counting starts again");
    }
}

/// A peer that answers badly in every way the fetcher must refuse.
async fn bad_peer() -> (Url, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://localhost:{port}");
    let ap = |v: serde_json::Value| ([(header::CONTENT_TYPE, "application/activity+json")], v.to_string());
    let ok_id = format!("{base}/ok");
    let app = Router::new()
        .route("/ok", get(move || async move { ap(json!({"id": ok_id, "type": "Note"})).into_response() }))
        .route(
            "/html",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], r#"{"id":"x"}"#.to_string()).into_response() }),
        )
        .route(
            "/foreign",
            get(move || async move { ap(json!({"id": "http://elsewhere.test/x", "type": "Note"})).into_response() }),
        )
        .route(
            "/big",
            get(|| async {
                let pad = "x".repeat(2 * 1024 * 1024);
                ([(header::CONTENT_TYPE, "application/activity+json")], format!(r#"{{"id":"a","p":"{pad}"}}"#))
                    .into_response()
            }),
        )
        .route(
            "/deep",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/activity+json")], "[".repeat(500) + &"]".repeat(500))
                    .into_response()
            }),
        )
        .route("/hop1", get(|| async { axum::response::Redirect::temporary("/hop2") }))
        .route("/hop2", get(|| async { axum::response::Redirect::temporary("/ok") }));
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (Url::parse(&base).unwrap(), task)
}

#[tokio::test]
async fn the_fetcher_refuses_what_a_peer_must_not_send() {
    let fed = &common::federations(&[]).await[0].1;
    let (base, _server) = bad_peer().await;
    let http = HttpClient::new(true, "coopol-test").unwrap();
    let key = &fed.instance_key;
    let get = |p: &str| base.join(p).unwrap();

    let ok = http.fetch_object(&get("/ok"), key).await.unwrap();
    assert_eq!(ok["type"], "Note", "control: a proper document is read");
    assert!(matches!(http.fetch_object(&get("/html"), key).await, Err(FederationError::Invalid(_))), "content type");
    assert!(matches!(http.fetch_object(&get("/foreign"), key).await, Err(FederationError::Invalid(_))), "id origin");
    assert!(matches!(http.fetch_object(&get("/big"), key).await, Err(FederationError::TooLarge)), "size");
    assert!(matches!(http.fetch_object(&get("/deep"), key).await, Err(FederationError::Invalid(_))), "depth");
    assert!(http.fetch_object(&get("/hop2"), key).await.is_ok(), "control: one redirect is followed");
    assert!(http.fetch_object(&get("/hop1"), key).await.is_err(), "two redirects");
    assert!(matches!(http.fetch_object(&get("/missing"), key).await, Err(FederationError::Gone)), "404");

    // Outside development mode the same loopback peer is out of reach altogether.
    let production = HttpClient::new(false, "coopol-test").unwrap();
    assert!(matches!(production.fetch_object(&get("/ok"), key).await, Err(FederationError::Refused(_))));
    let https = Url::parse(&format!("https://localhost:{}/ok", base.port().unwrap())).unwrap();
    assert!(production.fetch_object(&https, key).await.is_err(), "loopback refused in production");
}
