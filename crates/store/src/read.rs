//! Reading the store: the list of runs, one run's record, its per-draw rows, and export structs
//! that the CLI formats as JSON or CSV.

use rusqlite::Row;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::{
    DRAW_BITS, DrawSummary, MAX_DRAW_INDEX, Result, RunId, RunMeta, RunRef, Store, StoreError,
    decode_values, rfc3339,
};

/// One line of `leverage runs list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run's id.
    pub id: RunId,
    /// When the run started, RFC 3339 UTC.
    pub created: String,
    /// The case's id.
    pub case_id: String,
    /// The first 12 hex digits of the case's hash.
    pub case_hash_short: String,
    /// The master seed.
    pub seed: u64,
    /// The number of draws of the ensemble.
    pub n_draws: u64,
    /// The number of per-draw rows stored (0 if saved without them).
    pub draws_stored: u64,
    /// The program version.
    pub version: String,
    /// Seconds from the start of the run to its commit.
    pub duration_s: f64,
}

/// Everything of a run except its per-draw rows: its [`RunMeta`] as saved by
/// [`Store::begin_run`], and what the store adds (its id, the commit time, the number of per-draw
/// rows, the timings and aggregates given to [`RunWriter::finish`](crate::RunWriter::finish)).
///
/// The store does not record [`RunMeta::keep_draws`]: a run read back has
/// `meta.keep_draws == (draws_stored > 0)` (so a run that kept draws but pushed none reads back
/// with `false`).
///
/// # JSON
/// A run serialises as one flat object (the metadata is not nested under `meta`), with the keys
/// in this order: `id`, `created`, `started_unix_ms`, `finished_unix_ms`, `duration_s`,
/// `case_id`, `case_hash`, `case_title`, `parameters`, `seed`, `n_draws`, `threads`, `version`,
/// `command_line`, `scenarios`, `value_names`, `draws_stored`, `timings`, `aggregates`.
/// `keep_draws` is left out: it is `draws_stored > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run's id.
    pub id: RunId,
    /// When the run started, RFC 3339 UTC (from [`RunMeta::started_unix_ms`]).
    pub created: String,
    /// When the run was committed, Unix milliseconds.
    pub finished_unix_ms: i64,
    /// Seconds from the start of the run to its commit.
    pub duration_s: f64,
    /// The run's metadata as saved (`keep_draws` reconstructed, see above).
    pub meta: RunMeta,
    /// The number of per-draw rows stored (0 if saved without them).
    pub draws_stored: u64,
    /// Timings (JSON as given by the caller).
    pub timings: serde_json::Value,
    /// Aggregates (JSON as given by the caller).
    pub aggregates: serde_json::Value,
    /// What else the run keeps ([`crate::RunWriter::set_extras`]); not part of its JSON form
    /// (it can hold whole case files).
    pub extras: serde_json::Value,
}

/// Flat, with the keys in the order given on [`Run`]: the one place that lists them.
impl Serialize for Run {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let m = &self.meta;
        let mut s = serializer.serialize_struct("Run", 19)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("created", &self.created)?;
        s.serialize_field("started_unix_ms", &m.started_unix_ms)?;
        s.serialize_field("finished_unix_ms", &self.finished_unix_ms)?;
        s.serialize_field("duration_s", &self.duration_s)?;
        s.serialize_field("case_id", &m.case_id)?;
        s.serialize_field("case_hash", &m.case_hash)?;
        s.serialize_field("case_title", &m.case_title)?;
        s.serialize_field("parameters", &m.parameters)?;
        s.serialize_field("seed", &m.seed)?;
        s.serialize_field("n_draws", &m.n_draws)?;
        s.serialize_field("threads", &m.threads)?;
        s.serialize_field("version", &m.version)?;
        s.serialize_field("command_line", &m.command_line)?;
        s.serialize_field("scenarios", &m.scenarios)?;
        s.serialize_field("value_names", &m.value_names)?;
        s.serialize_field("draws_stored", &self.draws_stored)?;
        s.serialize_field("timings", &self.timings)?;
        s.serialize_field("aggregates", &self.aggregates)?;
        s.end()
    }
}

/// One draw for export, with its scenario by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawRecord {
    /// The draw index.
    pub draw: u64,
    /// The final scenario's id.
    pub scenario: String,
    /// The values in the order of [`RunExport::value_names`] (NaN and ±∞ serialise to JSON as
    /// `null`).
    pub values: Vec<f64>,
    /// The draw's path as the caller encoded it (empty: none kept); not serialised here, the
    /// caller decodes it.
    #[serde(skip)]
    pub path: Vec<u8>,
}

impl DrawRecord {
    /// The record as CSV fields in the order of [`RunExport::csv_header`]; values use Rust's
    /// shortest round-trip form (`NaN`, `inf`, `-inf` for the non-finite).
    pub fn csv_fields(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(2 + self.values.len());
        out.push(self.draw.to_string());
        out.push(self.scenario.clone());
        out.extend(self.values.iter().map(|v| v.to_string()));
        out
    }
}

/// A run with its draws, ready to serialise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunExport {
    /// The run.
    pub run: Run,
    /// The names of the values of each draw (same as `run.meta.value_names`).
    pub value_names: Vec<String>,
    /// The draws, in draw order (empty if the run was saved without them).
    pub draws: Vec<DrawRecord>,
}

impl RunExport {
    /// The CSV header of the draws: `draw`, `scenario`, then the value names.
    pub fn csv_header(&self) -> Vec<String> {
        Self::header_of(&self.value_names)
    }
    /// The CSV header of the draws of a run whose values are `value_names`.
    pub fn header_of(value_names: &[String]) -> Vec<String> {
        let mut h = vec!["draw".to_string(), "scenario".to_string()];
        h.extend(value_names.iter().cloned());
        h
    }
}

const RUN_COLUMNS: &str = "id, started_ms, finished_ms, case_id, case_hash, case_title, parameters,
    seed, n_draws, threads, version, command_line, scenarios, value_names, draws_stored, timings,
    aggregates, extras";

fn duration_s(started: i64, finished: i64) -> f64 {
    (finished.saturating_sub(started)) as f64 / 1000.0
}

impl Store {
    /// All runs, oldest first.
    pub fn list(&self) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started_ms, finished_ms, case_id, case_hash, seed, n_draws,
                        draws_stored, version
                 FROM runs ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let started: i64 = r.get(1)?;
                let finished: i64 = r.get(2)?;
                let hash: String = r.get(4)?;
                Ok(RunSummary {
                    id: RunId(r.get(0)?),
                    created: rfc3339(started),
                    case_id: r.get(3)?,
                    case_hash_short: hash.chars().take(12).collect(),
                    seed: r.get::<_, i64>(5)? as u64,
                    n_draws: r.get::<_, i64>(6)? as u64,
                    draws_stored: r.get::<_, i64>(7)? as u64,
                    version: r.get(8)?,
                    duration_s: duration_s(started, finished),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// The bundle a run was saved with ([`crate::RunWriter::set_bundle`]), if any.
    pub fn bundle(&self, run: RunRef) -> Result<Option<Vec<u8>>> {
        let id = self.resolve(run)?;
        self.conn
            .query_row("SELECT bundle FROM runs WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    /// One run, without its per-draw rows.
    pub fn show(&self, run: RunRef) -> Result<Run> {
        let id = self.resolve(run)?;
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [id.0],
                RawRun::from_row,
            )
            .map_err(|e| self.err(e))?;
        raw.decode(self)
    }

    /// The per-draw rows of a run, in draw order (empty if it was saved without them).
    pub fn draws(&self, run: RunRef) -> Result<Vec<DrawSummary>> {
        let mut out = Vec::new();
        self.for_each_draw(run, |d| {
            out.push(d);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// Streams the per-draw rows of a run in draw order to `f`, without holding them all in
    /// memory; stops at the first error of `f`.
    pub fn for_each_draw<E: From<StoreError>>(
        &self,
        run: RunRef,
        mut f: impl FnMut(DrawSummary) -> Result<(), E>,
    ) -> Result<RunId, E> {
        let id = self.resolve(run)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key, scenario, vals, path FROM draws WHERE key BETWEEN ?1 AND ?2 ORDER BY key",
            )
            .map_err(|e| self.err(e))?;
        let lo = id.0 << DRAW_BITS;
        let mut rows = stmt
            .query([lo, lo | MAX_DRAW_INDEX as i64])
            .map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let draw = (row.get::<_, i64>(0).map_err(|e| self.err(e))? - lo) as u64;
            let scenario: u32 = row.get(1).map_err(|e| self.err(e))?;
            let bytes = row.get_ref(2).map_err(|e| self.err(e))?;
            let values = bytes
                .as_blob()
                .ok()
                .and_then(decode_values)
                .ok_or_else(|| {
                    self.corrupt(&format!("run {id}, draw {draw}: values are not f64 bytes"))
                })?;
            let path: Option<Vec<u8>> = row.get(3).map_err(|e| self.err(e))?;
            f(DrawSummary {
                draw,
                scenario,
                values,
                path: path.unwrap_or_default(),
            })?;
        }
        Ok(id)
    }

    /// A run with its draws (scenario indices replaced by ids), for export.
    pub fn export(&self, run: RunRef) -> Result<RunExport> {
        let mut draws = Vec::new();
        let run = self.export_each(run, |d| {
            draws.push(d);
            Ok::<(), StoreError>(())
        })?;
        Ok(RunExport {
            value_names: run.meta.value_names.clone(),
            run,
            draws,
        })
    }

    /// A run, and its draws (scenario indices replaced by ids) streamed in draw order to `f`
    /// without holding them all in memory; stops at the first error of `f`.
    pub fn export_each<E: From<StoreError>>(
        &self,
        run: RunRef,
        mut f: impl FnMut(DrawRecord) -> Result<(), E>,
    ) -> Result<Run, E> {
        let run = self.show(run)?;
        let id = run.id;
        self.for_each_draw(RunRef::Id(id), |d| {
            let scenario = run
                .meta
                .scenarios
                .get(d.scenario as usize)
                .cloned()
                .ok_or_else(|| {
                    self.corrupt(&format!(
                        "run {id}, draw {}: scenario index {} outside the run's {} scenarios",
                        d.draw,
                        d.scenario,
                        run.meta.scenarios.len()
                    ))
                })?;
            f(DrawRecord {
                draw: d.draw,
                scenario,
                values: d.values,
                path: d.path,
            })
        })?;
        Ok(run)
    }
}

/// A `runs` row before its JSON columns are parsed.
struct RawRun {
    id: i64,
    started: i64,
    finished: i64,
    case_id: String,
    case_hash: String,
    case_title: String,
    parameters: String,
    seed: i64,
    n_draws: i64,
    threads: u32,
    version: String,
    command_line: String,
    scenarios: String,
    value_names: String,
    draws_stored: i64,
    timings: String,
    aggregates: String,
    extras: String,
}

impl RawRun {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawRun> {
        Ok(RawRun {
            id: r.get(0)?,
            started: r.get(1)?,
            finished: r.get(2)?,
            case_id: r.get(3)?,
            case_hash: r.get(4)?,
            case_title: r.get(5)?,
            parameters: r.get(6)?,
            seed: r.get(7)?,
            n_draws: r.get(8)?,
            threads: r.get(9)?,
            version: r.get(10)?,
            command_line: r.get(11)?,
            scenarios: r.get(12)?,
            value_names: r.get(13)?,
            draws_stored: r.get(14)?,
            timings: r.get(15)?,
            aggregates: r.get(16)?,
            extras: r.get(17)?,
        })
    }

    fn decode(self, store: &Store) -> Result<Run> {
        let id = self.id;
        fn parse<T: serde::de::DeserializeOwned>(
            store: &Store,
            id: i64,
            column: &str,
            text: &str,
        ) -> Result<T> {
            serde_json::from_str(text).map_err(|e| {
                store.corrupt(&format!("run {id}: column `{column}` is not valid: {e}"))
            })
        }
        let draws_stored = self.draws_stored as u64;
        Ok(Run {
            id: RunId(id),
            created: rfc3339(self.started),
            finished_unix_ms: self.finished,
            duration_s: duration_s(self.started, self.finished),
            meta: RunMeta {
                case_id: self.case_id,
                case_hash: self.case_hash,
                case_title: self.case_title,
                parameters: parse(store, id, "parameters", &self.parameters)?,
                seed: self.seed as u64,
                n_draws: self.n_draws as u64,
                threads: self.threads,
                version: self.version,
                command_line: parse(store, id, "command_line", &self.command_line)?,
                started_unix_ms: self.started,
                scenarios: parse(store, id, "scenarios", &self.scenarios)?,
                value_names: parse(store, id, "value_names", &self.value_names)?,
                keep_draws: draws_stored > 0,
            },
            draws_stored,
            timings: parse(store, id, "timings", &self.timings)?,
            aggregates: parse(store, id, "aggregates", &self.aggregates)?,
            extras: parse(store, id, "extras", &self.extras)?,
        })
    }
}
