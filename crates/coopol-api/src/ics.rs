//! iCalendar (RFC 5545) feeds of events, built from plain structs so that the rendering is
//! tested without a database. VEVENTs come from the `icalendar` crate (escaping, folding);
//! the VTIMEZONE of each zone used is built here from chrono-tz's offsets, because the crate
//! would stamp a UID and DTSTAMP on any component it writes, which VTIMEZONE must not carry.
//!
//! The output depends only on its input (DTSTAMP is the event's last change, not "now"), so a
//! hash of it is a stable `ETag` and phone calendars polling an unchanged feed get a 304.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike};

/// The product identifier written in every feed.
pub const PRODID: &str = "-//coopol//events//EN";

/// The lifecycle status of an event, as iCalendar names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

impl IcsStatus {
    /// From coopol's stored status (`confirmed`|`tentative`|`cancelled`); unknown is confirmed.
    pub fn from_stored(status: &str) -> Self {
        match status {
            "cancelled" => Self::Cancelled,
            "tentative" => Self::Tentative,
            _ => Self::Confirmed,
        }
    }
}

/// One event as a calendar shows it.
#[derive(Debug, Clone)]
pub struct IcsEvent {
    /// The event's ActivityPub id: stable, so a calendar updates rather than duplicates it.
    pub uid: String,
    pub url: String,
    pub title: String,
    /// Plain text.
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA name; an unknown zone (a remote event's) falls back to UTC times.
    pub timezone: String,
    pub location: Option<String>,
    pub geo: Option<(f64, f64)>,
    pub status: IcsStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A calendar: its display name and its events.
#[derive(Debug, Clone)]
pub struct IcsCalendar {
    pub name: String,
    pub events: Vec<IcsEvent>,
}

/// Renders the calendar as RFC 5545 text (CRLF line ends, lines folded at 75 octets).
pub fn render(calendar: &IcsCalendar) -> String {
    let mut head = Calendar::empty();
    head.append_property(icalendar::Property::new("VERSION", "2.0"));
    head.append_property(icalendar::Property::new("PRODID", PRODID));
    head.append_property(icalendar::Property::new("CALSCALE", "GREGORIAN"));
    head.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    head.name(&calendar.name);
    // How often subscribed calendars should poll (Apple and Google read these).
    head.ttl(&Duration::hours(1));
    let head = head.to_string();
    // The crate writes properties then components: open the calendar with its properties,
    // then add the zones and events ourselves.
    let mut out = head.trim_end_matches("END:VCALENDAR\r\n").to_owned();

    let mut zones: BTreeSet<&'static str> = BTreeSet::new();
    for event in &calendar.events {
        if let Ok(tz) = event.timezone.parse::<Tz>() {
            zones.insert(tz.name());
        }
    }
    for zone in zones {
        if let Ok(tz) = zone.parse::<Tz>() {
            let years = calendar
                .events
                .iter()
                .filter(|e| e.timezone == zone)
                .flat_map(|e| [Some(e.starts_at), e.ends_at])
                .flatten()
                .map(|t| t.year());
            let (Some(first), Some(last)) = (years.clone().min(), years.max()) else {
                continue;
            };
            out.push_str(&vtimezone(tz, first, last));
        }
    }
    for event in &calendar.events {
        out.push_str(&vevent(event).to_string());
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn vevent(e: &IcsEvent) -> icalendar::Event {
    let mut ev = icalendar::Event::new();
    ev.uid(&e.uid)
        .timestamp(e.updated_at)
        .created(e.created_at)
        .last_modified(e.updated_at)
        .sequence(sequence(e))
        .summary(&e.title)
        .url(&e.url)
        .status(match e.status {
            IcsStatus::Confirmed => icalendar::EventStatus::Confirmed,
            IcsStatus::Tentative => icalendar::EventStatus::Tentative,
            IcsStatus::Cancelled => icalendar::EventStatus::Cancelled,
        });
    ev.starts(zoned(e.starts_at, &e.timezone));
    if let Some(end) = e.ends_at {
        ev.ends(zoned(end, &e.timezone));
    }
    if !e.description.is_empty() {
        ev.description(&e.description);
    }
    if let Some(location) = e.location.as_deref().filter(|l| !l.is_empty()) {
        ev.location(location);
    }
    if let Some((lat, lon)) = e.geo {
        ev.add_property("GEO", format!("{lat};{lon}"));
    }
    ev.done()
}

/// SEQUENCE must grow with each revision; seconds since creation do, without a counter column.
fn sequence(e: &IcsEvent) -> u32 {
    u32::try_from((e.updated_at - e.created_at).num_seconds().max(0)).unwrap_or(u32::MAX)
}

/// The wall-clock time in the event's zone with its TZID, or UTC when the zone is unknown.
fn zoned(t: DateTime<Utc>, zone: &str) -> CalendarDateTime {
    match zone.parse::<Tz>() {
        Ok(tz) => {
            CalendarDateTime::WithTimezone { date_time: t.with_timezone(&tz).naive_local(), tzid: tz.name().to_owned() }
        }
        Err(_) => CalendarDateTime::Utc(t),
    }
}

/// A VTIMEZONE for the years `first..=last`: an observance for the offset in force on
/// 1 January of `first`, then one per transition found, each with its own DTSTART (no RRULE,
/// so past and future rule changes are exact).
fn vtimezone(tz: Tz, first: i32, last: i32) -> String {
    let mut out = String::new();
    let _ = write!(out, "BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let (Some(start), Some(end)) = (year_start(first), year_start(last.saturating_add(1))) else {
        let _ = write!(out, "END:VTIMEZONE\r\n");
        return out;
    };
    let initial = tz.offset_from_utc_datetime(&start.naive_utc());
    observance(&mut out, tz, start, &initial, &initial);
    let mut day = start;
    let mut before = initial;
    while day < end {
        let next = day + Duration::days(1);
        let after = tz.offset_from_utc_datetime(&next.naive_utc());
        if after.fix() != before.fix() || after.abbreviation() != before.abbreviation() {
            let at = transition_instant(tz, day, next);
            observance(&mut out, tz, at, &before, &after);
        }
        before = after;
        day = next;
    }
    let _ = write!(out, "END:VTIMEZONE\r\n");
    out
}

fn year_start(year: i32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// The first instant in `(lo, hi]` with `hi`'s offset (a binary search to the second).
fn transition_instant(tz: Tz, mut lo: DateTime<Utc>, mut hi: DateTime<Utc>) -> DateTime<Utc> {
    let target = tz.offset_from_utc_datetime(&hi.naive_utc());
    while hi - lo > Duration::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        let at_mid = tz.offset_from_utc_datetime(&mid.naive_utc());
        if at_mid.fix() == target.fix() && at_mid.abbreviation() == target.abbreviation() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// One STANDARD or DAYLIGHT block: its DTSTART is the onset in the local time before it.
fn observance(
    out: &mut String,
    tz: Tz,
    at: DateTime<Utc>,
    from: &<Tz as TimeZone>::Offset,
    to: &<Tz as TimeZone>::Offset,
) {
    let _ = tz;
    let kind = if to.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
    let local = at + Duration::seconds(i64::from(from.fix().local_minus_utc()));
    let _ = write!(
        out,
        "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
        local.naive_utc().format("%Y%m%dT%H%M%S"),
        utc_offset(from.fix().local_minus_utc()),
        utc_offset(to.fix().local_minus_utc()),
    );
    if let Some(name) =
        to.abbreviation().filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-'))
    {
        let _ = write!(out, "TZNAME:{name}\r\n");
    }
    let _ = write!(out, "END:{kind}\r\n");
}

/// `+0100`, `-0500`, `+0530`; seconds when a historical offset has them.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// A strong `ETag` for a rendered feed.
pub fn etag(body: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, DatePerhapsTime};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn event(uid: &str, start: &str, end: &str, zone: &str) -> IcsEvent {
        IcsEvent {
            uid: uid.into(),
            url: format!("{uid}/page"),
            title: "Assemblée générale".into(),
            description: "Ordre du jour".into(),
            starts_at: utc(start),
            ends_at: Some(utc(end)),
            timezone: zone.into(),
            location: Some("Bourse du travail".into()),
            geo: Some((48.8566, 2.3522)),
            status: IcsStatus::Confirmed,
            created_at: utc("2026-01-01T10:00:00Z"),
            updated_at: utc("2026-01-02T10:00:00Z"),
        }
    }

    fn parse(text: &str) -> Calendar {
        text.parse::<Calendar>().unwrap()
    }

    fn start_of(ev: &icalendar::Event) -> (chrono::NaiveDateTime, String) {
        match ev.get_start().unwrap() {
            DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => (date_time, tzid),
            other => panic!("not a zoned time: {other:?}"),
        }
    }

    fn end_of(ev: &icalendar::Event) -> (chrono::NaiveDateTime, String) {
        match ev.get_end().unwrap() {
            DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => (date_time, tzid),
            other => panic!("not a zoned time: {other:?}"),
        }
    }

    fn naive(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn one(events: Vec<IcsEvent>) -> String {
        render(&IcsCalendar { name: "Agenda".into(), events })
    }

    #[test]
    fn the_calendar_has_its_header_and_name() {
        let text = one(vec![]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let cal = parse(&text);
        assert_eq!(cal.property_value("VERSION"), Some("2.0"));
        assert_eq!(cal.property_value("PRODID"), Some(PRODID));
        assert_eq!(cal.property_value("CALSCALE"), Some("GREGORIAN"));
        assert_eq!(cal.property_value("X-WR-CALNAME"), Some("Agenda"));
        assert_eq!(cal.property_value("X-PUBLISHED-TTL"), Some("PT3600S"));
    }

    #[test]
    fn times_are_wall_clock_in_the_event_zone_on_both_sides_of_dst() {
        // Paris: UTC+1 in winter, UTC+2 from the last Sunday of March to the last of October.
        let text = one(vec![
            event("https://a.example/events/1", "2026-03-28T13:00:00Z", "2026-03-28T15:00:00Z", "Europe/Paris"),
            event("https://a.example/events/2", "2026-03-30T12:00:00Z", "2026-03-30T14:30:00Z", "Europe/Paris"),
            event("https://a.example/events/3", "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z", "Europe/Paris"),
            event("https://a.example/events/4", "2026-07-04T22:00:00Z", "2026-07-05T01:00:00Z", "America/New_York"),
        ]);
        let cal = parse(&text);
        let events: Vec<_> = cal.events().collect();
        assert_eq!(events.len(), 4);
        assert_eq!(start_of(events[0]), (naive("2026-03-28 14:00"), "Europe/Paris".into()));
        assert_eq!(end_of(events[0]), (naive("2026-03-28 16:00"), "Europe/Paris".into()));
        assert_eq!(start_of(events[1]), (naive("2026-03-30 14:00"), "Europe/Paris".into()));
        assert_eq!(end_of(events[1]), (naive("2026-03-30 16:30"), "Europe/Paris".into()));
        // Across the October change: 14:00 summer time to 13:00 winter time the next day.
        assert_eq!(start_of(events[2]), (naive("2026-10-24 14:00"), "Europe/Paris".into()));
        assert_eq!(end_of(events[2]), (naive("2026-10-25 13:00"), "Europe/Paris".into()));
        assert_eq!(start_of(events[3]), (naive("2026-07-04 18:00"), "America/New_York".into()));
        assert_eq!(end_of(events[3]), (naive("2026-07-04 21:00"), "America/New_York".into()));
    }

    #[test]
    fn each_zone_used_has_one_vtimezone_with_its_transitions() {
        let text = one(vec![
            event("u1", "2026-03-28T13:00:00Z", "2026-03-28T15:00:00Z", "Europe/Paris"),
            event("u2", "2026-10-31T12:00:00Z", "2026-10-31T14:00:00Z", "Europe/Paris"),
            event("u3", "2026-07-04T22:00:00Z", "2026-07-05T01:00:00Z", "America/New_York"),
        ]);
        let cal = parse(&text);
        let zones: Vec<_> = cal
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Other(o) if o.component_kind() == "VTIMEZONE" => Some(o),
                _ => None,
            })
            .collect();
        let ids: Vec<_> = zones.iter().map(|z| z.property_value("TZID").unwrap()).collect();
        assert_eq!(ids, ["America/New_York", "Europe/Paris"]);
        let paris = zones[1];
        let kinds: Vec<_> = paris
            .components()
            .iter()
            .map(|o| {
                (
                    o.component_kind(),
                    o.property_value("DTSTART").unwrap().to_owned(),
                    o.property_value("TZOFFSETFROM").unwrap().to_owned(),
                    o.property_value("TZOFFSETTO").unwrap().to_owned(),
                    o.property_value("TZNAME").unwrap().to_owned(),
                )
            })
            .collect();
        let s = |a: &str, b: &str, c: &str, d: &str, e: &str| {
            (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned(), e.to_owned())
        };
        assert_eq!(
            kinds,
            [
                s("STANDARD", "20260101T010000", "+0100", "+0100", "CET"),
                s("DAYLIGHT", "20260329T020000", "+0100", "+0200", "CEST"),
                s("STANDARD", "20261025T030000", "+0200", "+0100", "CET"),
            ]
        );
        let ny = zones[0];
        let starts: Vec<_> = ny.components().iter().map(|o| o.property_value("DTSTART").unwrap()).collect();
        assert_eq!(starts, ["20251231T190000", "20260308T020000", "20261101T020000"]);
        // VTIMEZONE carries no UID or DTSTAMP (the crate would add them to its components).
        assert!(!text.contains("BEGIN:VTIMEZONE\r\nDTSTAMP"));
        assert!(paris.property_value("UID").is_none());
    }

    #[test]
    fn the_uid_is_the_event_uri_and_the_output_is_stable() {
        let events =
            vec![event("https://a.example/objects/42", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Europe/Paris")];
        let first = one(events.clone());
        let second = one(events);
        assert_eq!(first, second, "the same events must render the same feed (ETag)");
        assert_eq!(etag(&first), etag(&second));
        let cal = parse(&first);
        let ev = cal.events().next().unwrap();
        assert_eq!(ev.get_uid(), Some("https://a.example/objects/42"));
        assert_eq!(ev.get_timestamp(), Some(utc("2026-01-02T10:00:00Z")));
        assert_eq!(ev.get_last_modified(), Some(utc("2026-01-02T10:00:00Z")));
        assert_eq!(ev.get_url(), Some("https://a.example/objects/42/page"));
        assert_eq!(ev.property_value("GEO"), Some("48.8566;2.3522"));
        assert_eq!(ev.get_status(), Some(icalendar::EventStatus::Confirmed));
        assert_eq!(ev.get_sequence(), Some(86_400));
    }

    #[test]
    fn text_is_escaped_and_round_trips() {
        let mut e = event("u", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Europe/Paris");
        e.title = "Réunion; budget, vote".into();
        e.description = "Ligne 1\nLigne 2; avec, virgules \\ fin".into();
        e.location = Some("12, rue de la Paix; Paris".into());
        let text = one(vec![e]);
        assert!(text.contains("SUMMARY:Réunion\\; budget\\, vote\r\n"), "{text}");
        assert!(text.contains("LOCATION:12\\, rue de la Paix\\; Paris\r\n"), "{text}");
        assert!(text.contains("Ligne 1\\nLigne 2\\; avec\\, virgules \\\\ fin"), "{text}");
        let cal = parse(&text);
        let ev = cal.events().next().unwrap();
        assert_eq!(ev.get_summary(), Some("Réunion; budget, vote"));
        assert_eq!(ev.get_location(), Some("12, rue de la Paix; Paris"));
        assert_eq!(ev.get_description(), Some("Ligne 1\nLigne 2; avec, virgules \\ fin"));
    }

    #[test]
    fn long_lines_are_folded_at_75_octets() {
        let mut e = event("u", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Europe/Paris");
        e.description = "Manifestation pour le climat — départ place de la République, arrivée à la Nation. ".repeat(8);
        let text = one(vec![e.clone()]);
        assert!(text.lines().count() > 20);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert!(text.contains("\r\n "), "a continuation line starts with a space");
        let cal = parse(&text);
        assert_eq!(cal.events().next().unwrap().get_description(), Some(e.description.as_str()));
    }

    #[test]
    fn a_cancelled_event_says_so() {
        let mut e = event("u", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Europe/Paris");
        e.status = IcsStatus::Cancelled;
        let text = one(vec![e]);
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        let cal = parse(&text);
        assert_eq!(cal.events().next().unwrap().get_status(), Some(icalendar::EventStatus::Cancelled));
    }

    #[test]
    fn an_unknown_zone_falls_back_to_utc_and_no_end_is_allowed() {
        let mut e = event("u", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Mars/Olympus");
        e.ends_at = None;
        let text = one(vec![e]);
        assert!(text.contains("DTSTART:20260501T080000Z\r\n"), "{text}");
        assert!(!text.contains("DTEND"));
        assert!(!text.contains("VTIMEZONE"));
    }

    #[test]
    fn offsets_are_written_as_rfc5545_utc_offsets() {
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-5 * 3600), "-0500");
        assert_eq!(utc_offset(19_800), "+0530");
        assert_eq!(utc_offset(561), "+000921");
    }

    #[test]
    fn a_zone_without_transitions_has_one_standard_observance() {
        let text = one(vec![event("u", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", "Asia/Tokyo")]);
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1, "{text}");
        assert!(text.contains("TZOFFSETTO:+0900\r\n"));
        assert!(!text.contains("DAYLIGHT"));
    }
}
