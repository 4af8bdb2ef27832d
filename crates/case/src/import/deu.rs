//! The DEU layout (Decision-making in the European Union; Thomson et al., Arregui & Perarnaud):
//! one row per issue, `p<actor>` and `s<actor>` columns for positions and saliences on 0–100,
//! `rp` the reference point (status quo), `out` the outcome and `intro` the date the Commission
//! introduced the proposal. Tab-, semicolon- or comma-separated. A row whose first cells are
//! empty holds GDP-based weights (added by a third party to DEU I); it is used only with
//! [`DeuCapability::Gdp`].
//!
//! DEU codes no capability. The default is each member state's votes in the Council under the
//! treaty in force at the proposal's date ([`treaty_at`], each weight sourced to its treaty and
//! article in [`Treaty::votes`]): the EU-15 votes of Article 205(2) TEC (Amsterdam; the same
//! votes under Article 148(2) TEC from the 1995 enlargement), the EU-25 votes of the 2003 Act
//! of Accession for 1 May – 31 October 2004, then the Nice votes from 1 November 2004 (with
//! Bulgaria and Romania from 2007, Croatia from July 2013). From 1 November 2014 the Council
//! votes by double majority (Article 16(4) TEU), which gives no weight per member state: such
//! an issue is refused with Council votes (choose `gdp` or `equal`). A proposal still pending
//! at an enlargement, on which a new member state took a position, is weighted by the first
//! treaty under which every state with a position votes (it was decided then at the earliest).
//! The date read is `intro`: DEU's final-act dates (`finact`) are often garbled or missing.
//! The Commission and the Parliament, which have no Council votes, are given the largest member
//! states' weight under the same treaty, a stated judgement. A case has one capability per
//! actor, so the imported case takes the treaty used for most of its issues (and says so when
//! the table spans several); [`import_weighted`] also gives each issue's own weights, which
//! `leverage backtest deu` uses.
//!
//! Outcomes are kept as `[[figure]]`s (`out_<issue>`) so backtests can compare forecasts with
//! them; a missing salience (position given, salience blank) is set to 50, DEU's usual
//! convention, and says so.

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

/// The Council's voting rules in force at a date, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Treaty {
    /// EU-15, 1 January 1995 – 30 April 2004: 87 votes, qualified majority 62.
    Amsterdam,
    /// EU-25, 1 May – 31 October 2004: 124 votes, qualified majority 88.
    Accession2004,
    /// EU-25/27/28, 1 November 2004 – 31 October 2014: 321 votes (345 from 2007, 352 from July
    /// 2013).
    Nice,
    /// From 1 November 2014: 55 % of the member states representing 65 % of the population;
    /// no weight per member state.
    DoubleMajority,
}

/// A date as `yyyymmdd` (comparable as an integer).
pub type Date = u32;

/// The treaty whose Council votes were in force on `date` (`yyyymmdd`).
pub fn treaty_at(date: Date) -> Treaty {
    match date {
        ..20040501 => Treaty::Amsterdam,
        20040501..20041101 => Treaty::Accession2004,
        20041101..20141101 => Treaty::Nice,
        _ => Treaty::DoubleMajority,
    }
}

impl Treaty {
    /// The treaty and article the votes come from.
    pub fn source(self) -> &'static str {
        match self {
            Treaty::Amsterdam => {
                "Council votes, Article 205(2) TEC (Treaty of Amsterdam, in force 1 May 1999; \
                 the same votes under Article 148(2) TEC since the 1995 enlargement)"
            }
            Treaty::Accession2004 => {
                "Council votes for 1 May – 31 October 2004, Article 26(1) of the 2003 Act of \
                 Accession (OJ L 236, 23.9.2003)"
            }
            Treaty::Nice => {
                "Council votes, Article 205(2) TEC as amended by Article 3 of the Protocol on \
                 the enlargement of the European Union (Treaty of Nice) and Article 12 of the \
                 2003 Act of Accession; Bulgaria and Romania from 1 January 2007 (2005 Act of \
                 Accession, Article 22), Croatia from 1 July 2013 (2012 Act of Accession, \
                 Article 20); after Lisbon, Article 3(3) of Protocol No 36 until 31 October 2014"
            }
            Treaty::DoubleMajority => {
                "double majority, Article 16(4) TEU and Article 238(3) TFEU (from 1 November 2014)"
            }
        }
    }

    /// The largest member state's votes (given to the Commission and the Parliament, a
    /// judgement).
    pub fn largest(self) -> Option<f64> {
        match self {
            Treaty::Amsterdam | Treaty::Accession2004 => Some(10.0),
            Treaty::Nice => Some(29.0),
            Treaty::DoubleMajority => None,
        }
    }

    /// The Council votes of member state `code` on `date` under this treaty; `None` if it was
    /// not a member then (or the treaty gives no weights).
    pub fn votes(self, code: &str, date: Date) -> Option<f64> {
        let v = match self {
            Treaty::Amsterdam => match code {
                "de" | "fr" | "it" | "uk" => 10.0,
                "es" => 8.0,
                "be" | "el" | "nl" | "pt" => 5.0,
                "at" | "se" => 4.0,
                "dk" | "fi" | "ie" => 3.0,
                "lu" => 2.0,
                _ => return None,
            },
            Treaty::Accession2004 => match code {
                "pl" => 8.0,
                "cz" | "hu" => 5.0,
                "ee" | "lv" | "lt" | "si" | "sk" => 3.0,
                "cy" | "mt" => 2.0,
                _ => return Treaty::Amsterdam.votes(code, date),
            },
            Treaty::Nice => match code {
                "de" | "fr" | "it" | "uk" => 29.0,
                "es" | "pl" => 27.0,
                "ro" if date >= 20070101 => 14.0,
                "nl" => 13.0,
                "be" | "cz" | "el" | "hu" | "pt" => 12.0,
                "at" | "se" => 10.0,
                "bu" if date >= 20070101 => 10.0,
                "dk" | "ie" | "lt" | "sk" | "fi" => 7.0,
                "cr" if date >= 20130701 => 7.0,
                "cy" | "ee" | "lv" | "lu" | "si" => 4.0,
                "mt" => 3.0,
                _ => return None,
            },
            Treaty::DoubleMajority => return None,
        };
        Some(v)
    }
}

/// The Council votes of each actor on one issue, and the treaty they come from; `Err` with the
/// reason if no treaty gives every actor with a position a weight. `date` is the proposal's
/// (`None` if the table gives none: the earliest treaty that fits is used).
fn issue_votes(codes: &[&str], date: Option<Date>) -> Result<(Treaty, Date, Vec<f64>), String> {
    let start = date.unwrap_or(0);
    let candidates = [
        (Treaty::Amsterdam, 0),
        (Treaty::Accession2004, 20040501),
        (Treaty::Nice, 20041101),
        (Treaty::Nice, 20070101),
        (Treaty::Nice, 20130701),
        (Treaty::DoubleMajority, 20141101),
    ];
    for (treaty, from) in candidates {
        let on = from.max(start);
        if treaty_at(on) != treaty {
            continue;
        }
        let Some(largest) = treaty.largest() else {
            return Err(format!(
                "from 1 November 2014 the Council votes by {}: there are no Council votes per \
                 member state",
                treaty.source()
            ));
        };
        let votes: Option<Vec<f64>> = codes
            .iter()
            .map(|c| match *c {
                "com" | "ep" => Some(largest),
                c => treaty.votes(c, on),
            })
            .collect();
        if let Some(v) = votes {
            return Ok((treaty, on, v));
        }
    }
    Err("no treaty gives every actor with a position Council votes".into())
}

/// Reads a DEU date: `dd-mm-yy` (DEU's own), `dd-mm-yyyy`, `dd.mm.yyyy`, `dd/mm/yyyy` or
/// `yyyy-mm-dd`; two-digit years are 19yy from 50 on, else 20yy.
fn parse_date(cell: &str) -> Option<Date> {
    let parts: Vec<&str> = cell.trim().split(['-', '.', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (d, m, y) = if a.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        let y = num(c)?;
        let y = match c.len() {
            2 if y >= 50 => 1900 + y,
            2 => 2000 + y,
            4 => y,
            _ => return None,
        };
        (num(a)?, num(b)?, y)
    };
    ((1..=31).contains(&d) && (1..=12).contains(&m) && (1950..=2100).contains(&y))
        .then_some(y * 10000 + m * 100 + d)
}

/// A DEU table imported with each issue's own capabilities.
#[derive(Debug, Clone)]
pub struct Weighted {
    /// The case (one capability per actor: see the module documentation).
    pub case: Case,
    /// Per issue of `case.issues`, in order: each actor's capability on that issue.
    pub capabilities: Vec<BTreeMap<String, f64>>,
}

/// Import a DEU table as a case, with the given capability.
pub fn import(file: &str, text: &str, capability: DeuCapability) -> Result<Case, ImportError> {
    import_weighted(file, text, capability).map(|w| w.case)
}

/// Import a DEU table as a case, and each issue's capabilities (with Council votes, those of
/// the treaty in force at the proposal's date).
pub fn import_weighted(
    file: &str,
    text: &str,
    capability: DeuCapability,
) -> Result<Weighted, ImportError> {
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
    let intro_col = col("intro");
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
    // Per issue: the treaty whose votes weigh it, the date they apply on, each actor's votes.
    let mut issue_weights: Vec<(Treaty, Date, BTreeMap<String, f64>)> = Vec::new();
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
        if capability == DeuCapability::CouncilVotes {
            let date = intro_col.and_then(|c| rec.get(c)).and_then(parse_date);
            let codes: Vec<&str> = positions.iter().map(|p| p.actor.as_str()).collect();
            let (treaty, on, votes) = issue_votes(&codes, date).map_err(|why| {
                err(
                    file,
                    line,
                    format!("issue {isnr}: {why}"),
                    "choose `--capability gdp` or `--capability equal` for this table",
                )
            })?;
            issue_weights.push((
                treaty,
                on,
                codes.iter().map(|c| c.to_string()).zip(votes).collect(),
            ));
        }
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
            DeuCapability::CouncilVotes => council_capability(code, &issue_weights),
            DeuCapability::Gdp => match gdp_weights.get(&a) {
                Some(&(w, line)) if w > 0.0 => Num::new(w, row(line)),
                _ => Num::new(
                    1.0,
                    Provenance {
                        judgement: Some("no GDP weight in the file; weight 1".into()),
                        ..Default::default()
                    },
                ),
            },
            DeuCapability::Equal => Num::new(
                1.0,
                Provenance {
                    judgement: Some("equal capabilities chosen for this import".into()),
                    ..Default::default()
                },
            ),
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
    let case = super::check(file, case)?;
    let capabilities = match capability {
        DeuCapability::CouncilVotes => issue_weights.into_iter().map(|(_, _, w)| w).collect(),
        _ => case
            .issues
            .iter()
            .map(|i| {
                i.positions
                    .iter()
                    .filter_map(|p| Some((p.actor.clone(), case.actor(&p.actor)?.capability.value)))
                    .collect()
            })
            .collect(),
    };
    Ok(Weighted { case, capabilities })
}

/// An actor's one capability in the case: its votes under the treaty that weighs most issues,
/// or (if it has none there) under the treaty of the first issue it takes a position on.
fn council_capability(code: &str, issues: &[(Treaty, Date, BTreeMap<String, f64>)]) -> Num {
    let mut count: BTreeMap<Treaty, usize> = BTreeMap::new();
    for (t, _, _) in issues {
        *count.entry(*t).or_default() += 1;
    }
    let spans = count.len() > 1;
    let most = count
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map(|(k, _)| *k);
    // The latest issue of that treaty the actor takes a position on (membership grows).
    let pick = most
        .and_then(|t| {
            issues
                .iter()
                .rev()
                .find(|(t2, _, w)| *t2 == t && w.contains_key(code))
        })
        .or_else(|| issues.iter().find(|(_, _, w)| w.contains_key(code)));
    let Some((treaty, _, w)) = pick else {
        return Num::new(
            1.0,
            Provenance {
                judgement: Some("takes no position on any issue; weight 1".into()),
                ..Default::default()
            },
        );
    };
    let mut why = if code == "com" || code == "ep" {
        format!(
            "no Council votes; given the largest member states' weight under the treaty in force ({})",
            treaty.source()
        )
    } else {
        treaty.source().to_string()
    };
    if spans {
        why.push_str(
            "; the table's proposals span several treaties and a case has one capability per \
             actor: these are the votes for most of its issues (`leverage backtest deu` weighs \
             each issue by its own treaty)",
        );
    }
    Num::new(
        w[code],
        Provenance {
            judgement: Some(why),
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treaty_by_date() {
        assert_eq!(treaty_at(19960207), Treaty::Amsterdam);
        assert_eq!(treaty_at(20040430), Treaty::Amsterdam);
        assert_eq!(treaty_at(20040501), Treaty::Accession2004);
        assert_eq!(treaty_at(20041031), Treaty::Accession2004);
        assert_eq!(treaty_at(20041101), Treaty::Nice);
        assert_eq!(treaty_at(20141031), Treaty::Nice);
        assert_eq!(treaty_at(20141101), Treaty::DoubleMajority);
    }

    /// The totals and qualified majorities each treaty states.
    #[test]
    fn vote_totals_match_the_treaties() {
        let total = |t: Treaty, date: Date| -> f64 {
            ACTORS
                .iter()
                .filter_map(|(c, _, kind)| (*kind == ActorKind::State).then_some(*c))
                .filter_map(|c| t.votes(c, date))
                .sum()
        };
        assert_eq!(total(Treaty::Amsterdam, 19990501), 87.0);
        assert_eq!(total(Treaty::Accession2004, 20040601), 124.0);
        assert_eq!(total(Treaty::Nice, 20050101), 321.0);
        assert_eq!(total(Treaty::Nice, 20070101), 345.0);
        assert_eq!(total(Treaty::Nice, 20130701), 352.0);
        assert_eq!(Treaty::DoubleMajority.votes("de", 20150101), None);
    }

    #[test]
    fn pending_proposals_take_the_first_treaty_that_weighs_everyone() {
        // Introduced under Amsterdam; Poland took a position, so decided from May 2004.
        let (t, _, v) = issue_votes(&["de", "pl", "com"], Some(20030101)).unwrap();
        assert_eq!((t, v), (Treaty::Accession2004, vec![10.0, 8.0, 10.0]));
        let (t, _, v) = issue_votes(&["de", "ro"], Some(20050101)).unwrap();
        assert_eq!((t, v), (Treaty::Nice, vec![29.0, 14.0]));
        let (t, _, v) = issue_votes(&["de", "lu"], None).unwrap();
        assert_eq!((t, v), (Treaty::Amsterdam, vec![10.0, 2.0]));
        assert!(issue_votes(&["de"], Some(20150101)).is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("26-01-00"), Some(20000126));
        assert_eq!(parse_date("07-02-96"), Some(19960207));
        assert_eq!(parse_date("2004-05-01"), Some(20040501));
        assert_eq!(parse_date("01.11.2004"), Some(20041101));
        for bad in ["999", "", "32-01-00", "1-2", "aa-bb-cc"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
