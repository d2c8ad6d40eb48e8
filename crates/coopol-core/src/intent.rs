//! What must be sent to other servers after a local change. The client API records an intent
//! in the same transaction as the change; the federation workers turn it into activities and
//! deliveries. So a crash between the two loses nothing, and the API never speaks ActivityPub.

/// One thing to federate. Serialised as JSON in the outbox table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    /// A new local status (or reply): `Create(Note)`.
    CreateStatus {
        status_id: i64,
    },
    /// A local status was edited: `Update(Note)`.
    UpdateStatus {
        status_id: i64,
    },
    /// A local status was deleted: `Delete(Tombstone)` to whoever received it.
    DeleteStatus {
        account_id: i64,
        uri: String,
        /// Whether followers received it (public, unlisted and followers-only posts).
        followers: bool,
        mentioned: Vec<i64>,
        /// The author of the post a public reply answered: they received it too.
        #[serde(default)]
        replied_to: Option<i64>,
        /// The local private groups that shared it: their members received it.
        #[serde(default)]
        private_groups: Vec<i64>,
        /// The local public groups that announced it: their followers hold a boost of it.
        #[serde(default)]
        public_groups: Vec<i64>,
    },
    /// A local account asked to follow a remote one: `Follow`.
    Follow {
        follow_id: i64,
    },
    /// `Undo(Follow)` of a follow that no longer exists locally.
    UndoFollow {
        account_id: i64,
        target_account_id: i64,
        follow_uri: String,
    },
    /// A local account accepted a follow request: `Accept(Follow)`.
    AcceptFollow {
        follow_id: i64,
    },
    /// A local account refused a follow request: `Reject(Follow)`.
    RejectFollow {
        account_id: i64,
        follower_account_id: i64,
        follow_uri: String,
    },
    /// A local account favourited a status: `Like`.
    Like {
        favourite_id: i64,
    },
    /// `Undo(Like)`.
    UndoLike {
        account_id: i64,
        status_id: i64,
        like_uri: String,
    },
    /// A local account boosted a status (the reblog status row): `Announce`.
    Announce {
        reblog_id: i64,
    },
    /// `Undo(Announce)` of a deleted reblog.
    UndoAnnounce {
        account_id: i64,
        status_id: i64,
        announce_uri: String,
    },
    /// A local account blocked another: `Block`.
    Block {
        block_id: i64,
    },
    /// `Undo(Block)` of a removed block.
    UndoBlock {
        account_id: i64,
        target_account_id: i64,
        block_uri: String,
    },
    /// A local account was deleted: `Delete(Person)` to every known server.
    DeleteAccount {
        account_id: i64,
    },
    /// A local account changed its profile: `Update` of the actor to its followers.
    UpdateAccount {
        account_id: i64,
    },
    /// A local account voted in a remote poll: `Create(Note)` with the option's `name`, to
    /// the poll's author (one per chosen option).
    PollVote {
        vote_id: i64,
    },
    /// A local account (person or group) moved to `target_uri`, which names it in
    /// `alsoKnownAs`: `Move` to its followers.
    Move {
        account_id: i64,
        target_uri: String,
    },
    CreateEvent {
        event_id: i64,
    },
    UpdateEvent {
        event_id: i64,
    },
    JoinEvent {
        participant_id: i64,
    },
    LeaveEvent {
        account_id: i64,
        event_id: i64,
        join_uri: String,
    },
    AcceptParticipant {
        participant_id: i64,
    },
    RejectParticipant {
        participant_id: i64,
    },
    /// A local account reports posts to a remote group's moderators: `Flag`.
    GroupFlag {
        account_id: i64,
        group_account_id: i64,
        /// The reported posts' ids (at most a few).
        status_uris: Vec<String>,
        comment: String,
    },
}
