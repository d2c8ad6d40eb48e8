//! Ids that sort by creation time, as Mastodon's snowflakes do, so that `max_id`/`since_id`
//! pagination is a plain comparison.

use std::sync::atomic::{AtomicU16, Ordering};

static SEQUENCE: AtomicU16 = AtomicU16::new(0);

/// A new id: milliseconds since the epoch in the high bits, a per-process sequence in the low
/// 16 bits (randomly seeded so that two processes sharing a database rarely collide).
pub fn new_id() -> i64 {
    let ms = chrono::Utc::now().timestamp_millis();
    id_at(ms)
}

/// The id for a given instant; also the lower bound of all ids created at or after it.
pub fn id_at(unix_ms: i64) -> i64 {
    let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed) ^ process_salt();
    (unix_ms << 16) | i64::from(seq)
}

fn process_salt() -> u16 {
    use std::sync::OnceLock;
    static SALT: OnceLock<u16> = OnceLock::new();
    *SALT.get_or_init(rand::random)
}

/// The creation time encoded in an id.
pub fn id_time(id: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(id >> 16).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_follow_time() {
        let a = id_at(1_000);
        let b = id_at(1_001);
        assert!(b > a);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            assert!(seen.insert(new_id()));
        }
        assert_eq!(id_time(id_at(1_700_000_000_123)).timestamp_millis(), 1_700_000_000_123);
    }
}
