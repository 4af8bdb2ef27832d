//! The run store of the scenario engine: every Monte Carlo run saved in one SQLite file, whole or
//! not at all.
//!
//! A run is its metadata ([`RunMeta`]: case id, hash and title, the full resolved parameters as
//! JSON, seed, number of draws, threads, program version, command line, start time, the run's
//! scenario list and the names of its per-draw values), its timings and aggregates (JSON, opaque
//! to the store) and, optionally, one [`DrawSummary`] per draw.
//!
//! # Writing
//! A caller that has computed a run saves it with [`Store::save`] ([`NewRun`]): one short
//! transaction, retried while another process holds the write lock, so that two simulations
//! saving into one store both get saved (the lock is held for the copy, not the simulation).
//! If saving fails all the same, [`save_elsewhere`] writes the run to a store file of its own
//! beside the store, so that a computed run is never lost.
//!
//! [`Store::begin_run`] opens one SQLite transaction (`BEGIN IMMEDIATE`) and returns a
//! [`RunWriter`]; [`RunWriter::push_draw`] inserts rows with one prepared statement inside that
//! transaction; [`RunWriter::finish`] stores the aggregates and timings and commits. Dropping a
//! writer without `finish` rolls the transaction back, and a process killed midway leaves only an
//! uncommitted transaction, which SQLite discards on the next open: a run appears whole or not at
//! all, and earlier runs are never touched (a committed run is never updated).
//!
//! # Removing
//! [`Store::delete_run`] and [`Store::prune`] (keep the newest N) remove runs with their
//! per-draw rows in one transaction ([`Removed`] says what went and how many bytes were freed).
//!
//! # Journal mode: WAL
//! The store uses write-ahead logging with `synchronous = FULL`. Both WAL and the rollback journal
//! are atomic and crash-safe; WAL is chosen because a run's transaction lasts as long as the
//! simulation that streams its draws (seconds to a minute for 10⁶ draws), and with a rollback
//! journal a writer that spills its page cache takes an exclusive lock that makes
//! `leverage runs list` in another terminal fail with "database is locked". In WAL mode readers see
//! the last committed state while a run is being written, and the big insert writes each page
//! once to the log instead of journalling it. `FULL` costs one extra sync per run (one commit per
//! run) and makes a committed run survive a power cut, not only a killed process. The price is the
//! `-wal` and `-shm` files beside the store and that the store must be on a local file system.
//! Only one run can be written at a time: a second writer waits up to 5 s for the lock and then
//! gets [`StoreError::Busy`] ([`Store::save`] tries again, up to [`SAVE_ATTEMPTS`] times).
//!
//! # Opening
//! The header (application id, schema version, tables) is read inside one read transaction, so
//! a process that opens the store while another creates its schema sees the file before or
//! after, never half-way; the schema is created under the write lock after a second look.
//! [`Store::open_read_only`] (for `runs list`, `show`, `diff`, `export`) writes nothing: no
//! schema, no journal mode, so a store the user may only read can be read.
//!
//! # Speed and size
//! Measured on the 2-core development machine (`examples/write_rate.rs`, release build, idle
//! machine): 1 000 000 draws of 5 values each written and committed in about 1.0 s
//! (≈ 1 000 000 draws/s; about half that when the machine is loaded), 54 bytes per draw on
//! disk, 6 MB peak memory. The criterion benchmark `benches/store.rs` (100 000 draws per run,
//! commit included) gives about 750 000 draws/s.
//!
//! # Numbers
//! Per-draw values are stored as little-endian `f64` bytes, so every value, NaN (with its payload),
//! ±∞ and −0.0 included, reads back bit for bit. Parameters, timings and aggregates are
//! `serde_json::Value`s stored as JSON text (serde_json with `float_roundtrip`, so finite floats
//! read back exactly); JSON has no NaN or ∞ — serde_json turns them into `null` before they reach
//! the store. The `u64` seed and number of draws are stored as the `i64` with the same bits and
//! read back unchanged; draw indices must be below 2⁴⁰ ([`StoreError::DrawIndex`]), see
//! [`SCHEMA_SQL`].
//!
//! # Schema (version 1, `PRAGMA user_version = 1`, `PRAGMA application_id = 0x4C564752`)
//! See [`SCHEMA_SQL`]. A file that is not an SQLite database, or a database of another
//! application, or one with a newer schema version, gives an error and is left untouched.
//!
//! Modules: `error` (the error type), `write` (the run writer), `read` (list, show, draws,
//! export), `diff` (comparison of two runs), `delete` (delete and prune), `time` (timestamps).

mod delete;
mod diff;
mod error;
mod read;
mod spool;
mod time;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

pub use delete::Removed;
pub use diff::{AggregateDelta, ChangeKind, MetaChange, ParamChange, RunDiff};
pub use error::{Result, StoreError};
pub use read::{DrawRecord, Run, RunExport, RunSummary};
pub use spool::DrawSpool;
pub use time::{now_unix_ms, rfc3339};
pub use write::{NewRun, RunWriter, SAVE_ATTEMPTS, save_elsewhere};

/// The schema version this program writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// The SQLite `application_id` marking a leverage run store ("LVGR").
pub const APPLICATION_ID: i64 = 0x4C56_4752;

/// The schema of version 2 (version 1 lacked `runs.extras` and `draws.path`; opening a version-1
/// store adds them, in one transaction).
///
/// - `runs`: one row per committed run. `seed`, `n_draws` hold the `u64`s' bits as `i64`;
///   `started_ms`/`finished_ms` are Unix milliseconds (UTC); `parameters`, `command_line`,
///   `scenarios`, `value_names`, `timings`, `aggregates` are JSON text; `draws_stored` is the
///   number of rows in `draws` for the run (0 when saved without per-draw rows); `extras` is JSON
///   text with whatever else the run keeps (the case files it was read from, its sensitivity
///   analysis), `{}` when nothing; `bundle` is the caller's encoding of the run's results for
///   rendering them again (NULL when none).
/// - `draws`: one row per draw: `key = run_id × 2⁴⁰ + draw index` (the rowid), the index of its
///   final scenario in the run's `scenarios` list, and its values as `8 × len(value_names)` bytes
///   of little-endian `f64`, and its path (the caller's bytes, e.g. the scenario and decisions
///   of every year; NULL when none). Keying by the rowid makes the rows of a run one contiguous key range
///   in draw order and lets SQLite append draws pushed in order without a separate index: this
///   writes about 25 % faster and 8 % smaller than a `WITHOUT ROWID` table keyed by
///   (run, draw). Limits: draw indices below 2⁴⁰, run ids below 2²³.
/// - `draw_rows`: a view splitting the key into `run_id` and `draw`, for the `sqlite3` shell.
pub const SCHEMA_SQL: &str = "
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    started_ms   INTEGER NOT NULL,
    finished_ms  INTEGER NOT NULL,
    case_id      TEXT    NOT NULL,
    case_hash    TEXT    NOT NULL,
    case_title   TEXT    NOT NULL,
    parameters   TEXT    NOT NULL,
    seed         INTEGER NOT NULL,
    n_draws      INTEGER NOT NULL,
    threads      INTEGER NOT NULL,
    version      TEXT    NOT NULL,
    command_line TEXT    NOT NULL,
    scenarios    TEXT    NOT NULL,
    value_names  TEXT    NOT NULL,
    draws_stored INTEGER NOT NULL,
    timings      TEXT    NOT NULL,
    aggregates   TEXT    NOT NULL,
    extras       TEXT    NOT NULL DEFAULT '{}',
    bundle       BLOB
);
CREATE TABLE draws (
    key      INTEGER PRIMARY KEY,
    scenario INTEGER NOT NULL,
    vals     BLOB    NOT NULL,
    path     BLOB
);
CREATE VIEW draw_rows AS
    SELECT key >> 40 AS run_id, key & 1099511627775 AS draw, scenario, vals, path FROM draws;
";

/// Bits of a draw row's key taken by the draw index; the run id takes the bits above.
pub(crate) const DRAW_BITS: u32 = 40;

/// The largest draw index the store keeps (2⁴⁰ − 1).
pub const MAX_DRAW_INDEX: u64 = (1 << DRAW_BITS) - 1;

/// The largest run id the store can hold (2²³ − 1).
pub(crate) const MAX_RUN_ID: i64 = (1 << (63 - DRAW_BITS)) - 1;

/// How long a writer waits for another process's lock before [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The id of a saved run (1, 2, … in the order of saving).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A reference to a run: by id, or the latest saved one. Parses from `"17"` or `"latest"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunRef {
    /// The run with this id.
    Id(RunId),
    /// The run saved last (the highest id).
    Latest,
}

impl From<RunId> for RunRef {
    fn from(id: RunId) -> Self {
        RunRef::Id(id)
    }
}

impl From<i64> for RunRef {
    fn from(id: i64) -> Self {
        RunRef::Id(RunId(id))
    }
}

impl FromStr for RunRef {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(RunRef::Latest);
        }
        match t.parse::<i64>() {
            Ok(id) if id > 0 => Ok(RunRef::Id(RunId(id))),
            _ => Err(StoreError::BadRunRef(s.to_string())),
        }
    }
}

impl fmt::Display for RunRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunRef::Id(id) => id.fmt(f),
            RunRef::Latest => f.write_str("latest"),
        }
    }
}

/// What is known of a run when it begins; a [`Run`] read back from the store holds it as
/// [`Run::meta`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The case's id.
    pub case_id: String,
    /// The case's hash, as a hex string computed by the caller.
    pub case_hash: String,
    /// The case's title.
    pub case_title: String,
    /// The full resolved parameters of the run.
    pub parameters: serde_json::Value,
    /// The master seed.
    pub seed: u64,
    /// The number of draws of the ensemble.
    pub n_draws: u64,
    /// The number of worker threads.
    pub threads: u32,
    /// The program version that made the run.
    pub version: String,
    /// The command line, one argument per element.
    pub command_line: Vec<String>,
    /// When the run started, Unix milliseconds (see [`now_unix_ms`]).
    pub started_unix_ms: i64,
    /// The scenario ids; a draw's `scenario` is an index into this list.
    pub scenarios: Vec<String>,
    /// The names of the per-draw values, in order.
    pub value_names: Vec<String>,
    /// Whether per-draw rows are written; when false, [`RunWriter::push_draw`] only checks and
    /// counts, and the run is saved with its aggregates alone. The store does not record the flag:
    /// in a [`Run`] read back it is `draws_stored > 0`.
    pub keep_draws: bool,
}

/// The summary of one draw: its index, the index of its final scenario in the run's scenario
/// list, and its values in the order of the run's value names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawSummary {
    /// The draw index.
    pub draw: u64,
    /// Index into [`RunMeta::scenarios`].
    pub scenario: u32,
    /// Values in the order of [`RunMeta::value_names`].
    pub values: Vec<f64>,
    /// The draw's path as the caller encoded it (empty: none kept).
    pub path: Vec<u8>,
}

/// An open run store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What the header of an opened file says.
enum Kind {
    Fresh,
    /// Ours, at an older schema version.
    Old,
    Ours,
}

impl Store {
    /// Opens the store at `path`, creating the file and its schema if it does not exist. A file
    /// that is not a leverage store is left untouched and gives [`StoreError::NotAStore`].
    /// While another process creates the schema or sets the journal mode, SQLite may answer
    /// "busy" without waiting; the open is then tried again, as [`Store::save`] is.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        write::retry_busy(|| Self::open_with(path.as_ref(), true))
    }

    /// Opens an existing store; a missing file gives [`StoreError::Missing`] (for read-only
    /// commands such as `runs list`, which should not create files).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        write::retry_busy(|| Self::open_with(path, false))
    }

    /// Opens an existing store for reading only: nothing is written, not even the journal mode,
    /// so a store the user may only read can be listed. A store at an older schema version is
    /// first brought up to date through a read-write open (that needs write access once).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = || Self::connect(path, flags);
        let store = open()?;
        match store.inspect()? {
            Kind::Ours => Ok(store),
            Kind::Old => {
                drop(store);
                drop(Self::open_with(path, false)?);
                open()
            }
            Kind::Fresh => Err(StoreError::NotAStore {
                path: path.to_path_buf(),
                reason: "it is an empty SQLite database (no run was ever saved in it)".into(),
            }),
        }
    }

    /// Opens the SQLite connection, with the busy timeout; reads and writes nothing.
    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn open_with(path: &Path, create: bool) -> Result<Store> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let store = Self::connect(path, flags)?;
        // Look before writing anything: a foreign file must stay byte for byte as it was.
        match store.inspect()? {
            Kind::Fresh => store.create_schema()?,
            Kind::Old => store.migrate()?,
            Kind::Ours => {}
        }
        // The journal mode is the file's (persistent): set it once, not on every open (setting
        // it needs a lock that a concurrent writer may hold).
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .map_err(|e| store.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            store
                .conn
                .pragma_update(None, "journal_mode", "WAL")
                .or_else(|e| match e {
                    // pragma_update reports the returned row as an error on some versions.
                    rusqlite::Error::ExecuteReturnedResults => Ok(()),
                    e => Err(e),
                })
                .map_err(|e| store.err(e))?;
        }
        store
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// Reads the header and the table list, in one read transaction (inside a write transaction
    /// already open, the reads belong to it), and decides whether the file is a fresh database,
    /// a store of ours, or something else.
    fn inspect(&self) -> Result<Kind> {
        if !self.conn.is_autocommit() {
            return self.inspect_now();
        }
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.err(e))?;
        let kind = self.inspect_now();
        let _ = self.conn.execute_batch("COMMIT");
        kind
    }

    fn inspect_now(&self) -> Result<Kind> {
        let app_id: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let tables = self.table_names()?;
        if app_id == APPLICATION_ID {
            if version > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    path: self.path.clone(),
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            if version < 1 {
                return Err(self.corrupt("marked as a run store but without a schema version"));
            }
            for t in ["runs", "draws"] {
                if !tables.iter().any(|n| n == t) {
                    return Err(self.corrupt(&format!("the table `{t}` is missing")));
                }
            }
            return Ok(if version < SCHEMA_VERSION {
                Kind::Old
            } else {
                Kind::Ours
            });
        }
        if app_id == 0 && version == 0 && tables.is_empty() {
            return Ok(Kind::Fresh);
        }
        let reason = if app_id != 0 {
            format!("it is an SQLite database of another application (application_id {app_id:#x})")
        } else if tables.is_empty() {
            format!("it is an SQLite database with user_version {version} but no leverage marker")
        } else {
            let mut shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
            if tables.len() > 5 {
                shown.push("…");
            }
            format!(
                "it is an SQLite database with other tables ({})",
                shown.join(", ")
            )
        };
        Err(StoreError::NotAStore {
            path: self.path.clone(),
            reason,
        })
    }

    fn table_names(&self) -> Result<Vec<String>> {
        self.strings("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    }

    /// The first column of every row a statement returns, as text.
    fn strings(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Brings a version-1 store to version 2 (re-checking the version under the write lock):
    /// adds `runs.extras`, `runs.bundle` and `draws.path`; earlier runs keep `{}` and NULL.
    fn migrate(&self) -> Result<()> {
        self.schema_transaction(|| {
            self.conn
                .execute_batch(
                    "ALTER TABLE runs ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
                     ALTER TABLE runs ADD COLUMN bundle BLOB;
                     ALTER TABLE draws ADD COLUMN path BLOB;
                     DROP VIEW IF EXISTS draw_rows;
                     CREATE VIEW draw_rows AS
                         SELECT key >> 40 AS run_id, key & 1099511627775 AS draw, scenario, vals,
                                path FROM draws;",
                )
                .map_err(|e| self.err(e))?;
            self.conn
                .pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(|e| self.err(e))
        })
    }

    /// Creates the schema (re-checking under the write lock that no other process created it,
    /// or anything else, meanwhile).
    fn create_schema(&self) -> Result<()> {
        self.schema_transaction(|| {
            self.conn
                .execute_batch(SCHEMA_SQL)
                .map_err(|e| self.err(e))?;
            self.conn
                .pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| self.err(e))?;
            self.conn
                .pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(|e| self.err(e))
        })
    }

    /// Runs `change` in one write transaction unless, under the lock, the store turns out to be
    /// ours at the current version already (another process got there first).
    fn schema_transaction(&self, change: impl FnOnce() -> Result<()>) -> Result<()> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        let result = match self.inspect() {
            Ok(Kind::Ours) => Ok(()),
            Ok(_) => change(),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => self.conn.execute_batch("COMMIT").map_err(|e| self.err(e)),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The path of the store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound file, else the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.strings("PRAGMA integrity_check")
    }

    /// Resolves a reference to the id of an existing run.
    pub fn resolve(&self, run: RunRef) -> Result<RunId> {
        use rusqlite::OptionalExtension;
        match run {
            RunRef::Id(id) => {
                let found: Option<i64> = self
                    .conn
                    .query_row("SELECT id FROM runs WHERE id = ?1", [id.0], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.err(e))?;
                found.map(RunId).ok_or_else(|| StoreError::NoSuchRun {
                    path: self.path.clone(),
                    id: id.0,
                })
            }
            RunRef::Latest => {
                let found: Option<i64> = self
                    .conn
                    .query_row("SELECT max(id) FROM runs", [], |r| r.get(0))
                    .map_err(|e| self.err(e))?;
                found.map(RunId).ok_or_else(|| StoreError::NoRuns {
                    path: self.path.clone(),
                })
            }
        }
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sql(&self.path, e)
    }

    pub(crate) fn corrupt(&self, what: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.to_string(),
        }
    }
}

/// Encodes values as little-endian `f64` bytes into `buf` (cleared first).
pub(crate) fn encode_values(values: &[f64], buf: &mut Vec<u8>) {
    buf.clear();
    for v in values {
        buf.extend_from_slice(&v.to_le_bytes());
    }
}

/// Decodes little-endian `f64` bytes; `None` if the length is not a multiple of 8.
pub(crate) fn decode_values(bytes: &[u8]) -> Option<Vec<f64>> {
    if bytes.len() % 8 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                f64::from_le_bytes(a)
            })
            .collect(),
    )
}
