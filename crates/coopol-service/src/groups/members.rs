//! Who is in a group, as each door shows it: where one person stands (outside, asking,
//! in it with a role), the people of a group for those the group lets see them, and the
//! pending requests for its moderators.

use coopol_core::group::{may_list_members, GroupRole};
use coopol_db::entities::accounts;
use coopol_db::groups::{self as gq, Person};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};

use super::require_moderator;
use crate::{Service, ServiceError};

/// At most this many people are listed at once (members, requests).
pub const PEOPLE_LIMIT: u64 = 1000;

/// Where a person stands with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not a member, no request waiting.
    Outside,
    /// Their request waits for a moderator (or, for a remote group, its server).
    Pending,
    /// An accepted member, with their role (a remote group's members are plain members here).
    Member(GroupRole),
}

impl Standing {
    /// The role, for an accepted member.
    pub fn role(self) -> Option<GroupRole> {
        match self {
            Standing::Member(r) => Some(r),
            _ => None,
        }
    }

    pub fn moderates(self) -> bool {
        self.role().is_some_and(GroupRole::can_moderate)
    }
}

/// Where `account_id` stands with the group `group_id`.
pub async fn standing(svc: &Service, group_id: i64, account_id: i64) -> Result<Standing, ServiceError> {
    match queries::follow_between(&svc.db, account_id, group_id).await? {
        None => Ok(Standing::Outside),
        Some(f) if f.state != FOLLOW_ACCEPTED => Ok(Standing::Pending),
        Some(_) => Ok(Standing::Member(gq::role_of(&svc.db, group_id, account_id).await?.unwrap_or(GroupRole::Member))),
    }
}

/// The people of a local group (members, sympathisers, moderators, and for moderators the
/// pending requests), for those the group lets see them: its moderators, and its members when
/// it shows its members. Others are refused.
pub async fn people(svc: &Service, group: &accounts::Model, me: &accounts::Model) -> Result<Vec<Person>, ServiceError> {
    let g = gq::settings(&svc.db, group.id).await?.ok_or(ServiceError::NotFound)?;
    let role = gq::role_of(&svc.db, group.id, me.id).await?;
    if !may_list_members(role, g.members_visible) {
        return Err(ServiceError::Forbidden("the group shows its members to its moderators only".into()));
    }
    let moderator = role.is_some_and(GroupRole::can_moderate);
    let mut people = gq::people(&svc.db, group.id, PEOPLE_LIMIT).await?;
    // Pending requests are the moderators' business.
    people.retain(|p| moderator || !p.pending);
    Ok(people)
}

/// A request to join: who asks, and what they wrote (empty if nothing).
#[derive(Debug, Clone)]
pub struct JoinRequest {
    pub person: Person,
    pub message: String,
}

/// The requests to join a local group that wait for an answer, oldest first, with their
/// messages; its moderators only.
pub async fn requests(
    svc: &Service,
    group: &accounts::Model,
    me: &accounts::Model,
) -> Result<Vec<JoinRequest>, ServiceError> {
    require_moderator(svc, group.id, me).await?;
    let waiting = gq::requests(&svc.db, group.id, PEOPLE_LIMIT).await?;
    let ids: Vec<i64> = waiting.iter().map(|p| p.account.id).collect();
    let mut messages = gq::join_messages(&svc.db, group.id, &ids).await?;
    Ok(waiting
        .into_iter()
        .map(|person| {
            let message = messages.remove(&person.account.id).unwrap_or_default();
            JoinRequest { person, message }
        })
        .collect())
}
