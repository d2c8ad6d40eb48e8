//! Groups: joining (by a local person or, through the inbox, a remote one), and what members
//! and moderators do.

pub mod join;
