//! The crisis game: the integration ultimatum built from the case (payoff inputs from its
//! `[game]` links, the subsidy at stake from the ledger, the terms from the bargaining forecast),
//! its equilibrium path and outcome probabilities, and how the equilibrium changes as the
//! subsidy at stake moves from 0 % to 10 % of GDP. The players are the case's patron and client
//! by name; each outcome type names the case's own scenarios of that type.

use std::fmt::Write;

use leverage_case::{Case, ScenarioType};
use leverage_games::templates::OUTCOME_TYPES;
use leverage_sim::analyses::GameResults;

use crate::Section;
use crate::case_section::{Tab, fmt, t};
use crate::svg::esc;

pub use leverage_sim::wiring::{InputOrigin, ultimatum_inputs};

/// Each outcome type of the ultimatum with the case's scenarios of that type (ids, comma
/// separated; empty when the case has none).
pub fn scenarios_by_type(case: &Case) -> Vec<(&'static str, String)> {
    OUTCOME_TYPES
        .iter()
        .map(|k| {
            let ids = ScenarioType::parse(k)
                .map(|t| {
                    case.scenarios_of_type(t)
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            (*k, ids)
        })
        .collect()
}

/// An outcome type in words, with the case's scenarios of that type.
fn type_in_words(types: &[(&'static str, String)], kind: &str) -> String {
    let words = kind.replace('_', " ");
    match types.iter().find(|(k, _)| *k == kind) {
        Some((_, ids)) if !ids.is_empty() => format!("{words} (this case's {ids})"),
        _ => words,
    }
}

/// The section, when the case links the game (`[game]`).
pub fn section(case: &Case, game: Option<&Result<GameResults, String>>) -> Option<Section> {
    let game = game?;
    let not_solved = |why: &str| Section {
        id: "game".into(),
        title: "The integration ultimatum as a game".into(),
        html: format!("<p>Not solved: {}</p>", esc(why)),
        markdown: format!("Not solved: {why}"),
        files: Vec::new(),
    };
    let g = match game {
        Ok(g) => g,
        Err(e) => return Some(not_solved(e)),
    };
    let (inp, origins, eq) = (&g.inputs, &g.origins, &g.equilibrium);
    let (patron, client) = (case.patron_name(), case.client_name());
    let pay_head = format!("payoffs ({patron}, {client}), USD bn a year");
    let types = scenarios_by_type(case);
    let mut paths = Tab::new(&["outcome", "type", "probability", &pay_head, "moves"]);
    for o in &eq.outcomes {
        paths.row(vec![
            t(&o.label),
            t(type_in_words(&types, &o.outcome_type)),
            (format!("{:.3}", o.probability), true, None),
            t(o.payoffs
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")),
            t(o.moves.join(" → ")),
        ]);
    }
    // Bounded rationality: every terminal's probability under the logit QRE at λ = 1 and 5.
    let mut qre_tab = Tab::new(&[
        "outcome",
        "type",
        &pay_head,
        "P at λ = 1",
        "P at λ = 5",
        "subgame-perfect",
    ]);
    let mut qre_by_scenario: Vec<(String, f64)> = Vec::new();
    for term in &g.terminals {
        match qre_by_scenario
            .iter_mut()
            .find(|(s, _)| *s == term.outcome_type)
        {
            Some(e) => e.1 += term.p_qre1,
            None => qre_by_scenario.push((term.outcome_type.clone(), term.p_qre1)),
        }
        qre_tab.row(vec![
            t(&term.label),
            t(&term.outcome_type),
            t(term
                .payoffs
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")),
            (format!("{:.3}", term.p_qre1), true, None),
            (format!("{:.3}", term.p_qre5), true, None),
            (
                if term.p_spe > 0.0 {
                    format!("{:.3}", term.p_spe)
                } else {
                    String::new()
                },
                true,
                None,
            ),
        ]);
    }
    // The tree is drawn from the game's inputs, with the stored solutions.
    let tree = leverage_games::templates::try_ultimatum_between(inp, patron, client)
        .ok()
        .map(|named| {
            crate::tree_svg::tree_svg(
                &named,
                g.spe.as_ref(),
                g.qre1.as_ref(),
                "Integration ultimatum: equilibrium path and logit QRE (λ = 1)",
            )
        });
    let qre_summary = qre_by_scenario
        .iter()
        .map(|(s, p)| format!("{} {:.0} %", type_in_words(&types, s), 100.0 * p))
        .collect::<Vec<_>>()
        .join(", ");
    let mut inputs = Tab::new(&["input", "value", "origin"]);
    for o in origins {
        inputs.row(vec![
            t(&o.input),
            (fmt((o.value * 1000.0).round() / 1000.0), true, None),
            t(&o.origin),
        ]);
    }
    let rows = &g.sweep;
    let mut sweep = Tab::new(&[
        "subsidy at stake, % of GDP",
        "USD bn",
        "equilibrium outcome type",
        &pay_head,
    ]);
    let mut csv =
        String::from("subsidy_pct_gdp,subsidy_usd_bn,outcome_type,payoff_patron,payoff_client\n");
    for r in rows {
        sweep.row(vec![
            (format!("{:.1}", r.subsidy_pct_gdp), true, None),
            (format!("{:.2}", r.subsidy_usd_bn), true, None),
            t(r.equilibrium.outcome_type.replace('_', " ")),
            t(r.equilibrium
                .payoffs
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")),
        ]);
        let _ = writeln!(
            csv,
            "{},{},{},{},{}",
            r.subsidy_pct_gdp,
            r.subsidy_usd_bn,
            r.equilibrium.outcome_type,
            r.equilibrium.payoffs.first().copied().unwrap_or(f64::NAN),
            r.equilibrium.payoffs.get(1).copied().unwrap_or(f64::NAN)
        );
    }
    let terms_issue = case.game_link("terms_issue").unwrap_or_default();
    let intro = format!(
        "{patron} keeps the status quo or demands integration terms ({:.0} on the scale of issue `{terms_issue}`); {client} accepts, stalls, or refuses and seeks outside support; chance decides whether support arrives; {patron} backs down, coerces economically (the subsidy at stake), or applies military-political pressure; {client} gives in or resists; intervention is the last branch. Solved by backward induction (subgame-perfect equilibrium; ties go to the least escalatory action). Payoff formulas: docs/games.md. Most likely outcome: {}.",
        inp.terms,
        type_in_words(&types, &eq.outcome_type)
    );
    Some(Section {
        id: "game".into(),
        title: "The integration ultimatum as a game".into(),
        html: format!(
            "<p>{}</p>\n<h3>Equilibrium outcomes</h3>\n{}\n{}\n<h3>With bounded rationality: the logit quantal response equilibrium</h3>\n<p>Each side chooses better actions more often, not always (λ measures how sharply). Outcome types at λ = 1: {}.</p>\n{}\n<h3>How the equilibrium moves with the subsidy at stake</h3>\n<p>Does a falling subsidy change {}'s calculus? Everything else as above.</p>\n{}\n<details><summary>The game's inputs and their origin</summary>\n{}</details>",
            esc(&intro),
            paths.html(),
            tree.as_ref().map_or(String::new(), |t| format!("<figure>{t}<figcaption>The tree: decision nodes by player, the subgame-perfect path in orange (thin orange: its choices off the path), terminals with payoffs and their probability under the logit QRE at λ = 1. File: game-tree.svg.</figcaption></figure>")),
            esc(&qre_summary),
            qre_tab.html(),
            esc(client),
            sweep.html(),
            inputs.html()
        ),
        markdown: format!(
            "{intro}\n\n### Equilibrium outcomes\n\n{}\n![The ultimatum's tree](game-tree.svg)\n\n### With bounded rationality: the logit QRE\n\nOutcome types at λ = 1: {qre_summary}.\n\n{}\n### How the equilibrium moves with the subsidy at stake\n\n{}\n### The game's inputs and their origin\n\n{}",
            paths.md(),
            qre_tab.md(),
            sweep.md(),
            inputs.md()
        ),
        files: {
            let mut f = vec![("game-subsidy-sweep.csv".to_string(), csv)];
            if let Some(t) = tree {
                f.push(("game-tree.svg".to_string(), t));
            }
            f
        },
    })
}
