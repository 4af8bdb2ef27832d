//! `leverage cases` and `leverage score --cases`: a folder of cases as a library, listed one
//! line per case, and scored against what happened beside the uniform and base-rate forecasts.
//!
//! A case of the library is `NAME.toml`; its outcomes, when it has them, are
//! `NAME.outcomes.toml` beside it.

use std::path::{Path, PathBuf};

use comfy_table::{Cell, CellAlignment};
use leverage_sim::analysis;
use serde_json::json;

use crate::args::Output;
use crate::show::{name_cell, table};
use crate::user;
use crate::{Result, io, pretty_json};

const OUTCOMES_SUFFIX: &str = ".outcomes.toml";

/// The case files of a folder, sorted by name, each with its outcomes file if there is one.
fn members(dir: &Path) -> Result<Vec<(PathBuf, Option<PathBuf>)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        user(format!(
            "cannot read the case folder {}: {e}\n  help: give the folder that holds the cases (default ./cases)",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".toml") && !name.ends_with(OUTCOMES_SUFFIX)
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(user(format!(
            "{} holds no case (*.toml)\n  help: a library is a folder of case files, each NAME.toml with its outcomes as NAME.outcomes.toml",
            dir.display()
        )));
    }
    Ok(files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let o = p.with_file_name(format!("{stem}{OUTCOMES_SUFFIX}"));
            let o = o.is_file().then_some(o);
            (p, o)
        })
        .collect())
}

/// `leverage cases [DIR]`.
pub fn list(dir: &Path, output: Output) -> Result<()> {
    let mut rows = Vec::new();
    for (path, outcomes) in members(dir)? {
        let file = path.display().to_string();
        let row = match io::load_case(Some(&path)) {
            Ok(l) => {
                let c = &l.case;
                json!({
                    "file": file,
                    "id": c.case.id,
                    "title": c.case.title,
                    "as_of": c.case.as_of.to_string(),
                    "horizon": c.case.horizon,
                    "patron": c.patron_name(),
                    "client": c.client_name(),
                    "actors": c.actors.len(),
                    "issues": c.issues.len(),
                    "scenarios": c.scenarios.len(),
                    "outcomes": outcomes.as_ref().map(|p| p.display().to_string()),
                    "valid": true,
                })
            }
            Err(_) => json!({
                "file": file,
                "valid": false,
                "outcomes": outcomes.as_ref().map(|p| p.display().to_string()),
            }),
        };
        rows.push(row);
    }
    if output == Output::Json {
        println!("{}", pretty_json(&rows)?);
        return Ok(());
    }
    let mut t = table(&[
        "case",
        "as of",
        "horizon",
        "actors",
        "issues",
        "K",
        "outcomes",
        "patron → client",
    ]);
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::String(x) => x.clone(),
        serde_json::Value::Null => "—".into(),
        x => x.to_string(),
    };
    for r in &rows {
        if r["valid"] == json!(false) {
            t.add_row(vec![name_cell(&format!(
                "{}\n(does not validate: run `leverage case validate` on it)",
                s(&r["file"])
            ))]);
            continue;
        }
        t.add_row(vec![
            name_cell(&s(&r["id"])),
            Cell::new(s(&r["as_of"])),
            Cell::new(s(&r["horizon"])),
            Cell::new(s(&r["actors"])).set_alignment(CellAlignment::Right),
            Cell::new(s(&r["issues"])).set_alignment(CellAlignment::Right),
            Cell::new(s(&r["scenarios"])).set_alignment(CellAlignment::Right),
            Cell::new(if r["outcomes"].is_null() { "no" } else { "yes" }),
            Cell::new(format!("{} → {}", s(&r["patron"]), s(&r["client"]))),
        ]);
    }
    println!(
        "The case library in {} ({} cases; K: scenarios)\n{t}",
        dir.display(),
        rows.len()
    );
    Ok(())
}

/// `leverage score --cases DIR`.
pub fn score(
    dir: &Path,
    draws: u64,
    seed: u64,
    threads: Option<usize>,
    output: Output,
) -> Result<()> {
    if draws == 0 {
        return Err(user("-n must be at least 1".into()));
    }
    let pool = crate::sim::pool(threads)?;
    let mut loaded = Vec::new();
    for (path, outcomes) in members(dir)? {
        let Some(outcomes) = outcomes else { continue };
        let case = io::load_case(Some(&path))?.case;
        let o = crate::sim::load_outcomes(&outcomes, &case)?;
        let ensemble = crate::sim::plain_ensemble(&case, draws, seed, &pool)?;
        loaded.push((case, ensemble, o));
    }
    if loaded.is_empty() {
        return Err(user(format!(
            "no case in {} has an outcomes file\n  help: put NAME.outcomes.toml beside NAME.toml (docs/case-format.md, \"Outcomes files\")",
            dir.display()
        )));
    }
    let entries: Vec<analysis::LibraryEntry<'_>> = loaded
        .iter()
        .map(|(case, ensemble, outcomes)| analysis::LibraryEntry {
            case,
            ensemble,
            outcomes,
        })
        .collect();
    let s = analysis::library_score(&entries).map_err(|e| user(e.to_string()))?;
    if output == Output::Json {
        println!("{}", pretty_json(&s)?);
        return Ok(());
    }
    let f = |x: f64| Cell::new(format!("{x:.3}")).set_alignment(CellAlignment::Right);
    let mut t = table(&[
        "case",
        "K",
        "years",
        "Brier\nmodel",
        "Brier\nuniform",
        "Brier\nbase",
        "log\nmodel",
        "log\nuniform",
        "log\nbase",
    ]);
    for c in &s.cases {
        t.add_row(vec![
            name_cell(&c.case),
            Cell::new(c.categories.to_string()).set_alignment(CellAlignment::Right),
            Cell::new(c.occasions.to_string()).set_alignment(CellAlignment::Right),
            f(c.brier),
            f(c.brier_uniform),
            f(c.brier_base_rate),
            f(c.log),
            f(c.log_uniform),
            f(c.log_base_rate),
        ]);
    }
    t.add_row(vec![
        Cell::new("pooled"),
        Cell::new(""),
        Cell::new(s.occasions.to_string()).set_alignment(CellAlignment::Right),
        f(s.brier.0),
        f(s.brier.1),
        f(s.brier.2),
        f(s.log.0),
        f(s.log.1),
        f(s.log.2),
    ]);
    println!(
        "Scores of the library in {} ({} cases, {draws} draws each, seed {seed}); lower is better. K: the case's scenarios. Brier: mean over years of Σ (p − o)², 0–2. Log: mean −ln p(realised), p floored at {:.1e}. Uniform: 1/K over each case's scenarios. Base rate: each scenario type's share in the other cases' outcomes (leave-one-case-out, add-one smoothing).\n{t}",
        dir.display(),
        s.cases.len(),
        s.p_floor
    );
    for c in s.cases.iter().filter(|c| !c.untyped.is_empty()) {
        println!(
            "note: case {} has scenarios without a `type` ({}); the base rate gives them the smoothing share only",
            c.case,
            c.untyped.join(", ")
        );
    }
    Ok(())
}
