//! The rules of events: who may take part and in which state, without I/O.

use std::fmt;
use std::str::FromStr;

/// Who may take part in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventJoinMode {
    /// Anyone, accepted at once.
    Free,
    /// Anyone may ask; an organiser approves or rejects.
    Approval,
    /// Members of the organising group only, accepted at once.
    Members,
}

/// Whether an event takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

/// Where a participant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipationState {
    /// Takes a place, counted in `participants_count`.
    Accepted,
    /// "Maybe": takes no place, not counted.
    Tentative,
    /// Waits for an organiser (approval mode).
    Pending,
    /// Would be accepted, but the event is full.
    Waitlisted,
    /// Refused by an organiser.
    Rejected,
}

/// Why a join is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinRefused {
    #[error("the event is cancelled")]
    Cancelled,
    #[error("only members of the organising group may take part")]
    MembersOnly,
}

macro_rules! names {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl FromStr for $t {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s { $($s => Ok(Self::$v),)* _ => Err(UnknownName(s.to_string())) }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A stored or received name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name {:?}", self.0)
    }
}

impl std::error::Error for UnknownName {}

names!(EventJoinMode { Free = "free", Approval = "approval", Members = "members" });
names!(EventStatus { Confirmed = "confirmed", Tentative = "tentative", Cancelled = "cancelled" });
names!(ParticipationState {
    Accepted = "accepted",
    Tentative = "tentative",
    Pending = "pending",
    Waitlisted = "waitlisted",
    Rejected = "rejected",
});

/// The state of a newcomer: free → accepted (tentative when `maybe`); approval → pending;
/// members → accepted for members of the group, refused otherwise. A would-be accepted
/// participant waits when `accepted` (places taken) reaches `capacity`; "maybe" takes no place.
pub fn decide_join(
    status: EventStatus,
    mode: EventJoinMode,
    capacity: Option<i32>,
    accepted: u64,
    is_group_member: bool,
    maybe: bool,
) -> Result<ParticipationState, JoinRefused> {
    if status == EventStatus::Cancelled {
        return Err(JoinRefused::Cancelled);
    }
    match mode {
        EventJoinMode::Approval => return Ok(ParticipationState::Pending),
        EventJoinMode::Members if !is_group_member => return Err(JoinRefused::MembersOnly),
        EventJoinMode::Free | EventJoinMode::Members => {}
    }
    if maybe {
        return Ok(ParticipationState::Tentative);
    }
    let full = capacity.is_some_and(|c| accepted >= u64::try_from(c).unwrap_or(0));
    Ok(if full { ParticipationState::Waitlisted } else { ParticipationState::Accepted })
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventJoinMode::*;
    use ParticipationState::*;

    const OK: EventStatus = EventStatus::Confirmed;

    #[test]
    fn free_events_accept_until_full_then_wait() {
        assert_eq!(decide_join(OK, Free, None, 10_000, false, false), Ok(Accepted));
        assert_eq!(decide_join(OK, Free, Some(2), 1, false, false), Ok(Accepted));
        assert_eq!(decide_join(OK, Free, Some(2), 2, false, false), Ok(Waitlisted));
        // "Maybe" takes no place, even when full.
        assert_eq!(decide_join(OK, Free, Some(2), 2, false, true), Ok(Tentative));
    }

    #[test]
    fn approval_waits_and_members_only_refuses_strangers() {
        assert_eq!(decide_join(OK, Approval, Some(1), 5, false, false), Ok(Pending));
        assert_eq!(decide_join(OK, Members, None, 0, true, false), Ok(Accepted));
        assert_eq!(decide_join(OK, Members, Some(1), 1, true, false), Ok(Waitlisted));
        assert_eq!(decide_join(OK, Members, None, 0, false, false), Err(JoinRefused::MembersOnly));
    }

    #[test]
    fn cancelled_events_refuse_everyone() {
        assert_eq!(decide_join(EventStatus::Cancelled, Free, None, 0, true, false), Err(JoinRefused::Cancelled));
    }

    #[test]
    fn names_round_trip() {
        for s in ["accepted", "tentative", "pending", "waitlisted", "rejected"] {
            assert_eq!(s.parse::<ParticipationState>().unwrap().as_str(), s);
        }
        assert_eq!("members".parse::<EventJoinMode>(), Ok(Members));
        assert!("open".parse::<EventJoinMode>().is_err());
        assert_eq!(EventStatus::Cancelled.to_string(), "cancelled");
    }
}
