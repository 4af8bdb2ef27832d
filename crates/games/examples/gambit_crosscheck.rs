//! Cross-check against Gambit, Rust side: writes games and our solvers' answers for
//! `scripts/gambit_crosscheck.py`, which loads them into pygambit 16.7.0 and compares.
//!
//! ```text
//! cargo run --release -p leverage-games --example gambit_crosscheck -- OUTDIR [N]
//! cargo run --release -p leverage-games --example gambit_crosscheck -- --reread OUTDIR
//! ```
//!
//! The first form writes, for each of `N` (default 240) random games made from fixed seeds plus
//! the four reference games of `tests/fixtures/games/efg`, `OUTDIR/gNNN.efg` (our
//! [`Game::to_efg`]) and `OUTDIR/gNNN.json`: the game's structure (nodes in preorder,
//! information sets, outcomes with exact payoffs, the flat profile layout, reduced strategy
//! counts) and our answers: backward induction (perfect-information games), the sequence-form
//! LCP (two-player games; failures recorded), the logit QRE at λ = 0.5, 1, 5, and our own
//! `max_regret`/`agent_regret` of each profile. Profiles are flat in Gambit's order (player →
//! information set → action), as pygambit's `q[i]`.
//!
//! The second form runs after the Python script has written pygambit's own `.efg` of each
//! game (`OUTDIR/gNNN.gambit.efg`): it reads those with [`Game::from_efg`] and checks that the
//! round trip ours → pygambit → ours kept the tree, the information sets, the labels, the chance
//! probabilities and the payoffs (exactly). It ends with a line `N passed, M failed` and exits
//! non-zero on any failure.
//!
//! The random games mix perfect and imperfect information, two and three players, chance nodes
//! (occasionally with a zero-probability action), outcomes on inner nodes, shared outcomes and
//! terminal nodes without an outcome, and sizes from a handful of nodes to a few hundred
//! (most two-player games stay under ~60 nodes so that pygambit's `lcp` and `logit` finish
//! quickly). The generator is a fixed splitmix64 stream per game: the files are the same on
//! every run and machine.

use leverage_games::lcp::{Lcp, agent_regret, max_regret};
use leverage_games::qre::logit_path;
use leverage_games::{
    At, BackwardInduction, Game, GameBuilder, InfosetId, InfosetRef, Mover, NodeId, Number,
    OutcomeId, Profile, Rational,
};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The λ values compared with `gbt.qre.logit_solve_lambda`.
const LAMBDAS: [f64; 3] = [0.5, 1.0, 5.0];

/// The reference games (file name, text).
const REFERENCE: [(&str, &str); 4] = [
    (
        "a_escalation_pi.efg",
        include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg"),
    ),
    (
        "b_iig_bdml.efg",
        include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg"),
    ),
    (
        "b2_iig_preemption.efg",
        include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg"),
    ),
    (
        "c_crisis_incomplete.efg",
        include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg"),
    ),
];

// ---------------------------------------------------------------------------------------------
// A small deterministic random number generator (splitmix64).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..m` (`m > 0`; the modulo bias is irrelevant here).
    fn below(&mut self, m: u64) -> u64 {
        self.next() % m
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `1/m`.
    fn one_in(&mut self, m: u64) -> bool {
        self.below(m) == 0
    }
}

// ---------------------------------------------------------------------------------------------
// Random games.

/// Labels: plain (`a0`, `P1`) or with spaces and punctuation. pygambit 16.7 refuses a file with
/// a label that is not printable ASCII (or has leading, trailing or doubled spaces), two nodes
/// with the same non-empty label or two information sets of a player with the same non-empty
/// label, and it renames empty or repeated labels of outcomes, actions and players (`_1`,
/// `o_2`); the generator keeps to labels that pygambit leaves alone, so that the round trip
/// can require them unchanged.
#[derive(Clone, Copy)]
struct Labels {
    fancy: bool,
}

impl Labels {
    fn players(self, n: usize) -> Vec<String> {
        const FANCY: [&str; 3] = ["Patron state", "Client (capital)", "third party"];
        (0..n)
            .map(|p| {
                if self.fancy {
                    FANCY[p].to_string()
                } else {
                    format!("P{}", p + 1)
                }
            })
            .collect()
    }

    fn actions(self, k: usize, chance: bool) -> Vec<String> {
        const FANCY: [&str; 4] = ["Demand 3", "give in: 50%", "back down", "war!"];
        (0..k)
            .map(|a| match (self.fancy, chance) {
                (true, false) => FANCY[a].to_string(),
                (true, true) => format!("type {a} (nature)"),
                (false, false) => format!("a{a}"),
                (false, true) => format!("c{a}"),
            })
            .collect()
    }
}

/// A payoff: mostly an integer in −6..6, sometimes a quarter or a third.
fn payoff(rng: &mut Rng) -> Number {
    match rng.below(8) {
        0 => Number::from(Rational::new(rng.range(-24, 24), 4).expect("nonzero denominator")),
        1 => Number::from(Rational::new(rng.range(-18, 18), 3).expect("nonzero denominator")),
        _ => Number::from(rng.range(-6, 6)),
    }
}

/// Chance probabilities for `k` actions: integer weights 1..4, normalised (exact rationals);
/// with `allow_zero`, occasionally one weight is 0.
fn chance_probs(rng: &mut Rng, k: usize, allow_zero: bool) -> Vec<Number> {
    let mut w: Vec<i64> = (0..k).map(|_| rng.range(1, 4)).collect();
    if allow_zero && rng.one_in(8) {
        w[rng.below(k as u64) as usize] = 0;
    }
    let total: i64 = w.iter().sum();
    w.iter()
        .map(|&x| Number::from(Rational::new(x, total).expect("positive total")))
        .collect()
}

/// Shape of a random tree.
struct TreeSpec {
    players: usize,
    /// About this many nodes.
    target: usize,
    /// Merge decision nodes into information sets (keeping perfect recall).
    imperfect: bool,
    /// Start with a chance move (incomplete information when combined with `imperfect`).
    chance_root: bool,
    labels: Labels,
}

/// A random tree. With `imperfect`, a decision node of player `p` is often put
/// into an existing information set of `p` whose nodes follow the same last own move of `p` (so
/// perfect recall holds by construction).
fn random_tree(rng: &mut Rng, title: &str, spec: &TreeSpec) -> Game {
    let np = spec.players;
    let mut b = GameBuilder::new(title, spec.labels.players(np));
    b.comment(format!(
        "cross-check game: {} players, about {} nodes, {} information",
        np,
        spec.target,
        if spec.imperfect {
            "imperfect"
        } else {
            "perfect"
        }
    ));
    // Each open slot: where, and each player's last own move (0: none; 1 + 8h + a otherwise).
    let mut slots: VecDeque<(At, Vec<usize>)> = VecDeque::from([(At::Root, vec![0; np])]);
    // Breadth-first growth spreads the node budget over the whole tree (information sets then
    // span subtrees); depth-first growth makes long, lopsided trees.
    let breadth_first = spec.imperfect || rng.one_in(2);
    let mut open: HashMap<(usize, usize), Vec<InfosetRef>> = HashMap::new();
    let mut outcomes: Vec<OutcomeId> = Vec::new();
    let mut made = 0usize;
    while let Some((at, own)) = if breadth_first {
        slots.pop_front()
    } else {
        slots.pop_back()
    } {
        let first = made == 0;
        let k = if rng.one_in(6) { 3 } else { 2 };
        let grow = if first {
            spec.target > 1
        } else {
            made + slots.len() + k < spec.target && !rng.one_in(6)
        };
        if grow {
            let chance = if first {
                spec.chance_root
            } else {
                rng.one_in(6)
            };
            let (n, mover) = if chance {
                let probs = chance_probs(rng, k, !first);
                let acts = spec.labels.actions(k, true);
                (b.chance(at, "", acts.into_iter().zip(probs)), None)
            } else {
                let p = rng.below(np as u64) as usize;
                let key = (p, own[p]);
                let list = open.entry(key).or_default();
                let h = if spec.imperfect && !list.is_empty() && !rng.one_in(4) {
                    list[rng.below(list.len() as u64) as usize]
                } else {
                    let label = if rng.one_in(2) {
                        String::new()
                    } else {
                        format!("h{made}")
                    };
                    let h = b.infoset(p, label, &spec.labels.actions(k, false));
                    open.get_mut(&key).expect("just made").push(h);
                    h
                };
                (b.node(at, "", h), Some((p, h)))
            };
            let k = b.child_slots(n);
            if rng.one_in(8) {
                let pay: Vec<Number> = (0..np).map(|_| payoff(rng)).collect();
                let o = b.outcome(format!("inner {made}"), pay);
                b.set_outcome(n, Some(o));
            }
            let children = (0..k).map(|a| {
                let mut child = own.clone();
                if let Some((p, h)) = mover {
                    child[p] = 1 + h.0 * 8 + a;
                }
                (At::Child(n, a), child)
            });
            if breadth_first {
                slots.extend(children);
            } else {
                // Depth-first: the first action's subtree is grown first.
                for c in children.rev() {
                    slots.push_back(c);
                }
            }
        } else if rng.one_in(12) {
            b.terminal(at, "", None);
        } else if !outcomes.is_empty() && rng.one_in(10) {
            let o = outcomes[rng.below(outcomes.len() as u64) as usize];
            b.terminal(at, "", Some(o));
        } else {
            let pay: Vec<Number> = (0..np).map(|_| payoff(rng)).collect();
            let o = b.outcome(format!("o{made}"), pay);
            outcomes.push(o);
            let label = if rng.one_in(3) {
                String::new()
            } else {
                format!("t{made}")
            };
            b.terminal(at, label, Some(o));
        }
        made += 1;
    }
    b.build().expect("the generator keeps games valid")
}

/// A game of simultaneous moves in tree form (often a unique equilibrium): optionally nature
/// draws player 1's type (player 1 is told, the others are not); player 1 moves; player 2 (and
/// player 3) move without seeing anything; sometimes player 1 then moves again with perfect
/// information. Payoffs are integers in −9..9.
fn stage_game(rng: &mut Rng, title: &str, players: usize, labels: Labels) -> Game {
    let mut b = GameBuilder::new(title, labels.players(players));
    b.comment("cross-check game: simultaneous moves in tree form");
    let types = if rng.one_in(2) { 2 } else { 1 };
    let k: Vec<usize> = (0..players).map(|_| 2 + rng.below(2) as usize).collect();
    let later: Vec<InfosetRef> = (1..players)
        .map(|p| b.infoset(p, format!("stage p{}", p + 1), &labels.actions(k[p], false)))
        .collect();
    let pay = |rng: &mut Rng| -> Vec<i64> { (0..players).map(|_| rng.range(-9, 9)).collect() };
    let mut leaves = 0usize;
    let mut label = move || {
        leaves += 1;
        format!("z{leaves}")
    };
    let mut roots = Vec::new();
    if types == 2 {
        let probs = chance_probs(rng, 2, false);
        let c = b.chance(
            At::Root,
            "type",
            labels.actions(2, true).into_iter().zip(probs),
        );
        roots.push(At::Child(c, 0));
        roots.push(At::Child(c, 1));
    } else {
        roots.push(At::Root);
    }
    for (t, at) in roots.into_iter().enumerate() {
        let n1 = b.decision(at, 0, format!("type {t}"), &labels.actions(k[0], false));
        for a in 0..k[0] {
            // Players 2, 3, … in turn, each in its single information set.
            let mut frontier = vec![At::Child(n1, a)];
            for h in &later {
                let mut next = Vec::new();
                for at in frontier {
                    let n = b.node(at, "", *h);
                    let kk = b.child_slots(n);
                    next.extend((0..kk).map(|c| At::Child(n, c)));
                }
                frontier = next;
            }
            for at in frontier {
                if rng.one_in(5) {
                    let n = b.decision(at, 0, "", &labels.actions(2, false));
                    for c in 0..2 {
                        b.leaf(At::Child(n, c), label(), pay(rng));
                    }
                } else {
                    b.leaf(at, label(), pay(rng));
                }
            }
        }
    }
    b.build().expect("the generator keeps games valid")
}

/// Game `i` of the random set (deterministic in `i`).
fn random_game(i: usize) -> (Game, String) {
    let mut rng = Rng::new(0x6a6d_6263_0000 + i as u64);
    let players = if rng.one_in(3) { 3 } else { 2 };
    let labels = Labels {
        fancy: rng.one_in(8),
    };
    // Sizes: mostly small, some medium, a few of a few hundred nodes. pygambit's logit path
    // following costs about (number of actions)³ per step (2 s at 40 actions, 90 s at 130), so
    // most games stay small enough for it; two-player imperfect-information games (LCP in
    // pygambit) are capped lower.
    let size = |rng: &mut Rng, cap: usize| -> usize {
        let t = match rng.below(20) {
            0..=15 => rng.range(3, 45) as usize,
            16 | 17 => rng.range(45, 90) as usize,
            _ => rng.range(150, 300) as usize,
        };
        t.min(cap)
    };
    let title = format!("cross-check g{:03} (seed {i})", i + REFERENCE.len());
    let family = i % 5;
    let (game, kind) = match family {
        0 | 1 => {
            let target = size(&mut rng, 300);
            let spec = TreeSpec {
                players,
                target,
                imperfect: false,
                chance_root: rng.one_in(4),
                labels,
            };
            (random_tree(&mut rng, &title, &spec), "perfect")
        }
        2 | 4 => {
            let cap = if players == 2 { 120 } else { 300 };
            let target = size(&mut rng, cap);
            let spec = TreeSpec {
                players,
                target,
                imperfect: true,
                chance_root: family == 4,
                labels,
            };
            (random_tree(&mut rng, &title, &spec), "imperfect")
        }
        _ => (stage_game(&mut rng, &title, players, labels), "stage"),
    };
    (game, kind.to_string())
}

// ---------------------------------------------------------------------------------------------
// JSON by hand (the crate has no serde_json).

fn jstr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as JSON (`null` if not finite); Rust's `{:?}` is the shortest round-trip form.
fn jnum(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".to_string()
    }
}

fn jarr<I: IntoIterator<Item = String>>(items: I) -> String {
    let v: Vec<String> = items.into_iter().collect();
    format!("[{}]", v.join(","))
}

/// An exact number as a string (`"-3/4"`); a float-only number as its decimal text.
fn jexact(n: &Number) -> String {
    jstr(&n.to_string())
}

fn jprofile(p: &Profile) -> String {
    jarr(p.as_flat().iter().map(|&x| jnum(x)))
}

// ---------------------------------------------------------------------------------------------
// What a game's JSON holds.

/// Number of reduced pure strategies of each player (Gambit's `len(player.strategies)`):
/// for each sequence, the product over the player's information sets that follow it of the sum
/// over their actions.
fn reduced_strategies(game: &Game) -> Vec<f64> {
    let np = game.num_players();
    let na = game.num_profile_actions();
    // Parent sequence (flat action index, or `na` for the empty sequence) of each personal set.
    let mut parent = vec![na; game.num_personal_infosets()];
    for (hi, inf) in game.personal_infosets().iter().enumerate() {
        let Mover::Player(p) = inf.mover else {
            continue;
        };
        let path = game.path_to(inf.nodes[0]);
        if let Some(&(h, a)) = path
            .iter()
            .rev()
            .find(|(h, _)| game.infoset(*h).mover == Mover::Player(p))
        {
            parent[hi] = game.profile_offset(h).expect("personal") + a;
        }
    }
    let mut out = Vec::with_capacity(np);
    for p in 0..np {
        // value[s]: reduced strategies below sequence s (product over following sets).
        let mut value = vec![1.0f64; na + 1];
        // Children sets come after their parent sequence's set in our order (by first
        // appearance in preorder), so a reverse pass sees every set before its parent.
        for hi in (0..game.num_personal_infosets()).rev() {
            let inf = game.infoset(InfosetId(hi as u32));
            if inf.mover != Mover::Player(p) {
                continue;
            }
            let off = game.profile_offset(InfosetId(hi as u32)).expect("personal");
            let sum: f64 = (0..inf.actions.len()).map(|a| value[off + a]).sum();
            value[parent[hi]] *= sum;
        }
        out.push(value[na]);
    }
    out
}

fn structure_json(game: &Game) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "\"title\":{},\"players\":{},\"num_nodes\":{},\"perfect_information\":{},",
        jstr(game.title()),
        jarr(game.players().iter().map(|p| jstr(p))),
        game.num_nodes(),
        game.is_perfect_information()
    );
    // Information sets (personal first, in profile order, then chance).
    let infosets = game.infosets().iter().map(|h| {
        let mover = match h.mover {
            Mover::Chance => -1i64,
            Mover::Player(p) => p as i64,
        };
        format!(
            "{{\"mover\":{},\"label\":{},\"actions\":{},\"probs\":{},\"nodes\":{}}}",
            mover,
            jstr(&h.label),
            jarr(h.actions.iter().map(|a| jstr(a))),
            jarr(h.probs.iter().map(jexact)),
            jarr(h.nodes.iter().map(|n| n.0.to_string()))
        )
    });
    let _ = write!(s, "\"infosets\":{},", jarr(infosets));
    let outcomes = game.outcomes().iter().map(|o| {
        format!(
            "{{\"label\":{},\"payoffs\":{}}}",
            jstr(&o.label),
            jarr(o.payoffs.iter().map(jexact))
        )
    });
    let _ = write!(s, "\"outcomes\":{},", jarr(outcomes));
    // Nodes in preorder: [label, information set index or -1, outcome index or -1, parent or -1].
    let nodes = game.nodes().iter().map(|n| {
        format!(
            "[{},{},{},{}]",
            jstr(&n.label),
            n.infoset.map_or(-1, |h| h.0 as i64),
            n.outcome.map_or(-1, |o| o.0 as i64),
            n.parent.map_or(-1, |p| p.0 as i64)
        )
    });
    let _ = write!(s, "\"nodes\":{},", jarr(nodes));
    // The flat profile layout: (player, first node of the set, action label) per entry.
    let mut layout = Vec::new();
    for inf in game.personal_infosets() {
        let Mover::Player(p) = inf.mover else {
            continue;
        };
        for a in &inf.actions {
            layout.push(format!("[{},{},{}]", p, inf.nodes[0].0, jstr(a)));
        }
    }
    let _ = write!(s, "\"layout\":[{}],", layout.join(","));
    let _ = write!(
        s,
        "\"reduced_strategies\":{}",
        jarr(reduced_strategies(game).into_iter().map(jnum))
    );
    s
}

/// Counts for the summary line.
#[derive(Default)]
struct Tally {
    games: usize,
    perfect: usize,
    two_player: usize,
    three_player: usize,
    lcp_ok: usize,
    lcp_fallback: usize,
    lcp_failed: Vec<String>,
    qre_failed: Vec<String>,
    nodes: Vec<usize>,
}

fn solve_json(game: &Game, name: &str, tally: &mut Tally) -> String {
    let mut s = String::new();
    // Backward induction (perfect information).
    if game.is_perfect_information() {
        let sol = BackwardInduction::default()
            .solve_values(game)
            .expect("perfect information");
        let _ = write!(
            s,
            "\"bi\":{{\"profile\":{},\"payoffs\":{},\"max_regret\":{},\"agent_regret\":{}}},",
            jprofile(&sol.profile),
            jarr(sol.payoffs().iter().map(|&x| jnum(x))),
            jnum(max_regret(game, &sol.profile)),
            jnum(agent_regret(game, &sol.profile))
        );
        tally.perfect += 1;
    } else {
        s.push_str("\"bi\":null,");
    }
    // The sequence-form LCP (two players).
    if game.num_players() == 2 {
        tally.two_player += 1;
        let t = Instant::now();
        match Lcp::default().solve_game(game) {
            Ok(sol) => {
                tally.lcp_ok += 1;
                tally.lcp_fallback += usize::from(sol.fallback);
                let _ = write!(
                    s,
                    "\"lcp\":{{\"ok\":true,\"profile\":{},\"max_regret\":{},\"agent_regret\":{},\"fallback\":{},\"pivots\":{},\"seconds\":{}}},",
                    jprofile(&sol.profile),
                    jnum(sol.max_regret),
                    jnum(agent_regret(game, &sol.profile)),
                    sol.fallback,
                    sol.pivots,
                    jnum(t.elapsed().as_secs_f64())
                );
            }
            Err(e) => {
                tally.lcp_failed.push(format!("{name}: {e}"));
                let _ = write!(
                    s,
                    "\"lcp\":{{\"ok\":false,\"error\":{}}},",
                    jstr(&e.to_string())
                );
            }
        }
    } else {
        tally.three_player += 1;
        s.push_str("\"lcp\":null,");
    }
    // Logit QRE on the principal branch.
    match logit_path(game, &LAMBDAS) {
        Ok(qs) => {
            let items = qs.iter().map(|q| {
                format!(
                    "{{\"lambda\":{},\"profile\":{},\"max_regret\":{}}}",
                    jnum(q.lambda),
                    jprofile(&q.profile),
                    jnum(max_regret(game, &q.profile))
                )
            });
            let _ = write!(s, "\"qre\":{}", jarr(items));
        }
        Err(e) => {
            tally.qre_failed.push(format!("{name}: {e}"));
            let _ = write!(s, "\"qre\":{{\"error\":{}}}", jstr(&e.to_string()));
        }
    }
    s
}

fn write_game(
    dir: &Path,
    name: &str,
    source: &str,
    kind: &str,
    game: &Game,
    tally: &mut Tally,
) -> std::io::Result<()> {
    tally.games += 1;
    tally.nodes.push(game.num_nodes());
    std::fs::write(dir.join(format!("{name}.efg")), game.to_efg())?;
    let json = format!(
        "{{\"name\":{},\"source\":{},\"kind\":{},{},{}}}\n",
        jstr(name),
        jstr(source),
        jstr(kind),
        structure_json(game),
        solve_json(game, name, tally)
    );
    std::fs::write(dir.join(format!("{name}.json")), json)
}

fn generate(dir: &Path, n: usize) -> std::io::Result<()> {
    let start = Instant::now();
    std::fs::create_dir_all(dir)?;
    // Remove the previous run's files (only ours: gNNN.*).
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        if file.starts_with('g')
            && file.len() > 4
            && file[1..4].bytes().all(|b| b.is_ascii_digit())
            && (file.ends_with(".efg") || file.ends_with(".json"))
        {
            std::fs::remove_file(&path)?;
        }
    }
    let mut tally = Tally::default();
    let mut index = 0usize;
    for (file, text) in REFERENCE {
        let game = Game::from_efg(text).expect("reference game reads");
        let name = format!("g{index:03}");
        write_game(
            dir,
            &name,
            &format!("reference {file}"),
            "reference",
            &game,
            &mut tally,
        )?;
        index += 1;
    }
    for i in 0..n {
        let (game, kind) = random_game(i);
        let name = format!("g{index:03}");
        write_game(
            dir,
            &name,
            &format!("random seed {i}"),
            &kind,
            &game,
            &mut tally,
        )?;
        index += 1;
    }
    let mut sizes = tally.nodes.clone();
    sizes.sort_unstable();
    println!(
        "wrote {} games ({} reference + {} random) to {}: {} perfect information, {} with two players, {} with three; nodes {}..{} (median {}, {} over 100)",
        tally.games,
        REFERENCE.len(),
        n,
        dir.display(),
        tally.perfect,
        tally.two_player,
        tally.three_player,
        sizes.first().copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0),
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        sizes.iter().filter(|&&s| s > 100).count()
    );
    println!(
        "our LCP: {} solved ({} from the fallback start), {} failed; our QRE: {} failed",
        tally.lcp_ok,
        tally.lcp_fallback,
        tally.lcp_failed.len(),
        tally.qre_failed.len()
    );
    for f in tally.lcp_failed.iter().chain(&tally.qre_failed) {
        println!("  {f}");
    }
    println!("in {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// --reread: ours → pygambit → ours.

/// Differences in tree, information sets, labels, chance probabilities and payoffs (exact).
fn structural_differences(a: &Game, b: &Game) -> Vec<String> {
    let mut d = Vec::new();
    if a.players() != b.players() {
        d.push(format!("players {:?} vs {:?}", a.players(), b.players()));
    }
    if a.num_nodes() != b.num_nodes() {
        d.push(format!("{} nodes vs {}", a.num_nodes(), b.num_nodes()));
        return d;
    }
    // Information sets are matched by first appearance in preorder.
    let mut map: HashMap<InfosetId, InfosetId> = HashMap::new();
    for v in 0..a.num_nodes() {
        let id = NodeId(v as u32);
        let (na, nb) = (a.node(id), b.node(id));
        if na.label != nb.label {
            d.push(format!("node {v}: label {:?} vs {:?}", na.label, nb.label));
        }
        if na.parent != nb.parent || na.action_in_parent != nb.action_in_parent {
            d.push(format!("node {v}: different place in the tree"));
        }
        match (na.infoset, nb.infoset) {
            (None, None) => {}
            (Some(ha), Some(hb)) => {
                if *map.entry(ha).or_insert(hb) != hb {
                    d.push(format!("node {v}: information sets differ"));
                }
                let (ia, ib) = (a.infoset(ha), b.infoset(hb));
                if ia.mover != ib.mover
                    || ia.label != ib.label
                    || ia.actions != ib.actions
                    || ia.probs != ib.probs
                    || ia.nodes != ib.nodes
                {
                    d.push(format!("node {v}: information set {ia:?} vs {ib:?}"));
                }
            }
            _ => d.push(format!("node {v}: terminal in one game only")),
        }
        match (na.outcome, nb.outcome) {
            (None, None) => {}
            (Some(oa), Some(ob)) => {
                let (xa, xb) = (a.outcome(oa), b.outcome(ob));
                if xa.label != xb.label || xa.payoffs != xb.payoffs {
                    d.push(format!("node {v}: outcome {xa:?} vs {xb:?}"));
                }
            }
            (x, y) => d.push(format!("node {v}: outcome {x:?} vs {y:?}")),
        }
    }
    // Shared outcomes stay shared.
    let share = |g: &Game| -> Vec<Option<usize>> {
        let mut first: HashMap<OutcomeId, usize> = HashMap::new();
        g.nodes()
            .iter()
            .enumerate()
            .map(|(v, n)| n.outcome.map(|o| *first.entry(o).or_insert(v)))
            .collect()
    };
    if share(a) != share(b) {
        d.push("outcomes shared by different nodes".to_string());
    }
    d
}

fn reread(dir: &Path) -> std::io::Result<ExitCode> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.ends_with(".gambit.efg"))
        })
        .collect();
    names.sort();
    let (mut passed, mut failed, mut identical) = (0usize, 0usize, 0usize);
    for gambit_path in &names {
        let file = gambit_path
            .file_name()
            .and_then(|f| f.to_str())
            .expect("utf-8 name");
        let stem = file.trim_end_matches(".gambit.efg");
        let ours_text = std::fs::read_to_string(dir.join(format!("{stem}.efg")))?;
        let theirs_text = std::fs::read_to_string(gambit_path)?;
        let ours = Game::from_efg(&ours_text).expect("our own file reads");
        match Game::from_efg(&theirs_text) {
            Err(e) => {
                failed += 1;
                println!("FAIL {stem}: pygambit's .efg does not read: {e}");
            }
            Ok(theirs) => {
                let diffs = structural_differences(&ours, &theirs);
                if diffs.is_empty() {
                    passed += 1;
                    identical += usize::from(ours == theirs && theirs.to_efg() == ours_text);
                } else {
                    failed += 1;
                    println!("FAIL {stem}: {}", diffs[..diffs.len().min(5)].join("; "));
                }
            }
        }
    }
    if names.is_empty() {
        println!(
            "no *.gambit.efg files in {} (run the Python script first)",
            dir.display()
        );
        failed += 1;
    }
    println!(
        "round trip ours -> pygambit -> ours: {} games, {} unchanged in structure, labels and payoffs ({} byte-identical when written again), {} changed",
        names.len(),
        passed,
        identical,
        failed
    );
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gambit_crosscheck OUTDIR [N]   |   gambit_crosscheck --reread OUTDIR";
    let result = match args.as_slice() {
        [flag, dir] if flag == "--reread" => reread(Path::new(dir)),
        [dir] if !dir.starts_with('-') => generate(Path::new(dir), 240).map(|()| ExitCode::SUCCESS),
        [dir, n] if !dir.starts_with('-') => match n.parse() {
            Ok(n) => generate(Path::new(dir), n).map(|()| ExitCode::SUCCESS),
            Err(_) => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gambit_crosscheck: {e}");
            ExitCode::FAILURE
        }
    }
}
