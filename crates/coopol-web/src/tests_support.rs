//! Helpers of the unit tests: the sources of templates and handlers, and the message keys
//! they name.

use std::path::Path;

/// Every template and Rust source of the crate, with its file name.
pub fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["templates", "src", "src/pages"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// Families of message keys: a string literal starting with one of them is a key.
const FAMILIES: &[&str] = &[
    "skip-",
    "nav-",
    "footer-",
    "error-",
    "front-",
    "post-",
    "who-",
    "group-",
    "groups-",
    "event-",
    "events-",
    "signin-",
    "settings-",
    "compose-",
    "timeline-",
    "profile-",
    "thread-",
    "lang-",
    "session-",
    "visibility-",
    "action-",
    "notif-",
    "admin-",
];

/// The message keys a source names: in a template, the arguments of `t`, `t1` and `tn`; in Rust,
/// string literals of a key family (months are built from their number).
pub fn keys_used(file: &str, text: &str) -> Vec<String> {
    if file.ends_with(".html") {
        return [".t(\"", ".t1(\"", ".tn(\""]
            .iter()
            .flat_map(|call| text.split(call).skip(1).filter_map(|rest| rest.split('"').next()))
            .map(str::to_string)
            .collect();
    }
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|lit| {
            FAMILIES.iter().any(|f| lit.starts_with(f))
                && lit.len() > 4
                && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !lit.ends_with('-')
        })
        .map(str::to_string)
        .collect()
}
