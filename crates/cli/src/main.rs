//! `leverage`: the command-line front of the workbench.
//!
//! A thin layer: it parses arguments (clap), reads files, calls the engines, renders their results
//! as tables, CSV or JSON, and turns problems into rustc-style reports (miette). Exit codes:
//! 0 success, 1 a user error (bad input, bad arguments), 2 an internal error.

mod args;
mod bargain;
mod diagnostics;
mod diff;
mod econ;
mod game;
mod io;
mod library;
mod offer;
mod serve;
mod shard;
mod show;
mod sim;
mod update;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use leverage_case::import::{self, DeuCapability, Format as ImportFormat};
use leverage_case::{Loaded, PartialDate};

use args::{CaseCmd, Cli, Command, ImportFormatArg, Output};

/// What went wrong, and whose fault it is.
pub(crate) enum Failure {
    /// Bad input or arguments: exit code 1. The message is already rendered.
    User(String),
    /// A bug or an environment failure: exit code 2.
    Internal(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Internal(format!("i/o error: {e}"))
    }
}

/// A run-store error met while streaming is the user's (a missing run, a store that is not
/// one), as every other store error the commands report.
impl From<leverage_store::StoreError> for Failure {
    fn from(e: leverage_store::StoreError) -> Self {
        Failure::User(format!("error: {e}"))
    }
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

/// A user error (exit code 1) with its message.
pub(crate) fn user(msg: String) -> Failure {
    Failure::User(format!("error: {msg}"))
}

fn main() -> ExitCode {
    // Behave like other Unix tools when the reader of our output goes away (`leverage … | head`):
    // end quietly on SIGPIPE instead of failing to print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are successes; anything else is a user error (exit 1).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::User(msg)) => {
            eprint!("{msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(1)
        }
        Err(Failure::Internal(msg)) => {
            eprintln!("internal error: {msg}");
            eprintln!(
                "This is a bug in leverage or a problem with the machine; please report it with the command you ran."
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Case { cmd } => match cmd {
            CaseCmd::Validate {
                files,
                case,
                output,
            } => validate(files, case, io::table_or_json("case validate", output)?),
            CaseCmd::Show { case, output } => {
                let loaded = io::load_case(case.as_deref())?;
                diagnostics::print_warnings(&loaded);
                show::show(&loaded.case, output.unwrap_or(Output::Table))
            }
            CaseCmd::Schema => {
                println!("{}", pretty_json(&leverage_case::schema())?);
                Ok(())
            }
            CaseCmd::New {
                template,
                id,
                title,
                out,
                force,
            } => {
                if !leverage_case::is_ident(&id) {
                    return Err(Failure::User(format!(
                        "error: --id {id:?} is not a valid identifier\n  help: use letters, digits, `-`, `_` and `.`"
                    )));
                }
                let starter = match template {
                    args::StarterArg::PatronClient => leverage_case::Starter::PatronClient,
                    args::StarterArg::FormatTour => leverage_case::Starter::FormatTour,
                };
                let text = leverage_case::starter_case(starter, &id, &title);
                io::write_or_print(out.as_deref(), force, &text)
            }
            CaseCmd::Import {
                file,
                format,
                out,
                force,
                as_of,
                capability,
            } => import_cmd(
                &file,
                format,
                (out.as_deref(), force),
                as_of.as_deref(),
                capability,
            ),
        },
        Command::Subsidy {
            case,
            from,
            to,
            gas_reference,
            netback,
            output,
        } => {
            let loaded = io::load_case(case.as_deref())?;
            diagnostics::print_warnings(&loaded);
            let netback = match netback {
                None => None,
                Some(s) => Some(parse_pair(&s).ok_or_else(|| {
                    Failure::User(format!(
                        "error: --netback {s:?} is not RATE,TRANSPORT\n  help: e.g. --netback 0.3,40 (30 % export duty, USD 40 per 1000 m³ transport)"
                    ))
                })?),
            };
            if let Some(id) = &gas_reference {
                if loaded.case.flow(id).is_none() && loaded.case.series(id).is_none() {
                    return Err(Failure::User(format!(
                        "error: --gas-reference {id:?} is not a flow or series of the case\n  help: see `leverage case show` for the ids"
                    )));
                }
            }
            let opts = leverage_econ::LedgerOptions {
                gas_reference,
                netback,
            };
            econ::subsidy(
                &loaded.case,
                from,
                to,
                &opts,
                output.unwrap_or(Output::Table),
            )
        }
        Command::Maneuver {
            case,
            oil_price,
            oil_path,
            volume,
            reclearance,
            from,
            to,
            output,
        } => {
            let loaded = io::load_case(case.as_deref())?;
            diagnostics::print_warnings(&loaded);
            for (flag, v) in [
                ("--oil-price", oil_price),
                ("--volume", volume),
                ("--reclearance", reclearance),
            ] {
                if let Some(x) = v {
                    if !x.is_finite() || x < 0.0 {
                        return Err(Failure::User(format!(
                            "error: {flag} {x} must be a number ≥ 0"
                        )));
                    }
                }
            }
            let oil_path = match oil_path {
                Some(p) => econ::read_oil_path(&p)?,
                None => Vec::new(),
            };
            let opts = leverage_econ::ManeuverOptions {
                from,
                to,
                oil_price,
                oil_path,
                volume_mt: volume,
                reclearance_mt: reclearance,
            };
            econ::maneuver(&loaded.case, &opts, output.unwrap_or(Output::Table))
        }
        Command::Forecast {
            case,
            table,
            format,
            issue,
            model,
            rounds,
            output,
        } => {
            // On a KTAB table the spatial model runs with every dimension in one space, with
            // the model parameters, seed and ideal adjustments the file sets.
            let joint = match (&table, format) {
                (Some(t), Some(ImportFormatArg::Ktab)) => Some(bargain::joint_setup(t)?),
                _ => None,
            };
            let case = match (table, format) {
                (Some(t), Some(f)) => imported_case(&t, f)?,
                _ => {
                    let loaded = io::load_case(case.as_deref())?;
                    diagnostics::print_warnings(&loaded);
                    loaded.case
                }
            };
            bargain::forecast(
                &case,
                issue.as_deref(),
                model,
                rounds,
                joint,
                output.unwrap_or(Output::Table),
            )
        }
        Command::Simulate {
            case,
            draws,
            seed,
            threads,
            sensitivity,
            store,
            no_store,
            no_draws,
            explain,
            shard,
            out,
            force,
            output,
        } => sim::simulate(sim::SimArgs {
            case,
            draws,
            seed,
            threads,
            output: output.unwrap_or(Output::Table),
            store,
            no_store,
            no_draws,
            sensitivity,
            explain,
            shard,
            out,
            force,
        }),
        Command::Update(a) => {
            io::table_or_json("update", a.output)?;
            update::run(a)
        }
        Command::Watch(a) => {
            io::table_or_json("watch", a.output)?;
            watch::run(a)
        }
        Command::Offer(a) => {
            io::table_or_json("offer", a.output)?;
            offer::run(a)
        }
        Command::Runs { cmd } => match cmd {
            args::RunsCmd::List { store, output } => {
                sim::runs::list(store.as_deref(), output.unwrap_or(Output::Table))
            }
            args::RunsCmd::Show { run, store, output } => {
                sim::runs::show(store.as_deref(), &run, output.unwrap_or(Output::Table))
            }
            args::RunsCmd::Diff {
                a,
                b,
                store,
                output,
            } => sim::runs::diff(store.as_deref(), &a, &b, output.unwrap_or(Output::Table)),
            args::RunsCmd::Delete { run, store } => sim::runs::delete(store.as_deref(), &run),
            args::RunsCmd::Prune { keep, store, force } => {
                sim::runs::prune(store.as_deref(), keep, force)
            }
            args::RunsCmd::Merge {
                files,
                store,
                no_store,
                output,
            } => shard::merge(shard::MergeArgs {
                files,
                store,
                no_store,
                output: output.unwrap_or(Output::Table),
            }),
            args::RunsCmd::Export { run, store, output } => {
                sim::runs::export(store.as_deref(), &run, output.unwrap_or(Output::Csv))
            }
        },
        Command::Score {
            case,
            outcomes,
            cases,
            draws,
            seed,
            threads,
            output,
        } => match (cases, outcomes) {
            (Some(dir), _) => library::score(
                &dir,
                draws,
                seed,
                threads,
                io::table_or_json("score", output)?,
            ),
            (None, Some(outcomes)) => sim::score(
                case.as_deref(),
                &outcomes,
                draws,
                seed,
                threads,
                io::table_or_json("score", output)?,
            ),
            (None, None) => Err(Failure::User(
                "error: give --outcomes FILE (one case) or --cases DIR (a library)".into(),
            )),
        },
        Command::Cases { dir, output } => library::list(&dir, io::table_or_json("cases", output)?),
        Command::Backtest { data } => match data {
            args::BacktestData::Deu {
                file,
                capability,
                output,
                per_issue,
                force,
            } => bargain::backtest_deu(
                &file,
                deu_capability(capability),
                io::table_or_json("backtest", output)?,
                per_issue.as_deref(),
                force,
            ),
        },
        Command::Game {
            case,
            template,
            efg,
            solver,
            lambda,
            all,
            export,
            output,
        } => game::run(
            case.as_deref(),
            template,
            efg.as_deref(),
            solver,
            lambda,
            all,
            export,
            output.unwrap_or(Output::Table),
        ),
        Command::Figures { case, output } => {
            let loaded = io::load_case(case.as_deref())?;
            diagnostics::print_warnings(&loaded);
            econ::figures(&loaded.case, output.unwrap_or(Output::Table))
        }
        Command::Serve {
            case,
            port,
            listen,
            save_dir,
            store,
            threads,
        } => serve::run(serve::ServeArgs {
            case,
            port,
            listen,
            save_dir,
            store,
            threads,
        }),
        Command::Report {
            case,
            out,
            draws,
            seed,
            tornado_draws,
            sobol_rows,
            threads,
            run,
            store,
            no_store,
            force,
        } => report(ReportArgs {
            case: case.as_deref(),
            out: &out,
            settings: leverage_sim::pipeline::Settings {
                draws,
                seed,
                tornado_draws,
                sobol_rows,
                bootstrap: 200,
                analyses: true,
            },
            threads,
            run: run.as_deref(),
            store: store.as_deref(),
            no_store,
            force,
        }),
    }
}

fn deu_capability(c: args::CapabilityArg) -> DeuCapability {
    match c {
        args::CapabilityArg::CouncilVotes => DeuCapability::CouncilVotes,
        args::CapabilityArg::Gdp => DeuCapability::Gdp,
        args::CapabilityArg::Equal => DeuCapability::Equal,
    }
}

/// A table imported as a case (for `forecast --table`).
fn imported_case(file: &Path, format: ImportFormatArg) -> Result<leverage_case::Case> {
    let text = io::read_input_text(file).map_err(|e| {
        Failure::User(format!(
            "error: cannot read {}: {e}\n  help: check the path",
            file.display()
        ))
    })?;
    let fmt = match format {
        ImportFormatArg::EuTable => ImportFormat::EuTable,
        ImportFormatArg::Ktab => ImportFormat::Ktab,
        ImportFormatArg::Deu => ImportFormat::Deu,
    };
    import::import(&file.display().to_string(), &text, fmt).map_err(|e| {
        Failure::User(format!(
            "error: cannot import {}:{}: {}\n  help: {}",
            e.file, e.line, e.message, e.hint
        ))
    })
}

fn parse_pair(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once(',')?;
    let a: f64 = a.trim().parse().ok()?;
    let b: f64 = b.trim().parse().ok()?;
    (a.is_finite() && b.is_finite() && (0.0..1.0).contains(&a)).then_some((a, b))
}

fn pretty_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Failure::Internal(format!("JSON: {e}")))
}

fn validate(files: Vec<PathBuf>, case: Option<PathBuf>, output: Output) -> Result<()> {
    let mut targets: Vec<Option<PathBuf>> = files.into_iter().map(Some).collect();
    if let Some(c) = case {
        targets.push(Some(c));
    }
    if targets.is_empty() {
        targets.push(None);
    }
    let json = output == Output::Json;
    let mut failed = 0usize;
    let mut reports = Vec::new();
    for t in &targets {
        let name = t.as_ref().map_or_else(
            || "the default case".to_string(),
            |p| p.display().to_string(),
        );
        match io::load_case_raw(t.as_deref())? {
            Ok(loaded) => {
                if json {
                    reports.push(serde_json::json!({
                        "file": name, "valid": true, "errors": 0,
                        "warnings": loaded.warnings,
                    }));
                } else {
                    diagnostics::print_warnings(&loaded);
                    println!("{}", summary_line(&name, &loaded));
                }
            }
            Err(problems) => {
                failed += 1;
                if json {
                    reports.push(serde_json::json!({
                        "file": name, "valid": false, "errors": problems.error_count(),
                        "diagnostics": problems.diagnostics,
                    }));
                } else {
                    eprint!("{}", diagnostics::render(&problems));
                    eprintln!(
                        "error: {name} has {} error(s); nothing was changed",
                        problems.error_count()
                    );
                }
            }
        }
    }
    if json {
        println!("{}", pretty_json(&reports)?);
    }
    if failed > 0 {
        Err(Failure::User(String::new()))
    } else {
        Ok(())
    }
}

fn summary_line(name: &str, l: &Loaded) -> String {
    let c = &l.case;
    format!(
        "ok: {name} ({}): {} actors, {} issues, {} positions, {} sources, {} flows, {} series, {} schedules, {} events, {} params, {} figures, {} scenarios; {} warning(s)",
        c.case.id,
        c.actors.len(),
        c.issues.len(),
        c.issues.iter().map(|i| i.positions.len()).sum::<usize>(),
        c.sources.len(),
        c.flows.len(),
        c.series.len(),
        c.schedules.len(),
        c.events.len(),
        c.params.len(),
        c.figures.len(),
        c.scenarios.len(),
        l.warnings.len()
    )
}

fn import_cmd(
    file: &Path,
    format: ImportFormatArg,
    (out, force): (Option<&Path>, bool),
    as_of: Option<&str>,
    capability: Option<args::CapabilityArg>,
) -> Result<()> {
    let bytes = io::read_input(file).map_err(|e| {
        Failure::User(format!(
            "error: cannot read {}: {e}\n  help: check the path",
            file.display()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::User(format!(
            "error: {} is not UTF-8 (byte {})\n  help: save it as UTF-8",
            file.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let name = file.display().to_string();
    let fmt = match format {
        ImportFormatArg::EuTable => ImportFormat::EuTable,
        ImportFormatArg::Ktab => ImportFormat::Ktab,
        ImportFormatArg::Deu => ImportFormat::Deu,
    };
    if capability.is_some() && fmt != ImportFormat::Deu {
        return Err(Failure::User(
            "error: --capability applies to --format deu only\n  help: the other layouts carry their own capability column".into(),
        ));
    }
    let result = match (fmt, capability) {
        (ImportFormat::Deu, Some(c)) => import::deu::import(&name, &text, deu_capability(c)),
        _ => import::import(&name, &text, fmt),
    };
    let mut case = result.map_err(|e| {
        Failure::User(format!(
            "error: cannot import {}:{}: {}\n  help: {}",
            e.file, e.line, e.message, e.hint
        ))
    })?;
    let date = match as_of {
        Some(s) => PartialDate::parse(s).ok_or_else(|| {
            Failure::User(format!(
                "error: --as-of {s:?} is not a date\n  help: write YYYY-MM-DD"
            ))
        })?,
        None => io::today(),
    };
    case.case.as_of = date;
    case.case.horizon = date.year;
    let text = leverage_case::to_toml(&case).map_err(Failure::Internal)?;
    // The output must read back as a valid case: check before writing anything.
    if let Err(p) = leverage_case::load_with(
        "<imported>",
        &text,
        &leverage_case::NoFiles,
        &leverage_sim::links::LINK_TABLES,
    ) {
        return Err(Failure::Internal(format!(
            "the imported case does not validate:\n{}",
            diagnostics::render(&p)
        )));
    }
    io::write_or_print(out, force, &text)?;
    if let Some(o) = out {
        eprintln!(
            "wrote {}: {} actors, {} issues",
            o.display(),
            case.actors.len(),
            case.issues.len()
        );
    }
    Ok(())
}

struct ReportArgs<'a> {
    case: Option<&'a Path>,
    out: &'a Path,
    settings: leverage_sim::pipeline::Settings,
    threads: Option<usize>,
    run: Option<&'a str>,
    store: Option<&'a Path>,
    no_store: bool,
    force: bool,
}

/// `leverage report`: runs the case through the pipeline (saving the run unless --no-store)
/// and renders its bundle, or renders a stored run (`--run`).
fn report(a: ReportArgs<'_>) -> Result<()> {
    let started = std::time::Instant::now();
    // Refuse before computing anything: an earlier report is not overwritten without --force.
    io::check_report_dir(a.out, a.force)?;
    let pool = sim::pool(a.threads)?;
    let mut updated = None;
    let (loaded, bundle, saved) = match a.run {
        Some(r) => {
            let path = sim::store_path(a.store)?;
            let store = leverage_store::Store::open_read_only(&path)
                .map_err(|e| Failure::User(format!("error: {e}")))?;
            let run_ref: leverage_store::RunRef = r.parse().map_err(|e| {
                Failure::User(format!("error: {e}\n  help: give a run id or `latest`"))
            })?;
            let run = store
                .show(run_ref)
                .map_err(|e| Failure::User(format!("error: {e}")))?;
            let loaded = io::load_archived_case(&run.extras["case"])?;
            updated = update::stored(&run, &loaded.case)?;
            let bytes = store
                .bundle(leverage_store::RunRef::Id(run.id))
                .map_err(|e| Failure::User(format!("error: {e}")))?
                .ok_or_else(|| {
                    Failure::User(format!(
                        "error: run {} keeps no results to render (saved by an older version)\n  help: run the case again",
                        run.id
                    ))
                })?;
            let bundle = leverage_sim::pipeline::Bundle::decode(&bytes).map_err(|e| {
                Failure::User(format!(
                    "error: run {}: its results cannot be read: {e}",
                    run.id
                ))
            })?;
            (loaded, Some(bundle), Some(run.id))
        }
        None => {
            let (loaded, archive) = io::load_case_archived(a.case)?;
            diagnostics::print_warnings(&loaded);
            let simulate =
                a.settings.draws > 0 && loaded.case.scenarios.iter().any(|s| s.rule.is_some());
            if simulate {
                let mut store = if a.no_store {
                    None
                } else {
                    let path = sim::store_path(a.store)?;
                    Some(sim::open_store(&path, true)?)
                };
                match sim::run_and_save(
                    &loaded.case,
                    &archive,
                    &a.settings,
                    &pool,
                    store.as_mut(),
                    true,
                    &|_| {},
                ) {
                    Ok((b, id, _)) => (loaded, Some(b), id),
                    // A case that cannot be simulated still gets its report, which says why.
                    Err(Failure::User(msg)) => {
                        eprintln!("{msg}");
                        (loaded, None, None)
                    }
                    Err(e) => return Err(e),
                }
            } else {
                (loaded, None, None)
            }
        }
    };
    let report = pool.install(|| {
        let analyses = leverage_report::analyses_of(&loaded.case, bundle.as_ref(), None);
        let extra = leverage_report::Extra {
            update: updated.as_ref().map(|(u, e)| (u, e.as_slice())),
        };
        leverage_report::render_with(&loaded.case, &analyses, bundle.as_ref(), &extra)
    });
    io::write_report(a.out, &report, a.force)?;
    eprintln!(
        "wrote {} ({} files) for case {} in {:.2} s{}",
        a.out.join("report.html").display(),
        report.files.len(),
        loaded.case.case.id,
        started.elapsed().as_secs_f64(),
        match (saved, a.run) {
            (Some(id), Some(_)) => format!(" from run {id}"),
            (Some(id), None) => format!("; its run saved as run {id}"),
            _ => String::new(),
        }
    );
    Ok(())
}
