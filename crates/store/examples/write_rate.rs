//! Measures the store's write rate and size on disk: saves one run of N draws (default
//! 1 000 000, 5 values each) into a fresh store and prints draws per second and bytes per draw.
//!
//! `cargo run --release -p leverage-store --example write_rate -- [N] [DIR]`

use std::time::Instant;

use leverage_store::{RunMeta, Store, now_unix_ms};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let path = dir.join("write_rate.sqlite");
    let meta = RunMeta {
        case_id: "default".into(),
        case_hash: "0123456789abcdef".into(),
        case_title: "write rate".into(),
        parameters: json!({}),
        seed: 42,
        n_draws: n,
        threads: 1,
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: std::env::args().collect(),
        started_unix_ms: now_unix_ms(),
        scenarios: (0..6).map(|i| format!("s{i}")).collect(),
        value_names: (0..5).map(|i| format!("v{i}")).collect(),
        keep_draws: true,
    };
    let mut store = Store::open(&path)?;
    let empty = std::fs::metadata(&path)?.len();
    let t = Instant::now();
    let mut w = store.begin_run(&meta)?;
    for i in 0..n {
        let x = i as f64;
        w.push(i, (i % 6) as u32, &[x, 0.5 * x, -x, 1.0, 2.0])?;
    }
    let pushed = t.elapsed().as_secs_f64();
    w.finish(&json!({}), &json!({}))?;
    let secs = t.elapsed().as_secs_f64();
    drop(store); // checkpoints the log into the file
    let size = std::fs::metadata(&path)?.len();
    println!("pushing {pushed:.3} s, commit {:.3} s", secs - pushed);
    println!(
        "{n} draws (5 values each) in {secs:.3} s: {:.0} draws/s; file {size} bytes, {:.1} bytes per draw",
        n as f64 / secs,
        (size - empty) as f64 / n as f64
    );
    Ok(())
}
