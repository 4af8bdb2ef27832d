//! The what-if controls of a case and how a what-if changes the case.
//!
//! Every `[[param]]` of the case is a control: an uncertain input (a numeric distribution), a
//! structural choice (`dist = "choice"`) or a fixed value (the deal's levers and the case's
//! other constants). Its range is where a value may be set: the distribution's support (for an
//! unbounded tail, three standard deviations), kept inside the allowed range of every engine
//! input the parameter feeds ([`leverage_sim::inputs::INPUTS`]). A what-if sets parameters to
//! values: a number fixes a numeric parameter there, an option name fixes a choice on that
//! option. A fixed parameter drops out of the rank correlations it was in (the case format
//! allows none on fixed parameters).
//!
//! The changed case is written as TOML and read back with every check a case file gets
//! ([`edited_case`]), so what the dashboard runs is exactly what `leverage simulate` runs on the
//! saved file.

use std::collections::BTreeMap;

use leverage_case::{Case, Dist, Loaded};
use leverage_sim::inputs::{INPUTS, Kind};
use serde::Serialize;

/// One engine input a parameter feeds.
#[derive(Debug, Clone, Serialize)]
pub struct Feeds {
    /// The case table (`sim`, `econ` or `game`).
    pub table: String,
    /// The key in that table.
    pub key: String,
    /// The mechanism that reads it (empty when the engine does not declare the key).
    pub mechanism: String,
    /// What it means.
    pub meaning: String,
}

/// One control of the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The parameter's id.
    pub id: String,
    /// What it means.
    pub description: String,
    /// Its unit.
    pub unit: String,
    /// `uncertain`, `structural` or `fixed`.
    pub group: &'static str,
    /// The distribution as the case gives it, in words.
    pub dist: String,
    /// Its central value (for a choice, the index of the most probable option).
    pub central: f64,
    /// Lowest value a what-if may set.
    pub min: f64,
    /// Highest value a what-if may set.
    pub max: f64,
    /// The options of a choice.
    pub options: Option<Vec<String>>,
    /// The engine inputs it feeds.
    pub feeds: Vec<Feeds>,
}

/// The controls of a case, in the case's order of parameters.
pub fn controls(case: &Case) -> Vec<Control> {
    case.params
        .iter()
        .map(|p| {
            let feeds = feeds(case, &p.id);
            let group = match &p.dist {
                Dist::Choice { .. } => "structural",
                Dist::Fixed { .. } => "fixed",
                _ => "uncertain",
            };
            let (min, max) = range(&p.dist, &allowed(&feeds));
            Control {
                id: p.id.clone(),
                description: p.description.clone(),
                unit: p.unit.clone(),
                group,
                dist: p.dist.describe(),
                central: p.dist.central(),
                min,
                max,
                options: p.dist.options().map(<[String]>::to_vec),
                feeds,
            }
        })
        .collect()
}

/// The engine inputs linked to parameter `id`.
fn feeds(case: &Case, id: &str) -> Vec<Feeds> {
    let tables = [
        ("sim", &case.sim),
        ("econ", &case.econ),
        ("game", &case.game),
    ];
    let mut out = Vec::new();
    for (table, links) in tables {
        for l in links.iter().filter(|l| l.id == id) {
            let input = INPUTS
                .iter()
                .find(|i| i.key == l.key && i.table.name() == table);
            out.push(Feeds {
                table: table.to_string(),
                key: l.key.clone(),
                mechanism: input.map_or(String::new(), |i| i.mechanism.name().to_string()),
                meaning: input.map_or(String::new(), |i| i.meaning.to_string()),
            });
        }
    }
    out
}

/// The intersection of the allowed ranges of the inputs a parameter feeds.
fn allowed(feeds: &[Feeds]) -> (f64, f64) {
    let mut lo = f64::NEG_INFINITY;
    let mut hi = f64::INFINITY;
    for f in feeds {
        let input = INPUTS
            .iter()
            .find(|i| i.key == f.key && i.table.name() == f.table);
        if let Some(Kind::Number { min, max }) = input.map(|i| i.kind) {
            lo = lo.max(min);
            hi = hi.min(max);
        }
    }
    (lo, hi)
}

/// Where a what-if may set a parameter with distribution `d` feeding inputs allowed in `ok`.
fn range(d: &Dist, ok: &(f64, f64)) -> (f64, f64) {
    let (mut lo, mut hi) = match d {
        Dist::Normal { mean, sd } => (mean - 3.0 * sd, mean + 3.0 * sd),
        Dist::Lognormal { mu, sigma } => ((mu - 3.0 * sigma).exp(), (mu + 3.0 * sigma).exp()),
        other => other.support(),
    };
    if lo == hi {
        // A fixed value: ten either side of a year, else from zero to twice the value (or 0 to
        // 1 for zero), within what its inputs allow (a judgement: a what-if range, not data).
        let v = lo;
        (lo, hi) = if v.abs() >= 1_000.0 && v.fract() == 0.0 {
            (v - 10.0, v + 10.0)
        } else if v == 0.0 {
            (0.0, 1.0)
        } else {
            (v.min(0.0) * 2.0, v.max(0.0) * 2.0)
        };
        if ok.0.is_finite() && ok.1.is_finite() && (hi < ok.0 || lo > ok.1) {
            (lo, hi) = *ok;
        }
    }
    (lo.max(ok.0), hi.min(ok.1))
}

/// A problem with one field of a what-if.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// The parameter's id (empty for a problem of the whole case).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// Where, in the case text the what-if produced (`line:column`), when known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub at: String,
}

fn field(id: &str, message: String) -> FieldError {
    FieldError {
        field: id.to_string(),
        message,
        at: String::new(),
    }
}

/// The case with the what-if's settings applied (parameter id → a number, or an option name
/// for a choice), unchecked; every problem with a setting, by field.
pub fn apply(
    case: &Case,
    settings: &BTreeMap<String, serde_json::Value>,
) -> Result<Case, Vec<FieldError>> {
    let controls = controls(case);
    let mut out = case.clone();
    let mut errors = Vec::new();
    let mut fixed = Vec::new();
    for (id, v) in settings {
        let Some(c) = controls.iter().find(|c| &c.id == id) else {
            errors.push(field(id, format!("the case has no parameter `{id}`")));
            continue;
        };
        let Some(p) = out.params.iter_mut().find(|p| &p.id == id) else {
            continue;
        };
        match (&c.options, v) {
            (Some(options), serde_json::Value::String(name)) => {
                let Some(k) = options.iter().position(|o| o == name) else {
                    errors.push(field(
                        id,
                        format!(
                            "`{name}` is not an option of `{id}` (its options: {})",
                            options.join(", ")
                        ),
                    ));
                    continue;
                };
                let weights = (0..options.len())
                    .map(|i| if i == k { 1.0 } else { 0.0 })
                    .collect();
                p.dist = Dist::Choice {
                    options: options.clone(),
                    weights,
                };
                fixed.push(id.clone());
            }
            (Some(_), _) => errors.push(field(id, "expected one of its options' names".into())),
            (None, serde_json::Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if !(x.is_finite() && x >= c.min && x <= c.max) {
                    errors.push(field(
                        id,
                        format!("{x} is outside the range {} to {}", c.min, c.max),
                    ));
                    continue;
                }
                p.dist = Dist::Fixed { value: x };
                fixed.push(id.clone());
            }
            (None, _) => errors.push(field(id, "expected a number".into())),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A fixed parameter (and a choice on one option) leaves its correlations.
    let numeric_fixed =
        |id: &str| matches!(out.param(id).map(|p| &p.dist), Some(Dist::Fixed { .. }));
    let keep: Vec<bool> = out
        .correlations
        .iter()
        .map(|c| !(numeric_fixed(&c.a) || numeric_fixed(&c.b)))
        .collect();
    let mut k = keep.iter();
    out.correlations.retain(|_| *k.next().unwrap_or(&true));
    Ok(out)
}

/// The case with the what-if applied, written as a self-contained case file (data read from
/// CSV files written inline) and read back with every check: the text and the loaded case, or
/// every problem, by field where a field is at fault.
pub fn edited_case(
    case: &Case,
    settings: &BTreeMap<String, serde_json::Value>,
) -> Result<(String, Loaded), Vec<FieldError>> {
    let mut edited = apply(case, settings)?;
    for f in &mut edited.flows {
        f.csv = None;
    }
    for s in &mut edited.series {
        s.csv = None;
    }
    let text = leverage_case::to_toml(&edited).map_err(|e| {
        vec![field(
            "",
            format!("the case cannot be written as TOML: {e}"),
        )]
    })?;
    let loaded = leverage_sim::links::load(
        &format!("{}.toml", case.case.id),
        &text,
        &leverage_case::NoFiles,
    )
    .map_err(|p| located(&edited, &text, &p))?;
    Ok((text, loaded))
}

/// The errors of a case that did not load, each on the parameter whose block it points into
/// when there is one.
fn located(case: &Case, text: &str, p: &leverage_case::Problems) -> Vec<FieldError> {
    // Where each `[[param]]` block starts in the written text, in order.
    let starts: Vec<usize> = text.match_indices("[[param]]").map(|(i, _)| i).collect();
    let source = leverage_case::SourceText::new("case", text);
    p.diagnostics
        .iter()
        .filter(|d| d.severity == leverage_case::Severity::Error)
        .map(|d| {
            let off = d.span.as_ref().map(|s| s.start).unwrap_or_else(|| {
                source
                    .line_starts()
                    .get(d.line.max(1) - 1)
                    .copied()
                    .unwrap_or(0)
            });
            let k = starts.iter().rposition(|&s| s <= off);
            // A param block runs to the next table header.
            let id = k
                .filter(|&k| {
                    let end = text[starts[k] + 1..]
                        .find("\n[")
                        .map_or(text.len(), |e| starts[k] + 1 + e);
                    off < end
                })
                .and_then(|k| case.params.get(k))
                .map_or(String::new(), |p| p.id.clone());
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str(&format!(" (help: {h})"));
            }
            FieldError {
                field: id,
                message,
                at: format!("{}:{}", d.line, d.column),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> Case {
        leverage_sim::links::default_case().unwrap().case
    }

    /// A range lies within the support of the distribution and what the inputs allow.
    #[test]
    fn ranges_follow_the_distribution_and_the_inputs() {
        let pert = Dist::Pert {
            min: 0.1,
            mode: 0.2,
            max: 0.5,
        };
        assert_eq!(range(&pert, &(0.0, 1.0)), (0.1, 0.5));
        let normal = Dist::Normal { mean: 0.5, sd: 0.3 };
        assert_eq!(range(&normal, &(0.0, 1.0)), (0.0, 1.0));
        let year = Dist::Fixed { value: 2024.0 };
        assert_eq!(range(&year, &(1000.0, 3000.0)), (2014.0, 2034.0));
        let fixed = Dist::Fixed { value: 3.0 };
        assert_eq!(
            range(&fixed, &(f64::NEG_INFINITY, f64::INFINITY)),
            (0.0, 6.0)
        );
        assert_eq!(
            range(&Dist::Fixed { value: 0.0 }, &(0.0, 100.0)),
            (0.0, 1.0)
        );
    }

    /// Fixing a correlated parameter drops its correlation; setting a choice keeps one option.
    #[test]
    fn apply_fixes_values_and_drops_their_correlations() {
        let c = case();
        let corr = c
            .correlations
            .first()
            .expect("the default case correlates two params");
        let id = corr.a.clone();
        let ctl = controls(&c).into_iter().find(|k| k.id == id).unwrap();
        let mut s = BTreeMap::new();
        s.insert(id.clone(), serde_json::json!((ctl.min + ctl.max) / 2.0));
        s.insert("terms_model".to_string(), serde_json::json!("nbs"));
        let out = apply(&c, &s).unwrap();
        assert!(matches!(out.param(&id).unwrap().dist, Dist::Fixed { .. }));
        assert!(out.correlations.iter().all(|k| k.a != id && k.b != id));
        assert_eq!(out.correlations.len(), c.correlations.len() - 1);
        let Dist::Choice { options, weights } = &out.param("terms_model").unwrap().dist else {
            panic!("not a choice");
        };
        assert_eq!(
            weights[options.iter().position(|o| o == "nbs").unwrap()],
            1.0
        );
        assert_eq!(weights.iter().sum::<f64>(), 1.0);
        // The edited case loads with every check.
        let (text, loaded) = edited_case(&c, &s).unwrap();
        assert!(text.contains("[[param]]"));
        assert_eq!(loaded.case.params.len(), c.params.len());
    }

    /// No what-if: the written case reads back to the same simulation inputs.
    #[test]
    fn the_written_case_is_the_case() {
        let c = case();
        let (_, loaded) = edited_case(&c, &BTreeMap::new()).unwrap();
        let dists = |k: &Case| {
            k.params
                .iter()
                .map(|p| (p.id.clone(), p.dist.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(dists(&loaded.case), dists(&c));
        assert_eq!(loaded.case.correlations.len(), c.correlations.len());
    }
}
