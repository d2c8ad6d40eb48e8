//! Remote HTML, sanitised with an allow-list before it is stored.

use std::collections::{HashMap, HashSet};

/// Sanitises remote HTML: the tags and attributes Mastodon keeps, links made safe.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .tags(HashSet::from([
            "p",
            "br",
            "a",
            "span",
            "del",
            "pre",
            "code",
            "em",
            "strong",
            "b",
            "i",
            "u",
            "ul",
            "ol",
            "li",
            "blockquote",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
        ]))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "class"])),
            ("span", HashSet::from(["class"])),
            ("ol", HashSet::from(["start", "reversed"])),
            ("li", HashSet::from(["value"])),
        ]))
        .url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_keeps_links_and_drops_scripts() {
        let html = r#"<p>hi <a href="https://x.example/" onclick="evil()">x</a><script>alert(1)</script><img src=x onerror=y></p><a href="javascript:alert(1)">j</a>"#;
        let clean = sanitize_html(html);
        assert!(clean.contains(r#"<a href="https://x.example/" rel="nofollow noopener noreferrer">x</a>"#), "{clean}");
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("img"));
        assert!(!clean.contains("javascript"));
    }
}
