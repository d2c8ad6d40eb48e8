//! Who a post is delivered to: the rule behind "followers-only and direct posts go only to
//! their audience".

use crate::Visibility;

/// The recipients of a post, as classes: the storage layer turns them into inboxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// Deliver to the author's accepted followers (never pending ones).
    pub followers: bool,
    /// Deliver to these mentioned accounts (ids), whatever the visibility.
    pub mentioned: Vec<i64>,
}

impl Audience {
    /// The audience of a post of visibility `v` that mentions `mentioned`.
    pub fn of(v: Visibility, mentioned: &[i64]) -> Self {
        Audience { followers: v != Visibility::Direct, mentioned: mentioned.to_vec() }
    }

    /// Whether a viewer may read a post, given what the caller knows of them.
    /// `is_author`, `follows_author` (accepted) and `is_mentioned` describe the viewer.
    pub fn may_view(v: Visibility, is_author: bool, follows_author: bool, is_mentioned: bool) -> bool {
        is_author
            || is_mentioned
            || match v {
                Visibility::Public | Visibility::Unlisted => true,
                Visibility::Private => follows_author,
                Visibility::Direct => false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_goes_to_mentions_only() {
        let a = Audience::of(Visibility::Direct, &[7]);
        assert!(!a.followers);
        assert_eq!(a.mentioned, vec![7]);
        assert!(Audience::of(Visibility::Private, &[]).followers);
    }

    #[test]
    fn viewing_rules() {
        use Visibility::*;
        assert!(Audience::may_view(Public, false, false, false));
        assert!(!Audience::may_view(Private, false, false, false));
        assert!(Audience::may_view(Private, false, true, false));
        assert!(!Audience::may_view(Direct, false, true, false));
        assert!(Audience::may_view(Direct, false, false, true));
        assert!(Audience::may_view(Direct, true, false, false));
    }
}
