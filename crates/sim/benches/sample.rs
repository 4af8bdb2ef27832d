//! Cost of sampling: quantiles by distribution (exact and prepared) and a `Sampler` draw of 30
//! PERT/normal parameters with a 10-parameter rank-correlation block.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use leverage_case::Dist;
use leverage_sim::sample::{Marginal, RankCorrelation, Sampler, quantile};
use leverage_sim::stream::draw_rng;
use statrs::distribution::{Beta, ContinuousCDF};

fn dists30() -> Vec<Dist> {
    (0..30)
        .map(|i| {
            let f = i as f64;
            if i % 3 == 2 {
                Dist::Normal {
                    mean: f,
                    sd: 1.0 + f / 10.0,
                }
            } else {
                Dist::Pert {
                    min: f,
                    mode: f + 1.0 + (i % 5) as f64,
                    max: f + 10.0,
                }
            }
        })
        .collect()
}

fn block10() -> RankCorrelation {
    let k = 10;
    RankCorrelation {
        params: (0..k).map(|i| i * 3).collect(),
        rho: (0..k)
            .map(|i| (0..k).map(|j| if i == j { 1.0 } else { 0.3 }).collect())
            .collect(),
    }
}

fn us() -> Vec<f64> {
    (0..1024).map(|i| (i as f64 + 0.5) / 1024.0).collect()
}

fn quantiles(c: &mut Criterion) {
    let cases = [
        (
            "pert",
            Dist::Pert {
                min: 0.0,
                mode: 2.0,
                max: 10.0,
            },
        ),
        (
            "beta",
            Dist::Beta {
                alpha: 2.0,
                beta: 5.0,
                min: 0.0,
                max: 1.0,
            },
        ),
        (
            "triangular",
            Dist::Triangular {
                min: 0.0,
                mode: 2.0,
                max: 10.0,
            },
        ),
        ("uniform", Dist::Uniform { min: 0.0, max: 1.0 }),
        ("normal", Dist::Normal { mean: 0.0, sd: 1.0 }),
        (
            "lognormal",
            Dist::Lognormal {
                mu: 0.0,
                sigma: 0.5,
            },
        ),
        (
            "discrete",
            Dist::Discrete {
                values: vec![1.0, 2.0, 3.0, 4.0, 5.0],
                weights: vec![0.1, 0.2, 0.3, 0.2, 0.2],
            },
        ),
    ];
    let u = us();
    let mut g = c.benchmark_group("quantile_x1024");
    for (name, d) in &cases {
        let m = Marginal::new(d, 0).unwrap();
        g.bench_function(format!("prepared/{name}"), |b| {
            b.iter(|| u.iter().map(|&x| m.quantile(black_box(x))).sum::<f64>())
        });
        g.bench_function(format!("exact/{name}"), |b| {
            b.iter(|| u.iter().map(|&x| quantile(d, black_box(x))).sum::<f64>())
        });
    }
    let beta = Beta::new(2.0, 5.0).unwrap();
    g.bench_function("statrs_inverse_cdf/beta", |b| {
        b.iter(|| {
            u.iter()
                .map(|&x| beta.inverse_cdf(black_box(x)))
                .sum::<f64>()
        })
    });
    g.finish();
    c.bench_function("marginal_build/pert", |b| {
        b.iter(|| {
            Marginal::new(
                black_box(&Dist::Pert {
                    min: 0.0,
                    mode: 2.0,
                    max: 10.0,
                }),
                0,
            )
            .unwrap()
        })
    });
}

fn sampler(c: &mut Criterion) {
    let d = dists30();
    let corr = Sampler::new(&d, &[block10()]).unwrap();
    let indep = Sampler::new(&d, &[]).unwrap();
    let mut scratch = vec![0.0; 30];
    let mut out = vec![0.0; 30];
    let mut i = 0u64;
    c.bench_function("sampler_draw/30_params_corr10", |b| {
        b.iter(|| {
            let mut rng = draw_rng(42, i);
            i += 1;
            corr.draw(&mut rng, &mut scratch, &mut out).unwrap();
            black_box(out[0])
        })
    });
    c.bench_function("sampler_draw/30_params_independent", |b| {
        b.iter(|| {
            let mut rng = draw_rng(42, i);
            i += 1;
            indep.draw(&mut rng, &mut scratch, &mut out).unwrap();
            black_box(out[0])
        })
    });
    c.bench_function("draw_rng+30_uniforms", |b| {
        b.iter(|| {
            let mut rng = draw_rng(42, i);
            i += 1;
            leverage_sim::stream::fill_uniforms(&mut rng, &mut scratch);
            black_box(scratch[0])
        })
    });
}

criterion_group!(benches, quantiles, sampler);
criterion_main!(benches);
