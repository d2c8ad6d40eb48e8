//! One error type for the API, answered as Mastodon does: a status code and `{"error": ...}`.
//! Internal details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use coopol_federation::FederationError;
use coopol_service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("The access token is invalid")]
    Unauthorized,
    #[error("This action is outside the authorized scopes")]
    Forbidden,
    #[error("Record not found")]
    NotFound,
    #[error("Validation failed: {0}")]
    Unprocessable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "API error");
                "Internal server error".to_string()
            }
            other => {
                tracing::info!(status = status.as_u16(), error = %other, "API request refused");
                other.to_string()
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}

impl From<coopol_db::DbError> for ApiError {
    fn from(e: coopol_db::DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<FederationError> for ApiError {
    fn from(e: FederationError) -> Self {
        match e {
            FederationError::NotFound | FederationError::Gone => ApiError::NotFound,
            FederationError::Invalid(m) | FederationError::Refused(m) => ApiError::Unprocessable(m),
            FederationError::Unauthorized(_) => ApiError::Forbidden,
            FederationError::Http(m) => ApiError::Unprocessable(format!("the remote server did not answer: {m}")),
            FederationError::TooLarge => ApiError::Unprocessable("the remote document is too large".into()),
            FederationError::Db(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Forbidden(_) => ApiError::Forbidden,
            ServiceError::Unprocessable(m) => ApiError::Unprocessable(m),
            ServiceError::Db(e) => ApiError::Internal(e.to_string()),
        }
    }
}

/// Unknown routes answer 404 with a JSON body, as Mastodon does.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
