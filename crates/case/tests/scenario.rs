//! The case-format parts of the scenario engine: `[[state]]`, scenario rules and their partition
//! check, `[[correlation]]`, `[sim]` links, and outcomes files.

use leverage_case::rule::{self, BinOp, CompiledRule};
use leverage_case::*;
use proptest::prelude::*;

const BASE: &str = r#"
[case]
id = "toy"
title = "Toy"
as_of = 2019-11-30
horizon = 2025
require_sources = true

[[source]]
id = "stats"
citation = "Yearbook"

[[actor]]
id = "p"
name = "Patron"
kind = "state"
capability = { value = 90, source = "stats" }

[[issue]]
id = "gas_price"
question = "Gas price?"
low = "cheap"
high = "dear"
position = [ { actor = "p", position = 70, salience = 60, source = "stats" } ]

[[issue]]
id = "loans"
question = "Loans?"
low = "none"
high = "many"
position = [ { actor = "p", position = 30, salience = 40, source = "stats" } ]

[[param]]
id = "a"
dist = "uniform"
min = 0
max = 1
judgement = "guess"

[[param]]
id = "b"
dist = "uniform"
min = 0
max = 1
judgement = "guess"

[[param]]
id = "c"
dist = "normal"
mean = 0
sd = 1
judgement = "guess"

[[param]]
id = "fixed_one"
value = 3
judgement = "guess"

[[state]]
id = "econ_integration"
description = "Economic integration, 0-100"
min = 0
max = 100
initial = { value = 40, judgement = "customs union, no common currency" }

[[state]]
id = "military_integration"
min = 0
max = 100
initial = 30
judgement = "joint air defence only"

[[state]]
id = "intervened"
kind = "flag"
initial = 0
judgement = "no intervention by as_of"
"#;

const SCENARIOS: &str = r#"
[[scenario]]
id = "union"
title = "Union"
rule = "econ_integration >= 60 && military_integration >= 40 && !intervened"

[[scenario]]
id = "economic"
title = "Economic only"
rule = "econ_integration >= 60 && military_integration < 40 && !intervened"

[[scenario]]
id = "drift"
title = "Drift"
rule = 'econ_integration < 60 && !intervened'

[[scenario]]
id = "intervention"
title = "Intervention"
rule = "intervened"
"#;

fn ok(text: &str) -> Case {
    match load("toy.toml", text, &NoFiles) {
        Ok(l) => l.case,
        Err(p) => panic!("{:#?}", p.diagnostics),
    }
}

fn problems(text: &str) -> Vec<Diagnostic> {
    problems_with(text, &[])
}

fn problems_with(text: &str, tables: &[LinkTable]) -> Vec<Diagnostic> {
    match load_with("toy.toml", text, &NoFiles, tables) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
    }
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

// ------------------------------------------------------------------------------- states and rules

#[test]
fn a_full_toy_case_validates_and_its_rules_classify() {
    let text = format!(
        "{BASE}{SCENARIOS}\n[[correlation]]\na = \"a\"\nb = \"b\"\nrho = 0.5\njudgement = \"same driver\"\n\n[sim]\nenergy_issues = [\"gas_price\", \"loans\"]\nqre_lambda = \"c\"\n"
    );
    let c = ok(&text);
    assert_eq!(c.states.len(), 3);
    assert_eq!(c.state("intervened").unwrap().kind, StateKind::Flag);
    assert_eq!(
        (
            c.state("intervened").unwrap().min,
            c.state("intervened").unwrap().max
        ),
        (0.0, 1.0)
    );
    assert_eq!(c.initial_state(), vec![40.0, 30.0, 0.0]);
    assert_eq!(c.state_index("military_integration"), Some(1));
    let b = c.state_box();
    assert_eq!((b[2].flag, b[2].min, b[2].max), (true, 0.0, 1.0));
    let rules = c.compiled_rules().unwrap();
    let classify = |s: &[f64]| -> Vec<&str> {
        rules
            .iter()
            .filter(|(_, r)| r.eval(s))
            .map(|(id, _)| id.as_str())
            .collect()
    };
    assert_eq!(classify(&[70.0, 50.0, 0.0]), ["union"]);
    assert_eq!(classify(&[60.0, 39.0, 0.0]), ["economic"]);
    assert_eq!(classify(&[59.9, 90.0, 0.0]), ["drift"]);
    assert_eq!(classify(&[80.0, 90.0, 1.0]), ["intervention"]);
    assert_eq!(
        rules[0].1.to_string(),
        "econ_integration >= 60 && military_integration >= 40 && !intervened"
    );
    // [sim] links, list-valued and single.
    assert_eq!(c.sim_links("energy_issues"), ["gas_price", "loans"]);
    assert_eq!(c.sim_link("qre_lambda"), Some("c"));
    assert!(c.sim_links("military_issues").is_empty());
    // The correlation matrix, in [[param]] order.
    let m = c.correlation_matrix();
    assert_eq!(m.params, ["a", "b"]);
    assert_eq!(m.get(0, 1), 0.5);
    assert_eq!(m.get(1, 1), 1.0);
    let l = m.cholesky().unwrap();
    assert!((l[3] - 0.75f64.sqrt()).abs() < 1e-12);
    // Writing the case back and reading it again keeps everything.
    let again = ok(&to_toml(&c).unwrap());
    assert_eq!(
        again.states.iter().map(strip_state).collect::<Vec<_>>(),
        c.states.iter().map(strip_state).collect::<Vec<_>>()
    );
    assert_eq!(again.sim_links("energy_issues"), ["gas_price", "loans"]);
    assert_eq!(again.correlations.len(), 1);
    assert_eq!(again.compiled_rules().unwrap().len(), 4);
}

fn strip_state(s: &StateVar) -> StateVar {
    // Spans differ after a round trip; compare the values only.
    let mut s = s.clone();
    s.span = 0..0;
    s.min_span = 0..0;
    s.max_span = 0..0;
    s.kind_span = 0..0;
    s.initial.span = 0..0;
    s
}

#[test]
fn state_problems_are_reported() {
    let text = BASE.replace("initial = 30\n", "initial = 130\n").replace(
        "kind = \"flag\"\ninitial = 0",
        "kind = \"flag\"\nmax = 2\ninitial = 0",
    ) + "\n[[state]]\nid = \"bad-id\"\nmin = 5\nmax = 5\ninitial = 5\njudgement = \"x\"\n";
    let d = problems(&text);
    let c = codes(&d);
    assert!(c.contains(&"case::out-of-range"), "{c:?}");
    assert!(c.contains(&"case::bad-flag"), "{c:?}");
    assert!(c.contains(&"case::bad-state-id"), "{c:?}");
    assert!(c.contains(&"case::min-above-max"), "{c:?}");
    let flag = d.iter().find(|d| d.code == "case::bad-flag").unwrap();
    assert!(flag.message.contains("max is 2"), "{}", flag.message);
}

#[test]
fn rule_errors_point_at_the_character_in_the_file() {
    let text = format!("{BASE}{SCENARIOS}").replace(
        "rule = \"econ_integration >= 60 && military_integration < 40 && !intervened\"",
        "rule = \"econ_integration >= 60 && militray_integration < 40 && !intervened\"",
    );
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::bad-rule"]);
    let line = text.lines().position(|l| l.contains("militray")).unwrap() + 1;
    assert_eq!(d[0].line, line);
    // `rule = "` is 8 characters; the name starts at character 27 of the rule.
    assert_eq!(d[0].column, 8 + 27);
    assert!(
        d[0].message.contains("column 27 of the rule"),
        "{}",
        d[0].message
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some("did you mean `military_integration`?")
    );

    // A rule written with an escape maps to the start of the string.
    let text = format!("{BASE}{SCENARIOS}").replace(
        "rule = 'econ_integration < 60 && !intervened'",
        "rule = \"econ_integration < 60 \\u0026\\u0026 ! = intervened\"",
    );
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::bad-rule"]);
    assert_eq!(d[0].column, 8);
    assert!(
        d[0].message.contains("`=` is not an operator"),
        "{}",
        d[0].message
    );
}

#[test]
fn overlaps_and_gaps_are_found_exactly_with_an_example() {
    // `<=` on both sides of 40: both rules hold where military_integration = 40.
    let text = format!("{BASE}{SCENARIOS}").replace(
        "military_integration < 40 && !intervened",
        "military_integration <= 40 && !intervened",
    );
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::rule-overlap"]);
    assert!(
        d[0].message.contains("`union` and `economic` both hold at econ_integration = 60, military_integration = 40, intervened = 0"),
        "{}",
        d[0].message
    );
    assert!(!d[0].message.contains("sampled"));
    // `>` leaves econ_integration = 60 unclassified.
    let text = format!("{BASE}{SCENARIOS}")
        .replace("econ_integration >= 60 &&", "econ_integration > 60 &&");
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::rule-gap"]);
    assert!(
        d[0].message.contains("econ_integration = 60"),
        "{}",
        d[0].message
    );
    // A rule over sums is checked by sampling, and says so.
    let text = format!("{BASE}{SCENARIOS}").replace(
        "rule = 'econ_integration < 60 && !intervened'",
        "rule = 'econ_integration + military_integration < 60 && !intervened'",
    );
    let d = problems(&text);
    assert!(codes(&d).contains(&"case::rule-gap"), "{:?}", codes(&d));
    assert!(d.iter().all(|d| d.message.contains("sampled check")));
}

#[test]
fn all_scenarios_need_a_rule_once_one_has() {
    let text = format!("{BASE}{SCENARIOS}\n[[scenario]]\nid = \"other\"\ntitle = \"Other\"\n");
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::rule-missing"]);
}

// ---------------------------------------------------------------------------------- correlations

fn corr(a: &str, b: &str, rho: f64) -> String {
    format!("\n[[correlation]]\na = \"{a}\"\nb = \"{b}\"\nrho = {rho}\njudgement = \"x\"\n")
}

#[test]
fn correlation_problems_are_reported() {
    let text = format!(
        "{BASE}{}{}{}{}{}",
        corr("a", "bb", 0.2),
        corr("a", "fixed_one", 0.2),
        corr("c", "c", 0.2),
        corr("a", "b", 1.0),
        corr("b", "a", 0.3)
    );
    let d = problems(&text);
    let c = codes(&d);
    for want in [
        "case::unknown-param",
        "case::correlated-fixed",
        "case::self-correlation",
        "case::out-of-range",
        "case::duplicate-correlation",
    ] {
        assert!(c.contains(&want), "{want} not in {c:?}");
    }
    let unknown = d.iter().find(|d| d.code == "case::unknown-param").unwrap();
    assert_eq!(unknown.hint.as_deref(), Some("did you mean \"b\"?"));
}

#[test]
fn an_impossible_correlation_matrix_is_refused_with_the_pairs() {
    let text = format!(
        "{BASE}{}{}{}",
        corr("a", "b", 0.9),
        corr("b", "c", 0.9),
        corr("a", "c", -0.9)
    );
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::correlation-not-positive-definite"]);
    let hint = d[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("a–b 0.9") && hint.contains("a–c -0.9"),
        "{hint}"
    );
}

// ----------------------------------------------------------------------------- choice parameters

const CHOICE: &str = r#"
[[param]]
id = "terms_model"
description = "Which bargaining model sets the terms the patron demands"
dist = "choice"
options = ["compromise", "median", "nbs"]
weights = [2, 1, 1]
judgement = "the compromise model fits the patron's past offers best"

[[param]]
id = "actor_weighting"
dist = "choice"
options = ["all", "no_outsiders", "states_once"]
judgement = "no reason to prefer one"
"#;

/// 1-based line and column of the `nth` occurrence of `needle` in `text`.
fn line_col(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the text"))
        .0;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

#[test]
fn choice_params_are_read_with_normalised_weights() {
    let c = ok(&format!("{BASE}{CHOICE}"));
    let t = &c.param("terms_model").unwrap().dist;
    assert_eq!(
        t,
        &Dist::Choice {
            options: vec!["compromise".into(), "median".into(), "nbs".into()],
            weights: vec![0.5, 0.25, 0.25],
        }
    );
    assert_eq!(t.name(), "choice");
    assert_eq!(
        t.describe(),
        "choice(compromise 0.5, median 0.25, nbs 0.25)"
    );
    assert_eq!(t.central(), 0.0);
    assert_eq!(t.central_option(), Some("compromise"));
    assert_eq!(t.option_index("median"), Some(1));
    assert_eq!(t.option_index("nbs"), Some(2));
    assert_eq!(t.option_index("Median"), None);
    assert_eq!(t.option_name(2.0), Some("nbs"));
    assert_eq!(t.option_name(3.0), None);
    assert_eq!(t.option_name(0.5), None);
    assert_eq!(t.options().map(<[String]>::len), Some(3));
    // No weights: equal ones; the central option of a tie is the first.
    let w = &c.param("actor_weighting").unwrap().dist;
    assert_eq!(
        w,
        &Dist::Choice {
            options: vec!["all".into(), "no_outsiders".into(), "states_once".into()],
            weights: vec![1.0 / 3.0; 3],
        }
    );
    assert_eq!(
        w.describe(),
        "choice(all 0.3333, no_outsiders 0.3333, states_once 0.3333)"
    );
    assert_eq!(w.central(), 0.0);
    // The most probable option is central, wherever it is.
    let c = ok(&format!("{BASE}{CHOICE}").replace("weights = [2, 1, 1]", "weights = [1, 3, 3]"));
    let t = &c.param("terms_model").unwrap().dist;
    assert_eq!((t.central(), t.central_option()), (1.0, Some("median")));
    // Numeric distributions have no options.
    let a = &c.param("a").unwrap().dist;
    assert_eq!(
        (a.options(), a.option_index("a"), a.central_option()),
        (None, None, None)
    );
    // A choice of one option is allowed (a structural choice kept fixed).
    ok(&format!("{BASE}{CHOICE}").replace(
        "options = [\"all\", \"no_outsiders\", \"states_once\"]",
        "options = [\"all\"]",
    ));
}

#[test]
fn choice_params_round_trip_through_toml() {
    let c = ok(&format!("{BASE}{CHOICE}"));
    let text = to_toml(&c).unwrap();
    assert!(text.contains("dist = \"choice\""), "{text}");
    let again = ok(&text);
    for id in ["terms_model", "actor_weighting", "a", "fixed_one"] {
        assert_eq!(
            again.param(id).unwrap().dist,
            c.param(id).unwrap().dist,
            "{id}"
        );
    }
}

#[test]
fn choice_problems_are_located() {
    let text = format!("{BASE}{CHOICE}");
    let opts = "options = [\"compromise\", \"median\", \"nbs\"]";
    let weights = "weights = [2, 1, 1]";
    // (what to replace, its replacement, code, where the error points, which occurrence of that
    // in the edited text, a piece of the message).
    let cases: &[(&str, &str, &str, &str, usize, &str)] = &[
        (
            opts,
            "options = []",
            "case::bad-distribution",
            "[]",
            0,
            "no options",
        ),
        (
            opts,
            "options = [\"median\", \"nbs\", \"median\"]",
            "case::bad-distribution",
            "\"median\"",
            1,
            "option \"median\" is listed twice (options 1 and 3)",
        ),
        (
            opts,
            "options = [\"compromise\", \"\", \"nbs\"]",
            "case::bad-distribution",
            "\"\"",
            0,
            "option 2 has an empty name",
        ),
        (
            opts,
            "options = [\"compromise\", 2, \"nbs\"]",
            "case::wrong-type",
            "2,",
            0,
            "must be a string",
        ),
        (
            opts,
            "options = \"median\"",
            "case::wrong-type",
            "\"median\"",
            0,
            "must be an array of strings",
        ),
        (
            weights,
            "weights = [2, 1]",
            "case::bad-distribution",
            "[2, 1]",
            0,
            "3 options but 2 weights",
        ),
        (
            weights,
            "weights = [2, -1, 1]",
            "case::bad-distribution",
            "-1, 1]",
            0,
            "the weight of \"median\" is negative (-1)",
        ),
        (
            weights,
            "weights = [2, inf, 1]",
            "case::not-finite",
            "inf",
            0,
            "finite",
        ),
        (
            weights,
            "weights = [2, \"x\", 1]",
            "case::wrong-type",
            "\"x\"",
            0,
            "must be a number",
        ),
        (
            weights,
            "weights = [0, 0.0, 0]",
            "case::bad-distribution",
            "[0, 0.0, 0]",
            0,
            "the weights are all zero",
        ),
        (
            weights,
            "weights = [2, 1, 1]\nmin = 0",
            "case::key-not-for-dist",
            "0\njudgement = \"the compromise",
            0,
            "`min` does not apply to a choice",
        ),
        (
            opts,
            "values = [1, 2, 3]",
            "case::key-not-for-dist",
            "[1, 2, 3]",
            0,
            "`values` does not apply to a choice",
        ),
    ];
    for &(from, to, code, at, nth, msg) in cases {
        let edited = text.replacen(from, to, 1);
        let d = problems(&edited);
        assert_eq!(codes(&d), [code], "{to}: one problem, no follow-on");
        let first = d
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{to}: no {code} in {:#?}", d));
        assert!(first.message.contains(msg), "{to}: {}", first.message);
        assert_eq!(
            (first.line, first.column),
            line_col(&edited, at, nth),
            "{to}: {}",
            first.message
        );
        assert!(first.expected.is_some(), "{to}: no expected");
        assert_eq!(first.file.as_ref(), "toy.toml");
    }
    // Without `options`, the table is reported as missing the key.
    let d = problems(&text.replacen(&format!("{opts}\n"), "", 1));
    assert_eq!(codes(&d), ["case::missing-key"]);
    assert!(
        d[0].message.contains("has no `options`"),
        "{}",
        d[0].message
    );
    // A misspelt `options` is one unknown key with a hint, not also a missing key.
    let d = problems(&text.replacen("options = [\"c", "option = [\"c", 1));
    assert_eq!(codes(&d), ["case::unknown-key"]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `options`?"));
}

#[test]
fn a_choice_cannot_be_rank_correlated() {
    let text = format!("{BASE}{CHOICE}{}", corr("a", "terms_model", 0.3));
    let d = problems(&text);
    assert_eq!(codes(&d), ["case::correlated-choice"]);
    assert_eq!(
        (d[0].line, d[0].column),
        line_col(&text, "\"terms_model\"", 1)
    );
    assert!(
        d[0].hint
            .as_deref()
            .unwrap()
            .contains("remove the correlation")
    );
}

// ------------------------------------------------------------------------------------ [sim] links

/// A link table as an engine would declare it (the real ones live with the engines).
const TEST_SIM: LinkTable = LinkTable {
    name: "sim",
    keys: &[
        LinkKey::list(
            "energy_issues",
            LinkKind::Issue,
            "issues bargained each year",
        ),
        LinkKey::list("military_issues", LinkKind::Issue, "military issues"),
        LinkKey::one("qre_lambda", LinkKind::Param, "rationality"),
        LinkKey::one("cost_client", LinkKind::Param, "the client's cost"),
    ],
};

#[test]
fn sim_link_problems_are_reported() {
    let text = format!(
        "{BASE}\n[sim]\nenergy_issues = [\"gas_price\", \"gas_prize\", \"gas_price\"]\nqre_lambda = \"d\"\nmilitary_issues = \"loans\"\nqre_lambd = \"c\"\ncost_capital = \"c\"\n"
    );
    let d = problems_with(&text, &[TEST_SIM]);
    let c = codes(&d);
    for want in [
        "case::unknown-link",
        "case::duplicate-link",
        "case::wrong-type",
        "case::unknown-key",
    ] {
        assert!(c.contains(&want), "{want} not in {c:?}");
    }
    let prize = d.iter().find(|d| d.message.contains("gas_prize")).unwrap();
    assert_eq!(prize.hint.as_deref(), Some("did you mean \"gas_price\"?"));
    let lambd = d.iter().find(|d| d.message.contains("qre_lambd`")).unwrap();
    assert_eq!(lambd.hint.as_deref(), Some("did you mean `qre_lambda`?"));
    let old = d
        .iter()
        .find(|d| d.message.contains("cost_capital"))
        .unwrap();
    assert!(
        old.hint
            .as_deref()
            .unwrap()
            .contains("renamed `cost_client`")
    );
    // `d` names a [[param]]? No: a param must be named, and "d" is none of the case's.
    assert!(
        d.iter()
            .any(|d| d.message.contains("not a [[param]]") && d.message.contains("\"d\""))
    );
}

/// Without an engine's table a link table is read by shape: unknown keys pass, every id must
/// name some record, duplicates and values that are no id are errors.
#[test]
fn link_tables_without_a_schema_are_read_by_shape() {
    let text = format!(
        "{BASE}\n[sim]\nanything = [\"gas_price\", \"gas_price\"]\nother = \"nowhere\"\nthird = 3\n"
    );
    let d = problems_with(&text, &[]);
    let mut c = codes(&d);
    c.sort_unstable();
    assert_eq!(
        c,
        [
            "case::duplicate-link",
            "case::unknown-link",
            "case::wrong-type"
        ]
    );
    let ok_text = format!("{BASE}\n[sim]\nanything = [\"gas_price\"]\nother = \"c\"\n");
    let loaded = load_with("toy.toml", &ok_text, &NoFiles, &[]).expect("loads");
    assert_eq!(loaded.case.sim_links("anything"), ["gas_price"]);
    // The shape the case wrote survives serialisation.
    let json = serde_json::to_value(&loaded.case).unwrap();
    assert_eq!(json["sim"]["anything"], serde_json::json!(["gas_price"]));
    assert_eq!(json["sim"]["other"], serde_json::json!("c"));
}

// ---------------------------------------------------------------------------------------- schema

#[test]
fn schema_has_the_new_tables() {
    let s = schema();
    for k in ["state", "correlation", "sim"] {
        assert!(s["properties"].get(k).is_some(), "schema lacks {k}");
    }
    // The choice distribution, with its options and weights.
    let text = s.to_string();
    assert!(
        text.contains("\"choice\""),
        "schema lacks dist = \"choice\""
    );
    assert!(text.contains("\"options\""), "schema lacks `options`");
}

// -------------------------------------------------------------------------------------- outcomes

fn doc_block(section: &str) -> String {
    let doc = std::fs::read_to_string(format!(
        "{}/../../docs/case-format.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    doc.split(section)
        .nth(1)
        .and_then(|s| s.split("```toml").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap_or_else(|| panic!("no toml block after {section}"))
        .to_string()
}

#[test]
fn the_outcomes_example_in_the_doc_scores_the_complete_example() {
    let case = ok(&doc_block("## A complete example"));
    let o = outcomes::parse(&doc_block("## Outcomes files"), "outcomes.toml")
        .unwrap_or_else(|p| panic!("{:#?}", p.diagnostics));
    outcomes::validate_against(&o, &case).unwrap_or_else(|p| panic!("{:#?}", p.diagnostics));
    assert_eq!(o.case, case.case.id);
    assert!(o.scenario_in(2020).is_some());
    assert!(o.position_of("gas_price", 2020).is_some());
}

#[test]
fn outcomes_problems_are_reported() {
    let text = r#"
[outcomes]
case = "toy"

[[source]]
id = "news"
citation = "News"

[[year]]
year = 2020
scenario = "drift"
source = "newz"

[[year]]
year = 2020
scenario = "unoin"
judgement = "x"

[[position]]
issue = "gas_price"
year = 2021
position = 120
source = "news"

[[position]]
issue = "gas_price"
year = 2021
position = 50

[[position]]
issue = "gas_prize"
year = 2031
position = 50
source = "news"
"#;
    let p = outcomes::parse(text, "o.toml").unwrap_err();
    let c = codes(&p.diagnostics);
    for want in [
        "outcomes::unknown-source",
        "outcomes::duplicate-year",
        "outcomes::out-of-range",
        "outcomes::unsourced",
        "outcomes::duplicate-position",
    ] {
        assert!(c.contains(&want), "{want} not in {c:?}");
    }
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == "outcomes::unknown-source")
        .unwrap();
    assert_eq!((d.line, d.column), (12, 10));
    assert_eq!(d.hint.as_deref(), Some("did you mean \"news\"?"));

    // Against the case: ids and years.
    let case = ok(&format!("{BASE}{SCENARIOS}"));
    let fixed = text
        .replace("\"newz\"", "\"news\"")
        .replace(
            "year = 2020\nscenario = \"unoin\"",
            "year = 2022\nscenario = \"unoin\"",
        )
        .replace("position = 120", "position = 20")
        .replace(
            "year = 2021\nposition = 50\n",
            "year = 2022\nposition = 50\nsource = \"news\"\n",
        );
    let o = outcomes::parse(&fixed, "o.toml").unwrap_or_else(|p| panic!("{:#?}", p.diagnostics));
    let p = outcomes::validate_against(&o, &case).unwrap_err();
    let c = codes(&p.diagnostics);
    assert_eq!(
        c,
        [
            "outcomes::unknown-id",
            "outcomes::unknown-id",
            "outcomes::year-out-of-range"
        ],
        "{:#?}",
        p.diagnostics
    );
    assert_eq!(
        p.diagnostics[0].hint.as_deref(),
        Some("did you mean \"union\"?")
    );
    let other = ok(&format!("{BASE}{SCENARIOS}").replace("id = \"toy\"", "id = \"other\""));
    let p = outcomes::validate_against(&o, &other).unwrap_err();
    assert_eq!(p.diagnostics[0].code, "outcomes::wrong-case");
}

#[test]
fn outcomes_syntax_errors_and_missing_table() {
    let p = outcomes::parse("[outcomes\ncase = 1", "o.toml").unwrap_err();
    assert!(p.diagnostics.iter().all(|d| d.line >= 1));
    let p = outcomes::parse(
        "[[year]]\nyear = 2020\nscenario = \"x\"\njudgement = \"y\"\n",
        "o.toml",
    )
    .unwrap_err();
    assert_eq!(codes(&p.diagnostics), ["outcomes::missing-table"]);
}

// ------------------------------------------------------------------------------ rule properties

/// A generated, well-typed rule with a reference meaning.
#[derive(Debug, Clone)]
enum N {
    C(u32),
    V(usize),
    Neg(Box<N>),
    A(char, Box<N>, Box<N>),
}

#[derive(Debug, Clone)]
enum B {
    T(bool),
    Cmp(&'static str, N, N),
    Truthy(N),
    Not(Box<B>),
    And(Box<B>, Box<B>),
    Or(Box<B>, Box<B>),
}

const IDS: [&str; 3] = ["x", "y_2", "z"];

fn num_ref(n: &N, s: &[f64]) -> f64 {
    match n {
        N::C(c) => f64::from(*c) / 4.0,
        N::V(i) => s[*i],
        N::Neg(x) => -num_ref(x, s),
        N::A(op, a, b) => {
            let (a, b) = (num_ref(a, s), num_ref(b, s));
            match op {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ => a / b,
            }
        }
    }
}

fn bool_ref(b: &B, s: &[f64]) -> bool {
    match b {
        B::T(t) => *t,
        B::Cmp(op, a, b) => {
            let (a, b) = (num_ref(a, s), num_ref(b, s));
            match *op {
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                ">=" => a >= b,
                "==" => a == b,
                _ => a != b,
            }
        }
        B::Truthy(n) => num_ref(n, s) != 0.0,
        B::Not(x) => !bool_ref(x, s),
        B::And(a, b) => bool_ref(a, s) && bool_ref(b, s),
        B::Or(a, b) => bool_ref(a, s) || bool_ref(b, s),
    }
}

/// Fully parenthesised text (so it does not rely on the printer under test).
fn num_text(n: &N) -> String {
    match n {
        N::C(c) => format!("{}", f64::from(*c) / 4.0),
        N::V(i) => IDS[*i].to_string(),
        N::Neg(x) => format!("-({})", num_text(x)),
        N::A(op, a, b) => format!("({} {op} {})", num_text(a), num_text(b)),
    }
}

fn bool_text(b: &B) -> String {
    match b {
        B::T(t) => t.to_string(),
        B::Cmp(op, a, b) => format!("({} {op} {})", num_text(a), num_text(b)),
        B::Truthy(n) => num_text(n),
        B::Not(x) => format!("!({})", bool_text(x)),
        B::And(a, b) => format!("({} && {})", bool_text(a), bool_text(b)),
        B::Or(a, b) => format!("({} || {})", bool_text(a), bool_text(b)),
    }
}

fn num_strategy() -> impl Strategy<Value = N> {
    let leaf = prop_oneof![(0u32..400).prop_map(N::C), (0usize..3).prop_map(N::V)];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| N::Neg(Box::new(x))),
            (
                prop_oneof![Just('+'), Just('-'), Just('*'), Just('/')],
                inner.clone(),
                inner
            )
                .prop_map(|(op, a, b)| N::A(op, Box::new(a), Box::new(b))),
        ]
    })
}

fn bool_strategy() -> impl Strategy<Value = B> {
    let cmp = prop_oneof![
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("=="),
        Just("!=")
    ];
    let leaf = prop_oneof![
        any::<bool>().prop_map(B::T),
        (cmp, num_strategy(), num_strategy()).prop_map(|(op, a, b)| B::Cmp(op, a, b)),
        num_strategy().prop_map(B::Truthy),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| B::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| B::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| B::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn state_strategy() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(
        prop_oneof![
            Just(0.0),
            Just(1.0),
            Just(60.0),
            (0u32..400).prop_map(|c| f64::from(c) / 4.0),
            -100.0f64..100.0
        ],
        3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The parser and compiler never panic, and every error lies inside the rule.
    #[test]
    fn rules_never_panic(s in "[ -~]{0,60}", t in "[a-z0-9_ ()!<>=&|+*/.-]{0,40}", u in any::<String>()) {
        for src in [&s, &t, &u] {
            match rule::compile_str(src, &IDS) {
                Ok(r) => { let _ = r.eval(&[1.0, 2.0, 3.0]); let _ = r.to_string(); }
                Err(e) => {
                    prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len());
                    prop_assert!(e.column(src) >= 1);
                    prop_assert!(!e.message.is_empty() && !e.expected.is_empty());
                }
            }
        }
    }

    /// Printing is canonical: parse(print(e)) prints the same, and means the same.
    #[test]
    fn choice_weights_round_trip_exactly(
        w in proptest::collection::vec(prop_oneof![Just(0.0), 1e-6..1e6f64, 0.0..1.0f64], 1..9),
        bump in 0.01..5.0f64,
    ) {
        let mut w = w;
        w[0] += bump;
        let names: Vec<String> = (0..w.len()).map(|k| format!("\"o{k}\"")).collect();
        let ws: Vec<String> = w.iter().map(|x| format!("{x:?}")).collect();
        let text = format!(
            "{BASE}\n[[param]]\nid = \"pick\"\ndist = \"choice\"\noptions = [{}]\nweights = [{}]\njudgement = \"x\"\n",
            names.join(", "),
            ws.join(", ")
        );
        let c = ok(&text);
        let d = &c.param("pick").unwrap().dist;
        let Dist::Choice { weights, .. } = d else { panic!("{d:?}") };
        let total: f64 = w.iter().sum();
        prop_assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (a, b) in weights.iter().zip(&w) {
            prop_assert!((a - b / total).abs() <= 1e-12, "{} vs {}", a, b / total);
        }
        let again = ok(&to_toml(&c).unwrap());
        prop_assert_eq!(&again.param("pick").unwrap().dist, d);
    }

    #[test]
    fn print_parse_round_trips(b in bool_strategy(), s in state_strategy()) {
        let text = bool_text(&b);
        let r1 = rule::compile_str(&text, &IDS).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
        let printed = r1.to_string();
        let r2 = rule::compile_str(&printed, &IDS).map_err(|e| TestCaseError::fail(format!("{printed}: {e:?}")))?;
        prop_assert_eq!(r2.to_string(), printed.clone());
        prop_assert_eq!(r1.expr().to_string(), printed);
        prop_assert_eq!(r1.eval(&s), r2.eval(&s));
    }

    /// The compiled, folded form agrees with a reference interpreter.
    #[test]
    fn eval_agrees_with_reference(b in bool_strategy(), s in state_strategy()) {
        let text = bool_text(&b);
        let r = rule::compile_str(&text, &IDS).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
        prop_assert_eq!(r.eval(&s), bool_ref(&b, &s), "{}", text);
    }
}

#[test]
fn binop_table_is_consistent() {
    for op in [
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Eq,
        BinOp::Ne,
    ] {
        assert!(op.is_comparison());
    }
    let r: CompiledRule = rule::compile_str("x < 1", &IDS).unwrap();
    assert_eq!(r.vars(), [0]);
    assert_eq!(r.thresholds().unwrap()[0].value, 1.0);
    assert!(
        rule::compile_str("x < z", &IDS)
            .unwrap()
            .thresholds()
            .is_none()
    );
}
