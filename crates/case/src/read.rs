//! Reading: TOML text → [`Case`], collecting every problem instead of stopping at the first.
//!
//! The TOML is parsed with error recovery into a tree whose every key and value carries its byte
//! span (`toml::de::DeTable`). A small typed accessor ([`Tbl`]) then walks that tree: each lookup
//! records the key as known, type mismatches and missing keys become diagnostics at the right span,
//! and whatever keys were never asked for are reported as unknown with a "did you mean" hint.
//! Reading never fails outright: a record with a fatal problem is skipped, the others are kept, so
//! the validator can still find problems in them.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::data::{DataFiles, parse_year_csv};
use crate::diag::{Diagnostic, Sink, SourceText};
use crate::model::*;

type V<'i> = Spanned<DeValue<'i>>;

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A number from a TOML integer or float, if it is one.
fn as_f64(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => {
            let s: String = i.as_str().chars().filter(|c| *c != '_').collect();
            i64::from_str_radix(&s, i.radix()).ok().map(|x| x as f64)
        }
        DeValue::Float(f) => {
            let s: String = f.as_str().chars().filter(|c| *c != '_').collect();
            s.parse::<f64>().ok()
        }
        _ => None,
    }
}

/// A typed view of one TOML table that remembers which keys were asked for.
pub(crate) struct Tbl<'a, 'i> {
    map: &'a DeTable<'i>,
    span: Range<usize>,
    /// What this table is, for messages: `[[actor]] #3`.
    what: String,
    asked: Vec<&'static str>,
    /// Required keys reported missing, with the index of their diagnostic in the sink.
    missing: Vec<(String, usize)>,
    /// Whether keys of one side end in `_patron`/`_client` (the link tables): an unknown key
    /// with such a stem and another ending gets the side's key as its hint.
    side_keys: bool,
}

impl<'a, 'i> Tbl<'a, 'i> {
    pub(crate) fn new(map: &'a DeTable<'i>, span: Range<usize>, what: String) -> Self {
        Self {
            map,
            span,
            what,
            asked: Vec::new(),
            missing: Vec::new(),
            side_keys: false,
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'a V<'i>> {
        self.asked.push(key);
        self.map.get(key)
    }

    fn missing(&mut self, sink: &mut Sink, key: &str, expected: &str) {
        self.missing.push((key.to_string(), sink.diags.len()));
        sink.error(
            "case::missing-key",
            Some(self.span.clone()),
            format!("{} has no `{key}`", self.what),
        )
        .label(format!("`{key}` is required here"))
        .expected(format!("`{key} = …` ({expected})"))
        .hint(format!("add `{key} = …` to this table"))
        .push();
    }

    fn wrong_type(sink: &mut Sink, key: &str, v: &V<'_>, expected: &str) {
        sink.error(
            "case::wrong-type",
            Some(v.span()),
            format!(
                "`{key}` must be {expected}, found {}",
                type_name(v.get_ref())
            ),
        )
        .label(format!("found {}", type_name(v.get_ref())))
        .expected(expected.to_string())
        .push();
    }

    /// Name the table by its id in later messages (`[[actor]] \`belarus\`` rather than `#2`).
    pub(crate) fn named(&mut self, id: &Option<(String, Range<usize>)>) {
        if let Some((id, _)) = id {
            if let Some(i) = self.what.rfind(" #") {
                self.what.truncate(i);
                self.what.push_str(&format!(" `{id}`"));
            }
        }
    }

    /// A string value.
    pub(crate) fn string(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<(String, Range<usize>)> {
        match self.get(key) {
            None => {
                if required {
                    self.missing(sink, key, "a string");
                }
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some((s.to_string(), v.span())),
                _ => {
                    Self::wrong_type(sink, key, v, "a string");
                    None
                }
            },
        }
    }

    /// An identifier (letters, digits, `-`, `_`, `.`).
    pub(crate) fn ident(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<(String, Range<usize>)> {
        let (s, span) = self.string(sink, key, required)?;
        if !is_ident(&s) {
            sink.error(
                "case::bad-id",
                Some(span.clone()),
                format!("`{key}` = {s:?} is not a valid identifier"),
            )
            .label("not an identifier")
            .expected("letters, digits, `-`, `_` or `.`, starting with a letter or digit")
            .hint(format!("try {:?}", suggest_ident(&s)))
            .push();
        }
        Some((s, span))
    }

    pub(crate) fn boolean(&mut self, sink: &mut Sink, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                Self::wrong_type(sink, key, v, "`true` or `false`");
                None
            }
        }
    }

    pub(crate) fn integer(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<(i64, Range<usize>)> {
        let Some(v) = self.get(key) else {
            if required {
                self.missing(sink, key, "an integer");
            }
            return None;
        };
        match v.get_ref() {
            DeValue::Integer(_) => match as_f64(v.get_ref()) {
                Some(x) => Some((x as i64, v.span())),
                None => {
                    Self::wrong_type(sink, key, v, "an integer that fits in 64 bits");
                    None
                }
            },
            _ => {
                Self::wrong_type(sink, key, v, "an integer");
                None
            }
        }
    }

    /// A plain number (no provenance table).
    pub(crate) fn float(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<(f64, Range<usize>)> {
        let Some(v) = self.get(key) else {
            if required {
                self.missing(sink, key, "a number");
            }
            return None;
        };
        match as_f64(v.get_ref()) {
            Some(x) if x.is_finite() => Some((x, v.span())),
            Some(_) => {
                non_finite(sink, key, v.span());
                None
            }
            None => {
                Self::wrong_type(sink, key, v, "a number");
                None
            }
        }
    }

    /// A number, bare or `{ value = …, source = …, judgement = …, assumption = … }`.
    pub(crate) fn num(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<Num> {
        let Some(v) = self.get(key) else {
            if required {
                self.missing(sink, key, "a number");
            }
            return None;
        };
        read_num(sink, key, v)
    }

    /// A list of strings.
    pub(crate) fn strings(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
    ) -> Vec<(String, Range<usize>)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            Self::wrong_type(sink, key, v, "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), item.span())),
                _ => Self::wrong_type(sink, key, item, "a string"),
            }
        }
        out
    }

    /// A list of numbers.
    pub(crate) fn floats(&mut self, sink: &mut Sink, key: &'static str) -> Option<Vec<f64>> {
        let v = self.get(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            Self::wrong_type(sink, key, v, "an array of numbers");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match as_f64(item.get_ref()) {
                Some(x) if x.is_finite() => out.push(x),
                Some(_) => non_finite(sink, key, item.span()),
                None => Self::wrong_type(sink, key, item, "a number"),
            }
        }
        Some(out)
    }

    /// The array under `key`, if there is one (a value of another type is reported).
    fn array(&mut self, sink: &mut Sink, key: &'static str, expected: &str) -> Option<&'a [V<'i>]> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(items) => Some(&items[..]),
            _ => {
                Self::wrong_type(sink, key, v, expected);
                None
            }
        }
    }

    /// A list of strings with their spans, all or nothing: `None` if the key is absent, not an
    /// array, or has an element that is not a string (each one reported). Unlike
    /// [`Tbl::strings`], no element is dropped, so positions in the list keep their meaning.
    pub(crate) fn string_list(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let items = self.array(sink, key, "an array of strings")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, x) in items.iter().enumerate() {
            match x.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), x.span())),
                _ => {
                    wrong_element(sink, key, i, x, "a string");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A list of finite numbers with their spans, all or nothing (see [`Tbl::string_list`]).
    pub(crate) fn number_list(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
    ) -> Option<Vec<(f64, Range<usize>)>> {
        let items = self.array(sink, key, "an array of numbers")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, x) in items.iter().enumerate() {
            match as_f64(x.get_ref()) {
                Some(v) if v.is_finite() => out.push((v, x.span())),
                Some(_) => {
                    sink.error(
                        "case::not-finite",
                        Some(x.span()),
                        format!("element {} of `{key}` must be a finite number", i + 1),
                    )
                    .label("infinite or not a number")
                    .expected("a finite number")
                    .push();
                    ok = false;
                }
                None => {
                    wrong_element(sink, key, i, x, "a number");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A date: a TOML date, a string `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or an integer year.
    pub(crate) fn date(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
        required: bool,
    ) -> Option<(PartialDate, Range<usize>)> {
        let Some(v) = self.get(key) else {
            if required {
                self.missing(sink, key, "a date such as 2019-11-30 or \"2019-11\"");
            }
            return None;
        };
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => Some(PartialDate {
                    year: i32::from(d.year),
                    month: Some(d.month),
                    day: Some(d.day),
                }),
                _ => None,
            },
            DeValue::String(s) => PartialDate::parse(s),
            DeValue::Integer(_) => as_f64(v.get_ref())
                .filter(|y| (1000.0..=9999.0).contains(y))
                .map(|y| PartialDate {
                    year: y as i32,
                    month: None,
                    day: None,
                }),
            _ => None,
        };
        if parsed.is_none() {
            let found = match v.get_ref() {
                DeValue::String(s) => format!("{s:?}"),
                other => type_name(other).to_string(),
            };
            sink.error(
                "case::bad-date",
                Some(v.span()),
                format!("`{key}` is not a valid date: {found}"),
            )
            .label("not a date")
            .expected("a date: 2019-11-30, \"2019-11\", \"2019\" or 2019 (months 01–12, real days)")
            .hint("write a full TOML date (no time of day) or a quoted year-month")
            .push();
        }
        parsed.map(|d| (d, v.span()))
    }

    /// An array of tables (`[[key]]` blocks or an array of inline tables).
    pub(crate) fn tables(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        tables_of(sink, key, v)
    }

    /// An inline table.
    pub(crate) fn table(
        &mut self,
        sink: &mut Sink,
        key: &'static str,
    ) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some((t, v.span())),
            _ => {
                Self::wrong_type(sink, key, v, "a table");
                None
            }
        }
    }

    /// Provenance keys of the record (`source`, `judgement`, `assumption`).
    pub(crate) fn provenance(&mut self, sink: &mut Sink) -> Provenance {
        let source = self.string(sink, "source", false);
        let judgement = self.string(sink, "judgement", false);
        let assumption = self.string(sink, "assumption", false);
        check_one_line(sink, "judgement", judgement.as_ref());
        check_one_line(sink, "assumption", assumption.as_ref());
        if let Some((s, span)) = &source {
            check_source_syntax(sink, s, span);
        }
        Provenance {
            source_span: source.as_ref().map_or(0..0, |s| s.1.clone()),
            source: source.map(|s| s.0),
            judgement: judgement.map(|s| s.0),
            assumption: assumption.map(|s| s.0),
        }
    }

    /// Report every key nobody asked for. A misspelt required key is reported once, as an
    /// unknown key with a "did you mean", not a second time as missing.
    pub(crate) fn finish(self, sink: &mut Sink) {
        let mut drop: Vec<usize> = Vec::new();
        for (k, _) in self.map.iter() {
            let key: &str = k.get_ref();
            if self.asked.contains(&key) {
                continue;
            }
            if let Some(best) = did_you_mean(key, self.asked.iter().copied()) {
                if let Some((_, i)) = self.missing.iter().find(|(m, _)| m == best) {
                    drop.push(*i);
                }
            }
        }
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            if i < sink.diags.len() {
                sink.diags.remove(i);
            }
        }
        for (k, v) in self.map.iter() {
            let key: &str = k.get_ref();
            if self.asked.contains(&key) {
                continue;
            }
            let mut b = sink
                .error(
                    "case::unknown-key",
                    Some(k.span()),
                    format!("unknown key `{key}` in {}", self.what),
                )
                .label("unknown key")
                .expected(format!(
                    "one of: {}",
                    self.asked
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            let sides = if self.side_keys {
                side_keys(key, &self.asked)
            } else {
                Vec::new()
            };
            if !sides.is_empty() {
                b = b.hint(format!(
                    "renamed {}: the engines name the two sides patron and client",
                    sides
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            } else if let Some(best) = did_you_mean(key, self.asked.iter().copied()) {
                b = b.hint(format!("did you mean `{best}`?"));
            } else {
                b = b.hint("remove it, or check the spelling against docs/case-format.md");
            }
            b.push();
            let _ = v;
        }
    }
}

/// The keys among `known` that name a side (`<stem>_patron`, `<stem>_client`) for an unknown
/// `key` of the same stem whose ending is some other name for that side (`<stem>_<place>`);
/// empty when the ending looks like a misspelt `patron` or `client` (a plain "did you mean"
/// fits those better).
fn side_keys<'k>(key: &str, known: &[&'k str]) -> Vec<&'k str> {
    let Some((stem, end)) = key.rsplit_once('_') else {
        return Vec::new();
    };
    if did_you_mean(end, ["patron", "client"]).is_some() {
        return Vec::new();
    }
    known
        .iter()
        .copied()
        .filter(|k| {
            k.strip_prefix(stem)
                .is_some_and(|rest| rest == "_patron" || rest == "_client")
        })
        .collect()
}

/// Element `i` (0-based) of the array under `key` has the wrong type.
fn wrong_element(sink: &mut Sink, key: &str, i: usize, v: &V<'_>, expected: &str) {
    sink.error(
        "case::wrong-type",
        Some(v.span()),
        format!(
            "element {} of `{key}` must be {expected}, found {}",
            i + 1,
            type_name(v.get_ref())
        ),
    )
    .label(format!("found {}", type_name(v.get_ref())))
    .expected(expected.to_string())
    .push();
}

fn non_finite(sink: &mut Sink, key: &str, span: Range<usize>) {
    sink.error(
        "case::not-finite",
        Some(span),
        format!("`{key}` must be a finite number"),
    )
    .label("infinite or not a number")
    .expected("a finite number")
    .push();
}

fn check_one_line(sink: &mut Sink, key: &str, v: Option<&(String, Range<usize>)>) {
    if let Some((s, span)) = v {
        if s.trim().is_empty() {
            sink.error(
                "case::empty-reason",
                Some(span.clone()),
                format!("`{key}` is empty"),
            )
            .label("empty")
            .expected("a one-line reason")
            .hint(format!("say why in a few words, e.g. {key} = \"…\""))
            .push();
        } else if s.trim().contains('\n') {
            sink.error(
                "case::multi-line-reason",
                Some(span.clone()),
                format!("`{key}` spans several lines"),
            )
            .label("more than one line")
            .expected("a one-line reason")
            .hint("keep the reason to one line; put longer text in the record's `description`")
            .push();
        }
    }
}

fn check_source_syntax(sink: &mut Sink, s: &str, span: &Range<usize>) {
    let id = s.split('#').next().unwrap_or("").trim();
    if id.is_empty() || !is_ident(id) {
        sink.error(
            "case::bad-source-ref",
            Some(span.clone()),
            format!("`source = {s:?}` does not start with a source id"),
        )
        .label("not a source reference")
        .expected("the id of a [[source]], optionally followed by `#locator`, e.g. \"fn24\" or \"yearbook#table 3\"")
        .hint("declare the publication in a [[source]] table and cite its id here")
        .push();
    }
}

fn read_num(sink: &mut Sink, key: &str, v: &V<'_>) -> Option<Num> {
    match v.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => match as_f64(v.get_ref()) {
            Some(x) if x.is_finite() => Some(Num {
                value: x,
                prov: Provenance::default(),
                own_prov: false,
                span: v.span(),
            }),
            Some(_) => {
                non_finite(sink, key, v.span());
                None
            }
            None => {
                Tbl::wrong_type(sink, key, v, "a number");
                None
            }
        },
        DeValue::Table(t) => {
            let mut tb = Tbl::new(t, v.span(), format!("the value of `{key}`"));
            let value = tb.float(sink, "value", true);
            let prov = tb.provenance(sink);
            tb.finish(sink);
            value.map(|(x, span)| Num {
                value: x,
                own_prov: !prov.is_empty(),
                prov,
                span,
            })
        }
        _ => {
            Tbl::wrong_type(
                sink,
                key,
                v,
                "a number, or a table such as { value = 1.0, source = \"…\" }",
            );
            None
        }
    }
}

fn tables_of<'a, 'i>(
    sink: &mut Sink,
    key: &str,
    v: &'a V<'i>,
) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
    match v.get_ref() {
        DeValue::Array(items) => {
            let mut out = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(t) => out.push((t, item.span())),
                    _ => Tbl::wrong_type(sink, key, item, "a table"),
                }
            }
            out
        }
        DeValue::Table(_) => {
            sink.error(
                "case::wrong-type",
                Some(v.span()),
                format!("`{key}` must be an array of tables"),
            )
            .label("a single table")
            .expected(format!("`[[{key}]]` (double brackets)"))
            .hint(format!("write [[{key}]] instead of [{key}]"))
            .push();
            Vec::new()
        }
        _ => {
            Tbl::wrong_type(sink, key, v, "an array of tables");
            Vec::new()
        }
    }
}

/// Whether `s` is a valid identifier.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphanumeric())
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// A valid identifier close to `s`.
pub fn suggest_ident(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.starts_with(['_', '-', '.']) {
        out.remove(0);
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// The closest candidate to `word`, if any is close enough to be a plausible typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score > 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

const TOP_KEYS: [&str; 17] = [
    "case",
    "source",
    "actor",
    "issue",
    "flow",
    "series",
    "schedule",
    "event",
    "param",
    "figure",
    "scenario",
    "state",
    "correlation",
    "observable",
    "econ",
    "game",
    "sim",
];

/// Read a case from TOML text. Returns the case if it could be read at all (possibly with some
/// records skipped), and every diagnostic found on the way (in the case file and CSV files).
pub(crate) fn read_case(
    source: &SourceText,
    data: &dyn DataFiles,
    tables: &[LinkTable],
) -> (Option<Case>, Vec<Diagnostic>, Vec<SourceText>) {
    let mut sink = Sink::new(source.clone());
    let mut extra_sources = Vec::new();
    let mut extra_diags = Vec::new();
    let (doc, errors) = DeTable::parse_recoverable(&source.text);
    for e in &errors {
        let msg = e.message().trim().to_string();
        // The parser gives no position when nesting goes past its limit: find it.
        let span = e.span().or_else(|| {
            msg.contains("recursion limit")
                .then(|| deepest_nesting(&source.text))
        });
        sink.error("case::toml-syntax", span, format!("invalid TOML: {msg}"))
            .label(msg.lines().next().unwrap_or("here").to_string())
            .expected("valid TOML (see docs/case-format.md)")
            .hint(syntax_hint(&msg))
            .push();
    }
    if !errors.is_empty() {
        // A recovered tree after a syntax error misses whatever the parser skipped: reporting
        // missing keys from it would only add noise. Syntax errors come alone, all of them.
        return (None, sink.into_diagnostics(), Vec::new());
    }
    let root = doc.get_ref();
    let mut top = Tbl::new(root, 0..0, "the top level".to_string());

    let meta = match top.get("case") {
        None => {
            sink.error(
                "case::missing-case",
                Some(0..0),
                "the file has no [case] table",
            )
            .label("expected [case] here")
            .expected("a [case] table with id, title, as_of and horizon")
            .hint("start the file with [case] (run `leverage case new` for a template)")
            .push();
            None
        }
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => read_meta(&mut sink, t, v.span()),
            _ => {
                Tbl::wrong_type(&mut sink, "case", v, "a table ([case])");
                None
            }
        },
    };

    let mut cx = Cx {
        sink: &mut sink,
        data,
        extra_sources: &mut extra_sources,
        extra_diags: &mut extra_diags,
    };

    let sources = top
        .tables(cx.sink, "source")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_source(cx.sink, t, sp, i))
        .collect();
    let actors = top
        .tables(cx.sink, "actor")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_actor(cx.sink, t, sp, i))
        .collect();
    let issues = top
        .tables(cx.sink, "issue")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_issue(cx.sink, t, sp, i))
        .collect();
    let flow_tables = top.tables(cx.sink, "flow");
    let flows = flow_tables
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_flow(&mut cx, t, sp, i))
        .collect();
    let series_tables = top.tables(cx.sink, "series");
    let series = series_tables
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_series(&mut cx, t, sp, i))
        .collect();
    let schedules = top
        .tables(cx.sink, "schedule")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_schedule(cx.sink, t, sp, i))
        .collect();
    let events = top
        .tables(cx.sink, "event")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_event(cx.sink, t, sp, i))
        .collect();
    let params = top
        .tables(cx.sink, "param")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_param(cx.sink, t, sp, i))
        .collect();
    let figures = top
        .tables(cx.sink, "figure")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_figure(cx.sink, t, sp, i))
        .collect();
    let scenarios = top
        .tables(cx.sink, "scenario")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_scenario(cx.sink, t, sp, i))
        .collect();

    let states = top
        .tables(cx.sink, "state")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_state(cx.sink, t, sp, i))
        .collect();
    let correlations = top
        .tables(cx.sink, "correlation")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| read_correlation(cx.sink, t, sp, i))
        .collect();
    let observables = top
        .tables(cx.sink, "observable")
        .into_iter()
        .enumerate()
        .filter_map(|(i, (t, sp))| crate::observable::read_observable(cx.sink, t, sp, i))
        .collect();

    let mut links = |key: &'static str| match top.get(key) {
        None => Vec::new(),
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => {
                let schema = tables.iter().find(|t| t.name == key);
                read_links(cx.sink, t, v.span(), key, schema)
            }
            _ => {
                Tbl::wrong_type(cx.sink, key, v, &format!("a table ([{key}])"));
                Vec::new()
            }
        },
    };
    let econ = links("econ");
    let game = links("game");
    let sim = links("sim");

    // Unknown top-level keys, with the top-level table names as candidates.
    for (k, _) in root.iter() {
        let key: &str = k.get_ref();
        if TOP_KEYS.contains(&key) {
            continue;
        }
        let mut b = sink
            .error(
                "case::unknown-table",
                Some(k.span()),
                format!("unknown table or key `{key}` at the top level"),
            )
            .label("not part of the case format")
            .expected(format!(
                "one of: {}",
                TOP_KEYS
                    .iter()
                    .map(|k| format!("[{k}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        b = match did_you_mean(key, TOP_KEYS) {
            Some(best) => b.hint(format!("did you mean `{best}`?")),
            None => b.hint("see docs/case-format.md for the tables a case may have"),
        };
        b.push();
    }

    let mut diags = sink.into_diagnostics();
    diags.extend(extra_diags);
    let case = meta.map(|case| Case {
        case,
        sources,
        actors,
        issues,
        flows,
        series,
        schedules,
        events,
        params,
        figures,
        scenarios,
        econ,
        game,
        states,
        correlations,
        observables,
        sim,
    });
    (case, diags, extra_sources)
}

/// Where a TOML text first nests 80 levels deep (brackets and braces open, plus the dots of the
/// key being read), or else where it nests deepest: where the parser's recursion limit was hit.
/// Strings and comments are skipped.
fn deepest_nesting(text: &str) -> Range<usize> {
    let b = text.as_bytes();
    let (mut depth, mut dots, mut best, mut at) = (0usize, 0usize, 0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if q == b'"' && b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                dots = 0;
            }
            b'.' => dots += 1,
            b'=' | b',' | b'\n' => dots = 0,
            _ => {}
        }
        if depth + dots > best {
            (best, at) = (depth + dots, i.min(b.len().saturating_sub(1)));
            if best >= 80 {
                break;
            }
        }
        i += 1;
    }
    at..(at + 1).min(b.len())
}

pub(crate) fn syntax_hint(msg: &str) -> String {
    let m = msg.to_lowercase();
    if m.contains("duplicate key") {
        "each key may appear once per table; remove or rename one of them".into()
    } else if m.contains("string") && (m.contains("unterminated") || m.contains("invalid basic")) {
        "close the string with a matching quote on the same line, or use \"\"\"…\"\"\" for several lines".into()
    } else if m.contains("expected `=`") || m.contains("key with no value") {
        "write `key = value`".into()
    } else if m.contains("carriage return") {
        "end lines with LF or CR LF: this file ends them with a lone carriage return (CR)".into()
    } else if m.contains("recursion limit") {
        "nest tables, arrays and dotted keys less deeply (at most 80 levels)".into()
    } else {
        "check the TOML syntax at this point (quotes, brackets, `key = value`)".into()
    }
}

struct Cx<'s> {
    sink: &'s mut Sink,
    data: &'s dyn DataFiles,
    extra_sources: &'s mut Vec<SourceText>,
    extra_diags: &'s mut Vec<Diagnostic>,
}

fn read_meta(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>) -> Option<CaseMeta> {
    let mut tb = Tbl::new(t, span, "[case]".into());
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let title = tb.string(sink, "title", true);
    let description = tb.string(sink, "description", false);
    let as_of = tb.date(sink, "as_of", true);
    let horizon = tb.integer(sink, "horizon", true);
    let require_sources = tb.boolean(sink, "require_sources");
    let patron = tb.ident(sink, "patron", false);
    let client = tb.ident(sink, "client", false);
    tb.finish(sink);
    let (as_of, as_of_span) = as_of?;
    Some(CaseMeta {
        id: id.map(|x| x.0).unwrap_or_default(),
        title: title.map(|x| x.0).unwrap_or_default(),
        description: description.map(|x| x.0).unwrap_or_default(),
        as_of,
        horizon_span: horizon.as_ref().map_or(as_of_span.clone(), |x| x.1.clone()),
        horizon: horizon.map_or(as_of.year, |x| x.0 as i32),
        require_sources: require_sources.unwrap_or(false),
        patron_span: patron.as_ref().map_or(0..0, |x| x.1.clone()),
        client_span: client.as_ref().map_or(0..0, |x| x.1.clone()),
        patron: patron.map(|x| x.0),
        client: client.map(|x| x.0),
        as_of_span,
    })
}

pub(crate) fn read_source(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Source> {
    let mut tb = Tbl::new(t, span, format!("[[source]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let citation = tb.string(sink, "citation", true);
    let url = tb.string(sink, "url", false);
    let note = tb.string(sink, "note", false);
    tb.finish(sink);
    let (id, span) = id?;
    Some(Source {
        id,
        citation: citation.map(|x| x.0).unwrap_or_default(),
        url: url.map(|x| x.0),
        note: note.map(|x| x.0),
        span,
    })
}

fn enum_value<T: Copy>(
    sink: &mut Sink,
    key: &str,
    v: Option<(String, Range<usize>)>,
    all: &[(&'static str, T)],
) -> Option<T> {
    let (s, span) = v?;
    if let Some((_, k)) = all.iter().find(|(n, _)| *n == s) {
        return Some(*k);
    }
    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
    let mut b = sink
        .error(
            "case::unknown-variant",
            Some(span),
            format!("unknown {key} {s:?}"),
        )
        .label(format!("not a known {key}"))
        .expected(format!("one of: {}", names.join(", ")));
    b = match did_you_mean(&s, names.iter().copied()) {
        Some(best) => b.hint(format!("did you mean {best:?}?")),
        None => b.hint("use one of the listed values, or \"other\" if none fits"),
    };
    b.push();
    None
}

fn read_actor(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Actor> {
    let mut tb = Tbl::new(t, span.clone(), format!("[[actor]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let name = tb.string(sink, "name", true);
    let kind = tb.string(sink, "kind", true);
    let side = tb.string(sink, "side", false);
    let capability = tb.num(sink, "capability", true);
    let description = tb.string(sink, "description", false);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let kind = enum_value(sink, "actor kind", kind, &ActorKind::ALL);
    let (id, id_span) = id?;
    // A missing or malformed capability was reported; keep the actor declared (NaN marks the
    // gap) so references to it do not fail as well.
    let mut capability = capability.unwrap_or(Num {
        value: f64::NAN,
        prov: Provenance::default(),
        own_prov: false,
        span: id_span.clone(),
    });
    capability.prov.inherit(&prov);
    Some(Actor {
        id,
        name: name.map(|x| x.0).unwrap_or_default(),
        kind: kind.unwrap_or(ActorKind::Other),
        side: side.map(|x| x.0),
        capability,
        description: description.map(|x| x.0).unwrap_or_default(),
        prov,
        span: id_span,
    })
}

fn read_issue(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Issue> {
    let mut tb = Tbl::new(t, span, format!("[[issue]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let question = tb.string(sink, "question", true);
    let low = tb.string(sink, "low", true);
    let high = tb.string(sink, "high", true);
    let status_quo = tb.num(sink, "status_quo", false);
    let unit = tb.table(sink, "unit").and_then(|(ut, usp)| {
        let mut u = Tbl::new(ut, usp.clone(), "the issue's `unit`".into());
        let name = u.string(sink, "name", true);
        let at_0 = u.float(sink, "at_0", true);
        let at_100 = u.float(sink, "at_100", true);
        u.finish(sink);
        Some(UnitMap {
            name: name?.0,
            at_0: at_0?.0,
            at_100: at_100?.0,
            span: usp,
        })
    });
    let prov = tb.provenance(sink);
    let issue_name = id
        .as_ref()
        .map_or_else(|| format!("#{}", i + 1), |x| x.0.clone());
    let positions: Vec<Position> = tb
        .tables(sink, "position")
        .into_iter()
        .enumerate()
        .filter_map(|(j, (pt, psp))| {
            let mut p = Tbl::new(
                pt,
                psp,
                format!("position #{} of issue `{issue_name}`", j + 1),
            );
            let actor = p.ident(sink, "actor", true);
            let position = p.num(sink, "position", true);
            let salience = p.num(sink, "salience", true);
            let pprov = p.provenance(sink);
            p.finish(sink);
            let mut position = position?;
            let mut salience = salience?;
            position.prov.inherit(&pprov);
            salience.prov.inherit(&pprov);
            let (actor, aspan) = actor?;
            Some(Position {
                actor,
                position,
                salience,
                prov: pprov,
                span: aspan,
            })
        })
        .collect();
    tb.finish(sink);
    let (id, id_span) = id?;
    let status_quo = status_quo.map(|mut n| {
        n.prov.inherit(&prov);
        n
    });
    Some(Issue {
        id,
        question: question.map(|x| x.0).unwrap_or_default(),
        low: low.map(|x| x.0).unwrap_or_default(),
        high: high.map(|x| x.0).unwrap_or_default(),
        status_quo,
        unit,
        prov,
        positions,
        span: id_span,
    })
}

/// Inline `values = [ { year, value, source… } ]`.
fn read_values(
    sink: &mut Sink,
    tb: &mut Tbl<'_, '_>,
    record_prov: &Provenance,
    what: &str,
) -> Option<Vec<YearValue>> {
    let v = tb.get("values")?;
    let tables = tables_of(sink, "values", v);
    let mut out = Vec::new();
    for (j, (t, sp)) in tables.into_iter().enumerate() {
        let mut r = Tbl::new(t, sp, format!("value #{} of {what}", j + 1));
        let year = r.integer(sink, "year", true);
        let value = r.float(sink, "value", true);
        let prov = r.provenance(sink);
        r.finish(sink);
        if let (Some((year, yspan)), Some((value, vspan))) = (year, value) {
            let mut prov2 = prov.clone();
            prov2.inherit(record_prov);
            out.push(YearValue {
                year: year as i32,
                value: Num {
                    value,
                    own_prov: !prov.is_empty(),
                    prov: prov2,
                    span: vspan,
                },
                span: yspan,
            });
        }
    }
    Some(out)
}

/// Values of a flow or series: inline or from a CSV file.
fn read_values_or_csv(
    cx: &mut Cx<'_>,
    tb: &mut Tbl<'_, '_>,
    prov: &Provenance,
    what: &str,
) -> (Vec<YearValue>, Option<String>) {
    let inline = read_values(cx.sink, tb, prov, what);
    let csv = tb.string(cx.sink, "csv", false);
    match (inline, csv) {
        (Some(_), Some((_, span))) => {
            cx.sink
                .error(
                    "case::values-and-csv",
                    Some(span),
                    format!("{what} has both `values` and `csv`"),
                )
                .label("second source of values")
                .expected("either inline `values` or a `csv` file, not both")
                .hint("remove one of them")
                .push();
            (Vec::new(), None)
        }
        (Some(v), None) => (v, None),
        (None, Some((path, span))) => match cx.data.read(&path) {
            Ok((name, text)) => {
                let src = SourceText::new(name, text);
                let mut csink = Sink::new(src.clone());
                let values = parse_year_csv(&mut csink, prov);
                cx.extra_diags.extend(csink.into_diagnostics());
                if !cx.extra_sources.iter().any(|s| s.name == src.name) {
                    cx.extra_sources.push(src);
                }
                (values, Some(path))
            }
            Err(why) => {
                cx.sink
                    .error(
                        "case::csv-unreadable",
                        Some(span),
                        format!("cannot read the CSV file {path:?}: {why}"),
                    )
                    .label("this file")
                    .expected("a CSV file with a header `year,value,source`")
                    .hint("paths are relative to the case file")
                    .push();
                (Vec::new(), Some(path))
            }
        },
        (None, None) => {
            cx.sink
                .error(
                    "case::no-values",
                    Some(tb.span.clone()),
                    format!("{what} has no values"),
                )
                .label("no `values` and no `csv`")
                .expected("`values = [ { year = 2019, value = … } ]` or `csv = \"…\"`")
                .hint("give the values inline or point at a CSV file")
                .push();
            (Vec::new(), None)
        }
    }
}

fn measure(sink: &mut Sink, v: Option<(String, Range<usize>)>) -> Option<String> {
    let (s, span) = v?;
    let all: Vec<(&'static str, &'static str)> = MEASURES.iter().map(|(n, _)| (*n, *n)).collect();
    enum_value(sink, "measure", Some((s, span)), &all).map(str::to_string)
}

fn read_flow(cx: &mut Cx<'_>, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Flow> {
    let mut tb = Tbl::new(t, span, format!("[[flow]] #{}", i + 1));
    let id = tb.ident(cx.sink, "id", true);
    tb.named(&id);
    let component = tb.string(cx.sink, "component", true);
    let measure_s = tb.string(cx.sink, "measure", true);
    let unit = tb.string(cx.sink, "unit", true);
    let from = tb.ident(cx.sink, "from", false);
    let to = tb.ident(cx.sink, "to", false);
    let description = tb.string(cx.sink, "description", false);
    let prov = tb.provenance(cx.sink);
    let what = format!(
        "flow `{}`",
        id.as_ref()
            .map_or_else(|| format!("#{}", i + 1), |x| x.0.clone())
    );
    let (values, csv) = read_values_or_csv(cx, &mut tb, &prov, &what);
    tb.finish(cx.sink);
    let component = enum_value(cx.sink, "flow component", component, &Component::ALL);
    let measure = measure(cx.sink, measure_s);
    let (id, id_span) = id?;
    Some(Flow {
        id,
        component: component.unwrap_or(Component::Other),
        measure: measure.unwrap_or_else(|| "other".into()),
        unit: unit.map(|x| x.0).unwrap_or_default(),
        from_span: from.as_ref().map_or(0..0, |x| x.1.clone()),
        to_span: to.as_ref().map_or(0..0, |x| x.1.clone()),
        from: from.map(|x| x.0),
        to: to.map(|x| x.0),
        description: description.map(|x| x.0).unwrap_or_default(),
        csv,
        prov,
        values,
        span: id_span,
    })
}

fn read_series(cx: &mut Cx<'_>, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Series> {
    let mut tb = Tbl::new(t, span, format!("[[series]] #{}", i + 1));
    let id = tb.ident(cx.sink, "id", true);
    tb.named(&id);
    let measure_s = tb.string(cx.sink, "measure", true);
    let unit = tb.string(cx.sink, "unit", true);
    let of = tb.ident(cx.sink, "of", false);
    let description = tb.string(cx.sink, "description", false);
    let prov = tb.provenance(cx.sink);
    let what = format!(
        "series `{}`",
        id.as_ref()
            .map_or_else(|| format!("#{}", i + 1), |x| x.0.clone())
    );
    let (values, csv) = read_values_or_csv(cx, &mut tb, &prov, &what);
    tb.finish(cx.sink);
    let measure = measure(cx.sink, measure_s);
    let (id, id_span) = id?;
    Some(Series {
        id,
        measure: measure.unwrap_or_else(|| "other".into()),
        unit: unit.map(|x| x.0).unwrap_or_default(),
        of_span: of.as_ref().map_or(0..0, |x| x.1.clone()),
        of: of.map(|x| x.0),
        description: description.map(|x| x.0).unwrap_or_default(),
        csv,
        prov,
        values,
        span: id_span,
    })
}

fn read_schedule(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Schedule> {
    let mut tb = Tbl::new(t, span.clone(), format!("[[schedule]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let description = tb.string(sink, "description", false);
    let enacted = tb.date(sink, "enacted", true);
    let unit = tb.string(sink, "unit", true);
    let prov = tb.provenance(sink);
    let what = format!(
        "schedule `{}`",
        id.as_ref()
            .map_or_else(|| format!("#{}", i + 1), |x| x.0.clone())
    );
    let values = read_values(sink, &mut tb, &prov, &what);
    if values.is_none() {
        tb.missing(
            sink,
            "values",
            "an array such as [ { year = 2019, value = 1.0 } ]",
        );
    }
    tb.finish(sink);
    let (id, id_span) = id?;
    let (enacted, enacted_span) = enacted?;
    Some(Schedule {
        id,
        description: description.map(|x| x.0).unwrap_or_default(),
        enacted,
        unit: unit.map(|x| x.0).unwrap_or_default(),
        prov,
        values: values.unwrap_or_default(),
        span: id_span,
        enacted_span,
    })
}

fn read_event(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Event> {
    let mut tb = Tbl::new(t, span, format!("[[event]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let date = tb.date(sink, "date", true);
    let title = tb.string(sink, "title", true);
    let description = tb.string(sink, "description", false);
    let actors = tb.strings(sink, "actors");
    let tags = tb.strings(sink, "tags");
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (id, id_span) = id?;
    let (date, dspan) = date?;
    Some(Event {
        id,
        date,
        title: title.map(|x| x.0).unwrap_or_default(),
        description: description.map(|x| x.0).unwrap_or_default(),
        actor_spans: actors.iter().map(|a| a.1.clone()).collect(),
        actors: actors.into_iter().map(|a| a.0).collect(),
        tags: tags.into_iter().map(|a| a.0).collect(),
        prov,
        span: id_span,
        date_span: dspan,
    })
}

const DISTS: [&str; 8] = [
    "pert",
    "triangular",
    "uniform",
    "normal",
    "lognormal",
    "beta",
    "discrete",
    "choice",
];

/// The keys of the numeric distributions, none of which a choice takes.
const NUMERIC_DIST_KEYS: [&str; 10] = [
    "min", "mode", "max", "mean", "sd", "mu", "sigma", "alpha", "beta", "values",
];

fn read_param(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Param> {
    let mut tb = Tbl::new(t, span.clone(), format!("[[param]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let description = tb.string(sink, "description", false);
    let unit = tb.string(sink, "unit", false);
    let dist_name = tb.string(sink, "dist", false);
    let prov = tb.provenance(sink);
    let name = id
        .as_ref()
        .map_or_else(|| format!("#{}", i + 1), |x| x.0.clone());
    let mut dist_spans = Vec::new();
    let dist = match dist_name {
        None => {
            let value = tb.float(sink, "value", false);
            match value {
                Some((v, _)) => Some(Dist::Fixed { value: v }),
                None => {
                    sink.error(
                        "case::param-no-value",
                        Some(span.clone()),
                        format!("parameter `{name}` has neither `value` nor `dist`"),
                    )
                    .label("no value")
                    .expected(
                        "`value = …` for a fixed parameter, or `dist = \"pert\"` with its keys",
                    )
                    .hint("see the [[param]] section of docs/case-format.md")
                    .push();
                    None
                }
            }
        }
        Some((d, _)) if d == "fixed" => tb
            .float(sink, "value", true)
            .map(|(v, _)| Dist::Fixed { value: v }),
        Some((d, dspan)) => {
            let _ = &dspan;
            if let Some(v) = tb.get("value") {
                sink.error(
                    "case::param-value-and-dist",
                    Some(v.span()),
                    format!("parameter `{name}` has both `value` and `dist = {d:?}`"),
                )
                .label("a fixed value beside a distribution")
                .expected("either `value` (fixed) or `dist` with its keys (uncertain)")
                .hint("remove `value`, or remove `dist` and its keys")
                .push();
            }
            read_dist(sink, &mut tb, &d, dspan, &mut dist_spans)
        }
    };
    tb.finish(sink);
    let (id, id_span) = id?;
    Some(Param {
        id,
        description: description.map(|x| x.0).unwrap_or_default(),
        unit: unit.map(|x| x.0).unwrap_or_default(),
        dist: dist?,
        prov,
        span: id_span,
        dist_spans,
    })
}

fn read_dist(
    sink: &mut Sink,
    tb: &mut Tbl<'_, '_>,
    d: &str,
    dspan: Range<usize>,
    spans: &mut Vec<(&'static str, Range<usize>)>,
) -> Option<Dist> {
    for k in [
        "min", "mode", "max", "mean", "sd", "mu", "sigma", "alpha", "beta", "values", "weights",
        "options",
    ] {
        if let Some(v) = tb.map.get(k) {
            spans.push((k, v.span()));
        }
    }
    let mut req = |tb: &mut Tbl<'_, '_>, k: &'static str| tb.float(sink, k, true).map(|x| x.0);
    let dist = match d {
        "pert" | "triangular" => {
            let (min, mode, max) = (req(tb, "min"), req(tb, "mode"), req(tb, "max"));
            let (min, mode, max) = (min?, mode?, max?);
            if d == "pert" {
                Dist::Pert { min, mode, max }
            } else {
                Dist::Triangular { min, mode, max }
            }
        }
        "uniform" => {
            let (min, max) = (req(tb, "min"), req(tb, "max"));
            Dist::Uniform {
                min: min?,
                max: max?,
            }
        }
        "normal" => {
            let (mean, sd) = (req(tb, "mean"), req(tb, "sd"));
            Dist::Normal {
                mean: mean?,
                sd: sd?,
            }
        }
        "lognormal" => {
            let (mu, sigma) = (req(tb, "mu"), req(tb, "sigma"));
            Dist::Lognormal {
                mu: mu?,
                sigma: sigma?,
            }
        }
        "beta" => {
            let (alpha, beta) = (req(tb, "alpha"), req(tb, "beta"));
            let min = tb.float(sink, "min", false).map_or(0.0, |x| x.0);
            let max = tb.float(sink, "max", false).map_or(1.0, |x| x.0);
            Dist::Beta {
                alpha: alpha?,
                beta: beta?,
                min,
                max,
            }
        }
        "discrete" => {
            let values = tb.floats(sink, "values");
            let weights = tb.floats(sink, "weights");
            if values.is_none() {
                tb.missing(sink, "values", "an array of numbers");
            }
            if weights.is_none() {
                tb.missing(sink, "weights", "an array of weights, one per value");
            }
            Dist::Discrete {
                values: values?,
                weights: weights?,
            }
        }
        "choice" => {
            for k in NUMERIC_DIST_KEYS {
                // Reported here rather than as unknown keys, which would not say why; marked
                // known only when present, so the keys other messages list are a choice's own.
                if let Some(v) = tb.map.get(k) {
                    tb.asked.push(k);
                    sink.error(
                        "case::key-not-for-dist",
                        Some(v.span()),
                        format!("`{k}` does not apply to a choice among named options"),
                    )
                    .label("a key of the numeric distributions")
                    .expected("`options` (the names of the alternatives) and optionally `weights`")
                    .hint(if k == "values" {
                        "write the alternatives as names: options = [\"…\", \"…\"]"
                    } else {
                        "remove it: a choice draws one of its options, not a number"
                    })
                    .push();
                }
            }
            let has_options = tb.map.contains_key("options");
            let has_weights = tb.map.contains_key("weights");
            let options = tb.string_list(sink, "options");
            let weights = tb.number_list(sink, "weights");
            // `values` in place of `options` is reported above, with the fix.
            if !has_options && !tb.map.contains_key("values") {
                tb.missing(
                    sink,
                    "options",
                    "an array of the alternatives' names, e.g. [\"compromise\", \"median\"]",
                );
            }
            let options = options?;
            let weights = match weights {
                Some(w) => {
                    spans.extend(w.iter().map(|(_, sp)| ("weights", sp.clone())));
                    Some(w.into_iter().map(|(x, _)| x).collect())
                }
                None if has_weights => return None,
                None => None,
            };
            spans.extend(options.iter().map(|(_, sp)| ("options", sp.clone())));
            Dist::choice(options.into_iter().map(|(o, _)| o).collect(), weights)
        }
        _ => {
            let mut b = sink
                .error(
                    "case::unknown-dist",
                    Some(dspan),
                    format!("unknown distribution {d:?}"),
                )
                .label("not a known distribution")
                .expected(format!("one of: {}", DISTS.join(", ")));
            b = match did_you_mean(d, DISTS) {
                Some(best) => b.hint(format!("did you mean {best:?}?")),
                None => b.hint("for a fixed value, drop `dist` and write `value = …`"),
            };
            b.push();
            // Mark the usual keys as known so they are not reported as unknown too.
            for k in [
                "min", "mode", "max", "mean", "sd", "mu", "sigma", "alpha", "beta", "values",
                "weights", "options", "shape", "scale", "rate",
            ] {
                tb.asked.push(k);
            }
            return None;
        }
    };
    Some(dist)
}

fn read_figure(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<Figure> {
    let mut tb = Tbl::new(t, span.clone(), format!("[[figure]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let what = tb.string(sink, "what", true);
    let period = tb.string(sink, "period", true);
    let unit = tb.string(sink, "unit", true);
    let value = tb.num(sink, "value", false);
    let min = tb.num(sink, "min", false);
    let max = tb.num(sink, "max", false);
    let model = tb.string(sink, "model", false);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    if let Some((m, span)) = &model {
        check_model(sink, m, span);
    }
    if value.is_none() && min.is_none() && max.is_none() {
        sink.error(
            "case::figure-no-value",
            Some(span),
            "a [[figure]] needs `value`, or `min` and `max`",
        )
        .label("no value")
        .expected("`value = …` or `min = …` and `max = …`")
        .push();
    }
    let fix = |n: Option<Num>| {
        n.map(|mut n| {
            n.prov.inherit(&prov);
            n
        })
    };
    let (value, min, max) = (fix(value), fix(min), fix(max));
    let (id, id_span) = id?;
    Some(Figure {
        id,
        what: what.map(|x| x.0).unwrap_or_default(),
        period: period.map(|x| x.0).unwrap_or_default(),
        unit: unit.map(|x| x.0).unwrap_or_default(),
        value,
        min,
        max,
        model_span: model.as_ref().map_or(0..0, |m| m.1.clone()),
        model: model.map(|m| m.0),
        prov,
        span: id_span,
    })
}

/// Check a figure's `model` expression: a known quantity, then `key=number` options.
fn check_model(sink: &mut Sink, m: &str, span: &Range<usize>) {
    let mut words = m.split_whitespace();
    let name = words.next().unwrap_or("");
    if !MODEL_QUANTITIES.iter().any(|(q, _)| *q == name) {
        let mut b = sink
            .error(
                "case::unknown-quantity",
                Some(span.clone()),
                format!("unknown model quantity {name:?}"),
            )
            .label("not a model quantity")
            .expected(format!(
                "one of: {}",
                MODEL_QUANTITIES
                    .iter()
                    .map(|(q, _)| *q)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        b = match did_you_mean(name, MODEL_QUANTITIES.iter().map(|(q, _)| *q)) {
            Some(best) => b.hint(format!("did you mean {best:?}?")),
            None => b.hint("see MODEL_QUANTITIES in docs/case-format.md"),
        };
        b.push();
        return;
    }
    for w in words {
        let ok = w.split_once('=').is_some_and(|(k, v)| {
            MODEL_OPTIONS.contains(&k) && v.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0)
        });
        if !ok || !name.starts_with("maneuver.") {
            sink.error(
                "case::bad-model-option",
                Some(span.clone()),
                format!("bad option {w:?} in model {m:?}"),
            )
            .label("not an option of this quantity")
            .expected(format!(
                "for maneuver quantities, options `key=number` with key one of: {}",
                MODEL_OPTIONS.join(", ")
            ))
            .hint("e.g. model = \"maneuver.loss oil_price=70 volume=24\"")
            .push();
        }
    }
}

fn read_scenario(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Scenario> {
    let mut tb = Tbl::new(t, span, format!("[[scenario]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let title = tb.string(sink, "title", true);
    let description = tb.string(sink, "description", false);
    let kind = tb.string(sink, "type", false);
    let kind = enum_value(sink, "scenario type", kind, &ScenarioType::ALL);
    let rule = tb.string(sink, "rule", false);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (id, id_span) = id?;
    let rule_offset = rule
        .as_ref()
        .and_then(|(text, span)| plain_string_start(&sink.source().text, text, span));
    Some(Scenario {
        id,
        title: title.map(|x| x.0).unwrap_or_default(),
        description: description.map(|x| x.0).unwrap_or_default(),
        kind,
        rule_span: rule.as_ref().map_or(0..0, |x| x.1.clone()),
        rule: rule.map(|x| x.0),
        rule_offset,
        prov,
        span: id_span,
    })
}

/// Where the characters of a string value start in the file, if the string is a one-line basic
/// (`"…"`) or literal (`'…'`) string without escapes, so that its text is a verbatim slice of the
/// file; `None` otherwise (multi-line strings, escapes).
pub(crate) fn plain_string_start(file: &str, value: &str, span: &Range<usize>) -> Option<usize> {
    let raw = file.get(span.clone())?;
    let quote = raw.chars().next()?;
    if !(quote == '"' || quote == '\'') || raw.starts_with("\"\"\"") || raw.starts_with("\'\'\'") {
        return None;
    }
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    (inner == value).then_some(span.start + 1)
}

fn read_state(sink: &mut Sink, t: &DeTable<'_>, span: Range<usize>, i: usize) -> Option<StateVar> {
    let mut tb = Tbl::new(t, span, format!("[[state]] #{}", i + 1));
    let id = tb.ident(sink, "id", true);
    tb.named(&id);
    let description = tb.string(sink, "description", false);
    let kind_s = tb.string(sink, "kind", false);
    let kind_span = kind_s.as_ref().map(|k| k.1.clone());
    let kind = match kind_s {
        None => Some(StateKind::Level),
        k => enum_value(sink, "state kind", k, &StateKind::ALL),
    };
    let level = kind != Some(StateKind::Flag);
    let min = tb.float(sink, "min", level);
    let max = tb.float(sink, "max", level);
    let initial = tb.num(sink, "initial", true);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (id, id_span) = id?;
    if !is_rule_ident(&id) && is_ident(&id) {
        let rid = &id;
        {
            sink.error(
                "case::bad-state-id",
                Some(id_span.clone()),
                format!("state id {rid:?} cannot be named in a rule"),
            )
            .label("not usable in rules")
            .expected("ASCII letters, digits and `_`, starting with a letter or `_` (not `true` or `false`)")
            .hint(format!("try {:?}", rid.replace(['-', '.'], "_")))
            .push();
        }
    }
    let mut initial = initial?;
    initial.prov.inherit(&prov);
    // A missing bound of a level was reported; NaN marks the gap so no follow-on check fires.
    let (min, min_span) = min.unwrap_or((if level { f64::NAN } else { 0.0 }, id_span.clone()));
    let (max, max_span) = max.unwrap_or((if level { f64::NAN } else { 1.0 }, id_span.clone()));
    Some(StateVar {
        id,
        description: description.map(|x| x.0).unwrap_or_default(),
        kind: kind?,
        min,
        max,
        initial,
        prov,
        kind_span: kind_span.unwrap_or_else(|| id_span.clone()),
        span: id_span,
        min_span,
        max_span,
    })
}

fn read_correlation(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    i: usize,
) -> Option<Correlation> {
    let mut tb = Tbl::new(t, span, format!("[[correlation]] #{}", i + 1));
    let a = tb.ident(sink, "a", true);
    let b = tb.ident(sink, "b", true);
    let rho = tb.num(sink, "rho", true);
    let prov = tb.provenance(sink);
    tb.finish(sink);
    let (a, a_span) = a?;
    let (b, b_span) = b?;
    let mut rho = rho?;
    rho.prov.inherit(&prov);
    Some(Correlation {
        a,
        b,
        rho,
        prov,
        a_span,
        b_span,
    })
}

/// The ids of a link table. With the engine's `schema`, each of its keys is read in its
/// declared shape and any other key is an unknown key (a side's key under another name gets
/// the side's key as its hint, see `side_keys`); without
/// it, every key is read by its shape: one id, or a list of ids.
fn read_links(
    sink: &mut Sink,
    t: &DeTable<'_>,
    span: Range<usize>,
    table: &str,
    schema: Option<&LinkTable>,
) -> Vec<Link> {
    let key_span = |key: &str| {
        t.iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map_or(span.clone(), |(k, _)| k.span())
    };
    let mut out = Vec::new();
    let Some(schema) = schema else {
        for (k, v) in t.iter() {
            let key: &str = k.get_ref();
            match v.get_ref() {
                DeValue::String(id) => {
                    let id: &str = id;
                    if ident_ok(sink, key, id, v.span()) {
                        out.push(Link {
                            key: key.to_string(),
                            id: id.to_string(),
                            span: v.span(),
                            key_span: k.span(),
                            list: false,
                        });
                    }
                }
                DeValue::Array(items) => {
                    list_links(sink, table, key, k.span(), items.iter(), &mut out)
                }
                _ => Tbl::wrong_type(sink, key, v, "a record id or a list of ids"),
            }
        }
        return out;
    };
    let mut tb = Tbl::new(t, span.clone(), format!("[{table}]"));
    tb.side_keys = true;
    for k in schema.keys {
        let key = k.key;
        match k.arity {
            Arity::One => {
                if let Some((id, span)) = tb.ident(sink, key, false) {
                    out.push(Link {
                        key: key.to_string(),
                        id,
                        span,
                        key_span: key_span(key),
                        list: false,
                    });
                }
            }
            Arity::List => {
                let Some(v) = tb.get(key) else { continue };
                let DeValue::Array(items) = v.get_ref() else {
                    Tbl::wrong_type(
                        sink,
                        key,
                        v,
                        "an array of ids, e.g. [\"gas_price\", \"loans\"]",
                    );
                    continue;
                };
                list_links(sink, table, key, key_span(key), items.iter(), &mut out);
            }
        }
    }
    tb.finish(sink);
    out
}

/// Whether `id` (the value of `key`) is a valid identifier; an error at `span` if not.
fn ident_ok(sink: &mut Sink, key: &str, id: &str, span: Range<usize>) -> bool {
    if is_ident(id) {
        return true;
    }
    sink.error(
        "case::bad-id",
        Some(span),
        format!("`{key}` = {id:?} is not a valid identifier"),
    )
    .label("not an identifier")
    .expected("letters, digits, `-`, `_` or `.`, starting with a letter or digit")
    .hint(format!("try {:?}", suggest_ident(id)))
    .push();
    false
}

/// The links of a list-valued key, one per id, each id at most once.
fn list_links<'a, 'i: 'a>(
    sink: &mut Sink,
    table: &str,
    key: &str,
    key_span: Range<usize>,
    items: impl Iterator<Item = &'a V<'i>>,
    out: &mut Vec<Link>,
) {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let DeValue::String(id) = item.get_ref() else {
            Tbl::wrong_type(sink, key, item, "a string (a record id)");
            continue;
        };
        let id: &str = id;
        if !is_ident(id) {
            sink.error(
                "case::bad-id",
                Some(item.span()),
                format!("{id:?} in `{key}` is not a valid identifier"),
            )
            .label("not an identifier")
            .expected("letters, digits, `-`, `_` or `.`, starting with a letter or digit")
            .hint(format!("try {:?}", suggest_ident(id)))
            .push();
            continue;
        }
        if seen.iter().any(|s| s == id) {
            sink.error(
                "case::duplicate-link",
                Some(item.span()),
                format!("[{table}] `{key}` lists {id:?} twice"),
            )
            .label("listed before")
            .expected("each id at most once")
            .hint("remove the repeated id")
            .push();
            continue;
        }
        seen.push(id.to_string());
        out.push(Link {
            key: key.to_string(),
            id: id.to_string(),
            span: item.span(),
            key_span: key_span.clone(),
            list: true,
        });
    }
}
