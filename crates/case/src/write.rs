//! Writing cases back to TOML (for `case import`) and the starter case (for `case new`).

use crate::model::Case;

/// A case as TOML text in the format [`crate::load`] reads.
///
/// Values read from a CSV file are written as the `csv = "…"` reference only, as in the source.
pub fn to_toml(case: &Case) -> Result<String, String> {
    let mut c = case.clone();
    for f in &mut c.flows {
        if f.csv.is_some() {
            f.values.clear();
        }
    }
    for s in &mut c.series {
        if s.csv.is_some() {
            s.values.clear();
        }
    }
    toml::to_string_pretty(&c).map_err(|e| e.to_string())
}

/// A commented starter case that validates, showing every table of the format.
pub fn starter_case(id: &str, title: &str) -> String {
    STARTER
        .replacen("id = \"my-case\"", &format!("id = {id:?}"), 1)
        .replacen("title = \"My case\"", &format!("title = {title:?}"), 1)
}

const STARTER: &str = include_str!("starter.toml");
