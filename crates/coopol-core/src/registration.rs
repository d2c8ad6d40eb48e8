//! How people get an account on an instance: the admin's registration mode, and the rule that
//! decides what a sign-up becomes under it.

use chrono::{DateTime, Utc};

use crate::CoreError;

/// Who may create an account here, as the admin set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Nobody signs up; the admin creates accounts.
    Closed,
    /// Only with an invitation link (how a section secretary brings members in).
    Invite,
    /// Anyone may ask, with a reason; an admin or moderator approves. An invitation skips the wait.
    Approval,
    /// Anyone may sign up.
    Open,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 4] =
        [RegistrationMode::Closed, RegistrationMode::Invite, RegistrationMode::Approval, RegistrationMode::Open];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Closed => "closed",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Open => "open",
        }
    }

    /// Whether someone without an invitation may sign up or ask (what NodeInfo's
    /// `openRegistrations` and the API's `registrations.enabled` say).
    pub fn accepts_strangers(self) -> bool {
        matches!(self, RegistrationMode::Approval | RegistrationMode::Open)
    }
}

impl std::str::FromStr for RegistrationMode {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "closed" => Ok(RegistrationMode::Closed),
            "invite" => Ok(RegistrationMode::Invite),
            "approval" => Ok(RegistrationMode::Approval),
            "open" => Ok(RegistrationMode::Open),
            other => Err(CoreError::UnknownRegistrationMode(other.to_string())),
        }
    }
}

/// An invitation link as the rule needs it.
#[derive(Debug, Clone, Copy)]
pub struct Invitation {
    pub uses: i32,
    /// `None`: no limit.
    pub max_uses: Option<i32>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl Invitation {
    /// Whether the link still opens the door at `now`.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at.is_none_or(|t| now < t) && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

/// What a sign-up becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpDecision {
    /// The account is created and can sign in at once.
    Active,
    /// The account is created and waits for an admin's or moderator's approval.
    Pending,
    /// No account: registrations are closed (or by invitation only, and none was given).
    Closed,
    /// No account: the invitation given has expired, was used up or revoked.
    InvitationInvalid,
}

/// Decides a sign-up under `mode`, with the invitation it came with (if any) as found at `now`.
/// A valid invitation lets anyone in whatever the mode but closed; a stale one is refused even
/// where strangers may sign up, so the person learns their link no longer works.
pub fn decide_sign_up(mode: RegistrationMode, invitation: Option<Invitation>, now: DateTime<Utc>) -> SignUpDecision {
    if mode == RegistrationMode::Closed {
        return SignUpDecision::Closed;
    }
    match invitation {
        Some(i) if i.valid_at(now) => SignUpDecision::Active,
        Some(_) => SignUpDecision::InvitationInvalid,
        None => match mode {
            RegistrationMode::Open => SignUpDecision::Active,
            RegistrationMode::Approval => SignUpDecision::Pending,
            RegistrationMode::Invite | RegistrationMode::Closed => SignUpDecision::Closed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn inv(uses: i32, max: Option<i32>, expires_in: Option<i64>, revoked: bool) -> Invitation {
        Invitation { uses, max_uses: max, expires_at: expires_in.map(|h| Utc::now() + Duration::hours(h)), revoked }
    }

    #[test]
    fn modes_round_trip() {
        for m in RegistrationMode::ALL {
            assert_eq!(m.as_str().parse::<RegistrationMode>().unwrap(), m);
        }
        assert!("maybe".parse::<RegistrationMode>().is_err());
    }

    #[test]
    fn an_invitation_opens_the_door_unless_closed() {
        let now = Utc::now();
        let good = Some(inv(0, Some(1), Some(24), false));
        assert_eq!(decide_sign_up(RegistrationMode::Invite, good, now), SignUpDecision::Active);
        assert_eq!(decide_sign_up(RegistrationMode::Approval, good, now), SignUpDecision::Active);
        assert_eq!(decide_sign_up(RegistrationMode::Closed, good, now), SignUpDecision::Closed);
    }

    #[test]
    fn without_invitation_the_mode_decides() {
        let now = Utc::now();
        assert_eq!(decide_sign_up(RegistrationMode::Open, None, now), SignUpDecision::Active);
        assert_eq!(decide_sign_up(RegistrationMode::Approval, None, now), SignUpDecision::Pending);
        assert_eq!(decide_sign_up(RegistrationMode::Invite, None, now), SignUpDecision::Closed);
        assert_eq!(decide_sign_up(RegistrationMode::Closed, None, now), SignUpDecision::Closed);
    }

    #[test]
    fn used_up_expired_or_revoked_links_are_refused() {
        let now = Utc::now();
        for stale in [inv(1, Some(1), None, false), inv(0, None, Some(-1), false), inv(0, None, None, true)] {
            assert_eq!(decide_sign_up(RegistrationMode::Open, Some(stale), now), SignUpDecision::InvitationInvalid);
            assert_eq!(decide_sign_up(RegistrationMode::Invite, Some(stale), now), SignUpDecision::InvitationInvalid);
        }
        assert!(inv(4, Some(5), None, false).valid_at(now));
        assert!(inv(400, None, None, false).valid_at(now));
    }
}
