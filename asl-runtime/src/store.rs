//! The local stand-in for Amazon S3 that distributed Maps read items from
//! (`ItemReader`) and write results to (`ResultWriter`).

use crate::error::StatesError;
use std::path::{Path, PathBuf};

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
///
/// The root is a jail: bucket names follow S3's rules (so `.` and `..` are
/// no buckets), keys have no `.`, `..` or empty parts, and no symbolic link
/// below the root is followed, to read, write or list: a link inside the
/// root cannot lead a definition outside it, and a loop of links cannot make
/// a listing endless.
#[derive(Debug, Clone)]
pub struct LocalObjectStore {
    root: PathBuf,
}

impl LocalObjectStore {
    /// A store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalObjectStore { root: root.into() }
    }

    /// The path of `key` in `bucket` (`key` may be empty: the bucket's
    /// folder), after checking both names.
    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StatesError> {
        let invalid =
            || StatesError::new("S3.InvalidObjectName", format!("s3://{bucket}/{key} is not a valid bucket and key"));
        if !valid_bucket(bucket) {
            return Err(invalid());
        }
        let mut path = self.root.join(bucket);
        if key.is_empty() {
            return Ok(path);
        }
        for part in key.split('/') {
            if part.is_empty() || part == "." || part == ".." || part.contains(['\0', '\\']) {
                return Err(invalid());
            }
            path.push(part);
        }
        Ok(path)
    }

    /// Refuses `path` if any part of it below the root is a symbolic link.
    fn no_links(&self, path: &Path) -> Result<(), StatesError> {
        let Ok(below) = path.strip_prefix(&self.root) else { return Ok(()) };
        let mut at = self.root.clone();
        for part in below.components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(s3_error(
                        "S3.AccessDenied",
                        format!("{} is a symbolic link; the local object store follows none", at.display()),
                    ));
                }
                Ok(_) => {}
                // What does not exist yet holds no link.
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and
/// hyphens, starting and ending with a letter or digit, no two dots in a row.
fn valid_bucket(bucket: &str) -> bool {
    let bytes = bucket.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|b| edge(b) || *b == b'.' || *b == b'-')
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && !bucket.contains("..")
}

fn s3_error(error: &str, what: String) -> StatesError {
    StatesError::new(error, what)
}

impl ObjectStore for LocalObjectStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StatesError> {
        let path = self.path(bucket, key)?;
        self.no_links(&path)?;
        std::fs::read(&path)
            .map_err(|e| s3_error("S3.NoSuchKey", format!("s3://{bucket}/{key} ({}): {e}", path.display())))
    }

    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StatesError> {
        let base = self.path(bucket, "")?;
        self.no_links(&base)?;
        if !base.is_dir() {
            return Err(s3_error("S3.NoSuchBucket", format!("bucket {bucket} ({}) does not exist", base.display())));
        }
        let mut out = Vec::new();
        let mut dirs = vec![base.clone()];
        while let Some(dir) = dirs.pop() {
            let entries =
                std::fs::read_dir(&dir).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", dir.display())))?;
            for entry in entries.flatten() {
                // The entry's own type: a link (to a folder or a file) is
                // neither walked into nor listed.
                let Ok(kind) = entry.file_type() else { continue };
                let path = entry.path();
                if kind.is_dir() {
                    dirs.push(path);
                } else if kind.is_file()
                    && let Ok(rel) = path.strip_prefix(&base)
                {
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
        self.no_links(&path)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", dir.display())))?;
        }
        std::fs::write(&path, body).map_err(|e| s3_error("S3.AccessDenied", format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, LocalObjectStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalObjectStore::new(dir.path().join("root"));
        std::fs::create_dir_all(dir.path().join("root/bucket")).unwrap();
        (dir, store)
    }

    #[test]
    fn names_that_leave_the_bucket_are_refused() {
        let (_dir, store) = store();
        for (bucket, key) in [
            (".", "x"),
            ("..", "x"),
            ("bucket", "../x"),
            ("bucket", "a/../../x"),
            ("bucket", "/etc/passwd"),
            ("bucket", "a//b"),
            ("bucket", "./x"),
            ("Bucket", "x"),
            ("b", "x"),
            ("bucket/..", "x"),
            ("bucket", "a\0b"),
        ] {
            let error = store.put(bucket, key, b"{}").expect_err(&format!("{bucket} {key}"));
            assert_eq!(error.error, "S3.InvalidObjectName", "{bucket} {key}");
        }
        store.put("bucket", "a/b.json", b"[1]").unwrap();
        assert_eq!(store.get("bucket", "a/b.json").unwrap(), b"[1]");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_below_the_root_are_not_followed() {
        let (dir, store) = store();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.json"), b"[\"secret\"]").unwrap();
        let bucket = dir.path().join("root/bucket");
        std::os::unix::fs::symlink(&outside, bucket.join("out")).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.json"), bucket.join("secret.json")).unwrap();
        // A loop: a folder holding a link to itself, twice over.
        std::fs::create_dir_all(bucket.join("loop")).unwrap();
        std::os::unix::fs::symlink(bucket.join("loop"), bucket.join("loop/again")).unwrap();
        std::os::unix::fs::symlink(&bucket, bucket.join("loop/up")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join("root/linked")).unwrap();

        for (bucket, key) in [("bucket", "out/secret.json"), ("bucket", "secret.json"), ("linked", "secret.json")] {
            assert_eq!(store.get(bucket, key).expect_err(key).error, "S3.AccessDenied", "{bucket}/{key}");
        }
        assert_eq!(store.put("bucket", "out/planted.json", b"{}").expect_err("write").error, "S3.AccessDenied");
        assert!(!outside.join("planted.json").exists());
        assert_eq!(store.list("linked", "").expect_err("a linked bucket").error, "S3.AccessDenied");
        store.put("bucket", "real.json", b"{}").unwrap();
        let keys: Vec<String> = store.list("bucket", "").unwrap().into_iter().map(|o| o.key).collect();
        assert_eq!(keys, ["real.json"]);
    }
}
