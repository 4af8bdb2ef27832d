//! The sequence-form LCP (Lemke) solver and the regret measures, against pygambit 16.7.0's
//! answers in `tests/fixtures/games/solutions` (see the README there), random games and a
//! timing ladder.

use leverage_games::lcp::{Lcp, SequenceForm, agent_regret, infoset_regrets, max_regret, regrets};
use leverage_games::*;
use proptest::prelude::*;
use std::collections::HashMap;

const A: &str = include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg");
const B: &str = include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg");
const B2: &str = include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg");
const C: &str = include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg");
const A_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/a_escalation_pi.txt");
const B_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b_iig_bdml.txt");
const B2_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/b2_iig_preemption.txt");
const C_SOL: &str = include_str!("../../../tests/fixtures/games/solutions/c_crisis_incomplete.txt");

fn games() -> Vec<(&'static str, Game, &'static str)> {
    vec![
        ("a", Game::from_efg(A).unwrap(), A_SOL),
        ("b", Game::from_efg(B).unwrap(), B_SOL),
        ("b2", Game::from_efg(B2).unwrap(), B2_SOL),
        ("c", Game::from_efg(C).unwrap(), C_SOL),
    ]
}

fn parse_number(s: &str) -> f64 {
    match s.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().unwrap() / d.trim().parse::<f64>().unwrap(),
        None => s.trim().parse().unwrap(),
    }
}

/// One equilibrium as pygambit printed it: its `max_regret`, `agent_max_regret` (if printed)
/// and the behaviour profile (absent for strategic-form answers).
struct Printed {
    max_regret: f64,
    agent_max_regret: Option<f64>,
    profile: Option<Profile>,
}

/// The equilibria printed under the section `== <header>` of a solution file.
fn printed(game: &Game, solution: &str, header: &str) -> Vec<Printed> {
    let mut lines = solution
        .lines()
        .skip_while(|l| l.trim() != format!("== {header}"));
    lines.next().unwrap_or_else(|| panic!("section {header}"));
    let mut out: Vec<Printed> = Vec::new();
    let mut probs: Option<Vec<f64>> = None;
    let finish = |out: &mut Vec<Printed>, probs: &mut Option<Vec<f64>>| {
        if let (Some(last), Some(mut p)) = (out.last_mut(), probs.take()) {
            // Printed probabilities may be rounded (6 digits): renormalise each set.
            for hi in 0..game.num_personal_infosets() {
                let h = InfosetId(hi as u32);
                let off = game.profile_offset(h).unwrap();
                let k = game.infoset(h).actions.len();
                let t: f64 = p[off..off + k].iter().sum();
                p[off..off + k].iter_mut().for_each(|x| *x /= t);
            }
            last.profile = Some(Profile::from_flat(game, p).unwrap());
        }
    };
    for line in lines {
        let t = line.trim();
        if t.starts_with("== ") {
            break;
        }
        if let Some(rest) = t.strip_prefix("eq ") {
            finish(&mut out, &mut probs);
            let v = rest.split("max_regret=").nth(1).unwrap();
            let v = v.split_whitespace().next().unwrap();
            out.push(Printed {
                max_regret: parse_number(v),
                agent_max_regret: None,
                profile: None,
            });
        } else if let Some(v) = t.strip_prefix("agent_max_regret=") {
            out.last_mut().unwrap().agent_max_regret = Some(parse_number(v));
        } else if !t.starts_with("beliefs") && t.contains("]: ") && !out.is_empty() {
            let (who, rest) = t.split_once('[').unwrap();
            let (label, acts) = rest.split_once("]: ").unwrap();
            let player = game.player_by_name(who.trim()).unwrap();
            let h = game.infoset_by_label(player, label).unwrap();
            let p = probs.get_or_insert_with(|| vec![0.0; game.num_profile_actions()]);
            let off = game.profile_offset(h).unwrap();
            let inf = game.infoset(h);
            for item in acts.split(", ") {
                let (name, v) = item.split_once('=').unwrap();
                let a = inf.actions.iter().position(|x| x == name).unwrap();
                p[off + a] = parse_number(v);
            }
        }
    }
    finish(&mut out, &mut probs);
    out
}

fn gambit_lcp(game: &Game, solution: &str) -> Profile {
    let eqs = printed(game, solution, "gbt.nash.lcp_solve(g, rational=True)");
    assert_eq!(eqs.len(), 1);
    eqs.into_iter().next().unwrap().profile.unwrap()
}

fn max_diff(a: &Profile, b: &Profile) -> f64 {
    a.as_flat()
        .iter()
        .zip(b.as_flat())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn lcp_finds_a_nash_equilibrium_of_each_reference_game() {
    for (name, game, solution) in games() {
        let sol = Lcp::default().solve_game(&game).unwrap();
        let regret = max_regret(&game, &sol.profile);
        let pay = expected_payoffs(&game, &sol.profile).unwrap();
        let gambit = gambit_lcp(&game, solution);
        println!(
            "{name}: {} pivots, LCP dimension {}, max_regret {regret:e}, payoffs {pay:?}, \
             max |ours − Gambit's lcp| = {:e}\n  ours:   {:?}\n  Gambit: {:?}",
            sol.pivots,
            sol.dimension,
            max_diff(&sol.profile, &gambit),
            sol.profile.as_flat(),
            gambit.as_flat()
        );
        assert!(regret <= 1e-9, "{name}: max regret {regret}");
        // Through the Solver trait too.
        let via_trait = Lcp::default().solve(&game).unwrap();
        assert_eq!(via_trait, vec![sol.profile.clone()]);
        assert_eq!(Lcp::default().name(), "lcp");
    }
}

/// pygambit 16.7.0 printed several equilibria of different payoffs for every reference game
/// (game a: 5 pure NE; b, b2: several from `lcp_solve(use_strategic=True)`; c: 25 extreme
/// equilibria of `enummixed` with payoffs (3, 7), (7/4, 15/2) and (9/2, 25/6)), so no reference
/// game has a unique equilibrium and "equal to Gambit's where unique" never applies. Which
/// equilibrium Lemke finds depends on its start and tie-breaking; ours starts where Gambit's
/// does (player 1's empty-sequence row, covering vector of ones, the same payoff shift) and
/// reproduces Gambit's `lcp` profile on all four games, which this test pins (to 1e-9).
#[test]
fn lcp_reproduces_gambits_lcp_profiles() {
    for (name, game, solution) in games() {
        let ours = Lcp::default().solve_game(&game).unwrap().profile;
        let gambit = gambit_lcp(&game, solution);
        assert!(
            max_diff(&ours, &gambit) <= 1e-9,
            "{name}: ours {:?} Gambit {:?}",
            ours.as_flat(),
            gambit.as_flat()
        );
    }
}

/// Game c: the README's unique sequential equilibrium has payoffs (9/2, 25/6), but the Nash
/// equilibrium outcome is not unique (pygambit's `enummixed` also finds payoffs (3, 7) and
/// (7/4, 15/2)), so the LCP result is only required to be a Nash equilibrium. It happens to be
/// the sequential equilibrium's outcome (as Gambit's lcp result is): payoffs (9/2, 25/6).
#[test]
fn game_c_lcp_result() {
    let game = Game::from_efg(C).unwrap();
    let all = printed(&game, C_SOL, "gbt.nash.enummixed_solve(g, rational=True)");
    assert!(all.len() >= 10);
    assert!(C_SOL.contains("expected payoffs: Russia=3, Belarus=7"));
    assert!(C_SOL.contains("expected payoffs: Russia=7/4, Belarus=15/2"));
    let sol = Lcp::default().solve_game(&game).unwrap();
    assert!(max_regret(&game, &sol.profile) <= 1e-9);
    let pay = expected_payoffs(&game, &sol.profile).unwrap();
    assert!((pay[0] - 4.5).abs() < 1e-9, "{pay:?}");
    assert!((pay[1] - 25.0 / 6.0).abs() < 1e-9, "{pay:?}");
    // Every information set it reaches is played optimally given beliefs; the belief that
    // Belarus is resolved after a resisted demand of 7 is 4/5 (README).
    assert!(agent_regret(&game, &sol.profile) <= 1e-9);
    let h = game.infoset_by_label(0, "Russia after resist 7").unwrap();
    let reach = reach_probabilities(&game, &sol.profile).unwrap();
    let nodes = &game.infoset(h).nodes;
    let total: f64 = nodes.iter().map(|n| reach[n.index()]).sum();
    assert!((reach[nodes[0].index()] / total - 0.8).abs() < 1e-9);
}

/// Our `max_regret` (and `agent_regret`, where pygambit printed `agent_max_regret`) agree with
/// pygambit 16.7.0's on every behaviour profile printed in the solution files: pure agent
/// equilibria that are not Nash (regrets 3, 4, …), Gambit's lcp results (0) and logit end
/// points (rounded to 6 digits in print, hence the looser tolerance there).
#[test]
fn max_regret_matches_pygambit() {
    let mut checked = 0;
    for (name, game, solution) in games() {
        for (header, tol) in [
            ("gbt.nash.enumpure_agent_solve(g)", 1e-12),
            ("gbt.nash.lcp_solve(g, rational=True)", 1e-12),
            ("gbt.nash.logit_solve(g)", 2e-5),
        ] {
            for (i, eq) in printed(&game, solution, header).iter().enumerate() {
                let Some(profile) = &eq.profile else { continue };
                let ours = max_regret(&game, profile);
                assert!(
                    (ours - eq.max_regret).abs() <= tol,
                    "{name} {header} eq {}: ours {ours}, pygambit {}",
                    i + 1,
                    eq.max_regret
                );
                // pygambit's agent_max_regret is the conditional gain at a reached set given
                // Bayes beliefs, like ours (game c's logit point: 0.000739078).
                if let Some(agent) = eq.agent_max_regret {
                    let ours = agent_regret(&game, profile);
                    assert!(
                        (ours - agent).abs() <= tol,
                        "{name} {header} eq {}: agent regret ours {ours}, pygambit {agent}",
                        i + 1
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "{checked}");
}

#[test]
fn lcp_rejects_games_without_two_players() {
    for players in [1usize, 3] {
        let names: Vec<String> = (0..players).map(|p| format!("P{p}")).collect();
        let mut b = GameBuilder::new("t", names);
        let r = b.decision(At::Root, 0, "", &["x", "y"]);
        b.leaf(At::Child(r, 0), "", vec![1i64; players]);
        b.leaf(At::Child(r, 1), "", vec![0i64; players]);
        let game = b.build().unwrap();
        let err = Lcp::default().solve_game(&game).unwrap_err();
        assert!(err.to_string().contains("two-player"), "{err}");
        assert!(
            err.to_string().contains(&format!("{players} player")),
            "{err}"
        );
        // Through the Solver trait the reason comes back as an error, not an empty list.
        let e = Lcp::default().solve(&game).unwrap_err();
        assert!(
            matches!(
                e,
                leverage_games::SolveError::Unsupported { solver: "lcp", .. }
            ),
            "{e}"
        );
        // The regret measures work for any number of players.
        let bi = BackwardInduction::default().solve(&game).unwrap();
        assert_eq!(max_regret(&game, &bi[0]), 0.0);
        let uniform = Profile::uniform(&game);
        assert!((max_regret(&game, &uniform) - 0.5).abs() < 1e-12);
        assert!((agent_regret(&game, &uniform) - 0.5).abs() < 1e-12);
    }
}

/// Matching pennies with simultaneous moves (player 2 does not see player 1's choice): the
/// unique equilibrium is ½–½ for both.
#[test]
fn matching_pennies() {
    let mut b = GameBuilder::new("mp", ["P1", "P2"]);
    let r = b.decision(At::Root, 0, "p1", &["H", "T"]);
    let h2 = b.infoset(1, "p2", &["H", "T"]);
    for a in 0..2 {
        let n = b.node(At::Child(r, a), "", h2);
        for c in 0..2 {
            let w: i64 = if a == c { 1 } else { -1 };
            b.leaf(At::Child(n, c), "", [w, -w]);
        }
    }
    let game = b.build().unwrap();
    let sol = Lcp::default().solve_game(&game).unwrap();
    for p in sol.profile.as_flat() {
        assert!((p - 0.5).abs() < 1e-12);
    }
    assert_eq!(regrets(&game, &sol.profile), vec![0.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// Random games.

/// A random two-player game of about `target` nodes. With `imperfect`, decision nodes of a
/// player that follow the same own sequence and have the same number of actions are often put
/// into one information set (which keeps perfect recall).
fn random_game(seed: u64, target: usize, imperfect: bool) -> Game {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rnd = move |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    let mut b = GameBuilder::new("random", ["P1", "P2"]);
    // Slot: where, and each player's own last (information set, action) as a key.
    let mut slots: Vec<(At, [usize; 2])> = vec![(At::Root, [0, 0])];
    let mut open: HashMap<(usize, usize, usize), Vec<InfosetRef>> = HashMap::new();
    let mut made = 0;
    while let Some((at, own)) = slots.pop() {
        let k = 2 + rnd(2) as usize;
        if made + slots.len() + k < target && rnd(6) != 0 {
            let (n, mover) = if rnd(6) == 0 {
                let w: Vec<i64> = (0..k).map(|_| 1 + rnd(3) as i64).collect();
                let total: i64 = w.iter().sum();
                let acts: Vec<(String, Number)> = w
                    .iter()
                    .enumerate()
                    .map(|(a, &x)| {
                        (
                            format!("c{a}"),
                            Number::from(Rational::new(x, total).unwrap()),
                        )
                    })
                    .collect();
                (b.chance(at, "", acts), None)
            } else {
                let p = rnd(2) as usize;
                let key = (p, own[p], k);
                let list = open.entry(key).or_default();
                let h = if imperfect && !list.is_empty() && rnd(3) != 0 {
                    list[rnd(list.len() as u64) as usize]
                } else {
                    let acts: Vec<String> = (0..k).map(|a| format!("a{a}")).collect();
                    let h = b.infoset(p, "", &acts);
                    open.get_mut(&key).unwrap().push(h);
                    h
                };
                (b.node(at, "", h), Some((p, h)))
            };
            if rnd(8) == 0 {
                let o = b.outcome("inner", [rnd(3) as i64 - 1, rnd(3) as i64 - 1]);
                b.set_outcome(n, Some(o));
            }
            for a in (0..k).rev() {
                let mut child = own;
                if let Some((p, h)) = mover {
                    child[p] = 1 + h.0 * 4 + a;
                }
                slots.push((At::Child(n, a), child));
            }
        } else if rnd(10) == 0 {
            b.terminal(at, "", None);
        } else {
            b.leaf(at, "", [rnd(7) as i64 - 3, rnd(7) as i64 - 3]);
        }
        made += 1;
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn lcp_result_is_a_nash_equilibrium(seed in any::<u64>(), size in 1usize..200, imperfect in any::<bool>()) {
        let game = random_game(seed, size, imperfect);
        let sol = Lcp::default().solve_game(&game).unwrap();
        let regret = max_regret(&game, &sol.profile);
        prop_assert!(regret <= 1e-8, "max regret {regret}");
        // A Nash equilibrium plays optimally at every information set it reaches: the
        // conditional gain there, weighted by the probability of reaching the set, is at most
        // the (zero) ex-ante regret.
        let reach = reach_probabilities(&game, &sol.profile).unwrap();
        for (hi, r) in infoset_regrets(&game, &sol.profile).iter().enumerate() {
            if let Some(r) = r {
                let inf = game.infoset(InfosetId(hi as u32));
                let p: f64 = inf.nodes.iter().map(|n| reach[n.index()]).sum();
                prop_assert!(p * r <= 1e-8, "infoset {hi}: reach {p}, regret {r}");
            }
        }
        if game.is_perfect_information() {
            // Oracle: backward induction's profile is an equilibrium, so its regret is zero.
            for tie in [TieRule::FirstAction, TieRule::LastAction, TieRule::Uniform] {
                let bi = BackwardInduction::new(tie).solve(&game).unwrap();
                prop_assert!(max_regret(&game, &bi[0]) <= 1e-9);
                prop_assert!(agent_regret(&game, &bi[0]) <= 1e-9);
            }
        }
    }

    #[test]
    fn sequence_form_payoffs_are_expected_payoffs(seed in any::<u64>(), size in 1usize..120, imperfect in any::<bool>()) {
        let game = random_game(seed, size, imperfect);
        let sf = SequenceForm::new(&game).unwrap();
        // A pseudo-random full-support profile.
        let mut probs = Vec::new();
        let mut s = seed | 1;
        for h in game.personal_infosets() {
            let w: Vec<f64> = (0..h.actions.len()).map(|_| {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                1.0 + (s % 100) as f64
            }).collect();
            let t: f64 = w.iter().sum();
            probs.extend(w.iter().map(|x| x / t));
        }
        for profile in [Profile::from_flat(&game, probs).unwrap(), Profile::uniform(&game)] {
            let x = sf.realization_plan(&game, &profile, 0);
            let y = sf.realization_plan(&game, &profile, 1);
            let pay = sf.payoffs_of(&x, &y);
            let expected = expected_payoffs(&game, &profile).unwrap();
            prop_assert!((pay[0] - expected[0]).abs() < 1e-9 && (pay[1] - expected[1]).abs() < 1e-9);
            // The plans satisfy E x = e, F y = f.
            for (p, plan) in [(0, &x), (1, &y)] {
                let mut rows = vec![0.0; sf.num_rows[p]];
                for &(r, q, v) in &sf.constraints[p] {
                    rows[r] += v * plan[q];
                }
                prop_assert!((rows[0] - 1.0).abs() < 1e-12);
                prop_assert!(rows[1..].iter().all(|v| v.abs() < 1e-12));
            }
            // Behaviour → plans → behaviour is the identity at sets the player's plan reaches
            // (with full support: everywhere, unless the plan is below 1e-13 there).
            let back = sf.behaviour(&game, [&x, &y]);
            for p in 0..2 {
                let plan = if p == 0 { &x } else { &y };
                for (r, &h) in sf.infosets[p].iter().enumerate() {
                    if plan[sf.parent[p][r]] > 1e-13 {
                        for (a, b) in back.action_probs(h).iter().zip(profile.action_probs(h)) {
                            prop_assert!((a - b).abs() < 1e-9);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Timing.

/// An escalation ladder with one-sided incomplete information, shaped like the README's
/// timing games (10·2ᵏ − 7 nodes: 153 at k = 4, 1 273 at k = 7, 10 233 at k = 10). Nature
/// draws Belarus's resolve (resolved 1/4); each round Russia, who does not know it, stops or
/// demands; Belarus accepts, resists or counter-escalates, and the last two lead to the next
/// round; after k rounds the crisis ends in war.
fn escalation_ladder(k: usize) -> Game {
    let mut b = GameBuilder::new(format!("ladder k={k}"), ["Russia", "Belarus"]);
    b.reserve(10 << k);
    let root = b.chance(
        At::Root,
        "resolve",
        [
            ("Resolved", Number::from(Rational::new(1, 4).unwrap())),
            ("Unresolved", Number::from(Rational::new(3, 4).unwrap())),
        ],
    );
    let mut russia: HashMap<String, InfosetRef> = HashMap::new();
    for (ty, resolved) in [(0usize, true), (1, false)] {
        // (slot, history, rounds left, resist count, counter count)
        let mut stack = vec![(At::Child(root, ty), String::new(), k, 0i64, 0i64)];
        while let Some((at, hist, left, res, ctr)) = stack.pop() {
            let round = (k - left) as i64;
            if left == 0 {
                let (r, bel) = if resolved {
                    (-4 - ctr, 4 - res - 2 * ctr)
                } else {
                    (3 - ctr, -3 - res - 2 * ctr)
                };
                b.leaf(at, "", [r, bel]);
                continue;
            }
            let h = *russia
                .entry(hist.clone())
                .or_insert_with(|| b.infoset(0, format!("R{hist}"), &["Stop", "Demand"]));
            let rn = b.node(at, "", h);
            b.leaf(At::Child(rn, 0), "", [-round - ctr, 10 + res]);
            let bn = b.decision(
                At::Child(rn, 1),
                1,
                format!("B{ty}{hist}"),
                &["Accept", "Resist", "Counter"],
            );
            let accept_b = if resolved { 5 - round } else { 7 - round };
            b.leaf(At::Child(bn, 0), "", [3 + round + res, accept_b]);
            stack.push((At::Child(bn, 1), format!("{hist}r"), left - 1, res + 1, ctr));
            stack.push((At::Child(bn, 2), format!("{hist}c"), left - 1, res, ctr + 1));
        }
    }
    b.build().unwrap()
}

#[test]
fn escalation_ladder_small() {
    let game = escalation_ladder(4);
    assert_eq!(game.num_nodes(), 153);
    assert!(!game.is_perfect_information());
    let sol = Lcp::default().solve_game(&game).unwrap();
    assert!(max_regret(&game, &sol.profile) <= 1e-9);
}

// Regression: from k = 5 (313 nodes) the Lemke path from Gambit's start (covering vector of
// ones) grows exponentially (19 499 pivots at k = 5) and hit the pivot limit; the tracing start
// (best replies to a totally mixed profile) needs 247 and 507 pivots.
#[test]
fn escalation_ladder_313_and_633_nodes_are_solved() {
    use leverage_games::lcp::LcpStart;
    for (k, nodes) in [(5, 313), (6, 633)] {
        let game = escalation_ladder(k);
        assert_eq!(game.num_nodes(), nodes);
        let sol = Lcp::default().solve_game(&game).unwrap();
        assert!(max_regret(&game, &sol.profile) <= 1e-9, "k = {k}");
        assert_eq!(sol.start, LcpStart::Tracing, "k = {k}");
        assert!(sol.pivots < 1000, "k = {k}: {} pivots", sol.pivots);
        let payoffs = expected_payoffs(&game, &sol.profile).unwrap();
        assert!((payoffs[0] - 3.0).abs() < 1e-9 && (payoffs[1] - 6.5).abs() < 1e-9);
    }
}

/// Timing ladder (pygambit 16.7.0's float lcp: 1.2 s at 153 nodes; at 313 nodes it ran 277 s
/// and returned no equilibrium; > 300 s at 1 273 nodes). Run with `cargo test --release -p
/// leverage-games --test lcp -- --ignored --nocapture`; `LCP_LADDER_MAX_K` (default 6) sets
/// the largest k. Prints time, pivots and the outcome for each k; a failure (pivot limit or a
/// result that fails the equilibrium check) is printed, not asserted. With the tracing start:
/// 247 pivots / 0.06 s at k = 5, 1 015 / 1.8 s at k = 7 (1 273 nodes), 2 035 / 15 s at k = 8
/// (2 553 nodes; the dense tableau is the limit there).
#[test]
#[ignore]
fn timing_escalation_ladder() {
    let max_k: usize = std::env::var("LCP_LADDER_MAX_K")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    for k in 4..=max_k {
        let t0 = std::time::Instant::now();
        let game = escalation_ladder(k);
        let built = t0.elapsed();
        let t1 = std::time::Instant::now();
        let result = Lcp::default().solve_game(&game);
        let solved = t1.elapsed();
        match result {
            Ok(sol) => {
                let regret = max_regret(&game, &sol.profile);
                println!(
                    "k = {k}: {} nodes, LCP dimension {}, {} pivots, build {:.3} s, solve {:.3} s, max_regret {regret:e}, payoffs {:?}",
                    game.num_nodes(),
                    sol.dimension,
                    sol.pivots,
                    built.as_secs_f64(),
                    solved.as_secs_f64(),
                    expected_payoffs(&game, &sol.profile).unwrap()
                );
                assert!(regret <= 1e-8);
            }
            Err(e) => println!(
                "k = {k}: {} nodes, build {:.3} s, FAILED after {:.3} s: {e}",
                game.num_nodes(),
                built.as_secs_f64(),
                solved.as_secs_f64()
            ),
        }
    }
}
