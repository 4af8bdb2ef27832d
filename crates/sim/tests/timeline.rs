//! The timeline on the default case: paths stay in bounds, every year is classified, and the
//! mechanisms move the state the way docs/simulation.md says.

use leverage_sim::timeline::{self, NO_DECISION, Path, Scratch, UNCLASSIFIED};
use leverage_sim::wiring;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn case() -> leverage_case::Case {
    leverage_case::default_case()
        .expect("the default case loads")
        .case
}

fn central(case: &leverage_case::Case) -> Vec<f64> {
    case.params.iter().map(|p| p.dist.central()).collect()
}

#[test]
fn default_case_paths_are_classified_and_bounded() {
    let case = case();
    let spec = wiring::spec(&case).expect("the default case wires");
    assert_eq!(spec.years.first().unwrap().year, 2020);
    assert_eq!(spec.years.last().unwrap().year, 2025);
    assert_eq!(spec.rule_ids.len(), 6);
    let values = central(&case);
    let mut path = Path::new(&spec);
    let mut scratch = Scratch::default();
    let mut decisions = 0;
    for seed in 0..200 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        timeline::run(&spec, &values, &mut rng, &mut scratch, &mut path);
        for y in 0..spec.n_years() {
            assert_ne!(path.scenario[y], UNCLASSIFIED, "seed {seed} year {y}");
            for (v, (lo, hi)) in path.state_at(y).iter().zip(&spec.bounds) {
                assert!(*v >= *lo && *v <= *hi, "seed {seed} year {y}: {v}");
            }
            if path.terminal[y] != NO_DECISION {
                decisions += 1;
            }
        }
        // 2020 is a decision point (Russia's December 2019 deadline).
        assert_ne!(path.terminal[0], NO_DECISION);
    }
    assert!(decisions >= 200);
}

#[test]
fn subsidy_falls_with_the_tax_maneuver() {
    let case = case();
    let mut spec = wiring::spec(&case).unwrap();
    let values = central(&case);
    // No oil-price noise: volatility 0.
    spec.coefs.oil_volatility = timeline::ParamRef::Fixed(0.0);
    let mut path = Path::new(&spec);
    let mut scratch = Scratch::default();
    // Find a path with no accepted terms (no relief) and no cuts, i.e. only the maneuver acts:
    // the subsidy then falls every year to 2024 and the crude part is gone from 2024.
    let mut checked = 0;
    for seed in 0..500 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        timeline::run(&spec, &values, &mut rng, &mut scratch, &mut path);
        let kinds: Vec<_> = path
            .terminal
            .iter()
            .filter(|t| **t != NO_DECISION)
            .map(|t| leverage_games::ultimatum_fast::terminal_kind(*t as usize).0)
            .collect();
        use leverage_games::ultimatum_fast::Kind::*;
        if kinds.iter().all(|k| {
            matches!(
                k,
                NoDemand | BackDown | CapitulateEconomic | CapitulatePressure
            )
        }) {
            checked += 1;
            for y in 1..5 {
                assert!(
                    path.subsidy_usd_bn[y] < path.subsidy_usd_bn[y - 1],
                    "seed {seed}: {:?}",
                    path.subsidy_usd_bn
                );
            }
        }
    }
    assert!(checked > 10, "only {checked} paths without relief or cuts");
}
