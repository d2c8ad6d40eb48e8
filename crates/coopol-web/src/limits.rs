//! Sign-in attempts, counted per address and per name in fixed windows, in memory (one
//! process; several processes each count their own). Bounded: past `MAX_KEYS` the expired
//! windows are dropped, and if none is, all are (a flood of names must not grow memory).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed per name in a window.
pub const PER_NAME: u32 = 10;
/// Attempts allowed per address in a window (several people may share one address).
pub const PER_ADDRESS: u32 = 30;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct Attempts {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Attempts {
    /// Counts an attempt of `name` from `address`; false when either is over its limit.
    pub fn allow(&self, address: &str, name: &str, now: Instant) -> bool {
        let Ok(mut map) = self.windows.lock() else { return false };
        if map.len() >= MAX_KEYS {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if map.len() >= MAX_KEYS {
                tracing::warn!("sign-in attempt counters full: cleared");
                map.clear();
            }
        }
        let mut ok = true;
        for (key, limit) in
            [(format!("addr:{address}"), PER_ADDRESS), (format!("name:{}", name.to_lowercase()), PER_NAME)]
        {
            let w = map.entry(key).or_insert((now, 0));
            if now.duration_since(w.0) >= WINDOW {
                *w = (now, 0);
            }
            w.1 = w.1.saturating_add(1);
            ok &= w.1 <= limit;
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_limited_then_freed_by_time() {
        let a = Attempts::default();
        let t = Instant::now();
        for i in 0..PER_NAME {
            assert!(a.allow(&format!("198.51.100.{i}"), "Alice", t));
        }
        assert!(!a.allow("198.51.100.99", "alice", t), "the name's window is spent, from any address");
        assert!(a.allow("198.51.100.99", "bob", t));
        assert!(a.allow("198.51.100.1", "alice", t + WINDOW));
    }

    #[test]
    fn an_address_is_limited() {
        let a = Attempts::default();
        let t = Instant::now();
        for i in 0..PER_ADDRESS {
            assert!(a.allow("192.0.2.1", &format!("user{i}"), t));
        }
        assert!(!a.allow("192.0.2.1", "someone", t));
    }
}
