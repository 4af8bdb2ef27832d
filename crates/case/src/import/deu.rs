//! The DEU layout (Decision-making in the European Union; Thomson et al., Arregui & Perarnaud):
//! one row per issue, `p<actor>` and `s<actor>` columns for positions and saliences on 0–100,
//! `rp` the reference point (status quo) and `out` the outcome. Tab-, semicolon- or
//! comma-separated. A row whose first cells are empty holds GDP-based weights (added by a third
//! party to DEU I); it is used only with [`DeuCapability::Gdp`].
//!
//! DEU codes no capability. The default is the Council votes of the Amsterdam Treaty, in force
//! for the proposals of DEU I (1996–2000); the Commission and the Parliament, which have no
//! Council votes, are given the largest member states' weight, a stated judgement. Outcomes are
//! kept as `[[figure]]`s (`out_<issue>`) so backtests can compare forecasts with them; a missing
//! salience (position given, salience blank) is set to 50, DEU's usual convention, and says so.

use std::collections::BTreeMap;

use super::{DeuCapability, ImportError, cited, err, number, row, skeleton, unique_id};
use crate::model::*;

/// DEU actor codes and names, in the order of the DEU codebook.
pub const ACTORS: [(&str, &str, ActorKind); 30] = [
    ("com", "European Commission", ActorKind::Bloc),
    ("ep", "European Parliament", ActorKind::Bloc),
    ("at", "Austria", ActorKind::State),
    ("be", "Belgium", ActorKind::State),
    ("bu", "Bulgaria", ActorKind::State),
    ("cr", "Croatia", ActorKind::State),
    ("cy", "Cyprus", ActorKind::State),
    ("cz", "Czech Republic", ActorKind::State),
    ("dk", "Denmark", ActorKind::State),
    ("ee", "Estonia", ActorKind::State),
    ("fi", "Finland", ActorKind::State),
    ("fr", "France", ActorKind::State),
    ("de", "Germany", ActorKind::State),
    ("el", "Greece", ActorKind::State),
    ("hu", "Hungary", ActorKind::State),
    ("ie", "Ireland", ActorKind::State),
    ("it", "Italy", ActorKind::State),
    ("lv", "Latvia", ActorKind::State),
    ("lt", "Lithuania", ActorKind::State),
    ("lu", "Luxembourg", ActorKind::State),
    ("mt", "Malta", ActorKind::State),
    ("nl", "Netherlands", ActorKind::State),
    ("pl", "Poland", ActorKind::State),
    ("pt", "Portugal", ActorKind::State),
    ("ro", "Romania", ActorKind::State),
    ("si", "Slovenia", ActorKind::State),
    ("sk", "Slovakia", ActorKind::State),
    ("es", "Spain", ActorKind::State),
    ("se", "Sweden", ActorKind::State),
    ("uk", "United Kingdom", ActorKind::State),
];

/// Council votes under the Amsterdam Treaty (EU-15, qualified majority 62 of 87).
pub fn amsterdam_votes(code: &str) -> Option<f64> {
    Some(match code {
        "de" | "fr" | "it" | "uk" => 10.0,
        "es" => 8.0,
        "be" | "el" | "nl" | "pt" => 5.0,
        "at" | "se" => 4.0,
        "dk" | "fi" | "ie" => 3.0,
        "lu" => 2.0,
        // No Council votes: given the largest member states' weight (judgement, see module docs).
        "com" | "ep" => 10.0,
        _ => return None,
    })
}

/// Import a DEU table with the default capability (Council votes).
pub fn import(file: &str, text: &str, capability: DeuCapability) -> Result<Case, ImportError> {
    let first = text.lines().next().unwrap_or("");
    let delim = if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
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
                "the first line names the DEU columns",
            )
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let issue_col = col("isnr").ok_or_else(|| {
        err(
            file,
            1,
            "no `isnr` column (issue number)",
            "DEU tables name each issue in a column `isnr`",
        )
    })?;
    let name_col = col("prname");
    let rp_col = col("rp");
    let out_col = col("out");
    let present: Vec<(usize, usize, usize)> = ACTORS
        .iter()
        .enumerate()
        .filter_map(|(a, (code, ..))| {
            Some((a, col(&format!("p{code}"))?, col(&format!("s{code}"))?))
        })
        .collect();
    if present.is_empty() {
        return Err(err(
            file,
            1,
            "no actor columns (`pcom`, `sde`, …)",
            "DEU tables have a `p<actor>` and an `s<actor>` column per actor",
        ));
    }
    let mut gdp_weights: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    let mut issues = Vec::new();
    let mut figures = Vec::new();
    let mut used = vec![false; ACTORS.len()];
    let mut issue_ids = BTreeMap::new();
    let lines = super::LineIndex::new(text);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            err(
                file,
                lines.line(e.position()),
                format!("malformed row: {e}"),
                "check the separators",
            )
        })?;
        let line = lines.line(rec.position());
        let isnr = rec.get(issue_col).unwrap_or("").trim();
        if isnr.is_empty() {
            // The weights row: GDP-based weights in the position columns.
            for &(a, pc, _) in &present {
                if let Some(w) = number(file, line, &headers[pc], rec.get(pc).unwrap_or(""))? {
                    gdp_weights.insert(a, (w, line));
                }
            }
            continue;
        }
        let mut positions = Vec::new();
        for &(a, pc, sc) in &present {
            let Some(p) = number(file, line, &headers[pc], rec.get(pc).unwrap_or(""))? else {
                continue;
            };
            let s = number(file, line, &headers[sc], rec.get(sc).unwrap_or(""))?;
            if !(0.0..=100.0).contains(&p) {
                return Err(err(
                    file,
                    line,
                    format!("{}: position {p} is outside 0–100", headers[pc]),
                    "DEU positions are on 0–100",
                ));
            }
            used[a] = true;
            let (salience, prov) = match s {
                Some(s) => (cited(s, line), row(line)),
                None => {
                    let prov = Provenance {
                        source: Some(format!(
                            "import#row {line} (salience blank: DEU convention 50)"
                        )),
                        ..Default::default()
                    };
                    let mut n = Num::bare(50.0);
                    n.prov = prov.clone();
                    (n, prov)
                }
            };
            positions.push(Position {
                actor: ACTORS[a].0.to_string(),
                position: cited(p, line),
                salience,
                prov,
                span: 0..0,
            });
        }
        let sq = match rp_col {
            Some(c) => number(file, line, "rp", rec.get(c).unwrap_or(""))?,
            None => None,
        };
        let out = match out_col {
            Some(c) => number(file, line, "out", rec.get(c).unwrap_or(""))?,
            None => None,
        };
        let id = unique_id(isnr, &mut issue_ids);
        let proposal = name_col.and_then(|c| rec.get(c)).unwrap_or("").trim();
        if let Some(o) = out.filter(|o| (0.0..=100.0).contains(o)) {
            figures.push(Figure {
                id: format!("out_{id}"),
                what: format!("recorded outcome of issue {id}"),
                period: String::new(),
                unit: "0–100 scale".into(),
                value: Some(cited(o, line)),
                min: None,
                max: None,
                model: None,
                prov: row(line),
                span: 0..0,
                model_span: 0..0,
            });
        }
        issues.push(Issue {
            id,
            question: if proposal.is_empty() {
                format!("DEU issue {isnr}")
            } else {
                format!("DEU issue {isnr} ({proposal})")
            },
            low: "0: one extreme of the positions taken on the issue (DEU coding)".into(),
            high: "100: the other extreme (DEU coding)".into(),
            status_quo: sq
                .filter(|x| (0.0..=100.0).contains(x))
                .map(|x| cited(x, line)),
            unit: None,
            prov: if sq.is_some() {
                row(line)
            } else {
                Provenance::default()
            },
            positions,
            span: 0..0,
        });
    }
    if issues.is_empty() {
        return Err(err(
            file,
            2,
            "the table has no issue rows",
            "add one row per issue",
        ));
    }
    let mut case = skeleton(
        file,
        format!("Imported DEU table: {}", super::stem(file)),
        format!(
            "Imported from {file} (DEU layout): {} issues.",
            issues.len()
        ),
    );
    for (a, (code, name, kind)) in ACTORS.iter().enumerate() {
        if !used[a] {
            continue;
        }
        let capability = match capability {
            DeuCapability::CouncilVotes => match amsterdam_votes(code) {
                Some(v) if *code == "com" || *code == "ep" => Num::new(v, Provenance {
                    judgement: Some("no Council votes; given the largest member states' weight (10), as in DEU compromise-model studies".into()),
                    ..Default::default()
                }),
                Some(v) => Num::new(v, Provenance {
                    judgement: Some("Council votes under the Amsterdam Treaty (in force for DEU I proposals)".into()),
                    ..Default::default()
                }),
                None => Num::new(1.0, Provenance {
                    judgement: Some("not an EU-15 member under Amsterdam: no Council votes in the table; weight 1".into()),
                    ..Default::default()
                }),
            },
            DeuCapability::Gdp => match gdp_weights.get(&a) {
                Some(&(w, line)) if w > 0.0 => Num::new(w, row(line)),
                _ => Num::new(1.0, Provenance {
                    judgement: Some("no GDP weight in the file; weight 1".into()),
                    ..Default::default()
                }),
            },
            DeuCapability::Equal => Num::new(1.0, Provenance {
                judgement: Some("equal capabilities chosen for this import".into()),
                ..Default::default()
            }),
        };
        case.actors.push(Actor {
            id: (*code).to_string(),
            name: (*name).to_string(),
            kind: *kind,
            side: None,
            capability,
            description: String::new(),
            prov: Provenance::default(),
            span: 0..0,
        });
    }
    case.issues = issues;
    case.figures = figures;
    super::check(file, case)
}
