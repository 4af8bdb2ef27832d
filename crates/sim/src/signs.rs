//! Signs: the case's observables as quantities of a simulated path, and recomputing paths.
//!
//! A case's `[[observable]]` records name what can be seen of a path (`leverage_case::observable`).
//! [`resolve`] turns them into [`Quantity`]s the engine can read from a [`Path`] and the draw's
//! parameter values ([`value`]): a state variable or an issue forecast at a year's end, the
//! subsidy or the oil price of a year, a drawn parameter, or a sign that happened in a year (an
//! event bit, a decision at the crisis, what the client did with a signed deal) as 0 or 1.
//!
//! [`replay`] recomputes draws of a run exactly: draw *i* of a run with seed *s* uses the stream
//! `stream::draw_rng(s, i)`, so its parameters and path are the same bytes whenever and wherever
//! it is run. Watching, updating and pricing offers read whole yearly paths this way, and the run
//! store need keep only each draw's summary.

use leverage_case::{Case, ObservableKind};
use leverage_games::ultimatum_fast::{Answer, Kind, terminal_kind};
use rayon::prelude::*;
use serde::Serialize;

use crate::ensemble::{CHUNK, DrawBuffers, DrawSampler};
use crate::timeline::{NO_DECISION, Path, Spec};

/// A decision at a crisis, as the case's sign names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The patron made a demand (the game was played and a demand put).
    Demand,
    /// The client accepted.
    Accept,
    /// The client stalled.
    Stall,
    /// The client refused (with or without outside support).
    Refuse,
    /// The patron backed down after a stall or a refusal.
    BackDown,
    /// The client capitulated to coercion or pressure.
    Capitulate,
    /// The client resisted coercion or pressure (or the patron intervened).
    Resist,
}

impl Decision {
    const NAMES: [(&'static str, Decision); 7] = [
        ("demand", Decision::Demand),
        ("accept", Decision::Accept),
        ("stall", Decision::Stall),
        ("refuse", Decision::Refuse),
        ("back_down", Decision::BackDown),
        ("capitulate", Decision::Capitulate),
        ("resist", Decision::Resist),
    ];
    /// Whether the game's terminal `t` shows this decision.
    pub fn holds(self, t: u8) -> bool {
        if t == NO_DECISION {
            return false;
        }
        let (kind, answer) = terminal_kind(t as usize);
        match self {
            Decision::Demand => kind != Kind::NoDemand,
            Decision::Accept => kind == Kind::Accept,
            Decision::Stall => answer == Answer::Stall,
            Decision::Refuse => matches!(answer, Answer::RefuseSupported | Answer::RefuseAlone),
            Decision::BackDown => kind == Kind::BackDown,
            Decision::Capitulate => {
                matches!(kind, Kind::CapitulateEconomic | Kind::CapitulatePressure)
            }
            Decision::Resist => matches!(
                kind,
                Kind::ResistEconomic | Kind::ResistPressure | Kind::Intervene
            ),
        }
    }
}

/// What an observable reads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Quantity {
    /// State variable at this index, at the year's end.
    State(usize),
    /// Issue forecast at this index.
    Issue(usize),
    /// Subsidy at stake, USD bn.
    Subsidy,
    /// Oil price, USD per barrel.
    OilPrice,
    /// Drawn parameter at this index (the same every year).
    Param(usize),
    /// Event bit(s) of the year (`timeline::event`).
    Event(u16),
    /// A decision on the economic (`false`) or military (`true`) track.
    Decision(bool, Decision),
    /// What the client did with a signed deal (`timeline::implementation` code).
    Implementation(u8),
}

impl Quantity {
    /// True for the same value in every year (a parameter).
    pub fn is_constant(&self) -> bool {
        matches!(self, Quantity::Param(_))
    }
}

/// An observable of the case, resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sign {
    /// The observable's id.
    pub id: String,
    /// Its label (the id when none).
    pub label: String,
    /// How it is observed.
    pub how: String,
    /// Its kind.
    pub kind: ObservableKind,
    /// What it reads.
    pub quantity: Quantity,
}

impl Sign {
    /// True for a sign that happens or not (its value is 0 or 1).
    pub fn is_binary(&self) -> bool {
        self.kind.is_binary()
    }
}

/// Why the observables could not be resolved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The observable names something the wired case does not have.
    #[error("observable `{id}` reads `{of}`, which the scenario engine does not know")]
    Unknown {
        /// Observable id.
        id: String,
        /// What it names.
        of: String,
    },
    /// The case declares no observables.
    #[error("the case declares no [[observable]]")]
    None,
}

/// The case's observables as quantities of paths of `spec` (`params`: the sampler's parameter
/// ids, in order).
pub fn resolve(case: &Case, spec: &Spec, params: &[String]) -> Result<Vec<Sign>, SignError> {
    if case.observables.is_empty() {
        return Err(SignError::None);
    }
    case.observables
        .iter()
        .map(|o| {
            let unknown = || SignError::Unknown {
                id: o.id.clone(),
                of: o.of.clone(),
            };
            let index = |names: &mut dyn Iterator<Item = &str>| {
                let mut found = None;
                for (k, n) in names.enumerate() {
                    if n == o.of {
                        found = Some(k);
                        break;
                    }
                }
                found
            };
            let quantity = match o.kind {
                ObservableKind::State => Quantity::State(
                    index(&mut spec.state_names.iter().map(String::as_str)).ok_or_else(unknown)?,
                ),
                ObservableKind::Issue => Quantity::Issue(
                    index(&mut spec.issues.iter().map(|i| i.id.as_str())).ok_or_else(unknown)?,
                ),
                ObservableKind::Param => Quantity::Param(
                    index(&mut params.iter().map(String::as_str)).ok_or_else(unknown)?,
                ),
                ObservableKind::Subsidy => Quantity::Subsidy,
                ObservableKind::OilPrice => Quantity::OilPrice,
                ObservableKind::Event => {
                    let b = index(&mut leverage_case::observable::EVENT_SIGNS.iter().copied())
                        .ok_or_else(unknown)?;
                    Quantity::Event(1 << b)
                }
                ObservableKind::Decision => {
                    let (military, name) = match o.of.strip_prefix("military_") {
                        Some(rest) => (true, rest),
                        None => (false, o.of.as_str()),
                    };
                    let d = Decision::NAMES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, d)| *d)
                        .ok_or_else(unknown)?;
                    Quantity::Decision(military, d)
                }
                ObservableKind::Implementation => {
                    let k = index(
                        &mut leverage_case::observable::IMPLEMENTATION_SIGNS
                            .iter()
                            .copied(),
                    )
                    .ok_or_else(unknown)?;
                    // Codes: 0 none, then implement, stall, withdraw.
                    Quantity::Implementation(k as u8 + 1)
                }
            };
            Ok(Sign {
                id: o.id.clone(),
                label: o.name().to_string(),
                how: o.how.clone(),
                kind: o.kind,
                quantity,
            })
        })
        .collect()
}

/// The value of `q` in year index `y` of a path whose draw had parameter `values`: a number, or
/// 0/1 for a sign; NaN where the path has none (an issue not forecast, no oil price).
pub fn value(q: Quantity, y: usize, values: &[f64], path: &Path) -> f64 {
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    match q {
        Quantity::State(k) => path.state_at(y)[k],
        Quantity::Issue(k) => {
            let n = path.forecast.len() / path.terminal.len().max(1);
            path.forecast[y * n + k]
        }
        Quantity::Subsidy => path.subsidy_usd_bn[y],
        Quantity::OilPrice => path.oil_price[y],
        Quantity::Param(k) => values[k],
        Quantity::Event(bits) => flag(path.events[y] & bits != 0),
        Quantity::Decision(false, d) => flag(d.holds(path.terminal[y])),
        Quantity::Decision(true, d) => flag(d.holds(path.military_terminal[y])),
        Quantity::Implementation(code) => flag(path.implementation[y] == code),
    }
}

/// A crisis game a path played: year index, military track, the game's inputs.
pub type Played = (usize, bool, leverage_games::templates::UltimatumInputs);

/// Recomputes draws `from..to` of a run with `seed` and hands each to `f` (draw index, its
/// parameter values, its path); the results come back in draw order (`None` for a draw whose
/// parameters could not be sampled). Runs in `pool` (or the current rayon pool); the result
/// does not depend on the number of threads.
pub fn replay<T, F>(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    from: u64,
    to: u64,
    pool: Option<&rayon::ThreadPool>,
    f: F,
) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(u64, &[f64], &Path) -> T + Sync,
{
    replay_games(spec, sampler, seed, from, to, pool, |d, values, path, _| {
        f(d, values, path)
    })
}

/// [`replay`], also handing `f` every crisis game each path played ([`Played`]).
pub fn replay_games<T, F>(
    spec: &Spec,
    sampler: &dyn DrawSampler,
    seed: u64,
    from: u64,
    to: u64,
    pool: Option<&rayon::ThreadPool>,
    f: F,
) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(u64, &[f64], &Path, &[Played]) -> T + Sync,
{
    replay_chunks(spec, from, to, pool, |d, buf, path, games| {
        let mut rng = crate::stream::draw_rng(seed, d);
        buf.values.resize(sampler.len(), 0.0);
        if !sampler.sample(&mut rng, &mut buf.uniforms, &mut buf.values) {
            return None;
        }
        games.clear();
        crate::timeline::run_observed(
            spec,
            &buf.values,
            &mut rng,
            &mut buf.scratch,
            path,
            &mut |y, m, g| games.push((y, m, *g)),
        );
        Some(f(d, &buf.values, path, games))
    })
}

/// Runs `one` on draws `from..to` in chunks, in parallel, results in draw order.
fn replay_chunks<T, F>(
    spec: &Spec,
    from: u64,
    to: u64,
    pool: Option<&rayon::ThreadPool>,
    one: F,
) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(u64, &mut DrawBuffers, &mut Path, &mut Vec<Played>) -> Option<T> + Sync,
{
    let chunks: Vec<(u64, u64)> = (from..to)
        .step_by(CHUNK as usize)
        .map(|lo| (lo, (lo + CHUNK).min(to)))
        .collect();
    let work = || -> Vec<Option<T>> {
        let parts: Vec<Vec<Option<T>>> = chunks
            .par_iter()
            .map(|&(lo, hi)| {
                let mut buf = DrawBuffers::default();
                let mut path = Path::new(spec);
                let mut games = Vec::new();
                (lo..hi)
                    .map(|d| one(d, &mut buf, &mut path, &mut games))
                    .collect()
            })
            .collect();
        parts.into_iter().flatten().collect()
    };
    match pool {
        Some(p) => p.install(work),
        None => work(),
    }
}
