//! Readable HTML pages for people who open an actor or post URL in a browser. Minimal on
//! purpose: the web interface will replace them; everything shown is escaped or sanitised.

use coopol_core::text::escape;
use coopol_db::entities::{accounts, statuses};

fn page(title: &str, alternate: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{t}</title><link rel=\"alternate\" type=\"application/activity+json\" href=\"{a}\">\
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5}}\
article{{border-top:1px solid #ddd;padding:.5em 0}}time{{color:#666;font-size:.9em}}</style></head><body>{body}</body></html>",
        t = escape(title),
        a = escape(alternate),
    )
}

fn status_html(s: &statuses::Model) -> String {
    let when = s.created_at.format("%Y-%m-%d %H:%M UTC");
    let warning = if s.spoiler_text.is_empty() {
        String::new()
    } else {
        format!("<p><strong>{}</strong></p>", escape(&s.spoiler_text))
    };
    // Content is sanitised HTML (ours rendered from escaped text, remote cleaned on arrival).
    format!("<article>{warning}{}<p><a href=\"{}\"><time>{when}</time></a></p></article>", s.content, escape(&s.url))
}

/// The profile page of a local account, with its latest public posts.
pub fn profile(domain: &str, a: &accounts::Model, posts: &[statuses::Model]) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>@{}@{}</p><div>{}</div>",
        escape(&a.display_name),
        escape(&a.username),
        escape(domain),
        a.note
    );
    for s in posts {
        body.push_str(&status_html(s));
    }
    page(&format!("{} (@{}@{})", a.display_name, a.username, domain), &a.uri, &body)
}

/// The page of one public post.
pub fn status(domain: &str, author: &accounts::Model, s: &statuses::Model) -> String {
    let body = format!(
        "<p><a href=\"{}\">{} (@{}@{})</a></p>{}",
        escape(&author.url),
        escape(&author.display_name),
        escape(&author.username),
        escape(domain),
        status_html(s)
    );
    page(&format!("{}: post", author.display_name), &s.uri, &body)
}

/// The page of a hashtag.
pub fn tag(tag: &str, posts: &[statuses::Model]) -> String {
    let mut body = format!("<h1>#{}</h1>", escape(tag));
    if posts.is_empty() {
        body.push_str("<p>—</p>");
    }
    for s in posts {
        body.push_str(&status_html(s));
    }
    page(&format!("#{tag}"), "", &body)
}
