//! Stored (sanitised) HTML back to plain text: for calendar descriptions, and for titles of
//! servers that want one (a Lemmy post's `name`).

/// Plain text of sanitised HTML: paragraphs and line breaks kept, tags dropped, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after.get(1..close).unwrap_or_default().trim().to_ascii_lowercase();
        let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or_default();
        match name {
            "br" => out.push('\n'),
            "p" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "ul" | "ol"
                if tag.starts_with('/') =>
            {
                out.push('\n')
            }
            "li" => out.push_str("- "),
            _ => {}
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    let text = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    // Collapse the blank lines left by nested blocks.
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text(
                "<p>Rendez-vous à <strong>11h</strong> &amp; pas avant.</p><p>Ligne<br>suivante &lt;ok&gt;</p>"
            ),
            "Rendez-vous à 11h & pas avant.\nLigne\nsuivante <ok>"
        );
        assert_eq!(html_to_text("<ul><li>un</li><li>deux</li></ul>"), "- un\n- deux");
        assert_eq!(html_to_text("no tags"), "no tags");
        assert_eq!(html_to_text("broken <a href"), "broken");
    }
}
