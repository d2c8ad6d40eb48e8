//! What coopol's event endpoints (`routes::events`) need besides the service: reading and
//! validating what a client sends, the description's Markdown, the companion status's text, and
//! the Event entity. The writes (create, update, cancel, join, leave, the organisers' answers)
//! are `coopol_service::events`'; an event is also a status (its companion, same URI), which
//! timelines and groups show.

use chrono::{DateTime, Utc};
use coopol_core::event::EventJoinMode;
use coopol_db::entities::{accounts, event_participants, events, statuses};
use coopol_db::queries;
use coopol_federation::event_objects::{status_html, EventData, Place, WireJoinMode};
use coopol_federation::event_store::event_data;
use coopol_federation::Federation;
use coopol_service::events::{self as event_rules, count_in_state, participation, TENTATIVE, WAITLISTED};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::{json, Value};

use crate::{mastodon, ApiError, Params};

const MAX_DESCRIPTION: usize = 20_000;

/// An event as a client describes it (create and update).
pub struct EventInput {
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub place: Option<Place>,
    pub online_url: Option<String>,
    pub category: Option<String>,
    pub capacity: Option<i32>,
    pub join_mode: EventJoinMode,
    pub group_id: Option<i64>,
}

fn unprocessable(msg: &str) -> ApiError {
    ApiError::Unprocessable(msg.to_string())
}

fn time(p: &Params, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match p.str(key) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| ApiError::Unprocessable(format!("{key} must be an RFC 3339 time"))),
    }
}

fn text(v: Option<&Value>, max: usize, what: &str) -> Result<Option<String>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.trim().to_string())),
        _ => Err(ApiError::Unprocessable(format!("{what} must be text of at most {max} characters"))),
    }
}

fn coordinate(v: Option<&Value>, limit: f64, what: &str) -> Result<Option<f64>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_f64().or_else(|| x.as_str().and_then(|s| s.parse().ok())) {
            Some(f) if f.is_finite() && f.abs() <= limit => Ok(Some(f)),
            _ => Err(ApiError::Unprocessable(format!("{what} must be a number between -{limit} and {limit}"))),
        },
    }
}

impl EventInput {
    /// Reads and validates what a client sent.
    pub fn from_params(p: &Params) -> Result<Self, ApiError> {
        let title = p.required("title")?.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(unprocessable("title must have 1 to 200 characters"));
        }
        let description = p.str("description").unwrap_or("").to_string();
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(unprocessable("description must have at most 20000 characters"));
        }
        let starts_at = time(p, "starts_at")?.ok_or_else(|| unprocessable("starts_at can't be blank"))?;
        let ends_at = time(p, "ends_at")?;
        if ends_at.is_some_and(|e| e <= starts_at) {
            return Err(unprocessable("ends_at must be after starts_at"));
        }
        let timezone = p.str("timezone").unwrap_or("UTC").to_string();
        if timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(unprocessable("timezone must be an IANA time zone, e.g. Europe/Paris"));
        }
        let place = match p.0.get("location") {
            None | Some(Value::Null) => None,
            Some(l @ Value::Object(_)) => {
                let place = Place {
                    name: text(l.get("name"), 500, "location.name")?,
                    street: text(l.get("street"), 500, "location.street")?,
                    locality: text(l.get("locality"), 500, "location.locality")?,
                    postal_code: text(l.get("postal_code"), 500, "location.postal_code")?,
                    country: text(l.get("country"), 500, "location.country")?,
                    latitude: coordinate(l.get("latitude"), 90.0, "location.latitude")?,
                    longitude: coordinate(l.get("longitude"), 180.0, "location.longitude")?,
                };
                if place.latitude.is_some() != place.longitude.is_some() {
                    return Err(unprocessable("location needs both latitude and longitude, or neither"));
                }
                (place != Place::default()).then_some(place)
            }
            Some(_) => return Err(unprocessable("location must be an object")),
        };
        let online_url = match p.str("online_url") {
            None => None,
            Some(u) => match url::Url::parse(u) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && u.len() <= 2048 => Some(u.to_string()),
                _ => return Err(unprocessable("online_url must be an http(s) URL")),
            },
        };
        if place.is_none() && online_url.is_none() {
            return Err(unprocessable("an event needs a location or an online_url"));
        }
        let capacity = match p.0.get("capacity") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
                Some(c @ 1..=100_000) => i32::try_from(c).ok(),
                _ => return Err(unprocessable("capacity must be between 1 and 100000")),
            },
        };
        let join_mode = p
            .str("join_mode")
            .unwrap_or("free")
            .parse()
            .map_err(|_| unprocessable("join_mode must be free, approval or members"))?;
        let group_id = p.id("group_id")?;
        if join_mode == EventJoinMode::Members && group_id.is_none() {
            return Err(unprocessable("join_mode members needs a group_id"));
        }
        Ok(EventInput {
            title,
            description,
            starts_at,
            ends_at,
            timezone,
            place,
            online_url,
            category: text(p.0.get("category"), 64, "category")?,
            capacity,
            join_mode,
            group_id,
        })
    }
}

/// Markdown to sanitised HTML.
fn markdown(src: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(src));
    coopol_federation::wire::sanitize_html(&html)
}

fn apply(m: &mut events::ActiveModel, i: &EventInput) {
    m.title = Set(i.title.clone());
    m.description_source = Set(Some(i.description.clone()));
    m.description_html = Set(markdown(&i.description));
    m.starts_at = Set(i.starts_at);
    m.ends_at = Set(i.ends_at);
    m.timezone = Set(i.timezone.clone());
    Place::store(i.place.as_ref(), m);
    m.online_url = Set(i.online_url.clone());
    m.category = Set(i.category.clone());
    m.capacity = Set(i.capacity);
    m.join_mode = Set(i.join_mode.as_str().to_string());
}

/// The companion status's text of an event: what other servers show for it.
fn companion(e: &events::Model) -> String {
    status_html(&event_data(e))
}

/// Creates a local event by `me`, with its companion status; a group announces it.
pub async fn create(fed: &Federation, me: &accounts::Model, i: EventInput) -> Result<events::Model, ApiError> {
    Ok(event_rules::create(fed, me, i.group_id, |m| apply(m, &i), companion).await?)
}

/// A stored event by id.
pub async fn get(fed: &Federation, id: i64) -> Result<events::Model, ApiError> {
    events::Entity::find_by_id(id).one(&fed.db).await?.ok_or(ApiError::NotFound)
}

/// Updates a local event (organiser, or the group's admins and moderators).
pub async fn update(fed: &Federation, me: &accounts::Model, id: i64, i: EventInput) -> Result<events::Model, ApiError> {
    Ok(event_rules::update(fed, me, id, i.group_id, |m| apply(m, &i), companion).await?)
}

/// Cancels a local event; every participant hears of it.
pub async fn cancel(fed: &Federation, me: &accounts::Model, id: i64) -> Result<events::Model, ApiError> {
    Ok(event_rules::cancel(fed, me, id, companion).await?)
}

/// `me` takes part (or says maybe) in an event: `coopol_service::events::join`, the RSVP
/// path the inbox takes for remote people too.
pub async fn join(fed: &Federation, me: &accounts::Model, id: i64, maybe: bool) -> Result<events::Model, ApiError> {
    let e = get(fed, id).await?;
    event_rules::join(fed, &e, me, maybe, None).await?;
    get(fed, id).await
}

/// `me` no longer takes part.
pub async fn leave(fed: &Federation, me: &accounts::Model, id: i64) -> Result<events::Model, ApiError> {
    let e = get(fed, id).await?;
    event_rules::leave(fed, &e, me).await?;
    get(fed, id).await
}

/// The participants of an event, for those who manage it.
pub async fn participants(fed: &Federation, me: &accounts::Model, id: i64) -> Result<Vec<Value>, ApiError> {
    let e = get(fed, id).await?;
    if !event_rules::may_manage(fed, &e, me).await? {
        return Err(ApiError::Forbidden);
    }
    let rows = event_participants::Entity::find()
        .filter(event_participants::Column::EventId.eq(e.id))
        .order_by_asc(event_participants::Column::CreatedAt)
        .limit(1000)
        .all(&fed.db)
        .await?;
    let mut out = Vec::new();
    for p in rows {
        if let Some(a) = queries::account_by_id(&fed.db, p.account_id).await? {
            out.push(json!({
                "account": mastodon::account(fed, &a).await?,
                "state": p.state,
                "created_at": mastodon::time(p.created_at),
            }));
        }
    }
    Ok(out)
}

/// The organiser approves (`accept`) or rejects a participant of a local event.
pub async fn answer(
    fed: &Federation,
    me: &accounts::Model,
    id: i64,
    account_id: i64,
    accept: bool,
) -> Result<Value, ApiError> {
    let e = get(fed, id).await?;
    let (p, who) = event_rules::answer(fed, me, &e, account_id, accept).await?;
    Ok(json!({
        "account": mastodon::account(fed, &who).await?,
        "state": p.state,
        "created_at": mastodon::time(p.created_at),
    }))
}

/// Events starting in [`from`, `to`), soonest first, optionally of one group; public ones only.
pub async fn list(
    fed: &Federation,
    group_id: Option<i64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: u64,
) -> Result<Vec<events::Model>, ApiError> {
    use sea_orm::sea_query::{Expr, Query};
    let public = Query::select()
        .column(statuses::Column::Id)
        .from(statuses::Entity)
        .and_where(Expr::col(statuses::Column::Visibility).is_in(["public", "unlisted"]))
        .to_owned();
    let mut q = events::Entity::find().filter(events::Column::StatusId.in_subquery(public));
    if let Some(g) = group_id {
        q = q.filter(events::Column::GroupId.eq(g));
    }
    if let Some(f) = from {
        q = q.filter(events::Column::StartsAt.gte(f));
    }
    if let Some(t) = to {
        q = q.filter(events::Column::StartsAt.lt(t));
    }
    Ok(q.order_by_asc(events::Column::StartsAt).limit(limit).all(&fed.db).await?)
}

/// The Event entity, as `viewer` sees it.
pub async fn event_json(fed: &Federation, e: &events::Model, viewer: Option<i64>) -> Result<Value, ApiError> {
    let d: EventData = event_data(e);
    let organizer = queries::account_by_id(&fed.db, e.account_id).await?.ok_or(ApiError::NotFound)?;
    let group = match e.group_id {
        Some(g) => match queries::account_by_id(&fed.db, g).await? {
            Some(a) => Some(mastodon::account(fed, &a).await?),
            None => None,
        },
        None => None,
    };
    let participation = match viewer {
        Some(v) => participation(&fed.db, e.id, v).await?.map(|p| p.state),
        None => None,
    };
    let is_organiser = viewer == Some(e.account_id);
    let tentative = count_in_state(&fed.db, e.id, TENTATIVE).await?;
    let waitlist = count_in_state(&fed.db, e.id, WAITLISTED).await?;
    Ok(json!({
        "id": e.id.to_string(),
        "uri": e.uri,
        "url": e.url,
        "title": e.title,
        "description": e.description_html,
        "description_source": if e.local && is_organiser { e.description_source.clone() } else { None },
        "starts_at": mastodon::time(e.starts_at),
        "ends_at": e.ends_at.map(mastodon::time),
        "timezone": e.timezone,
        "location": d.place.map(|p| json!({
            "name": p.name, "street": p.street, "locality": p.locality, "postal_code": p.postal_code,
            "country": p.country, "latitude": p.latitude, "longitude": p.longitude,
        })),
        "online_url": e.online_url,
        "category": e.category,
        "capacity": e.capacity,
        "join_mode": match d.join_mode { WireJoinMode::Free => "free", WireJoinMode::Approval => "approval", WireJoinMode::Members => "members" },
        "status": e.status,
        "participants_count": e.participants_count,
        "tentative_count": tentative,
        "waitlist_count": waitlist,
        "remaining_capacity": e.capacity.map(|c| (c - e.participants_count).max(0)),
        "organizer": mastodon::account(fed, &organizer).await?,
        "group": group,
        "status_id": e.status_id.to_string(),
        "image_url": e.image_url,
        "participation": participation,
        "local": e.local,
        "created_at": mastodon::time(e.created_at),
        "updated_at": mastodon::time(e.updated_at),
    }))
}
