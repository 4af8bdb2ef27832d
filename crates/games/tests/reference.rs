//! The four reference games of `tests/fixtures/games` against the answers in their README and
//! in Gambit's solution files.

use leverage_games::*;

const A: &str = include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg");
const B: &str = include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg");
const B2: &str = include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg");
const C: &str = include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg");
const A_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/a_escalation_pi.txt");
const B_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b_iig_bdml.txt");
const B2_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b2_iig_preemption.txt");

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// The equilibrium path: (information set label, action label) from the root.
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
    let (node, p) = dist.iter().copied().find(|(_, p)| *p > 0.5).unwrap();
    assert!(close(p, 1.0));
    game.outcome(game.node(node).outcome.unwrap()).label.clone()
}

/// Parses the "choices:" line of the "Own backward induction" block of a solution file.
fn reference_choices(solution: &str) -> Vec<(String, String)> {
    let line = solution
        .lines()
        .find(|l| l.trim_start().starts_with("choices:"))
        .expect("a choices line");
    line.trim_start()
        .trim_start_matches("choices:")
        .split(';')
        .map(|c| {
            let (h, a) = c.trim().split_once("->").unwrap();
            (h.to_string(), a.to_string())
        })
        .collect()
}

fn check_choices(game: &Game, profile: &Profile, solution: &str) {
    let choices = reference_choices(solution);
    assert_eq!(choices.len(), game.num_personal_infosets());
    for (label, action) in choices {
        let h = (0..game.num_players())
            .find_map(|p| game.infoset_by_label(p, &label))
            .unwrap_or_else(|| panic!("information set {label}"));
        let a = profile.pure_choice(h).unwrap();
        assert_eq!(game.infoset(h).actions[a], action, "at {label}");
    }
}

#[test]
fn game_a_spe_path_and_payoffs() {
    let game = Game::from_efg(A).unwrap();
    assert!(game.is_perfect_information());
    assert_eq!(game.num_nodes(), 22);
    assert_eq!(game.num_personal_infosets(), 10);
    let sol = BackwardInduction::default().solve_values(&game).unwrap();
    assert_eq!(
        path(&game, &sol.profile),
        vec![
            ("R1".into(), "Ultimatum".into()),
            ("B1".into(), "SeekSupport".into()),
            ("R2W".into(), "Relent".into())
        ]
    );
    assert_eq!(sol.payoffs(), &[1.0, 1.0]);
    assert_eq!(
        expected_payoffs(&game, &sol.profile).unwrap(),
        vec![1.0, 1.0]
    );
    assert_eq!(terminal_outcome(&game, &sol.profile), "Relent_W");
    check_choices(&game, &sol.profile, A_SOL);
}

#[test]
fn game_a_exactly_one_pure_spe() {
    // Gambit finds 5 pure Nash equilibria, one of them subgame perfect.
    let game = Game::from_efg(A).unwrap();
    let all = enumerate_pure_spe(&game).unwrap();
    assert_eq!(all.len(), 1);
    let bi = BackwardInduction::default().solve(&game).unwrap();
    assert_eq!(all, bi);
    // Every tie rule gives the same answer when payoffs are generic.
    for tie in [TieRule::FirstAction, TieRule::LastAction, TieRule::Uniform] {
        assert_eq!(BackwardInduction::new(tie).solve(&game).unwrap(), bi);
    }
}

#[test]
fn game_b_spe_is_acq_b() {
    let game = Game::from_efg(B).unwrap();
    let sol = BackwardInduction::default().solve_values(&game).unwrap();
    assert_eq!(terminal_outcome(&game, &sol.profile), "ACQ_B");
    assert_eq!(sol.payoffs(), &[10.0, -10.0]);
    assert_eq!(
        expected_payoffs(&game, &sol.profile).unwrap(),
        vec![10.0, -10.0]
    );
    check_choices(&game, &sol.profile, B_SOL);
    assert_eq!(enumerate_pure_spe(&game).unwrap(), vec![sol.profile]);
}

#[test]
fn game_b2_spe_is_preemptive_war() {
    let game = Game::from_efg(B2).unwrap();
    let sol = BackwardInduction::default().solve_values(&game).unwrap();
    assert_eq!(terminal_outcome(&game, &sol.profile), "WAR_A_5");
    assert_eq!(sol.payoffs(), &[-9.0, -9.0]);
    check_choices(&game, &sol.profile, B2_SOL);
    assert_eq!(enumerate_pure_spe(&game).unwrap(), vec![sol.profile]);
}

#[test]
fn game_c_refused_by_backward_induction() {
    let game = Game::from_efg(C).unwrap();
    assert!(!game.is_perfect_information());
    let err = BackwardInduction::default().solve(&game).unwrap_err();
    match &err {
        SolveError::NotPerfectInformation {
            infoset,
            player,
            nodes,
        } => {
            assert_eq!(infoset, "1 \"Russia demand\"");
            assert_eq!(player, "Russia");
            assert_eq!(*nodes, 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("perfect information"));
    assert!(matches!(
        enumerate_pure_spe(&game),
        Err(SolveError::NotPerfectInformation { .. })
    ));
}

/// The README's sequential equilibrium of game c.
fn game_c_equilibrium(game: &Game) -> Profile {
    let russia = game.player_by_name("Russia").unwrap();
    let belarus = game.player_by_name("Belarus").unwrap();
    let mut p = Profile::uniform(game);
    let mut set = |player: usize, label: &str, probs: &[f64]| {
        let h = game.infoset_by_label(player, label).unwrap();
        p.set(h, probs).unwrap();
    };
    set(russia, "Russia demand", &[0.0, 0.0, 1.0]); // Demand7
    set(russia, "Russia after resist 3", &[1.0 / 4.0, 3.0 / 4.0]); // Fight w.p. 1/4
    set(russia, "Russia after resist 7", &[7.0 / 12.0, 5.0 / 12.0]); // Fight w.p. 7/12
    set(belarus, "Resolved Belarus, demand 3", &[0.0, 1.0]); // resolved resists
    set(belarus, "Resolved Belarus, demand 7", &[0.0, 1.0]);
    set(
        belarus,
        "Unresolved Belarus, demand 3",
        &[11.0 / 12.0, 1.0 / 12.0],
    ); // resists w.p. 1/12
    set(
        belarus,
        "Unresolved Belarus, demand 7",
        &[11.0 / 12.0, 1.0 / 12.0],
    );
    p
}

#[test]
fn game_c_sequential_equilibrium_payoffs_and_war_probability() {
    let game = Game::from_efg(C).unwrap();
    let p = game_c_equilibrium(&game);
    let pay = expected_payoffs(&game, &p).unwrap();
    assert!(close(pay[0], 9.0 / 2.0), "{pay:?}");
    assert!(close(pay[1], 25.0 / 6.0), "{pay:?}");
    let dist = outcome_distribution(&game, &p).unwrap();
    assert!(close(dist.iter().map(|(_, q)| q).sum::<f64>(), 1.0));
    let war: f64 = dist
        .iter()
        .filter(|(n, _)| {
            game.outcome(game.node(*n).outcome.unwrap())
                .label
                .starts_with("War")
        })
        .map(|(_, q)| q)
        .sum();
    assert!(close(war, 35.0 / 192.0), "{war}");
    // Gambit's gnm solver reports Accept7_Unresolved 0.6875 and War7_Resolved 0.145833.
    let prob_of = |label: &str| {
        dist.iter()
            .find(|(n, _)| game.outcome(game.node(*n).outcome.unwrap()).label == label)
            .unwrap()
            .1
    };
    assert!(close(prob_of("Accept7_Unresolved"), 0.6875));
    assert!(close(prob_of("War7_Resolved"), 7.0 / 48.0));
}

#[test]
fn game_c_profile_order_is_gambits() {
    let game = Game::from_efg(C).unwrap();
    let labels: Vec<&str> = game
        .personal_infosets()
        .iter()
        .map(|h| h.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Russia demand",
            "Russia after resist 3",
            "Russia after resist 7",
            "Resolved Belarus, demand 3",
            "Resolved Belarus, demand 7",
            "Unresolved Belarus, demand 3",
            "Unresolved Belarus, demand 7"
        ]
    );
    assert_eq!(game.num_profile_actions(), 15);
}

/// No player gains by changing their action at a single information set (agent-form Nash).
#[test]
fn game_c_equilibrium_has_no_profitable_one_infoset_deviation() {
    let game = Game::from_efg(C).unwrap();
    let p = game_c_equilibrium(&game);
    let base = expected_payoffs(&game, &p).unwrap();
    for (hi, inf) in game.personal_infosets().iter().enumerate() {
        let Mover::Player(pl) = inf.mover else {
            unreachable!()
        };
        for a in 0..inf.actions.len() {
            let mut q = p.clone();
            let mut probs = vec![0.0; inf.actions.len()];
            probs[a] = 1.0;
            q.set(InfosetId(hi as u32), &probs).unwrap();
            let dev = expected_payoffs(&game, &q).unwrap();
            assert!(
                dev[pl] <= base[pl] + 1e-12,
                "{} {}: {} > {}",
                inf.label,
                inf.actions[a],
                dev[pl],
                base[pl]
            );
        }
    }
}
