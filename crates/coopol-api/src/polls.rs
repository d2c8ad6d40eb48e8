//! What a status carries besides its text: media attachments and a poll. Parsing of the
//! client's `media_ids[]` and `poll[...]`, and the Poll and attachment entities; storing them
//! and votes are `coopol_service::polls`'.

use coopol_db::entities::{accounts, media_attachments, polls, statuses};
use coopol_db::media::{self as mq, MAX_ATTACHMENTS};
use coopol_federation::Federation;
pub use coopol_service::polls::{expired, NewPoll, StatusExtras};
use serde_json::{json, Value};

use crate::{mastodon, ApiError, Params};

/// Most options of a poll.
pub const MAX_OPTIONS: usize = 4;
/// Longest option, in characters.
pub const MAX_OPTION_CHARS: usize = 50;
/// Shortest and longest poll duration, in seconds.
pub const MIN_EXPIRATION: i64 = 300;
pub const MAX_EXPIRATION: i64 = 2_629_746;

fn lenient_bool(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "1" | "on" | "True"),
        _ => false,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

/// `poll[options][]=a&poll[expires_in]=300` (forms) or `"poll": {"options": [...], ...}` (JSON).
pub fn parse_poll(p: &Params) -> Result<Option<NewPoll>, ApiError> {
    let field = |name: &str| -> Option<Value> {
        match p.0.get("poll") {
            Some(Value::Object(o)) => o.get(name).cloned(),
            _ => p.0.get(&format!("poll[{name}]")).cloned(),
        }
    };
    let options = strings(field("options").as_ref());
    if options.is_empty() && field("expires_in").is_none() {
        return Ok(None);
    }
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(ApiError::Unprocessable(format!("a poll must have between 2 and {MAX_OPTIONS} options")));
    }
    for (i, o) in options.iter().enumerate() {
        if o.trim().is_empty() {
            return Err(ApiError::Unprocessable("poll options can't be blank".into()));
        }
        if o.chars().count() > MAX_OPTION_CHARS {
            return Err(ApiError::Unprocessable(format!(
                "poll options are at most {MAX_OPTION_CHARS} characters long"
            )));
        }
        if options.iter().take(i).any(|prev| prev == o) {
            return Err(ApiError::Unprocessable("poll options must be different".into()));
        }
    }
    let expires_in = match field("expires_in") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ApiError::Unprocessable("poll[expires_in] must be a number of seconds".into()))?;
    if !(MIN_EXPIRATION..=MAX_EXPIRATION).contains(&expires_in) {
        return Err(ApiError::Unprocessable(format!(
            "a poll lasts between {MIN_EXPIRATION} and {MAX_EXPIRATION} seconds"
        )));
    }
    Ok(Some(NewPoll {
        options,
        expires_in,
        multiple: lenient_bool(field("multiple").as_ref()),
        hide_totals: lenient_bool(field("hide_totals").as_ref()),
    }))
}

/// Reads and checks `media_ids[]` and `poll`: at most four attachments, all the poster's and
/// not yet attached, and not both media and a poll (as Mastodon).
pub async fn status_extras(fed: &Federation, author: &accounts::Model, p: &Params) -> Result<StatusExtras, ApiError> {
    let ids = p.list("media_ids");
    if ids.len() > MAX_ATTACHMENTS {
        return Err(ApiError::Unprocessable(format!("a status has at most {MAX_ATTACHMENTS} attachments")));
    }
    let mut media = Vec::new();
    for raw in ids {
        let id: i64 = raw.parse().map_err(|_| ApiError::Unprocessable(format!("unknown media id {raw}")))?;
        let a = mq::attachment_by_id(&fed.db, id)
            .await?
            .filter(|a| a.account_id == author.id)
            .ok_or_else(|| ApiError::Unprocessable(format!("unknown media id {raw}")))?;
        if a.status_id.is_some() {
            return Err(ApiError::Unprocessable(format!("media {raw} is already attached to a status")));
        }
        if media.iter().any(|m: &media_attachments::Model| m.id == a.id) {
            return Err(ApiError::Unprocessable(format!("media {raw} is given twice")));
        }
        media.push(a);
    }
    let poll = parse_poll(p)?;
    if poll.is_some() && !media.is_empty() {
        return Err(ApiError::Unprocessable("a status cannot have both media and a poll".into()));
    }
    Ok(StatusExtras { media, poll })
}

/// The Poll entity as `viewer` sees it.
pub async fn poll_json(
    fed: &Federation,
    p: &polls::Model,
    s: &statuses::Model,
    viewer: Option<i64>,
) -> Result<Value, ApiError> {
    let (counts, voters) = mq::poll_results(&fed.db, p, s.local).await?;
    let own = match viewer {
        Some(v) => mq::own_votes(&fed.db, p.id, v).await?,
        None => vec![],
    };
    let is_over = expired(p);
    // Totals stay hidden until the end when the author asked so (except for the author).
    let hide = p.hide_totals && !is_over && viewer != Some(s.account_id);
    let options: Vec<Value> = mq::poll_options(p)
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let count = counts.get(i).copied().unwrap_or(0);
            json!({ "title": title, "votes_count": if hide { Value::Null } else { json!(count) } })
        })
        .collect();
    let votes: u64 = counts.iter().sum();
    Ok(json!({
        "id": p.id.to_string(),
        "expires_at": p.expires_at.map(mastodon::time),
        "expired": is_over,
        "multiple": p.multiple,
        "votes_count": if hide { Value::Null } else { json!(votes) },
        "voters_count": if hide { Value::Null } else { json!(voters) },
        "options": options,
        "emojis": [],
        "voted": viewer.map(|_| !own.is_empty()),
        "own_votes": viewer.map(|_| own),
    }))
}

/// A poll and its status, if the viewer may see the status.
pub async fn visible_poll(
    fed: &Federation,
    poll_id: i64,
    viewer: Option<i64>,
) -> Result<(polls::Model, statuses::Model), ApiError> {
    let p = mq::poll_by_id(&fed.db, poll_id).await?.ok_or(ApiError::NotFound)?;
    let s = coopol_service::statuses::visible(fed, p.status_id, viewer).await?;
    Ok((p, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_from_forms_and_json() {
        let form = Params::from_form("poll[options][]=yes&poll[options][]=no&poll[expires_in]=600&poll[multiple]=1");
        let p = parse_poll(&form).unwrap().unwrap();
        assert_eq!(p.options, vec!["yes", "no"]);
        assert_eq!(p.expires_in, 600);
        assert!(p.multiple && !p.hide_totals);
        let mut json = Params::default();
        json.0.insert("poll".into(), json!({"options": ["a", "b", "c"], "expires_in": 300, "hide_totals": true}));
        let p = parse_poll(&json).unwrap().unwrap();
        assert_eq!(p.options.len(), 3);
        assert!(p.hide_totals && !p.multiple);
        assert!(parse_poll(&Params::default()).unwrap().is_none());
    }

    #[test]
    fn bad_polls_are_refused() {
        for form in [
            "poll[options][]=one&poll[expires_in]=600",
            "poll[options][]=a&poll[options][]=b&poll[options][]=c&poll[options][]=d&poll[options][]=e&poll[expires_in]=600",
            "poll[options][]=a&poll[options][]=a&poll[expires_in]=600",
            "poll[options][]=a&poll[options][]=b&poll[expires_in]=10",
            "poll[options][]=a&poll[options][]=b",
            "poll[options][]=a&poll[options][]=&poll[expires_in]=600",
        ] {
            assert!(parse_poll(&Params::from_form(form)).is_err(), "{form}");
        }
    }
}
