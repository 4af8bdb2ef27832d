//! Criterion benchmarks of the game engine: backward induction and pure-SPE enumeration on a
//! generated perfect-information tree of 10^6 nodes (target: under 1 s), `.efg` reading and
//! writing at that size, and the four reference games.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use leverage_games::{
    At, BackwardInduction, Game, GameBuilder, Number, Profile, Solver, enumerate_pure_spe,
    expected_payoffs,
};

/// A reproducible perfect-information tree of exactly `target` nodes: two players alternating
/// by chance of the draw, 2–3 actions per decision node, one chance node in 16, generic payoffs
/// (random multiples of 2^-20 below 1024, so ties are very unlikely).
fn generated(target: usize) -> Game {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move |m: u64| {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 33) % m
    };
    let mut b = GameBuilder::new("generated", ["A", "B"]);
    b.reserve(target);
    let mut slots = vec![At::Root];
    let mut made = 0;
    let acts2 = ["L", "R"];
    let acts3 = ["L", "M", "R"];
    while let Some(at) = slots.pop() {
        let k = 2 + rnd(2) as usize;
        if made + slots.len() + k < target && (made < 1000 || rnd(4) != 0) {
            let n = if rnd(16) == 0 {
                let w = Number::from(leverage_games::Rational::new(1, k as i64).unwrap());
                b.chance(at, "", acts3[..k].iter().map(|a| (*a, w.clone())))
            } else {
                b.decision(
                    at,
                    rnd(2) as usize,
                    "",
                    if k == 2 { &acts2[..] } else { &acts3[..] },
                )
            };
            for a in (0..k).rev() {
                slots.push(At::Child(n, a));
            }
        } else {
            let pay = [
                rnd(1 << 30) as f64 / 1_048_576.0,
                rnd(1 << 30) as f64 / 1_048_576.0,
            ];
            b.leaf(at, "", pay);
        }
        made += 1;
    }
    b.build().expect("a valid generated game")
}

const FIXTURES: [(&str, &str); 4] = [
    (
        "a_escalation_pi",
        include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg"),
    ),
    (
        "b_iig_bdml",
        include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg"),
    ),
    (
        "b2_iig_preemption",
        include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg"),
    ),
    (
        "c_crisis_incomplete",
        include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg"),
    ),
];

fn big(c: &mut Criterion) {
    let game = generated(1_000_000);
    assert_eq!(game.num_nodes(), 1_000_000);
    let text = game.to_efg();
    let mut g = c.benchmark_group("tree_1e6");
    g.sample_size(10);
    g.bench_function("backward_induction", |bch| {
        let bi = BackwardInduction::default();
        bch.iter(|| bi.solve(black_box(&game)).unwrap())
    });
    g.bench_function("enumerate_pure_spe", |bch| {
        bch.iter(|| enumerate_pure_spe(black_box(&game)).unwrap())
    });
    g.bench_function("expected_payoffs", |bch| {
        let p = Profile::uniform(&game);
        bch.iter(|| expected_payoffs(black_box(&game), &p).unwrap())
    });
    g.bench_function("build", |bch| bch.iter(|| generated(black_box(1_000_000))));
    g.bench_function("efg_read", |bch| {
        bch.iter(|| Game::from_efg(black_box(&text)).unwrap())
    });
    g.bench_function("efg_write", |bch| bch.iter(|| black_box(&game).to_efg()));
    g.finish();
}

fn reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    for (name, text) in FIXTURES {
        let game = Game::from_efg(text).unwrap();
        g.bench_function(format!("{name}/read"), |bch| {
            bch.iter(|| Game::from_efg(black_box(text)).unwrap())
        });
        if game.is_perfect_information() {
            g.bench_function(format!("{name}/backward_induction"), |bch| {
                let bi = BackwardInduction::default();
                bch.iter(|| bi.solve(black_box(&game)).unwrap())
            });
            g.bench_function(format!("{name}/enumerate_pure_spe"), |bch| {
                bch.iter(|| enumerate_pure_spe(black_box(&game)).unwrap())
            });
        } else {
            g.bench_function(format!("{name}/expected_payoffs"), |bch| {
                let p = Profile::uniform(&game);
                bch.iter(|| expected_payoffs(black_box(&game), &p).unwrap())
            });
        }
    }
    g.finish();
}

/// The ultimatum on its fixed shape (what every draw of an ensemble solves) against building
/// the tree and solving it with the general solvers.
fn ultimatum(c: &mut Criterion) {
    use leverage_games::templates::{UltimatumInputs, solve_ultimatum};
    use leverage_games::ultimatum_fast;
    let inp = UltimatumInputs::example();
    let mut g = c.benchmark_group("ultimatum");
    g.bench_function("fast_spe", |b| {
        b.iter(|| ultimatum_fast::spe(black_box(&inp)))
    });
    g.bench_function("fast_logit", |b| {
        b.iter(|| ultimatum_fast::logit(black_box(&inp), black_box(2.0)))
    });
    g.bench_function("tree_build_and_spe", |b| {
        b.iter(|| solve_ultimatum(black_box(&inp)))
    });
    g.finish();
}

criterion_group!(benches, big, reference, ultimatum);
criterion_main!(benches);
