//! Building games: every problem reported at once; solver properties on random trees.

use leverage_games::*;
use proptest::prelude::*;

#[test]
fn build_reports_every_problem() {
    let mut b = GameBuilder::new("broken", ["A", "B"]);
    let root = b.chance(At::Root, "nature", [("x", -0.5), ("y", 1.0)]);
    let h = b.infoset(0, "h", &["L", "R"]);
    let n1 = b.node(At::Child(root, 0), "", h);
    b.leaf(At::Child(n1, 0), "o1", [1, 2]);
    b.leaf(At::Child(n1, 1), "o2", [1]); // one payoff short
    b.node_declaring(
        At::Child(root, 1),
        "",
        h,
        vec!["L".into(), "R".into(), "M".into()],
        None,
    );
    b.leaf(At::Child(root, 1), "again", [0, 0]); // slot taken
    b.leaf(At::Child(n1, 5), "nowhere", [0, 0]); // no such action
    b.leaf(At::Root, "second root", [0, 0]);
    let errors = b.build().unwrap_err();
    let has = |f: &dyn Fn(&GameError) -> bool| errors.iter().any(f);
    assert!(
        has(&|e| matches!(e, GameError::ChanceProbabilityInvalid { value, .. } if *value == -0.5)),
        "{errors:#?}"
    );
    assert!(has(&|e| matches!(
        e,
        GameError::PayoffCount {
            found: 1,
            expected: 2,
            ..
        }
    )));
    assert!(has(&|e| matches!(
        e,
        GameError::ActionCountMismatch {
            expected: 2,
            found: 3,
            ..
        }
    )));
    assert!(has(&|e| matches!(e, GameError::SlotTaken { .. })));
    assert!(has(&|e| matches!(
        e,
        GameError::NoSuchAction { action: 5, .. }
    )));
    assert!(has(&|e| matches!(e, GameError::SecondRoot { .. })));
    assert!(has(&|e| matches!(e, GameError::MissingChild { .. })));
    for e in &errors {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn empty_and_playerless_games_are_refused() {
    let b = GameBuilder::new("empty", ["A"]);
    assert_eq!(b.build().unwrap_err(), vec![GameError::EmptyTree]);
    let mut b = GameBuilder::new("nobody", Vec::<String>::new());
    b.terminal(At::Root, "", None);
    assert_eq!(b.build().unwrap_err(), vec![GameError::NoPlayers]);
}

#[test]
fn probabilities_must_sum_to_one() {
    let mut b = GameBuilder::new("chance", ["A"]);
    let root = b.chance(At::Root, "n", [("x", 0.5), ("y", 0.4)]);
    b.leaf(At::Child(root, 0), "x", [1]);
    b.leaf(At::Child(root, 1), "y", [0]);
    let errors = b.build().unwrap_err();
    assert!(
        matches!(errors[..], [GameError::ChanceProbabilitiesSum { sum, .. }] if (sum - 0.9).abs() < 1e-12)
    );

    // Exact thirds sum to one; 1e-10 off is within tolerance.
    let mut b = GameBuilder::new("chance", ["A"]);
    let third = Number::from(Rational::new(1, 3).unwrap());
    let root = b.chance(
        At::Root,
        "n",
        [("x", third.clone()), ("y", third.clone()), ("z", third)],
    );
    for a in 0..3 {
        b.leaf(At::Child(root, a), "o", [a as i64]);
    }
    let game = b.build().unwrap();
    let e = expected_payoffs(&game, &Profile::uniform(&game)).unwrap();
    assert!((e[0] - 1.0).abs() < 1e-12);
}

#[test]
fn ties_follow_the_stated_rule() {
    // Player 0 is indifferent between L and R; R leads to player 1 choosing between two
    // outcomes that also tie for player 1.
    let mut b = GameBuilder::new("ties", ["A", "B"]);
    let root = b.decision(At::Root, 0, "a", &["L", "R"]);
    b.leaf(At::Child(root, 0), "l", [1, 0]);
    let n = b.decision(At::Child(root, 1), 1, "b", &["x", "y"]);
    b.leaf(At::Child(n, 0), "x", [1, 5]);
    b.leaf(At::Child(n, 1), "y", [3, 5]);
    let game = b.build().unwrap();
    let first = BackwardInduction::new(TieRule::FirstAction)
        .solve_values(&game)
        .unwrap();
    assert_eq!(first.profile.as_flat(), &[1.0, 0.0, 1.0, 0.0]);
    assert_eq!(first.payoffs(), &[1.0, 0.0]);
    let last = BackwardInduction::new(TieRule::LastAction)
        .solve_values(&game)
        .unwrap();
    assert_eq!(last.profile.as_flat(), &[0.0, 1.0, 0.0, 1.0]);
    assert_eq!(last.payoffs(), &[3.0, 5.0]);
    let uniform = BackwardInduction::new(TieRule::Uniform)
        .solve_values(&game)
        .unwrap();
    // B mixes ½–½ (A's value of R is 2), so A strictly prefers R.
    assert_eq!(uniform.profile.as_flat(), &[0.0, 1.0, 0.5, 0.5]);
    assert_eq!(uniform.payoffs(), &[2.0, 5.0]);
    // Pure SPEs: B picks x (then A: L or R tie → 2 SPEs) or y (A: R) → 3.
    let all = enumerate_pure_spe(&game).unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&first.profile) && all.contains(&last.profile));
    assert!(matches!(
        enumerate_pure_spe_limited(&game, 2, 1e-9),
        Err(SolveError::TooManyEquilibria { limit: 2, .. })
    ));
}

#[test]
fn deep_chain_does_not_overflow_the_stack() {
    // A 200 000-deep centipede: recursion would overflow.
    let depth = 200_000;
    let mut b = GameBuilder::new("centipede", ["A", "B"]);
    let mut at = At::Root;
    for i in 0..depth {
        let n = b.decision(at, i % 2, "", &["take", "pass"]);
        b.leaf(At::Child(n, 0), "", [i as i64 % 3, (i as i64 + 1) % 3]);
        at = At::Child(n, 1);
    }
    b.leaf(at, "end", [1, 1]);
    let game = b.build().unwrap();
    let sol = BackwardInduction::default().solve_values(&game).unwrap();
    assert_eq!(sol.profile.num_infosets(), depth);
    let text = game.to_efg();
    assert_eq!(Game::from_efg(&text).unwrap(), game);
}

/// A random perfect-information game with chance nodes and outcomes on inner nodes.
fn random_game(seed: u64, target: usize, players: usize) -> Game {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rnd = move |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    let names: Vec<String> = (0..players).map(|p| format!("P{p}")).collect();
    let mut b = GameBuilder::new("random", names);
    let mut slots = vec![At::Root];
    let mut made = 0;
    while let Some(at) = slots.pop() {
        let k = 2 + rnd(2) as usize;
        if made + slots.len() + k < target && rnd(5) != 0 {
            let n = if rnd(6) == 0 {
                let acts: Vec<(String, Number)> = (0..k)
                    .map(|a| {
                        (
                            format!("c{a}"),
                            Number::from(Rational::new(1, k as i64).unwrap()),
                        )
                    })
                    .collect();
                b.chance(at, "", acts)
            } else {
                let acts: Vec<String> = (0..k).map(|a| format!("a{a}")).collect();
                b.decision(at, rnd(players as u64) as usize, "", &acts)
            };
            if rnd(8) == 0 {
                let o = b.outcome("inner", (0..players).map(|_| rnd(3) as i64 - 1));
                b.set_outcome(n, Some(o));
            }
            for a in (0..k).rev() {
                slots.push(At::Child(n, a));
            }
        } else {
            b.leaf(at, "", (0..players).map(|_| rnd(4) as i64));
        }
        made += 1;
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn backward_induction_is_among_the_pure_spes(seed in any::<u64>(), size in 1usize..60, players in 1usize..4) {
        let game = random_game(seed, size, players);
        let bi = BackwardInduction::default().solve_values(&game).unwrap();
        // Its values are the expected payoffs of the profile.
        let e = expected_payoffs(&game, &bi.profile).unwrap();
        for (a, b) in e.iter().zip(bi.payoffs()) {
            prop_assert!((a - b).abs() < 1e-9);
        }
        let last = BackwardInduction::new(TieRule::LastAction).solve(&game).unwrap();
        let uniform = BackwardInduction::new(TieRule::Uniform).solve_values(&game).unwrap();
        let eu = expected_payoffs(&game, &uniform.profile).unwrap();
        for (a, b) in eu.iter().zip(uniform.payoffs()) {
            prop_assert!((a - b).abs() < 1e-9);
        }
        match enumerate_pure_spe_limited(&game, 5000, 1e-9) {
            Ok(all) => {
                prop_assert!(all.contains(&bi.profile));
                prop_assert!(all.contains(&last[0]));
                // Each is a pure SPE: in particular no profitable one-node deviation.
                for p in all.iter().take(20) {
                    let base = expected_payoffs(&game, p).unwrap();
                    for (hi, inf) in game.personal_infosets().iter().enumerate() {
                        let Mover::Player(pl) = inf.mover else { continue };
                        let reach = reach_probabilities(&game, p).unwrap()[inf.nodes[0].index()];
                        if reach == 0.0 { continue; }
                        for a in 0..inf.actions.len() {
                            let mut q = p.clone();
                            let mut probs = vec![0.0; inf.actions.len()];
                            probs[a] = 1.0;
                            q.set(InfosetId(hi as u32), &probs).unwrap();
                            prop_assert!(expected_payoffs(&game, &q).unwrap()[pl] <= base[pl] + 1e-9);
                        }
                    }
                }
            }
            Err(SolveError::TooManyEquilibria { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
        // Round trip through .efg.
        prop_assert_eq!(Game::from_efg(&game.to_efg()).unwrap(), game);
    }
}
