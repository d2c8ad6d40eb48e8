//! Visibility of a post, and its translation to and from ActivityStreams addressing,
//! following Mastodon's conventions.

use crate::{CoreError, PUBLIC};

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone, listed in public timelines.
    Public,
    /// Everyone, but kept out of public timelines.
    Unlisted,
    /// Accepted followers and mentioned people ("followers-only").
    Private,
    /// Mentioned people only.
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// Whether anyone may read it without being addressed.
    pub fn is_public(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }

    /// `to` and `cc` for a post by an actor whose followers collection is `followers`,
    /// mentioning `mentions` (actor ids).
    pub fn addressing(self, followers: &str, mentions: &[String]) -> (Vec<String>, Vec<String>) {
        let mentions = mentions.to_vec();
        match self {
            Visibility::Public => {
                let mut cc = vec![followers.to_string()];
                cc.extend(mentions);
                (vec![PUBLIC.to_string()], cc)
            }
            Visibility::Unlisted => {
                let mut cc = vec![PUBLIC.to_string()];
                cc.extend(mentions);
                (vec![followers.to_string()], cc)
            }
            Visibility::Private => {
                let mut to = vec![followers.to_string()];
                to.extend(mentions);
                (to, vec![])
            }
            Visibility::Direct => (mentions, vec![]),
        }
    }

    /// The visibility a received post has, from its addressing. `followers` is the author's
    /// followers collection, when known.
    pub fn from_addressing(to: &[String], cc: &[String], followers: Option<&str>) -> Self {
        let is_public = |s: &String| s == PUBLIC || s == "as:Public" || s == "Public";
        if to.iter().any(is_public) {
            Visibility::Public
        } else if cc.iter().any(is_public) {
            Visibility::Unlisted
        } else if followers.is_some_and(|f| to.iter().chain(cc).any(|s| s == f))
            || to.iter().chain(cc).any(|s| s.ends_with("/followers"))
        {
            Visibility::Private
        } else {
            Visibility::Direct
        }
    }
}

impl std::str::FromStr for Visibility {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Visibility::Public),
            "unlisted" => Ok(Visibility::Unlisted),
            "private" => Ok(Visibility::Private),
            "direct" => Ok(Visibility::Direct),
            other => Err(CoreError::UnknownVisibility(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "https://a.example/users/bob/followers";

    #[test]
    fn addressing_round_trips() {
        let m = vec!["https://b.example/users/alice".to_string()];
        for v in [Visibility::Public, Visibility::Unlisted, Visibility::Private, Visibility::Direct] {
            let (to, cc) = v.addressing(F, &m);
            assert_eq!(Visibility::from_addressing(&to, &cc, Some(F)), v, "{v:?}");
        }
    }

    #[test]
    fn private_and_direct_never_name_public() {
        let m = vec!["https://b.example/users/alice".to_string()];
        for v in [Visibility::Private, Visibility::Direct] {
            let (to, cc) = v.addressing(F, &m);
            assert!(!to.iter().chain(&cc).any(|s| s == PUBLIC));
        }
        let (to, cc) = Visibility::Direct.addressing(F, &m);
        assert!(!to.iter().chain(&cc).any(|s| s == F), "direct never reaches followers");
    }

    #[test]
    fn compact_public_forms_count_as_public() {
        let to = vec!["as:Public".to_string()];
        assert_eq!(Visibility::from_addressing(&to, &[], None), Visibility::Public);
    }
}
