//! Structure-aware fuzzing of every parser and importer, on stable Rust (issue 17): each file of
//! `tests/reliability/`, every reference table and game of `tests/fixtures/`, and the default
//! case are seeds; proptest mutates them the way inputs go wrong (lines deleted, duplicated or
//! swapped, numbers replaced by extreme values, quotes, brackets, carriage returns and long runs
//! inserted) and feeds each mutant to the reader of its kind: `.toml` to the case loader (which
//! validates), `.csv`/`.tsv` to the three table importers, `.efg` to the Gambit reader. No
//! mutant may panic. The runner's random stream is fixed, so every run tries the same inputs;
//! the count tried is printed (`cargo test --test fuzz -- --nocapture`). A longer run for
//! release checks: `LEVERAGE_FUZZ_CASES=2000 cargo test --release --test fuzz -- --nocapture`.

use leverage_case::import::{Format, import};
use leverage_games::Game;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Values that have broken parsers before, or that sit at the edges of what they accept.
const EXTREMES: &[&str] = &[
    "-1",
    "0",
    "150",
    "1e308",
    "1.797e308",
    "-0",
    "NaN",
    "inf",
    "",
    "\"",
    "[[",
    "]]",
    "{",
    "}",
    "\r",
    "\r\n",
    "999999999999999999999999",
    "0.0000000000000000001",
    ";",
    "\t",
    ",,,",
    "=",
    "\u{feff}",
    "é",
    "1/0",
    "10888888888888.8888888",
];

#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceNumber(usize, usize),
    Insert(usize, usize),
    LongRun(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let n = EXTREMES.len();
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), 0..n).prop_map(|(a, b)| Edit::ReplaceNumber(a, b)),
        (any::<usize>(), 0..n).prop_map(|(a, b)| Edit::Insert(a, b)),
        (any::<usize>(), 1usize..5000).prop_map(|(a, b)| Edit::LongRun(a, b)),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match *e {
            Edit::DeleteLine(i) if lines.len() > 1 => {
                lines.remove(i % n);
            }
            Edit::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::SwapLines(a, b) => lines.swap(a % n, b % n),
            Edit::ReplaceNumber(i, v) => {
                // The first number on a line after the i-th that has one.
                let start = i % n;
                if let Some(k) = (0..n)
                    .map(|d| (start + d) % n)
                    .find(|&k| lines[k].bytes().any(|b| b.is_ascii_digit()))
                {
                    let l = &lines[k];
                    let a = l.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
                    let b = l[a..]
                        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                        .map_or(l.len(), |e| a + e);
                    lines[k] = format!("{}{}{}", &l[..a], EXTREMES[v], &l[b..]);
                }
            }
            Edit::Insert(i, v) => {
                let l = &mut lines[i % n];
                let at = (i / n) % (l.len() + 1);
                if l.is_char_boundary(at) {
                    l.insert_str(at, EXTREMES[v]);
                }
            }
            Edit::LongRun(i, len) => {
                let l = &mut lines[i % n];
                l.push_str(&"9".repeat(len));
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Feeds one input to the reader of its kind; panics propagate and fail the test.
fn read(name: &str, text: &str) {
    if name.ends_with(".toml") {
        let _ = leverage_case::load(name, text, &leverage_case::NoFiles);
    } else if name.ends_with(".efg") {
        let _ = Game::from_efg(text);
    } else {
        for f in [Format::EuTable, Format::Ktab, Format::Deu] {
            let _ = import(name, text, f);
        }
    }
}

fn seeds() -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in [
        "tests/reliability",
        "tests/fixtures/eu",
        "tests/fixtures/ktab",
        "tests/fixtures/deu",
        "tests/fixtures/games/efg",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("toml" | "csv" | "tsv" | "efg")
                )
            })
            .collect();
        files.sort();
        for p in files {
            let bytes = std::fs::read(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            out.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out.push((
        "belarus-russia-2019.toml".into(),
        leverage_case::default_case_text().unwrap().to_string(),
    ));
    out
}

#[test]
fn no_mutant_of_any_seed_panics() {
    let per_seed: u32 = std::env::var("LEVERAGE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let mut tried = 0usize;
    let seeds = seeds();
    assert!(seeds.len() > 30, "{} seeds", seeds.len());
    for (name, text) in &seeds {
        // Large seeds are slow to validate: fewer mutants (each still a whole-file read).
        let cases = if text.len() > 100_000 {
            (per_seed / 8).max(1)
        } else {
            per_seed
        };
        read(name, text);
        tried += 1;
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let count = std::cell::Cell::new(0usize);
        runner
            .run(&proptest::collection::vec(edit(), 1..6), |edits| {
                read(name, &mutate(text, &edits));
                count.set(count.get() + 1);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        tried += count.get();
    }
    println!("fuzz: {tried} inputs tried from {} seeds", seeds.len());
}
