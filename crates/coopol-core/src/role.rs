//! Roles of a local user on an instance.

use crate::CoreError;

/// What a local user may do on their instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Moderator,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::User => "user",
        }
    }

    /// Admins and moderators may moderate the instance.
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Admin | Role::Moderator)
    }
}

impl std::str::FromStr for Role {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "moderator" => Ok(Role::Moderator),
            "user" => Ok(Role::User),
            other => Err(CoreError::UnknownRole(other.to_string())),
        }
    }
}
