//! The local disk back-end: each blob is a file `<root>/<ab>/<cd>/<sha256>` (two levels of
//! directories from its first hex digits, so no directory grows huge). Writes go to a file in
//! `<root>/tmp/` first, renamed into place once complete: a reader never sees half a blob, and
//! a write that fails, is refused or is cancelled leaves nothing.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{hex, valid_key, Blob, BlobStore, ByteRange, ByteStream, StorageError, Stored};

/// Size of the chunks a read yields.
const READ_CHUNK: usize = 64 * 1024;

/// Blobs as files under a directory.
#[derive(Debug, Clone)]
pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    /// A store in `root`, created when missing.
    pub fn new(root: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(LocalDisk { root: root.to_path_buf() })
    }

    /// Where the blob `sha256` lives.
    fn path(&self, sha256: &str) -> Result<PathBuf, StorageError> {
        if !valid_key(sha256) {
            return Err(StorageError::BadKey(sha256.to_string()));
        }
        let (a, b) = (sha256.get(0..2).unwrap_or("00"), sha256.get(2..4).unwrap_or("00"));
        Ok(self.root.join(a).join(b).join(sha256))
    }
}

/// A temporary file removed when dropped, unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalDisk {
    async fn put(&self, mut data: ByteStream<'_>, limit: u64) -> Result<Stored, StorageError> {
        let name = format!("{}.part", hex(&rand::random::<[u8; 16]>()));
        let mut tmp = TempFile { path: self.root.join("tmp").join(name), keep: false };
        let mut file = tokio::fs::File::create(&tmp.path).await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = data.next().await {
            let chunk = chunk.map_err(StorageError::Source)?;
            size = size.saturating_add(chunk.len() as u64);
            if size > limit {
                return Err(StorageError::TooLarge { limit });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex(&hasher.finalize());
        let path = self.path(&sha256)?;
        if tokio::fs::metadata(&path).await.is_ok_and(|m| m.len() == size) {
            return Ok(Stored { sha256, size, new: false });
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(&tmp.path, &path).await?;
        tmp.keep = true;
        Ok(Stored { sha256, size, new: true })
    }

    async fn get(&self, sha256: &str, range: Option<ByteRange>) -> Result<Option<Blob>, StorageError> {
        let path = self.path(sha256)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let size = file.metadata().await?.len();
        let (offset, length) = match range {
            None => (0, size),
            Some(r) if r.offset >= size => return Err(StorageError::RangeNotSatisfiable { size }),
            Some(r) => {
                let rest = size - r.offset;
                (r.offset, r.length.map_or(rest, |l| l.min(rest)))
            }
        };
        if offset > 0 {
            file.seek(std::io::SeekFrom::Start(offset)).await?;
        }
        let body = tokio_util::io::ReaderStream::with_capacity(file.take(length), READ_CHUNK).boxed();
        Ok(Some(Blob { size, offset, length, body }))
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path(sha256)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn contains(&self, sha256: &str) -> Result<bool, StorageError> {
        Ok(tokio::fs::try_exists(self.path(sha256)?).await?)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures::stream;

    use super::*;

    fn dir() -> PathBuf {
        std::env::temp_dir().join(format!("coopol-storage-{}-{}", std::process::id(), hex(&rand::random::<[u8; 8]>())))
    }

    /// `total` bytes of a repeating pattern, in chunks of `chunk`.
    fn chunks(total: usize, chunk: usize) -> ByteStream<'static> {
        let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
        let parts: Vec<Result<Bytes, std::io::Error>> =
            data.chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        stream::iter(parts).boxed()
    }

    async fn read_all(b: Blob) -> Vec<u8> {
        let parts: Vec<Bytes> = b.body.map(|c| c.unwrap()).collect().await;
        parts.concat()
    }

    fn files_under(p: &Path) -> usize {
        std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    files_under(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }

    #[tokio::test]
    async fn put_hashes_and_stores_once() {
        let root = dir();
        let store = LocalDisk::new(&root).unwrap();
        let a = store.put(chunks(200_000, 7_000), 1 << 20).await.unwrap();
        assert_eq!(a.size, 200_000);
        let expected: Vec<u8> = (0..200_000).map(|i| (i % 251) as u8).collect();
        assert_eq!(a.sha256, hex(&Sha256::digest(&expected)));
        assert!(a.new);
        // The same bytes in other chunks: the same key, stored once.
        let b = store.put(chunks(200_000, 65_536), 1 << 20).await.unwrap();
        assert_eq!(b.sha256, a.sha256);
        assert!(!b.new);
        assert_eq!(files_under(&root), 1);
        assert!(root.join(&a.sha256[0..2]).join(&a.sha256[2..4]).join(&a.sha256).is_file());
        assert_eq!(read_all(store.get(&a.sha256, None).await.unwrap().unwrap()).await, expected);
        assert!(store.contains(&a.sha256).await.unwrap());
        store.delete(&a.sha256).await.unwrap();
        assert!(store.get(&a.sha256, None).await.unwrap().is_none());
        assert!(!store.contains(&a.sha256).await.unwrap());
        store.delete(&a.sha256).await.unwrap();
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn over_the_limit_leaves_nothing() {
        let root = dir();
        let store = LocalDisk::new(&root).unwrap();
        let e = store.put(chunks(10_001, 1_000), 10_000).await.unwrap_err();
        assert!(matches!(e, StorageError::TooLarge { limit: 10_000 }), "{e}");
        assert_eq!(files_under(&root), 0, "no temporary file nor blob is left");
        // Exactly at the limit is fine.
        assert_eq!(store.put(chunks(10_000, 1_000), 10_000).await.unwrap().size, 10_000);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn a_failing_upload_leaves_nothing() {
        let root = dir();
        let store = LocalDisk::new(&root).unwrap();
        let parts = vec![Ok(Bytes::from_static(b"some bytes")), Err(std::io::Error::other("connection reset"))];
        let e = store.put(stream::iter(parts).boxed(), 1 << 20).await.unwrap_err();
        assert!(matches!(e, StorageError::Source(_)), "{e}");
        assert_eq!(files_under(&root), 0);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn ranges() {
        let root = dir();
        let store = LocalDisk::new(&root).unwrap();
        let s = store.put(chunks(300_000, 50_000), 1 << 20).await.unwrap();
        let all: Vec<u8> = (0..300_000).map(|i| (i % 251) as u8).collect();
        let b = store.get(&s.sha256, Some(ByteRange { offset: 1000, length: Some(100) })).await.unwrap().unwrap();
        assert_eq!((b.size, b.offset, b.length), (300_000, 1000, 100));
        assert_eq!(read_all(b).await, &all[1000..1100]);
        // To the end, and a length past the end is cut.
        let b = store.get(&s.sha256, Some(ByteRange { offset: 299_990, length: None })).await.unwrap().unwrap();
        assert_eq!(read_all(b).await, &all[299_990..]);
        let b = store.get(&s.sha256, Some(ByteRange { offset: 299_000, length: Some(5_000) })).await.unwrap().unwrap();
        assert_eq!(b.length, 1_000);
        assert_eq!(read_all(b).await, &all[299_000..]);
        let e = store.get(&s.sha256, Some(ByteRange { offset: 300_000, length: None })).await.unwrap_err();
        assert!(matches!(e, StorageError::RangeNotSatisfiable { size: 300_000 }));
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn keys_are_checked() {
        let root = dir();
        let store = LocalDisk::new(&root).unwrap();
        for bad in ["../../etc/passwd", "", "ABCDEF", &"a".repeat(63), &"g".repeat(64)] {
            assert!(matches!(store.get(bad, None).await, Err(StorageError::BadKey(_))), "{bad}");
            assert!(store.delete(bad).await.is_err());
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}
