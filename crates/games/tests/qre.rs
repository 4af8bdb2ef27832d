//! The logit quantal response equilibrium (agent form) of the four reference games.
//!
//! The fixed-λ numbers come from **pygambit 16.7.0**: the solution files in
//! `tests/fixtures/games/solutions/` record, for each game,
//! `gbt.qre.logit_solve_lambda(g, lam=[0.1, 0.5, 1.0, 2.0, 5.0])` with `g = gbt.read_efg(...)`,
//! printed from `q[i]` (flat, player → information set → action, the order of our [`Profile`])
//! with six significant digits, so every probability is known to ±5e-7. We parse those blocks
//! and require agreement to 1e-6.

use leverage_games::qre::{
    LimitOptions, LogitSolver, QreError, QreProfile, logit_at, logit_limit, logit_path,
    logit_path_traced, logit_residual,
};
use leverage_games::*;
use std::time::Instant;

const A: &str = include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg");
const B: &str = include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg");
const B2: &str = include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg");
const C: &str = include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg");
const A_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/a_escalation_pi.txt");
const B_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b_iig_bdml.txt");
const B2_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b2_iig_preemption.txt");
const C_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/c_crisis_incomplete.txt");

const GAMES: [(&str, &str, &str); 4] = [
    ("a", A, A_SOL),
    ("b", B, B_SOL),
    ("b2", B2, B2_SOL),
    ("c", C, C_SOL),
];

/// One action probability printed by pygambit: information set label, action label, value.
type Entry = (String, String, f64);

/// The blocks of `gbt.qre.logit_solve_lambda(g, lam=[...])` in a solution file: for each λ,
/// the flat profile as printed (one line per information set, `Player [label]: A=p, B=q`).
fn pygambit_logit_lambda(solution: &str) -> Vec<(f64, Vec<Entry>)> {
    let mut lines = solution
        .lines()
        .skip_while(|l| !l.starts_with("== gbt.qre.logit_solve_lambda(g, lam=["));
    assert!(lines.next().is_some(), "no logit_solve_lambda block");
    let mut out: Vec<(f64, Vec<Entry>)> = Vec::new();
    for line in lines {
        let t = line.trim_start();
        if t.starts_with("==") {
            break;
        }
        if let Some(rest) = t.strip_prefix("lambda=") {
            let lam: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
            out.push((lam, Vec::new()));
        } else if let (Some(open), Some(close)) = (t.find('['), t.find("]: ")) {
            let label = &t[open + 1..close];
            let entries = out.last_mut().expect("a lambda line first");
            for pair in t[close + 3..].split(", ") {
                let (action, value) = pair.split_once('=').unwrap();
                entries.1.push((
                    label.to_string(),
                    action.to_string(),
                    value.parse().unwrap(),
                ));
            }
        }
    }
    out
}

/// (information set label, action label) in our flat profile order.
fn flat_labels(game: &Game) -> Vec<(String, String)> {
    game.personal_infosets()
        .iter()
        .flat_map(|h| h.actions.iter().map(|a| (h.label.clone(), a.clone())))
        .collect()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn matches_pygambit_logit_solve_lambda() {
    for (name, efg, sol) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let reference = pygambit_logit_lambda(sol);
        let lambdas: Vec<f64> = reference.iter().map(|(l, _)| *l).collect();
        assert_eq!(lambdas, vec![0.1, 0.5, 1.0, 2.0, 5.0], "game {name}");
        let labels = flat_labels(&game);
        // Perfect-information games go through logit backward induction in `logit_path`; the
        // path tracer must give the same numbers.
        let ours = logit_path(&game, &lambdas).unwrap();
        let traced = logit_path_traced(&game, &lambdas).unwrap();
        for (q, t) in ours.iter().zip(&traced) {
            assert!(
                max_diff(q.profile.as_flat(), t.profile.as_flat()) < 1e-10,
                "game {name}, λ = {}",
                q.lambda
            );
        }
        for ((lam, entries), q) in reference.iter().zip(&ours) {
            assert_eq!(q.lambda, *lam);
            assert_eq!(entries.len(), game.num_profile_actions(), "game {name}");
            for (i, (h, a, p)) in entries.iter().enumerate() {
                assert_eq!((h, a), (&labels[i].0, &labels[i].1), "game {name}, q[{i}]");
                let mine = q.profile.as_flat()[i];
                assert!(
                    (mine - p).abs() <= 1e-6,
                    "game {name}, λ = {lam}, [{h}] {a}: ours {mine}, pygambit {p}"
                );
            }
        }
    }
}

#[test]
fn logit_at_agrees_with_logit_path() {
    for (name, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let path = logit_path(&game, &[5.0, 0.5, 1.0]).unwrap();
        for (q, lam) in path.iter().zip([5.0, 0.5, 1.0]) {
            let single = logit_at(&game, lam).unwrap();
            assert_eq!(q.lambda, lam);
            assert!(
                max_diff(q.profile.as_flat(), single.profile.as_flat()) < 1e-12,
                "game {name}, λ = {lam}"
            );
        }
    }
}

#[test]
fn lambda_zero_is_uniform() {
    for (_, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let q = logit_at(&game, 0.0).unwrap();
        assert_eq!(q.profile, Profile::uniform(&game));
        assert_eq!(q.lambda, 0.0);
    }
}

#[test]
fn fixed_point_residual_is_tiny() {
    let lambdas = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0];
    for (name, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        for q in logit_path(&game, &lambdas).unwrap() {
            let r = logit_residual(&game, &q.profile, q.lambda).unwrap();
            assert!(r < 1e-10, "game {name}, λ = {}: residual {r:e}", q.lambda);
        }
        // A profile that is not a QRE has a visible residual.
        let uniform = Profile::uniform(&game);
        assert!(logit_residual(&game, &uniform, 1.0).unwrap() > 1e-3);
    }
}

#[test]
fn path_is_continuous() {
    let lambdas: Vec<f64> = (0..=200).map(|k| k as f64 * 0.05).collect();
    for (name, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let path = logit_path(&game, &lambdas).unwrap();
        let mut worst: f64 = 0.0;
        for w in path.windows(2) {
            worst = worst.max(max_diff(w[0].profile.as_flat(), w[1].profile.as_flat()));
        }
        // With payoff differences of at most ~30, σ moves by at most ~(Δλ · 30)/4 per step.
        assert!(worst < 0.4, "game {name}: jump {worst}");
        // ... and the profile at the grid points is the same as asked for one at a time.
        let single = logit_at(&game, 3.0).unwrap();
        assert!(max_diff(single.profile.as_flat(), path[60].profile.as_flat()) < 1e-12);
    }
}

#[test]
fn probabilities_are_interior_and_sum_to_one() {
    for (name, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        for lam in [0.1, 0.5, 1.0, 2.0, 5.0] {
            let q = logit_at(&game, lam).unwrap();
            // Strictly interior in floating point too while λ is moderate; beyond that a
            // dominant action's probability rounds to 1 (its log-probability stays exact).
            let interior = lam <= 1.0;
            assert!(q.log_probs.iter().all(|x| x.is_finite() && *x <= 0.0));
            for (h, inf) in game.personal_infosets().iter().enumerate() {
                let p = q.profile.action_probs(InfosetId(h as u32));
                assert!(
                    p.iter()
                        .all(|&x| (x > 0.0 && x < 1.0) || (!interior && (0.0..=1.0).contains(&x))),
                    "game {name} λ {lam}"
                );
                assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-14);
                let b = &q.beliefs[h];
                assert_eq!(b.len(), inf.nodes.len());
                assert!(b.iter().all(|&x| x > 0.0 && x <= 1.0));
                assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-14);
            }
            for (lp, p) in q.log_probs.iter().zip(q.profile.as_flat()) {
                assert!((lp.exp() - p).abs() < 1e-15);
            }
        }
    }
}

fn bytes(q: &QreProfile) -> Vec<u64> {
    let mut out = vec![q.lambda.to_bits()];
    out.extend(q.profile.as_flat().iter().map(|x| x.to_bits()));
    out.extend(q.log_probs.iter().map(|x| x.to_bits()));
    out.extend(q.beliefs.iter().flatten().map(|x| x.to_bits()));
    out.extend(q.action_values.iter().map(|x| x.to_bits()));
    out
}

#[test]
fn same_input_same_bytes() {
    for (_, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let first = logit_at(&game, 1.0).unwrap();
        let second = logit_at(&Game::from_efg(efg).unwrap(), 1.0).unwrap();
        assert_eq!(bytes(&first), bytes(&second));
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
        let l1 = logit_limit(&game, &LimitOptions::default()).unwrap();
        let l2 = logit_limit(&game, &LimitOptions::default()).unwrap();
        assert_eq!(bytes(&l1), bytes(&l2));
    }
}

fn assert_close_to(game: &Game, q: &QreProfile, expected: &Profile, tol: f64, name: &str) {
    let labels = flat_labels(game);
    for (i, (x, y)) in q
        .profile
        .as_flat()
        .iter()
        .zip(expected.as_flat())
        .enumerate()
    {
        assert!(
            (x - y).abs() < tol,
            "game {name}: [{}] {}: limit {x}, expected {y}",
            labels[i].0,
            labels[i].1
        );
    }
}

#[test]
fn limit_is_the_spe_in_the_perfect_information_games() {
    for (name, efg, _) in &GAMES[..3] {
        let game = Game::from_efg(efg).unwrap();
        let spe = BackwardInduction::default().solve_values(&game).unwrap();
        let q = logit_limit(&game, &LimitOptions::default()).unwrap();
        assert!(q.lambda > 10.0);
        assert_close_to(&game, &q, &spe.profile, 1e-3, name);
        // The limit of a generic perfect-information game is reached long before the cap.
        assert!(q.lambda < LimitOptions::default().lambda_max, "game {name}");
    }
}

#[test]
fn limit_is_the_sequential_equilibrium_of_game_c() {
    let game = Game::from_efg(C).unwrap();
    let q = logit_limit(&game, &LimitOptions::default()).unwrap();
    let r = |label: &str| game.infoset_by_label(0, label).unwrap();
    let b = |label: &str| game.infoset_by_label(1, label).unwrap();
    let mut se = Profile::uniform(&game);
    se.set(r("Russia demand"), &[0.0, 0.0, 1.0]).unwrap();
    se.set(r("Russia after resist 3"), &[0.25, 0.75]).unwrap();
    se.set(r("Russia after resist 7"), &[7.0 / 12.0, 5.0 / 12.0])
        .unwrap();
    se.set(b("Resolved Belarus, demand 3"), &[0.0, 1.0])
        .unwrap();
    se.set(b("Resolved Belarus, demand 7"), &[0.0, 1.0])
        .unwrap();
    se.set(
        b("Unresolved Belarus, demand 3"),
        &[11.0 / 12.0, 1.0 / 12.0],
    )
    .unwrap();
    se.set(
        b("Unresolved Belarus, demand 7"),
        &[11.0 / 12.0, 1.0 / 12.0],
    )
    .unwrap();
    assert_close_to(&game, &q, &se, 1e-3, "c");
    // Belief "resolved" after resistance: 4/5 after either demand (the first member is the
    // resolved type's node).
    for label in ["Russia after resist 3", "Russia after resist 7"] {
        let belief = &q.beliefs[r(label).index()];
        assert!((belief[0] - 0.8).abs() < 1e-3, "{label}: {belief:?}");
    }
    // Expected payoffs (9/2, 25/6) and P(war) = 35/192.
    let pay = expected_payoffs(&game, &q.profile).unwrap();
    assert!((pay[0] - 4.5).abs() < 1e-3 && (pay[1] - 25.0 / 6.0).abs() < 1e-3);
    let war: f64 = outcome_distribution(&game, &q.profile)
        .unwrap()
        .iter()
        .filter(|(n, _)| {
            let o = game.node(*n).outcome.unwrap();
            game.outcome(o).label.starts_with("War")
        })
        .map(|(_, p)| p)
        .sum();
    assert!((war - 35.0 / 192.0).abs() < 1e-3, "P(war) = {war}");
    // pygambit's `logit_solve` stopped earlier on the same branch (Fight after a resisted 3:
    // 0.25074, after a resisted 7: 0.584071); ours is closer to the limit.
    let fight3 = q.profile.prob(r("Russia after resist 3"), 0);
    assert!((fight3 - 0.25).abs() < (0.25074f64 - 0.25).abs());
}

#[test]
fn a_lower_cap_stops_there() {
    let game = Game::from_efg(C).unwrap();
    let opts = LimitOptions {
        lambda_max: 50.0,
        tolerance: 1e-8,
    };
    let q = logit_limit(&game, &opts).unwrap();
    assert_eq!(q.lambda, 50.0);
    let at = logit_at(&game, 50.0).unwrap();
    assert!(max_diff(q.profile.as_flat(), at.profile.as_flat()) < 1e-10);
}

#[test]
fn invalid_lambdas_are_refused() {
    let game = Game::from_efg(A).unwrap();
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            logit_at(&game, bad),
            Err(QreError::InvalidLambda { .. })
        ));
        let solver = LogitSolver { lambda: Some(bad) };
        let e = solver.solve(&game).unwrap_err();
        assert!(
            matches!(
                e,
                leverage_games::SolveError::Unsupported {
                    solver: "logit-qre",
                    ..
                }
            ),
            "{e}"
        );
    }
    assert!(logit_path(&game, &[1.0, -0.5]).is_err());
}

#[test]
fn solver_trait() {
    let game = Game::from_efg(B).unwrap();
    let at = LogitSolver { lambda: Some(1.0) };
    assert_eq!(at.name(), "logit-qre");
    let found = at.solve(&game).unwrap();
    assert_eq!(found, vec![logit_at(&game, 1.0).unwrap().profile]);
    let limit = LogitSolver::default().solve(&game).unwrap();
    let spe = BackwardInduction::default().solve(&game).unwrap();
    assert_eq!(limit.len(), 1);
    assert!(max_diff(limit[0].as_flat(), spe[0].as_flat()) < 1e-3);
}

#[test]
fn action_values_are_conditional_expected_payoffs() {
    // Game a at λ = 1: B3S (Belarus's last move after SeekSupport? no: after Stall) has
    // Capitulate (3, -7) and HoldFirm (-6, -8); conditional values are Belarus's payoffs.
    let game = Game::from_efg(A).unwrap();
    let q = logit_at(&game, 1.0).unwrap();
    let h = game.infoset_by_label(1, "B3S").unwrap();
    let o = game.profile_offset(h).unwrap();
    assert!((q.action_values[o] + 7.0).abs() < 1e-12);
    assert!((q.action_values[o + 1] + 8.0).abs() < 1e-12);
    // The logit rule itself: log-odds = λ · value difference.
    let lo = q.log_probs[o] - q.log_probs[o + 1];
    assert!((lo - (q.action_values[o] - q.action_values[o + 1])).abs() < 1e-12);
}

#[test]
fn unreachable_information_set_gets_uniform_beliefs() {
    // The right branch has chance probability 0, so player 1's information set there is never
    // reached; beliefs are uniform over its two nodes (as in Gambit).
    let efg = r#"EFG 2 R "zero chance" { "P1" "P2" } ""
c "" 1 "" { "L" 1 "R" 0 } 0
p "" 2 1 "left" { "a" "b" } 0
t "" 1 "" { 0 1 }
t "" 2 "" { 0 0 }
c "" 2 "" { "x" 1/2 "y" 1/2 } 0
p "" 1 1 "dark" { "u" "d" } 0
t "" 3 "" { 4 0 }
t "" 4 "" { 0 0 }
p "" 1 1 "dark" { "u" "d" } 0
t "" 5 "" { 0 0 }
t "" 6 "" { 2 0 }
"#;
    let game = Game::from_efg(efg).unwrap();
    let q = logit_at(&game, 1.0).unwrap();
    let h = game.infoset_by_label(0, "dark").unwrap();
    assert_eq!(q.beliefs[h.index()], vec![0.5, 0.5]);
    // Values u: 2, d: 1, so P(u) = e / (e + 1).
    let e = 1f64.exp();
    assert!((q.profile.prob(h, 0) - e / (e + 1.0)).abs() < 1e-12);
    assert!(logit_residual(&game, &q.profile, 1.0).unwrap() < 1e-12);
}

#[test]
#[ignore = "timing; run with --ignored --nocapture (use --release for real numbers)"]
fn timing() {
    for (name, efg, _) in GAMES {
        let game = Game::from_efg(efg).unwrap();
        let reps = 200;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(logit_at(&game, 1.0).unwrap());
        }
        let at1 = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(logit_path_traced(&game, &[1.0]).unwrap());
        }
        let traced = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(logit_limit(&game, &LimitOptions::default()).unwrap());
        }
        let lim = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            if game.is_perfect_information() {
                std::hint::black_box(BackwardInduction::default().solve_values(&game).unwrap());
            }
            std::hint::black_box(logit_at(&game, 1.0).unwrap());
        }
        let both = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        let q = logit_limit(&game, &LimitOptions::default()).unwrap();
        println!(
            "game {name:>2}: {} nodes, {} actions: logit λ=1 {at1:8.1} µs (path traced {traced:8.1} µs); limit {lim:8.1} µs (stopped at λ = {:.3e}); SPE + QRE(λ=1) {both:8.1} µs",
            game.num_nodes(),
            game.num_profile_actions(),
            q.lambda
        );
    }
}

/// Cross-check game g113 (random seed 109 of `examples/gambit_crosscheck.rs`): three players,
/// 73 nodes, a chance action of probability zero with information sets entirely behind it.
const G113: &str = include_str!("fixtures/qre_g113.efg");

/// `gbt.qre.logit_solve_lambda(g, lam=[0.5, 1.0, 5.0])` on G113 (pygambit 16.7.0), `q[i]` to
/// ten significant digits. pygambit stops within 3e-10 of each λ, which moves no probability
/// by more than ~1e-9.
const G113_PYGAMBIT: [(f64, [f64; 34]); 3] = [
    (
        0.5,
        [
            0.6410291483,
            0.3589708517,
            0.8048153229,
            0.1951846771,
            0.5825702064,
            0.4174297936,
            0.6795392449,
            0.3204607551,
            0.223107869,
            0.776892131,
            0.4584295168,
            0.5415704832,
            0.1730348261,
            0.8269651739,
            0.6212386573,
            0.3787613427,
            0.01798621,
            0.98201379,
            0.9465966701,
            0.05340332988,
            0.6964856579,
            0.3035143421,
            0.8812436132,
            0.1187563868,
            0.1480471982,
            0.8519528018,
            0.07585818012,
            0.9241418199,
            0.9241418199,
            0.07585818012,
            0.859816936,
            0.140183064,
            0.3775406689,
            0.6224593311,
        ],
    ),
    (
        1.0,
        [
            0.7141409955,
            0.2858590045,
            0.9444507399,
            0.05554926012,
            0.6607563688,
            0.3392436312,
            0.8210349675,
            0.1789650325,
            0.1120915447,
            0.8879084553,
            0.4174297935,
            0.5825702065,
            0.05657941449,
            0.9434205855,
            0.853686664,
            0.146313336,
            0.0003353501298,
            0.9996646499,
            0.9968273172,
            0.003172682838,
            0.8176893854,
            0.1823106146,
            0.9734358235,
            0.02656417654,
            0.02931223077,
            0.9706877692,
            0.006692850916,
            0.9933071491,
            0.9933071491,
            0.006692850916,
            0.9712219317,
            0.02877806831,
            0.2689414213,
            0.7310585787,
        ],
    ),
    (
        5.0,
        [
            0.9727256541,
            0.02727434588,
            0.9999992961,
            7.0387337e-07,
            0.9655548043,
            0.03444519568,
            0.9956793258,
            0.004320674199,
            9.150109214e-05,
            0.9999084989,
            0.1588691049,
            0.8411308951,
            3.620085929e-06,
            0.9999963799,
            0.9999998894,
            1.105760555e-07,
            4.248354273e-18,
            1.0,
            1.0,
            3.266131353e-13,
            0.9994472201,
            0.0005527799174,
            0.9999999749,
            2.510995632e-08,
            2.510999086e-08,
            0.9999999749,
            1.38879439e-11,
            1.0,
            1.0,
            1.38879439e-11,
            0.9999999152,
            8.475811545e-08,
            0.006692850928,
            0.9933071491,
        ],
    ),
];

// Regression: on G113 the path stalled at λ ≈ 6.95 ("no convergence within 20000 steps"),
// because the Jacobian differentiated the (fixed, uniform) beliefs of information sets that
// only a zero-probability chance action leads to. The path now runs past λ = 5 and on to the
// limit, and agrees with pygambit where pygambit gives numbers.
#[test]
fn g113_path_does_not_stall() {
    let game = Game::from_efg(G113).unwrap();
    let qs = logit_path(&game, &[0.5, 1.0, 5.0, 20.0, 100.0]).expect("the path is followed");
    for ((lambda, expected), q) in G113_PYGAMBIT.iter().zip(&qs) {
        let d = max_diff(q.profile.as_flat(), expected);
        assert!(d < 1e-6, "λ = {lambda}: differs from pygambit by {d:e}");
    }
    for q in &qs {
        let r = logit_residual(&game, &q.profile, q.lambda).unwrap();
        assert!(r < 1e-9, "λ = {}: residual {r:e}", q.lambda);
    }
    let limit = logit_limit(&game, &LimitOptions::default()).expect("the limit is reached");
    let r = logit_residual(&game, &limit.profile, limit.lambda).unwrap();
    assert!(r < 1e-9, "limit at λ = {}: residual {r:e}", limit.lambda);
}

/// A game with imperfect information and more actions than the tracer's dense matrices allow
/// is refused before anything large is allocated; a perfect-information game of 40 000 actions
/// (a 20 000-node chain, which used to ask for 12.8 GB) is solved by backward induction.
#[test]
fn games_too_large_to_trace_are_refused_and_large_chains_are_solved() {
    let k = leverage_games::qre::MAX_TRACED_ACTIONS + 1;
    let actions: Vec<String> = (0..k).map(|a| format!("\"a{a}\"")).collect();
    let actions = actions.join(" ");
    let mut efg = String::from("EFG 2 R \"wide\" { \"A\" \"B\" }\n\"\"\n");
    efg.push_str("c \"\" 1 \"\" { \"x\" 1/2 \"y\" 1/2 } 0\n");
    let mut outcome = 0;
    for _ in 0..2 {
        efg.push_str(&format!("p \"\" 1 1 \"\" {{ {actions} }} 0\n"));
        for a in 0..k {
            outcome += 1;
            efg.push_str(&format!("t \"\" {outcome} \"\" {{ {} 0 }}\n", a % 7));
        }
    }
    let game = Game::from_efg(&efg).unwrap();
    assert!(!game.is_perfect_information());
    let t = Instant::now();
    match logit_at(&game, 1.0) {
        Err(QreError::TooLarge { actions, limit }) => {
            assert_eq!((actions, limit), (k, k - 1));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(logit_limit(&game, &LimitOptions::default()).is_err());
    assert!(t.elapsed().as_secs_f64() < 1.0);

    let chain = include_str!("../../../tests/reliability/abort-lcp-chain-20000-nodes.efg");
    let game = Game::from_efg(chain).unwrap();
    let q = logit_at(&game, 1.0).unwrap();
    assert_eq!(q.profile.as_flat().len(), 40_000);
    assert!(logit_residual(&game, &q.profile, 1.0).unwrap() < 1e-9);
}
