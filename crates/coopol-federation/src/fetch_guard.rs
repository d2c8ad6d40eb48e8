//! Bounds on the fetches other servers can make us do. A remote activity names keys, actors and
//! objects, and each name can make us fetch; a hostile peer could name things that never answer
//! and turn us into an amplifier. So a URL whose fetch failed is not fetched again before a
//! backoff that doubles with each failure, and each peer has a budget of fetches per minute.
//! A failure is remembered per asker (the key that signs the fetch): a private group's server
//! may refuse one member and answer another.
//! Memory is bounded: past `MAX_ENTRIES`, what has expired is dropped, then everything (which
//! only means fetching again).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use url::Url;

use crate::FederationError;

/// Most URLs (and peers) remembered.
const MAX_ENTRIES: usize = 10_000;
/// The window of a peer's budget.
const WINDOW: Duration = Duration::from_secs(60);

/// How much other servers may make us fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchLimits {
    /// Wait after a first failed fetch of a URL; doubled at each further failure.
    pub first_backoff: Duration,
    /// Longest wait between two fetches of a failing URL.
    pub max_backoff: Duration,
    /// Fetches per peer (host and port) per minute.
    pub per_peer_per_minute: u32,
}

impl FetchLimits {
    /// A public server: a minute after a first failure, doubling up to six hours; 300 fetches
    /// per peer per minute.
    pub const PRODUCTION: FetchLimits = FetchLimits {
        first_backoff: Duration::from_secs(60),
        max_backoff: Duration::from_secs(6 * 3600),
        per_peer_per_minute: 300,
    };
    /// Development mode, where test instances stop and start within seconds: 5 s, doubling up
    /// to 20 s; a budget no test comes near.
    pub const DEVELOPMENT: FetchLimits = FetchLimits {
        first_backoff: Duration::from_secs(5),
        max_backoff: Duration::from_secs(20),
        per_peer_per_minute: 6_000,
    };

    pub fn for_mode(dev: bool) -> FetchLimits {
        if dev {
            Self::DEVELOPMENT
        } else {
            Self::PRODUCTION
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first_backoff.saturating_mul(1u32 << doublings).min(self.max_backoff)
    }
}

struct Failure {
    count: u32,
    retry_at: Instant,
    /// The peer said 404 or 410: callers treat that as gone, and so do we until `retry_at`.
    gone: bool,
    last_error: String,
}

struct Budget {
    window_start: Instant,
    used: u32,
}

#[derive(Default)]
struct State {
    failures: HashMap<String, Failure>,
    budgets: HashMap<String, Budget>,
}

/// The failed URLs and the peers' budgets, shared by every fetch of the process.
pub struct FetchGuard {
    limits: FetchLimits,
    state: Mutex<State>,
}

/// What a failed fetch is remembered by: who asked, and the URL without its fragment
/// (`actor#main-key` is the actor's document).
fn failure_key(url: &Url, asker: &str) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    format!("{asker} {u}")
}

fn peer_key(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => String::new(),
    }
}

impl FetchGuard {
    pub fn new(limits: FetchLimits) -> Self {
        FetchGuard { limits, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// May `asker` fetch `url` now? Spends one unit of its peer's budget when it may.
    pub fn admit(&self, url: &Url, asker: &str, now: Instant) -> Result<(), FederationError> {
        let mut state = self.state();
        if let Some(f) = state.failures.get(&failure_key(url, asker)) {
            if now < f.retry_at {
                if f.gone {
                    return Err(FederationError::Gone);
                }
                let wait = f.retry_at.saturating_duration_since(now).as_secs().max(1);
                return Err(FederationError::Http(format!(
                    "{url} is not fetched again for {wait} s after {} failed fetches (last: {})",
                    f.count, f.last_error
                )));
            }
        }
        let peer = peer_key(url);
        if state.budgets.len() >= MAX_ENTRIES && !state.budgets.contains_key(&peer) {
            state.budgets.retain(|_, b| now.saturating_duration_since(b.window_start) < WINDOW);
            if state.budgets.len() >= MAX_ENTRIES {
                state.budgets.clear();
            }
        }
        let budget = state.budgets.entry(peer).or_insert(Budget { window_start: now, used: 0 });
        if now.saturating_duration_since(budget.window_start) >= WINDOW {
            *budget = Budget { window_start: now, used: 0 };
        }
        if budget.used >= self.limits.per_peer_per_minute {
            return Err(FederationError::Http(format!(
                "{} fetches from {} in a minute: not fetching {url} now",
                self.limits.per_peer_per_minute,
                peer_key(url)
            )));
        }
        budget.used += 1;
        Ok(())
    }

    /// `asker`'s fetch of `url` failed: wait longer before the next one.
    pub fn failed(&self, url: &Url, asker: &str, error: &FederationError, now: Instant) {
        let gone = matches!(error, FederationError::Gone);
        let mut state = self.state();
        let key = failure_key(url, asker);
        if state.failures.len() >= MAX_ENTRIES && !state.failures.contains_key(&key) {
            state.failures.retain(|_, f| f.retry_at > now);
            if state.failures.len() >= MAX_ENTRIES {
                state.failures.clear();
            }
        }
        let count = state.failures.get(&key).map_or(0, |f| f.count).saturating_add(1);
        let retry_at = now + self.limits.backoff(count);
        let last_error: String = error.to_string().chars().take(200).collect();
        state.failures.insert(key, Failure { count, retry_at, gone, last_error });
    }

    /// `asker`'s fetch of `url` worked: it is no longer failing.
    pub fn succeeded(&self, url: &Url, asker: &str) {
        self.state().failures.remove(&failure_key(url, asker));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: FetchLimits = FetchLimits {
        first_backoff: Duration::from_secs(60),
        max_backoff: Duration::from_secs(600),
        per_peer_per_minute: 5,
    };

    const ME: &str = "https://here.example/actor#main-key";

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_failed_url_waits_a_backoff_that_doubles_up_to_the_cap() {
        let guard = FetchGuard::new(LIMITS);
        let key = url("https://bad.example/users/x#main-key");
        let t0 = Instant::now();
        assert!(guard.admit(&key, ME, t0).is_ok());
        guard.failed(&key, ME, &FederationError::Http("timeout".into()), t0);
        // The actor's document and its key are one URL.
        let actor = url("https://bad.example/users/x");
        let refused = guard.admit(&actor, ME, t0 + Duration::from_secs(59)).unwrap_err();
        assert!(refused.to_string().contains("1 failed fetches"), "{refused}");
        assert!(guard.admit(&actor, ME, t0 + Duration::from_secs(60)).is_ok());
        guard.failed(&actor, ME, &FederationError::Http("timeout".into()), t0 + Duration::from_secs(60));
        assert!(guard.admit(&actor, ME, t0 + Duration::from_secs(179)).is_err(), "second failure: 120 s");
        assert!(guard.admit(&actor, ME, t0 + Duration::from_secs(180)).is_ok());
        for _ in 3..=10 {
            guard.failed(&actor, ME, &FederationError::Http("timeout".into()), t0);
        }
        assert!(guard.admit(&actor, ME, t0 + Duration::from_secs(599)).is_err());
        assert!(guard.admit(&actor, ME, t0 + Duration::from_secs(600)).is_ok(), "never longer than the cap");
    }

    #[test]
    fn a_gone_url_stays_gone_until_its_backoff_ends_and_success_forgets_failures() {
        let guard = FetchGuard::new(LIMITS);
        let note = url("https://peer.example/notes/1");
        let t0 = Instant::now();
        guard.failed(&note, ME, &FederationError::Gone, t0);
        assert!(matches!(guard.admit(&note, ME, t0 + Duration::from_secs(1)), Err(FederationError::Gone)));
        assert!(guard.admit(&url("https://peer.example/notes/2"), ME, t0).is_ok(), "other URLs are not affected");
        let member = "https://here.example/users/member#main-key";
        assert!(guard.admit(&note, member, t0).is_ok(), "another asker may be answered");
        guard.succeeded(&note, ME);
        assert!(guard.admit(&note, ME, t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn each_peer_has_a_budget_per_minute() {
        let guard = FetchGuard::new(LIMITS);
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(guard.admit(&url(&format!("https://busy.example/notes/{i}")), ME, t0).is_ok());
        }
        let over = guard.admit(&url("https://busy.example/notes/5"), ME, t0 + Duration::from_secs(30)).unwrap_err();
        assert!(over.to_string().contains("busy.example"), "{over}");
        assert!(guard.admit(&url("https://busy.example:8443/notes/5"), ME, t0).is_ok(), "another port, another peer");
        assert!(guard.admit(&url("https://calm.example/notes/1"), ME, t0).is_ok());
        assert!(guard.admit(&url("https://busy.example/notes/5"), ME, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn memory_stays_bounded() {
        let guard = FetchGuard::new(FetchLimits { per_peer_per_minute: u32::MAX, ..LIMITS });
        let t0 = Instant::now();
        for i in 0..(MAX_ENTRIES + 10) {
            let u = url(&format!("https://p{i}.example/x"));
            let _ = guard.admit(&u, ME, t0);
            guard.failed(&u, ME, &FederationError::Gone, t0);
        }
        let state = guard.state();
        assert!(state.failures.len() <= MAX_ENTRIES && state.budgets.len() <= MAX_ENTRIES);
    }
}
