//! Round trips, diff, `latest`, missing ids and foreign files through the public API.

use std::path::PathBuf;

use leverage_store::{
    ChangeKind, DrawSpool, DrawSummary, MAX_DRAW_INDEX, NewRun, RunId, RunMeta, RunRef,
    SCHEMA_VERSION, Store, StoreError, save_elsewhere,
};
use serde_json::json;

fn meta(seed: u64, keep_draws: bool) -> RunMeta {
    RunMeta {
        case_id: "default".into(),
        case_hash: "0123456789abcdef0123456789abcdef".into(),
        case_title: "Patron and client, 2020–2025".into(),
        parameters: json!({"oil": {"price": 70.0, "shock_p": 0.2}, "years": [2020, 2025], "name": "x"}),
        seed,
        n_draws: 3,
        threads: 2,
        version: "0.1.0".into(),
        command_line: vec![
            "leverage".into(),
            "simulate".into(),
            "-n".into(),
            "3".into(),
        ],
        started_unix_ms: 1_735_689_600_000,
        scenarios: vec!["status_quo".into(), "integration".into()],
        value_names: vec!["subsidy_pct_gdp".into(), "position_a".into()],
        keep_draws,
    }
}

fn draws() -> Vec<DrawSummary> {
    vec![
        DrawSummary {
            draw: 0,
            scenario: 0,
            values: vec![1.5, -0.0],
            path: vec![0, 1, 2, 255],
        },
        DrawSummary {
            draw: 1,
            scenario: 1,
            values: vec![f64::NAN, f64::INFINITY],
            path: Vec::new(),
        },
        DrawSummary {
            draw: MAX_DRAW_INDEX,
            scenario: 0,
            values: vec![f64::MIN_POSITIVE, 1e300],
            path: vec![7],
        },
    ]
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("runs.sqlite");
    (dir, path)
}

fn bits(d: &[DrawSummary]) -> Vec<(u64, u32, Vec<u64>)> {
    d.iter()
        .map(|d| {
            (
                d.draw,
                d.scenario,
                d.values.iter().map(|v| v.to_bits()).collect(),
            )
        })
        .collect()
}

#[test]
fn round_trip_meta_aggregates_and_draws() {
    let (_d, path) = tmp();
    let aggregates = json!({"p": {"status_quo": [0.5, 0.25], "integration": [0.5, 0.75]}});
    let timings = json!({"sample_s": 0.125, "total_s": 1.5});
    let m = meta(u64::MAX, true);
    let id = {
        let mut store = Store::open(&path).unwrap();
        store.save_run(&m, &draws(), &aggregates, &timings).unwrap()
    };
    assert_eq!(id, RunId(1));
    let store = Store::open_existing(&path).unwrap();
    let run = store.show(RunRef::Id(id)).unwrap();
    // The metadata reads back whole (`keep_draws` as `draws_stored > 0`).
    assert_eq!(run.meta, m);
    assert_eq!(run.meta.seed, u64::MAX);
    assert_eq!(run.created, "2025-01-01T00:00:00Z");
    assert_eq!(run.draws_stored, 3);
    assert_eq!(run.aggregates, aggregates);
    assert_eq!(run.timings, timings);
    assert!(run.finished_unix_ms >= run.meta.started_unix_ms);
    // Draws come back bit for bit (NaN, −0.0, ∞), in draw order.
    let got = store.draws(RunRef::Latest).unwrap();
    assert_eq!(bits(&got), bits(&draws()));

    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, id);
    assert_eq!(list[0].case_hash_short, "0123456789ab");
    assert_eq!(list[0].seed, u64::MAX);
    assert_eq!(list[0].n_draws, 3);
    assert_eq!(list[0].draws_stored, 3);

    let export = store.export(RunRef::Id(id)).unwrap();
    assert_eq!(
        export.csv_header(),
        ["draw", "scenario", "subsidy_pct_gdp", "position_a"]
    );
    assert_eq!(export.draws[1].scenario, "integration");
    assert_eq!(
        export.draws[1].csv_fields(),
        ["1", "integration", "NaN", "inf"]
    );
    let j = serde_json::to_value(&export).unwrap();
    assert_eq!(j["draws"][1]["values"], json!([null, null]));
    assert_eq!(j["run"]["id"], json!(1));
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn run_json_is_flat_with_its_keys_in_order() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let id = store
        .save_run(&meta(7, true), &draws(), &json!({"n": 3}), &json!({"s": 1}))
        .unwrap();
    let run = store.show(id.into()).unwrap();
    let keys = [
        "id",
        "created",
        "started_unix_ms",
        "finished_unix_ms",
        "duration_s",
        "case_id",
        "case_hash",
        "case_title",
        "parameters",
        "seed",
        "n_draws",
        "threads",
        "version",
        "command_line",
        "scenarios",
        "value_names",
        "draws_stored",
        "timings",
        "aggregates",
    ];
    let v = serde_json::to_value(&run).unwrap();
    let mut got: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = keys.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "no `meta` object and no `keep_draws`");
    assert_eq!(v["seed"], json!(7));
    assert_eq!(v["started_unix_ms"], json!(1_735_689_600_000_i64));
    // The keys come in the documented order (none of them occurs inside the nested values).
    let text = serde_json::to_string(&run).unwrap();
    let at: Vec<usize> = keys
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    // The export holds the same object under `run`.
    let export = serde_json::to_value(store.export(id.into()).unwrap()).unwrap();
    assert_eq!(export["run"], v);
}

#[test]
fn run_without_draw_rows() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let m = meta(1, false);
    let mut w = store.begin_run(&m).unwrap();
    for d in draws() {
        w.push_draw(&d).unwrap();
    }
    assert_eq!(w.pushed(), 3);
    let id = w.finish(&json!({"n": 3}), &json!({})).unwrap();
    let run = store.show(id.into()).unwrap();
    assert_eq!(run.draws_stored, 0);
    assert_eq!(run.meta, m);
    assert!(store.draws(id.into()).unwrap().is_empty());
    assert!(store.export(id.into()).unwrap().draws.is_empty());
}

#[test]
fn dropped_or_aborted_writer_leaves_nothing() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let m = meta(1, true);
    {
        let mut w = store.begin_run(&m).unwrap();
        w.push_draws(&draws()).unwrap();
    }
    assert!(store.list().unwrap().is_empty());
    let mut w = store.begin_run(&m).unwrap();
    w.push_draws(&draws()).unwrap();
    w.abort().unwrap();
    assert!(store.list().unwrap().is_empty());
    // The store still works and no orphan draw rows remain under the reused id.
    let id = store
        .save_run(&m, &draws()[..1], &json!(null), &json!(null))
        .unwrap();
    assert_eq!(store.draws(id.into()).unwrap().len(), 1);
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn bad_draws_are_rejected_with_clear_errors() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let m = meta(1, true);
    let mut w = store.begin_run(&m).unwrap();
    let e = w.push(0, 0, &[1.0]).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::DrawShape {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("subsidy_pct_gdp, position_a"), "{e}");
    let e = w.push(0, 2, &[1.0, 2.0]).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::ScenarioIndex {
                index: 2,
                count: 2,
                ..
            }
        ),
        "{e}"
    );
    w.push(7, 0, &[1.0, 2.0]).unwrap();
    let e = w.push(7, 1, &[1.0, 2.0]).unwrap_err();
    assert!(matches!(e, StoreError::DuplicateDraw { draw: 7 }), "{e}");
    let e = w.push(MAX_DRAW_INDEX + 1, 0, &[1.0, 2.0]).unwrap_err();
    assert!(matches!(e, StoreError::DrawIndex { .. }), "{e}");
}

#[test]
fn latest_and_missing_ids() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let e = store.show(RunRef::Latest).unwrap_err();
    assert!(matches!(e, StoreError::NoRuns { .. }), "{e}");
    let a = store
        .save_run(&meta(1, true), &draws(), &json!({}), &json!({}))
        .unwrap();
    let b = store
        .save_run(&meta(2, false), &[], &json!({}), &json!({}))
        .unwrap();
    assert_eq!((a, b), (RunId(1), RunId(2)));
    assert_eq!(store.resolve(RunRef::Latest).unwrap(), b);
    assert_eq!(store.show("latest".parse().unwrap()).unwrap().meta.seed, 2);
    assert_eq!("1".parse::<RunRef>().unwrap(), RunRef::Id(RunId(1)));
    for bad in ["0", "-3", "abc", "", "1.5"] {
        assert!(
            matches!(bad.parse::<RunRef>(), Err(StoreError::BadRunRef(_))),
            "{bad}"
        );
    }
    let e = store.show(RunRef::Id(RunId(42))).unwrap_err();
    assert!(matches!(e, StoreError::NoSuchRun { id: 42, .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("42") && msg.contains("runs.sqlite") && msg.contains("leverage runs list"),
        "{msg}"
    );
    assert!(matches!(
        store.draws(RunRef::Id(RunId(42))),
        Err(StoreError::NoSuchRun { .. })
    ));
    assert!(matches!(
        store.diff(RunRef::Id(RunId(1)), RunRef::Id(RunId(9))),
        Err(StoreError::NoSuchRun { id: 9, .. })
    ));
}

#[test]
fn diff_meta_parameters_and_aggregates() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let ma = meta(1, false);
    let mut mb = meta(2, false);
    mb.case_hash = "ffff".into();
    mb.n_draws = 10;
    mb.version = "0.2.0".into();
    mb.parameters =
        json!({"oil": {"price": 55.0, "shock_p": 0.2}, "years": [2020, 2026], "extra": 1});
    let a = store
        .save_run(
            &ma,
            &[],
            &json!({"p": {"sq": [0.5, 0.25], "int": 0.1}, "label": "a"}),
            &json!({}),
        )
        .unwrap();
    let b = store
        .save_run(
            &mb,
            &[],
            &json!({"p": {"sq": [0.75, 0.25], "new": 1}, "label": "b"}),
            &json!({}),
        )
        .unwrap();
    let d = store.diff(a.into(), b.into()).unwrap();
    assert_eq!((d.a, d.b), (a, b));
    let fields: Vec<&str> = d.meta.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["case_hash", "seed", "n_draws", "version"]);
    assert_eq!(d.meta[0].b, json!("ffff"));
    let params: Vec<(&str, ChangeKind)> = d
        .parameters
        .iter()
        .map(|p| (p.path.as_str(), p.kind))
        .collect();
    assert_eq!(
        params,
        [
            ("/extra", ChangeKind::Added),
            ("/name", ChangeKind::Removed),
            ("/oil/price", ChangeKind::Changed),
            ("/years", ChangeKind::Changed),
        ]
    );
    assert_eq!(d.parameters[2].old, Some(json!(70.0)));
    assert_eq!(d.parameters[2].new, Some(json!(55.0)));
    let aggs: Vec<(&str, f64)> = d
        .aggregates
        .iter()
        .map(|x| (x.path.as_str(), x.delta))
        .collect();
    assert_eq!(aggs, [("/p/sq/0", 0.25), ("/p/sq/1", 0.0)]);
    assert_eq!(d.changed_aggregates().count(), 1);
    assert_eq!(d.aggregates_only_in_a, ["/p/int"]);
    assert_eq!(d.aggregates_only_in_b, ["/p/new"]);
    assert!(!d.is_empty());
    // A run compared with itself has no differences.
    assert!(store.diff(a.into(), a.into()).unwrap().is_empty());
    serde_json::to_string(&d).unwrap();
}

#[test]
fn text_file_is_not_a_store_and_is_left_untouched() {
    let (_d, path) = tmp();
    let text = "these are my notes, not a database\n".repeat(100);
    std::fs::write(&path, &text).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::NotAStore { .. }), "{e:?}");
    assert!(
        e.to_string().contains("runs.sqlite") && e.to_string().contains("not a leverage run store"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn other_sqlite_database_is_not_a_store_and_is_left_untouched() {
    let (_d, path) = tmp();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('ann');",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::NotAStore { .. }), "{e:?}");
    assert!(e.to_string().contains("customers"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!path.with_extension("sqlite-wal").exists());

    let other = path.with_file_name("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.pragma_update(None, "application_id", 1234).unwrap();
    }
    let e = Store::open(&other).unwrap_err();
    assert!(e.to_string().contains("another application"), "{e}");
}

#[test]
fn newer_schema_gives_a_clear_error() {
    let (_d, path) = tmp();
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::NewerSchema {
                found: 3,
                supported: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("newer"), "{e}");
}

/// A store written by the version-1 schema (no `runs.extras`, no `draws.path`) opens, gains the
/// columns in one step, and keeps its runs and draws as they were.
#[test]
fn a_version_one_store_is_migrated() {
    let (_d, path) = tmp();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, started_ms INTEGER NOT NULL,
                finished_ms INTEGER NOT NULL, case_id TEXT NOT NULL, case_hash TEXT NOT NULL,
                case_title TEXT NOT NULL, parameters TEXT NOT NULL, seed INTEGER NOT NULL,
                n_draws INTEGER NOT NULL, threads INTEGER NOT NULL, version TEXT NOT NULL,
                command_line TEXT NOT NULL, scenarios TEXT NOT NULL, value_names TEXT NOT NULL,
                draws_stored INTEGER NOT NULL, timings TEXT NOT NULL, aggregates TEXT NOT NULL);
             CREATE TABLE draws (key INTEGER PRIMARY KEY, scenario INTEGER NOT NULL,
                vals BLOB NOT NULL);
             INSERT INTO runs VALUES (1, 1000, 2000, 'c', 'h', 't', '{}', 5, 1, 1, '0.1',
                '[]', '[\"a\"]', '[\"x\"]', 1, '{}', '{\"n\": 1}');
             INSERT INTO draws VALUES (1 << 40, 0, X'000000000000F03F');",
        )
        .unwrap();
        c.pragma_update(None, "application_id", leverage_store::APPLICATION_ID)
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let run = store.show(RunRef::Id(RunId(1))).unwrap();
    assert_eq!(run.aggregates, json!({"n": 1}));
    assert_eq!(run.extras, json!({}));
    let d = store.draws(RunRef::Id(RunId(1))).unwrap();
    assert_eq!(d[0].values, vec![1.0]);
    assert!(d[0].path.is_empty());
    drop(store);
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
}

#[test]
fn missing_file_and_missing_directory() {
    let (_d, path) = tmp();
    let e = Store::open_existing(&path).unwrap_err();
    assert!(matches!(e, StoreError::Missing { .. }), "{e}");
    assert!(!path.exists());
    let e = Store::open(path.join("no/such/dir/runs.sqlite")).unwrap_err();
    assert!(matches!(e, StoreError::Open { .. }), "{e}");
    // A directory is not a store either.
    let e = Store::open(path.parent().unwrap()).unwrap_err();
    assert!(
        e.to_string().contains("cannot open") || e.to_string().contains("not a leverage"),
        "{e}"
    );
}

#[test]
fn readers_see_committed_runs_while_a_run_is_being_written() {
    let (_d, path) = tmp();
    let mut writer_store = Store::open(&path).unwrap();
    writer_store
        .save_run(&meta(1, true), &draws(), &json!({}), &json!({}))
        .unwrap();
    let m = meta(2, true);
    let mut w = writer_store.begin_run(&m).unwrap();
    for i in 0..50_000u64 {
        w.push(i, 0, &[i as f64, 0.0]).unwrap();
    }
    let reader = Store::open_existing(&path).unwrap();
    assert_eq!(reader.list().unwrap().len(), 1);
    w.finish(&json!({}), &json!({})).unwrap();
    assert_eq!(reader.list().unwrap().len(), 2);
}

#[test]
fn draws_pushed_out_of_order_read_back_in_order_and_runs_do_not_mix() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).unwrap();
    let m = meta(1, true);
    let mut w = store.begin_run(&m).unwrap();
    for i in [5u64, 0, 3, MAX_DRAW_INDEX, 1] {
        w.push(i, 1, &[i as f64, 0.0]).unwrap();
    }
    let a = w.finish(&json!({}), &json!({})).unwrap();
    let b = store
        .save_run(&m, &draws()[..2], &json!({}), &json!({}))
        .unwrap();
    let got: Vec<u64> = store
        .draws(a.into())
        .unwrap()
        .iter()
        .map(|d| d.draw)
        .collect();
    assert_eq!(got, [0, 1, 3, 5, MAX_DRAW_INDEX]);
    assert_eq!(store.draws(b.into()).unwrap().len(), 2);
    drop(store);
    // The view for the sqlite3 shell splits the key back into run and draw.
    let c = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM draw_rows WHERE run_id = 1 AND draw IN (0, 5)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}

fn new_run(seed: u64) -> NewRun {
    NewRun {
        meta: meta(seed, true),
        draws: DrawSpool::from_draws(&draws()).unwrap(),
        extras: None,
        bundle: None,
        aggregates: json!({"p": seed}),
        timings: json!({}),
    }
}

/// Issue 17: six writers on a store that did not exist lost runs, some told the file "is not a
/// leverage run store" (the header was read outside a transaction while another process
/// created the schema). Each writer here opens its own connection at the same moment.
#[test]
fn writers_creating_a_new_store_at_once_all_save() {
    for round in 0..5 {
        let (_d, path) = tmp();
        let start = std::sync::Barrier::new(6);
        std::thread::scope(|s| {
            for w in 0..6u64 {
                let (path, start) = (&path, &start);
                s.spawn(move || {
                    start.wait();
                    let mut store =
                        Store::open(path).unwrap_or_else(|e| panic!("round {round}: {e}"));
                    store
                        .save(&mut new_run(w))
                        .unwrap_or_else(|e| panic!("round {round}: {e}"));
                });
            }
        });
        let store = Store::open_read_only(&path).unwrap();
        assert_eq!(store.list().unwrap().len(), 6, "round {round}");
        assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    }
}

/// `save` waits for a writer that holds the lock longer than the busy timeout, and retries.
#[test]
fn save_retries_while_another_writer_holds_the_lock() {
    let (_d, path) = tmp();
    let mut first = Store::open(&path).unwrap();
    let mut second = Store::open(&path).unwrap();
    let held = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut w = first.begin_run(&meta(1, true)).unwrap();
            w.push_draws(&draws()).unwrap();
            held.wait();
            // Longer than one busy timeout (5 s): a single attempt would fail.
            std::thread::sleep(std::time::Duration::from_secs(7));
            w.finish(&json!({}), &json!({})).unwrap();
        });
        held.wait();
        second
            .save(&mut new_run(2))
            .expect("saved after the first writer");
    });
    assert_eq!(
        Store::open_read_only(&path).unwrap().list().unwrap().len(),
        2
    );
}

/// A store the user may only read can be listed (every open used to be read-write).
#[test]
fn a_read_only_store_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let (d, path) = tmp();
    Store::open(&path).unwrap().save(&mut new_run(1)).unwrap();
    for p in [
        &path,
        &path.with_extension("sqlite-wal"),
        &path.with_extension("sqlite-shm"),
    ] {
        if p.exists() {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let opened = Store::open_read_only(&path);
    let listed = opened
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|s| s.list().map_err(|e| e.to_string()));
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(listed.unwrap().len(), 1);
    // Read-only whatever the permissions (root may write anything): saving is refused.
    assert!(opened.unwrap().save(&mut new_run(2)).is_err());
}

/// A run that cannot be saved where it was meant to go is saved in a file of its own.
#[test]
fn save_elsewhere_keeps_the_run() {
    let (d, _) = tmp();
    let target = d.path().join("not-a-store.sqlite");
    std::fs::write(&target, "plain text").unwrap();
    assert!(Store::open(&target).is_err());
    let file = save_elsewhere(&mut new_run(7), &target).unwrap();
    assert!(file.starts_with(d.path()), "{}", file.display());
    let runs = Store::open_read_only(&file).unwrap().list().unwrap();
    assert_eq!(runs.len(), 1);
}
