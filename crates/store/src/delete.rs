//! Removing runs from the store: one run ([`Store::delete_run`]) or all but the newest
//! ([`Store::prune`]). Each removal is one write transaction that deletes the runs' rows and
//! their per-draw rows together, so no draw outlives its run and a failure removes nothing.
//!
//! The store has no foreign keys: a run's draws are the key range `id × 2⁴⁰ …` of `draws` (see
//! [`crate::SCHEMA_SQL`]), deleted by range with the run. Ids are never reused (`AUTOINCREMENT`),
//! so a run saved after a deletion cannot be confused with the one removed. The file keeps its
//! size: the pages freed are reused by later runs ([`Removed::bytes_freed`] says how many bytes).

use serde::Serialize;

use crate::write::retry_busy;
use crate::{DRAW_BITS, MAX_DRAW_INDEX, Result, RunId, RunRef, Store};

/// What a removal took out of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The ids of the runs removed, oldest first.
    pub runs: Vec<RunId>,
    /// The number of per-draw rows removed with them.
    pub draws: u64,
    /// Bytes of the file now free for later runs (SQLite's free pages gained; the file itself
    /// does not shrink).
    pub bytes_freed: u64,
}

impl Store {
    /// Deletes one run and its per-draw rows in one transaction. An unknown id gives
    /// [`crate::StoreError::NoSuchRun`] and removes nothing.
    pub fn delete_run(&mut self, run: RunRef) -> Result<Removed> {
        self.write_transaction(|s| {
            let id = s.resolve(run)?;
            s.remove(&[id])
        })
    }

    /// Keeps the `keep` most recent runs (the highest ids, that is the last saved) and deletes
    /// every other run with its per-draw rows, in one transaction.
    pub fn prune(&mut self, keep: u64) -> Result<Removed> {
        self.write_transaction(|s| {
            let keep = i64::try_from(keep).unwrap_or(i64::MAX);
            let mut stmt = s
                .conn
                .prepare("SELECT id FROM runs ORDER BY id DESC LIMIT -1 OFFSET ?1")
                .map_err(|e| s.err(e))?;
            let mut ids = stmt
                .query_map([keep], |r| r.get(0).map(RunId))
                .map_err(|e| s.err(e))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| s.err(e))?;
            ids.reverse();
            s.remove(&ids)
        })
    }

    /// Deletes the runs `ids` and their draws inside the caller's transaction.
    fn remove(&self, ids: &[RunId]) -> Result<Removed> {
        let free_before = self.free_bytes()?;
        let mut draws = 0;
        for id in ids {
            let lo = id.0 << DRAW_BITS;
            draws += self
                .conn
                .execute(
                    "DELETE FROM draws WHERE key BETWEEN ?1 AND ?2",
                    [lo, lo | MAX_DRAW_INDEX as i64],
                )
                .map_err(|e| self.err(e))? as u64;
            self.conn
                .execute("DELETE FROM runs WHERE id = ?1", [id.0])
                .map_err(|e| self.err(e))?;
        }
        Ok(Removed {
            runs: ids.to_vec(),
            draws,
            bytes_freed: self.free_bytes()?.saturating_sub(free_before),
        })
    }

    /// The bytes of the file's free pages.
    fn free_bytes(&self) -> Result<u64> {
        let pragma = |name: &str| -> Result<i64> {
            self.conn
                .pragma_query_value(None, name, |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        Ok((pragma("freelist_count")? * pragma("page_size")?).max(0) as u64)
    }

    /// Runs `change` in one write transaction (`BEGIN IMMEDIATE`), committed if it succeeds and
    /// rolled back if not; tried again while another process holds the write lock.
    fn write_transaction<T>(&mut self, change: impl Fn(&Store) -> Result<T>) -> Result<T> {
        let this: &Store = self;
        retry_busy(|| {
            this.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| this.err(e))?;
            let result = change(this).and_then(|v| {
                this.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| this.err(e))
                    .map(|()| v)
            });
            if result.is_err() && !this.conn.is_autocommit() {
                let _ = this.conn.execute_batch("ROLLBACK");
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DrawSpool, DrawSummary, NewRun, RunMeta, StoreError};
    use serde_json::json;

    fn run(seed: u64, draws: u64) -> NewRun {
        NewRun {
            meta: RunMeta {
                case_id: "toy".into(),
                case_hash: "00".into(),
                case_title: "Toy".into(),
                parameters: json!({}),
                seed,
                n_draws: draws,
                threads: 1,
                version: "0".into(),
                command_line: vec!["leverage".into()],
                started_unix_ms: 0,
                scenarios: vec!["a".into(), "b".into()],
                value_names: vec!["x".into()],
                keep_draws: draws > 0,
            },
            draws: DrawSpool::from_draws(
                &(0..draws)
                    .map(|d| DrawSummary {
                        draw: d,
                        scenario: (d % 2) as u32,
                        values: vec![d as f64; 1],
                        path: vec![1; 64],
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
            extras: None,
            bundle: None,
            aggregates: json!({}),
            timings: json!({}),
        }
    }

    fn store_with(seeds_draws: &[(u64, u64)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path().join("runs.sqlite")).unwrap();
        for &(seed, n) in seeds_draws {
            s.save(&mut run(seed, n)).unwrap();
        }
        (dir, s)
    }

    fn draw_rows(s: &Store) -> i64 {
        s.conn
            .query_row("SELECT count(*) FROM draws", [], |r| r.get(0))
            .unwrap()
    }

    fn ids(s: &Store) -> Vec<i64> {
        s.list().unwrap().iter().map(|r| r.id.0).collect()
    }

    #[test]
    fn delete_removes_the_run_and_only_its_draws() {
        let (_d, mut s) = store_with(&[(1, 300), (2, 200), (3, 0)]);
        let r = s.delete_run(RunRef::Id(RunId(1))).unwrap();
        assert_eq!(r.runs, [RunId(1)]);
        assert_eq!(r.draws, 300);
        assert!(r.bytes_freed > 0, "{r:?}");
        assert_eq!(ids(&s), [2, 3]);
        assert_eq!(draw_rows(&s), 200);
        assert_eq!(s.draws(RunRef::Id(RunId(2))).unwrap().len(), 200);
        assert_eq!(s.integrity_check().unwrap(), ["ok"]);
        // Ids are not reused.
        assert_eq!(s.save(&mut run(4, 1)).unwrap(), RunId(4));
    }

    #[test]
    fn delete_of_an_unknown_run_removes_nothing() {
        let (_d, mut s) = store_with(&[(1, 10)]);
        let e = s.delete_run(RunRef::Id(RunId(7))).unwrap_err();
        assert!(matches!(e, StoreError::NoSuchRun { id: 7, .. }), "{e}");
        assert_eq!(ids(&s), [1]);
        assert_eq!(draw_rows(&s), 10);
        // The failed attempt left no transaction open: the store still takes runs.
        assert!(s.conn.is_autocommit());
        s.save(&mut run(2, 1)).unwrap();
    }

    #[test]
    fn delete_latest_takes_the_newest_run() {
        let (_d, mut s) = store_with(&[(1, 5), (2, 5)]);
        assert_eq!(s.delete_run(RunRef::Latest).unwrap().runs, [RunId(2)]);
        assert_eq!(ids(&s), [1]);
    }

    #[test]
    fn prune_keeps_the_most_recent_runs() {
        let (_d, mut s) = store_with(&[(1, 3), (2, 4), (3, 5), (4, 6)]);
        let r = s.prune(2).unwrap();
        assert_eq!(r.runs, [RunId(1), RunId(2)]);
        assert_eq!(r.draws, 7);
        assert_eq!(ids(&s), [3, 4]);
        assert_eq!(draw_rows(&s), 11);
        // Nothing more to prune.
        let r = s.prune(2).unwrap();
        assert!(
            r.runs.is_empty() && r.draws == 0 && r.bytes_freed == 0,
            "{r:?}"
        );
        assert_eq!(s.prune(u64::MAX).unwrap().runs, []);
        // Keep 0 empties the store.
        assert_eq!(s.prune(0).unwrap().runs, [RunId(3), RunId(4)]);
        assert_eq!((ids(&s).len(), draw_rows(&s)), (0, 0));
        assert_eq!(s.integrity_check().unwrap(), ["ok"]);
    }
}
