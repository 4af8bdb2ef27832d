//! # leverage-case: the vocabulary every engine speaks
//!
//! A *case* describes a strategic deal between unequal states: actors with capabilities, issues on
//! 0–100 scales with each actor's position and salience, the economic flows the patron controls,
//! policy schedules, events, uncertain parameters, published figures and named scenarios. This
//! crate defines those types ([`model`]), reads them from TOML ([`load`]) and checks them
//! ([`validate()`]), and imports the tables analysts already have ([`import`]).
//!
//! Reading is in two steps, as rustc and cargo do it: the TOML is parsed into a tree that keeps
//! every span, a typed reader turns it into a [`Case`] while collecting problems, and the
//! validator adds semantic problems. All problems come back together as [`Problems`], each a
//! [`Diagnostic`] with file, line, column, what was expected and a hint. Nothing here panics on
//! bad input, prints, or touches the file system: files a case refers to are supplied through
//! [`DataFiles`].
#![deny(missing_docs)]

pub mod data;
pub mod diag;
pub mod evidence;
pub mod import;
pub mod model;
pub mod observable;
pub mod outcomes;
mod read;
pub mod rule;
mod validate;
mod write;

pub use data::{DataFiles, EmbeddedFiles, NoFiles};
pub use diag::{Diagnostic, Problems, Severity, SourceText};
pub use model::*;
pub use observable::{Observable, ObservableKind};
pub use read::{did_you_mean, is_ident};
pub use validate::{DistProblem, dist_problem, validate};
pub use write::{Starter, starter_case, to_toml};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Path of the default case inside the repository (and the binary).
pub const DEFAULT_CASE_PATH: &str = "cases/belarus-russia-2019.toml";

/// A case that passed validation, with its warnings and the texts it was read from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The case.
    pub case: Case,
    /// Warnings (problems that do not stop the case from being used).
    pub warnings: Vec<Diagnostic>,
    /// The case text and every CSV text it read, for rendering warnings.
    pub sources: Vec<SourceText>,
}

/// Read and validate a case from bytes. Invalid UTF-8, TOML errors and semantic problems all
/// come back as [`Problems`]; warnings alone do not fail. Link tables are read by shape alone
/// (see [`load_bytes_with`]).
pub fn load_bytes(name: &str, bytes: &[u8], data: &dyn DataFiles) -> Result<Loaded, Problems> {
    load_bytes_with(name, bytes, data, &[])
}

/// [`load_bytes`], checking the link tables against the engines' declared keys (`tables`).
pub fn load_bytes_with(
    name: &str,
    bytes: &[u8],
    data: &dyn DataFiles,
    tables: &[LinkTable],
) -> Result<Loaded, Problems> {
    match std::str::from_utf8(bytes) {
        Ok(text) => load_with(name, text, data, tables),
        Err(e) => {
            let valid = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let src = SourceText::new(name, text);
            let mut sink = diag::Sink::new(src.clone());
            // Map the byte offset of the bad byte into the lossy text (same prefix).
            sink.error(
                "case::not-utf8",
                Some(valid..valid + 1),
                "the file is not valid UTF-8",
            )
            .label("invalid byte")
            .expected("a UTF-8 text file")
            .hint("save the file as UTF-8 (TOML files must be UTF-8)")
            .push();
            Err(Problems {
                sources: vec![src],
                diagnostics: sink.into_diagnostics(),
            })
        }
    }
}

/// Read and validate a case from TOML text. The link tables (`[econ]`, `[game]`, `[sim]`) are
/// read by shape alone, each link checked to name some record; the engines' front ends load
/// with their declared keys instead ([`load_with`]).
pub fn load(name: &str, text: &str, data: &dyn DataFiles) -> Result<Loaded, Problems> {
    load_with(name, text, data, &[])
}

/// Read and validate a case from TOML text, checking each link table named in `tables` against
/// its keys: an unknown key, a key in the wrong shape, or a link to the wrong kind of record is
/// an error located in the file.
pub fn load_with(
    name: &str,
    text: &str,
    data: &dyn DataFiles,
    tables: &[LinkTable],
) -> Result<Loaded, Problems> {
    let src = SourceText::new(name, text);
    let (case, diags, extra) = read::read_case(&src, data, tables);
    let mut sink = diag::Sink::new(src.clone());
    sink.diags = diags;
    if let Some(c) = &case {
        validate::validate(c, &mut sink, tables);
    }
    let mut sources = vec![src];
    sources.extend(extra);
    let mut diagnostics = sink.into_diagnostics();
    // File order: the case file first by position, then CSV files.
    diagnostics.sort_by(|a, b| {
        let fa = sources.iter().position(|s| s.name == a.file);
        let fb = sources.iter().position(|s| s.name == b.file);
        fa.cmp(&fb).then(
            a.span
                .as_ref()
                .map(|s| s.start)
                .cmp(&b.span.as_ref().map(|s| s.start)),
        )
    });
    let errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    match case {
        Some(case) if !errors => Ok(Loaded {
            case,
            warnings: diagnostics,
            sources,
        }),
        _ => Err(Problems {
            sources,
            diagnostics,
        }),
    }
}

/// The files compiled into the binary: `cases/*.toml` and `data/*.csv`.
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The text of the default case (Belarus–Russia, as of 30 November 2019), as compiled in.
pub fn default_case_text() -> Option<&'static str> {
    embedded::FILES
        .iter()
        .find(|(p, _)| *p == DEFAULT_CASE_PATH)
        .map(|(_, t)| *t)
}

/// Load the default case compiled into the binary (link tables read by shape alone; see
/// [`default_case_with`]).
pub fn default_case() -> Result<Loaded, Problems> {
    default_case_with(&[])
}

/// Load the default case compiled into the binary, checking its link tables against `tables`.
pub fn default_case_with(tables: &[LinkTable]) -> Result<Loaded, Problems> {
    let Some(text) = default_case_text() else {
        return Err(Problems {
            sources: Vec::new(),
            diagnostics: Vec::new(),
        });
    };
    let files = EmbeddedFiles {
        base: "cases",
        files: embedded::FILES,
    };
    load_with(
        &format!("<embedded>/{DEFAULT_CASE_PATH}"),
        text,
        &files,
        tables,
    )
}

/// The JSON Schema of the case format.
pub fn schema() -> serde_json::Value {
    let s = schemars::schema_for!(Case);
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}
