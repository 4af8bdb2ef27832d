//! Data files a case refers to (CSV series), and the yearly CSV layout.
//!
//! The case crate never touches the file system: whoever loads a case hands it a [`DataFiles`]
//! that returns the text of a referenced file. The CLI passes one rooted at the case file's folder;
//! the default case uses [`EmbeddedFiles`], which serves the files compiled into the binary.
//!
//! The CSV layout is the one of `data/`: a header with `year`, `value` and `source` (plus optional
//! `unit` and `confidence`), one row per year. A row whose value is empty is a gap: it stays a gap.

use crate::diag::Sink;
use crate::model::{Num, Provenance, YearValue};

/// Access to the data files a case refers to.
pub trait DataFiles {
    /// The display name and text of the file at `path` (as written in the case), or why not.
    fn read(&self, path: &str) -> Result<(String, String), String>;
}

/// A [`DataFiles`] with no files: every reference fails with a clear message.
pub struct NoFiles;

impl DataFiles for NoFiles {
    fn read(&self, path: &str) -> Result<(String, String), String> {
        Err(format!(
            "no data files are available here (wanted {path:?})"
        ))
    }
}

/// Files compiled into the binary, keyed by their path from the repository root
/// (`cases/…`, `data/…`); references resolve relative to `base` (the case's folder).
pub struct EmbeddedFiles {
    /// Folder of the case file, relative to the repository root (e.g. `cases`).
    pub base: &'static str,
    /// The files.
    pub files: &'static [(&'static str, &'static str)],
}

impl DataFiles for EmbeddedFiles {
    fn read(&self, path: &str) -> Result<(String, String), String> {
        let full = normalize(&format!("{}/{}", self.base, path));
        self.files
            .iter()
            .find(|(p, _)| *p == full)
            .map(|(p, t)| (format!("<embedded>/{p}"), (*t).to_string()))
            .ok_or_else(|| format!("no embedded file {full:?}"))
    }
}

/// Resolve `.` and `..` in a `/`-separated relative path.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Parse a yearly CSV (`year,value,source[,unit][,confidence]`). Row provenance becomes
/// `"<record source>#<file> row N: <source column>"`, so every value names its origin.
pub(crate) fn parse_year_csv(sink: &mut Sink, record_prov: &Provenance) -> Vec<YearValue> {
    let text = sink.source().text.clone();
    let name = sink.source().name.clone();
    let short = name.rsplit('/').next().unwrap_or(&name).to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            sink.error(
                "case::csv",
                Some(0..0),
                format!("cannot read the CSV header: {e}"),
            )
            .expected("a header line `year,value,source`")
            .push();
            return Vec::new();
        }
    };
    let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    let (Some(yc), Some(vc)) = (col("year"), col("value")) else {
        let end = text.find('\n').unwrap_or(text.len());
        sink.error(
            "case::csv-header",
            Some(0..end),
            "the CSV header has no `year` and `value` columns",
        )
        .label("header")
        .expected("a header with `year`, `value` and `source` columns")
        .hint("rename the columns, e.g. `year,value,source`")
        .push();
        return Vec::new();
    };
    let sc = col("source");
    let mut out: Vec<YearValue> = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let off = e.position().map_or(0, |p| p.byte() as usize);
                sink.error(
                    "case::csv",
                    Some(off..off),
                    format!("malformed CSV row: {e}"),
                )
                .expected("comma-separated fields, quoted if they contain commas")
                .push();
                continue;
            }
        };
        let start = rec.position().map_or(0, |p| p.byte() as usize);
        let line_end = text[start.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| start + i);
        let line = &text[start.min(text.len())..line_end];
        let field_span = |s: &str| -> std::ops::Range<usize> {
            match line.find(s).filter(|_| !s.is_empty()) {
                Some(i) => start + i..start + i + s.len(),
                None => start..line_end,
            }
        };
        let row = rec.position().map_or(0, |p| p.line());
        let ys = rec.get(yc).unwrap_or("");
        let vs = rec.get(vc).unwrap_or("");
        let Ok(year) = ys.parse::<i32>() else {
            sink.error(
                "case::csv-year",
                Some(field_span(ys)),
                format!("row {row}: the year {ys:?} is not an integer"),
            )
            .label("not a year")
            .expected("a year such as 2019")
            .push();
            continue;
        };
        if vs.is_empty() {
            continue; // a gap stays a gap
        }
        let value = match vs.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                sink.error(
                    "case::csv-value",
                    Some(field_span(vs)),
                    format!("row {row}: the value {vs:?} is not a number"),
                )
                .label("not a number")
                .expected("a number, or an empty field for a gap")
                .hint("write numbers without units or thousands separators")
                .push();
                continue;
            }
        };
        if let Some(prev) = out.iter().find(|v| v.year == year) {
            let _ = prev;
            sink.error(
                "case::csv-duplicate-year",
                Some(field_span(ys)),
                format!("row {row}: year {year} appears twice"),
            )
            .label("second row for this year")
            .expected("one row per year")
            .push();
            continue;
        }
        let cited = sc.and_then(|c| rec.get(c)).unwrap_or("");
        let mut prov = Provenance {
            source: record_prov.source_id().map(|id| {
                if cited.is_empty() {
                    format!("{id}#{short} row {row}")
                } else {
                    format!("{id}#{short} row {row}: {cited}")
                }
            }),
            ..Provenance::default()
        };
        prov.inherit(record_prov);
        let span = field_span(vs);
        out.push(YearValue {
            year,
            value: Num {
                value,
                prov,
                own_prov: false,
                span: span.clone(),
            },
            span: field_span(ys),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceText;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("cases/../data/x.csv"), "data/x.csv");
        assert_eq!(normalize("./a//b/./c"), "a/b/c");
        assert_eq!(normalize("../x"), "../x");
    }

    #[test]
    fn csv_rows_keep_gaps_and_cite_rows() {
        let text =
            "year,value,source,confidence\n2018,1.5,\"Stat, table 3\",high\n2019,,not found,\n";
        let mut sink = Sink::new(SourceText::new("data/x.csv", text));
        let prov = Provenance {
            source: Some("stat".into()),
            ..Default::default()
        };
        let v = parse_year_csv(&mut sink, &prov);
        assert!(sink.diags.is_empty(), "{:?}", sink.diags);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].year, 2018);
        assert_eq!(v[0].value.value, 1.5);
        assert_eq!(
            v[0].value.prov.source.as_deref(),
            Some("stat#x.csv row 2: Stat, table 3")
        );
    }

    #[test]
    fn csv_bad_value_points_at_field() {
        let text = "year,value,source\n2018,abc,x\n";
        let mut sink = Sink::new(SourceText::new("x.csv", text));
        let v = parse_year_csv(&mut sink, &Provenance::default());
        assert!(v.is_empty());
        assert_eq!(sink.diags.len(), 1);
        assert_eq!((sink.diags[0].line, sink.diags[0].column), (2, 6));
    }
}
