//! A process killed (SIGKILL) in the middle of saving a run leaves the store sound, with every
//! earlier run whole and no trace of the killed one.
//!
//! The test re-executes its own binary with `LEVERAGE_STORE_KILL_CHILD` set; the child saves one
//! complete run, begins a second, pushes draws forever and writes a marker file once it has
//! pushed enough for SQLite to have spilled uncommitted pages to the log; the parent then kills
//! it and inspects the store.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use leverage_store::{RunMeta, RunRef, Store};
use serde_json::json;

const CHILD_ENV: &str = "LEVERAGE_STORE_KILL_CHILD";
const FIRST_RUN_DRAWS: u64 = 10_000;
const PUSHED_BEFORE_MARKER: u64 = 200_000;

fn meta(seed: u64) -> RunMeta {
    RunMeta {
        case_id: "default".into(),
        case_hash: "abc123".into(),
        case_title: "kill test".into(),
        parameters: json!({"seed": seed}),
        seed,
        n_draws: u64::MAX,
        threads: 1,
        version: "test".into(),
        command_line: vec!["kill".into()],
        started_unix_ms: 0,
        scenarios: vec!["a".into(), "b".into(), "c".into()],
        value_names: vec!["x".into(), "y".into(), "z".into()],
        keep_draws: true,
    }
}

fn values(i: u64) -> [f64; 3] {
    [i as f64, (i as f64).sqrt(), -(i as f64) / 7.0]
}

/// The child: one whole run, then a run that never ends.
fn child(dir: &Path) -> ! {
    let mut store = Store::open(dir.join("runs.sqlite")).expect("child: open");
    let mut m = meta(1);
    m.n_draws = FIRST_RUN_DRAWS;
    let mut w = store.begin_run(&m).expect("child: begin 1");
    for i in 0..FIRST_RUN_DRAWS {
        w.push(i, (i % 3) as u32, &values(i))
            .expect("child: push 1");
    }
    w.finish(&json!({"p": [0.5]}), &json!({"total_s": 1.0}))
        .expect("child: finish 1");
    let m2 = meta(2);
    let mut w = store.begin_run(&m2).expect("child: begin 2");
    let mut i = 0u64;
    loop {
        w.push(i, (i % 3) as u32, &values(i))
            .expect("child: push 2");
        i += 1;
        if i == PUSHED_BEFORE_MARKER {
            std::fs::write(dir.join("marker"), b"pushed").expect("child: marker");
        }
        if i > PUSHED_BEFORE_MARKER && i % 10_000 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

#[test]
fn killed_writer_leaves_earlier_runs_whole_and_nothing_else() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child(Path::new(&dir));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = tmp.path().to_path_buf();
    let exe = std::env::current_exe().expect("current_exe");
    let mut kid = Command::new(exe)
        .args([
            "killed_writer_leaves_earlier_runs_whole_and_nothing_else",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    let marker = dir.join("marker");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = kid.try_wait().expect("try_wait") {
            panic!("the child exited before the marker: {status}");
        }
        assert!(Instant::now() < deadline, "no marker after 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Uncommitted pages of the second run are on disk in the log now.
    let wal = std::fs::metadata(dir.join("runs.sqlite-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    kid.kill().expect("kill"); // SIGKILL on Unix
    let status = kid.wait().expect("wait");
    assert!(
        !status.success(),
        "the child was killed, not finished: {status}"
    );
    assert!(
        wal > 1_000_000,
        "the log holds {wal} bytes: the kill did not hit a big open transaction"
    );

    let store = Store::open_existing(dir.join("runs.sqlite")).expect("reopen");
    assert_eq!(store.integrity_check().expect("integrity"), ["ok"]);
    let runs = store.list().expect("list");
    assert_eq!(runs.len(), 1, "only the finished run: {runs:?}");
    assert_eq!(runs[0].seed, 1);
    assert_eq!(runs[0].draws_stored, FIRST_RUN_DRAWS);
    let run = store.show(RunRef::Latest).expect("show");
    assert_eq!(run.aggregates, json!({"p": [0.5]}));
    let draws = store.draws(RunRef::Latest).expect("draws");
    assert_eq!(draws.len() as u64, FIRST_RUN_DRAWS);
    for (i, d) in draws.iter().enumerate() {
        let i = i as u64;
        assert_eq!((d.draw, d.scenario), (i, (i % 3) as u32));
        assert_eq!(d.values, values(i));
    }
    // No orphan rows of the killed run, and the store takes new runs.
    drop(store);
    let mut store = Store::open(dir.join("runs.sqlite")).expect("reopen rw");
    let id = store
        .save_run(&meta(3), &[], &json!({}), &json!({}))
        .expect("save after kill");
    assert!(store.draws(id.into()).expect("draws").is_empty());
    assert_eq!(store.list().expect("list").len(), 2);
}
