//! `case show`: a case as tables, CSV (positions in long format) or JSON.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use leverage_case::{Case, Num, YearValue};

use crate::args::Output;
use crate::{Failure, Result, pretty_json};

/// A table in the house style: at most 100 columns wide (cells wrap), the first column (the
/// row's name) never wrapped.
pub fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(100)
        .set_header(headers.iter().map(Cell::new));
    if let Some(c) = t.column_mut(0) {
        c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
    }
    t
}

/// Longest line of a row's name in [`table`]'s first column before it is broken.
const NAME_WIDTH: usize = 40;

/// A row's name for [`table`]'s first column: a name longer than [`NAME_WIDTH`] characters is
/// broken into lines after a space, `-`, `_`, `.` or `/` (or anywhere, if it has none), so
/// that a long name cannot squeeze the other columns to a character each.
pub fn name_cell(name: &str) -> Cell {
    Cell::new(break_name(name, NAME_WIDTH))
}

fn break_name(name: &str, width: usize) -> String {
    let mut out = String::new();
    for line in name.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut start = 0;
        while chars.len() - start > width {
            let window = &chars[start..start + width];
            let cut = window
                .iter()
                .rposition(|c| matches!(c, ' ' | '-' | '_' | '.' | '/'))
                .filter(|&i| i > 0)
                .map_or(width, |i| i + 1);
            out.extend(&chars[start..start + cut]);
            // a break at a space leaves no space at the line's end
            out.truncate(out.trim_end_matches(' ').len());
            out.push('\n');
            start += cut;
            while chars.get(start) == Some(&' ') {
                start += 1;
            }
        }
        out.extend(&chars[start..]);
        out.push('\n');
    }
    out.pop();
    out
}

fn num_cell(x: f64) -> Cell {
    Cell::new(fmt_num(x)).set_alignment(CellAlignment::Right)
}

/// A number with as few digits as it needs.
pub fn fmt_num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn origin(n: &Num) -> String {
    let s = n.prov.describe();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

fn years(values: &[YearValue]) -> String {
    match (
        values.iter().map(|v| v.year).min(),
        values.iter().map(|v| v.year).max(),
    ) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a}–{b} ({} values)", values.len()),
        _ => "—".into(),
    }
}

/// Print the case.
pub fn show(case: &Case, output: Output) -> Result<()> {
    match output {
        Output::Json => {
            println!("{}", pretty_json(case)?);
            Ok(())
        }
        Output::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let io = |e: csv::Error| Failure::Internal(format!("CSV: {e}"));
            w.write_record([
                "issue",
                "actor",
                "position",
                "position_unit",
                "unit",
                "salience",
                "capability",
                "source",
            ])
            .map_err(io)?;
            for i in &case.issues {
                for p in &i.positions {
                    let cap = case
                        .actor(&p.actor)
                        .map_or(f64::NAN, |a| a.capability.value);
                    let (pu, un) = match &i.unit {
                        Some(u) => (fmt_num(u.to_unit(p.position.value)), u.name.clone()),
                        None => (String::new(), String::new()),
                    };
                    w.write_record([
                        i.id.clone(),
                        p.actor.clone(),
                        fmt_num(p.position.value),
                        pu,
                        un,
                        fmt_num(p.salience.value),
                        fmt_num(cap),
                        p.position.prov.describe(),
                    ])
                    .map_err(io)?;
                }
            }
            w.flush()
                .map_err(|e| Failure::Internal(format!("CSV: {e}")))?;
            Ok(())
        }
        Output::Table => {
            print!("{}", render_tables(case));
            Ok(())
        }
    }
}

/// The human-readable rendering.
pub fn render_tables(case: &Case) -> String {
    let m = &case.case;
    let mut out = format!(
        "{} ({})\nas of {} · horizon {} · {} sources{}\n\n",
        m.title,
        m.id,
        m.as_of,
        m.horizon,
        case.sources.len(),
        if m.require_sources {
            " · every number sourced"
        } else {
            ""
        }
    );
    let mut t = table(&["actor", "name", "kind", "side", "capability", "origin"]);
    for a in &case.actors {
        t.add_row(vec![
            Cell::new(&a.id),
            Cell::new(&a.name),
            Cell::new(a.kind.as_str()),
            Cell::new(a.side.as_deref().unwrap_or("")),
            num_cell(a.capability.value),
            Cell::new(origin(&a.capability)),
        ]);
    }
    out.push_str(&format!("Actors ({})\n{t}\n\n", case.actors.len()));

    for i in &case.issues {
        out.push_str(&format!(
            "Issue {}: {}\n  0 = {}\n  100 = {}\n",
            i.id, i.question, i.low, i.high
        ));
        if let Some(sq) = &i.status_quo {
            let unit = i.unit.as_ref().map_or(String::new(), |u| {
                format!(" ({} {})", fmt_num(u.to_unit(sq.value)), u.name)
            });
            out.push_str(&format!(
                "  status quo: {}{unit} — {}\n",
                fmt_num(sq.value),
                sq.prov.describe()
            ));
        }
        let unit_head = i
            .unit
            .as_ref()
            .map_or("unit".to_string(), |u| u.name.clone());
        let mut t = table(&[
            "actor",
            "position",
            &unit_head,
            "salience",
            "cap × sal",
            "origin",
        ]);
        let mut ps: Vec<_> = i.positions.iter().collect();
        ps.sort_by(|a, b| a.position.value.total_cmp(&b.position.value));
        for p in ps {
            let cap = case.actor(&p.actor).map_or(0.0, |a| a.capability.value);
            t.add_row(vec![
                Cell::new(&p.actor),
                num_cell(p.position.value),
                Cell::new(
                    i.unit
                        .as_ref()
                        .map_or(String::new(), |u| fmt_num(u.to_unit(p.position.value))),
                )
                .set_alignment(CellAlignment::Right),
                num_cell(p.salience.value),
                num_cell((cap * p.salience.value / 100.0 * 10.0).round() / 10.0),
                Cell::new(origin(&p.position)),
            ]);
        }
        out.push_str(&format!("{t}\n\n"));
    }

    if !case.flows.is_empty() || !case.series.is_empty() {
        let mut t = table(&[
            "flow / series",
            "component",
            "measure",
            "unit",
            "years",
            "latest",
            "source",
        ]);
        for f in &case.flows {
            let last = f.values.iter().max_by_key(|v| v.year);
            t.add_row(vec![
                Cell::new(&f.id),
                Cell::new(f.component.as_str()),
                Cell::new(&f.measure),
                Cell::new(&f.unit),
                Cell::new(years(&f.values)),
                last.map_or(Cell::new("—"), |v| {
                    Cell::new(format!("{}: {}", v.year, fmt_num(v.value.value)))
                }),
                Cell::new(f.prov.describe()),
            ]);
        }
        for s in &case.series {
            let last = s.values.iter().max_by_key(|v| v.year);
            t.add_row(vec![
                Cell::new(&s.id),
                Cell::new("(series)"),
                Cell::new(&s.measure),
                Cell::new(&s.unit),
                Cell::new(years(&s.values)),
                last.map_or(Cell::new("—"), |v| {
                    Cell::new(format!("{}: {}", v.year, fmt_num(v.value.value)))
                }),
                Cell::new(s.prov.describe()),
            ]);
        }
        out.push_str(&format!("Flows and series\n{t}\n\n"));
    }
    if !case.schedules.is_empty() {
        let mut t = table(&["schedule", "enacted", "unit", "values"]);
        for s in &case.schedules {
            let vals: Vec<String> = s
                .values
                .iter()
                .map(|v| format!("{}: {}", v.year, fmt_num(v.value.value)))
                .collect();
            t.add_row(vec![
                Cell::new(&s.id),
                Cell::new(s.enacted.to_string()),
                Cell::new(&s.unit),
                Cell::new(vals.join(", ")),
            ]);
        }
        out.push_str(&format!("Schedules\n{t}\n\n"));
    }
    if !case.params.is_empty() {
        let mut t = table(&["param", "distribution", "central", "unit", "origin"]);
        for p in &case.params {
            t.add_row(vec![
                Cell::new(&p.id),
                Cell::new(p.dist.describe()),
                match p.dist.central_option() {
                    Some(o) => Cell::new(o),
                    None => num_cell(p.dist.central()),
                },
                Cell::new(&p.unit),
                Cell::new(p.prov.describe()),
            ]);
        }
        out.push_str(&format!("Parameters\n{t}\n\n"));
    }
    if !case.events.is_empty() {
        let mut t = table(&["date", "event", "actors", "note"]);
        for e in &case.events {
            t.add_row(vec![
                Cell::new(e.date.to_string()),
                Cell::new(&e.title),
                Cell::new(e.actors.join(", ")),
                Cell::new(
                    e.prov
                        .assumption
                        .as_ref()
                        .map_or(String::new(), |a| format!("assumption: {a}")),
                ),
            ]);
        }
        out.push_str(&format!("Timeline ({} events)\n{t}\n\n", case.events.len()));
    }
    if !case.scenarios.is_empty() {
        let mut t = table(&["scenario", "title", "description"]);
        for s in &case.scenarios {
            t.add_row(vec![
                Cell::new(&s.id),
                Cell::new(&s.title),
                Cell::new(&s.description),
            ]);
        }
        out.push_str(&format!("Scenarios\n{t}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::break_name;

    #[test]
    fn long_names_break_after_separators() {
        assert_eq!(break_name("short name", 40), "short name");
        assert_eq!(
            break_name(
                "tm_losses_officials (USD bn) [maneuver.loss oil_price=70]",
                30
            ),
            "tm_losses_officials (USD bn)\n[maneuver.loss oil_price=70]"
        );
        assert_eq!(break_name("abcdefghij", 4), "abcd\nefgh\nij");
        let long = "cases/broken/does-not-validate-because-of-a-very-long-name.toml";
        for line in break_name(long, 20).lines() {
            assert!(line.chars().count() <= 20, "{line}");
        }
        assert_eq!(break_name(long, 20).replace('\n', ""), long);
    }
}
