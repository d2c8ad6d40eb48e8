//! Plain text as typed in a client, turned into the HTML that is stored and federated:
//! paragraphs, line breaks, links, mentions and hashtags. Everything else is escaped.

/// A mention typed in the text: `@user` (local) or `@user@domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MentionHandle {
    pub username: String,
    pub domain: Option<String>,
}

impl MentionHandle {
    /// `user` or `user@domain`, as Mastodon's `acct`.
    pub fn acct(&self) -> String {
        match &self.domain {
            Some(d) => format!("{}@{}", self.username, d),
            None => self.username.clone(),
        }
    }
}

/// What a mention resolved to: the actor's profile URL, shown as the link.
pub struct ResolvedMention {
    pub handle: MentionHandle,
    pub url: String,
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Text(&'a str),
    Link(&'a str),
    Mention(MentionHandle, &'a str),
    Tag(&'a str),
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')
}

/// Splits a line into text, links, mentions and tags.
fn tokenize(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = line.as_bytes();
    while i < line.len() {
        let rest = &line[i..];
        let boundary = i == 0 || !line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '/');
        let found: Option<(Token<'_>, usize)> = if rest.starts_with("https://") || rest.starts_with("http://") {
            let len = rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"')).unwrap_or(rest.len());
            // A trailing dot or comma ends a sentence, not a URL.
            let trimmed = rest[..len].trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
            (trimmed.len() > "https://".len()).then_some((Token::Link(trimmed), trimmed.len()))
        } else if boundary && bytes.get(i) == Some(&b'@') {
            let user_len = rest[1..].find(|c: char| !is_handle_char(c)).unwrap_or(rest.len() - 1);
            if user_len == 0 {
                None
            } else {
                let username = &rest[1..1 + user_len];
                let after = &rest[1 + user_len..];
                let (domain, dlen) = if let Some(d) = after.strip_prefix('@') {
                    let l = d.find(|c: char| !is_domain_char(c)).unwrap_or(d.len());
                    let dom = d[..l].trim_end_matches(['.', ':', '-']);
                    if dom.contains('.') || dom.starts_with("localhost") {
                        (Some(dom.to_string()), dom.len() + 1)
                    } else {
                        (None, 0)
                    }
                } else {
                    (None, 0)
                };
                let total = 1 + user_len + dlen;
                Some((
                    Token::Mention(
                        MentionHandle { username: username.to_string(), domain: domain.map(|d| d.to_lowercase()) },
                        &rest[..total],
                    ),
                    total,
                ))
            }
        } else if boundary && bytes.get(i) == Some(&b'#') {
            let l = rest[1..].find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len() - 1);
            let tag = &rest[1..1 + l];
            (!tag.is_empty() && !tag.chars().all(|c| c.is_ascii_digit())).then(|| (Token::Tag(tag), 1 + l))
        } else {
            None
        };
        match found {
            Some((tok, len)) => {
                if text_start < i {
                    out.push(Token::Text(&line[text_start..i]));
                }
                out.push(tok);
                i += len;
                text_start = i;
            }
            None => {
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if text_start < line.len() {
        out.push(Token::Text(&line[text_start..]));
    }
    out
}

/// The mentions typed in `text`, each once, in order of appearance.
pub fn mentions(text: &str) -> Vec<MentionHandle> {
    let mut out: Vec<MentionHandle> = Vec::new();
    for line in text.lines() {
        for t in tokenize(line) {
            if let Token::Mention(h, _) = t {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
    }
    out
}

/// The hashtags in `text`, lowercased, each once.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        for t in tokenize(line) {
            if let Token::Tag(tag) = t {
                let tag = tag.to_lowercase();
                if !out.contains(&tag) {
                    out.push(tag);
                }
            }
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders plain text as HTML the way Mastodon does: paragraphs on blank lines, `<br>` on line
/// breaks, links, mentions (only those in `resolved`; others stay text) and hashtags linking to
/// `{base_url}/tags/{tag}`.
pub fn render(text: &str, resolved: &[ResolvedMention], base_url: &str) -> String {
    let mut html = String::new();
    for para in text.replace("\r\n", "\n").split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        for (n, line) in para.trim_matches('\n').lines().enumerate() {
            if n > 0 {
                html.push_str("<br>");
            }
            for tok in tokenize(line) {
                match tok {
                    Token::Text(t) => html.push_str(&escape(t)),
                    Token::Link(u) => {
                        let shown = u.split_once("://").map_or(u, |(_, rest)| rest);
                        html.push_str(&format!(
                            "<a href=\"{}\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">{}</a>",
                            escape(u),
                            escape(shown)
                        ));
                    }
                    Token::Mention(h, raw) => match resolved
                        .iter()
                        .find(|r| r.handle.username.eq_ignore_ascii_case(&h.username) && r.handle.domain == h.domain)
                    {
                        Some(r) => html.push_str(&format!(
                            "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
                            escape(&r.url),
                            escape(&h.username)
                        )),
                        None => html.push_str(&escape(raw)),
                    },
                    Token::Tag(t) => html.push_str(&format!(
                        "<a href=\"{}/tags/{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                        escape(base_url),
                        escape(&t.to_lowercase()),
                        escape(t)
                    )),
                }
            }
        }
        html.push_str("</p>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_and_tags() {
        let t = "Hi @bob@localhost:8081 and @carol, see #Manif2026 at https://x.example/a. mail a@b.c";
        let m = mentions(t);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].acct(), "bob@localhost:8081");
        assert_eq!(m[1].acct(), "carol");
        assert_eq!(hashtags(t), vec!["manif2026"]);
    }

    #[test]
    fn renders_escaped_html_with_links() {
        let resolved = vec![ResolvedMention {
            handle: MentionHandle { username: "bob".into(), domain: Some("b.example".into()) },
            url: "https://b.example/@bob".into(),
        }];
        let html = render("<b>hi</b> @bob@b.example\nsee https://x.example/a.\n\n#Tag", &resolved, "https://a.example");
        assert!(html.starts_with("<p>&lt;b&gt;hi&lt;/b&gt; <span class=\"h-card\"><a href=\"https://b.example/@bob\""));
        assert!(html.contains("<br>see <a href=\"https://x.example/a\""));
        assert!(html.contains("</a>.</p><p><a href=\"https://a.example/tags/tag\""));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn unresolved_mentions_stay_text() {
        assert_eq!(render("@nobody hi", &[], "https://a"), "<p>@nobody hi</p>");
    }
}
