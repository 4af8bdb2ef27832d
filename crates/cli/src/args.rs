//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// leverage — a workbench for strategic deals between unequal states.
///
/// It models the subsidies a patron pays a client for loyalty, the leverage they buy, where a
/// negotiation over the terms will land, and how likely each escalation path is. Every command
/// works on a case file (TOML); without --case it uses the embedded default case, Belarus–Russia
/// as of 30 November 2019.
#[derive(Debug, Parser)]
#[command(
    name = "leverage",
    version,
    about,
    long_about,
    propagate_version = true
)]
#[command(
    after_help = "Examples:\n  leverage report                      write the report of the default case to ./report\n  leverage case validate my-case.toml  check a case and list every problem\n  leverage case show --output json     the default case as JSON\n  leverage case import eu.csv --format eu-table --out eu.toml"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with case files: validate, show, schema, new, import.
    Case {
        #[command(subcommand)]
        cmd: CaseCmd,
    },
    /// Write the report of a case (report.html, report.md and the CSV/JSON they are drawn from).
    Report {
        /// The case file (default: the embedded Belarus–Russia 2019 case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR", default_value = "report")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Check case files and report every problem with file, line, column and a hint.
    Validate {
        /// Case files to check (default: the embedded case).
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A case file to check (same as giving it as an argument).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// How to print the result.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Print a case as readable tables: actors, issues with positions, flows, parameters.
    Show {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// table (default), csv (positions in long format) or json (the whole case).
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Print the JSON Schema of the case format.
    Schema,
    /// Print a commented starter case that validates.
    New {
        /// The new case's id.
        #[arg(long, default_value = "my-case")]
        id: String,
        /// The new case's title.
        #[arg(long, default_value = "My case")]
        title: String,
        /// Write to this file instead of standard output (refuses to overwrite).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Turn an analyst's table into a case (TOML on standard output unless --out).
    Import {
        /// The table to import.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Its layout.
        #[arg(long, value_enum)]
        format: ImportFormatArg,
        /// Write to this file instead of standard output (refuses to overwrite).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The case's date of knowledge, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// DEU only: how actors get their capability.
        #[arg(long, value_enum)]
        capability: Option<CapabilityArg>,
    },
}

/// What a command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable tables.
    Table,
    /// Comma-separated values.
    Csv,
    /// JSON, stable enough to script against.
    Json,
}

/// Layouts `case import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormatArg {
    /// Expected-utility table: Actor, Capability, Position, Salience.
    EuTable,
    /// KTAB scenario CSV.
    Ktab,
    /// DEU TSV (Decision-making in the European Union).
    Deu,
}

/// Capabilities for DEU imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CapabilityArg {
    /// Council votes under the Amsterdam Treaty.
    CouncilVotes,
    /// The GDP-based weights of the file's second row.
    Gdp,
    /// Everyone equal.
    Equal,
}
