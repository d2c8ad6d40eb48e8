//! Groups (FEP-1b12): what a local group does with the activities addressed to it. A `Follow`
//! of a group is a request to join, decided by its join mode (`coopol_service::groups::join`,
//! called by `follow`); a post addressed to a
//! group, or answering a post of its thread, is announced to its followers when its author may
//! post there (in the store step of `activities::create`); a `Flag` reaches its moderators (`flag`). Moderation that reaches other servers (`Undo(Announce)` of a removed
//! post, `Block` of a banned account) reuses the ordinary activities.

pub mod flag;
