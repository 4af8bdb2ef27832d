//! A structure-aware mutation fuzzer over every reader of user files, run as a test.
//!
//! The seed corpus is the project's own inputs: the regression inputs of `tests/reliability/`
//! (each once broke a command), the valid, broken and simulation cases of `tests/cases/`, the
//! case library (`cases/`, with its outcomes files), the evidence example, the EU, KTAB and DEU
//! tables of `tests/fixtures/`, the reference games, and every crasher kept in
//! `tests/fuzz/crashers/`. Each input tried is a seed with one to four mutations that know the
//! formats: numbers replaced by extreme or out-of-range values, lines deleted, duplicated,
//! swapped or spliced in from another file, carriage returns, long lines, deep nesting, stray
//! quotes and brackets, random bytes, truncation.
//!
//! In process, every input goes through the parsers of its kind, and what parses is held to
//! the promises the commands rely on:
//! - a case (`leverage_sim::links::load`, as every front end loads one; also the outcomes and
//!   evidence parsers) never panics; one that loads is written back (`to_toml`) and loads again;
//! - a table, in each of the three import layouts, never panics; one that imports is a case that
//!   validates (a user's mistake must be caught, located in the user's file, by the importer);
//! - a game (`.efg`) never panics; one that parses is written back and parses again to the same
//!   text, and a small perfect-information one is solved with finite payoffs.
//!
//! Then a sample of mutated cases and tables goes through the binary (`case validate`,
//! `forecast --table`): exit code 0 or 1 only, never a panic, within 5 s each.
//!
//! A watchdog aborts the run if one input takes more than 20 s, after saving it. Any input that
//! fails is saved under `target/fuzz-failures/` and named in the failure; keep it in
//! `tests/fuzz/crashers/` with its fix. The number of inputs tried is printed, and written to
//! `target/tmp/fuzz-summary.txt`, which `scripts/test` shows.
//!
//! Knobs (environment): `LEVERAGE_FUZZ_SEED` (default 1), `LEVERAGE_FUZZ_INPUTS` (in-process
//! inputs, default 10 000), `LEVERAGE_FUZZ_SECS` (a time cap on the in-process phase, default
//! 90), `LEVERAGE_FUZZ_CLI` (inputs through the binary, default 150). The release check runs
//! `LEVERAGE_FUZZ_INPUTS=2000000 LEVERAGE_FUZZ_SECS=3600 LEVERAGE_FUZZ_CLI=3000 cargo test
//! --release --test fuzz -- --nocapture` with a few seeds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use leverage_case::import::{self, Format};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What kind of input a seed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Case,
    Table,
    Game,
}

struct Seed {
    name: String,
    kind: Kind,
    /// The folder data files of a case are read from.
    dir: PathBuf,
    bytes: Vec<u8>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kind_of(path: &Path) -> Option<Kind> {
    match path.extension()?.to_str()? {
        "toml" => Some(Kind::Case),
        "csv" | "tsv" | "xml" => Some(Kind::Table),
        "efg" => Some(Kind::Game),
        _ => None,
    }
}

fn corpus() -> Vec<Seed> {
    let mut out = Vec::new();
    for dir in [
        "tests/reliability",
        "tests/cases/valid",
        "tests/cases/broken",
        "tests/cases/sim",
        "cases",
        "docs/examples",
        "tests/fixtures/eu",
        "tests/fixtures/ktab",
        "tests/fixtures/deu",
        "tests/fixtures/games/efg",
        "tests/fuzz/crashers",
    ] {
        let dir = root().join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let Some(kind) = kind_of(&f) else { continue };
            let bytes = std::fs::read(&f).unwrap();
            // The largest seeds make every mutation of them slow: keep the corpus quick.
            if bytes.len() > 300_000 {
                continue;
            }
            out.push(Seed {
                name: f.strip_prefix(root()).unwrap().display().to_string(),
                kind,
                dir: dir.clone(),
                bytes,
            });
        }
    }
    out
}

/// Values that have broken readers before, or sit on the edge of a range.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e308",
    "1.797e308",
    "-1e308",
    "1e-320",
    "150",
    "100.0000001",
    "-0.5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "9223372036854775807",
    "18446744073709551616",
    "0.1234567890123456789012345",
    "10888888888888.8888888",
    "1/0",
    "0/0",
    "2020-02-30",
    "9999-12-31",
];

/// Fragments that matter to the formats.
const TOKENS: &[&str] = &[
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ";",
    "#",
    "\\",
    "\u{feff}",
    "é",
    "\u{0}",
    "[[actor]]\n",
    "[[issue]]\n",
    "[[param]]\n",
    "[sim]\n",
    "p \"\" 1 1 ",
    "t \"\" 1 ",
];

fn random_range(rng: &mut ChaCha8Rng, len: usize) -> (usize, usize) {
    if len == 0 {
        return (0, 0);
    }
    let a = rng.random_range(0..len);
    let max = (len - a).min(4096);
    let b = a + rng.random_range(0..=max);
    (a, b)
}

/// Byte offsets of the numbers in `bytes` (runs of digits, sign, dot and exponent).
fn number_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let mut a = i;
            if a > 0 && bytes[a - 1] == b'-' {
                a -= 1;
            }
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".eE+-".contains(&bytes[i])) {
                i += 1;
            }
            spans.push((a, i));
        } else {
            i += 1;
        }
    }
    spans
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    v
}

/// A random line of `bytes` as a range.
fn random_line(rng: &mut ChaCha8Rng, bytes: &[u8]) -> (usize, usize) {
    let starts = line_starts(bytes);
    let k = rng.random_range(0..starts.len());
    let end = starts.get(k + 1).copied().unwrap_or(bytes.len());
    (starts[k], end)
}

/// One mutation of `b`; `other` is another seed of the corpus, for splicing.
fn mutate_once(rng: &mut ChaCha8Rng, b: &mut Vec<u8>, other: &[u8]) {
    match rng.random_range(0..12) {
        // An extreme value in place of a number.
        0..=2 => {
            let spans = number_spans(b);
            if let Some(&(x, y)) = spans.get(rng.random_range(0..spans.len().max(1))) {
                let n = NUMBERS[rng.random_range(0..NUMBERS.len())];
                b.splice(x..y, n.bytes());
            }
        }
        // A format token somewhere.
        3 => {
            let at = rng.random_range(0..=b.len());
            let t = TOKENS[rng.random_range(0..TOKENS.len())];
            b.splice(at..at, t.bytes());
        }
        // Delete a line, or a range.
        4 => {
            let (x, y) = if rng.random_bool(0.5) {
                random_line(rng, b)
            } else {
                random_range(rng, b.len())
            };
            b.drain(x..y);
        }
        // Duplicate a line (a repeated actor, row, key or node).
        5 => {
            let (x, y) = random_line(rng, b);
            let line = b[x..y].to_vec();
            let at = if rng.random_bool(0.5) {
                y
            } else {
                random_line(rng, b).0
            };
            b.splice(at..at, line);
        }
        // Swap two lines.
        6 => {
            let (x1, y1) = random_line(rng, b);
            let (x2, y2) = random_line(rng, b);
            if y1 <= x2 {
                let second = b[x2..y2].to_vec();
                let first = b[x1..y1].to_vec();
                b.splice(x2..y2, first);
                b.splice(x1..y1, second);
            }
        }
        // Splice in lines of another file.
        7 => {
            let (x, y) = random_line(rng, other);
            let (x2, y2) = if rng.random_bool(0.7) {
                (x, y)
            } else {
                random_range(rng, other.len())
            };
            let piece = other[x2.min(other.len())..y2.min(other.len())].to_vec();
            let at = random_line(rng, b).0;
            b.splice(at..at, piece);
        }
        // Carriage returns for line ends, or a very long line.
        8 => {
            if rng.random_bool(0.5) {
                let mut out = Vec::with_capacity(b.len() + b.len() / 20);
                for &c in b.iter() {
                    if c == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(c);
                }
                *b = out;
            } else {
                let at = random_line(rng, b).1.saturating_sub(1);
                let n = rng.random_range(1_000..200_000);
                b.splice(at..at, std::iter::repeat_n(b'9', n));
            }
        }
        // Deep nesting.
        9 => {
            let at = rng.random_range(0..=b.len());
            let depth = rng.random_range(10..3_000);
            let open = if rng.random_bool(0.5) { b'[' } else { b'{' };
            b.splice(at..at, std::iter::repeat_n(open, depth));
        }
        // Random bytes.
        10 => {
            for _ in 0..rng.random_range(1..8) {
                if b.is_empty() {
                    break;
                }
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
        }
        // Truncate.
        _ => {
            let n = rng.random_range(0..=b.len());
            b.truncate(n);
        }
    }
}

/// Data files of a mutated case: read from its seed's folder, as the command line reads them.
struct Folder<'a>(&'a Path);

impl leverage_case::DataFiles for Folder<'_> {
    fn read(&self, path: &str) -> Result<(String, String), String> {
        if path.contains("..") || path.starts_with('/') {
            return Err(format!("{path}: outside the case's folder"));
        }
        let p = self.0.join(path);
        let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", p.display()))?;
        Ok((p.display().to_string(), text))
    }
}

/// Holds one in-process input to the readers' promises; Err says which was broken.
fn check(seed: &Seed, bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        // Every reader takes text: the command line refuses other bytes before parsing.
        return Ok(());
    };
    let name = format!("fuzzed-{}", seed.name);
    match seed.kind {
        Kind::Case => {
            let _ = leverage_case::outcomes::parse(text, &name);
            let _ = leverage_case::evidence::parse(text, &name);
            if let Ok(loaded) = leverage_sim::links::load(&name, text, &Folder(&seed.dir)) {
                let again = leverage_case::to_toml(&loaded.case)
                    .map_err(|e| format!("a case that loads cannot be written back: {e}"))?;
                leverage_sim::links::load(&name, &again, &Folder(&seed.dir)).map_err(|p| {
                    format!(
                        "a case that loads does not load again once written: {:?}",
                        p.diagnostics.first().map(|d| &d.message)
                    )
                })?;
            }
        }
        Kind::Table => {
            for format in [Format::EuTable, Format::Ktab, Format::Deu] {
                if let Ok(case) = import::import(&name, text, format) {
                    let toml = leverage_case::to_toml(&case).map_err(|e| {
                        format!("an imported table cannot be written as a case ({format:?}): {e}")
                    })?;
                    leverage_sim::links::load(&name, &toml, &leverage_case::NoFiles).map_err(
                        |p| {
                            format!(
                                "an imported table ({format:?}) is a case that does not validate: {:?}",
                                p.diagnostics.first().map(|d| &d.message)
                            )
                        },
                    )?;
                }
            }
        }
        Kind::Game => {
            if let Ok(game) = leverage_games::Game::from_efg(text) {
                let out = game.to_efg();
                let back = leverage_games::Game::from_efg(&out)
                    .map_err(|e| format!("an exported game does not parse: {e}"))?;
                if back.to_efg() != out {
                    return Err("a game exported twice gives two texts".into());
                }
                if game.num_nodes() <= 2_000 && game.is_perfect_information() {
                    use leverage_games::solve::Solver;
                    if let Ok(profiles) =
                        leverage_games::solve::BackwardInduction::default().solve(&game)
                        && profiles
                            .iter()
                            .any(|p| p.as_flat().iter().any(|x| !x.is_finite()))
                    {
                        return Err("backward induction gave a non-finite probability".into());
                    }
                }
            }
        }
    }
    Ok(())
}

/// Saves a failing input and returns its path.
fn save(seed: &Seed, bytes: &[u8], k: u64) -> PathBuf {
    let dir = root().join("target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let base = Path::new(&seed.name).file_name().unwrap().to_string_lossy();
    let p = dir.join(format!("{k}-{base}"));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mutated(rng: &mut ChaCha8Rng, corpus: &[Seed], kind: Option<Kind>) -> (usize, Vec<u8>) {
    let pool: Vec<usize> = (0..corpus.len())
        .filter(|&i| kind.is_none_or(|k| corpus[i].kind == k))
        // Through the binary, the inputs kept for their size (`slow-*`: 400 and 500 actors)
        // would time the engines, not the readers: their own tests in tests/reliability.rs do.
        .filter(|&i| kind.is_none() || !corpus[i].name.contains("/slow-"))
        .collect();
    let i = pool[rng.random_range(0..pool.len())];
    let other = &corpus[rng.random_range(0..corpus.len())].bytes;
    let mut b = corpus[i].bytes.clone();
    for _ in 0..rng.random_range(1..=4) {
        mutate_once(rng, &mut b, other);
    }
    (i, b)
}

#[test]
fn fuzz_the_readers() {
    let corpus = corpus();
    assert!(
        corpus.len() > 100,
        "the seed corpus has {} files",
        corpus.len()
    );
    let seed = env_u64("LEVERAGE_FUZZ_SEED", 1);
    let inputs = env_u64("LEVERAGE_FUZZ_INPUTS", 10_000);
    let cap = Duration::from_secs(env_u64("LEVERAGE_FUZZ_SECS", 90));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // The watchdog: one input past 20 s aborts the run, after the input is saved.
    let started_ms = Arc::new(AtomicU64::new(0));
    let epoch = Instant::now();
    let current: Arc<std::sync::Mutex<(String, Vec<u8>)>> = Default::default();
    {
        let (started_ms, current) = (started_ms.clone(), current.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let s = started_ms.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_millis() as u64;
                if s > 0 && now.saturating_sub(s) > 20_000 {
                    let (name, bytes) = current.lock().unwrap().clone();
                    let dir = root().join("target/fuzz-failures");
                    let _ = std::fs::create_dir_all(&dir);
                    let p = dir.join("hang-input");
                    let _ = std::fs::write(&p, bytes);
                    eprintln!(
                        "fuzz: an input mutated from {name} took over 20 s; saved as {}",
                        p.display()
                    );
                    std::process::abort();
                }
            }
        });
    }

    let start = Instant::now();
    let mut tried = [0u64; 3];
    let mut failures = Vec::new();
    let mut k = 0;
    while k < inputs && start.elapsed() < cap {
        let (i, bytes) = mutated(&mut rng, &corpus, None);
        let s = &corpus[i];
        *current.lock().unwrap() = (s.name.clone(), bytes.clone());
        started_ms.store(epoch.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        let r = catch_unwind(AssertUnwindSafe(|| check(s, &bytes)));
        started_ms.store(0, Ordering::Relaxed);
        tried[s.kind as usize] += 1;
        let broken = match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        };
        if let Some(e) = broken {
            let p = save(s, &bytes, k);
            failures.push(format!("{} (from {}): {e}", p.display(), s.name));
            if failures.len() >= 10 {
                break;
            }
        }
        k += 1;
    }
    let mut summary = format!(
        "fuzz: {} inputs tried in process ({} cases, {} tables, {} games) in {:.1} s, seed {seed}, from {} seed files\n",
        tried.iter().sum::<u64>(),
        tried[0],
        tried[1],
        tried[2],
        start.elapsed().as_secs_f64(),
        corpus.len()
    );

    // Through the binary: the error rendering and the commands' own checks.
    let cli = env_u64("LEVERAGE_FUZZ_CLI", 150);
    let dir = tempfile::tempdir().unwrap();
    let cli_start = Instant::now();
    for j in 0..cli {
        let kind = if j % 3 == 2 { Kind::Table } else { Kind::Case };
        let (i, bytes) = mutated(&mut rng, &corpus, Some(kind));
        let s = &corpus[i];
        let ext = Path::new(&s.name).extension().unwrap().to_string_lossy();
        // (A case's data files do not resolve from here: the in-process phase reads them.)
        let file = dir.path().join(format!("input-{j}.{ext}"));
        std::fs::write(&file, &bytes).unwrap();
        let f = file.to_str().unwrap();
        let args: Vec<&str> = match kind {
            Kind::Case => vec!["case", "validate", f],
            _ => vec!["forecast", "--table", f, "--format", "eu-table"],
        };
        let t = Instant::now();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_leverage"))
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let elapsed = t.elapsed();
        let err = String::from_utf8_lossy(&o.stderr);
        let code = o.status.code();
        if !matches!(code, Some(0 | 1)) || err.contains("panicked") || elapsed.as_secs() >= 5 {
            let p = save(s, &bytes, 1_000_000 + j);
            failures.push(format!(
                "{} (from {}): `leverage {}` ended {code:?} in {elapsed:.1?}: {}",
                p.display(),
                s.name,
                args[..args.len() - 1].join(" "),
                err.lines().take(3).collect::<Vec<_>>().join(" / ")
            ));
        }
    }
    summary.push_str(&format!(
        "fuzz: {cli} inputs tried through the binary in {:.1} s, {} failed\n",
        cli_start.elapsed().as_secs_f64(),
        failures.len()
    ));
    print!("{summary}");
    // For scripts/test to show (a passing test's output is captured).
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-summary.txt"),
        &summary,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
