//! Reading and writing Gambit `.efg` files: round trips, number syntax, located errors, and a
//! never-panic property.

use leverage_games::*;
use proptest::prelude::*;

const FIXTURES: [(&str, &str); 4] = [
    (
        "a",
        include_str!("../../../tests/fixtures/games/efg/a_escalation_pi.efg"),
    ),
    (
        "b",
        include_str!("../../../tests/fixtures/games/efg/b_iig_bdml.efg"),
    ),
    (
        "b2",
        include_str!("../../../tests/fixtures/games/efg/b2_iig_preemption.efg"),
    ),
    (
        "c",
        include_str!("../../../tests/fixtures/games/efg/c_crisis_incomplete.efg"),
    ),
];

#[test]
fn reference_games_round_trip_unchanged() {
    for (name, text) in FIXTURES {
        let game = Game::from_efg(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = game.to_efg();
        // Written in the same style as the fixtures: byte for byte the same file.
        assert_eq!(written, text, "{name}");
        let again = Game::from_efg(&written).unwrap();
        assert_eq!(again, game, "{name}");
    }
}

#[test]
fn reference_game_structure() {
    let game = Game::from_efg(FIXTURES[3].1).unwrap();
    assert_eq!(game.players(), ["Russia", "Belarus"]);
    assert_eq!(game.num_nodes(), 25);
    assert_eq!(game.terminals().count(), 14);
    let root = game.root();
    assert_eq!(game.mover(root), Some(Mover::Chance));
    let chance = game.infoset(game.node(root).infoset.unwrap());
    assert_eq!(chance.probs[0].exact().cloned(), Rational::new(1, 4));
    assert_eq!(chance.probs[1].exact().cloned(), Rational::new(3, 4));
    // "p "Unresolved" 1 1 0" joins Russia's information set 1.
    let h = game.infoset_by_label(0, "Russia demand").unwrap();
    assert_eq!(game.infoset(h).nodes.len(), 2);
    assert_eq!(game.node(game.infoset(h).nodes[1]).label, "Unresolved");
}

const GAMBIT_STYLE: &str = r#"EFG 2 R "Centipede with \"altruism\"" { "Player 1" "Player 2" }
""

c "" 1 "(0,1)" { "1=rational" 99/100 "1=altruist" 1/100 } 0
p "" 1 1 "(1,1)" { "t" "p" } 0
t "" 1 "Outcome 1" { .80, .20 }
p "" 2 1 "(2,1)" { "t" "p" } 1
t "" 2 "Outcome 2" { 0.40, 1.60 }
t "" 3 "Outcome 3" { 3.2e0, -1/5 }
p "" 1 2 "(1,2)" { "p" } 0
t "" 0
"#;

#[test]
fn reads_gambit_number_styles_and_outcomes_on_inner_nodes() {
    let game = Game::from_efg(GAMBIT_STYLE).unwrap();
    assert_eq!(game.title(), "Centipede with \"altruism\"");
    let pay: Vec<Vec<f64>> = game.terminals().map(|t| game.path_payoffs(t)).collect();
    // The outcome 1 on the node of player 2 adds to everything below it.
    assert_eq!(
        pay,
        vec![
            vec![0.8, 0.2],
            vec![0.8 + 0.4, 0.2 + 1.6],
            vec![0.8 + 3.2, 0.2 - 0.2],
            vec![0.0, 0.0]
        ]
    );
    let o = game.outcome(OutcomeId(0));
    assert_eq!(o.payoffs[0].exact().cloned(), Rational::new(4, 5));
    // Written back exactly and read again to the same game.
    let text = game.to_efg();
    assert!(
        text.contains("{ \"1=rational\" 99/100 \"1=altruist\" 1/100 }"),
        "{text}"
    );
    assert!(text.contains("\"Centipede with \\\"altruism\\\"\""));
    assert_eq!(Game::from_efg(&text).unwrap(), game);
    // Expected payoffs count the inner outcome whenever its node is reached.
    let mut p = Profile::uniform(&game);
    p.set(InfosetId(0), &[0.0, 1.0]).unwrap();
    p.set(InfosetId(2), &[1.0, 0.0]).unwrap();
    let e = expected_payoffs(&game, &p).unwrap();
    let want = 0.99 * (0.8 + 0.4) + 0.01 * 0.0;
    assert!((e[0] - want).abs() < 1e-12, "{e:?}");
}

fn syntax_at(text: &str) -> (usize, usize, String, String) {
    match Game::from_efg(text).unwrap_err() {
        EfgError::Syntax {
            line,
            column,
            expected,
            hint,
            ..
        } => (line, column, expected, hint),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn syntax_errors_have_line_column_expectation_and_hint() {
    let (l, c, e, h) = syntax_at("EFG 3 R \"x\" { \"A\" }");
    assert_eq!((l, c), (1, 5));
    assert!(e.contains("version"));
    assert!(!h.is_empty());

    let (l, c, e, _) = syntax_at(
        "EFG 2 R \"x\" { \"A\" }\n\"\"\np \"\" 1 1 \"h\" { \"L\" \"R\" } 0\nt \"\" 1 \"o\" { 1 }\nt \"\" 2 \"o2\" { 1, 2 }\n",
    );
    assert_eq!((l, c), (5, 18));
    assert!(e.contains("after 1 payoffs"), "{e}");
    let (l, c, e, _) = syntax_at("EFG 2 R \"x\" { \"A\" \"B\" }\nt \"\" 1 \"o\" { 1 }\n");
    assert_eq!((l, c), (2, 16));
    assert!(e.contains("2 payoffs"), "{e}");

    let (l, c, e, h) =
        syntax_at("EFG 2 R \"x\" { \"A\" }\np \"\" 1 1 \"h\" { \"L\" \"R\" } 0\nt \"\" 0\n");
    assert_eq!((l, c), (4, 1));
    assert!(e.contains("action 2 of the node on line 2"), "{e}");
    assert!(h.contains("incomplete"));

    let (l, c, _, h) = syntax_at("EFG 2 R \"x\" { \"A\" }\nt \"\" 0\nt \"\" 0\n");
    assert_eq!((l, c), (3, 1));
    assert!(h.contains("already complete"));

    let (l, c, _, _) = syntax_at("EFG 2 R \"x\" { \"A\" }\nt \"oops 0\n");
    assert_eq!((l, c), (2, 3));

    let (l, c, e, _) =
        syntax_at("EFG 2 R \"x\" { \"A\" }\np \"\" 2 1 \"h\" { \"L\" } 0\nt \"\" 0\n");
    assert_eq!((l, c), (2, 6));
    assert!(e.contains("from 1 to 1"));

    let (l, c, _, h) = syntax_at("EFG 2 R \"x\" { \"A\" }\np \"\" 1 1 0\n");
    assert_eq!((l, c), (2, 10));
    assert!(h.contains("first time"));

    let (l, c, _, h) = syntax_at("EFG 2 R \"x\" { \"A\" }\nt \"\" 1 \"o\" { 1/0 }\n");
    assert_eq!((l, c), (2, 14));
    assert!(h.contains("fractions"));

    let (l, c, e, _) = syntax_at(
        "EFG 2 R \"x\" { \"A\" }\np \"\" 1 1 \"h\" { \"L\" \"R\" } 0\nt \"\" 1 \"o\" { 1 }\nt \"\" 1 \"o\" { 2 }\n",
    );
    assert_eq!((l, c), (4, 12));
    assert!(e.contains("given on line 3"), "{e}");

    let (l, c, _, _) = syntax_at("");
    assert_eq!((l, c), (1, 1));
}

#[test]
fn invalid_games_report_every_problem_at_its_line() {
    let text = r#"EFG 2 R "bad" { "A" "B" }
""
c "" 1 "nature" { "x" 1/2 "y" 1/3 } 0
p "" 1 1 "h" { "L" "R" } 0
t "" 1 "o" { 1 1 }
t "" 2 "o2" { 0 0 }
p "" 1 1 "h" { "L" "Right" } 0
t "" 1
t "" 2
"#;
    let EfgError::Invalid { problems } = Game::from_efg(text).unwrap_err() else {
        panic!("expected invalid")
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(matches!(
        problems[0].error,
        GameError::ChanceProbabilitiesSum { .. }
    ));
    assert_eq!(problems[0].line, 3);
    assert!(
        matches!(&problems[1].error, GameError::ActionLabelMismatch { found, .. } if found == "Right")
    );
    assert_eq!((problems[1].line, problems[1].column), (7, 1));
    let msg = Game::from_efg(text).unwrap_err().to_string();
    assert!(msg.contains("line 7, column 1"), "{msg}");
}

#[test]
fn perfect_recall_violation_is_located() {
    // Player 1 forgets their own first move: both second-stage nodes in one set.
    let text = r#"EFG 2 R "forgetful" { "A" }
""
p "" 1 1 "first" { "L" "R" } 0
p "" 1 2 "second" { "l" "r" } 0
t "" 1 "o1" { 1 }
t "" 2 "o2" { 2 }
p "" 1 2 0
t "" 3 "o3" { 3 }
t "" 4 "o4" { 4 }
"#;
    let EfgError::Invalid { problems } = Game::from_efg(text).unwrap_err() else {
        panic!()
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 7);
    let GameError::PerfectRecall { detail, .. } = &problems[0].error else {
        panic!("{problems:?}")
    };
    assert!(
        detail.contains("first: L") && detail.contains("first: R"),
        "{detail}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC*") {
        let _ = Game::from_efg(&s);
    }

    #[test]
    fn efg_like_text_never_panics(s in "(EFG|2|R|D|c|p|t|\"[a-z\\\\]*\"?|\\{|\\}|,|-?[0-9./e]{1,6}|\\s){0,60}") {
        let _ = Game::from_efg(&s);
    }

    #[test]
    fn mutated_reference_files_never_panic(
        which in 0usize..4,
        cuts in proptest::collection::vec((0usize..2000, 0usize..8, "[ -~\n]{0,4}"), 1..4),
    ) {
        let mut text: Vec<char> = FIXTURES[which].1.chars().collect();
        for (at, del, ins) in cuts {
            let at = at.min(text.len());
            let end = (at + del).min(text.len());
            text.splice(at..end, ins.chars());
        }
        let text: String = text.into_iter().collect();
        if let Ok(game) = Game::from_efg(&text) {
            // Whatever reads must write and read back to the same game.
            prop_assert_eq!(Game::from_efg(&game.to_efg()).unwrap(), game);
        }
    }
}

/// A payoff as someone might write it in a `.efg` file: an integer, a long decimal or a
/// fraction, with up to 25 digits on each side.
fn payoff_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[1-9][0-9]{0,24}",
        "-?(0|[1-9][0-9]{0,24})\\.[0-9]{1,25}",
        "-?[1-9][0-9]{0,24}/[1-9][0-9]{0,24}",
    ]
}

/// A game in the writer's style: a chance move with long decimal probabilities (summing to
/// exactly one), then one decision per chance outcome, then leaves whose payoffs are long
/// decimals and fractions.
fn game_text() -> impl Strategy<Value = String> {
    (
        1u64..10_000_000_000_000_000,
        proptest::collection::vec(
            proptest::collection::vec((payoff_text(), payoff_text()), 2..5),
            2..=2,
        ),
    )
        .prop_map(|(p, branches)| {
            let scale = 10_000_000_000_000_000u64;
            let mut s = String::from("EFG 2 R \"g\" { \"A\" \"B\" }\n\"\"\n");
            s.push_str(&format!(
                "c \"\" 1 \"nature\" {{ \"h\" 0.{p:016} \"t\" 0.{:016} }} 0\n",
                scale - p
            ));
            let mut outcome = 0;
            for (i, leaves) in branches.iter().enumerate() {
                let actions: Vec<String> = (0..leaves.len()).map(|a| format!("\"a{a}\"")).collect();
                s.push_str(&format!(
                    "p \"\" 1 {} \"i{}\" {{ {} }} 0\n",
                    i + 1,
                    i + 1,
                    actions.join(" ")
                ));
                for (u, v) in leaves {
                    outcome += 1;
                    s.push_str(&format!("t \"\" {outcome} \"o{outcome}\" {{ {u} {v} }}\n"));
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Export after import is the identity: every number is written back exactly as read,
    /// however many digits it has.
    #[test]
    fn export_after_import_is_the_identity(text in game_text()) {
        let game = Game::from_efg(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(game.to_efg(), text);
    }
}
