//! The run writer: one SQLite transaction from [`Store::begin_run`] to [`RunWriter::finish`],
//! with one prepared statement for the per-draw rows; and [`Store::save`], which writes a run
//! already computed ([`NewRun`]) in one short transaction, retrying while another process holds
//! the write lock, and [`save_elsewhere`], the fallback that never lets a computed run be lost.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Statement, params};

use crate::{
    DRAW_BITS, DrawSpool, DrawSummary, MAX_DRAW_INDEX, MAX_RUN_ID, Result, RunId, RunMeta, Store,
    StoreError, encode_values, now_unix_ms,
};

/// A run being written. Nothing of it is visible to readers until [`RunWriter::finish`] commits;
/// dropping the writer (or [`RunWriter::abort`]) rolls everything back.
pub struct RunWriter<'s> {
    conn: &'s Connection,
    store: &'s Store,
    insert: Option<Statement<'s>>,
    run_id: i64,
    n_scenarios: usize,
    value_names: Vec<String>,
    buf: Vec<u8>,
    pushed: u64,
    stored: u64,
    open: bool,
    extras: Option<serde_json::Value>,
    bundle: Option<Vec<u8>>,
}

impl std::fmt::Debug for RunWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunWriter")
            .field("run_id", &self.run_id)
            .field("pushed", &self.pushed)
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

fn json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::BadMeta(format!("cannot encode JSON: {e}")))
}

impl Store {
    /// Begins a run: takes the store's write lock (waiting up to 5 s for another writer, then
    /// [`StoreError::Busy`]) and inserts the run's row inside a new transaction.
    pub fn begin_run(&mut self, meta: &RunMeta) -> Result<RunWriter<'_>> {
        if meta.keep_draws && meta.scenarios.is_empty() {
            return Err(StoreError::BadMeta(
                "per-draw rows are kept but the run declares no scenarios".into(),
            ));
        }
        let this: &Store = self;
        let conn = &this.conn;
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| this.err(e))?;
        let mut writer = RunWriter {
            conn,
            store: this,
            insert: None,
            run_id: 0,
            n_scenarios: meta.scenarios.len(),
            value_names: meta.value_names.clone(),
            buf: Vec::with_capacity(8 * meta.value_names.len()),
            pushed: 0,
            stored: 0,
            open: true,
            extras: None,
            bundle: None,
        };
        // From here on an error drops `writer`, which rolls back.
        conn.execute(
            "INSERT INTO runs (started_ms, finished_ms, case_id, case_hash, case_title, parameters,
                 seed, n_draws, threads, version, command_line, scenarios, value_names,
                 draws_stored, timings, aggregates)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, 'null', 'null')",
            params![
                meta.started_unix_ms,
                meta.case_id,
                meta.case_hash,
                meta.case_title,
                json(&meta.parameters)?,
                meta.seed as i64,
                meta.n_draws as i64,
                meta.threads,
                meta.version,
                json(&meta.command_line)?,
                json(&meta.scenarios)?,
                json(&meta.value_names)?,
            ],
        )
        .map_err(|e| this.err(e))?;
        writer.run_id = conn.last_insert_rowid();
        if writer.run_id > MAX_RUN_ID {
            return Err(StoreError::Full {
                path: this.path.clone(),
            });
        }
        if meta.keep_draws {
            writer.insert = Some(
                conn.prepare(
                    "INSERT INTO draws (key, scenario, vals, path) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| this.err(e))?,
            );
        }
        Ok(writer)
    }

    /// Saves a whole run in one call: [`Store::begin_run`], every draw, [`RunWriter::finish`].
    pub fn save_run<'a>(
        &mut self,
        meta: &RunMeta,
        draws: impl IntoIterator<Item = &'a DrawSummary>,
        aggregates: &serde_json::Value,
        timings: &serde_json::Value,
    ) -> Result<RunId> {
        let mut writer = self.begin_run(meta)?;
        for d in draws {
            writer.push_draw(d)?;
        }
        writer.finish(aggregates, timings)
    }
}

/// A run computed in full, not yet saved: what [`Store::save`] writes in one transaction.
#[derive(Debug)]
pub struct NewRun {
    /// Its metadata.
    pub meta: RunMeta,
    /// Its draws, spilled to a temporary file (empty unless [`RunMeta::keep_draws`]).
    pub draws: DrawSpool,
    /// What else it keeps (see [`RunWriter::set_extras`]).
    pub extras: Option<serde_json::Value>,
    /// Its results as the caller encodes them (see [`RunWriter::set_bundle`]).
    pub bundle: Option<Vec<u8>>,
    /// Its aggregates.
    pub aggregates: serde_json::Value,
    /// Its timings.
    pub timings: serde_json::Value,
}

/// How many times [`Store::save`] tries to take the write lock (each try waits up to the busy
/// timeout, 5 s) before it gives up with [`StoreError::Busy`].
pub const SAVE_ATTEMPTS: u32 = 12;

impl Store {
    /// Saves a computed run in one transaction, which holds the write lock only as long as the
    /// copy takes (about a second per million draws). While another process holds the lock the
    /// attempt is repeated, up to [`SAVE_ATTEMPTS`] times; other errors are returned at once.
    pub fn save(&mut self, run: &mut NewRun) -> Result<RunId> {
        retry_busy(|| self.save_once(run))
    }

    fn save_once(&mut self, run: &mut NewRun) -> Result<RunId> {
        let mut w = self.begin_run(&run.meta)?;
        run.draws.for_each(|d| w.push_draw(d))?;
        if let Some(e) = &run.extras {
            w.set_extras(e.clone());
        }
        if let Some(b) = &run.bundle {
            w.set_bundle(b.clone());
        }
        w.finish(&run.aggregates, &run.timings)
    }
}

/// Calls `attempt` until it does not fail with [`StoreError::Busy`], up to [`SAVE_ATTEMPTS`]
/// times, waiting a little longer after each busy try; other errors are returned at once.
pub(crate) fn retry_busy<T>(mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Err(StoreError::Busy { .. }) if tries < SAVE_ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(50 * u64::from(tries)));
            }
            other => return other,
        }
    }
}

/// Saves `run` in a new store file of its own, for when it could not be saved where it was
/// meant to go: `<store>.unsaved-<time>-<process>.sqlite` beside `store`, or in the system's
/// temporary folder if that folder cannot be written. Returns the file, which `leverage runs
/// … --store FILE` reads like any store.
pub fn save_elsewhere(run: &mut NewRun, store: &Path) -> Result<PathBuf> {
    let name = format!(
        "{}.unsaved-{}-{}.sqlite",
        store
            .file_name()
            .map_or_else(|| "runs".into(), |n| n.to_string_lossy()),
        now_unix_ms(),
        std::process::id()
    );
    let beside = store.with_file_name(&name);
    let mut last = None;
    for path in [beside, std::env::temp_dir().join(&name)] {
        match Store::open(&path).and_then(|mut s| s.save_once(run)) {
            Ok(_) => return Ok(path),
            Err(e) => {
                // The file and whatever SQLite left beside it: nothing half-written stays.
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
                last = Some(e);
            }
        }
    }
    Err(last.expect("two attempts were made"))
}

impl RunWriter<'_> {
    /// The id the run will have once committed.
    pub fn run_id(&self) -> RunId {
        RunId(self.run_id)
    }

    /// The number of draws pushed so far.
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    /// Pushes one draw.
    pub fn push_draw(&mut self, draw: &DrawSummary) -> Result<()> {
        self.push_path(draw.draw, draw.scenario, &draw.values, &draw.path)
    }

    /// Pushes several draws.
    pub fn push_draws<'a>(
        &mut self,
        draws: impl IntoIterator<Item = &'a DrawSummary>,
    ) -> Result<()> {
        for d in draws {
            self.push_path(d.draw, d.scenario, &d.values, &d.path)?;
        }
        Ok(())
    }

    /// Pushes one draw given by its parts (no allocation): the draw index, the index of its final
    /// scenario in the run's scenario list, its values in the order of the run's value names.
    pub fn push(&mut self, draw: u64, scenario: u32, values: &[f64]) -> Result<()> {
        self.push_path(draw, scenario, values, &[])
    }

    /// Pushes one draw with its path (the caller's bytes; empty stores NULL).
    pub fn push_path(
        &mut self,
        draw: u64,
        scenario: u32,
        values: &[f64],
        path: &[u8],
    ) -> Result<()> {
        if values.len() != self.value_names.len() {
            return Err(StoreError::DrawShape {
                draw,
                expected: self.value_names.len(),
                got: values.len(),
                names: self.value_names.join(", "),
            });
        }
        if draw > MAX_DRAW_INDEX {
            return Err(StoreError::DrawIndex { draw });
        }
        let Some(insert) = self.insert.as_mut() else {
            self.pushed += 1;
            return Ok(());
        };
        if scenario as usize >= self.n_scenarios {
            return Err(StoreError::ScenarioIndex {
                draw,
                index: scenario,
                count: self.n_scenarios,
            });
        }
        encode_values(values, &mut self.buf);
        match insert.execute(params![
            (self.run_id << DRAW_BITS) | draw as i64,
            scenario,
            &self.buf[..],
            (!path.is_empty()).then_some(path)
        ]) {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                return Err(StoreError::DuplicateDraw { draw });
            }
            Err(e) => return Err(self.store.err(e)),
        }
        self.pushed += 1;
        self.stored += 1;
        Ok(())
    }

    /// What else the run keeps (JSON, stored with it at [`RunWriter::finish`]).
    pub fn set_extras(&mut self, extras: serde_json::Value) {
        self.extras = Some(extras);
    }

    /// The run's results as the caller encodes them (stored with it at [`RunWriter::finish`],
    /// read back by [`Store::bundle`]).
    pub fn set_bundle(&mut self, bundle: Vec<u8>) {
        self.bundle = Some(bundle);
    }

    /// Stores the aggregates and timings and commits: from now on the run is listed, whole.
    pub fn finish(
        mut self,
        aggregates: &serde_json::Value,
        timings: &serde_json::Value,
    ) -> Result<RunId> {
        self.insert = None;
        self.conn
            .execute(
                "UPDATE runs SET finished_ms = ?1, draws_stored = ?2, timings = ?3, aggregates = ?4,
                     extras = ?5, bundle = ?6
                 WHERE id = ?7",
                params![
                    now_unix_ms(),
                    self.stored as i64,
                    json(timings)?,
                    json(aggregates)?,
                    json(self.extras.as_ref().unwrap_or(&serde_json::json!({})))?,
                    self.bundle.as_deref(),
                    self.run_id
                ],
            )
            .map_err(|e| self.store.err(e))?;
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.store.err(e))?;
        self.open = false;
        Ok(RunId(self.run_id))
    }

    /// Abandons the run: rolls back everything written since [`Store::begin_run`].
    pub fn abort(mut self) -> Result<()> {
        self.insert = None;
        self.open = false;
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(|e| self.store.err(e))
    }
}

impl Drop for RunWriter<'_> {
    fn drop(&mut self) {
        if self.open {
            self.insert = None;
            // A failed COMMIT may already have rolled back; then this ROLLBACK fails harmlessly.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
