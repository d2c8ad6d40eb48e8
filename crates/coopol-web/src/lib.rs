//! The web interface of coopol: server-rendered HTML pages (askama templates, checked at
//! compile time) in French and English (Fluent), for people in a browser. Every page works
//! without JavaScript: a form is a form that posts. Handlers are thin: they read with
//! `coopol_db`'s page helpers, write through `coopol_service`, and render a template.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

mod assets;
pub mod browser;
mod error;
pub mod i18n;
mod limits;
pub mod lookup;
mod pages;
mod security;
mod session;
#[cfg(test)]
mod tests_support;
mod view;
mod visitor;

use std::sync::Arc;

use axum::Router;
use coopol_service::Service;

pub use error::WebError;
pub use i18n::{Lang, TranslationError, Translations};

/// What the instance says about itself on its front page (from the configuration file), and
/// how it reaches other servers.
#[derive(Clone, Default)]
pub struct Site {
    /// A paragraph or two: who runs the instance and what it is for.
    pub description: String,
    /// The rules members accept, in order.
    pub rules: Vec<String>,
    /// Finds remote people, groups and posts for search; without it, search finds only what
    /// this instance already knows.
    pub lookup: Option<Arc<dyn lookup::Lookup>>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("description", &self.description)
            .field("rules", &self.rules)
            .field("lookup", &self.lookup.is_some())
            .finish()
    }
}

/// The state of the web handlers.
#[derive(Clone)]
pub struct Web {
    /// The workflows, the database and who we are.
    pub svc: Service,
    /// Both languages' messages.
    pub translations: Translations,
    /// The front page's texts.
    pub site: Arc<Site>,
    /// Sign-in attempts, per address and per name.
    attempts: Arc<limits::Attempts>,
}

/// The web interface's routes, with their state and security headers applied; merged beside
/// the API and the federation routes by the server.
pub fn router(svc: Service, site: Site) -> Result<Router, TranslationError> {
    let web = Web { svc, translations: Translations::load()?, site: Arc::new(site), attempts: Arc::default() };
    Ok(Router::new()
        .merge(pages::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(web))
}
