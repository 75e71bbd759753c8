//! The local stand-in for Amazon S3 that distributed Maps read items from
//! (`ItemReader`) and write results to (`ResultWriter`).

use crate::error::StatesError;
use std::path::PathBuf;

/// One object, as `ListObjectsV2` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Where `s3:getObject`, `s3:listObjectsV2` and `s3:putObject` go.
pub trait ObjectStore: Send + Sync + 'static {
    /// The object's bytes.
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StatesError>;
    /// The objects whose keys start with `prefix`, sorted by key.
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StatesError>;
    /// Stores an object.
    fn put(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StatesError>;
}

/// Buckets as folders: `s3://bucket/a/b.json` is `ROOT/bucket/a/b.json`.
#[derive(Debug, Clone)]
pub struct LocalObjectStore {
    root: PathBuf,
}

impl LocalObjectStore {
    /// A store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalObjectStore { root: root.into() }
    }

    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StatesError> {
        // Keys are paths inside the bucket folder, never outside it.
        let escapes = |s: &str| s.split('/').any(|part| part == "..") || s.starts_with('/');
        if bucket.is_empty() || bucket.contains('/') || escapes(bucket) || escapes(key) {
            return Err(StatesError::new(
                "S3.InvalidObjectName",
                format!("s3://{bucket}/{key} is not a valid bucket and key"),
            ));
        }
        Ok(self.root.join(bucket).join(key))
    }
}

fn s3_error(error: &str, what: String) -> StatesError {
    StatesError::new(error, what)
}

impl ObjectStore for LocalObjectStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StatesError> {
        let path = self.path(bucket, key)?;
        std::fs::read(&path)
            .map_err(|e| s3_error("S3.NoSuchKey", format!("s3://{bucket}/{key} ({}): {e}", path.display())))
    }

    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StatesError> {
        let base = self.path(bucket, "")?;
        if !base.is_dir() {
            return Err(s3_error("S3.NoSuchBucket", format!("bucket {bucket} ({}) does not exist", base.display())));
        }
        let mut out = Vec::new();
        let mut dirs = vec![base.clone()];
        while let Some(dir) = dirs.pop() {
            let entries =
                std::fs::read_dir(&dir).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", dir.display())))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(rel) = path.strip_prefix(&base) {
                    let key = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                    if key.starts_with(prefix) {
                        out.push(ObjectInfo { key, size: entry.metadata().map(|m| m.len()).unwrap_or(0) });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn put(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), StatesError> {
        let path = self.path(bucket, key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", dir.display())))?;
        }
        std::fs::write(&path, body).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", path.display())))
    }
}
