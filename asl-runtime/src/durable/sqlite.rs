//! The embedded store: one SQLite file in WAL mode, created on first use.
//!
//! Writes commit with `synchronous = NORMAL`: in WAL mode a commit survives
//! the death of the process at once, and a power failure once the WAL is
//! checkpointed. Each call runs on the caller's thread under one connection
//! lock: SQLite's own calls take microseconds, less than handing them to
//! another thread would.

use super::store::{Ending, Entry, ExecutionRecord, ExecutionStore, ListQuery, Outcome, Posted, Started, StoreError};
use crate::clock::BoxFuture;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// A step of the schema: SQL, or code where SQL cannot say it.
enum Migration {
    Sql(&'static str),
    Code(fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>),
}

/// The migrations, in order: the schema version is how many have run.
const MIGRATIONS: &[Migration] = &[
    // 1: executions, their journals, task tokens and posted messages.
    Migration::Sql(
        "CREATE TABLE executions (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        state_machine_arn TEXT NOT NULL,
        definition TEXT NOT NULL,
        identity TEXT NOT NULL,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        output TEXT,
        error TEXT,
        cause TEXT,
        start_ms INTEGER NOT NULL,
        stop_ms INTEGER,
        seed INTEGER NOT NULL,
        redrive_count INTEGER NOT NULL DEFAULT 0,
        options TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX executions_by_status ON executions (status, arn);
    CREATE TABLE journal (
        arn TEXT NOT NULL,
        seq INTEGER NOT NULL,
        request INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        PRIMARY KEY (arn, seq)
    ) WITHOUT ROWID;
    CREATE TABLE tokens (
        token TEXT PRIMARY KEY,
        arn TEXT NOT NULL,
        request INTEGER NOT NULL
    );
    CREATE INDEX tokens_by_execution ON tokens (arn);
    CREATE TABLE posted (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        arn TEXT NOT NULL,
        request INTEGER NOT NULL,
        outcome TEXT NOT NULL
    );",
    ),
    // 2: each definition's text once, by SHA-256 (SQL has no SHA-256).
    Migration::Code(definitions_apart),
    // 3: when an execution was last redriven.
    Migration::Sql("ALTER TABLE executions ADD COLUMN redrive_ms INTEGER;"),
    // 4: a token whose task is over is kept, closed, so that an answer to
    // it is told the task timed out (AWS's `TaskTimedOut`), not that it
    // never was.
    Migration::Sql("ALTER TABLE tokens ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;"),
];

/// Migration 2: definitions move to a table of their own.
fn definitions_apart(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE definitions (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, text TEXT NOT NULL);
         ALTER TABLE executions ADD COLUMN definition_id INTEGER REFERENCES definitions (id);",
    )?;
    let texts: Vec<String> = {
        let mut statement = tx.prepare("SELECT DISTINCT definition FROM executions")?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for text in texts {
        let id = definition_id(tx, &text)?;
        tx.execute("UPDATE executions SET definition_id = ?1 WHERE definition = ?2", params![id, text])?;
    }
    tx.execute_batch("ALTER TABLE executions DROP COLUMN definition;")
}

/// The id of `text` in the definitions table, stored there if new.
fn definition_id(tx: &rusqlite::Transaction<'_>, text: &str) -> rusqlite::Result<i64> {
    use sha2::Digest;
    let sha256: String = sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    tx.execute("INSERT OR IGNORE INTO definitions (sha256, text) VALUES (?1, ?2)", params![sha256, text])?;
    tx.query_row("SELECT id FROM definitions WHERE sha256 = ?1", [&sha256], |r| r.get(0))
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Durable executions in one SQLite file.
pub struct SqliteStore {
    connection: Mutex<Connection>,
    /// Journal writes waiting for the next commit (group commit).
    pending: Mutex<Vec<Pending>>,
    next_write: std::sync::atomic::AtomicU64,
}

/// One execution's journal write, waiting to be committed with others:
/// its rows, ready to insert.
struct Pending {
    id: u64,
    arn: String,
    /// `(seq, request, at_ms, outcome as JSON)`.
    rows: Vec<(i64, i64, i64, String)>,
    consumed: Vec<i64>,
    done: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("the store: {e}"))
}

/// An execution with its definition's text, as `record_of` reads it.
const SELECT: &str = "SELECT e.arn, e.name, e.state_machine_arn, d.text, e.identity, e.input, e.status, e.output, \
                      e.error, e.cause, e.start_ms, e.stop_ms, e.seed, e.redrive_count, e.options, e.redrive_ms \
                      FROM executions e JOIN definitions d ON d.id = e.definition_id";

fn record_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<ExecutionRecord> {
    Ok(ExecutionRecord {
        arn: row.get(0)?,
        name: row.get(1)?,
        state_machine_arn: row.get(2)?,
        definition: row.get(3)?,
        identity: row.get(4)?,
        input: row.get(5)?,
        status: row.get(6)?,
        output: row.get(7)?,
        error: row.get(8)?,
        cause: row.get(9)?,
        start_ms: row.get(10)?,
        stop_ms: row.get(11)?,
        // SQLite integers are signed; the seed keeps its bits.
        seed: row.get::<_, i64>(12)? as u64,
        redrive_count: row.get(13)?,
        options: row.get(14)?,
        redrive_ms: row.get(15)?,
    })
}

/// Journal writes of any executions, in one transaction. Should one fail
/// (its execution driven twice, say), the group is written again with each
/// write in its own savepoint, so that it fails alone. The result of each,
/// in order.
fn write_group(c: &mut Connection, group: &[Pending]) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
    if group.iter().try_for_each(|write| write_one(&tx, write)).is_ok() {
        tx.commit().map_err(backend)?;
        return Ok(group.iter().map(|_| Ok(())).collect());
    }
    drop(tx);
    let mut tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
    let mut results = Vec::with_capacity(group.len());
    for write in group {
        let savepoint = tx.savepoint().map_err(backend)?;
        let written = write_one(&savepoint, write);
        if written.is_ok() {
            savepoint.commit().map_err(backend)?;
        }
        results.push(written);
    }
    tx.commit().map_err(backend)?;
    Ok(results)
}

fn write_one(c: &Connection, write: &Pending) -> Result<(), StoreError> {
    let mut insert = c
        .prepare_cached("INSERT INTO journal (arn, seq, request, at_ms, outcome) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(backend)?;
    for (seq, request, at_ms, outcome) in &write.rows {
        insert.execute(params![write.arn, seq, request, at_ms, outcome]).map_err(backend)?;
    }
    let mut forget = c.prepare_cached("DELETE FROM posted WHERE id = ?1").map_err(backend)?;
    for id in &write.consumed {
        forget.execute([id]).map_err(backend)?;
    }
    Ok(())
}

fn outcome_text(outcome: &Outcome) -> String {
    serde_json::to_string(outcome).expect("an outcome is plain JSON")
}

fn outcome_of(text: &str) -> Result<Outcome, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(format!("the store holds an unreadable entry: {e}")))
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file and its schema on first
    /// use and migrating an older schema. A store written by a newer version
    /// is refused, untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        let connection = Connection::open(path)
            .map_err(|e| StoreError::Backend(format!("cannot open the store {}: {e}", path.display())))?;
        SqliteStore::setup(connection).map_err(|e| match e {
            StoreError::Backend(message) => StoreError::Backend(format!("{}: {message}", path.display())),
            other => other,
        })
    }

    /// How long a call waits for another process's write lock before it
    /// fails with a clear error (default 10 seconds).
    pub fn busy_timeout(self, wait: Duration) -> Result<SqliteStore, StoreError> {
        self.with(|c| c.busy_timeout(wait).map_err(backend))?;
        Ok(self)
    }

    /// A store in memory, gone when dropped (tests, benchmarks).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::setup(Connection::open_in_memory().map_err(backend)?)
    }

    fn setup(mut connection: Connection) -> Result<SqliteStore, StoreError> {
        // Another process (a worker, `asl task success`) may hold the write
        // lock for a moment: wait for it rather than fail.
        connection.busy_timeout(Duration::from_secs(10)).map_err(backend)?;
        let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { found: version, known: SCHEMA_VERSION });
        }
        if version == 0 {
            // Small pages for a new store: a journal write touches a page or
            // two, and every page it touches is written out whole at commit
            // (1 KiB pages: 20% more task completions per second than 4 KiB).
            connection.pragma_update(None, "page_size", 1024).map_err(backend)?;
        }
        connection.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(backend)?;
        // Checkpoint the WAL every 16 MiB instead of every 1,000 pages: each
        // checkpoint syncs the file, and small pages fill 1,000 quickly.
        connection.pragma_update(None, "wal_autocheckpoint", 16 * 1024).map_err(backend)?;
        if version < SCHEMA_VERSION {
            let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            // Read again under the write lock: another process may have migrated.
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)?;
            for migration in &MIGRATIONS[version.clamp(0, SCHEMA_VERSION) as usize..] {
                match migration {
                    Migration::Sql(sql) => tx.execute_batch(sql),
                    Migration::Code(step) => step(&tx),
                }
                .map_err(backend)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(backend)?;
            tx.commit().map_err(backend)?;
        }
        // A file that is not a database, or a damaged one, fails here rather
        // than at the first execution.
        connection.query_row("SELECT count(*) FROM executions", [], |r| r.get::<_, i64>(0)).map_err(backend)?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
            pending: Mutex::new(Vec::new()),
            next_write: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut connection)
    }

    fn ready<T: Send + 'static>(result: Result<T, StoreError>) -> BoxFuture<'static, Result<T, StoreError>> {
        Box::pin(std::future::ready(result))
    }
}

impl ExecutionStore for SqliteStore {
    fn start(&self, record: ExecutionRecord) -> BoxFuture<'_, Result<Started, StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            let existing = tx
                .query_row(&format!("{SELECT} WHERE e.arn = ?1"), [&record.arn], record_of)
                .optional()
                .map_err(backend)?;
            if let Some(existing) = existing {
                return if existing.input == record.input && existing.definition == record.definition {
                    Ok(Started::Existing(existing))
                } else {
                    Err(StoreError::ExecutionAlreadyExists(record.arn))
                };
            }
            // A definition is kept once, however many executions run it.
            let definition_id = definition_id(&tx, &record.definition).map_err(backend)?;
            tx.execute(
                "INSERT INTO executions (arn, name, state_machine_arn, definition_id, identity, input, status, output, \
                 error, cause, start_ms, stop_ms, seed, redrive_count, options) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'RUNNING', NULL, NULL, NULL, ?7, NULL, ?8, ?9, ?10)",
                params![
                    record.arn,
                    record.name,
                    record.state_machine_arn,
                    definition_id,
                    record.identity,
                    record.input,
                    record.start_ms,
                    record.seed as i64,
                    record.redrive_count,
                    record.options
                ],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(Started::Created(ExecutionRecord { status: "RUNNING".into(), ..record }))
        }))
    }

    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>, StoreError>> {
        Self::ready(
            self.with(|c| {
                c.query_row(&format!("{SELECT} WHERE e.arn = ?1"), [arn], record_of).optional().map_err(backend)
            }),
        )
    }

    fn journal(&self, arn: &str) -> BoxFuture<'_, Result<Vec<Entry>, StoreError>> {
        Self::ready(self.with(|c| {
            let mut statement = c
                .prepare_cached("SELECT seq, request, at_ms, outcome FROM journal WHERE arn = ?1 ORDER BY seq")
                .map_err(backend)?;
            let rows = statement
                .query_map([arn], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
                })
                .map_err(backend)?;
            let mut entries = Vec::new();
            for row in rows {
                let (seq, request, at_ms, outcome) = row.map_err(backend)?;
                entries.push(Entry { seq: seq as u64, request: request as u64, at_ms, outcome: outcome_of(&outcome)? });
            }
            Ok(entries)
        }))
    }

    /// Group commit: a write waits one turn of the scheduler, so that the
    /// writes of other executions ready in the same turn join it, and then
    /// whichever of them runs first commits them all in one transaction.
    /// (Each waiting write can commit the group: none depends on another's
    /// future still being polled.)
    fn append<'a>(
        &'a self, arn: &'a str, entries: &'a [Entry], consumed: &'a [i64],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let id = self.next_write.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (done, result) = tokio::sync::oneshot::channel();
        let rows =
            entries.iter().map(|e| (e.seq as i64, e.request as i64, e.at_ms, outcome_text(&e.outcome))).collect();
        let write = Pending { id, arn: arn.to_string(), rows, consumed: consumed.to_vec(), done };
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(write);
        Box::pin(async move {
            tokio::task::yield_now().await;
            let group = {
                let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if pending.iter().any(|w| w.id == id) { std::mem::take(&mut *pending) } else { Vec::new() }
            };
            if !group.is_empty() {
                let written = self.with(|c| write_group(c, &group));
                for (i, write) in group.into_iter().enumerate() {
                    let result = match &written {
                        Ok(each) => each[i].clone(),
                        Err(e) => Err(e.clone()),
                    };
                    let _ = write.done.send(result);
                }
            }
            result.await.unwrap_or_else(|_| Err(StoreError::Backend("a journal write was lost".into())))
        })
    }

    fn finish(&self, arn: &str, ending: Ending) -> BoxFuture<'_, Result<(), StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            tx.execute(
                "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stop_ms = ?6 WHERE arn = ?1",
                params![arn, ending.status, ending.output, ending.error, ending.cause, ending.stop_ms],
            )
            .map_err(backend)?;
            tx.execute("UPDATE tokens SET closed = 1 WHERE arn = ?1", [arn]).map_err(backend)?;
            tx.execute("DELETE FROM posted WHERE arn = ?1", [arn]).map_err(backend)?;
            tx.commit().map_err(backend)
        }))
    }

    fn redrive(&self, arn: &str, count: u32, entry: Entry) -> BoxFuture<'_, Result<ExecutionRecord, StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            let changed = tx
                .execute(
                    "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, \
                     stop_ms = NULL, redrive_count = redrive_count + 1, redrive_ms = ?3 \
                     WHERE arn = ?1 AND redrive_count = ?2 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')",
                    params![arn, count, entry.at_ms],
                )
                .map_err(backend)?;
            if changed == 0 {
                return Err(StoreError::ExecutionNotRedrivable(format!(
                    "the execution {arn} is not FAILED, TIMED_OUT or ABORTED after {count} redrives"
                )));
            }
            tx.execute(
                "INSERT INTO journal (arn, seq, request, at_ms, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![arn, entry.seq as i64, entry.request as i64, entry.at_ms, outcome_text(&entry.outcome)],
            )
            .map_err(backend)?;
            tx.execute("DELETE FROM posted WHERE arn = ?1", [arn]).map_err(backend)?;
            let record = tx.query_row(&format!("{SELECT} WHERE e.arn = ?1"), [arn], record_of).map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(record)
        }))
    }

    fn list(&self, query: ListQuery) -> BoxFuture<'_, Result<Vec<ExecutionRecord>, StoreError>> {
        Self::ready(self.with(|c| {
            let limit = if query.limit == 0 { -1 } else { query.limit as i64 };
            let (after, order) = if query.newest_first { ("<", "DESC") } else { (">", "ASC") };
            let mut statement = c
                .prepare_cached(&format!(
                    "{SELECT}
                     WHERE (?1 IS NULL OR e.status = ?1) AND (?2 IS NULL OR e.state_machine_arn = ?2)
                       AND (?3 IS NULL OR (e.start_ms, e.arn) {after} (SELECT start_ms, arn FROM executions WHERE arn = ?3))
                     ORDER BY e.start_ms {order}, e.arn {order} LIMIT ?4"
                ))
                .map_err(backend)?;
            let rows = statement
                .query_map(params![query.status, query.state_machine_arn, query.after, limit], record_of)
                .map_err(backend)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(backend)
        }))
    }

    fn running(&self) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
        Self::ready(self.with(|c| {
            let mut statement = c
                .prepare_cached("SELECT arn FROM executions WHERE status = 'RUNNING' ORDER BY start_ms, arn")
                .map_err(backend)?;
            let rows = statement.query_map([], |r| r.get::<_, String>(0)).map_err(backend)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(backend)
        }))
    }

    fn tokens(&self, arn: &str, add: Vec<(String, u64)>, remove: Vec<String>) -> BoxFuture<'_, Result<(), StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO tokens (token, arn, request, closed) VALUES (?1, ?2, ?3, 0)",
                    )
                    .map_err(backend)?;
                for (token, request) in &add {
                    insert.execute(params![token, arn, *request as i64]).map_err(backend)?;
                }
                let mut forget = tx.prepare_cached("UPDATE tokens SET closed = 1 WHERE token = ?1").map_err(backend)?;
                for token in &remove {
                    forget.execute([token]).map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)
        }))
    }

    fn post_callback(&self, token: &str, outcome: Outcome) -> BoxFuture<'_, Result<(), StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            let target = tx
                .query_row(
                    "SELECT t.arn, t.request, t.closed = 0 AND e.status = 'RUNNING'
                     FROM tokens t JOIN executions e ON e.arn = t.arn WHERE t.token = ?1",
                    [token],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((arn, request, open)) = target else {
                return Err(StoreError::TaskDoesNotExist);
            };
            if !open {
                return Err(StoreError::TaskTimedOut);
            }
            // An answer ends the wait: a second answer finds the task over.
            if !matches!(outcome, Outcome::Heartbeat) {
                tx.execute("UPDATE tokens SET closed = 1 WHERE token = ?1", [token]).map_err(backend)?;
            }
            tx.execute(
                "INSERT INTO posted (arn, request, outcome) VALUES (?1, ?2, ?3)",
                params![arn, request, outcome_text(&outcome)],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        }))
    }

    fn post_stop(
        &self, arn: &str, error: Option<String>, cause: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            let status: Option<String> = tx
                .query_row("SELECT status FROM executions WHERE arn = ?1", [arn], |r| r.get(0))
                .optional()
                .map_err(backend)?;
            match status.as_deref() {
                None => return Err(StoreError::ExecutionDoesNotExist(arn.to_string())),
                Some("RUNNING") => {}
                Some(_) => return Err(StoreError::NotRunning(arn.to_string())),
            }
            tx.execute(
                "INSERT INTO posted (arn, request, outcome) VALUES (?1, 0, ?2)",
                params![arn, outcome_text(&Outcome::Stop { error, cause })],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        }))
    }

    fn forget_ended(&self, before_ms: i64) -> BoxFuture<'_, Result<usize, StoreError>> {
        Self::ready(self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
            let ended = "SELECT arn FROM executions WHERE status <> 'RUNNING' AND stop_ms < ?1";
            tx.execute(&format!("DELETE FROM journal WHERE arn IN ({ended})"), [before_ms]).map_err(backend)?;
            tx.execute(&format!("DELETE FROM tokens WHERE arn IN ({ended})"), [before_ms]).map_err(backend)?;
            let forgotten = tx
                .execute("DELETE FROM executions WHERE status <> 'RUNNING' AND stop_ms < ?1", [before_ms])
                .map_err(backend)?;
            tx.execute("DELETE FROM definitions WHERE id NOT IN (SELECT definition_id FROM executions)", [])
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(forgotten)
        }))
    }

    fn posted(&self) -> BoxFuture<'_, Result<Vec<Posted>, StoreError>> {
        Self::ready(self.with(|c| {
            let mut statement =
                c.prepare_cached("SELECT id, arn, request, outcome FROM posted ORDER BY id").map_err(backend)?;
            let rows = statement
                .query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
                })
                .map_err(backend)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, arn, request, outcome) = row.map_err(backend)?;
                out.push(Posted { id, arn, request: request as u64, outcome: outcome_of(&outcome)? });
            }
            Ok(out)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_store_is_migrated_and_keeps_its_executions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let c = Connection::open(&path).unwrap();
            let Migration::Sql(v1) = &MIGRATIONS[0] else { panic!("migration 1 is SQL") };
            c.execute_batch(v1).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            for name in ["a", "b"] {
                c.execute(
                    "INSERT INTO executions (arn, name, state_machine_arn, definition, identity, input, status, start_ms, seed)
                     VALUES (?1, ?2, 'sm', '{\"StartAt\": \"P\"}', '{}', '{}', 'RUNNING', 1, 7)",
                    params![format!("arn:{name}"), name],
                )
                .unwrap();
            }
            c.execute("INSERT INTO journal VALUES ('arn:a', 1, 1, 5, '{\"kind\":\"fired\"}')", []).unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let a = rt.block_on(store.execution("arn:a")).unwrap().unwrap();
        assert_eq!((a.definition.as_str(), a.seed), ("{\"StartAt\": \"P\"}", 7));
        assert_eq!(rt.block_on(store.journal("arn:a")).unwrap().len(), 1);
        let (version, definitions): (i64, i64) = store
            .with(|c| {
                let v = c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)?;
                let d = c.query_row("SELECT count(*) FROM definitions", [], |r| r.get(0)).map_err(backend)?;
                Ok((v, d))
            })
            .unwrap();
        assert_eq!((version, definitions), (SCHEMA_VERSION, 1), "two executions, one definition");
    }
}
