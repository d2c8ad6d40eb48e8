//! The Mastodon client API and OAuth of coopol: an adapter that translates between Mastodon's
//! JSON shapes and the domain. Handlers are thin; writes live in `coopol_service`, conversions
//! in `mastodon`. The API never calls other servers to deliver: it records `Intent`s.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod auth;
pub mod calendar;
mod error;
pub mod events;
pub mod groups;
pub mod ics;
pub mod mastodon;
pub mod media;
mod oauth;
mod params;
mod polls;
pub mod profile_images;
pub mod ratelimit;
mod routes;

use axum::Router;
use coopol_federation::Federation;

pub use error::ApiError;
pub use params::Params;

/// The client API and OAuth routes, with their state applied and the default rate limits.
pub fn router(fed: Federation) -> Router {
    router_with(fed, ratelimit::RateLimit::default())
}

/// The client API and OAuth routes with the given rate limits.
pub fn router_with(fed: Federation, limits: ratelimit::RateLimit) -> Router {
    Router::new()
        .merge(oauth::routes())
        .merge(routes::instance::routes())
        .merge(routes::accounts::routes())
        .merge(routes::statuses::routes())
        .merge(routes::timelines::routes())
        .merge(routes::search::routes())
        .merge(routes::groups::routes())
        .merge(routes::events::routes())
        .merge(routes::polls::routes())
        .merge(routes::notifications::routes())
        .merge(routes::lists::routes())
        .merge(routes::markers::routes())
        .merge(routes::conversations::routes())
        .merge(routes::streaming::routes())
        .merge(routes::calendar::routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(fed.clone(), routes::calendar::event_feed_layer))
        .layer(axum::middleware::from_fn_with_state(ratelimit::Limiter::new(limits), ratelimit::limit))
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods(tower_http::cors::Any)
                .allow_headers(tower_http::cors::Any)
                .expose_headers([
                    axum::http::header::LINK,
                    axum::http::HeaderName::from_static("x-ratelimit-limit"),
                    axum::http::HeaderName::from_static("x-ratelimit-remaining"),
                    axum::http::HeaderName::from_static("x-ratelimit-reset"),
                ]),
        )
        .with_state(fed)
}

/// The media routes (uploads and the files themselves) over a media store; merged beside
/// [`router`] by the server.
pub fn media_router(fed: Federation, media: media::Media) -> Router {
    routes::media::routes(media)
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods(tower_http::cors::Any)
                .allow_headers(tower_http::cors::Any),
        )
        .with_state(fed)
}

/// The group library's routes (`/api/v1/coopol/groups/:id/library...` and the signed
/// downloads at `/library/files/...`) over a library; merged beside [`router`] by the server.
pub fn library_router(fed: Federation, library: coopol_service::library::Library) -> Router {
    routes::library::routes(library)
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods(tower_http::cors::Any)
                .allow_headers(tower_http::cors::Any)
                .expose_headers([axum::http::header::CONTENT_RANGE, axum::http::header::ACCEPT_RANGES]),
        )
        .with_state(fed)
}
