//! Integration tests of the Spatial Model of Politics (`leverage_bargain::smp`) against KTAB's
//! own reference output, plus the invariants every model must keep. Every golden test names its
//! source.

use std::time::Instant;

use leverage_bargain::smp::*;
use leverage_bargain::{Model, Player, Problem};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/ktab/");

/// KTAB's regression criterion: numbers printed to 4 decimals agree. A value matches a printed
/// one if it lies within half a unit of the last printed digit (plus round-off).
const TOL_4DP: f64 = 0.5e-4 + 1e-9;
/// Final positions are printed on 0–100 with 2 decimals.
const TOL_2DP: f64 = 0.5e-2 + 1e-9;

fn read(file: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{file}")).unwrap()
}

fn scenario(file: &str) -> SmpProblem {
    SmpProblem::from_ktab_csv(&read(file)).unwrap()
}

/// KTAB's `*.prob-trace.txt`: the per-turn fractional changes and per-actor probability traces.
struct Trace {
    fractional: Vec<f64>,
    probs: Vec<(String, Vec<f64>)>,
}

fn parse_trace(text: &str) -> Trace {
    let mut fractional = Vec::new();
    let mut probs = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Fractional change compared to first step:") {
            let v = rest.split_whitespace().next().unwrap();
            fractional.push(v.parse().unwrap());
        } else if let Some((name, rest)) = line.split_once(", prob :") {
            let v = rest
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            probs.push((name.trim().to_string(), v));
        }
    }
    Trace { fractional, probs }
}

/// KTAB's `*.final.txt`: number of states and the final unique positions (0–100),
/// probabilities and members.
struct Final {
    states: usize,
    positions: Vec<(Vec<f64>, f64, Vec<String>)>,
}

fn parse_final(text: &str) -> Final {
    let mut states = 0;
    let mut positions = Vec::new();
    for line in text.lines() {
        if let Some(i) = line.find("turns(states)=") {
            let rest = &line[i + "turns(states)=".len()..];
            states = rest.split_whitespace().next().unwrap().parse().unwrap();
        } else if let Some(rest) = line.trim_start().strip_prefix('[') {
            let (coords, tail) = rest.split_once(']').unwrap();
            let pos = coords
                .split(',')
                .map(|x| x.trim().parse().unwrap())
                .collect();
            let tail = tail.trim().strip_prefix("p=").unwrap();
            let mut it = tail.split_whitespace();
            let p = it.next().unwrap().parse().unwrap();
            positions.push((pos, p, it.map(str::to_string).collect()));
        }
    }
    Final { states, positions }
}

/// Compares a run with KTAB's reference files; panics naming the first turn and actor that
/// differ.
fn check_against_ktab(csv: &str, stem: &str) {
    let problem = scenario(csv);
    let run = run(&problem, &SmpParams::default());
    let trace = parse_trace(&read(&format!("expected/{stem}.prob-trace.txt")));
    let fin = parse_final(&read(&format!("expected/{stem}.final.txt")));

    // fractional change, turn by turn
    let ours: Vec<f64> = run
        .states
        .iter()
        .skip(1)
        .map(|s| s.fractional_change.unwrap())
        .collect();
    for (t, (a, e)) in ours.iter().zip(&trace.fractional).enumerate() {
        assert!(
            (a - e).abs() <= TOL_4DP,
            "{stem}: fractional change of turn {} is {a:.6}, KTAB {e:.4}",
            t + 1
        );
    }
    assert_eq!(
        ours.len(),
        trace.fractional.len(),
        "{stem}: number of turns"
    );
    assert_eq!(run.states.len(), fin.states, "{stem}: number of states");

    // win probabilities, state by state
    assert_eq!(trace.probs.len(), problem.names.len());
    let states = trace.probs[0].1.len();
    for t in 0..states {
        for (i, (name, v)) in trace.probs.iter().enumerate() {
            assert_eq!(name, &problem.names[i]);
            let a = run.states[t].win_probability[i];
            assert!(
                (a - v[t]).abs() <= TOL_4DP,
                "{stem}: state {t}, actor {name}: win probability {a:.6}, KTAB {:.4}",
                v[t]
            );
        }
    }

    // final unique positions, probabilities and members
    assert_eq!(
        run.final_positions.len(),
        fin.positions.len(),
        "{stem}: unique positions"
    );
    for (u, (pos, p, members)) in run.final_positions.iter().zip(&fin.positions) {
        for (x, e) in u.position.iter().zip(pos) {
            assert!(
                (x * 100.0 - e).abs() <= TOL_2DP,
                "{stem}: position {x} vs {e}"
            );
        }
        assert!(
            (u.probability - p).abs() <= TOL_4DP,
            "{stem}: p {} vs {p}",
            u.probability
        );
        let names: Vec<&str> = u
            .members
            .iter()
            .map(|&i| problem.names[i].as_str())
            .collect();
        assert_eq!(names, *members, "{stem}: members");
    }
    let total: f64 = run.final_positions.iter().map(|u| u.probability).sum();
    assert!((total - 1.0).abs() < 1e-9);
}

/// KTAB smpc reference output, default parameters: SOE-Pol-Comp (13 actors × 2 dimensions,
/// 27 turns).
#[test]
fn ktab_soe_pol_comp() {
    check_against_ktab("SOE-Pol-Comp.csv", "SOE-Pol-Comp");
}

/// KTAB smpc reference output, default parameters: dummyData_3Dim (7 actors × 3 dimensions,
/// 10 turns).
#[test]
fn ktab_dummy_data_3dim() {
    check_against_ktab("dummyData_3Dim.csv", "dummyData_3Dim");
}

/// The expected outcome printed in the reference `*.final.txt` (KTAB smpc reference output,
/// default parameters). The summary that printed it weighted the final positions by the
/// probabilities as KTAB logs them (4 decimals) and renormalised; recomputed that way from our
/// run it agrees to the printed 2 decimals. Our exact value (unrounded probabilities) differs
/// from the printed one by less than 0.01 on 0–100 (dummyData_3Dim Pstn3: 72.1654 vs 72.16).
#[test]
fn ktab_expected_outcomes() {
    for (csv, want) in [
        ("SOE-Pol-Comp.csv", vec![39.73, 32.78]),
        ("dummyData_3Dim.csv", vec![78.07, 35.63, 72.16]),
    ] {
        let r = run(&scenario(csv), &SmpParams::default());
        let logged: Vec<f64> = r
            .final_positions
            .iter()
            .map(|u| (u.probability * 1e4).round() / 1e4)
            .collect();
        let total: f64 = logged.iter().sum();
        for (k, e) in want.iter().enumerate() {
            let as_printed: f64 = r
                .final_positions
                .iter()
                .zip(&logged)
                .map(|(u, p)| p * u.position[k])
                .sum::<f64>()
                / total;
            assert!(
                (as_printed * 100.0 - e).abs() <= TOL_2DP,
                "{csv}: {as_printed} vs {e}"
            );
            let exact = r.expected_outcome[k] * 100.0;
            assert!((exact - e).abs() < 0.01, "{csv}: {exact} vs {e}");
        }
    }
}

#[test]
fn csv_with_and_without_final_commas_agree() {
    let a = scenario("dummyData_3Dim.csv");
    let b = scenario("dummyData_3Dim-no-final-comma.csv");
    assert_eq!(a, b);
    assert_eq!(a.dim_names, ["Pstn1", "Pstn2", "Pstn3"]);
    let six = scenario("dummyData_6Dim.csv");
    assert_eq!((six.num_actors(), six.num_dims()), (27, 6));
}

#[test]
fn csv_errors_are_reported() {
    let too_salient = "S,D,1,2,\nActor,Desc,Cap,P1,S1,P2,S2\nA,a,10,50,60,50,60\n";
    assert!(matches!(
        SmpProblem::from_ktab_csv(too_salient),
        Err(SmpError::Parse { line: 3, .. })
    ));
    let short = "S,D,2,1,\nActor,Desc,Cap,P1,S1\nA,a,10,50,60\n";
    assert!(matches!(
        SmpProblem::from_ktab_csv(short),
        Err(SmpError::Parse { .. })
    ));
    let zero_cap = "S,D,1,1,\nActor,Desc,Cap,P1,S1\nA,a,0,50,60\n";
    assert!(matches!(
        SmpProblem::from_ktab_csv(zero_cap),
        Err(SmpError::Actor { .. })
    ));
}

/// Invariants on every fixture scenario small enough to run in a debug test: positions stay
/// on the scale, probabilities over unique positions sum to one, deterministic runs repeat.
#[test]
fn invariants_on_fixtures() {
    for csv in [
        "SOE-Pol-Comp.csv",
        "dummyData_3Dim.csv",
        "SOE-Policy.csv",
        "SOE-Competitive.csv",
    ] {
        let p = scenario(csv);
        let a = run(&p, &SmpParams::default());
        let b = run(&p, &SmpParams::default());
        assert_eq!(a, b, "{csv}: deterministic mode must repeat exactly");
        for s in &a.states {
            for x in s.positions.iter().flatten() {
                assert!((0.0..=1.0).contains(x), "{csv}: position {x} off the scale");
            }
            let total: f64 = s.unique_positions.iter().map(|u| u.probability).sum();
            assert!(
                (total - 1.0).abs() < 1e-9,
                "{csv}: probabilities sum to {total}"
            );
            let members: usize = s.unique_positions.iter().map(|u| u.members.len()).sum();
            assert_eq!(members, p.num_actors());
        }
        assert!(a.turns() <= 100);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Random scenarios of 2–7 actors on 1–3 dimensions: positions stay on the scale,
    /// probabilities over unique positions sum to one, the run repeats exactly, and the
    /// expected outcome lies within the positions' range.
    #[test]
    fn invariants_on_random_scenarios(
        actors in proptest::collection::vec(
            (1.0f64..200.0, proptest::collection::vec((0.0f64..=100.0, 1.0f64..30.0), 3)),
            2..8,
        ),
        dims in 1usize..=3,
    ) {
        let n = actors.len();
        let p = SmpProblem::from_scale_100(
            (0..n).map(|i| format!("a{i}")).collect(),
            actors.iter().map(|a| a.0).collect(),
            &actors.iter().map(|a| a.1[..dims].iter().map(|x| x.0).collect()).collect::<Vec<_>>(),
            &actors.iter().map(|a| a.1[..dims].iter().map(|x| x.1).collect()).collect::<Vec<_>>(),
            (0..dims).map(|k| format!("d{k}")).collect(),
        ).unwrap();
        let a = run(&p, &SmpParams::default());
        prop_assert_eq!(&a, &run(&p, &SmpParams::default()));
        for s in &a.states {
            for x in s.positions.iter().flatten() {
                prop_assert!((0.0..=1.0).contains(x));
            }
            let total: f64 = s.unique_positions.iter().map(|u| u.probability).sum();
            prop_assert!((total - 1.0).abs() < 1e-9);
        }
        for k in 0..dims {
            let last = &a.states.last().unwrap().positions;
            let lo = last.iter().map(|x| x[k]).fold(f64::INFINITY, f64::min);
            let hi = last.iter().map(|x| x[k]).fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(a.expected_outcome[k] >= lo - 1e-12 && a.expected_outcome[k] <= hi + 1e-12);
        }
    }
}

#[test]
fn one_actor_is_trivial() {
    let p = SmpProblem::from_scale_100(
        vec!["A".into()],
        vec![10.0],
        &[vec![30.0, 70.0]],
        &[vec![40.0, 20.0]],
        vec!["x".into(), "y".into()],
    )
    .unwrap();
    let r = run(&p, &SmpParams::default());
    assert!(r.converged);
    for s in &r.states {
        assert_eq!(s.positions, p.positions);
        assert_eq!(s.win_probability, [1.0]);
    }
    assert_eq!(r.final_positions.len(), 1);
    assert_eq!(r.final_positions[0].probability, 1.0);
    assert!((r.expected_outcome[0] - 0.3).abs() < 1e-12);
    assert!((r.expected_outcome[1] - 0.7).abs() < 1e-12);
}

#[test]
fn stochastic_mode_repeats_with_its_seed() {
    let p = scenario("SOE-Pol-Comp.csv");
    let params = SmpParams {
        state_trans: StateTransMode::Stochastic,
        seed: 42,
        ..SmpParams::default()
    };
    let a = run(&p, &params);
    let b = run(&p, &params);
    assert_eq!(a, b);
    for s in &a.states {
        let total: f64 = s.unique_positions.iter().map(|u| u.probability).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}

/// Every parameter combination along each axis runs and keeps the invariants.
#[test]
fn every_option_runs() {
    let p = scenario("dummyData_3Dim.csv");
    let base = SmpParams::default();
    let mut variants = Vec::new();
    for i in 0..5 {
        variants.push([i, 0, 0, 2, 1, 1, 1, 1, 0]);
    }
    for i in 0..3 {
        variants.push([0, i, 0, 2, 1, 1, 1, 1, 0]);
        variants.push([0, 0, 0, 2, 1, i, 1, 1, 0]);
        variants.push([0, 0, 0, 2, 1, 1, i, 1, 0]);
        variants.push([0, 0, 0, 2, 1, 1, 1, i, 0]);
        variants.push([0, 0, 0, 2, 1, 1, 1, 1, i]);
    }
    for i in 0..6 {
        variants.push([0, 0, 0, i, 1, 1, 1, 1, 0]);
    }
    for i in 0..5 {
        variants.push([0, 0, 0, 2, i, 1, 1, 1, 0]);
    }
    variants.push([0, 0, 1, 2, 1, 1, 1, 1, 0]);
    for v in variants {
        let params = SmpParams::from_ktab_indices(v).unwrap();
        let r = run(&p, &params);
        for s in &r.states {
            for x in s.positions.iter().flatten() {
                assert!((0.0..=1.0).contains(x), "{v:?}: position {x}");
            }
            let total: f64 = s.unique_positions.iter().map(|u| u.probability).sum();
            assert!((total - 1.0).abs() < 1e-6, "{v:?}: total {total}");
        }
    }
    assert_eq!(
        SmpParams::from_ktab_indices([0, 0, 0, 2, 1, 1, 1, 1, 0]).unwrap(),
        base
    );
    assert!(SmpParams::from_ktab_indices([5, 0, 0, 2, 1, 1, 1, 1, 0]).is_err());
}

#[test]
fn one_issue_model() {
    let players = [
        (100.0, 20.0, 0.6),
        (55.0, 65.0, 0.6),
        (80.0, 20.0, 0.4),
        (40.0, 90.0, 0.9),
    ];
    let p = Problem {
        names: (0..players.len()).map(|i| format!("a{i}")).collect(),
        players: players
            .iter()
            .map(|&(capability, position, salience)| Player {
                capability,
                position,
                salience,
            })
            .collect(),
        status_quo: None,
    };
    let smp = Smp::default();
    assert_eq!(smp.name(), "smp");
    let f = smp.forecast(&p);
    assert_eq!(f.rounds[0].positions, [20.0, 65.0, 20.0, 90.0]);
    assert!((0.0..=100.0).contains(&f.outcome));
    for r in &f.rounds {
        for x in &r.positions {
            assert!((0.0..=100.0).contains(x));
        }
    }
}

/// Wall time per scenario in release (`cargo test --release -p leverage-bargain --test smp --
/// --ignored --nocapture`). KTAB smpc (whole process, -O2): SOE-Pol-Comp 0.57 s,
/// dummyData_6Dim 3.1 s, dummyData-a040 8.4 s, dummyData-a080 117.6 s.
#[test]
#[ignore]
fn timing() {
    for (csv, ktab) in [
        ("SOE-Pol-Comp.csv", 0.57),
        ("dummyData_6Dim.csv", 3.1),
        ("dummyData-a040.csv", 8.4),
        ("dummyData-a080.csv", 117.6),
        ("dummyData-a160.csv", f64::NAN),
    ] {
        let p = scenario(csv);
        // best of three, as the machine may be shared
        let mut s = f64::INFINITY;
        let mut r = None;
        for _ in 0..3 {
            let t = Instant::now();
            r = Some(run(&p, &SmpParams::default()));
            s = s.min(t.elapsed().as_secs_f64());
        }
        let r = r.unwrap();
        let versus = if ktab.is_nan() {
            "no KTAB timing".to_string()
        } else {
            format!("KTAB {ktab} s, {:.0}× faster", ktab / s)
        };
        println!(
            "{csv:24} {:3} actors × {} dims, {:3} turns: {s:8.4} s ({versus})",
            p.num_actors(),
            p.num_dims(),
            r.turns(),
        );
    }
}
