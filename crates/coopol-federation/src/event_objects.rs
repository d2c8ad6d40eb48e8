//! Events on the wire: the ActivityStreams `Event` of a local event, and the reading of a
//! remote one, compatible with Mobilizon's extension properties (`joinMode`,
//! `participantCount`, `maximumAttendeeCapacity`, `timezone`, `isOnline`, `ical:status`...).
//! Remote events are validated and bounded here, their HTML sanitised, before anything is stored.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::wire::{ap_context, object_id, sanitize_html, string_list};
use crate::FederationError;

/// Longest title we keep (characters); longer remote titles are cut.
pub const MAX_TITLE: usize = 200;
/// Largest description HTML we accept from a remote event (bytes).
const MAX_DESCRIPTION: usize = 100_000;
/// Longest short text (place, street, category...) we keep (characters).
const MAX_SHORT: usize = 500;
/// Most attachments we look at in one remote event.
const MAX_ATTACHMENTS: usize = 20;
/// Largest capacity we believe.
const MAX_CAPACITY: i64 = 1_000_000;

/// Who may take part, as coopol stores it (`events.join_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireJoinMode {
    Free,
    Approval,
    Members,
}

impl WireJoinMode {
    pub fn as_str(self) -> &'static str {
        match self {
            WireJoinMode::Free => "free",
            WireJoinMode::Approval => "approval",
            WireJoinMode::Members => "members",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "free" => Some(WireJoinMode::Free),
            "approval" => Some(WireJoinMode::Approval),
            "members" => Some(WireJoinMode::Members),
            _ => None,
        }
    }
}

/// The place of an event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub name: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Place {
    /// Writes the place (or its absence: `None`) into an event row; local and remote events
    /// store it alike.
    pub fn store(place: Option<&Place>, m: &mut coopol_db::entities::events::ActiveModel) {
        use sea_orm::Set;
        let p = place.cloned().unwrap_or_default();
        m.location_name = Set(p.name);
        m.street = Set(p.street);
        m.locality = Set(p.locality);
        m.postal_code = Set(p.postal_code);
        m.country = Set(p.country);
        m.latitude = Set(p.latitude);
        m.longitude = Set(p.longitude);
    }

    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.street.is_none()
            && self.locality.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
            && self.latitude.is_none()
            && self.longitude.is_none()
    }

    /// One line for people: "Name, street, postal code locality, country".
    pub fn one_line(&self) -> String {
        let town = match (&self.postal_code, &self.locality) {
            (Some(p), Some(l)) => Some(format!("{p} {l}")),
            (p, l) => p.clone().or_else(|| l.clone()),
        };
        [self.name.clone(), self.street.clone(), town, self.country.clone()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Everything an `Event` says, in coopol's terms. Built from our rows to send, or read from a
/// remote document to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    pub uri: String,
    pub url: String,
    pub title: String,
    pub description_html: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA zone name, known to chrono-tz.
    pub timezone: String,
    pub place: Option<Place>,
    pub online_url: Option<String>,
    pub category: Option<String>,
    pub capacity: Option<i32>,
    pub join_mode: WireJoinMode,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: String,
    pub image_url: Option<String>,
    pub anonymous_participation: bool,
    pub participants_count: i32,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// Who stands behind a local event when we send it.
pub struct EventActors<'a> {
    /// The organiser person (`actor`).
    pub organiser_uri: &'a str,
    /// The organiser's followers collection.
    pub organiser_followers: &'a str,
    /// The organising group, when there is one (`attributedTo`).
    pub group_uri: Option<&'a str>,
    /// The group's followers (its members), when there is a group.
    pub group_followers: Option<&'a str>,
}

/// `Create` or `Update` (`kind`) of an event, with the events' JSON-LD context.
pub fn event_activity(id: &str, kind: &str, actor: &str, mut doc: Value) -> Value {
    if let Some(m) = doc.as_object_mut() {
        m.remove("@context");
    }
    json!({
        "@context": event_context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "published": doc.get("published"),
        "to": doc.get("to"),
        "cc": doc.get("cc"),
        "object": doc,
    })
}

/// The JSON-LD context of an event and of the activities around it: ours plus the terms of
/// Mobilizon (`mz:`), iCalendar (`ical:`) and schema.org (`sc:`) as Mobilizon publishes them.
pub fn event_context() -> Value {
    let mut ctx = ap_context();
    if let Some(items) = ctx.as_array_mut() {
        items.push(json!({
            "mz": "https://joinmobilizon.org/ns#",
            "sc": "http://schema.org#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "pt": "https://joinpeertube.org/ns#",
            "coopol": "urn:coopol:ns#",
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "joinModeType": { "@id": "mz:joinModeType", "@type": "rdfs:Class" },
            "participantCount": { "@id": "mz:participantCount", "@type": "sc:Integer" },
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
            "anonymousParticipationEnabled": { "@id": "mz:anonymousParticipationEnabled", "@type": "sc:Boolean" },
            "repliesModerationOption": { "@id": "mz:repliesModerationOption", "@type": "mz:repliesModerationOptionType" },
            "repliesModerationOptionType": { "@id": "mz:repliesModerationOptionType", "@type": "rdfs:Class" },
            "commentsEnabled": { "@id": "pt:commentsEnabled", "@type": "sc:Boolean" },
            "timezone": { "@id": "mz:timezone", "@type": "sc:Text" },
            "isOnline": { "@id": "mz:isOnline", "@type": "sc:Boolean" },
            "category": "sc:category",
            "PostalAddress": "sc:PostalAddress",
            "address": { "@id": "sc:address", "@type": "sc:PostalAddress" },
            "streetAddress": "sc:streetAddress",
            "addressLocality": "sc:addressLocality",
            "postalCode": "sc:postalCode",
            "addressCountry": "sc:addressCountry",
            "membersOnly": { "@id": "coopol:membersOnly", "@type": "sc:Boolean" }
        }));
    }
    ctx
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The date line people read: "Sat 5 Dec 2026, 14:00–16:00 (Europe/Paris)", in the event's
/// zone; an end on another day is written in full.
pub fn date_line(starts_at: DateTime<Utc>, ends_at: Option<DateTime<Utc>>, timezone: &str) -> String {
    let tz: Tz = timezone.parse().unwrap_or(Tz::UTC);
    let start = starts_at.with_timezone(&tz);
    let day = start.format("%a %-d %b %Y").to_string();
    let from = start.format("%H:%M");
    match ends_at.map(|e| e.with_timezone(&tz)) {
        Some(end) if end.date_naive() == start.date_naive() => {
            format!("{day}, {from}–{} ({})", end.format("%H:%M"), tz.name())
        }
        Some(end) => format!("{day}, {from} – {} ({})", end.format("%a %-d %b %Y, %H:%M"), tz.name()),
        None => format!("{day}, {from} ({})", tz.name()),
    }
}

/// The plain-text summary Mastodon shows under the name: date line and place (or "Online").
pub fn summary_line(e: &EventData) -> String {
    let mut line = date_line(e.starts_at, e.ends_at, &e.timezone);
    let place = e.place.as_ref().map(Place::one_line).filter(|p| !p.is_empty());
    match (place, &e.online_url) {
        (Some(p), _) => {
            line.push_str(" · ");
            line.push_str(&p);
        }
        (None, Some(_)) => line.push_str(" · Online"),
        (None, None) => {}
    }
    if e.status == "cancelled" {
        line = format!("Cancelled: {line}");
    }
    line
}

/// The HTML of an event's companion status, as timelines and Mastodon apps show it: the title
/// in bold, the date line, the place (or "Online") and a link to the event.
pub fn status_html(e: &EventData) -> String {
    let esc = coopol_core::text::escape;
    let cancelled = if e.status == "cancelled" { "Cancelled: " } else { "" };
    let place = e.place.as_ref().map(Place::one_line).filter(|p| !p.is_empty());
    let where_ = match (place, &e.online_url) {
        (Some(p), _) => esc(&p),
        (None, Some(_)) => "Online".to_string(),
        (None, None) => String::new(),
    };
    let mut html = format!(
        "<p>{cancelled}<strong>{}</strong><br>{}",
        esc(&e.title),
        esc(&date_line(e.starts_at, e.ends_at, &e.timezone))
    );
    if !where_.is_empty() {
        html.push_str("<br>");
        html.push_str(&where_);
    }
    html.push_str(&format!("<br><a href=\"{0}\">{0}</a></p>", esc(&e.url)));
    html
}

fn ical_status(status: &str) -> &'static str {
    match status {
        "tentative" => "TENTATIVE",
        "cancelled" => "CANCELLED",
        _ => "CONFIRMED",
    }
}

/// The `Event` of a local event.
pub fn event_json(e: &EventData, who: &EventActors<'_>) -> Value {
    let (to, mut cc) = coopol_core::Visibility::Public.addressing(who.organiser_followers, &[]);
    if let Some(g) = who.group_uri {
        cc.push(g.to_string());
    }
    if let Some(f) = who.group_followers {
        cc.push(f.to_string());
    }
    let location = e.place.as_ref().map(|p| {
        json!({
            "type": "Place",
            "name": p.name.clone().unwrap_or_else(|| p.one_line()),
            "address": {
                "type": "PostalAddress",
                "streetAddress": p.street,
                "addressLocality": p.locality,
                "postalCode": p.postal_code,
                "addressCountry": p.country,
            },
            "latitude": p.latitude,
            "longitude": p.longitude,
        })
    });
    let mut attachment = Vec::new();
    if let Some(u) = &e.online_url {
        attachment.push(json!({ "type": "Link", "name": "Website", "mediaType": "text/html", "href": u }));
    }
    let remaining = e.capacity.map(|c| (c - e.participants_count).max(0));
    json!({
        "@context": event_context(),
        "id": e.uri,
        "type": "Event",
        "url": e.url,
        "name": e.title,
        "content": e.description_html,
        "mediaType": "text/html",
        "summary": summary_line(e),
        "startTime": rfc3339(e.starts_at),
        "endTime": e.ends_at.map(rfc3339),
        "timezone": e.timezone,
        "location": location,
        "isOnline": e.online_url.is_some() && e.place.is_none(),
        "attachment": attachment,
        "category": e.category,
        "maximumAttendeeCapacity": e.capacity,
        "remainingAttendeeCapacity": remaining,
        "participantCount": e.participants_count,
        "joinMode": match e.join_mode {
            WireJoinMode::Free => "free",
            WireJoinMode::Approval | WireJoinMode::Members => "restricted",
        },
        "membersOnly": e.join_mode == WireJoinMode::Members,
        "ical:status": ical_status(&e.status),
        "anonymousParticipationEnabled": e.anonymous_participation,
        "repliesModerationOption": "allow_all",
        "commentsEnabled": true,
        "attributedTo": who.group_uri.unwrap_or(who.organiser_uri),
        "actor": who.organiser_uri,
        "image": e.image_url.as_ref().map(|u| json!({ "type": "Image", "url": u })),
        "to": to,
        "cc": cc,
        "published": rfc3339(e.published),
        "updated": rfc3339(e.updated),
    })
}

/// A remote event as read, with who is behind it (not yet resolved to accounts).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEvent {
    pub data: EventData,
    /// The organiser person: `actor`, else `attributedTo`.
    pub organiser_uri: String,
    /// `attributedTo` when it differs from the organiser: the organising group.
    pub group_uri: Option<String>,
}

fn short_text(v: Option<&Value>) -> Option<String> {
    let s = v?.as_str()?.trim();
    if s.is_empty() {
        return None;
    }
    Some(s.chars().take(MAX_SHORT).collect())
}

fn http_url(s: &str) -> Option<String> {
    let u = Url::parse(s).ok()?;
    (matches!(u.scheme(), "http" | "https") && s.len() <= 2048).then(|| s.to_string())
}

fn coordinate(v: Option<&Value>, limit: f64) -> Option<f64> {
    let x = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (x.is_finite() && x.abs() <= limit).then_some(x)
}

fn time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v?.as_str()?).ok().map(|t| t.with_timezone(&Utc))
}

fn parse_place(v: &Value) -> Option<Place> {
    if !v.is_object() {
        return None;
    }
    let address = v.get("address").filter(|a| a.is_object());
    let field = |k: &str| address.and_then(|a| short_text(a.get(k)));
    // Some servers give the address as one string.
    let street = field("streetAddress").or_else(|| v.get("address").and_then(|a| short_text(Some(a))));
    let place = Place {
        name: short_text(v.get("name")),
        street,
        locality: field("addressLocality"),
        postal_code: field("postalCode"),
        country: field("addressCountry"),
        latitude: coordinate(v.get("latitude"), 90.0),
        longitude: coordinate(v.get("longitude"), 180.0),
    };
    // A coordinate alone is half a point.
    let place = if place.latitude.is_some() != place.longitude.is_some() {
        Place { latitude: None, longitude: None, ..place }
    } else {
        place
    };
    (!place.is_empty()).then_some(place)
}

/// Mobilizon puts the online link among the attachments as a `Link` (named "Website").
fn online_link(attachments: &[Value]) -> Option<String> {
    attachments
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("Link"))
        .filter_map(|a| a.get("href").and_then(Value::as_str))
        .find_map(http_url)
}

fn image(event: &Value, attachments: &[Value]) -> Option<String> {
    let from_image = event.get("image").and_then(|i| match i {
        Value::String(s) => Some(s.as_str()),
        other => other.get("url").and_then(|u| u.as_str().or_else(|| u.get("href").and_then(Value::as_str))),
    });
    // Mobilizon sends its banner as a Document attachment named "Banner".
    let banner = || {
        attachments
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) == Some("Document"))
            .find(|a| a.get("name").and_then(Value::as_str) == Some("Banner"))
            .and_then(|a| a.get("url").and_then(object_url))
    };
    from_image.and_then(http_url).or_else(|| banner().and_then(http_url))
}

fn object_url(v: &Value) -> Option<&str> {
    v.as_str().or_else(|| v.get("href").and_then(Value::as_str))
}

fn join_mode(event: &Value) -> WireJoinMode {
    let members_only = event.get("membersOnly").and_then(Value::as_bool).unwrap_or(false);
    match event.get("joinMode").and_then(Value::as_str) {
        Some("restricted") if members_only => WireJoinMode::Members,
        Some("restricted") | Some("invite") => WireJoinMode::Approval,
        _ => WireJoinMode::Free,
    }
}

fn status(event: &Value) -> String {
    let raw = event.get("ical:status").or_else(|| event.get("status")).and_then(Value::as_str).unwrap_or("");
    match raw.to_ascii_uppercase().as_str() {
        "TENTATIVE" => "tentative",
        "CANCELLED" => "cancelled",
        _ => "confirmed",
    }
    .to_string()
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads a remote `Event`. The id must be on the origin of the actor who sent it
/// (`sender_uri`), and the organiser and group must be that actor or on its origin.
pub fn parse_event(event: &Value, sender_uri: &str) -> Result<RemoteEvent, FederationError> {
    if event.get("type").and_then(Value::as_str) != Some("Event") {
        return Err(FederationError::Invalid("not an Event".into()));
    }
    let id =
        event.get("id").and_then(Value::as_str).ok_or_else(|| FederationError::Invalid("event without id".into()))?;
    let id_url = Url::parse(id).map_err(|_| FederationError::Invalid("event id is not a URL".into()))?;
    let sender = Url::parse(sender_uri).map_err(|_| FederationError::Invalid("bad sender id".into()))?;
    if !same_origin(&id_url, &sender) {
        return Err(FederationError::Unauthorized("event id is not on the sender's origin".into()));
    }
    let attributed = event
        .get("attributedTo")
        .and_then(|v| match v {
            Value::Array(a) => a.first().and_then(object_id),
            other => object_id(other),
        })
        .ok_or_else(|| FederationError::Invalid("event without attributedTo".into()))?
        .to_string();
    let organiser_uri = event.get("actor").and_then(object_id).map(String::from).unwrap_or_else(|| attributed.clone());
    for uri in [&attributed, &organiser_uri] {
        let u = Url::parse(uri).map_err(|_| FederationError::Invalid("event organiser is not a URL".into()))?;
        if !same_origin(&u, &id_url) {
            return Err(FederationError::Unauthorized("event organiser is not on the event's origin".into()));
        }
    }
    let title: String = event
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| FederationError::Invalid("event without a name".into()))?
        .chars()
        .take(MAX_TITLE)
        .collect();
    let content = event.get("content").and_then(Value::as_str).unwrap_or("");
    if content.len() > MAX_DESCRIPTION {
        return Err(FederationError::Invalid("event description too long".into()));
    }
    let starts_at = time(event.get("startTime"))
        .ok_or_else(|| FederationError::Invalid("event without a valid startTime".into()))?;
    let ends_at = time(event.get("endTime")).filter(|e| *e > starts_at);
    let timezone =
        event.get("timezone").and_then(Value::as_str).filter(|z| z.parse::<Tz>().is_ok()).unwrap_or("UTC").to_string();
    let attachments: Vec<Value> = match event.get("attachment") {
        Some(Value::Array(a)) => a.iter().take(MAX_ATTACHMENTS).cloned().collect(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => vec![],
    };
    let capacity = int(event.get("maximumAttendeeCapacity"))
        .filter(|c| (1..=MAX_CAPACITY).contains(c))
        .and_then(|c| i32::try_from(c).ok());
    let participants_count = int(event.get("participantCount"))
        .filter(|c| (0..=MAX_CAPACITY).contains(c))
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(0);
    let published = time(event.get("published")).unwrap_or_else(coopol_db::now);
    let updated = time(event.get("updated")).unwrap_or(published);
    let url = event.get("url").and_then(object_url).and_then(http_url).unwrap_or_else(|| id.to_string());
    let group_uri = (attributed != organiser_uri).then_some(attributed);
    Ok(RemoteEvent {
        data: EventData {
            uri: id.to_string(),
            url,
            title,
            description_html: sanitize_html(content),
            starts_at,
            ends_at,
            timezone,
            place: event.get("location").and_then(parse_place),
            online_url: online_link(&attachments),
            category: short_text(event.get("category")).map(|c| c.chars().take(64).collect()),
            capacity,
            join_mode: join_mode(event),
            status: status(event),
            image_url: image(event, &attachments),
            anonymous_participation: event
                .get("anonymousParticipationEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            participants_count,
            published,
            updated,
        },
        organiser_uri,
        group_uri,
    })
}

/// Whether a remote event is addressed to the public (it is then listed here).
pub fn is_public(event: &Value) -> bool {
    string_list(event.get("to"))
        .iter()
        .chain(string_list(event.get("cc")).iter())
        .any(|a| a == coopol_core::PUBLIC || a == "as:Public" || a == "Public")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOBILIZON: &str = include_str!("../tests/fixtures/mobilizon/event.json");

    fn ours() -> EventData {
        EventData {
            uri: "https://a.example/users/ana/statuses/1".into(),
            url: "https://a.example/@ana/1".into(),
            title: "Assemblée générale".into(),
            description_html: "<p>Ordre du jour</p>".into(),
            starts_at: "2026-12-05T13:00:00Z".parse().unwrap(),
            ends_at: Some("2026-12-05T15:00:00Z".parse().unwrap()),
            timezone: "Europe/Paris".into(),
            place: Some(Place {
                name: Some("Bourse du travail".into()),
                street: Some("3 rue du Château-d'Eau".into()),
                locality: Some("Paris".into()),
                postal_code: Some("75010".into()),
                country: Some("France".into()),
                latitude: Some(48.87),
                longitude: Some(2.36),
            }),
            online_url: None,
            category: Some("MEETING".into()),
            capacity: Some(2),
            join_mode: WireJoinMode::Members,
            status: "confirmed".into(),
            image_url: None,
            anonymous_participation: false,
            participants_count: 1,
            published: "2026-11-01T10:00:00Z".parse().unwrap(),
            updated: "2026-11-01T10:00:00Z".parse().unwrap(),
        }
    }

    fn actors() -> EventActors<'static> {
        EventActors {
            organiser_uri: "https://a.example/users/ana",
            organiser_followers: "https://a.example/users/ana/followers",
            group_uri: Some("https://a.example/users/syndicat"),
            group_followers: Some("https://a.example/users/syndicat/followers"),
        }
    }

    #[test]
    fn the_date_line_is_in_the_events_zone() {
        let e = ours();
        assert_eq!(date_line(e.starts_at, e.ends_at, &e.timezone), "Sat 5 Dec 2026, 14:00–16:00 (Europe/Paris)");
        let late = "2026-12-06T10:00:00Z".parse().unwrap();
        assert_eq!(
            date_line(e.starts_at, Some(late), "Europe/Paris"),
            "Sat 5 Dec 2026, 14:00 – Sun 6 Dec 2026, 11:00 (Europe/Paris)"
        );
        assert_eq!(date_line(e.starts_at, None, "America/New_York"), "Sat 5 Dec 2026, 08:00 (America/New_York)");
    }

    #[test]
    fn a_local_event_reads_like_mobilizons() {
        let v = event_json(&ours(), &actors());
        assert_eq!(v["type"], "Event");
        assert_eq!(v["name"], "Assemblée générale");
        assert_eq!(v["startTime"], "2026-12-05T13:00:00Z");
        assert_eq!(v["timezone"], "Europe/Paris");
        assert_eq!(v["joinMode"], "restricted");
        assert_eq!(v["membersOnly"], true);
        assert_eq!(v["ical:status"], "CONFIRMED");
        assert_eq!(v["maximumAttendeeCapacity"], 2);
        assert_eq!(v["remainingAttendeeCapacity"], 1);
        assert_eq!(v["participantCount"], 1);
        assert_eq!(v["attributedTo"], "https://a.example/users/syndicat");
        assert_eq!(v["actor"], "https://a.example/users/ana");
        assert_eq!(v["location"]["address"]["postalCode"], "75010");
        assert_eq!(v["to"][0], coopol_core::PUBLIC);
        assert!(v["cc"].as_array().unwrap().contains(&json!("https://a.example/users/syndicat")));
        let summary = v["summary"].as_str().unwrap();
        assert!(summary.starts_with("Sat 5 Dec 2026, 14:00–16:00 (Europe/Paris) · Bourse du travail"), "{summary}");
    }

    #[test]
    fn what_we_send_reads_back_the_same() {
        let e = ours();
        let back = parse_event(&event_json(&e, &actors()), "https://a.example/users/syndicat").unwrap();
        assert_eq!(back.data, e);
        assert_eq!(back.organiser_uri, "https://a.example/users/ana");
        assert_eq!(back.group_uri.as_deref(), Some("https://a.example/users/syndicat"));
        let online = EventData { place: None, online_url: Some("https://visio.example/room".into()), ..ours() };
        let v = event_json(&online, &actors());
        assert_eq!(v["isOnline"], true);
        assert!(v["summary"].as_str().unwrap().ends_with(" · Online"));
        let back = parse_event(&v, "https://a.example/users/ana").unwrap();
        assert_eq!(back.data.online_url.as_deref(), Some("https://visio.example/room"));
        assert_eq!(back.data.place, None);
        let cancelled = EventData { status: "cancelled".into(), ..ours() };
        let v = event_json(&cancelled, &actors());
        assert_eq!(v["ical:status"], "CANCELLED");
        assert!(v["summary"].as_str().unwrap().starts_with("Cancelled: "));
    }

    #[test]
    fn a_mobilizon_event_is_read() {
        let v: Value = serde_json::from_str(MOBILIZON).unwrap();
        let r = parse_event(&v, "https://mobilizon.example/@climat").unwrap();
        let e = &r.data;
        assert_eq!(e.uri, "https://mobilizon.example/events/7b3b5f6e-3d0a-4c36-9a55-2d7c4c1a8f11");
        assert_eq!(e.title, "Vélorution de décembre");
        assert_eq!(e.starts_at, "2026-12-12T13:30:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(e.ends_at, Some("2026-12-12T16:00:00Z".parse().unwrap()));
        assert_eq!(e.timezone, "Europe/Paris");
        assert_eq!(e.join_mode, WireJoinMode::Approval);
        assert_eq!(e.status, "confirmed");
        assert_eq!(e.capacity, Some(150));
        assert_eq!(e.participants_count, 42);
        assert_eq!(e.category.as_deref(), Some("MOVEMENTS_POLITICS"));
        assert_eq!(e.online_url.as_deref(), Some("https://live.mobilizon.example/velorution"));
        assert_eq!(e.image_url.as_deref(), Some("https://mobilizon.example/media/banner.jpg"));
        let p = e.place.as_ref().unwrap();
        assert_eq!(p.locality.as_deref(), Some("Lyon"));
        assert_eq!(p.latitude, Some(45.7578));
        assert!(!e.description_html.contains("script"), "{}", e.description_html);
        assert!(e.description_html.contains("<strong>vélo</strong>"));
        assert_eq!(r.organiser_uri, "https://mobilizon.example/@gael");
        assert_eq!(r.group_uri.as_deref(), Some("https://mobilizon.example/@climat"));
        assert!(is_public(&v));
    }

    #[test]
    fn remote_events_are_checked_and_bounded() {
        let v: Value = serde_json::from_str(MOBILIZON).unwrap();
        // Another origin may not speak for this event.
        assert!(matches!(parse_event(&v, "https://evil.example/@x"), Err(FederationError::Unauthorized(_))));
        let mut no_start = v.clone();
        no_start["startTime"] = json!("next saturday");
        assert!(matches!(parse_event(&no_start, "https://mobilizon.example/@gael"), Err(FederationError::Invalid(_))));
        let mut odd = v.clone();
        odd["name"] = json!("x".repeat(5000));
        odd["timezone"] = json!("Mars/Olympus");
        odd["endTime"] = json!("2020-01-01T00:00:00Z");
        odd["maximumAttendeeCapacity"] = json!(0);
        odd["participantCount"] = json!(-3);
        odd["location"]["latitude"] = json!(123.0);
        odd["attributedTo"] = json!("https://other.example/@g");
        assert!(matches!(parse_event(&odd, "https://mobilizon.example/@gael"), Err(FederationError::Unauthorized(_))));
        odd["attributedTo"] = json!("https://mobilizon.example/@climat");
        let e = parse_event(&odd, "https://mobilizon.example/@gael").unwrap().data;
        assert_eq!(e.title.chars().count(), MAX_TITLE);
        assert_eq!(e.timezone, "UTC");
        assert_eq!(e.ends_at, None);
        assert_eq!(e.capacity, None);
        assert_eq!(e.participants_count, 0);
        let p = e.place.unwrap();
        assert_eq!((p.latitude, p.longitude), (None, None));
        let mut huge = v;
        huge["content"] = json!("a".repeat(MAX_DESCRIPTION + 1));
        assert!(parse_event(&huge, "https://mobilizon.example/@gael").is_err());
    }
}
