//! Criterion benchmark of the run store's write path: one run of 100 000 draws (5 values each)
//! saved in one transaction into a file store, commit included. The target is at least
//! 500 000 draws per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use leverage_store::{RunMeta, Store};
use serde_json::json;

const DRAWS: u64 = 100_000;

fn meta() -> RunMeta {
    RunMeta {
        case_id: "default".into(),
        case_hash: "0123456789abcdef".into(),
        case_title: "bench".into(),
        parameters: json!({"oil": {"price": 70.0}}),
        seed: 42,
        n_draws: DRAWS,
        threads: 2,
        version: "bench".into(),
        command_line: vec!["bench".into()],
        started_unix_ms: 0,
        scenarios: (0..6).map(|i| format!("s{i}")).collect(),
        value_names: (0..5).map(|i| format!("v{i}")).collect(),
        keep_draws: true,
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path().join("bench.sqlite")).expect("open");
    let meta = meta();
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DRAWS));
    group.bench_function("write_100k_draws", |b| {
        b.iter(|| {
            let mut w = store.begin_run(&meta).expect("begin");
            for i in 0..DRAWS {
                let x = i as f64;
                w.push(i, (i % 6) as u32, black_box(&[x, 0.5 * x, -x, 1.0, 2.0]))
                    .expect("push");
            }
            w.finish(&json!({}), &json!({})).expect("finish")
        })
    });
    group.finish();
}

criterion_group!(store_benches, benches);
criterion_main!(store_benches);
