//! The scenario engine against outside truths: a case whose probabilities are derived by hand,
//! the paper's logic as invariants (acceptance falls with the sovereignty cost, outside support
//! raises rebalancing, a patron that gains nothing makes no demand), the subsidy's start and fall
//! under the tax maneuver, and the default case's paths in bounds and classified.

use leverage_games::ultimatum_fast::{Kind, terminal_kind};
use leverage_sim::ensemble::{self, Ensemble, Options};
use leverage_sim::timeline::{self, NO_DECISION, ParamRef, Path, Scratch, Spec, UNCLASSIFIED};
use leverage_sim::wiring;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn default_case() -> leverage_case::Case {
    leverage_sim::links::default_case()
        .expect("the default case loads")
        .case
}

fn case_file(name: &str) -> leverage_case::Case {
    let path = format!(
        "{}/../../tests/cases/sim/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    match leverage_sim::links::load(&path, &text, &leverage_case::NoFiles) {
        Ok(l) => l.case,
        Err(p) => panic!("{path}: {:?}", p.diagnostics),
    }
}

fn central(case: &leverage_case::Case) -> Vec<f64> {
    case.params.iter().map(|p| p.dist.central()).collect()
}

fn ensemble(spec: &Spec, case: &leverage_case::Case, draws: u64, seed: u64) -> Ensemble {
    let sampler = wiring::sampler(case).unwrap();
    ensemble::run(
        spec,
        &sampler,
        &Options { draws, seed },
        None,
        &|_| {},
        None,
    )
}

fn share(e: &Ensemble, scenario: &str) -> (f64, f64, f64) {
    let k = e.scenarios.iter().position(|s| s == scenario).unwrap();
    let p = e.probabilities.last().unwrap()[k];
    (p.p, p.lo, p.hi)
}

/// Leaders who choose at random (λ = 0) in a one-year case: the scenario probabilities follow
/// from the game tree by hand (tests/cases/sim/uniform.toml), and the ensemble reproduces them
/// within sampling error (3.5 binomial standard errors: four comparisons, so a sound engine
/// fails this less than once in a thousand seeds, and a wrong branch probability of the size
/// of one leaf (1/72) is caught).
#[test]
fn hand_derived_probabilities_are_reproduced() {
    let case = case_file("uniform.toml");
    let spec = wiring::spec(&case).unwrap();
    let n = 100_000;
    let e = ensemble(&spec, &case, n, 7);
    for (scenario, exact) in [
        ("integrated", 5.0 / 18.0),
        ("intervention", 1.0 / 36.0),
        ("standoff", 1.0 / 12.0),
        ("calm", 11.0 / 18.0),
    ] {
        let (p, _, _) = share(&e, scenario);
        let se = (exact * (1.0 - exact) / n as f64).sqrt();
        assert!(
            (p - exact).abs() < 3.5 * se,
            "{scenario}: {p} against {exact} (se {se})"
        );
    }
    // Every year's probabilities sum to one.
    for row in &e.probabilities {
        let total: u64 = row.iter().map(|p| p.count).sum();
        assert_eq!(total, e.draws);
    }
}

#[test]
fn default_case_paths_are_classified_and_bounded() {
    let case = default_case();
    let spec = wiring::spec(&case).expect("the default case wires");
    assert_eq!(spec.years.first().unwrap().year, 2020);
    assert_eq!(spec.years.last().unwrap().year, 2025);
    assert_eq!(spec.rule_ids.len(), 6);
    let values = central(&case);
    let mut path = Path::new(&spec);
    let mut scratch = Scratch::default();
    for seed in 0..200 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        timeline::run(&spec, &values, &mut rng, &mut scratch, &mut path);
        for y in 0..spec.n_years() {
            assert_ne!(path.scenario[y], UNCLASSIFIED, "seed {seed} year {y}");
            for (v, (lo, hi)) in path.state_at(y).iter().zip(&spec.bounds) {
                assert!(*v >= *lo && *v <= *hi, "seed {seed} year {y}: {v}");
            }
            // What is in force never exceeds what is signed.
            let s = path.state_at(y);
            assert!(s[spec.idx.econ_integration] <= s[spec.idx.econ_signed] + 1e-9);
        }
        // 2020 is a decision point on both tracks (Russia's December 2019 deadline; the
        // facilities' leases run out).
        assert_ne!(path.terminal[0], NO_DECISION, "seed {seed}");
        assert_ne!(path.military_terminal[0], NO_DECISION, "seed {seed}");
    }
}

/// With no policy at work (no cuts, no compensation, no loans, no market restrictions) and a
/// steady oil price, the subsidy falls every year of the tax maneuver (2020–2024) and starts
/// below its 2019 level: the 2020 start follows the 2019 ledger on the same formula.
#[test]
fn subsidy_falls_with_the_tax_maneuver() {
    let case = default_case();
    let mut spec = wiring::spec(&case).unwrap();
    for key in [
        "oil_volatility",
        "subsidy_cut_share",
        "subsidy_relief_share",
        "loan_need",
        "market_restriction_share",
        "gdp_growth",
    ] {
        assert!(spec.set(key, ParamRef::Fixed(0.0)), "{key}");
    }
    let values = central(&case);
    let mut path = Path::new(&spec);
    let mut scratch = Scratch::default();
    let ix = spec.idx;
    let base = case.state("subsidy_gdp").unwrap().initial.value;
    for seed in 0..50 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        timeline::run(&spec, &values, &mut rng, &mut scratch, &mut path);
        if path.state_at(5)[ix.intervened] > 0.5 {
            continue;
        }
        assert!(path.state_at(0)[ix.subsidy_gdp] < base, "seed {seed}");
        for y in 1..5 {
            assert!(
                path.subsidy_usd_bn[y] < path.subsidy_usd_bn[y - 1],
                "seed {seed}: {:?}",
                path.subsidy_usd_bn
            );
        }
    }
}

/// The client signs (accepts, or gives in to coercion or pressure) in a share of the economic
/// track's decision points; with everything else the same (same seed, same draws), a higher
/// sovereignty cost never raises that share beyond sampling error.
#[test]
fn a_higher_sovereignty_cost_never_raises_signing() {
    let case = default_case();
    let signing = |cost: f64| {
        let mut spec = wiring::spec(&case).unwrap();
        spec.set("sovereignty_cost_client", ParamRef::Fixed(cost));
        let e = ensemble(&spec, &case, 4_000, 11);
        let (mut signed, mut decisions) = (0u64, 0u64);
        for row in &e.terminal_counts {
            for (t, &c) in row.iter().enumerate().take(row.len() - 1) {
                decisions += c;
                if matches!(
                    terminal_kind(t).0,
                    Kind::Accept | Kind::CapitulateEconomic | Kind::CapitulatePressure
                ) {
                    signed += c;
                }
            }
        }
        signed as f64 / decisions.max(1) as f64
    };
    let shares: Vec<f64> = [2.0, 5.0, 9.0, 15.0, 25.0]
        .iter()
        .map(|&c| signing(c))
        .collect();
    for w in shares.windows(2) {
        assert!(w[1] <= w[0] + 0.01, "{shares:?}");
    }
    assert!(shares[0] > shares[4] + 0.1, "{shares:?}");
}

/// More likely outside support (West and China) raises rebalancing at the horizon.
#[test]
fn outside_support_raises_rebalancing() {
    let case = default_case();
    let rebalancing = |pw: f64, pc: f64| {
        let mut spec = wiring::spec(&case).unwrap();
        spec.set("p_western_support", ParamRef::Fixed(pw));
        spec.set("p_china_support", ParamRef::Fixed(pc));
        share(&ensemble(&spec, &case, 8_000, 5), "rebalancing")
    };
    let low = rebalancing(0.0, 0.0);
    let mid = rebalancing(0.15, 0.3);
    let high = rebalancing(0.5, 0.6);
    assert!(mid.0 >= low.0 - 0.005, "{low:?} {mid:?}");
    assert!(high.1 > low.2, "{low:?} {high:?}");
}

/// A patron that gains nothing from integration makes no demand: no crisis game is played,
/// so it never coerces.
#[test]
fn a_patron_without_stakes_never_coerces() {
    let case = default_case();
    let mut spec = wiring::spec(&case).unwrap();
    spec.set("value_integration_patron", ParamRef::Fixed(0.0));
    spec.set("value_military_patron", ParamRef::Fixed(0.0));
    let e = ensemble(&spec, &case, 2_000, 3);
    for rows in [&e.terminal_counts, &e.military_counts] {
        for row in rows.iter() {
            assert_eq!(row[..row.len() - 1].iter().sum::<u64>(), 0, "{row:?}");
        }
    }
}

/// The same seed gives the same ensemble on one thread and on two.
#[test]
fn threads_do_not_change_the_result() {
    let case = default_case();
    let spec = wiring::spec(&case).unwrap();
    let sampler = wiring::sampler(&case).unwrap();
    let opts = Options {
        draws: 3_000,
        seed: 9,
    };
    let run = |n: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap();
        ensemble::run(&spec, &sampler, &opts, Some(&pool), &|_| {}, None)
    };
    assert_eq!(run(1), run(2));
}

/// The headline does not hang on a coding convention: moving any scenario boundary of the
/// default case by ±5 points moves no scenario's 2025 probability by more than 5 points (the
/// boundaries are drawn per path within ±boundary_band, and the economic boundary sits between
/// the status quo and the client's own terms).
#[test]
fn moving_a_scenario_boundary_by_five_points_moves_no_scenario_by_more_than_five() {
    let text = leverage_case::default_case_text().unwrap();
    let files = leverage_case::EmbeddedFiles {
        base: "cases",
        files: leverage_case::embedded_files(),
    };
    let horizon = |text: &str| -> Vec<f64> {
        let case = leverage_sim::links::load("default.toml", text, &files)
            .map_err(|p| format!("{:?}", p.diagnostics))
            .unwrap()
            .case;
        let spec = wiring::spec(&case).unwrap();
        let e = ensemble(&spec, &case, 20_000, 3);
        e.probabilities
            .last()
            .unwrap()
            .iter()
            .map(|p| p.p)
            .collect()
    };
    let base = horizon(text);
    let rules: Vec<&str> = text.lines().filter(|l| l.starts_with("rule = ")).collect();
    let mut boundaries: Vec<(String, String)> = Vec::new();
    for r in &rules {
        for w in r.split("&&").flat_map(|p| p.split("||")) {
            let w = w.trim_matches(|c: char| c == ' ' || c == '(' || c == ')' || c == '"');
            let parts: Vec<&str> = w.split_whitespace().collect();
            if let [var, op, value] = parts[..]
                && (op == "<" || op == ">=")
                && !boundaries.iter().any(|(v, c)| v == var && c == value)
            {
                boundaries.push((var.to_string(), value.to_string()));
            }
        }
    }
    assert!(boundaries.len() >= 6, "{boundaries:?}");
    for (var, value) in &boundaries {
        for d in [-5.0, 5.0] {
            let moved = format!("{}", value.parse::<f64>().unwrap() + d);
            let t = text
                .lines()
                .map(|l| {
                    if l.starts_with("rule = ") {
                        l.replace(&format!("{var} < {value}"), &format!("{var} < {moved}"))
                            .replace(&format!("{var} >= {value}"), &format!("{var} >= {moved}"))
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            let p = horizon(&t);
            for (k, (a, b)) in base.iter().zip(&p).enumerate() {
                assert!(
                    (a - b).abs() <= 0.05,
                    "{var} {value} → {moved}: scenario {k} moved {a} → {b}"
                );
            }
        }
    }
}
