//! `leverage offer`: what would it take — the least the patron must offer for the client to
//! accept and the most the patron would pay, by year and track, with bands over the ensemble
//! (`leverage_sim::offer`).

use comfy_table::Cell;
use leverage_sim::offer::{self, OfferYear};
use leverage_sim::wiring;

use crate::args::Output;
use crate::show::table;
use crate::sim::{right, wiring_error};
use crate::{Result, pretty_json};

/// `leverage offer`.
#[derive(Debug, clap::Args)]
pub struct OfferArgs {
    #[command(flatten)]
    pub draws: crate::watch::Draws,
    /// table (default) or json.
    #[arg(long, value_enum)]
    pub output: Option<Output>,
}

/// Computes the offers of a case.
pub fn compute(
    case: &leverage_case::Case,
    seed: u64,
    draws: u64,
    pool: &rayon::ThreadPool,
) -> Result<offer::Offers> {
    let spec = wiring::spec(case).map_err(wiring_error)?;
    let sampler = wiring::sampler(case).map_err(wiring_error)?;
    Ok(offer::offers(&spec, &sampler, seed, draws, Some(pool)))
}

fn band(q: &[f64; 5]) -> String {
    if q[2].is_nan() {
        return "—".into();
    }
    format!("{:.2} ({:.2} to {:.2})", q[2], q[0], q[4])
}

fn print_track(name: &str, rows: &[OfferYear]) {
    println!("\n{name}");
    let mut t = table(&[
        "year",
        "decision point",
        "games",
        "least offer (5–95 %)",
        "most payment (5–95 %)",
        "room for a deal",
        "on offer",
    ]);
    for r in rows {
        t.add_row(vec![
            right(r.year.to_string()),
            Cell::new(if r.decision_point { "yes" } else { "" }),
            right(r.games.to_string()),
            right(band(&r.client_min)),
            right(band(&r.patron_max)),
            right(if r.zone.is_nan() {
                "—".into()
            } else {
                format!("{:.0} %", 100.0 * r.zone)
            }),
            right(if r.offered.is_nan() {
                "—".into()
            } else {
                format!("{:.2}", r.offered)
            }),
        ]);
    }
    println!("{t}");
}

/// `leverage offer`.
pub fn run(a: OfferArgs) -> Result<()> {
    let (loaded, seed, draws, pool) = a.draws.load()?;
    let case = &loaded.case;
    let o = compute(case, seed, draws, &pool)?;
    if a.output == Some(Output::Json) {
        println!("{}", pretty_json(&o)?);
        return Ok(());
    }
    println!(
        "What would it take in {} ({} draws, seed {}): at every crisis a path plays, the least {} must offer for {} to accept (its best other answer against accepting) and the most {} would pay (accepting against its best alternative), USD bn a year, discounted annual equivalents of the scenario engine's payoff streams; median and 5–95 % band over the games played. A negative least offer: {} would accept the terms as they stand. On offer: what the game already counts at acceptance (sweeteners, arms).",
        case.case.title,
        o.draws,
        o.seed,
        case.patron_name(),
        case.client_name(),
        case.patron_name(),
        case.client_name()
    );
    print_track("Economic track", &o.economic);
    if !o.military.is_empty() {
        print_track("Military track", &o.military);
    }
    Ok(())
}
