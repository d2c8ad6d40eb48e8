//! Content-addressed blob storage: files are stored once per content, under the hex SHA-256 of
//! their bytes, and read back by it. Writing and reading stream (a 1 GB video never sits in
//! memory); a write has a size limit past which nothing is kept; a read may ask for a byte
//! range. [`BlobStore`] is the trait, [`LocalDisk`] the default back-end (files under a
//! directory). [`sniff`] says which types the group library accepts, from a file's first bytes.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

mod disk;
pub mod sniff;

use bytes::Bytes;
use futures::stream::BoxStream;

pub use disk::LocalDisk;

/// A stream of bytes given to or read from a store.
pub type ByteStream<'a> = BoxStream<'a, Result<Bytes, std::io::Error>>;

/// Errors of a blob store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The data passed the limit given to `put`; nothing was kept.
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The stream given to `put` failed (a broken upload); nothing was kept.
    #[error("reading the upload failed: {0}")]
    Source(std::io::Error),
    /// The range asked for starts at or after the end of the blob.
    #[error("range not satisfiable: the blob has {size} bytes")]
    RangeNotSatisfiable { size: u64 },
    /// Not a hex SHA-256.
    #[error("invalid blob key {0:?}")]
    BadKey(String),
    #[error("blob storage: {0}")]
    Io(#[from] std::io::Error),
}

/// What `put` stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The SHA-256 of the content, 64 lowercase hex digits: its key.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// `false` when the same content was already stored (and was kept as it was).
    pub new: bool,
}

/// A byte range of a blob: from `offset`, `length` bytes (or up to the end when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: Option<u64>,
}

/// A blob being read.
pub struct Blob {
    /// The size of the whole blob.
    pub size: u64,
    /// Where the bytes of `body` start, and how many there are.
    pub offset: u64,
    pub length: u64,
    pub body: ByteStream<'static>,
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blob")
            .field("size", &self.size)
            .field("offset", &self.offset)
            .field("length", &self.length)
            .finish()
    }
}

/// Blobs stored and read by the SHA-256 of their content.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores the bytes of `data`, computing their SHA-256 and size as they are written. Past
    /// `limit` bytes, or when `data` fails, nothing is kept. Content already stored is kept
    /// once.
    async fn put(&self, data: ByteStream<'_>, limit: u64) -> Result<Stored, StorageError>;
    /// The blob `sha256`, or the part of it `range` names; `None` when it is not stored.
    async fn get(&self, sha256: &str, range: Option<ByteRange>) -> Result<Option<Blob>, StorageError>;
    /// Removes a blob (no error when it is already gone).
    async fn delete(&self, sha256: &str) -> Result<(), StorageError>;
    /// Whether a blob is stored.
    async fn contains(&self, sha256: &str) -> Result<bool, StorageError>;
}

/// Whether `key` is a hex SHA-256 as the stores name blobs (lowercase).
pub fn valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
