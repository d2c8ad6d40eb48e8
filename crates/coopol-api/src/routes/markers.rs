//! `/api/v1/markers`: read positions in `home` and `notifications`, shared between apps.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use coopol_db::markers;
use coopol_federation::Federation;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::{mastodon, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new().route("/api/v1/markers", get(show).post(save))
}

async fn show(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("read:statuses")?;
    let wanted: Vec<String> =
        params.list("timeline").into_iter().filter(|t| markers::TIMELINES.contains(&t.as_str())).collect();
    let mut out = Map::new();
    for m in markers::get(&fed.db, auth.account.id, &wanted).await? {
        out.insert(m.timeline.clone(), mastodon::marker(&m));
    }
    Ok(Json(Value::Object(out)))
}

/// `home[last_read_id]=ID` (form) or `{"home": {"last_read_id": "ID"}}` (JSON).
fn last_read_id(params: &Params, timeline: &str) -> Result<Option<i64>, ApiError> {
    let flat = format!("{timeline}[last_read_id]");
    let v =
        params.0.get(&flat).cloned().or_else(|| params.0.get(timeline).and_then(|t| t.get("last_read_id")).cloned());
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Params([("id".to_string(), v)].into_iter().collect())
            .id("id")
            .map_err(|_| ApiError::Unprocessable(format!("{timeline}.last_read_id must be an id"))),
    }
}

async fn save(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("write:statuses")?;
    let mut out = Map::new();
    for timeline in markers::TIMELINES {
        if let Some(id) = last_read_id(&params, timeline)? {
            if let Some(m) = markers::set(&fed.db, auth.account.id, timeline, id).await? {
                out.insert((*timeline).to_string(), mastodon::marker(&m));
            }
        }
    }
    if out.is_empty() {
        return Err(ApiError::Unprocessable("give home[last_read_id] or notifications[last_read_id]".into()));
    }
    Ok(Json(Value::Object(out)))
}
