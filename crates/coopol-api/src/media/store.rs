//! Where uploaded files live: a [`MediaStore`] puts, gets and deletes files by key and names
//! their public URL. [`LocalDiskStore`] keeps them under a directory and serves them at
//! `/media/<key>`; an S3-compatible store can implement the same trait.

use std::path::{Path, PathBuf};

use axum::body::Bytes;

/// Errors of a media store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid media key {0:?}")]
    BadKey(String),
    #[error("media storage: {0}")]
    Io(#[from] std::io::Error),
}

/// Storage of media files by key (`<id>/original.png`, `<id>/small.jpg`).
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores a file under `key`, replacing any previous one.
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError>;
    /// The file under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError>;
    /// Removes the file under `key` (no error when it is already gone).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// The URL where clients and other servers download the file.
    fn public_url(&self, key: &str) -> String;
}

/// Keys are ours, but are checked anyway: lowercase letters, digits, `.`, `_`, `-` and one
/// `/` between segments, never `..`, so a key can never leave the store's directory.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        })
}

/// Files under a local directory, served by this instance at `<base_url>/media/<key>`.
pub struct LocalDiskStore {
    root: PathBuf,
    base_url: String,
}

impl LocalDiskStore {
    /// A store in `root` (created when missing); `base_url` is the instance's, without `/`.
    pub fn new(root: &Path, base_url: &str) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root)?;
        Ok(LocalDiskStore { root: root.to_path_buf(), base_url: base_url.trim_end_matches('/').to_string() })
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        if !valid_key(key) {
            return Err(StoreError::BadKey(key.to_string()));
        }
        Ok(self.root.join(key))
    }
}

#[async_trait::async_trait]
impl MediaStore for LocalDiskStore {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Written aside then renamed: a reader never sees half a file.
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(Bytes::from(b))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn public_url(&self, key: &str) -> String {
        format!("{}/media/{key}", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_directory() {
        assert!(valid_key("123/original.png"));
        assert!(!valid_key("../etc/passwd"));
        assert!(!valid_key("123/../../x"));
        assert!(!valid_key("/abs"));
        assert!(!valid_key("a//b"));
        assert!(!valid_key("A.png"));
        assert!(!valid_key(""));
    }

    #[tokio::test]
    async fn put_get_delete_on_disk() {
        let dir = std::env::temp_dir().join(format!("coopol-media-{}", coopol_core::new_id()));
        let store = LocalDiskStore::new(&dir, "http://localhost:1/").unwrap();
        store.put("1/original.png", Bytes::from_static(b"png")).await.unwrap();
        assert_eq!(store.get("1/original.png").await.unwrap().unwrap(), Bytes::from_static(b"png"));
        assert_eq!(store.public_url("1/original.png"), "http://localhost:1/media/1/original.png");
        store.delete("1/original.png").await.unwrap();
        assert!(store.get("1/original.png").await.unwrap().is_none());
        store.delete("1/original.png").await.unwrap();
        assert!(store.get("../x").await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
