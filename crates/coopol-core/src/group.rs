//! The rules of groups (FEP-1b12 groups that announce their members' posts): join modes, roles,
//! who may post, who may see the member list, what each role may do. Plain rules, no I/O.

use crate::CoreError;

/// How a follow of a group is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinMode {
    /// Anyone who follows becomes a member at once.
    Open,
    /// A follow is pending until a moderator accepts or rejects it.
    Approval,
    /// Only people a moderator invited may join; other follows are rejected.
    Invite,
}

impl JoinMode {
    pub fn as_str(self) -> &'static str {
        match self {
            JoinMode::Open => "open",
            JoinMode::Approval => "approval",
            JoinMode::Invite => "invite",
        }
    }
}

impl std::str::FromStr for JoinMode {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(JoinMode::Open),
            "approval" => Ok(JoinMode::Approval),
            "invite" => Ok(JoinMode::Invite),
            other => Err(CoreError::UnknownJoinMode(other.to_string())),
        }
    }
}

/// A member's role in a group, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupRole {
    Admin,
    Moderator,
    Member,
    /// Follows the group and receives its posts, but may not post to it.
    Sympathiser,
}

impl GroupRole {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupRole::Admin => "admin",
            GroupRole::Moderator => "moderator",
            GroupRole::Member => "member",
            GroupRole::Sympathiser => "sympathiser",
        }
    }

    /// Admins and moderators moderate: accept or reject requests, invite, remove posts, ban,
    /// lock threads, change the roles of members and sympathisers.
    pub fn can_moderate(self) -> bool {
        matches!(self, GroupRole::Admin | GroupRole::Moderator)
    }

    /// Whether a post by someone of this role is announced by the group.
    pub fn can_post(self) -> bool {
        self != GroupRole::Sympathiser
    }

    /// Whether `self` may give `target` (currently `from`) the role `to`. Only admins make or
    /// unmake admins and moderators; moderators move people between member and sympathiser.
    pub fn may_set_role(self, from: GroupRole, to: GroupRole) -> bool {
        match self {
            GroupRole::Admin => true,
            GroupRole::Moderator => {
                let plain = |r: GroupRole| matches!(r, GroupRole::Member | GroupRole::Sympathiser);
                plain(from) && plain(to)
            }
            _ => false,
        }
    }

    /// Whether `self` may remove (ban or expel) someone of role `target`: moderators cannot
    /// act against other moderators or admins.
    pub fn may_act_against(self, target: GroupRole) -> bool {
        match self {
            GroupRole::Admin => true,
            GroupRole::Moderator => !target.can_moderate(),
            _ => false,
        }
    }
}

impl std::str::FromStr for GroupRole {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(GroupRole::Admin),
            "moderator" => Ok(GroupRole::Moderator),
            "member" => Ok(GroupRole::Member),
            "sympathiser" | "sympathizer" => Ok(GroupRole::Sympathiser),
            other => Err(CoreError::UnknownRole(other.to_string())),
        }
    }
}

/// What a group does with a follow, given its join mode and what it knows of the follower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinDecision {
    /// Accept at once, with this role.
    Accept(GroupRole),
    /// Keep it pending for a moderator.
    Pending,
    /// Refuse it.
    Reject,
}

/// The decision on a follow of a group. `banned`: the follower is on the group's ban list;
/// `invited`: a moderator invited them (with the role they will have); `suspended`: the
/// group is suspended by its instance.
pub fn decide_join(mode: JoinMode, banned: bool, invited: Option<GroupRole>, suspended: bool) -> JoinDecision {
    if banned || suspended {
        return JoinDecision::Reject;
    }
    if let Some(role) = invited {
        return JoinDecision::Accept(role);
    }
    match mode {
        JoinMode::Open => JoinDecision::Accept(GroupRole::Member),
        JoinMode::Approval => JoinDecision::Pending,
        JoinMode::Invite => JoinDecision::Reject,
    }
}

/// Whether the group announces a post addressed to it: the author is a member who may post,
/// not banned, and the thread (when it is a reply) is not locked.
pub fn may_post(role: Option<GroupRole>, banned: bool, thread_locked: bool) -> bool {
    !banned && !thread_locked && role.is_some_and(GroupRole::can_post)
}

/// Whether a viewer may list a group's members and sympathisers: moderators always, members
/// (not sympathisers) when the group allows it, nobody else.
pub fn may_list_members(viewer: Option<GroupRole>, members_visible: bool) -> bool {
    match viewer {
        Some(r) if r.can_moderate() => true,
        Some(GroupRole::Member) => members_visible,
        _ => false,
    }
}

/// Whether a viewer may read a group's posts: anyone for a public group, its members,
/// sympathisers and moderators for a private one.
pub fn may_read(private: bool, viewer: Option<GroupRole>) -> bool {
    !private || viewer.is_some()
}

/// A moderation action, as written to a group's moderation log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModAction {
    AcceptMember,
    RejectMember,
    Invite,
    SetRole,
    RemovePost,
    Ban,
    Unban,
    LockThread,
    UnlockThread,
    Report,
    Suspend,
    Unsuspend,
}

impl ModAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::AcceptMember => "accept_member",
            ModAction::RejectMember => "reject_member",
            ModAction::Invite => "invite",
            ModAction::SetRole => "set_role",
            ModAction::RemovePost => "remove_post",
            ModAction::Ban => "ban",
            ModAction::Unban => "unban",
            ModAction::LockThread => "lock_thread",
            ModAction::UnlockThread => "unlock_thread",
            ModAction::Report => "report",
            ModAction::Suspend => "suspend",
            ModAction::Unsuspend => "unsuspend",
        }
    }
}

/// The longest group rules text, in characters.
pub const MAX_RULES: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;
    use GroupRole::*;

    #[test]
    fn join_modes_decide_follows() {
        assert_eq!(decide_join(JoinMode::Open, false, None, false), JoinDecision::Accept(Member));
        assert_eq!(decide_join(JoinMode::Approval, false, None, false), JoinDecision::Pending);
        assert_eq!(decide_join(JoinMode::Invite, false, None, false), JoinDecision::Reject);
        assert_eq!(decide_join(JoinMode::Invite, false, Some(Moderator), false), JoinDecision::Accept(Moderator));
        assert_eq!(decide_join(JoinMode::Approval, false, Some(Member), false), JoinDecision::Accept(Member));
        // A ban or a suspension wins over everything, even an invitation.
        assert_eq!(decide_join(JoinMode::Open, true, Some(Member), false), JoinDecision::Reject);
        assert_eq!(decide_join(JoinMode::Open, false, None, true), JoinDecision::Reject);
    }

    #[test]
    fn who_may_post() {
        assert!(may_post(Some(Member), false, false));
        assert!(may_post(Some(Admin), false, false));
        assert!(!may_post(Some(Sympathiser), false, false));
        assert!(!may_post(None, false, false));
        assert!(!may_post(Some(Member), true, false));
        assert!(!may_post(Some(Moderator), false, true));
    }

    #[test]
    fn member_lists_are_never_public() {
        assert!(!may_list_members(None, true));
        assert!(!may_list_members(Some(Sympathiser), true));
        assert!(!may_list_members(Some(Member), false));
        assert!(may_list_members(Some(Member), true));
        assert!(may_list_members(Some(Moderator), false));
    }

    #[test]
    fn private_groups_are_for_their_people() {
        assert!(may_read(false, None));
        assert!(!may_read(true, None));
        assert!(may_read(true, Some(Sympathiser)));
    }

    #[test]
    fn role_changes() {
        assert!(Admin.may_set_role(Member, Moderator));
        assert!(Moderator.may_set_role(Member, Sympathiser));
        assert!(!Moderator.may_set_role(Member, Moderator));
        assert!(!Moderator.may_set_role(Admin, Member));
        assert!(!Member.may_set_role(Sympathiser, Member));
        assert!(Moderator.may_act_against(Member));
        assert!(!Moderator.may_act_against(Moderator));
        assert!(Admin.may_act_against(Moderator));
        assert!(!Member.may_act_against(Sympathiser));
    }

    #[test]
    fn names_round_trip() {
        for r in [Admin, Moderator, Member, Sympathiser] {
            assert_eq!(r.as_str().parse::<GroupRole>().unwrap(), r);
        }
        for m in [JoinMode::Open, JoinMode::Approval, JoinMode::Invite] {
            assert_eq!(m.as_str().parse::<JoinMode>().unwrap(), m);
        }
        assert!("owner".parse::<GroupRole>().is_err());
        assert!("closed".parse::<JoinMode>().is_err());
    }
}
