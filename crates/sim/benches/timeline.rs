//! Criterion benchmarks of the scenario engine on the default case: one timeline draw
//! (sampling + six years), and ensembles of 20 000 draws on one and on two threads (the ratio
//! is the scaling).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leverage_sim::ensemble::{self, DrawBuffers, run_draw};
use leverage_sim::timeline::Path;
use leverage_sim::wiring;

fn benches(c: &mut Criterion) {
    let case = leverage_sim::links::default_case()
        .expect("the default case loads")
        .case;
    let spec = wiring::spec(&case).expect("the default case wires");
    let sampler = wiring::sampler(&case).expect("the default case samples");

    let mut g = c.benchmark_group("timeline");
    g.throughput(Throughput::Elements(1));
    let mut buf = DrawBuffers::default();
    let mut path = Path::new(&spec);
    let mut d = 0u64;
    g.bench_function("one_draw", |b| {
        b.iter(|| {
            d += 1;
            run_draw(&spec, &sampler, 42, d, &mut buf, &mut path);
            path.final_scenario()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ensemble_20k");
    g.sample_size(10);
    g.throughput(Throughput::Elements(20_000));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                ensemble::run(
                    &spec,
                    &sampler,
                    &ensemble::Options {
                        draws: 20_000,
                        seed: 42,
                    },
                    Some(&pool),
                    &|_| {},
                    None,
                )
                .draws
            })
        });
    }
    g.finish();
}

criterion_group!(sim, benches);
criterion_main!(sim);
