//! `update` on a run of 100 000 draws of the default case, on 2 threads: the draws recomputed
//! from the seed, weighted by two observations (the worked example of docs/updating.md), and
//! summarised. The target is under 2 s (issue 14).

use criterion::{Criterion, criterion_group, criterion_main};
use leverage_sim::signs::Quantity;
use leverage_sim::update::{self, Likelihood, Obs, Options};
use leverage_sim::wiring;

fn bench(c: &mut Criterion) {
    let case = leverage_case::default_case().expect("default case").case;
    let spec = wiring::spec(&case).unwrap();
    let sampler = wiring::sampler(&case).unwrap();
    let gas = sampler
        .ids
        .iter()
        .position(|p| p == "gas_price_paid_2020_2025")
        .unwrap();
    let signed = spec
        .state_names
        .iter()
        .position(|s| s == "econ_signed")
        .unwrap();
    let obs = [
        Obs {
            id: "gas_contract".into(),
            quantity: Quantity::Param(gas),
            year: 0,
            likelihood: Likelihood::Normal {
                value: 132.2,
                sd: 5.0,
            },
        },
        Obs {
            id: "signed".into(),
            quantity: Quantity::State(signed),
            year: 0,
            likelihood: Likelihood::Range {
                lo: f64::NEG_INFINITY,
                hi: 35.0,
            },
        },
    ];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let opts = Options {
        min_ess: 1_000.0,
        max_draws: 1_000_000,
    };
    let mut g = c.benchmark_group("update");
    g.sample_size(10);
    g.bench_function("default case, 100000 draws, 2 threads", |b| {
        b.iter(|| update::update(&spec, &sampler, 42, 100_000, &obs, &opts, Some(&pool)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
