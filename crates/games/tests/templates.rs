//! The case templates: the integration ultimatum, the International Interaction Game and the
//! Fearon-style crisis, checked against the reference games of `tests/fixtures/games`.

use leverage_games::templates::*;
use leverage_games::*;
use proptest::prelude::*;

const B: &str = include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg");
const B2: &str = include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg");
const C: &str = include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg");

/// Tolerance for payoffs computed in floating point against the fixtures' exact numbers.
const TOL: f64 = 1e-9;

/// The equilibrium path of a pure profile: (information set label, action label) from the root.
fn path(game: &Game, profile: &Profile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut n = game.root();
    while let Some(h) = game.node(n).infoset {
        let a = chosen_action(game, profile, n).expect("pure on the path");
        let inf = game.infoset(h);
        out.push((inf.label.clone(), inf.actions[a].clone()));
        n = game.children(n)[a];
    }
    out
}

fn terminal_outcome(game: &Game, profile: &Profile) -> String {
    let dist = outcome_distribution(game, profile).unwrap();
    let (node, _) = dist.iter().copied().find(|(_, p)| *p > 0.5).unwrap();
    game.outcome(game.node(node).outcome.unwrap()).label.clone()
}

/// Same tree node by node: movers, information-set partition (by index), labels, actions,
/// chance probabilities, outcome labels and payoffs (within `TOL`).
fn assert_same_game(ours: &Game, reference: &Game) {
    assert_eq!(ours.players(), reference.players());
    assert_eq!(ours.num_nodes(), reference.num_nodes());
    assert_eq!(
        ours.num_personal_infosets(),
        reference.num_personal_infosets()
    );
    for (i, (a, b)) in ours.nodes().iter().zip(reference.nodes()).enumerate() {
        assert_eq!(a.label, b.label, "node {i} label");
        assert_eq!(a.parent, b.parent, "node {i} parent");
        assert_eq!(a.action_in_parent, b.action_in_parent, "node {i}");
        assert_eq!(a.infoset, b.infoset, "node {i} information set");
        if let (Some(ha), Some(hb)) = (a.infoset, b.infoset) {
            let (ia, ib) = (ours.infoset(ha), reference.infoset(hb));
            assert_eq!(ia.mover, ib.mover, "node {i} mover");
            assert_eq!(ia.label, ib.label, "node {i} information set label");
            assert_eq!(ia.actions, ib.actions, "node {i} actions");
            assert_eq!(ia.nodes, ib.nodes, "node {i} information set members");
            for (pa, pb) in ia.probs.iter().zip(&ib.probs) {
                assert!((pa.value() - pb.value()).abs() < TOL, "node {i} chance");
            }
            assert_eq!(ia.probs.len(), ib.probs.len());
        }
        match (a.outcome, b.outcome) {
            (None, None) => {}
            (Some(oa), Some(ob)) => {
                let (oa, ob) = (ours.outcome(oa), reference.outcome(ob));
                assert_eq!(oa.label, ob.label, "node {i} outcome");
                for (x, y) in oa.payoffs.iter().zip(&ob.payoffs) {
                    assert!(
                        (x.value() - y.value()).abs() < TOL,
                        "node {i} outcome {}: {} vs {}",
                        oa.label,
                        x.value(),
                        y.value()
                    );
                }
            }
            _ => panic!("node {i}: outcome on one side only"),
        }
    }
}

fn roundtrip(game: &Game) {
    let text = game.to_efg();
    let back = Game::from_efg(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_same_game(&back, game);
    // Decimals read back as exact rationals, so the text settles after one round trip.
    let again = back.to_efg();
    assert_eq!(Game::from_efg(&again).unwrap().to_efg(), again);
}

// ---------------------------------------------------------------------------------------------
// International Interaction Game
// ---------------------------------------------------------------------------------------------

/// The players of the reference file `c_crisis_incomplete.efg`, which the crisis template
/// rebuilds label for label.
const REF_CHALLENGER: &str = "Russia";
const REF_DEFENDER: &str = "Belarus";

#[test]
fn iig_reference_inputs_rebuild_game_b() {
    let ours = iig(&IigInputs::reference()).unwrap();
    let reference = Game::from_efg(B).unwrap();
    assert_same_game(&ours, &reference);
    for game in [&ours, &reference] {
        let sol = BackwardInduction::default().solve_values(game).unwrap();
        assert_eq!(terminal_outcome(game, &sol.profile), "ACQ_B");
        assert_eq!(sol.payoffs(), &[10.0, -10.0]);
    }
    let a = BackwardInduction::default().solve_values(&ours).unwrap();
    let b = BackwardInduction::default()
        .solve_values(&reference)
        .unwrap();
    assert_eq!(path(&ours, &a.profile), path(&reference, &b.profile));
    assert_eq!(a.profile.as_flat(), b.profile.as_flat());
    assert_eq!(
        enumerate_pure_spe(&ours).unwrap().len(),
        enumerate_pure_spe(&reference).unwrap().len()
    );
}

#[test]
fn iig_preemption_inputs_rebuild_game_b2() {
    let ours = iig(&IigInputs::reference_preemption()).unwrap();
    let reference = Game::from_efg(B2).unwrap();
    assert_same_game(&ours, &reference);
    let a = BackwardInduction::default().solve_values(&ours).unwrap();
    let b = BackwardInduction::default()
        .solve_values(&reference)
        .unwrap();
    assert_eq!(terminal_outcome(&ours, &a.profile), "WAR_A_5");
    assert_eq!(a.payoffs(), &[-9.0, -9.0]);
    assert_eq!(path(&ours, &a.profile), path(&reference, &b.profile));
    assert_eq!(a.profile.as_flat(), b.profile.as_flat());
}

#[test]
fn iig_utilities_reproduce_both_reference_games() {
    for (u, text, outcome) in [
        (IigUtilities::reference(), B, "ACQ_B"),
        (IigUtilities::reference_preemption(), B2, "WAR_A_5"),
    ] {
        let ours = iig(&IigInputs::from_utilities(&u)).unwrap();
        let reference = Game::from_efg(text).unwrap();
        assert_same_game(&ours, &reference);
        let sol = BackwardInduction::default().solve_values(&ours).unwrap();
        assert_eq!(terminal_outcome(&ours, &sol.profile), outcome);
    }
}

#[test]
fn iig_rejects_non_finite_payoffs() {
    let mut i = IigInputs::reference();
    i.war_a[1] = f64::NAN;
    assert!(matches!(
        iig(&i),
        Err(TemplateError::InvalidInput { field: "war_a", .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Fearon-style crisis
// ---------------------------------------------------------------------------------------------

/// The reference sequential equilibrium of game c (README), as a behaviour profile.
fn crisis_reference_profile(game: &Game) -> Profile {
    let mut p = Profile::uniform(game);
    let set = |p: &mut Profile, player: usize, label: &str, probs: &[f64]| {
        let h = game.infoset_by_label(player, label).unwrap();
        p.set(h, probs).unwrap();
    };
    set(&mut p, 0, "Russia demand", &[0.0, 0.0, 1.0]);
    set(&mut p, 0, "Russia after resist 3", &[0.25, 0.75]);
    set(
        &mut p,
        0,
        "Russia after resist 7",
        &[7.0 / 12.0, 5.0 / 12.0],
    );
    set(&mut p, 1, "Resolved Belarus, demand 3", &[0.0, 1.0]);
    set(&mut p, 1, "Resolved Belarus, demand 7", &[0.0, 1.0]);
    set(
        &mut p,
        1,
        "Unresolved Belarus, demand 3",
        &[11.0 / 12.0, 1.0 / 12.0],
    );
    set(
        &mut p,
        1,
        "Unresolved Belarus, demand 7",
        &[11.0 / 12.0, 1.0 / 12.0],
    );
    p
}

/// Largest gain any single information set's mover gets by switching to a pure action there.
fn max_agent_regret(game: &Game, profile: &Profile) -> f64 {
    let base = expected_payoffs(game, profile).unwrap();
    let mut worst: f64 = 0.0;
    for (h, inf) in game.personal_infosets().iter().enumerate() {
        let Mover::Player(player) = inf.mover else {
            continue;
        };
        let h = InfosetId(h as u32);
        for a in 0..inf.actions.len() {
            let mut dev = profile.clone();
            let mut probs = vec![0.0; inf.actions.len()];
            probs[a] = 1.0;
            dev.set(h, &probs).unwrap();
            let u = expected_payoffs(game, &dev).unwrap();
            worst = worst.max(u[player] - base[player]);
        }
    }
    worst
}

#[test]
fn crisis_reference_inputs_rebuild_game_c() {
    let ours = crisis(&CrisisInputs::reference(), REF_CHALLENGER, REF_DEFENDER).unwrap();
    let reference = Game::from_efg(C).unwrap();
    assert_same_game(&ours, &reference);
    assert!(!ours.is_perfect_information());
    assert!(matches!(
        BackwardInduction::default().solve(&ours),
        Err(SolveError::NotPerfectInformation { .. })
    ));
    for game in [&ours, &reference] {
        let p = crisis_reference_profile(game);
        let u = expected_payoffs(game, &p).unwrap();
        assert!((u[0] - 4.5).abs() < TOL, "{u:?}");
        assert!((u[1] - 25.0 / 6.0).abs() < TOL, "{u:?}");
        let war: f64 = outcome_distribution(game, &p)
            .unwrap()
            .iter()
            .filter(|(n, _)| {
                game.outcome(game.node(*n).outcome.unwrap())
                    .label
                    .starts_with("War")
            })
            .map(|(_, p)| p)
            .sum();
        assert!((war - 35.0 / 192.0).abs() < TOL, "P(war) {war}");
        assert!(max_agent_regret(game, &p) < TOL);
    }
}

#[test]
fn crisis_with_more_demands_builds() {
    let mut i = CrisisInputs::reference();
    i.demands = vec![1.0, 2.5, 5.0, 9.0];
    let g = crisis(&i, REF_CHALLENGER, REF_DEFENDER).unwrap();
    assert_eq!(g.num_nodes(), 1 + 2 * (1 + 1 + 4 * 5));
    roundtrip(&g);
    i.demands.clear();
    assert_eq!(
        crisis(&i, REF_CHALLENGER, REF_DEFENDER),
        Err(TemplateError::NoDemands)
    );
    let mut i = CrisisInputs::reference();
    i.p_resolved = 1.5;
    assert!(crisis(&i, REF_CHALLENGER, REF_DEFENDER).is_err());
}

// ---------------------------------------------------------------------------------------------
// The integration ultimatum
// ---------------------------------------------------------------------------------------------

fn labels(game: &Game) -> Vec<String> {
    game.terminals()
        .map(|t| game.outcome(game.node(t).outcome.unwrap()).label.clone())
        .collect()
}

#[test]
fn ultimatum_builds_with_perfect_information_and_round_trips() {
    let g = try_ultimatum(&UltimatumInputs::example()).unwrap();
    assert_eq!(g.players(), &["Patron".to_string(), "Client".to_string()]);
    let named = try_ultimatum_between(&UltimatumInputs::example(), "Washington", "Cairo").unwrap();
    assert_eq!(
        named.players(),
        &["Washington".to_string(), "Cairo".to_string()]
    );
    assert!(named.to_efg().contains("\"Cairo: answer\""));
    assert_eq!(g.num_nodes(), 35);
    assert!(g.is_perfect_information());
    roundtrip(&g);
    assert!(BackwardInduction::default().solve(&g).is_ok());
    assert!(enumerate_pure_spe(&g).is_ok());
}

#[test]
fn every_ultimatum_terminal_maps_to_a_scenario() {
    let g = ultimatum(&UltimatumInputs::example());
    let ls = labels(&g);
    assert_eq!(ls.len(), 20);
    let mut unique = ls.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ls.len(), "labels are unique");
    for l in &ls {
        assert!(OUTCOME_TYPES.contains(&outcome_type_of(l)), "{l}");
    }
    for s in OUTCOME_TYPES {
        assert!(
            ls.iter().any(|l| outcome_type_of(l) == s),
            "{s} has a terminal"
        );
    }
    assert_eq!(outcome_type_of("confrontation_alone_econ"), "confrontation");
    assert_eq!(outcome_type_of("status_quo"), "status_quo");
    assert_eq!(outcome_type_of("status_quox"), "");
    assert_eq!(outcome_type_of("WAR_A_5"), "");
}

#[test]
fn ultimatum_rejects_invalid_inputs() {
    for f in [
        |i: &mut UltimatumInputs| i.terms = 101.0,
        |i: &mut UltimatumInputs| i.terms_status_quo = 100.0,
        |i: &mut UltimatumInputs| i.p_china_support = -0.1,
        |i: &mut UltimatumInputs| i.conflict_appetite_client = 0.0,
        |i: &mut UltimatumInputs| i.subsidy_pct_gdp = f64::NAN,
        |i: &mut UltimatumInputs| i.drift_loss_patron = -1.0,
    ] {
        let mut i = UltimatumInputs::example();
        f(&mut i);
        assert!(matches!(
            try_ultimatum(&i),
            Err(TemplateError::InvalidInput { .. })
        ));
    }
}

#[test]
fn ultimatum_inputs_have_no_defaults() {
    let d = UltimatumInputs::example();
    d.validate().unwrap();
    assert!((d.subsidy_usd_bn() - 2.85936).abs() < 1e-9);
    assert!((d.p_support() - 0.405).abs() < 1e-12);
    // A partial input is refused: nothing is filled in from any case.
    let e = serde_json_like(r#"{"terms": 90.0}"#).unwrap_err();
    assert!(e.contains("missing field"), "{e}");
}

/// Minimal JSON reading through serde's value-free path: the crate has no JSON dependency, so
/// this parses a flat `{"field": number}` object by hand into the struct via a map.
fn serde_json_like(text: &str) -> Result<UltimatumInputs, String> {
    use serde::Deserialize;
    use serde::de::value::{Error, MapDeserializer};
    let body = text.trim().trim_start_matches('{').trim_end_matches('}');
    let pairs: Vec<(String, f64)> = body
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p.split_once(':').unwrap();
            (
                k.trim().trim_matches('"').to_string(),
                v.trim().parse().unwrap(),
            )
        })
        .collect();
    UltimatumInputs::deserialize(MapDeserializer::<_, Error>::new(pairs.into_iter()))
        .map_err(|e| e.to_string())
}

/// Inputs under which the equilibrium reaches a given scenario with positive probability.
fn reaching(scenario: &str) -> UltimatumInputs {
    let d = UltimatumInputs::example();
    match scenario {
        "status_quo" => UltimatumInputs {
            subsidy_pct_gdp: 0.0,
            ..d
        },
        "negotiated_integration" => d,
        // Support is likely and worth much to Minsk, and Moscow does not fear the drift, so
        // Minsk refuses and Moscow coerces: Minsk resists if support arrived, capitulates if not.
        "coerced_integration" | "confrontation" => UltimatumInputs {
            p_western_support: 0.5,
            support_value_client: 6.0,
            drift_loss_patron: 0.0,
            ..d
        },
        // Coercion pays for Moscow only against a Minsk left alone: it backs down once support
        // arrives (backing down costs it nothing here).
        "rebalancing" => UltimatumInputs {
            support_value_client: 6.0,
            coercion_cost_patron: 4.0,
            drift_loss_patron: 0.0,
            audience_cost_patron: 0.0,
            ..d
        },
        // A cheap, sure intervention against a Minsk that values sovereignty above all.
        "intervention" => UltimatumInputs {
            sovereignty_cost_client: 30.0,
            intervention_cost_patron: 0.5,
            p_intervention_success: 0.95,
            regime_loss_client: 5.0,
            ..d
        },
        _ => unreachable!(),
    }
}

#[test]
fn all_six_scenarios_are_reachable() {
    for s in OUTCOME_TYPES {
        let eq = solve_ultimatum(&reaching(s));
        let p = eq
            .outcome_type_probabilities
            .iter()
            .find(|(id, _)| id == s)
            .unwrap()
            .1;
        assert!(p > 0.0, "{s}: {eq:#?}");
        let total: f64 = eq.outcome_type_probabilities.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}

#[test]
fn example_equilibrium_is_negotiated_integration() {
    let eq = solve_ultimatum(&UltimatumInputs::example());
    assert_eq!(eq.outcome_type, "negotiated_integration");
    assert_eq!(eq.outcomes.len(), 1);
    assert_eq!(eq.outcomes[0].moves, vec!["Patron:Demand", "Client:Accept"]);
}

/// The table of the issue: the equilibrium as the subsidy at stake moves from 0 % to 10 % of
/// GDP. Under the defaults it switches from the status quo (Moscow's economic threat is not
/// credible: the subsidy it would recover is worth less than coercion costs it) to economic
/// integration once `recapture × subsidy ≥ coercion cost`, i.e. 2 bn = 3.1 % of GDP.
#[test]
fn subsidy_sweep_changes_the_equilibrium() {
    let rows = subsidy_sweep(&UltimatumInputs::example(), 0.0, 10.0, 20);
    assert_eq!(rows.len(), 21);
    println!("| subsidy % GDP | USD bn | scenario | path | payoffs (Moscow, Minsk) |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        let e = &r.equilibrium;
        let path: Vec<String> = e
            .outcomes
            .iter()
            .map(|o| {
                format!(
                    "{} ({:.3}): {}",
                    o.label,
                    o.probability,
                    o.moves.join(" → ")
                )
            })
            .collect();
        println!(
            "| {:.1} | {:.2} | {} | {} | ({:.2}, {:.2}) |",
            r.subsidy_pct_gdp,
            r.subsidy_usd_bn,
            e.outcome_type,
            path.join("; "),
            e.payoffs[0],
            e.payoffs[1]
        );
    }
    assert_eq!(rows[0].equilibrium.outcome_type, "status_quo");
    assert_eq!(rows[20].equilibrium.outcome_type, "negotiated_integration");
    let threshold = 100.0 * 1.0 / 0.5 / 64.4; // coercion cost / recapture / GDP
    for r in &rows {
        let expected = if r.subsidy_pct_gdp < threshold - 1e-9 {
            "status_quo"
        } else {
            "negotiated_integration"
        };
        if (r.subsidy_pct_gdp - threshold).abs() > 1e-6 {
            assert_eq!(
                r.equilibrium.outcome_type, expected,
                "{:.2} %",
                r.subsidy_pct_gdp
            );
        }
    }
}

fn inputs_strategy() -> impl Strategy<Value = UltimatumInputs> {
    (
        (
            0.0..=100.0f64,
            0.0..99.0f64,
            0.0..99.0f64,
            0.0..30.0f64,
            0.5..3.0f64,
            0.0..30.0f64,
            0.0..30.0f64,
            10.0..200.0f64,
        ),
        (
            0.0..=1.0f64,
            0.0..10.0f64,
            0.0..20.0f64,
            0.0..20.0f64,
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.05..2.0f64,
            0.0..10.0f64,
        ),
        (
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..20.0f64,
            0.0..30.0f64,
            0.0..=1.0f64,
            0.0..50.0f64,
            0.0..100.0f64,
        ),
        (0.0..5.0f64, 0.0..5.0f64, 0.5..3.0f64),
    )
        .prop_map(|(a, b, c, d)| UltimatumInputs {
            terms: a.0,
            terms_status_quo: a.1,
            client_ideal_terms: a.2,
            value_integration_patron: a.3,
            resolve_patron: a.4,
            sovereignty_cost_client: a.5,
            subsidy_pct_gdp: a.6,
            gdp_usd_bn: a.7,
            subsidy_recapture: b.0,
            coercion_cost_patron: b.1,
            pressure_cost_patron: b.2,
            pressure_cost_client: b.3,
            audience_cost_patron: b.4,
            audience_cost_client: b.5,
            conflict_appetite_client: b.6,
            open_conflict_cost_client: b.7,
            p_western_support: c.0,
            p_china_support: c.1,
            support_value_client: c.2,
            drift_loss_patron: c.3,
            p_intervention_success: c.4,
            intervention_cost_patron: c.5,
            regime_loss_client: c.6,
            side_payment: d.0,
            signing_cost_client: d.1,
            sovereignty_convexity: d.2,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any inputs in the documented ranges build a valid perfect-information game whose SPE
    /// reaches scenarios with total probability 1 and whose backward-induction payoffs equal
    /// the expected payoffs of the profile.
    #[test]
    fn any_documented_inputs_build_and_solve(i in inputs_strategy()) {
        let g = try_ultimatum(&i).unwrap();
        prop_assert!(g.is_perfect_information());
        let sol = BackwardInduction::default().solve_values(&g).unwrap();
        let u = expected_payoffs(&g, &sol.profile).unwrap();
        prop_assert!((u[0] - sol.payoffs()[0]).abs() < 1e-9);
        prop_assert!((u[1] - sol.payoffs()[1]).abs() < 1e-9);
        let eq = solve_ultimatum(&i);
        let total: f64 = eq.outcome_type_probabilities.iter().map(|(_, p)| p).sum();
        prop_assert!((total - 1.0).abs() < 1e-9);
        prop_assert!(OUTCOME_TYPES.contains(&eq.outcome_type.as_str()));
        for o in &eq.outcomes {
            prop_assert!(OUTCOME_TYPES.contains(&o.outcome_type.as_str()));
        }
        let back = Game::from_efg(&g.to_efg()).unwrap();
        prop_assert_eq!(back.num_nodes(), g.num_nodes());
    }

    /// IIG payoffs from any utilities build and solve.
    #[test]
    fn any_iig_utilities_build_and_solve(
        stake in 0.0..20.0f64, neg in -10.0..10.0f64, ca in 0.0..10.0f64, cb in 0.0..10.0f64,
        m in 0.0..5.0f64, p in 0.0..=1.0f64, fs in 0.0..0.5f64, wa in 0.0..20.0f64, wb in 0.0..20.0f64,
    ) {
        let u = IigUtilities {
            stake, negotiated_gain_a: neg, capitulation_cost_a: ca, capitulation_cost_b: cb,
            mobilisation_cost: m, p_a_wins: p, first_strike: fs, war_cost_a: wa, war_cost_b: wb,
        };
        let g = iig(&IigInputs::from_utilities(&u)).unwrap();
        prop_assert_eq!(g.num_nodes(), 25);
        prop_assert!(BackwardInduction::default().solve(&g).is_ok());
    }
}

/// Time to build and solve (SPE) the ultimatum template. Run with
/// `cargo test --release -p leverage-games --test templates -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_ultimatum_build_and_spe() {
    use std::time::Instant;
    let inputs = UltimatumInputs::example();
    let n = 20_000;
    let mut sink = 0.0;
    let t = Instant::now();
    for k in 0..n {
        let i = UltimatumInputs {
            subsidy_pct_gdp: (k % 100) as f64 / 10.0,
            ..inputs
        };
        let g = ultimatum(&i);
        sink += g.num_nodes() as f64;
    }
    let build = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    let t = Instant::now();
    for k in 0..n {
        let i = UltimatumInputs {
            subsidy_pct_gdp: (k % 100) as f64 / 10.0,
            ..inputs
        };
        let g = ultimatum(&i);
        let sol = BackwardInduction::default().solve_values(&g).unwrap();
        sink += sol.payoffs()[0];
    }
    let both = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    let t = Instant::now();
    for k in 0..n {
        let i = UltimatumInputs {
            subsidy_pct_gdp: (k % 100) as f64 / 10.0,
            ..inputs
        };
        sink += solve_ultimatum(&i).payoffs[1];
    }
    let full = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    // SPE and the logit QRE (λ = 1, and the limit), as in one Monte Carlo draw.
    let t = Instant::now();
    for k in 0..n {
        let i = UltimatumInputs {
            subsidy_pct_gdp: (k % 100) as f64 / 10.0,
            ..inputs
        };
        sink += solve_ultimatum(&i).payoffs[1];
        let g = ultimatum(&i);
        let q = leverage_games::qre::logit_at(&g, 1.0).unwrap();
        sink += q.profile.as_flat()[0];
        let q = leverage_games::qre::logit_limit(&g, &Default::default()).unwrap();
        sink += q.profile.as_flat()[0];
    }
    let with_qre = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!(
        "ultimatum (35 nodes): build {build:.2} µs, build + SPE {both:.2} µs, solve_ultimatum (build + SPE + outcome table) {full:.2} µs, solve_ultimatum + QRE at λ = 1 + QRE limit {with_qre:.2} µs  [{sink:.0}]"
    );
    assert!(both < 1000.0);
    assert!(with_qre < 1000.0);
}
