//! KTAB's CSV layout: row 1 `ScenarioName,Description,nActors,nDims`; row 2 the header
//! `Actor,Description,Influence,<dim> Position,<dim> Salience,…`; then one row per actor.
//! Each dimension becomes an issue; positions and saliences are already on 0–100.

use std::collections::BTreeMap;

use super::{ImportError, cited, err, number, row, skeleton, unique_id};
use crate::model::*;

/// Import a KTAB scenario: the CSV layout, or the XML layout (`<Scenario>…`) when the text is XML.
pub fn import(file: &str, text: &str) -> Result<Case, ImportError> {
    if is_xml(text) {
        return import_xml(file, text);
    }
    import_csv(file, text)
}

/// KTAB's XML layout: `<Scenario>` with `<name>`, `<desc>`, `<Dimensions><dName>…`, and
/// `<Actors><Actor>` each with `<name>`, `<description>`, `<capability>`, `<Position><dCoord>…`
/// and `<Salience><dSal>…`. The model parameters (`<ModelParameters>`), seed and ideal
/// adjustments are not part of a case: they are named in the description, and
/// [`smp_settings`] reads them for a forecast.
pub fn import_xml(file: &str, text: &str) -> Result<Case, ImportError> {
    let doc = parse_xml(file, text)?;
    let line = |n: roxmltree::Node| doc.text_pos_at(n.range().start).row as usize;
    let root = doc.root_element();
    if root.tag_name().name() != "Scenario" {
        return Err(err(
            file,
            line(root),
            format!("the root element is <{}>", root.tag_name().name()),
            "a KTAB scenario starts with <Scenario>",
        ));
    }
    let name = text_of(child(root, "name"));
    let desc = text_of(child(root, "desc"));
    let params: Vec<String> = child(root, "ModelParameters")
        .map(|m| {
            m.children()
                .filter(roxmltree::Node::is_element)
                .map(|c| format!("{}={}", c.tag_name().name(), c.text().unwrap_or("").trim()))
                .collect()
        })
        .unwrap_or_default();
    let dims: Vec<String> = child(root, "Dimensions")
        .map(|d| {
            d.children()
                .filter(|c| c.has_tag_name("dName"))
                .map(|c| c.text().unwrap_or("").trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let actors_node = child(root, "Actors").ok_or_else(|| {
        err(
            file,
            line(root),
            "no <Actors>",
            "list the actors in <Actors><Actor>…",
        )
    })?;
    let mut description = if desc.is_empty() {
        format!("Imported from {file} (KTAB XML).")
    } else {
        desc
    };
    if !params.is_empty() {
        description.push_str(&format!(
            " KTAB model parameters in the file: {}.",
            params.join(", ")
        ));
    }
    let adjustments = child(root, "IdealAdjustment")
        .map(|ia| {
            ia.children()
                .filter(|c| c.has_tag_name("iaPair"))
                .map(|p| {
                    format!(
                        "{} toward {} {}",
                        text_of(child(p, "adjustingIdeal")),
                        text_of(child(p, "referencePos")),
                        text_of(child(p, "adjust"))
                    )
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if !adjustments.is_empty() {
        description.push_str(&format!(
            " KTAB ideal adjustments in the file (honoured by `forecast --table`, not part of \
             a case): {}.",
            adjustments.join(", ")
        ));
    }
    let mut case = skeleton(
        file,
        if name.is_empty() {
            super::stem(file)
        } else {
            name.clone()
        },
        description,
    );
    let mut ids = BTreeMap::new();
    let mut issues: Vec<Issue> = Vec::new();
    for a in actors_node.children().filter(|c| c.has_tag_name("Actor")) {
        let l = line(a);
        let aname = text_of(child(a, "name"));
        if aname.is_empty() {
            return Err(err(
                file,
                l,
                "an <Actor> has no <name>",
                "give every actor a <name>",
            ));
        }
        let cap =
            number(file, l, "capability", &text_of(child(a, "capability")))?.ok_or_else(|| {
                err(
                    file,
                    l,
                    format!("actor {aname:?} has no <capability>"),
                    "add <capability>…</capability>",
                )
            })?;
        let coords: Vec<String> = child(a, "Position")
            .map(|p| {
                p.children()
                    .filter(|c| c.has_tag_name("dCoord"))
                    .map(|c| c.text().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let sals: Vec<String> = child(a, "Salience")
            .map(|p| {
                p.children()
                    .filter(|c| c.has_tag_name("dSal"))
                    .map(|c| c.text().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let n_dims = dims.len().max(coords.len());
        if coords.len() != n_dims || sals.len() != n_dims {
            return Err(err(
                file,
                l,
                format!(
                    "actor {aname:?} has {} coordinates and {} saliences for {n_dims} dimensions",
                    coords.len(),
                    sals.len()
                ),
                "give one <dCoord> and one <dSal> per dimension",
            ));
        }
        while issues.len() < n_dims {
            let d = issues.len();
            let dname = dims
                .get(d)
                .cloned()
                .unwrap_or_else(|| format!("dim{}", d + 1));
            issues.push(Issue {
                id: dname.clone(),
                question: format!("Dimension {dname:?} of KTAB scenario {name:?}"),
                low: "0 on KTAB's scale for this dimension".into(),
                high: "100 on KTAB's scale for this dimension".into(),
                status_quo: None,
                unit: None,
                prov: Provenance::default(),
                positions: Vec::new(),
                span: 0..0,
            });
        }
        let id = unique_id(&aname, &mut ids);
        case.actors.push(Actor {
            id: id.clone(),
            name: aname.clone(),
            kind: ActorKind::Other,
            side: None,
            capability: cited(cap, l),
            description: text_of(child(a, "description")),
            prov: row(l),
            span: 0..0,
        });
        for (d, issue) in issues.iter_mut().enumerate() {
            let p = number(file, l, "dCoord", &coords[d])?;
            let s = number(file, l, "dSal", &sals[d])?;
            if let (Some(p), Some(s)) = (p, s) {
                issue.positions.push(Position {
                    actor: id.clone(),
                    position: cited(p, l),
                    salience: cited(s, l),
                    prov: row(l),
                    span: 0..0,
                });
            }
        }
    }
    let mut issue_ids = BTreeMap::new();
    for i in &mut issues {
        i.id = unique_id(&i.id, &mut issue_ids);
    }
    case.issues = issues;
    super::check(file, case)
}

/// What a KTAB XML scenario says about running its spatial model beyond the case itself:
/// the model parameters, the random generator's seed and the ideal-point adjustments, each
/// with the line it is on (a forecast honours them; a case has no place for them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SmpSettings {
    /// `<prngSeed>` and its line.
    pub seed: Option<(u64, usize)>,
    /// `<ModelParameters>` children as (element, value, line), in file order.
    pub parameters: Vec<(String, String, usize)>,
    /// `<IdealAdjustment><iaPair>` as (adjusting actor, reference actor, rate, line), actors
    /// by their index among the `<Actor>` elements.
    pub ideal_adjustments: Vec<(usize, usize, f64, usize)>,
}

/// The SMP settings of a KTAB scenario: `None` for the CSV layout (which has none), else what
/// its XML says, checked (a seed that is a whole number above 0, an `iaPair` naming two actors
/// of the file with a rate in [0, 1], each actor's rates summing to at most 1).
///
/// # Errors
/// A located [`ImportError`] for malformed XML or any setting that cannot be honoured.
pub fn smp_settings(file: &str, text: &str) -> Result<Option<SmpSettings>, ImportError> {
    if !is_xml(text) {
        return Ok(None);
    }
    let doc = parse_xml(file, text)?;
    let line = |n: roxmltree::Node| doc.text_pos_at(n.range().start).row as usize;
    let root = doc.root_element();
    let mut out = SmpSettings::default();
    if let Some(n) = child(root, "prngSeed") {
        let t = text_of(Some(n));
        let seed = t.parse::<u64>().ok().filter(|&s| s > 0).ok_or_else(|| {
            err(
                file,
                line(n),
                format!("<prngSeed> {t:?} is not a whole number from 1 to 2^64 − 1"),
                "give the seed of KTAB's generator (0, which asks KTAB for a random seed, \
                 cannot be repeated)",
            )
        })?;
        out.seed = Some((seed, line(n)));
    }
    if let Some(m) = child(root, "ModelParameters") {
        for c in m.children().filter(roxmltree::Node::is_element) {
            out.parameters
                .push((c.tag_name().name().to_string(), text_of(Some(c)), line(c)));
        }
    }
    let names: Vec<String> = child(root, "Actors")
        .map(|a| {
            a.children()
                .filter(|c| c.has_tag_name("Actor"))
                .map(|c| text_of(child(c, "name")))
                .collect()
        })
        .unwrap_or_default();
    if let Some(ia) = child(root, "IdealAdjustment") {
        let mut rows = vec![0.0; names.len()];
        for pair in ia.children().filter(|c| c.has_tag_name("iaPair")) {
            let l = line(pair);
            let actor = |tag: &str| -> Result<usize, ImportError> {
                let name = text_of(child(pair, tag));
                names.iter().position(|n| *n == name).ok_or_else(|| {
                    err(
                        file,
                        l,
                        format!("<{tag}> {name:?} is not an actor of the scenario"),
                        format!("name one of the <Actor> elements: {}", names.join(", ")),
                    )
                })
            };
            let (a, r) = (actor("adjustingIdeal")?, actor("referencePos")?);
            let t = text_of(child(pair, "adjust"));
            let rate = t
                .parse::<f64>()
                .ok()
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| {
                    err(
                        file,
                        l,
                        format!("<adjust> {t:?} is not a rate from 0 to 1"),
                        "the share of the way the ideal point moves toward the position each turn",
                    )
                })?;
            rows[a] += rate;
            if rows[a] > 1.0 + 1e-10 {
                return Err(err(
                    file,
                    l,
                    format!(
                        "{:?}'s ideal adjustment rates sum to {}, above 1",
                        names[a], rows[a]
                    ),
                    "an actor's rates toward all positions (its own included) sum to at most 1",
                ));
            }
            out.ideal_adjustments.push((a, r, rate, l));
        }
    }
    Ok(Some(out))
}

/// Whether a KTAB scenario's text is its XML layout (else the CSV one).
fn is_xml(text: &str) -> bool {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<?xml") || head.starts_with("<Scenario")
}

/// The XML document of a KTAB scenario (after any byte-order mark), or a located error.
fn parse_xml<'i>(file: &str, text: &'i str) -> Result<roxmltree::Document<'i>, ImportError> {
    roxmltree::Document::parse(text.trim_start_matches('\u{feff}')).map_err(|e| {
        err(
            file,
            e.pos().row as usize,
            format!("not valid XML: {e}"),
            "KTAB scenarios are well-formed XML with a <Scenario> root",
        )
    })
}

fn import_csv(file: &str, text: &str) -> Result<Case, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let lines = super::LineIndex::new(text);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            err(
                file,
                lines.line(e.position()),
                format!("malformed row: {e}"),
                "check quoting and commas",
            )
        })?;
        let line = lines.line(rec.position());
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        records.push((line, cells));
    }
    let Some((l1, first)) = records.first() else {
        return Err(err(
            file,
            1,
            "the file is empty",
            "KTAB's first row is `ScenarioName,Description,nActors,nDims`",
        ));
    };
    if first.len() < 4 {
        return Err(err(
            file,
            *l1,
            "the first row needs 4 fields: ScenarioName,Description,nActors,nDims",
            "see KTAB's CSV layout",
        ));
    }
    let n_actors = first[2].parse::<usize>().map_err(|_| {
        err(
            file,
            *l1,
            format!("nActors {:?} is not a whole number", first[2]),
            "the third field of row 1 is the number of actors",
        )
    })?;
    let n_dims = first[3].parse::<usize>().map_err(|_| {
        err(
            file,
            *l1,
            format!("nDims {:?} is not a whole number", first[3]),
            "the fourth field of row 1 is the number of dimensions",
        )
    })?;
    let Some((l2, header)) = records.get(1) else {
        return Err(err(
            file,
            2,
            "no header row",
            "row 2 names the columns: Actor,Description,Influence,<dim> Position,<dim> Salience,…",
        ));
    };
    // The header must hold every dimension's two columns: checked before anything is sized by
    // nDims (a huge nDims would otherwise overflow `3 + 2 * n_dims` or the allocations).
    let width = n_dims.checked_mul(2).and_then(|w| w.checked_add(3));
    if width.is_none_or(|w| header.len() < w) {
        return Err(err(
            file,
            *l2,
            format!(
                "the header has {} columns; {} dimensions need {}",
                header.len(),
                n_dims,
                width.map_or_else(|| "more than any file holds".to_string(), |w| w.to_string())
            ),
            "each dimension needs a position and a salience column: fix nDims in row 1 or the header",
        ));
    }
    let actors = &records[2..];
    if actors.len() != n_actors {
        return Err(err(
            file,
            *l1,
            format!(
                "row 1 announces {n_actors} actors but the file has {}",
                actors.len()
            ),
            "fix nActors or the actor rows",
        ));
    }
    let mut case = skeleton(file, first[0].clone(), first[1].clone());
    let mut ids = BTreeMap::new();
    let mut dims: Vec<Issue> = (0..n_dims)
        .map(|d| {
            let h = header[3 + 2 * d].trim();
            let name = h.strip_suffix("Position").map_or(h, str::trim).to_string();
            Issue {
                id: String::new(),
                question: format!("Dimension {name:?} of KTAB scenario {:?}", first[0]),
                low: "0 on KTAB's scale for this dimension".into(),
                high: "100 on KTAB's scale for this dimension".into(),
                status_quo: None,
                unit: None,
                prov: Provenance::default(),
                positions: Vec::new(),
                span: 0..0,
            }
            .with_id(&name)
        })
        .collect();
    let mut issue_ids = BTreeMap::new();
    for d in &mut dims {
        d.id = unique_id(&d.id, &mut issue_ids);
    }
    for (line, cells) in actors {
        let line = *line;
        if cells.len() < 3 + 2 * n_dims {
            return Err(err(
                file,
                line,
                format!(
                    "the row has {} fields; {} expected",
                    cells.len(),
                    3 + 2 * n_dims
                ),
                "one name, a description, an influence and a position and salience per dimension",
            ));
        }
        let id = unique_id(&cells[0], &mut ids);
        let cap = number(file, line, &header[2], &cells[2])?
            .ok_or_else(|| err(file, line, "empty influence", "fill the influence column"))?;
        case.actors.push(Actor {
            id: id.clone(),
            name: cells[0].clone(),
            kind: ActorKind::Other,
            side: None,
            capability: cited(cap, line),
            description: cells[1].clone(),
            prov: row(line),
            span: 0..0,
        });
        for (d, issue) in dims.iter_mut().enumerate() {
            let (pc, sc) = (3 + 2 * d, 4 + 2 * d);
            let p = number(file, line, &header[pc], &cells[pc])?;
            let s = number(file, line, &header[sc], &cells[sc])?;
            if let (Some(p), Some(s)) = (p, s) {
                issue.positions.push(Position {
                    actor: id.clone(),
                    position: cited(p, line),
                    salience: cited(s, line),
                    prov: row(line),
                    span: 0..0,
                });
            }
        }
    }
    case.issues = dims;
    super::check(file, case)
}

trait WithId {
    fn with_id(self, name: &str) -> Self;
}

impl WithId for Issue {
    fn with_id(mut self, name: &str) -> Self {
        self.id = name.to_string();
        self
    }
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(tag))
}

fn text_of(n: Option<roxmltree::Node<'_, '_>>) -> String {
    n.and_then(|n| n.text())
        .map(str::trim)
        .unwrap_or("")
        .to_string()
}
