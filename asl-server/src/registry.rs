//! What the server knows besides executions: state machines, their versions
//! and aliases, activities and tags. Kept in SQLite (the executions' store
//! file, in tables of its own, or in memory), each resource one row of JSON
//! under its ARN: the API reads and writes whole resources, and a few
//! hundred of them are a lot.

use crate::protocol::ApiError;
use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;

/// A state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its definition, as given.
    pub definition: String,
    /// The role it runs as.
    pub role_arn: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    /// Its description.
    pub description: Option<String>,
    /// `loggingConfiguration`, as given (AWS's default when not).
    pub logging: Value,
    /// `tracingConfiguration`.
    pub tracing: Value,
    /// `encryptionConfiguration`, if given.
    pub encryption: Option<Value>,
    /// Changes with each update.
    pub revision_id: String,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// When it was last updated.
    pub updated_ms: Option<i64>,
    /// The number the next published version takes.
    pub next_version: u64,
}

/// A published version of a state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Its ARN (the machine's, `:<number>`).
    pub arn: String,
    /// The machine's ARN.
    pub machine_arn: String,
    /// The machine as it was when published.
    pub machine: Machine,
    /// The version's description.
    pub description: Option<String>,
    /// When it was published.
    pub created_ms: i64,
}

/// One route of an alias.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The version it routes to.
    #[serde(rename = "stateMachineVersionArn")]
    pub version_arn: String,
    /// Its share, in percent.
    pub weight: u32,
}

/// An alias of a state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// Its ARN (the machine's, `:<name>`).
    pub arn: String,
    /// The machine's ARN.
    pub machine_arn: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Where it routes executions (one or two versions).
    pub routing: Vec<Route>,
    /// When it was created.
    pub created_ms: i64,
    /// When it was last updated.
    pub updated_ms: Option<i64>,
}

/// An activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_ms: i64,
}

/// The kinds of resource kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`Machine`].
    Machine,
    /// [`Version`].
    Version,
    /// [`Alias`].
    Alias,
    /// [`Activity`].
    Activity,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Machine => "state_machine",
            Kind::Version => "version",
            Kind::Alias => "alias",
            Kind::Activity => "activity",
        }
    }
}

/// The resources (see the [module docs](self)).
pub struct Registry {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

fn backend(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("the server's store failed: {e}"))
}

/// The tables, created if missing (version 1 of the server's own schema;
/// the execution store's migrations leave these tables alone).
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS serve_resources (
        arn TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        parent TEXT,
        created_ms INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS serve_resources_by_kind ON serve_resources (kind, parent, created_ms, arn);
    CREATE TABLE IF NOT EXISTS serve_tags (
        arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (arn, key)
    );
";

impl Registry {
    /// The registry in the SQLite file `path` (created if missing).
    pub fn open(path: &Path) -> Result<Registry, ApiError> {
        let conn = Connection::open(path).map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(backend)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(backend)?;
        Registry::with(conn)
    }

    /// A registry in memory.
    pub fn in_memory() -> Result<Registry, ApiError> {
        Registry::with(Connection::open_in_memory().map_err(backend)?)
    }

    fn with(conn: Connection) -> Result<Registry, ApiError> {
        conn.execute_batch(SCHEMA).map_err(backend)?;
        Ok(Registry { conn: Mutex::new(conn) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes `body` as the resource `arn` (replacing what was there).
    pub fn put<T: Serialize>(
        &self, kind: Kind, arn: &str, parent: Option<&str>, created_ms: i64, body: &T,
    ) -> Result<(), ApiError> {
        let text = serde_json::to_string(body).map_err(backend)?;
        self.lock()
            .prepare_cached(
                "INSERT OR REPLACE INTO serve_resources (arn, kind, parent, created_ms, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| s.execute(params![arn, kind.as_str(), parent, created_ms, text]))
            .map_err(backend)?;
        Ok(())
    }

    /// Writes `body` as the resource `arn` unless one exists; returns the
    /// one that exists instead, if any.
    pub fn create<T: Serialize + DeserializeOwned>(
        &self, kind: Kind, arn: &str, parent: Option<&str>, created_ms: i64, body: &T,
    ) -> Result<Option<T>, ApiError> {
        let text = serde_json::to_string(body).map_err(backend)?;
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(backend)?;
        let existing: Option<String> = tx
            .query_row("SELECT body FROM serve_resources WHERE arn = ?1", [arn], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        if let Some(existing) = existing {
            return serde_json::from_str(&existing).map(Some).map_err(backend);
        }
        tx.execute(
            "INSERT INTO serve_resources (arn, kind, parent, created_ms, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![arn, kind.as_str(), parent, created_ms, text],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(None)
    }

    /// The resource `arn`, if it is of `kind`.
    pub fn get<T: DeserializeOwned>(&self, kind: Kind, arn: &str) -> Result<Option<T>, ApiError> {
        let text: Option<String> = self
            .lock()
            .prepare_cached("SELECT body FROM serve_resources WHERE arn = ?1 AND kind = ?2")
            .and_then(|mut s| s.query_row(params![arn, kind.as_str()], |r| r.get(0)).optional())
            .map_err(backend)?;
        text.map(|t| serde_json::from_str(&t).map_err(backend)).transpose()
    }

    /// Every resource of `kind` (under `parent`, if given), oldest first.
    pub fn list<T: DeserializeOwned>(&self, kind: Kind, parent: Option<&str>) -> Result<Vec<T>, ApiError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT body FROM serve_resources WHERE kind = ?1 AND (?2 IS NULL OR parent = ?2) ORDER BY created_ms, arn",
            )
            .map_err(backend)?;
        let rows = statement.query_map(params![kind.as_str(), parent], |r| r.get::<_, String>(0)).map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row.map_err(backend)?).map_err(backend)?);
        }
        Ok(out)
    }

    /// Forgets the resource `arn`, the resources under it and their tags;
    /// whether it was there.
    pub fn delete(&self, arn: &str) -> Result<bool, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(backend)?;
        tx.execute(
            "DELETE FROM serve_tags WHERE arn = ?1 OR arn IN (SELECT arn FROM serve_resources WHERE parent = ?1)",
            [arn],
        )
        .map_err(backend)?;
        tx.execute("DELETE FROM serve_resources WHERE parent = ?1", [arn]).map_err(backend)?;
        let n = tx.execute("DELETE FROM serve_resources WHERE arn = ?1", [arn]).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(n > 0)
    }

    /// Whether a resource `arn` exists (of any kind).
    pub fn exists(&self, arn: &str) -> Result<bool, ApiError> {
        self.lock()
            .prepare_cached("SELECT 1 FROM serve_resources WHERE arn = ?1")
            .and_then(|mut s| s.exists([arn]))
            .map_err(backend)
    }

    /// The tags of `arn`, by key.
    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, ApiError> {
        let conn = self.lock();
        let mut statement =
            conn.prepare_cached("SELECT key, value FROM serve_tags WHERE arn = ?1 ORDER BY key").map_err(backend)?;
        let rows = statement.query_map([arn], |r| Ok((r.get(0)?, r.get(1)?))).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    /// Sets tags of `arn` (and removes the keys `remove`).
    pub fn tag(&self, arn: &str, set: &[(String, String)], remove: &[String]) -> Result<(), ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(backend)?;
        for (key, value) in set {
            tx.execute(
                "INSERT OR REPLACE INTO serve_tags (arn, key, value) VALUES (?1, ?2, ?3)",
                params![arn, key, value],
            )
            .map_err(backend)?;
        }
        for key in remove {
            tx.execute("DELETE FROM serve_tags WHERE arn = ?1 AND key = ?2", params![arn, key]).map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(name: &str, created_ms: i64) -> Activity {
        Activity { arn: format!("arn:aws:states:us-east-1:1:activity:{name}"), name: name.into(), created_ms }
    }

    #[test]
    fn resources_are_created_once_listed_in_order_and_deleted_with_their_tags() {
        let registry = Registry::in_memory().unwrap();
        let (a, b) = (activity("a", 2), activity("b", 1));
        assert_eq!(registry.create(Kind::Activity, &a.arn, None, 2, &a).unwrap(), None);
        assert_eq!(registry.create(Kind::Activity, &b.arn, None, 1, &b).unwrap(), None);
        assert_eq!(registry.create(Kind::Activity, &a.arn, None, 3, &activity("a", 3)).unwrap(), Some(a.clone()));
        let listed: Vec<Activity> = registry.list(Kind::Activity, None).unwrap();
        assert_eq!(listed, vec![b.clone(), a.clone()]);
        registry.tag(&a.arn, &[("team".into(), "pay".into())], &[]).unwrap();
        assert_eq!(registry.tags(&a.arn).unwrap(), vec![("team".into(), "pay".into())]);
        assert!(registry.delete(&a.arn).unwrap());
        assert!(!registry.delete(&a.arn).unwrap());
        assert!(registry.tags(&a.arn).unwrap().is_empty());
        assert_eq!(registry.get::<Activity>(Kind::Activity, &b.arn).unwrap(), Some(b));
    }

    #[test]
    fn the_registry_survives_reopening_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.db");
        let a = activity("kept", 5);
        Registry::open(&path).unwrap().put(Kind::Activity, &a.arn, None, 5, &a).unwrap();
        assert_eq!(Registry::open(&path).unwrap().get::<Activity>(Kind::Activity, &a.arn).unwrap(), Some(a));
    }
}
