//! The common expected-utility table: one row per actor with Actor, Capability, Position and
//! Salience columns (names vary: Stakeholder/Clout/Resources/Power/Influence are accepted).
//! Several issues may come as `<issue> Position` / `<issue> Salience` column pairs, or as a long
//! table with an `Issue` column. Saliences given on 0–1 are scaled to 0–100; positions outside
//! 0–100 are mapped linearly onto 0–100 and the original scale is kept as the issue's unit.

use std::collections::BTreeMap;

use super::{ImportError, cited, err, number, row, skeleton, unique_id};
use crate::model::*;

const ACTOR: [&str; 5] = ["actor", "stakeholder", "name", "player", "actors"];
const CAPABILITY: [&str; 7] = [
    "capability",
    "capabilities",
    "clout",
    "resources",
    "power",
    "influence",
    "weight",
];

struct Col {
    issue: String,
    position: usize,
    salience: usize,
}

/// Import an expected-utility table.
pub fn import(file: &str, text: &str) -> Result<Case, ImportError> {
    let delim = if text.lines().next().is_some_and(|l| l.contains('\t')) {
        b'\t'
    } else if text
        .lines()
        .next()
        .is_some_and(|l| l.contains(';') && !l.contains(','))
    {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| {
            err(
                file,
                1,
                format!("cannot read the header: {e}"),
                "the first line must name the columns",
            )
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let lower: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    let find = |names: &[&str]| lower.iter().position(|h| names.contains(&h.as_str()));
    let actor_col = find(&ACTOR).ok_or_else(|| {
        err(
            file,
            1,
            "no actor column",
            format!("name a column one of: {}", ACTOR.join(", ")),
        )
    })?;
    let cap_col = find(&CAPABILITY).ok_or_else(|| {
        err(
            file,
            1,
            "no capability column",
            format!("name a column one of: {}", CAPABILITY.join(", ")),
        )
    })?;
    let issue_col = find(&["issue", "dimension"]);
    // Column pairs: plain `position`/`salience`, or `<issue> position`/`<issue> salience`.
    let mut cols = Vec::new();
    for (i, h) in lower.iter().enumerate() {
        let Some(prefix) = h.strip_suffix("position") else {
            continue;
        };
        let prefix = prefix.trim();
        let want = format!("{prefix} salience").trim().to_string();
        let Some(s) = lower
            .iter()
            .position(|x| x.trim() == want || (prefix.is_empty() && x == "salience"))
        else {
            return Err(err(
                file,
                1,
                format!("column {:?} has no matching salience column", headers[i]),
                format!(
                    "add a column named {:?}",
                    format!(
                        "{} Salience",
                        headers[i]
                            .trim_end_matches(|c: char| c.is_alphabetic())
                            .trim()
                    )
                ),
            ));
        };
        let issue = if prefix.is_empty() {
            String::new()
        } else {
            headers[i][..prefix.len()].trim().to_string()
        };
        cols.push(Col {
            issue,
            position: i,
            salience: s,
        });
    }
    if cols.is_empty() {
        return Err(err(
            file,
            1,
            "no position column",
            "name columns `Position` and `Salience` (or `<issue> Position`, `<issue> Salience`)",
        ));
    }

    // rows: (line, actor name, capability, issue name, position, salience)
    type Row = (usize, String, f64, String, f64, f64);
    let mut rows: Vec<Row> = Vec::new();
    let lines = super::LineIndex::new(text);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            err(
                file,
                lines.line(e.position()),
                format!("malformed row: {e}"),
                "check quoting and separators",
            )
        })?;
        let line = lines.line(rec.position());
        let name = rec.get(actor_col).unwrap_or("").trim().to_string();
        if name.is_empty() && rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if name.is_empty() {
            return Err(err(
                file,
                line,
                "a row has no actor name",
                "fill the actor column",
            ));
        }
        let cap = number(
            file,
            line,
            &headers[cap_col],
            rec.get(cap_col).unwrap_or(""),
        )?
        .ok_or_else(|| {
            err(
                file,
                line,
                format!("actor {name:?} has no capability"),
                "fill the capability column",
            )
        })?;
        for c in &cols {
            let issue = match issue_col {
                Some(ic) if c.issue.is_empty() => rec.get(ic).unwrap_or("").trim().to_string(),
                _ => c.issue.clone(),
            };
            let pos = number(
                file,
                line,
                &headers[c.position],
                rec.get(c.position).unwrap_or(""),
            )?;
            let sal = number(
                file,
                line,
                &headers[c.salience],
                rec.get(c.salience).unwrap_or(""),
            )?;
            match (pos, sal) {
                (Some(p), Some(s)) => rows.push((line, name.clone(), cap, issue, p, s)),
                (None, None) => {}
                _ => {
                    return Err(err(
                        file,
                        line,
                        format!("actor {name:?} has a position or a salience but not both"),
                        "fill both cells, or leave both empty if the actor takes no position",
                    ));
                }
            }
        }
    }
    if rows.is_empty() {
        return Err(err(
            file,
            2,
            "the table has no rows",
            "add one row per actor",
        ));
    }

    let stem = super::stem(file);
    let mut case = skeleton(
        file,
        format!("Imported expected-utility table: {stem}"),
        format!("Imported from {file} (expected-utility layout)."),
    );
    let mut ids = BTreeMap::new();
    let mut actor_of: BTreeMap<String, String> = BTreeMap::new();
    for (line, name, cap, ..) in &rows {
        if actor_of.contains_key(name) {
            continue;
        }
        let id = unique_id(name, &mut ids);
        actor_of.insert(name.clone(), id.clone());
        case.actors.push(Actor {
            id,
            name: name.clone(),
            kind: ActorKind::Other,
            side: None,
            capability: cited(*cap, *line),
            description: String::new(),
            prov: row(*line),
            span: 0..0,
        });
    }

    // Group by issue, keeping first-seen order.
    let mut order: Vec<String> = Vec::new();
    for r in &rows {
        if !order.contains(&r.3) {
            order.push(r.3.clone());
        }
    }
    let mut issue_ids = BTreeMap::new();
    for name in order {
        let these: Vec<&Row> = rows.iter().filter(|r| r.3 == name).collect();
        let sal_scale = if these.iter().all(|r| r.5 <= 1.0) {
            100.0
        } else {
            1.0
        };
        let (lo, hi) = these
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
                (a.min(r.4), b.max(r.4))
            });
        let rescale = lo < 0.0 || hi > 100.0;
        let unit = rescale.then(|| UnitMap {
            name: "the table's original scale".into(),
            at_0: lo,
            at_100: if hi > lo { hi } else { lo + 1.0 },
            span: 0..0,
        });
        let label = if name.is_empty() {
            stem.clone()
        } else {
            name.clone()
        };
        let mut positions = Vec::new();
        for r in &these {
            let p = match &unit {
                Some(u) => u.to_scale(r.4),
                None => r.4,
            };
            let pos = cited(p, r.0);
            let sal = cited(r.5 * sal_scale, r.0);
            let mut prov = row(r.0);
            let mut notes = Vec::new();
            if rescale {
                notes.push(format!("position {} on the original scale", r.4));
            }
            if sal_scale != 1.0 {
                notes.push(format!("salience {} on 0–1, ×100", r.5));
            }
            if !notes.is_empty() {
                prov.source = Some(format!("import#row {} ({})", r.0, notes.join("; ")));
            }
            positions.push(Position {
                actor: actor_of[&r.1].clone(),
                position: pos,
                salience: sal,
                prov,
                span: 0..0,
            });
        }
        case.issues.push(Issue {
            id: unique_id(&label, &mut issue_ids),
            question: format!("Issue {label:?} from {file}"),
            low: format!(
                "the lowest position on the table's scale ({})",
                if rescale { lo } else { 0.0 }
            ),
            high: format!(
                "the highest position on the table's scale ({})",
                if rescale { hi } else { 100.0 }
            ),
            status_quo: None,
            unit,
            prov: Provenance::default(),
            positions,
            span: 0..0,
        });
    }
    super::check(file, case)
}
