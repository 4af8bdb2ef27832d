//! `leverage game`: solve an extensive-form game read from a Gambit `.efg` file.

use std::path::Path;

use comfy_table::{Cell, CellAlignment};
use leverage_games::{BackwardInduction, Game, Profile, enumerate_pure_spe, expected_payoffs};
use serde_json::json;

use crate::args::{Output, SolverArg, TemplateArg};
use crate::show::table;
use crate::user;
use crate::{Failure, Result, pretty_json};
use leverage_games::templates;

/// Read and validate a `.efg` file, with located errors.
pub fn read_efg(path: &Path) -> Result<Game> {
    let name = path.display().to_string();
    let text = crate::io::read_input_text(path)
        .map_err(|e| user(format!("cannot read {name}: {e}\n  help: check the path")))?;
    Game::from_efg(&text).map_err(|e| match e {
        leverage_games::EfgError::Syntax {
            line,
            column,
            expected,
            found,
            hint,
        } => user(format!(
            "{name}:{line}:{column}: expected {expected}, found {found}{}",
            if hint.is_empty() {
                String::new()
            } else {
                format!("\n  help: {hint}")
            }
        )),
        leverage_games::EfgError::Invalid { problems } => {
            let list: Vec<String> = problems
                .iter()
                .map(|p| format!("{name}:{}:{}: {}", p.line, p.column, p.error))
                .collect();
            user(format!(
                "the file describes an invalid game:\n  {}",
                list.join("\n  ")
            ))
        }
    })
}

/// The path a profile takes: terminal outcomes with their probabilities (positive only).
fn outcomes(game: &Game, profile: &Profile) -> Result<Vec<(String, f64, Vec<f64>)>> {
    leverage_games::labelled_outcomes(game, profile).map_err(|e| Failure::Internal(e.to_string()))
}

/// The `game` command: build or read a game, then export it or solve it.
#[allow(clippy::too_many_arguments)]
pub fn run(
    case: Option<&Path>,
    template: Option<TemplateArg>,
    efg: Option<&Path>,
    solver: SolverArg,
    lambda: Option<f64>,
    all: bool,
    export: bool,
    output: Output,
) -> Result<()> {
    if all && solver != SolverArg::Spe {
        return Err(user(
            "--all enumerates pure subgame-perfect equilibria: use it with --solver spe".into(),
        ));
    }
    let (game, name, origins, types) = match (efg, template) {
        (Some(p), _) => (read_efg(p)?, p.display().to_string(), Vec::new(), None),
        (None, Some(TemplateArg::Iig)) => (
            templates::iig(&templates::IigInputs::reference())
                .map_err(|e| Failure::Internal(e.to_string()))?,
            "International Interaction Game (reference payoffs)".to_string(),
            Vec::new(),
            None,
        ),
        (None, Some(TemplateArg::Crisis)) => (
            templates::crisis(
                &templates::CrisisInputs::reference(),
                "Challenger",
                "Defender",
            )
            .map_err(|e| Failure::Internal(e.to_string()))?,
            "crisis bargaining, one-sided incomplete information (reference inputs)".to_string(),
            Vec::new(),
            None,
        ),
        (None, _) => {
            let loaded = crate::io::load_case(case)?;
            crate::diagnostics::print_warnings(&loaded);
            let c = &loaded.case;
            let (inp, origins) =
                leverage_report::game_section::ultimatum_inputs(c).map_err(|e| {
                    user(format!(
                        "{e}\n  help: link each key in the case (docs/case-format.md, [game])"
                    ))
                })?;
            inp.validate().map_err(|e| user(format!("the ultimatum's inputs are invalid: {e}\n  help: check the case's [game] links and parameters")))?;
            let g = templates::try_ultimatum_between(&inp, c.patron_name(), c.client_name())
                .map_err(|e| user(e.to_string()))?;
            (
                g,
                format!("the integration ultimatum of case {}", c.case.id),
                origins,
                Some(leverage_report::game_section::scenarios_by_type(c)),
            )
        }
    };
    if export {
        print!("{}", game.to_efg());
        return Ok(());
    }
    solve_game(
        &game,
        &name,
        &origins,
        types.as_deref(),
        solver,
        lambda,
        all,
        output,
    )
}

/// Solve and print. `types` maps each ultimatum outcome type to the case's scenarios of that
/// type (a game built from a case).
#[allow(clippy::too_many_arguments)]
fn solve_game(
    game: &Game,
    name: &str,
    origins: &[leverage_report::game_section::InputOrigin],
    types: Option<&[(&'static str, String)]>,
    solver: SolverArg,
    lambda: Option<f64>,
    all: bool,
    output: Output,
) -> Result<()> {
    let game = game.clone();
    let (profile, how, regret) = match solver {
        SolverArg::Spe => {
            let sol = BackwardInduction::default().solve_values(&game).map_err(|e| {
                user(format!("{e}\n  help: try --solver lcp (a Nash equilibrium, two players) or --solver qre"))
            })?;
            (sol.profile, "Subgame-perfect equilibrium by backward induction (ties: first action in the file's order)".to_string(), None)
        }
        SolverArg::Lcp => {
            let sol = leverage_games::Lcp::default()
                .solve_game(&game)
                .map_err(|e| user(format!("lcp: {e}")))?;
            let r = leverage_games::max_regret(&game, &sol.profile);
            (
                sol.profile,
                format!(
                    "A Nash equilibrium by the sequence form and Lemke's algorithm ({} pivots)",
                    sol.pivots
                ),
                Some(r),
            )
        }
        SolverArg::Qre => {
            let q = match lambda {
                Some(l) => leverage_games::logit_at(&game, l),
                None => {
                    leverage_games::logit_limit(&game, &leverage_games::LimitOptions::default())
                }
            }
            .map_err(|e| user(format!("logit QRE: {e}")))?;
            (
                q.profile,
                format!(
                    "Logit quantal response equilibrium at λ = {:.4}{}",
                    q.lambda,
                    if lambda.is_none() {
                        " (traced to its limit)"
                    } else {
                        ""
                    }
                ),
                None,
            )
        }
    };
    let spes = if all {
        enumerate_pure_spe(&game).map_err(|e| user(e.to_string()))?
    } else {
        vec![profile.clone()]
    };
    let payoffs =
        expected_payoffs(&game, &profile).map_err(|e| Failure::Internal(e.to_string()))?;
    let outs = outcomes(&game, &profile)?;
    match output {
        Output::Json => {
            let v = json!({
                "game": name,
                "inputs": origins,
                "players": game.players(),
                "nodes": game.nodes().len(),
                "solver": how,
                "max_regret": regret,
                "payoffs": payoffs,
                "outcomes": outs.iter().map(|(l, p, u)| {
                    let kind = templates::outcome_type_of(l);
                    let scenarios = types.and_then(|t| t.iter().find(|(k, _)| *k == kind)).map(|(_, s)| s.as_str());
                    json!({"outcome": l, "outcome_type": (!kind.is_empty()).then_some(kind), "case_scenarios": scenarios, "probability": p, "payoffs": u})
                }).collect::<Vec<_>>(),
                "profile": profile,
                "pure_spe_count": all.then_some(spes.len()),
                "pure_spe": if all { json!(spes) } else { serde_json::Value::Null },
            });
            println!("{}", pretty_json(&v)?);
        }
        Output::Csv => {
            // One row per outcome with a positive probability: its outcome type, the case's
            // scenarios of that type, its probability and each player's payoff.
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            let csv_err = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            let mut header = vec![
                "outcome".to_string(),
                "outcome_type".into(),
                "case_scenarios".into(),
                "probability".into(),
            ];
            header.extend(game.players().iter().map(|p| format!("payoff_{p}")));
            w.write_record(&header).map_err(csv_err)?;
            for (l, p, u) in &outs {
                let kind = templates::outcome_type_of(l);
                let scenarios = types
                    .and_then(|t| t.iter().find(|(k, _)| *k == kind))
                    .map_or("", |(_, s)| s.as_str());
                let mut row = vec![
                    l.to_string(),
                    kind.to_string(),
                    scenarios.to_string(),
                    p.to_string(),
                ];
                row.extend(u.iter().map(f64::to_string));
                w.write_record(&row).map_err(csv_err)?;
            }
            w.flush()?;
        }
        Output::Table => {
            let mut head = vec!["outcome", "type"];
            if types.is_some() {
                head.push("the case's scenarios of that type");
            }
            head.extend(["probability", "payoffs"]);
            let mut t = table(&head);
            for (l, p, u) in &outs {
                let kind = templates::outcome_type_of(l);
                let mut row = vec![Cell::new(l), Cell::new(kind)];
                if let Some(types) = types {
                    row.push(Cell::new(
                        types
                            .iter()
                            .find(|(k, _)| *k == kind)
                            .map_or("", |(_, s)| s.as_str()),
                    ));
                }
                t.add_row(
                    row.into_iter()
                        .chain(vec![
                            Cell::new(format!("{p:.4}")).set_alignment(CellAlignment::Right),
                            Cell::new(
                                u.iter()
                                    .map(|x| crate::show::fmt_num((x * 1000.0).round() / 1000.0))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ),
                        ])
                        .collect::<Vec<_>>(),
                );
            }
            println!(
                "{}: {} players ({}), {} nodes. {}.\n{t}\nEquilibrium payoffs: {}",
                name,
                game.players().len(),
                game.players().join(", "),
                game.nodes().len(),
                how,
                game.players()
                    .iter()
                    .zip(&payoffs)
                    .map(|(p, v)| format!(
                        "{p} {}",
                        crate::show::fmt_num((v * 1000.0).round() / 1000.0)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if all {
                println!("Pure subgame-perfect equilibria: {}", spes.len());
            }
            if !origins.is_empty() {
                let mut t = table(&["input", "value", "origin"]);
                for o in origins {
                    t.add_row(vec![
                        Cell::new(&o.input),
                        Cell::new(crate::show::fmt_num((o.value * 1000.0).round() / 1000.0))
                            .set_alignment(CellAlignment::Right),
                        Cell::new(&o.origin),
                    ]);
                }
                println!("The payoff formulas' inputs (docs/games.md):\n{t}");
            }
        }
    }
    Ok(())
}
