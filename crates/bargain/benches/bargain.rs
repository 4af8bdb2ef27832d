//! Criterion benchmarks of the bargaining models at 10, 100 and 1000 actors on one issue
//! (fixed-seed random actors, so every run measures the same problems), and SMP on the
//! 400-actor issue of the reliability inputs.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use leverage_bargain::compromise::Compromise;
use leverage_bargain::eu::ExpectedUtility;
use leverage_bargain::median::Median;
use leverage_bargain::nbs::Nbs;
use leverage_bargain::smp::{self, Smp, SmpParams, SmpProblem};
use leverage_bargain::{Model, Player, Problem};

/// A reproducible problem: positions, saliences and capabilities from a small LCG.
fn problem(n: usize) -> Problem {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    Problem {
        names: (0..n).map(|i| format!("a{i}")).collect(),
        players: (0..n)
            .map(|_| Player {
                capability: 1.0 + 99.0 * next(),
                position: 100.0 * next(),
                salience: next(),
            })
            .collect(),
        status_quo: Some(50.0),
    }
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_issue");
    for n in [10usize, 100, 1000] {
        let p = problem(n);
        g.bench_with_input(BenchmarkId::new("compromise", n), &p, |b, p| {
            b.iter(|| Compromise.forecast(black_box(p)))
        });
        g.bench_with_input(BenchmarkId::new("median", n), &p, |b, p| {
            b.iter(|| Median.forecast(black_box(p)))
        });
        g.bench_with_input(BenchmarkId::new("nbs", n), &p, |b, p| {
            b.iter(|| Nbs.forecast(black_box(p)))
        });
    }
    g.finish();

    // The dynamic models: one expected-utility round, and whole SMP runs.
    let mut g = c.benchmark_group("dynamic");
    g.sample_size(10);
    let mut one_round = ExpectedUtility::default();
    one_round.options.rounds = 1;
    for n in [10usize, 100, 1000] {
        let p = problem(n);
        g.bench_with_input(BenchmarkId::new("eu_one_round", n), &p, |b, p| {
            b.iter(|| one_round.forecast(black_box(p)))
        });
    }
    // Eight rounds at 1000 actors: the per-round cost once the workspace is allocated (the
    // one-round forecast above also pays for the first touch of its O(n²) buffers).
    let mut eight = ExpectedUtility::default();
    eight.options.rounds = 8;
    let p = problem(1000);
    g.bench_with_input(BenchmarkId::new("eu_8_rounds", 1000), &p, |b, p| {
        b.iter(|| eight.forecast(black_box(p)))
    });
    for n in [10usize, 100] {
        let p = problem(n);
        g.bench_with_input(BenchmarkId::new("smp_run_1d", n), &p, |b, p| {
            b.iter(|| Smp::default().forecast(black_box(p)))
        });
    }
    let six = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ktab/dummyData_6Dim.csv"
    ))
    .expect("fixture");
    let six = SmpProblem::from_ktab_csv(&six).expect("KTAB CSV");
    g.bench_function("smp_run_27x6_dummyData_6Dim", |b| {
        b.iter(|| smp::run(black_box(&six), &SmpParams::default()))
    });
    g.finish();

    // The acceptance case of issue 17: SMP on one issue with 400 actors (the reliability
    // input `slow-smp-400-actors.csv`: actor,capability,position,salience), under 5 s.
    let mut g = c.benchmark_group("smp_large");
    g.sample_size(10);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reliability/slow-smp-400-actors.csv"
    ))
    .expect("reliability input");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let p400 = Problem {
        names: rows.iter().map(|r| r[0].to_string()).collect(),
        players: rows
            .iter()
            .map(|r| Player {
                capability: r[1].parse().expect("capability"),
                position: r[2].parse().expect("position"),
                salience: r[3].parse().expect("salience"),
            })
            .collect(),
        status_quo: None,
    };
    g.bench_with_input(BenchmarkId::new("smp_run_1d", 400), &p400, |b, p| {
        b.iter(|| Smp::default().forecast(black_box(p)))
    });
    g.finish();
}

criterion_group!(bargain, benches);
criterion_main!(bargain);
