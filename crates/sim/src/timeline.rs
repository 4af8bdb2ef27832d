//! One path of the strategic deal, year by year: economics → salience and positions →
//! bargaining → the crisis game at decision points → state transition.
//!
//! The engine works on plain numbers: a [`Spec`] (built from a case by [`crate::wiring`]) holds
//! the actors, issues, the structural economics of each year and, for every coefficient, where
//! its value comes from in a draw's parameter vector ([`ParamRef`]). [`run`] takes that vector
//! (one value per case parameter, sampled by the ensemble) and the draw's random stream for the
//! year-to-year shocks, and writes the yearly states into a [`Path`] without allocating.
//!
//! The mechanisms, each a claim of the case's source paper (the case's fact sheet §8) or a cited
//! model, and their formulas are documented in `docs/simulation.md`.

use leverage_games::templates::UltimatumInputs;
use leverage_games::ultimatum_fast::{self, Answer, Kind, TERMINALS};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Where a coefficient's value comes from in a draw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ParamRef {
    /// A constant (a documented default, or a fixed case value).
    Fixed(f64),
    /// The draw's value of the case parameter at this index.
    Param(usize),
}

impl ParamRef {
    /// The value in a draw.
    #[inline]
    pub fn get(&self, values: &[f64]) -> f64 {
        match *self {
            ParamRef::Fixed(x) => x,
            ParamRef::Param(i) => values[i],
        }
    }
}

/// Which side an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Side {
    /// The patron (Moscow's side).
    Patron,
    /// The client (Minsk's side).
    Client,
    /// Anyone else.
    Other,
}

/// What the timeline does with an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Group {
    /// Integration terms: the patron's salience grows with its resolve.
    Integration,
    /// Energy and money: the client's salience follows the subsidy at stake.
    Energy,
    /// Military integration: its forecast is what capitulation to pressure concedes.
    Military,
    /// Bargained, not linked.
    Other,
}

/// One issue: every actor's capability, position and salience (0–1), and its group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueSpec {
    /// Issue id.
    pub id: String,
    /// What the timeline does with it.
    pub group: Group,
    /// Actor index (into [`Spec::sides`]) of each position.
    pub actors: Vec<usize>,
    /// Capabilities.
    pub capability: Vec<f64>,
    /// Positions, 0–100.
    pub position: Vec<f64>,
    /// Saliences, 0–1.
    pub salience: Vec<f64>,
}

/// The structural economics of one simulated year (not uncertain: laws and agreements).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EconYear {
    /// The year.
    pub year: i32,
    /// Export duty coefficient K.
    pub k: f64,
    /// Tax-maneuver multiplier on the duty.
    pub multiplier: f64,
    /// Duty-free crude refined by the client, Mt.
    pub refinery_mt: f64,
    /// Re-cleared crude whose duty the client's budget receives, Mt.
    pub reclearance_mt: f64,
    /// A decision point: an ultimatum, deadline or planned integration step falls in this year.
    pub decision: bool,
    /// The client's pre-election restraint applies (conflict appetite parameter in force).
    pub pre_election: bool,
}

/// Indices of the state variables the timeline updates, in the case's `[[state]]` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateIndex {
    /// Subsidy at stake, % of the client's GDP.
    pub subsidy_gdp: usize,
    /// Economic integration, 0–100.
    pub econ_integration: usize,
    /// Military integration, 0–100.
    pub military_integration: usize,
    /// Alignment with the West (and China), 0–100.
    pub west_alignment: usize,
    /// Bilateral tension, 0–100.
    pub tension: usize,
    /// An intervention happened (absorbing), 0/1.
    pub intervened: usize,
}

/// The timeline's coefficients (see `docs/simulation.md` for each one's role and default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct Coefs {
    pub qre_lambda: ParamRef,
    pub position_noise: ParamRef,
    pub tension_threshold: ParamRef,
    pub tension_decay: ParamRef,
    pub tension_stall: ParamRef,
    pub tension_refusal: ParamRef,
    pub tension_resistance: ParamRef,
    pub subsidy_cut_share: ParamRef,
    pub subsidy_relief_share: ParamRef,
    pub west_shift_support: ParamRef,
    pub west_drift: ParamRef,
    pub west_policy_shock_p: ParamRef,
    pub west_policy_shock_size: ParamRef,
    pub military_share_capitulation: ParamRef,
    pub losing_threshold: ParamRef,
    pub intervention_from_year: ParamRef,
    pub p_intervention_if_losing: ParamRef,
    pub oil_price: ParamRef,
    pub oil_volatility: ParamRef,
    pub gas_reference: ParamRef,
    pub gas_price_paid: ParamRef,
    pub gdp_growth_pct: ParamRef,
    pub resolve_moscow: ParamRef,
    pub resolve_peak_year: ParamRef,
    pub conflict_appetite: ParamRef,
    pub product_exports_mt: ParamRef,
    pub product_duty_ratio: ParamRef,
    pub p_western_support: ParamRef,
}

/// Setter of one ultimatum input.
pub type GameField = fn(&mut UltimatumInputs) -> &mut f64;

/// Everything a path needs, as plain numbers and indices.
#[derive(Debug, Clone)]
pub struct Spec {
    /// First simulated year (the year after `as_of`).
    pub first_year: i32,
    /// The years, one [`EconYear`] each.
    pub years: Vec<EconYear>,
    /// State variable ids, in order.
    pub state_names: Vec<String>,
    /// Initial state.
    pub initial: Vec<f64>,
    /// Bounds of each state variable.
    pub bounds: Vec<(f64, f64)>,
    /// Where the timeline's variables are.
    pub idx: StateIndex,
    /// Side of every actor.
    pub sides: Vec<Side>,
    /// The issues.
    pub issues: Vec<IssueSpec>,
    /// The issue whose forecast is the terms Moscow demands.
    pub terms_issue: usize,
    /// Position index of the client's own actor on the terms issue (its ideal terms).
    pub client_position: Option<usize>,
    /// Gas imported, bcm a year.
    pub gas_volume_bcm: f64,
    /// The client's GDP in the base year, USD bn.
    pub gdp_base_usd_bn: f64,
    /// The base year of that GDP.
    pub gdp_base_year: i32,
    /// The subsidy at stake in the base year, % of GDP (the salience reference).
    pub subsidy_base_pct: f64,
    /// A case without economics links: the subsidy before policy is this % of GDP every year.
    pub fixed_subsidy_pct: Option<f64>,
    /// Coefficients.
    pub coefs: Coefs,
    /// The ultimatum's inputs that do not change by year.
    pub game_base: UltimatumInputs,
    /// Ultimatum inputs drawn from case parameters.
    pub game_params: Vec<(GameField, usize)>,
    /// The scenario ids of [`Spec::rules`].
    pub rule_ids: Vec<String>,
    /// The scenario classifier: the first rule that holds (the case checks that exactly one
    /// does).
    pub rules: Vec<leverage_case::rule::CompiledRule>,
}

impl Spec {
    /// Number of simulated years.
    pub fn n_years(&self) -> usize {
        self.years.len()
    }
    /// Number of state variables.
    pub fn n_state(&self) -> usize {
        self.initial.len()
    }
    /// The scenario index of a state, if a rule holds.
    pub fn classify(&self, state: &[f64]) -> Option<usize> {
        self.rules.iter().position(|r| r.eval(state))
    }
}

/// Sentinel for "no decision point this year" in [`Path::terminal`].
pub const NO_DECISION: u8 = u8::MAX;
/// Sentinel for "no rule holds" in [`Path::scenario`].
pub const UNCLASSIFIED: u8 = u8::MAX;

/// One path: per year, the state after the year, the issue forecasts, the crisis game's
/// outcome and the scenario the state falls in. Buffers are reused across draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    /// `n_years × n_state`, row per year.
    pub state: Vec<f64>,
    /// `n_years × n_issues`, the bargaining forecast per year.
    pub forecast: Vec<f64>,
    /// Terminal of the ultimatum drawn per year ([`NO_DECISION`] if none).
    pub terminal: Vec<u8>,
    /// Scenario index per year ([`UNCLASSIFIED`] if no rule holds).
    pub scenario: Vec<u8>,
    /// Subsidy at stake per year, USD bn.
    pub subsidy_usd_bn: Vec<f64>,
    /// Oil price per year, USD per barrel.
    pub oil_price: Vec<f64>,
}

impl Path {
    /// Buffers for paths of `spec`.
    pub fn new(spec: &Spec) -> Self {
        let y = spec.n_years();
        Path {
            state: vec![0.0; y * spec.n_state()],
            forecast: vec![0.0; y * spec.issues.len()],
            terminal: vec![NO_DECISION; y],
            scenario: vec![UNCLASSIFIED; y],
            subsidy_usd_bn: vec![0.0; y],
            oil_price: vec![0.0; y],
        }
    }
    /// The state after year `y` (0-based).
    pub fn state_at(&self, y: usize) -> &[f64] {
        let n = self.state.len() / self.terminal.len().max(1);
        &self.state[y * n..(y + 1) * n]
    }
    /// The scenario at the horizon.
    pub fn final_scenario(&self) -> u8 {
        self.scenario.last().copied().unwrap_or(UNCLASSIFIED)
    }
}

/// Per-thread scratch space.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    state: Vec<f64>,
    positions: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

fn clamp(x: f64, (lo, hi): (f64, f64)) -> f64 {
    x.clamp(lo, hi)
}

/// Runs one path with the draw's parameter `values` and random stream `rng`.
pub fn run(
    spec: &Spec,
    values: &[f64],
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    out: &mut Path,
) {
    let c = &spec.coefs;
    let ix = spec.idx;
    let n_state = spec.n_state();
    let mut state = std::mem::take(&mut scratch.state);
    state.clear();
    state.extend_from_slice(&spec.initial[..n_state]);
    let s = &mut state[..];

    // Positions of this draw: the case's, each moved by a normal judgement error.
    let noise = c.position_noise.get(values).max(0.0);
    scratch.positions.resize_with(spec.issues.len(), Vec::new);
    for (iss, pos) in spec.issues.iter().zip(scratch.positions.iter_mut()) {
        pos.clear();
        for &x in &iss.position {
            let e: f64 = if noise > 0.0 {
                rng.sample::<f64, _>(StandardNormal) * noise
            } else {
                0.0
            };
            pos.push((x + e).clamp(0.0, 100.0));
        }
    }

    let oil_level = c.oil_price.get(values).max(0.0);
    let oil_sigma = c.oil_volatility.get(values).max(0.0);
    let gas_ref = c.gas_reference.get(values);
    let gas_paid = c.gas_price_paid.get(values);
    let growth = c.gdp_growth_pct.get(values) / 100.0;
    let resolve_peak = c.resolve_moscow.get(values);
    let peak_year = c.resolve_peak_year.get(values);
    let lambda = c.qre_lambda.get(values).max(0.0);
    let decay = c.tension_decay.get(values).clamp(0.0, 1.0);
    let threshold = c.tension_threshold.get(values);
    let cut_share = c.subsidy_cut_share.get(values).clamp(0.0, 1.0);
    let relief_share = c.subsidy_relief_share.get(values).clamp(0.0, 1.0);
    let losing = c.losing_threshold.get(values);
    let intervention_year = c.intervention_from_year.get(values);
    // The case gives the probability over the eligible years; the timeline applies it as a
    // constant yearly hazard over them.
    let eligible = spec
        .years
        .iter()
        .filter(|y| y.year as f64 >= intervention_year)
        .count()
        .max(1) as f64;
    let p_losing =
        1.0 - (1.0 - c.p_intervention_if_losing.get(values).clamp(0.0, 1.0)).powf(1.0 / eligible);
    let shock_p = c.west_policy_shock_p.get(values).clamp(0.0, 1.0);
    let shock_size = c.west_policy_shock_size.get(values);
    let mil_share = c.military_share_capitulation.get(values).clamp(0.0, 1.0);
    let west0 = spec.initial[ix.west_alignment].max(1e-9);
    let pw0 = c.p_western_support.get(values);

    let mut game = spec.game_base;
    for (field, i) in &spec.game_params {
        *field(&mut game) = values[*i];
    }
    let base_year = spec.first_year - 1;

    // Policy state of the patron's subsidies: the share it keeps paying after cuts, and
    // whether it compensates the tax maneuver (after the client accepted).
    let mut keep = 1.0;
    let mut relief = false;
    let n_issues = spec.issues.len();
    let mut military_forecast = f64::NAN;

    for (y, ey) in spec.years.iter().enumerate() {
        if s[ix.intervened] >= 0.5 {
            // Absorbing: the state stays; forecasts repeat.
            finish_year(spec, s, y, n_issues, out, None);
            if y > 0 {
                let (a, b) = out.forecast.split_at_mut(y * n_issues);
                b[..n_issues].copy_from_slice(&a[(y - 1) * n_issues..]);
            }
            out.subsidy_usd_bn[y] = 0.0;
            out.oil_price[y] = f64::NAN;
            continue;
        }
        // 1. Economics.
        // Yearly prices are independent log-normal draws around the level, with a log sd of
        // σ/√2 so that the year-to-year log change has the case's sd σ.
        let z: f64 = rng.sample(StandardNormal);
        let sd = oil_sigma * std::f64::consts::FRAC_1_SQRT_2;
        let oil = oil_level * (sd * z - 0.5 * sd * sd).exp();
        let p_t = leverage_econ::duty::usd_per_tonne(oil);
        let full = leverage_econ::duty::duty(p_t, ey.k, 1.0);
        let now = leverage_econ::duty::duty(p_t, ey.k, ey.multiplier);
        let gas = (gas_ref - gas_paid).max(0.0) * spec.gas_volume_bcm * 1e-3;
        let crude = ey.refinery_mt * now * 1e-3;
        let recl = ey.reclearance_mt * now * 1e-3;
        let products =
            (c.product_exports_mt.get(values) * c.product_duty_ratio.get(values) * now * 1e-3)
                .min(crude.max(0.0));
        let compensation = if relief {
            relief_share * (ey.refinery_mt + ey.reclearance_mt) * (full - now) * 1e-3
        } else {
            0.0
        };
        let gdp = spec.gdp_base_usd_bn * (1.0 + growth).powi(ey.year - spec.gdp_base_year);
        let base = match spec.fixed_subsidy_pct {
            Some(pct) => pct / 100.0 * gdp,
            None => gas + crude + recl + products,
        };
        let subsidy = keep * base + compensation;
        let subsidy_pct = if gdp > 0.0 {
            100.0 * subsidy / gdp
        } else {
            0.0
        };
        s[ix.subsidy_gdp] = clamp(subsidy_pct, spec.bounds[ix.subsidy_gdp]);
        out.subsidy_usd_bn[y] = subsidy;
        out.oil_price[y] = oil;

        // 2. Salience moves with the economics (linkage) and the patron's resolve.
        let ramp = ((ey.year - base_year) as f64 / (peak_year - base_year as f64).max(1.0))
            .clamp(0.0, 1.0);
        let resolve = 1.0 + (resolve_peak - 1.0) * ramp;
        let energy_factor = if spec.subsidy_base_pct > 0.0 {
            (subsidy_pct / spec.subsidy_base_pct).clamp(0.25, 2.0)
        } else {
            1.0
        };
        // 3. Bargaining: the compromise model (capability × salience weighted mean).
        for (k, iss) in spec.issues.iter().enumerate() {
            scratch.weights.clear();
            for (j, &a) in iss.actors.iter().enumerate() {
                let f = match (iss.group, spec.sides[a]) {
                    (Group::Integration, Side::Patron) => resolve,
                    (Group::Energy, Side::Client) => energy_factor,
                    _ => 1.0,
                };
                scratch
                    .weights
                    .push(iss.capability[j] * iss.salience[j] * f);
            }
            let f = leverage_bargain::weighted_mean(&scratch.positions[k], &scratch.weights);
            out.forecast[y * n_issues + k] = if f.is_finite() { f } else { f64::NAN };
        }
        let mut mil_sum = 0.0;
        let mut mil_n = 0;
        for (k, iss) in spec.issues.iter().enumerate() {
            if iss.group == Group::Military && out.forecast[y * n_issues + k].is_finite() {
                mil_sum += out.forecast[y * n_issues + k];
                mil_n += 1;
            }
        }
        if mil_n > 0 {
            military_forecast = mil_sum / mil_n as f64;
        }

        // 4. Decision point.
        let mut terminal = None;
        if ey.decision || s[ix.tension] >= threshold {
            let terms = out.forecast[y * n_issues + spec.terms_issue];
            game.terms = if terms.is_finite() {
                terms.clamp(0.0, 100.0)
            } else {
                game.terms
            };
            game.terms_status_quo = s[ix.econ_integration].clamp(0.0, 99.0);
            if let Some(p) = spec.client_position {
                game.minsk_ideal_terms = scratch.positions[spec.terms_issue][p].clamp(0.0, 99.0);
            }
            game.subsidy_pct_gdp = s[ix.subsidy_gdp].max(0.0);
            game.gdp_usd_bn = gdp.max(0.0);
            game.resolve_moscow = resolve.max(0.0);
            game.conflict_appetite_minsk = if ey.pre_election {
                c.conflict_appetite.get(values).max(1e-3)
            } else {
                1.0
            };
            game.p_western_support = (pw0 * s[ix.west_alignment] / west0).clamp(0.0, 1.0);
            let sol = ultimatum_fast::logit(&game, lambda);
            let t = pick(&sol.probabilities, rng);
            terminal = Some(t);
            transition(
                spec,
                s,
                t,
                game.terms,
                military_forecast,
                values,
                &mut keep,
                &mut relief,
                cut_share,
                mil_share,
            );
        } else {
            s[ix.tension] *= decay;
        }

        // 5. Exogenous shocks and drift.
        let tension = s[ix.tension];
        s[ix.west_alignment] += c.west_drift.get(values) * (tension - 50.0) / 50.0;
        if rng.random::<f64>() < shock_p {
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            s[ix.west_alignment] += sign * shock_size;
        }
        if (ey.year as f64) >= intervention_year
            && s[ix.west_alignment] >= losing
            && s[ix.econ_integration] < 75.0
            && rng.random::<f64>() < p_losing
        {
            s[ix.intervened] = 1.0;
        }
        for (v, b) in s.iter_mut().zip(&spec.bounds) {
            *v = clamp(*v, *b);
        }
        finish_year(spec, s, y, n_issues, out, terminal);
    }
    scratch.state = state;
}

/// Writes year `y`'s state, terminal and scenario.
fn finish_year(
    spec: &Spec,
    s: &[f64],
    y: usize,
    _n_issues: usize,
    out: &mut Path,
    t: Option<usize>,
) {
    let n = s.len();
    out.state[y * n..(y + 1) * n].copy_from_slice(s);
    out.terminal[y] = t.map_or(NO_DECISION, |t| t as u8);
    out.scenario[y] = spec.classify(s).map_or(UNCLASSIFIED, |k| k as u8);
}

/// Draws a terminal from the probabilities.
fn pick(p: &[f64; TERMINALS], rng: &mut ChaCha8Rng) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    let mut last = 0;
    for (t, &pt) in p.iter().enumerate() {
        if pt > 0.0 {
            last = t;
        }
        acc += pt;
        if u < acc {
            return t;
        }
    }
    last
}

/// The state transition after the ultimatum ended at terminal `t`.
#[allow(clippy::too_many_arguments)]
fn transition(
    spec: &Spec,
    s: &mut [f64],
    t: usize,
    terms: f64,
    military_forecast: f64,
    values: &[f64],
    keep: &mut f64,
    relief: &mut bool,
    cut_share: f64,
    mil_share: f64,
) {
    let c = &spec.coefs;
    let ix = spec.idx;
    let decay = c.tension_decay.get(values).clamp(0.0, 1.0);
    let (kind, answer) = ultimatum_fast::terminal_kind(t);
    let step = match answer {
        Answer::None => 0.0,
        Answer::Stall => c.tension_stall.get(values),
        Answer::RefuseSupported | Answer::RefuseAlone => c.tension_refusal.get(values),
    };
    if answer == Answer::RefuseSupported {
        s[ix.west_alignment] += c.west_shift_support.get(values);
    }
    let integrate = |s: &mut [f64]| {
        s[ix.econ_integration] = s[ix.econ_integration].max(terms);
    };
    match kind {
        Kind::NoDemand => s[ix.tension] *= decay,
        Kind::Accept => {
            integrate(s);
            *relief = true;
            s[ix.tension] *= decay;
        }
        Kind::BackDown => s[ix.tension] += step,
        Kind::CapitulateEconomic => {
            integrate(s);
            s[ix.tension] += step;
        }
        Kind::CapitulatePressure => {
            integrate(s);
            if military_forecast.is_finite() {
                let m = s[ix.military_integration];
                s[ix.military_integration] = m + mil_share * (military_forecast.max(m) - m);
            }
            s[ix.tension] += step;
        }
        Kind::ResistEconomic | Kind::ResistPressure => {
            *keep *= 1.0 - cut_share;
            s[ix.tension] += step + c.tension_resistance.get(values);
        }
        Kind::Intervene => {
            s[ix.intervened] = 1.0;
            s[ix.tension] = spec.bounds[ix.tension].1;
        }
    }
}
