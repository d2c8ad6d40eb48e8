//! The addresses other servers know (an actor's `/@name` or `/users/name`, a post's
//! `/@name/ID` or `/users/name/statuses/ID`, a hashtag's `/tags/NAME`) open, in a browser, the
//! web interface's page of the same thing. The binary decides that a request is a browser's
//! (it does not ask for ActivityStreams) and rewrites its path with `page_for`.

/// The web page showing what the federation address `path` names, if it names one.
pub fn page_for(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let name_ok = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let id_ok = |i: &str| !i.is_empty() && i.len() <= 20 && i.chars().all(|c| c.is_ascii_digit());
    match segments.as_slice() {
        [at] if at.starts_with('@') && name_ok(&at[1..]) => Some(format!("/people/{}", &at[1..])),
        ["users", name] if name_ok(name) => Some(format!("/people/{name}")),
        [at, id] if at.starts_with('@') && name_ok(&at[1..]) && id_ok(id) => {
            Some(format!("/posts/{id}?by={}", &at[1..]))
        }
        ["users", name, "statuses", id] if name_ok(name) && id_ok(id) => Some(format!("/posts/{id}?by={name}")),
        ["tags", tag] if !tag.is_empty() && !tag.contains(['?', '#']) => Some(format!("/hashtags/{tag}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federation_addresses_map_to_pages() {
        assert_eq!(page_for("/@alice").as_deref(), Some("/people/alice"));
        assert_eq!(page_for("/users/alice").as_deref(), Some("/people/alice"));
        assert_eq!(page_for("/@alice/123").as_deref(), Some("/posts/123?by=alice"));
        assert_eq!(page_for("/users/alice/statuses/123").as_deref(), Some("/posts/123?by=alice"));
        assert_eq!(page_for("/tags/section").as_deref(), Some("/hashtags/section"));
        for other in [
            "/",
            "/users/alice/inbox",
            "/users/alice/outbox",
            "/@alice/x",
            "/api/v1/instance",
            "/@",
            "/users/a/statuses/1/activity",
        ] {
            assert_eq!(page_for(other), None, "{other}");
        }
    }
}
