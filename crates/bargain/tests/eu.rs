//! Integration tests of the expected-utility model (`leverage_bargain::eu`) against published
//! and third-party numbers. Every test names its source.

use std::time::Instant;

use leverage_bargain::eu::*;
use leverage_bargain::{Model, Player, Problem};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/eu/");

/// Reads a fixture with columns named (case-insensitively) like name, capability, position and
/// salience; saliences above 1 are on 0–100 and are divided by 100.
fn load(file: &str) -> Problem {
    let mut rd = csv::Reader::from_path(format!("{FIXTURES}{file}")).unwrap();
    let head: Vec<String> = rd
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let col = |names: &[&str]| {
        head.iter()
            .position(|h| names.contains(&h.as_str()))
            .unwrap()
    };
    let name = col(&["actor", "stakeholder", "name"]);
    let cap = col(&["capability", "clout", "resources", "capabilities"]);
    let pos = col(&["position"]);
    let sal = col(&["salience"]);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let num = |r: &csv::StringRecord, i: usize| r[i].trim().parse::<f64>().unwrap();
    let scale = if rows.iter().any(|r| num(r, sal) > 1.0) {
        100.0
    } else {
        1.0
    };
    Problem {
        names: rows.iter().map(|r| r[name].to_string()).collect(),
        players: rows
            .iter()
            .map(|r| Player {
                capability: num(r, cap),
                position: num(r, pos),
                salience: num(r, sal) / scale,
            })
            .collect(),
        status_quo: None,
    }
}

/// The EC car-emissions case of Bueno de Mesquita (1994) as transcribed by Scholz et al. (2011).
fn ec() -> Problem {
    load("scholz2011_bdm1994_ec_emissions.csv")
}

/// jmckib's per-round rows: (round, quantity) → the ten actors' values.
fn jmckib(quantity: &str) -> Vec<(usize, Vec<f64>)> {
    let mut rd =
        csv::Reader::from_path(format!("{FIXTURES}jmckib_ec_emissions_rounds_derived.csv"))
            .unwrap();
    rd.records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == quantity)
        .map(|r| {
            (
                r[0].parse().unwrap(),
                (2..12).map(|i| r[i].parse().unwrap()).collect(),
            )
        })
        .collect()
}

/// Source: jmckib/bdm-scholz-expected-utility-model (GitHub), round-1 risk exponents r_i as
/// listed in the reference README (NL 1.406, BE 0.754, LU 0.509, DE 1.406, FR/IT 1.047,
/// UK 1.965, IE 0.500, DK 2.000, GR 1.112). This pins the security and risk formulas.
#[test]
fn round_one_risk_exponents_match_jmckib() {
    let run = ExpectedUtility::default().run(&ec());
    let want = [
        1.406, 0.754, 0.509, 1.406, 1.047, 1.047, 1.965, 0.500, 2.000, 1.112,
    ];
    for (k, (got, want)) in run.rounds[0].risk.iter().zip(want).enumerate() {
        assert!(
            (got - want).abs() < 1e-3,
            "actor {k}: r {got} vs jmckib {want}"
        );
    }
}

/// Source: jmckib's replication (fixture `jmckib_ec_emissions_rounds_derived.csv`): under the
/// default options every actor's position and r_i agree with it in all ten rounds to 1e-5.
#[test]
fn ec_trajectory_matches_jmckib() {
    let o = EuOptions {
        rounds: 10,
        ..EuOptions::default()
    };
    let run = ExpectedUtility::new(o).run(&ec());
    for (t, pos) in jmckib("position") {
        for (k, (a, b)) in run.forecast.rounds[t]
            .positions
            .iter()
            .zip(&pos)
            .enumerate()
        {
            assert!(
                (a - b).abs() < 1e-5,
                "round {t} actor {k}: {a} vs jmckib {b}"
            );
        }
    }
    for (t, r) in jmckib("risk_exponent_r_used") {
        for (k, (a, b)) in run.rounds[t - 1].risk.iter().zip(&r).enumerate() {
            assert!(
                (a - b).abs() < 1e-5,
                "round {t} actor {k}: r {a} vs jmckib {b}"
            );
        }
    }
}

/// Source: Scholz, Calbert & Smith (2011), ICAART, Table 2 (fixture
/// `scholz2011_bdm1994_ec_emissions_expected_table2.csv`): median and c·s mean by round 1–8.
///
/// How we compare: the printed values have one decimal; we require |ours − printed| ≤ 0.1 for
/// every round and both series, except the round-2 median (see below). Truncating ours to one
/// decimal reproduces all printed medians but round 2's, while for the means truncation gives
/// 7.5 in rounds 3 and 8 where 7.6 is printed (ours 7.590 and 7.572): the means look rounded,
/// the medians truncated (ours 9.962 → printed 9.9, 7.472 → 7.4, 9.671 → 9.6).
///
/// The gap: Table 2 prints 9.9 for the round-2 median; we get 9.611, as does jmckib's
/// replication (9.610859). No combination of the documented options A1–A9 (searched
/// exhaustively: all 2304 sets of A1–A9 and the vote rule) gives a value within 0.1 of 9.9 in round 2 while matching the other
/// rounds, so we assert our value and leave the gap documented rather than tune.
#[test]
fn ec_emissions_reproduce_scholz_table_2() {
    let f = ExpectedUtility::default().forecast(&ec());
    assert_eq!(f.rounds.len(), 9);
    let median = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
    let mean = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];
    for t in 1..=8 {
        let r = &f.rounds[t];
        assert!(
            (r.mean - mean[t - 1]).abs() <= 0.1 + 1e-9,
            "round {t}: mean {} vs {}",
            r.mean,
            mean[t - 1]
        );
        if t == 2 {
            // Documented gap: printed 9.9, jmckib 9.610859, ours the same.
            assert!(
                (r.median - 9.610859).abs() < 1e-5,
                "round 2 median {}",
                r.median
            );
            continue;
        }
        assert!(
            (r.median - median[t - 1]).abs() <= 0.1 + 1e-9,
            "round {t}: median {} vs {}",
            r.median,
            median[t - 1]
        );
        // The printed medians are our medians truncated to one decimal.
        assert_eq!(
            (r.median * 10.0).floor() / 10.0,
            median[t - 1],
            "round {t} truncation"
        );
    }
    assert_eq!(f.outcome, f.rounds[8].median);
}

/// Source: the reference README §2: EC emissions initial c·s mean 7.38996 and weighted median
/// 7.0 (Scholz et al. 2011 input data).
#[test]
fn ec_round_zero() {
    let f = ExpectedUtility::default().forecast(&ec());
    assert!((f.rounds[0].mean - 7.38996).abs() < 1e-5);
    assert_eq!(f.rounds[0].median, 7.0);
}

/// Source: Bayramli's Greek debt 2015 example (fixture `bayramli_greece_debt_2015.csv`):
/// c·s mean 82.22, weighted median 100.
#[test]
fn greece_round_zero() {
    let f = ExpectedUtility::default().forecast(&load("bayramli_greece_debt_2015.csv"));
    assert!(
        (f.rounds[0].mean - 82.22).abs() < 0.005,
        "{}",
        f.rounds[0].mean
    );
    assert_eq!(f.rounds[0].median, 100.0);
}

/// Source: the Schelling 3-actor toy example (fixture `schelling_toy_3actor.csv`): mean 27.6923,
/// weighted median 20.
#[test]
fn toy_round_zero() {
    let f = ExpectedUtility::default().forecast(&load("schelling_toy_3actor.csv"));
    assert!((f.rounds[0].mean - 27.6923).abs() < 1e-4);
    assert_eq!(f.rounds[0].median, 20.0);
}

/// Invariant (no source): a one-actor problem does not move and forecasts its position.
#[test]
fn one_actor_is_trivial() {
    let p = Problem {
        names: vec!["A".into()],
        players: vec![Player {
            capability: 1.0,
            position: 42.0,
            salience: 0.5,
        }],
        status_quo: None,
    };
    let run = ExpectedUtility::default().run(&p);
    assert_eq!(run.forecast.outcome, 42.0);
    assert_eq!(run.forecast.rounds.len(), 9);
    assert!(
        run.forecast
            .rounds
            .iter()
            .all(|r| r.positions == vec![42.0])
    );
    assert_eq!(run.forecast.converged_after, Some(0));
}

/// Invariant (no source): degenerate inputs (everyone at one position, no salience, nobody)
/// give finite forecasts and no movement.
#[test]
fn degenerate_inputs() {
    let same = Problem {
        names: vec!["A".into(), "B".into()],
        players: vec![
            Player {
                capability: 1.0,
                position: 5.0,
                salience: 1.0,
            },
            Player {
                capability: 2.0,
                position: 5.0,
                salience: 0.3,
            },
        ],
        status_quo: None,
    };
    let f = ExpectedUtility::default().forecast(&same);
    assert_eq!(f.outcome, 5.0);
    let mut zero = ec();
    for a in &mut zero.players {
        a.salience = 0.0;
    }
    let f = ExpectedUtility::default().forecast(&zero);
    assert!(f.outcome.is_finite());
    assert!(
        f.rounds
            .iter()
            .all(|r| r.median.is_finite() && r.mean.is_finite())
    );
    assert_eq!(f.rounds.last().unwrap().positions, f.rounds[0].positions);
    let empty = Problem {
        names: vec![],
        players: vec![],
        status_quo: None,
    };
    let f = ExpectedUtility::default().forecast(&empty);
    assert!(f.outcome.is_finite());
}

/// Invariant (no source): rounds.len() is rounds played + 1 for both stop rules; the diagnostics
/// have one entry per round and an n × n challenge matrix.
#[test]
fn round_counts_and_diagnostics() {
    let p = ec();
    let run = ExpectedUtility::new(EuOptions {
        rounds: 5,
        ..EuOptions::default()
    })
    .run(&p);
    assert_eq!(run.forecast.rounds.len(), 6);
    assert_eq!(run.rounds.len(), 5);
    for d in &run.rounds {
        assert_eq!(d.challenges.len(), 10);
        assert!(d.challenges.iter().all(|row| row.len() == 10));
        assert!(
            d.risk
                .iter()
                .all(|r| (0.5 - 1e-12..=2.0 + 1e-12).contains(r))
        );
    }
    let stop = StopRule::MedianStable {
        tolerance: 1e-6,
        rounds: 2,
    };
    let o = EuOptions {
        rounds: 50,
        stop,
        ..EuOptions::default()
    };
    let run = ExpectedUtility::new(o).run(&p);
    assert_eq!(run.forecast.rounds.len(), run.rounds.len() + 1);
    // Medians 9.962 in rounds 3–5: stable twice after round 5.
    assert_eq!(run.rounds.len(), 5);
    assert_eq!(ExpectedUtility::default().name(), "eu");
}

fn problem_strategy() -> impl Strategy<Value = Problem> {
    prop::collection::vec((0.0f64..10.0, 0u8..=20, 0.0f64..=1.0), 1..15).prop_map(|v| Problem {
        names: (0..v.len()).map(|i| format!("a{i}")).collect(),
        players: v
            .iter()
            .map(|&(c, x, s)| Player {
                capability: c,
                position: f64::from(x) * 5.0,
                salience: s,
            })
            .collect(),
        status_quo: None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Invariant (no source): under any option set, positions stay within the input range, are
    /// never NaN, and the same input gives the same output.
    #[test]
    fn positions_stay_in_range_and_runs_repeat(
        p in problem_strategy(),
        pair in any::<bool>(),
        least in any::<bool>(),
        linear in any::<bool>(),
        each in any::<bool>(),
    ) {
        let o = EuOptions {
            denominator: if pair { ProbabilityDenominator::Pair } else { ProbabilityDenominator::AllPairs },
            offer_choice: if least { OfferChoice::LeastMove } else { OfferChoice::MostEnforceable },
            votes: if linear { VoteUtility::Linear } else { VoteUtility::VoterRisk },
            perspective: if each { Perspective::EachOwn } else { Perspective::OwnRisk },
            range: if each { RangeRule::Recomputed } else { RangeRule::Fixed },
            q: if least { 1.0 } else { 0.5 },
            ..EuOptions::default()
        };
        let m = ExpectedUtility::new(o);
        let f = m.forecast(&p);
        let lo = p.players.iter().map(|a| a.position).fold(f64::INFINITY, f64::min);
        let hi = p.players.iter().map(|a| a.position).fold(f64::NEG_INFINITY, f64::max);
        for r in &f.rounds {
            prop_assert!(r.median.is_finite() && r.mean.is_finite());
            for &x in &r.positions {
                prop_assert!(x >= lo && x <= hi, "{x} outside [{lo}, {hi}]");
            }
        }
        prop_assert!(f.outcome.is_finite());
        prop_assert_eq!(&f, &m.forecast(&p));
        prop_assert_eq!(f.rounds.len(), o.rounds + 1);
    }
}

/// Speed: 1000 actors, one round (forecast without diagnostics), release build. Run with
/// `cargo test --release -p leverage-bargain --test eu -- --ignored timing --nocapture`.
#[test]
#[ignore]
fn timing_1000_actors() {
    let n = 1000;
    let mut seed = 12345u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let players = (0..n)
        .map(|_| Player {
            capability: next(),
            position: 100.0 * next(),
            salience: next(),
        })
        .collect();
    let p = Problem {
        names: (0..n).map(|i| i.to_string()).collect(),
        players,
        status_quo: None,
    };
    let mut worst: f64 = 0.0;
    for (label, votes) in [
        ("voter-risk votes (default)", VoteUtility::VoterRisk),
        ("linear votes", VoteUtility::Linear),
    ] {
        let rounds = 4;
        let m = ExpectedUtility::new(EuOptions {
            rounds,
            votes,
            ..EuOptions::default()
        });
        let t = Instant::now();
        let f = m.forecast(&p);
        let per = t.elapsed().as_secs_f64() * 1e3 / rounds as f64;
        println!(
            "{label}: {per:.1} ms per round at {n} actors (outcome {:.3})",
            f.outcome
        );
        worst = worst.max(per);
    }
    assert!(worst < 50.0, "{worst} ms per round");
}
