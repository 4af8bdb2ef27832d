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

/// Which starter case [`starter_case`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Starter {
    /// A patron, a client and every mechanism of the scenario engine, with the library's general
    /// coefficients and placeholders for the pair's own numbers: every command runs on it.
    PatronClient,
    /// A small case that shows every table of the format (economic data, figures).
    FormatTour,
}

/// A commented starter case that validates.
pub fn starter_case(which: Starter, id: &str, title: &str) -> String {
    let text = match which {
        Starter::PatronClient => PATRON_CLIENT,
        Starter::FormatTour => STARTER,
    };
    text.replacen("id = \"my-case\"", &format!("id = {id:?}"), 1)
        .replacen("title = \"My case\"", &format!("title = {title:?}"), 1)
}

const STARTER: &str = include_str!("starter.toml");
const PATRON_CLIENT: &str = include_str!("starter-patron-client.toml");
