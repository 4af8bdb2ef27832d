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
    /// The integration-subsidy ledger: per year and component (gas, crude, oil products,
    /// re-clearance, loans), in USD bn and % of GDP, with the gaps it cannot compute.
    Subsidy {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// First year (default: the first year with data).
        #[arg(long)]
        from: Option<i32>,
        /// Last year (default: the case's as_of year).
        #[arg(long)]
        to: Option<i32>,
        /// Use this flow or series id as the gas reference price instead of the case's choice.
        #[arg(long, value_name = "ID")]
        gas_reference: Option<String>,
        /// Compare with a netback price: reference × (1 − RATE) − TRANSPORT (USD per 1000 m³), e.g. 0.3,40.
        #[arg(long, value_name = "RATE,TRANSPORT")]
        netback: Option<String>,
        /// table (default), csv (long, with each figure's inputs and sources) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// The oil tax maneuver: the client's loss by year as the patron's export duty is phased out.
    Maneuver {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// One Urals price for every year, USD per barrel.
        #[arg(long, value_name = "USD_BBL", conflicts_with = "oil_path")]
        oil_price: Option<f64>,
        /// A price path: CSV with `year,value` (USD per barrel).
        #[arg(long, value_name = "FILE")]
        oil_path: Option<PathBuf>,
        /// Crude volume per year, Mt (default: the case's crude plan).
        #[arg(long, value_name = "MT")]
        volume: Option<f64>,
        /// Re-cleared volume per year, Mt (default: the case's re-clearance plan).
        #[arg(long, value_name = "MT")]
        reclearance: Option<f64>,
        /// First year (default: the first year of the phase-out).
        #[arg(long)]
        from: Option<i32>,
        /// Last year (default: the year the duty reaches zero).
        #[arg(long)]
        to: Option<i32>,
        /// table (default), csv or json (with the yearly path and `cumulative_usd_bn`).
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Where will each negotiation land? Forecasts of every issue by each bargaining model.
    ///
    /// On a KTAB table (--format ktab, CSV or XML) the spatial model runs once with every
    /// dimension in the same space, as KTAB does; on a case it runs issue by issue.
    Forecast {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE", conflicts_with = "table")]
        case: Option<PathBuf>,
        /// Forecast a table instead of a case (with --format).
        #[arg(long, value_name = "FILE", requires = "format")]
        table: Option<PathBuf>,
        /// The table's layout.
        #[arg(long, value_enum)]
        format: Option<ImportFormatArg>,
        /// Only this issue.
        #[arg(long, value_name = "ID")]
        issue: Option<String>,
        /// Which model.
        #[arg(long, value_enum, default_value = "all")]
        model: ModelArg,
        /// Rounds for the expected-utility model.
        #[arg(long)]
        rounds: Option<usize>,
        /// table (default), csv (every round's positions, long format) or json (rounds with median and mean).
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Score the models on data with recorded outcomes.
    Backtest {
        #[command(subcommand)]
        data: BacktestData,
    },
    /// Solve an extensive-form game: the integration ultimatum built from a case, a reference
    /// template, or a Gambit `.efg` file; subgame-perfect equilibrium by backward induction.
    Game {
        /// The case file for the ultimatum template (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// Which template to build (default: ultimatum, from the case).
        #[arg(long, value_enum, conflicts_with = "efg")]
        template: Option<TemplateArg>,
        /// A game in Gambit's `.efg` format instead of a template.
        #[arg(long, value_name = "FILE")]
        efg: Option<PathBuf>,
        /// spe (backward induction, perfect information), lcp (a Nash equilibrium of a two-player
        /// game, sequence form + Lemke) or qre (logit quantal response equilibrium).
        #[arg(long, value_enum, default_value = "spe")]
        solver: SolverArg,
        /// λ for the logit QRE (default: traced to its limit).
        #[arg(long, requires = "solver")]
        lambda: Option<f64>,
        /// Also enumerate every pure subgame-perfect equilibrium.
        #[arg(long)]
        all: bool,
        /// Print the game in Gambit's `.efg` format instead of solving it.
        #[arg(long)]
        export: bool,
        /// table (default) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Monte Carlo over the case's timeline: the probability of each named scenario by year,
    /// fan charts of the subsidy and the state, issue outcomes (docs/simulation.md). Saves the
    /// run in the run store unless --no-store.
    Simulate {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// Number of draws.
        #[arg(short = 'n', long = "draws", default_value_t = 10_000)]
        draws: u64,
        /// Seed: the same case and seed give the same output on any number of threads.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Worker threads (default: all cores; at most 4 × the cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
        /// Also run the sensitivity analysis (tornado and Sobol indices).
        #[arg(long)]
        sensitivity: bool,
        /// The run store (default: $LEVERAGE_STORE, else ~/.local/share/leverage/runs.sqlite).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// Do not save the run.
        #[arg(long, conflicts_with = "store")]
        no_store: bool,
        /// Save the run's aggregates but not its per-draw summaries.
        #[arg(long)]
        no_draws: bool,
        /// Tell draw K's story year by year (decisions, levers, events, state): the same draw as
        /// in the ensemble with this seed. Runs nothing else and saves nothing.
        #[arg(long, value_name = "K")]
        explain: Option<u64>,
        /// Run only shard K of N of the ensemble (its draws ⌊(K−1)·n/N⌋ to ⌊K·n/N⌋ − 1) and
        /// write it to --out FILE; `runs merge` combines the N shards into the run one machine
        /// makes with this seed, byte for byte.
        #[arg(long, value_name = "K/N", requires = "out", conflicts_with_all = ["sensitivity", "explain", "store"])]
        shard: Option<leverage_sim::shard::Shard>,
        /// The shard file (with --shard).
        #[arg(long, value_name = "FILE", requires = "shard")]
        out: Option<PathBuf>,
        /// Overwrite the --out file.
        #[arg(long, requires = "out")]
        force: bool,
        /// table (default), csv (scenario probabilities by year) or json (everything).
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// The case library: one line per case of a folder (default ./cases), with whether it has
    /// an outcomes file.
    Cases {
        /// The folder.
        #[arg(value_name = "DIR", default_value = "cases")]
        dir: PathBuf,
        /// table (default) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// What to watch: the case's observables ranked by how well they tell each scenario from
    /// the others, with likelihood ratios and the year each becomes informative.
    Watch(crate::watch::WatchArgs),
    /// What would it take: the least the patron must offer for the client to accept and the
    /// most it would pay, by year and track, with bands over the ensemble.
    Offer(crate::offer::OfferArgs),
    /// Reweight a stored run's paths by an evidence file (dated, sourced observations of the
    /// case's observables); the updated run is saved linked to its parent (docs/updating.md).
    Update(crate::update::UpdateArgs),
    /// Saved ensemble runs: list, show, diff, export, delete, prune.
    Runs {
        #[command(subcommand)]
        cmd: RunsCmd,
    },
    /// Score a case's scenario probabilities and issue forecasts against what happened (an
    /// outcomes file): Brier and log scores, calibration, issue errors. With --cases, score a
    /// whole library against the uniform and base-rate forecasts.
    Score {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE", conflicts_with = "cases")]
        case: Option<PathBuf>,
        /// The outcomes file (TOML; docs/case-format.md, "Outcomes files").
        #[arg(long, value_name = "FILE", required_unless_present = "cases")]
        outcomes: Option<PathBuf>,
        /// Score every case in this folder that has an outcomes file beside it
        /// (`NAME.toml` with `NAME.outcomes.toml`), pooled, against the uniform and the base-rate
        /// forecasts.
        #[arg(long, value_name = "DIR", conflicts_with = "outcomes")]
        cases: Option<PathBuf>,
        /// Number of draws of the ensemble that is scored.
        #[arg(short = 'n', long = "draws", default_value_t = 10_000)]
        draws: u64,
        /// Seed of the ensemble.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Worker threads (default: all cores; at most 4 × the cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
        /// table (default) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Published figures of a case against the model's own numbers (each `[[figure]]` with a
    /// `model` quantity).
    Figures {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// table (default), csv or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// A local dashboard of a case in the browser: its probabilities with what-if controls,
    /// the deal, the negotiations, the game, sensitivity and the stored runs (docs/serve.md).
    Serve {
        /// The case file (default: the embedded case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// The port (0: any free port; the URL printed says which).
        #[arg(long, default_value_t = 8640)]
        port: u16,
        /// Listen on this address instead of 127.0.0.1 (loopback only): anyone who can reach it
        /// can run the engines and write case files into --save-dir.
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::IpAddr>,
        /// The folder edited cases are saved into (the page gives a file name only).
        #[arg(long, value_name = "DIR", default_value = ".")]
        save_dir: PathBuf,
        /// The run store the runs panel browses (default: $LEVERAGE_STORE, else
        /// ~/.local/share/leverage/runs.sqlite).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// Worker threads of the engines (default: all cores; at most 4 × the cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
    },
    /// Write the report of a case (report.html, report.md and the CSV/JSON they are drawn from).
    Report {
        /// The case file (default: the embedded Belarus–Russia 2019 case).
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR", default_value = "report")]
        out: PathBuf,
        /// Draws of the scenario ensemble (0 leaves the simulation out).
        #[arg(short = 'n', long = "draws", default_value_t = 20_000)]
        draws: u64,
        /// Seed of the ensemble and the sensitivity analysis.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Draws per tornado ensemble (0 leaves the tornado out).
        #[arg(long, default_value_t = 2_000)]
        tornado_draws: u64,
        /// Base rows of the Sobol design (0 leaves the Sobol indices out).
        #[arg(long, default_value_t = 1_024)]
        sobol_rows: usize,
        /// Worker threads (default: all cores; at most 4 × the cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
        /// Render a stored run (its case and results as saved) instead of running the case:
        /// the same bytes as the fresh report it came from.
        #[arg(long, value_name = "RUN", conflicts_with_all = ["case", "draws", "seed", "tornado_draws", "sobol_rows", "no_store"])]
        run: Option<String>,
        /// The run store (default: $LEVERAGE_STORE, else ~/.local/share/leverage/runs.sqlite).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// Do not save the report's run in the store.
        #[arg(long, conflicts_with = "store")]
        no_store: bool,
        /// Overwrite the files of an earlier report in --out (without it, a folder that holds
        /// files is refused before anything is computed).
        #[arg(long)]
        force: bool,
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
    /// Print a commented starter case that validates (and, from the patron-client template, runs
    /// every command).
    New {
        /// patron-client (default): a patron, a client and every mechanism of the scenario engine,
        /// with placeholders to replace; format-tour: a small case showing every table of the
        /// format (economics data, figures), which validates but does not simulate.
        #[arg(long, value_enum, default_value = "patron-client")]
        template: StarterArg,
        /// The new case's id.
        #[arg(long, default_value = "my-case")]
        id: String,
        /// The new case's title.
        #[arg(long, default_value = "My case")]
        title: String,
        /// Write to this file instead of standard output (an existing file only with --force).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overwrite the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Turn an analyst's table into a case (TOML on standard output unless --out).
    Import {
        /// The table to import.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Its layout.
        #[arg(long, value_enum)]
        format: ImportFormatArg,
        /// Write to this file instead of standard output (an existing file only with --force).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overwrite the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
        /// The case's date of knowledge, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// DEU only: how actors get their capability.
        #[arg(long, value_enum)]
        capability: Option<CapabilityArg>,
    },
}

/// Data sets `backtest` reads.
#[derive(Debug, Subcommand)]
pub enum BacktestData {
    /// A DEU table (Decision-making in the European Union): every issue with an outcome.
    Deu {
        /// The DEU file (TSV, or the official `;` layout).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// How actors get their capability (DEU codes none).
        #[arg(long, value_enum, default_value = "council-votes")]
        capability: CapabilityArg,
        /// table (default) or json (with `mae` per model).
        #[arg(long, value_enum)]
        output: Option<Output>,
        /// Also write the per-issue forecasts to this file (CSV).
        #[arg(long, value_name = "FILE")]
        per_issue: Option<PathBuf>,
        /// Overwrite the --per-issue file if it exists.
        #[arg(long, requires = "per_issue")]
        force: bool,
    },
}

/// Equilibrium solvers.
/// Which starter `case new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StarterArg {
    /// A patron, a client and every scenario-engine mechanism.
    PatronClient,
    /// Every table of the format.
    FormatTour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// Subgame-perfect equilibrium by backward induction.
    Spe,
    /// A Nash equilibrium by the sequence form and Lemke's algorithm (two players).
    Lcp,
    /// Logit quantal response equilibrium.
    Qre,
}

/// Game templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateArg {
    /// The integration ultimatum, built from the case.
    Ultimatum,
    /// Bueno de Mesquita & Lalman's International Interaction Game (reference payoffs).
    Iig,
    /// Fearon-style crisis bargaining with one-sided incomplete information (reference inputs).
    Crisis,
}

/// Bargaining models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Expected utility (Bueno de Mesquita, after Scholz et al. 2011).
    Eu,
    /// KTAB's spatial model of politics (default parameters).
    Smp,
    /// Capability × salience weighted mean.
    Compromise,
    /// Weighted median.
    Median,
    /// Nash bargaining solution (status quo as disagreement point).
    Nbs,
    /// Exchange across issues (vote trading), then the compromise.
    Exchange,
    /// Every model.
    All,
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

/// `leverage runs` subcommands.
#[derive(Debug, Subcommand)]
pub enum RunsCmd {
    /// Every saved run, newest last.
    List {
        /// The run store (default: $LEVERAGE_STORE, else ~/.local/share/leverage/runs.sqlite).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// table (default), csv or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// One run: its case, seed, parameters and scenario probabilities.
    Show {
        /// Run id, or `latest`.
        run: String,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// table (default; probabilities as CSV) or json (everything saved).
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// What differs between two runs: case hash, seed, parameters, aggregates.
    Diff {
        /// First run id (or `latest`).
        a: String,
        /// Second run id (or `latest`).
        b: String,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// table (default) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// Delete one run and its per-draw summaries.
    Delete {
        /// Run id, or `latest`.
        run: String,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
    },
    /// Delete every run but the N most recent ones.
    Prune {
        /// How many of the most recent runs to keep.
        #[arg(long, value_name = "N")]
        keep: u64,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// Allow --keep 0, which deletes every run.
        #[arg(long)]
        force: bool,
    },
    /// Merge the shards of one run (files written by `simulate --shard K/N --out FILE`, for
    /// every K from 1 to N) into that run, saved and printed as `simulate` saves and prints it.
    Merge {
        /// The shard files, in any order.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// Do not save the merged run.
        #[arg(long, conflicts_with = "store")]
        no_store: bool,
        /// table (default), csv or json, as `simulate`.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
    /// A run's per-draw summaries.
    Export {
        /// Run id, or `latest`.
        run: String,
        /// The run store.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// csv (default) or json.
        #[arg(long, value_enum)]
        output: Option<Output>,
    },
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

/// The most worker threads `--threads` accepts: 4 × the machine's available parallelism.
pub fn max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, usize::from)
}

/// Parses `--threads N`: a number from 1 to [`max_threads`] (more threads than that only load
/// the machine; `--threads 100000` never returned).
pub fn threads(s: &str) -> Result<usize, String> {
    let max = max_threads();
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of worker threads from 1 to {max} (4 × the {} cores this machine offers); leave --threads out to use every core",
            max / 4
        )),
    }
}
