//! `leverage forecast` and `leverage backtest`: the bargaining models on a case or a table.

use std::path::Path;

use comfy_table::{Cell, CellAlignment};
use leverage_bargain::backtest::{Item, backtest};
use leverage_bargain::compromise::Compromise;
use leverage_bargain::median::Median;
use leverage_bargain::nbs::Nbs;
use leverage_bargain::{Forecast, Model, problem_from_issue};
use leverage_case::Case;
use serde_json::json;

use crate::args::{ModelArg, Output};
use crate::show::{fmt_num, table};
use crate::user;
use crate::{Failure, Result, pretty_json};

/// The models a `--model` choice stands for.
pub fn models(choice: ModelArg, rounds: Option<usize>) -> Vec<Box<dyn Model + Send + Sync>> {
    let eu = || -> Box<dyn Model + Send + Sync> {
        let mut m = leverage_bargain::eu::ExpectedUtility::default();
        if let Some(r) = rounds {
            m.options.rounds = r;
        }
        Box::new(m)
    };
    match choice {
        ModelArg::Eu => vec![eu()],
        ModelArg::Smp => vec![Box::new(leverage_bargain::smp::Smp::default())],
        ModelArg::Compromise => vec![Box::new(Compromise)],
        ModelArg::Median => vec![Box::new(Median)],
        ModelArg::Nbs => vec![Box::new(Nbs)],
        ModelArg::Exchange => Vec::new(),
        ModelArg::All => vec![
            eu(),
            Box::new(leverage_bargain::smp::Smp::default()),
            Box::new(Compromise),
            Box::new(Median),
            Box::new(Nbs),
        ],
    }
}

/// Progress of long work on stderr (never stdout): shown as it goes when stderr is a terminal,
/// and otherwise (a log) once the work has run for [`Progress::QUIET`], a line at most every
/// [`Progress::QUIET`], so that a long run shows it is alive without cluttering short ones.
struct Progress {
    start: std::time::Instant,
    tty: bool,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Progress {
    const QUIET: std::time::Duration = std::time::Duration::from_secs(5);

    fn new() -> Self {
        use std::io::IsTerminal;
        Self {
            start: std::time::Instant::now(),
            tty: std::io::stderr().is_terminal(),
            last: std::sync::Mutex::new(None),
        }
    }

    fn say(&self, msg: &str) {
        let now = std::time::Instant::now();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let gap = if self.tty {
            std::time::Duration::from_millis(200)
        } else {
            Self::QUIET
        };
        if !self.tty && now - self.start < Self::QUIET {
            return;
        }
        if last.is_some_and(|t| now - t < gap) {
            return;
        }
        *last = Some(now);
        if self.tty {
            eprint!("\r\x1b[K{msg}");
        } else {
            eprintln!("{msg} ({:.0} s)", (now - self.start).as_secs_f64());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let shown = self.last.lock().map(|l| l.is_some()).unwrap_or(false);
        if self.tty && shown {
            eprint!("\r\x1b[K");
        }
    }
}

/// Whether a choice includes the exchange model (which works across all issues at once).
fn with_exchange(choice: ModelArg) -> bool {
    matches!(choice, ModelArg::Exchange | ModelArg::All)
}

/// How the joint SMP of a KTAB table runs: the file's model parameters, seed and ideal
/// adjustments (KTAB's defaults for a CSV table, which sets none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JointSmp {
    params: leverage_bargain::smp::SmpParams,
    adjustments: Vec<leverage_bargain::smp::IdealAdjustment>,
}

/// The SMP settings of a KTAB table (XML `<ModelParameters>`, `<prngSeed>`,
/// `<IdealAdjustment>`), every one honoured or refused with its line.
pub fn joint_setup(file: &Path) -> Result<JointSmp> {
    use leverage_bargain::smp::IdealAdjustment;
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        user(format!(
            "cannot read {name}: {e}\n  help: check the path and that the file is UTF-8 text"
        ))
    })?;
    let located = |e: leverage_case::import::ImportError| {
        user(format!(
            "cannot import {}:{}: {}\n  help: {}",
            e.file, e.line, e.message, e.hint
        ))
    };
    let mut setup = JointSmp::default();
    let Some(s) = leverage_case::import::ktab::smp_settings(&name, &text).map_err(located)? else {
        return Ok(setup);
    };
    if let Some((seed, _)) = s.seed {
        setup.params.seed = seed;
    }
    for (element, value, line) in &s.parameters {
        setup.params.set_ktab(element, value).map_err(|e| {
            user(format!(
                "cannot honour {name}:{line}: {e}\n  help: use one of KTAB's values, or remove \
                 the element for KTAB's default"
            ))
        })?;
    }
    setup.adjustments = s
        .ideal_adjustments
        .iter()
        .map(|&(adjusting, reference, rate, _)| IdealAdjustment {
            adjusting,
            reference,
            rate,
        })
        .collect();
    Ok(setup)
}

/// KTAB's own reading of a multi-dimensional table: one SMP run with every issue as a dimension
/// of the same space (saliences shared across dimensions), with the table's settings. One
/// forecast per issue, in case order; `None` when some actor lacks a position on some issue.
pub fn joint_smp(case: &Case, setup: &JointSmp) -> Option<Vec<Forecast>> {
    use leverage_bargain::smp::{self, SmpProblem};
    let names: Vec<String> = case.actors.iter().map(|a| a.id.clone()).collect();
    let mut pos = vec![vec![0.0; case.issues.len()]; names.len()];
    let mut sal = vec![vec![0.0; case.issues.len()]; names.len()];
    for (d, i) in case.issues.iter().enumerate() {
        for (a, name) in names.iter().enumerate() {
            let p = i.positions.iter().find(|p| &p.actor == name)?;
            pos[a][d] = p.position.value;
            sal[a][d] = p.salience.value;
        }
    }
    let capability = case.actors.iter().map(|a| a.capability.value).collect();
    let dims = case.issues.iter().map(|i| i.id.clone()).collect();
    let mut problem = SmpProblem::from_scale_100(names, capability, &pos, &sal, dims).ok()?;
    problem.ideal_adjustment = setup.adjustments.clone();
    problem.validate().ok()?;
    let run = smp::run(&problem, &setup.params);
    Some(
        case.issues
            .iter()
            .enumerate()
            .map(|(d, i)| {
                let p = problem_from_issue(case, i);
                let rounds = run
                    .states
                    .iter()
                    .map(|st| {
                        leverage_bargain::summarize(
                            &p,
                            st.positions.iter().map(|x| 100.0 * x[d]).collect(),
                        )
                    })
                    .collect();
                Forecast {
                    model: "smp".into(),
                    rounds,
                    outcome: 100.0 * run.expected_outcome[d],
                    converged_after: run.converged.then(|| run.states.len() - 1),
                }
            })
            .collect(),
    )
}

/// Forecast every issue (or one) of a case with the chosen models. With `joint`, SMP runs once
/// over all issues as dimensions of one space with those settings (KTAB's reading of its
/// tables).
pub fn forecast(
    case: &Case,
    issue: Option<&str>,
    choice: ModelArg,
    rounds: Option<usize>,
    joint: Option<JointSmp>,
    output: Output,
) -> Result<()> {
    let issues: Vec<_> = match issue {
        Some(id) => vec![case.issue(id).ok_or_else(|| {
            let ids: Vec<&str> = case.issues.iter().map(|i| i.id.as_str()).collect();
            let hint = leverage_case::did_you_mean(id, ids.iter().copied()).map_or_else(
                || format!("the case's issues: {}", ids.join(", ")),
                |b| format!("did you mean {b:?}?"),
            );
            user(format!("the case has no issue {id:?}\n  help: {hint}"))
        })?],
        None => case.issues.iter().collect(),
    };
    if issues.is_empty() {
        return Err(user(
            "the case has no issues to forecast\n  help: add [[issue]] tables with positions"
                .into(),
        ));
    }
    let ms = models(choice, rounds);
    let progress = Progress::new();
    // Issues are independent: they run side by side (each model's result does not depend on
    // the threads, and the results keep the issues' order).
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(&leverage_case::Issue, Vec<Forecast>)> = {
        use rayon::prelude::*;
        issues
            .par_iter()
            .filter_map(|i| {
                let p = problem_from_issue(case, i);
                if p.players.is_empty() {
                    return None;
                }
                let fs = ms
                    .iter()
                    .map(|m| {
                        progress.say(&format!(
                            "forecast: {} of {} issues done; {} on {}",
                            done.load(std::sync::atomic::Ordering::Relaxed),
                            issues.len(),
                            m.name(),
                            i.id,
                        ));
                        m.forecast(&p)
                    })
                    .collect();
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some((*i, fs))
            })
            .collect()
    };
    if let Some(setup) = joint.filter(|_| ms.iter().any(|m| m.name() == "smp")) {
        match joint_smp(case, &setup) {
            Some(joint) => {
                for (issue, fs) in results.iter_mut() {
                    let k = case.issues.iter().position(|i| i.id == issue.id);
                    for f in fs.iter_mut().filter(|f| f.model == "smp") {
                        if let Some(k) = k {
                            *f = joint[k].clone();
                        }
                    }
                }
            }
            None if setup == JointSmp::default() => {}
            None => {
                return Err(user(
                    "the table's SMP settings (model parameters, seed or ideal adjustments) \
                     need every actor on every dimension, and some actor lacks a position\n  \
                     help: give every actor a position and salience on every dimension"
                        .into(),
                ));
            }
        }
    }
    let mut model_names: Vec<&str> = ms.iter().map(|m| m.name()).collect();
    if with_exchange(choice) {
        // Trades run over every issue of the case, whichever issue is shown.
        let all: Vec<_> = case
            .issues
            .iter()
            .filter(|i| !i.positions.is_empty())
            .collect();
        let problems: Vec<_> = all.iter().map(|i| problem_from_issue(case, i)).collect();
        let say = |share: f64| {
            progress.say(&format!(
                "forecast: exchange model, {:.0} % of the candidate trades",
                100.0 * share
            ))
        };
        let run = leverage_bargain::exchange::exchange_with(&problems, Some(&say));
        for (issue, fs) in results.iter_mut() {
            if let Some(k) = all.iter().position(|i| i.id == issue.id) {
                fs.push(run.forecasts[k].clone());
            }
        }
        model_names.push("exchange");
    }
    drop(progress);
    match output {
        Output::Json => {
            let v: Vec<_> = results
                .iter()
                .map(|(i, fs)| {
                    json!({
                        "issue": i.id,
                        "question": i.question,
                        "unit": i.unit.as_ref().map(|u| json!({"name": u.name, "at_0": u.at_0, "at_100": u.at_100})),
                        "actors": problem_from_issue(case, i).names,
                        "models": fs.iter().map(|f| json!({
                            "model": f.model,
                            "outcome": f.outcome,
                            "outcome_unit": i.unit.as_ref().map(|u| u.to_unit(f.outcome)),
                            "converged_after": f.converged_after,
                            "rounds": f.rounds,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", pretty_json(&v)?);
        }
        Output::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let e = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            w.write_record([
                "issue", "model", "round", "actor", "position", "median", "mean",
            ])
            .map_err(e)?;
            for (i, fs) in &results {
                let names = problem_from_issue(case, i).names;
                for f in fs {
                    for (k, r) in f.rounds.iter().enumerate() {
                        for (a, x) in names.iter().zip(&r.positions) {
                            w.write_record([
                                i.id.clone(),
                                f.model.to_string(),
                                k.to_string(),
                                a.clone(),
                                format!("{x:.6}"),
                                format!("{:.6}", r.median),
                                format!("{:.6}", r.mean),
                            ])
                            .map_err(e)?;
                        }
                    }
                }
            }
            w.flush().map_err(|e| Failure::Internal(e.to_string()))?;
        }
        Output::Table => {
            let mut head = vec!["issue".to_string(), "status quo".to_string()];
            head.extend(model_names.iter().map(|m| m.to_string()));
            let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
            let mut t = table(&head_ref);
            // One column per model, each value with its unit: wider than the house width
            // (`--output csv` gives the same numbers in long form).
            t.set_width(170);
            for (i, fs) in &results {
                let fmt_pos = |x: f64| match &i.unit {
                    Some(u) => format!(
                        "{:.1} ({} {})",
                        x,
                        fmt_num((u.to_unit(x) * 10.0).round() / 10.0),
                        u.name
                    ),
                    None => format!("{x:.1}"),
                };
                let mut row = vec![
                    Cell::new(&i.id),
                    Cell::new(
                        i.status_quo
                            .as_ref()
                            .map_or("—".into(), |s| fmt_pos(s.value)),
                    ),
                ];
                for f in fs {
                    row.push(Cell::new(fmt_pos(f.outcome)).set_alignment(CellAlignment::Right));
                }
                t.add_row(row);
            }
            println!(
                "Forecasts on each issue's 0–100 scale (with its unit where the case maps one), {}\n{t}",
                case.case.id
            );
        }
    }
    Ok(())
}

/// Backtest the models on a DEU table.
pub fn backtest_deu(
    file: &Path,
    capability: leverage_case::import::DeuCapability,
    output: Output,
    per_issue: Option<&Path>,
    force: bool,
) -> Result<()> {
    let name = file.display().to_string();
    let text =
        crate::io::read_input_text(file).map_err(|e| user(format!("cannot read {name}: {e}")))?;
    let weighted = leverage_case::import::check_size(&name, &text)
        .and_then(|()| leverage_case::import::deu::import_weighted(&name, &text, capability))
        .map_err(|e| {
            user(format!(
                "cannot read {}:{}: {}\n  help: {}",
                e.file, e.line, e.message, e.hint
            ))
        })?;
    let case = &weighted.case;
    let items: Vec<Item> = case
        .issues
        .iter()
        .zip(&weighted.capabilities)
        .filter_map(|(i, weights)| {
            let out = case
                .figures
                .iter()
                .find(|f| f.id == format!("out_{}", i.id))?
                .value
                .as_ref()?
                .value;
            let mut problem = problem_from_issue(case, i);
            // Each issue weighed by its own capabilities (the treaty in force at its date).
            for (name, player) in problem.names.iter().zip(&mut problem.players) {
                if let Some(&w) = weights.get(name) {
                    player.capability = w;
                }
            }
            (!problem.players.is_empty()).then(|| Item {
                id: i.id.clone(),
                problem,
                outcome: out,
            })
        })
        .collect();
    if items.is_empty() {
        return Err(user(format!(
            "{name}: no issue has an outcome (`out` column)"
        )));
    }
    let ms = models(crate::args::ModelArg::All, None);
    let refs: Vec<&dyn Model> = ms.iter().map(|m| m.as_ref() as &dyn Model).collect();
    let b = backtest(&items, &refs, 2000, 42);
    // Per-issue CSV (never over a file that is not one of ours).
    let mut csv_text = String::from("issue,outcome");
    for m in &refs {
        csv_text.push_str(&format!(",{}", m.name()));
    }
    csv_text.push('\n');
    for r in &b.issues {
        csv_text.push_str(&format!("{},{}", r.id, r.outcome));
        for (_, f) in &r.forecasts {
            csv_text.push_str(&format!(",{f:.4}"));
        }
        csv_text.push('\n');
    }
    // Written only when asked for (--per-issue), and never over a file without --force.
    if let Some(path) = per_issue {
        if path.exists() && !force {
            return Err(crate::io::refuse_overwrite(path, "--per-issue"));
        }
        crate::io::write_atomic(path, csv_text.as_bytes())?;
    }
    match output {
        Output::Json => {
            let v = json!({
                "file": name,
                "issues": items.len(),
                "capability": format!("{capability:?}"),
                "resamples": b.resamples,
                "seed": b.seed,
                "models": b.scores,
                "per_issue_csv": per_issue.map(|p| p.display().to_string()),
            });
            println!("{}", pretty_json(&v)?);
        }
        _ => {
            let mut t = table(&[
                "model",
                "issues",
                "MAE",
                "95 % CI",
                "median error",
                "within ±10",
            ]);
            for s in &b.scores {
                t.add_row(vec![
                    Cell::new(s.model),
                    Cell::new(s.n),
                    Cell::new(format!("{:.1}", s.mae)).set_alignment(CellAlignment::Right),
                    Cell::new(format!("{:.1}–{:.1}", s.mae_ci.0, s.mae_ci.1)),
                    Cell::new(format!("{:.1}", s.median_error)).set_alignment(CellAlignment::Right),
                    Cell::new(format!(
                        "{:.0} % ({:.0}–{:.0})",
                        100.0 * s.within_10,
                        100.0 * s.within_10_ci.0,
                        100.0 * s.within_10_ci.1
                    )),
                ]);
            }
            println!(
                "Backtest on {name}: {} issues with an outcome; capabilities: {capability:?}; bootstrap {} resamples, seed {}\n{t}",
                items.len(),
                b.resamples,
                b.seed,
            );
            if let Some(p) = per_issue {
                println!("Per-issue forecasts: {}", p.display());
            }
        }
    }
    Ok(())
}
