//! The run store under concurrent `leverage` processes (issue 17): a run is computed first and
//! saved in one short transaction, so concurrent simulations are all saved; a store being
//! created by several processes at once is created once; the read-only commands read while a
//! run is saved.

use std::path::Path;
use std::process::{Child, Command, Stdio};

fn leverage(args: &[&str], dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(c: Child) -> String {
    let o = c.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "exit {:?}:\n{err}", o.status.code());
    err
}

fn runs_in(store: &str, dir: &Path) -> Vec<serde_json::Value> {
    let o = Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(["runs", "list", "--store", store, "--output", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Two simulations saving into one store: each takes longer than the store's 5 s busy timeout
/// (one thread each, 60 000 draws), so holding the write lock for the whole simulation (as the
/// store did) made one of them fail unsaved. Issue 17 asks for 400 000 draws a run; fewer keep
/// the test under a minute in a debug build, and the overlap is what matters.
#[test]
fn two_concurrent_simulations_are_both_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.sqlite").display().to_string();
    let sim = |seed: &str| {
        leverage(
            &[
                "simulate",
                "-n",
                "60000",
                "--threads",
                "1",
                "--seed",
                seed,
                "--store",
                &store,
            ],
            dir.path(),
        )
    };
    let (a, b) = (sim("1"), sim("2"));
    // A reader meanwhile (read-only, so it takes no lock) once the store exists.
    while !Path::new(&store).exists() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        runs_in(&store, dir.path()).len(),
        0,
        "nothing saved before the end"
    );
    for e in [finish(a), finish(b)] {
        assert!(e.contains("saved as run"), "{e}");
    }
    let runs = runs_in(&store, dir.path());
    assert_eq!(runs.len(), 2, "{runs:?}");
    let mut seeds: Vec<u64> = runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect();
    seeds.sort();
    assert_eq!(seeds, [1, 2]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("unsaved"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `pairs` pairs of simulations of `draws` draws each (one thread each), the two of a pair
/// started together, all saving into one store: every run is saved, once, with its seed.
fn concurrent_pairs(pairs: u64, draws: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.sqlite").display().to_string();
    for pair in 0..pairs {
        let sim = |seed: u64| {
            let seed = seed.to_string();
            leverage(
                &[
                    "simulate",
                    "-n",
                    draws,
                    "--threads",
                    "1",
                    "--seed",
                    &seed,
                    "--store",
                    &store,
                ],
                dir.path(),
            )
        };
        let (a, b) = (sim(100 + 2 * pair), sim(101 + 2 * pair));
        for e in [finish(a), finish(b)] {
            assert!(e.contains("saved as run"), "pair {pair}: {e}");
        }
    }
    let runs = runs_in(&store, dir.path());
    let mut seeds: Vec<u64> = runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect();
    seeds.sort();
    let expected: Vec<u64> = (100..100 + 2 * pairs).collect();
    assert_eq!(seeds, expected, "{runs:?}");
}

/// Ten pairs of concurrent simulations into one store: all twenty saved. Short runs, so that
/// the two saves of a pair often meet and the busy timeout and retries are exercised.
#[test]
fn ten_pairs_of_concurrent_simulations_are_all_saved() {
    concurrent_pairs(10, "3000");
}

/// Issue 17's acceptance as it is written: ten pairs of concurrent 400 000-draw runs, twenty
/// saved. Over seven minutes in a test build, about three in release, so `scripts/test` runs
/// it as a release check: `cargo test --release --test store -- --ignored`.
#[test]
#[ignore = "release check: cargo test --release --test store -- --ignored"]
fn ten_pairs_of_400000_draw_simulations_are_all_saved() {
    concurrent_pairs(10, "400000");
}

/// Six processes saving into a store that does not exist yet: all six runs saved (7 of 180
/// were lost, some with "is not a leverage run store").
#[test]
fn writers_creating_a_new_store_at_once_are_all_saved() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("new.sqlite").display().to_string();
        let children: Vec<Child> = (0..6)
            .map(|i| {
                let seed = (10 + i).to_string();
                leverage(
                    &[
                        "simulate",
                        "-n",
                        "50",
                        "--threads",
                        "1",
                        "--seed",
                        &seed,
                        "--store",
                        &store,
                    ],
                    dir.path(),
                )
            })
            .collect();
        for c in children {
            finish(c);
        }
        assert_eq!(runs_in(&store, dir.path()).len(), 6, "round {round}");
    }
}
