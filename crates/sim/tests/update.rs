//! Updating with evidence against outside truths: a case whose posterior is derived by hand
//! (tests/cases/sim/uniform.toml, leaders who choose at random), conditioning on a parameter
//! checked against rejection sampling on other draws, two steps against one, and calibration
//! over 200 synthetic truths drawn from the model itself.

use leverage_sim::signs::{Decision, Quantity, replay, value};
use leverage_sim::timeline::Spec;
use leverage_sim::update::{self, Likelihood, Obs, Options, Update};
use leverage_sim::wiring;

fn case_file(name: &str) -> leverage_case::Case {
    let path = format!(
        "{}/../../tests/cases/sim/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    match leverage_case::load(&path, &text, &leverage_case::NoFiles) {
        Ok(l) => l.case,
        Err(p) => panic!("{path}: {:?}", p.diagnostics),
    }
}

fn sign(id: &str, q: Quantity, happened: bool, error: f64) -> Obs {
    Obs {
        id: id.into(),
        quantity: q,
        year: 0,
        likelihood: Likelihood::Sign { happened, error },
    }
}

fn refuse(error: f64) -> Obs {
    sign(
        "refused",
        Quantity::Decision(false, Decision::Refuse),
        true,
        error,
    )
}

fn demand() -> Obs {
    sign(
        "demand",
        Quantity::Decision(false, Decision::Demand),
        true,
        0.0,
    )
}

fn share(u: &Update, scenario: &str) -> (f64, f64) {
    let k = u.scenarios.iter().position(|s| s == scenario).unwrap();
    let e = u.posterior.last().unwrap()[k];
    (e.p, e.se)
}

fn default_case() -> leverage_case::Case {
    leverage_case::default_case()
        .expect("the default case loads")
        .case
}

fn uniform() -> (leverage_case::Case, Spec, wiring::CaseSampler) {
    let case = case_file("uniform.toml");
    let spec = wiring::spec(&case).unwrap();
    let sampler = wiring::sampler(&case).unwrap();
    (case, spec, sampler)
}

/// The prior of the hand-derived case (see uniform.toml): integrated 5/18, intervention 1/36,
/// standoff 1/12, calm 11/18. A refusal comes with probability 1/2 × 1/3 = 1/6, after which the
/// patron backs down (1/3: calm), coerces (1/3: capitulate 1/2 → integrated, resist 1/2 →
/// standoff) or presses (1/3: capitulate → integrated, resist → relent 1/2 standoff, intervene
/// 1/2). So given a refusal: integrated 1/3, intervention 1/12, standoff 1/4, calm 1/3.
const PRIOR: [(&str, f64); 4] = [
    ("integrated", 5.0 / 18.0),
    ("intervention", 1.0 / 36.0),
    ("standoff", 1.0 / 12.0),
    ("calm", 11.0 / 18.0),
];
const GIVEN_REFUSAL: [f64; 4] = [1.0 / 3.0, 1.0 / 12.0, 1.0 / 4.0, 1.0 / 3.0];

/// Exact evidence: the posterior is the hand-derived conditional, within 3.5 of the update's own
/// standard errors (four comparisons; a sound update fails this less than once in a thousand
/// seeds, a branch probability wrong by one leaf is caught).
#[test]
fn an_exact_observation_gives_the_hand_derived_posterior() {
    let (_, spec, sampler) = uniform();
    let opts = Options {
        min_ess: 0.0,
        max_draws: 0,
    };
    let u = update::update(&spec, &sampler, 11, 60_000, &[refuse(0.0)], &opts, None).unwrap();
    // A refusal has prior probability 1/6: the weights keep about a sixth of the draws.
    assert!((u.ess / 60_000.0 - 1.0 / 6.0).abs() < 0.01, "ess {}", u.ess);
    assert!((u.log_evidence - (1.0f64 / 6.0).ln()).abs() < 0.03);
    for ((scenario, _), exact) in PRIOR.iter().zip(GIVEN_REFUSAL) {
        let (p, se) = share(&u, scenario);
        assert!(
            (p - exact).abs() < 3.5 * se,
            "{scenario}: {p} against {exact} (se {se})"
        );
    }
}

/// A report wrong one time in ten: P(k | report) = (0.9 P(k, refuse) + 0.1 P(k, no refusal)) /
/// (0.9 × 1/6 + 0.1 × 5/6), from the same hand derivation.
#[test]
fn a_noisy_report_gives_the_hand_derived_posterior() {
    let (_, spec, sampler) = uniform();
    let opts = Options {
        min_ess: 0.0,
        max_draws: 0,
    };
    let u = update::update(&spec, &sampler, 12, 40_000, &[refuse(0.1)], &opts, None).unwrap();
    let evidence = 0.9 / 6.0 + 0.1 * 5.0 / 6.0;
    for ((scenario, prior), given) in PRIOR.iter().zip(GIVEN_REFUSAL) {
        let joint = given / 6.0;
        let exact = (0.9 * joint + 0.1 * (prior - joint)) / evidence;
        let (p, se) = share(&u, scenario);
        assert!(
            (p - exact).abs() < 3.5 * se,
            "{scenario}: {p} against {exact} (se {se})"
        );
    }
}

/// Evidence the run's draws rarely meet brings fresh draws until the target is met, and the
/// answer stays right.
#[test]
fn a_low_effective_sample_size_brings_fresh_draws() {
    let (_, spec, sampler) = uniform();
    let opts = Options {
        min_ess: 5_000.0,
        max_draws: 200_000,
    };
    let u = update::update(&spec, &sampler, 13, 6_000, &[refuse(0.0)], &opts, None).unwrap();
    assert!(u.ess_prior_draws < 1_500.0);
    assert!(u.target_met && u.ess >= 5_000.0, "{}", u.ess);
    assert!(u.draws > 6_000);
    for ((scenario, _), exact) in PRIOR.iter().zip(GIVEN_REFUSAL) {
        let (p, se) = share(&u, scenario);
        assert!((p - exact).abs() < 3.5 * se, "{scenario}: {p} vs {exact}");
    }
    // Evidence no draw meets is an error, not a silent prior.
    let never = Obs {
        id: "x".into(),
        quantity: Quantity::State(0),
        year: 0,
        likelihood: Likelihood::Range { lo: 1e9, hi: 2e9 },
    };
    let small = Options {
        min_ess: 100.0,
        max_draws: 2_000,
    };
    assert!(matches!(
        update::update(&spec, &sampler, 13, 500, &[never], &small, None),
        Err(update::UpdateError::Impossible { draws: 2_000 })
    ));
}

/// Updating on A, then on B (on the draws the first update used, fresh ones included), equals
/// updating once on A and B, within Monte Carlo error.
#[test]
fn two_steps_equal_one() {
    let (_, spec, sampler) = uniform();
    let opts = Options {
        min_ess: 15_000.0,
        max_draws: 400_000,
    };
    let first = update::update(&spec, &sampler, 21, 20_000, &[demand()], &opts, None).unwrap();
    // A demand comes half the time: the first step had to add draws.
    assert!(first.draws > 20_000);
    let both = [demand(), refuse(0.1)];
    let two = update::update(&spec, &sampler, 21, first.draws, &both, &opts, None).unwrap();
    let one = update::update(&spec, &sampler, 21, 20_000, &both, &opts, None).unwrap();
    assert_ne!(two.draws, one.draws);
    for y in 0..one.years.len() {
        for k in 0..one.scenarios.len() {
            let (a, b) = (one.posterior[y][k], two.posterior[y][k]);
            // The two share most draws, so their difference is smaller than this bound.
            let se = (a.se * a.se + b.se * b.se).sqrt();
            assert!(
                (a.p - b.p).abs() <= 3.5 * se + 1e-12,
                "{}: {} against {} (se {se})",
                one.scenarios[k],
                a.p,
                b.p
            );
        }
    }
}

/// Conditioning a run on a parameter's range gives what rejection sampling gives on other draws
/// of the model (seed 2 against seed 1), within Monte Carlo error.
#[test]
fn conditioning_on_a_parameter_matches_rejection_sampling() {
    let case = default_case();
    let spec = wiring::spec(&case).unwrap();
    let sampler = wiring::sampler(&case).unwrap();
    let (k, p) = case
        .params
        .iter()
        .enumerate()
        .find(|(_, p)| p.id.starts_with("oil_price") && p.dist.options().is_none())
        .expect("an uncertain oil price");
    let (lo, hi) = p.dist.support();
    let mid = 0.5 * (lo + hi);
    let obs = Obs {
        id: p.id.clone(),
        quantity: Quantity::Param(k),
        year: 0,
        likelihood: Likelihood::Range { lo: mid, hi },
    };
    let opts = Options {
        min_ess: 0.0,
        max_draws: 0,
    };
    let u = update::update(&spec, &sampler, 1, 6_000, &[obs], &opts, None).unwrap();
    let last = spec.n_years() - 1;
    let kept: Vec<u8> = replay(&spec, &sampler, 2, 0, 6_000, None, |_, v, path| {
        (value(Quantity::Param(k), 0, v, path) >= mid).then(|| path.scenario[last])
    })
    .into_iter()
    .flatten()
    .flatten()
    .collect();
    let n = kept.len() as f64;
    for (j, name) in u.scenarios.iter().enumerate() {
        let e = u.posterior[last][j];
        let r = kept.iter().filter(|&&s| s as usize == j).count() as f64 / n;
        let se = (e.se * e.se + r * (1.0 - r) / n).sqrt();
        assert!(
            (e.p - r).abs() <= 3.5 * se + 1e-12,
            "{name}: {} against {r}",
            e.p
        );
    }
}

/// 200 truths, each one draw of the model (seed 9): its 2021 subsidy, tension and integration
/// signed, measured with error, update a run of the same model (seed 8); the posterior 90 %
/// interval of the final subsidy covers the truth's 85–95 % of the time.
#[test]
fn posterior_intervals_are_calibrated() {
    let case = default_case();
    let spec = wiring::spec(&case).unwrap();
    let sampler = wiring::sampler(&case).unwrap();
    let state = |id: &str| Quantity::State(spec.state_names.iter().position(|n| n == id).unwrap());
    let year = 1.min(spec.n_years() - 1);
    let measured = [
        (Quantity::Subsidy, 0.3),
        (state("tension"), 10.0),
        (state("econ_signed"), 5.0),
    ];
    let template: Vec<Obs> = measured
        .iter()
        .enumerate()
        .map(|(j, &(q, sd))| Obs {
            id: format!("m{j}"),
            quantity: q,
            year,
            likelihood: Likelihood::Normal { value: 0.0, sd },
        })
        .collect();
    let n = 3_000;
    let recs = update::records(&spec, &sampler, 8, 0, n, &template, None);
    let layout = update::layout(&spec, &template);
    let target = layout
        .banded
        .iter()
        .position(|b| b == "subsidy_usd_bn")
        .unwrap();
    let last = spec.n_years() - 1;
    let truths = replay(&spec, &sampler, 9, 0, 200, None, |_, v, path| {
        let seen: Vec<f64> = measured
            .iter()
            .map(|&(q, _)| value(q, year, v, path))
            .collect();
        (seen, path.subsidy_usd_bn[last])
    });
    let mut noise = leverage_sim::stream::aux_rng(9, 0);
    let opts = Options {
        min_ess: 0.0,
        max_draws: 0,
    };
    let mut covered = 0;
    let mut total = 0;
    for (seen, truth) in truths.into_iter().flatten() {
        let evidence: Vec<(f64, f64)> = seen
            .iter()
            .zip(&measured)
            .map(|(&x, &(_, sd))| {
                let z: f64 =
                    rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut noise);
                (x + sd * z, sd)
            })
            .collect();
        let weighted: Vec<Option<update::DrawRecord>> = recs
            .iter()
            .map(|r| {
                r.as_ref().map(|r| {
                    let mut r = r.clone();
                    r.lw = r
                        .seen
                        .iter()
                        .zip(&evidence)
                        .map(|(&x, &(value, sd))| {
                            update::log_likelihood(&Likelihood::Normal { value, sd }, x)
                        })
                        .sum();
                    r
                })
            })
            .collect();
        let source = |from: u64, to: u64| weighted[from as usize..to as usize].to_vec();
        let u = update::update_with(&source, &layout, n, &opts).unwrap();
        let b = &u.bands[target].posterior;
        total += 1;
        if truth >= b[0] && truth <= b[2] {
            covered += 1;
        }
    }
    let coverage = covered as f64 / total as f64;
    eprintln!("coverage of the 90 % intervals: {covered} of {total}");
    assert!(
        (0.85..=0.95).contains(&coverage),
        "coverage {coverage} over {total} truths"
    );
}
