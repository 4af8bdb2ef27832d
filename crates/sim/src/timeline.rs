//! One path of the strategic deal, year by year, on the source paper's logic.
//!
//! The engine works on plain numbers: a [`Spec`] (built from a case by [`crate::wiring`]) holds
//! the actors, issues, the laws and agreements of each year and, for every input of
//! [`crate::inputs::INPUTS`], where its value comes from in a draw's parameter vector
//! ([`ParamRef`]). [`run`] takes that vector and the draw's random stream and writes the yearly
//! states, decisions and events into a [`Path`] without allocating (but for the weighted median
//! of bargain, when a draw picks it).
//!
//! A year runs the mechanisms in order; `docs/simulation.md` gives each one's formulas and the
//! passage of the paper behind it:
//!
//! 1. **economics**: the subsidy from econ's formula ([`leverage_econ::ledger::formula`]) on the
//!    year's oil price, gas prices, the tax maneuver's duty, market access and loans, less what
//!    the patron has cut;
//! 2. **bargaining**: salience follows the subsidy (client) and the resolve (patron); every issue
//!    is forecast by bargain's models under the draw's actor weighting;
//! 3. **the deal**: the patron demands in stages (the economic terms, then more after an
//!    acceptance); at a decision point the crisis game is played on discounted values and one
//!    outcome drawn; a signed deal is implemented, stalled or withdrawn each year;
//! 4. **the military track**: basing and command demands at their own decision points;
//! 5. **stability**: the client's domestic stability, elections, succession, regime crises;
//! 6. **outside options**: West and China drift with tension; the patron's fear of losing;
//! 7. **classification** against scenario boundaries drawn once per path.

use leverage_bargain::Player;
use leverage_games::templates::UltimatumInputs;
use leverage_games::ultimatum_fast::{self, Answer, Kind, TERMINALS};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Where an input's value comes from in a draw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ParamRef {
    /// A constant (a fixed case parameter).
    Fixed(f64),
    /// The draw's value of the case parameter at this index.
    Param(usize),
    /// Not linked (an optional input the case does not use).
    Absent,
}

impl ParamRef {
    /// The value in a draw (NaN when absent).
    #[inline]
    pub fn get(&self, values: &[f64]) -> f64 {
        match *self {
            ParamRef::Fixed(x) => x,
            ParamRef::Param(i) => values[i],
            ParamRef::Absent => f64::NAN,
        }
    }
}

/// A structural choice: where its option index comes from, and how the case parameter's options
/// map to the mechanism's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceRef {
    /// The option index in the case parameter's list (fixed or drawn).
    pub value: ParamRef,
    /// Mechanism option of each of the parameter's options.
    pub map: Vec<u8>,
}

impl ChoiceRef {
    /// A fixed mechanism option.
    pub fn fixed(option: u8) -> Self {
        ChoiceRef {
            value: ParamRef::Fixed(0.0),
            map: vec![option],
        }
    }
    /// The mechanism option in a draw.
    #[inline]
    pub fn get(&self, values: &[f64]) -> u8 {
        let i = self.value.get(values);
        let i = if i.is_finite() && i >= 0.0 {
            i as usize
        } else {
            0
        };
        self.map[i.min(self.map.len() - 1)]
    }
}

macro_rules! coefs {
    ($($name:ident),* $(,)?) => {
        /// The numeric inputs' values in one draw (fields named as the input keys).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
        #[allow(missing_docs)]
        pub struct Values {
            $(pub $name: f64,)*
        }
        /// The numeric inputs' keys, in [`Values`] field order.
        pub const COEF_KEYS: &[&str] = &[$(stringify!($name)),*];
        impl Values {
            /// Reads every input from its [`ParamRef`] (in [`COEF_KEYS`] order).
            pub fn read(refs: &[ParamRef], v: &[f64]) -> Self {
                let mut it = refs.iter();
                Values { $($name: it.next().map_or(f64::NAN, |r| r.get(v)),)* }
            }
        }
    };
}

coefs! {
    oil_price_path, oil_volatility, gas_reference_path, gas_price_paid_path, gdp_growth,
    client_gdp, market_access_rent, loan_need, loan_rate, market_rate, loan_maturity, loan_grace,
    gas_netback_duty_rate, gas_netback_transport,
    position_noise, resolve_patron, resolve_peak_year,
    qre_lambda, discount_rate_client, discount_rate_patron, tension_threshold, tension_decay,
    tension_stall, tension_refusal, tension_resistance, subsidy_cut_share, subsidy_relief_share,
    market_restriction_share, demand_raise, implementation_rate, stall_withholding,
    withdrawal_cost,
    value_military_patron, sovereignty_cost_military, military_share_capitulation,
    arms_offer_value,
    real_growth, stability_recovery, stability_per_subsidy_pp, stability_per_growth_pp,
    election_shock, pressure_stability_hit, crisis_threshold, p_crisis, p_succession,
    p_regime_change_in_crisis, succession_west_shift,
    west_drift, china_drift, diversification_rate, west_shift_support, china_shift_support, west_policy_shock_p,
    west_policy_shock_size, losing_threshold, intervention_from_year, p_intervention_if_losing,
    p_western_support, p_china_support,
    value_integration_patron, sovereignty_cost_client, sovereignty_convexity, subsidy_recapture, coercion_cost_patron,
    pressure_cost_patron, pressure_cost_client, audience_cost_patron, audience_cost_client,
    conflict_appetite_client, open_conflict_cost_client, support_value_client, drift_loss_patron,
    p_intervention_success, intervention_cost_patron, regime_loss_client,
    boundary_band,
}

/// Which side an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Side {
    /// The patron.
    Patron,
    /// The client.
    Client,
    /// Anyone else (an outsider who only influences).
    Other,
}

/// What the timeline does with an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Group {
    /// Integration terms: the patron's salience grows with its resolve.
    Integration,
    /// Energy and money: the client's salience follows the subsidy at stake.
    Energy,
    /// Military integration: its forecast is the patron's military demand.
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
    /// The issue's status quo (0–100), if the case gives one.
    pub status_quo: Option<f64>,
    /// Actor index (into [`Spec::sides`]) of each position.
    pub actors: Vec<usize>,
    /// Capabilities.
    pub capability: Vec<f64>,
    /// Positions, 0–100.
    pub position: Vec<f64>,
    /// Saliences, 0–1.
    pub salience: Vec<f64>,
}

/// The laws, agreements and calendar of one simulated year (not uncertain).
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
    /// A decision point of the economic track (an event tagged `decision`).
    pub decision: bool,
    /// A decision point of the military track (an event tagged `military` and `decision`).
    pub military_decision: bool,
    /// The client's election falls in this year.
    pub election: bool,
    /// Up to and including the client's next election: pre-election restraint.
    pub pre_election: bool,
}

/// Indices of the state variables the timeline updates, in the case's `[[state]]` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct StateIndex {
    pub subsidy_gdp: usize,
    pub econ_integration: usize,
    pub econ_signed: usize,
    pub military_integration: usize,
    pub west_alignment: usize,
    pub china_alignment: usize,
    pub tension: usize,
    pub stability: usize,
    pub intervened: usize,
}

/// The state variables the timeline needs, with what each means.
pub const STATE_VARS: &[(&str, &str)] = &[
    ("subsidy_gdp", "the subsidy at stake, % of the client's GDP"),
    (
        "econ_integration",
        "economic integration in force (0-100, the terms issue's scale)",
    ),
    (
        "econ_signed",
        "economic integration signed (0-100), at least what is in force",
    ),
    (
        "military_integration",
        "military integration in force (0-100)",
    ),
    (
        "west_alignment",
        "the client's alignment with the patron's rival bloc, the engine's West role (0-100)",
    ),
    (
        "china_alignment",
        "the client's partnership with a partner who does not confront the patron, the engine's China role (0-100)",
    ),
    ("tension", "bilateral tension (0-100)"),
    (
        "stability",
        "the client regime's domestic stability (0-100)",
    ),
    ("intervened", "flag: the patron intervened (absorbing)"),
];

/// A scenario boundary: one state variable compared with one constant, as the rules write it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Boundary {
    /// State variable index.
    pub var: usize,
    /// The constant as written.
    pub value: f64,
    /// Half-width cap: half the gap to the nearest other boundary on the same variable (so
    /// drawn boundaries never cross, and the rules stay a partition).
    pub cap: f64,
}

/// The client's subsidy in the base year, by component, for one gas-reference method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaseYear {
    /// Gas, USD bn.
    pub gas: f64,
    /// Duty-free crude, USD bn.
    pub crude: f64,
    /// Re-clearance, USD bn.
    pub reclearance: f64,
    /// Loans, USD bn.
    pub loans: f64,
    /// Other discounts and transfers (electricity, food, grants, military aid, rents), USD bn:
    /// held at the base year's level in the projection, and cut like the rest.
    pub other: f64,
}

impl BaseYear {
    /// The subsidy at stake the ledger's year gives: its total, a negative gas gap counted as
    /// no gas subsidy (as the projection counts it: the client would not pay above its
    /// alternative).
    pub fn total(&self) -> f64 {
        self.gas.max(0.0) + self.crude + self.reclearance + self.loans + self.other
    }
}

/// The economics of the base year (`as_of`) the projection starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EconBase {
    /// Gas imported, bcm a year.
    pub gas_volume_bcm: f64,
    /// The client's GDP in the base year, USD bn.
    pub gdp_usd_bn: f64,
    /// The base year.
    pub year: i32,
    /// The ledger's base year: gross reference, and netback when the case allows it.
    pub ledger: [Option<BaseYear>; 2],
    /// A case without economics links: the subsidy at stake, % of GDP, every year (before the
    /// patron's cuts).
    pub fixed_pct: Option<f64>,
}

/// The optional mechanisms a case turns on (by declaring their state variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Enabled {
    /// The subsidy is projected from the economics engine's ledger (`[econ]` links).
    pub ledger: bool,
    /// The ledger has a crude pillar (duty-free crude): the oil price is projected.
    pub crude: bool,
    /// The ledger has a gas pillar: the gas prices are projected.
    pub gas: bool,
    /// Signing and implementing are apart (`econ_signed`).
    pub implementation: bool,
    /// The military track (`military_integration`).
    pub military: bool,
    /// Domestic stability (`stability`).
    pub stability: bool,
    /// The West as an outside option (`west_alignment`).
    pub west: bool,
    /// China as an outside option (`china_alignment`).
    pub china: bool,
}

/// Everything a path needs, as plain numbers and indices.
#[derive(Debug, Clone)]
pub struct Spec {
    /// First simulated year: the year of `as_of` when it falls in January–June, else the next.
    pub first_year: i32,
    /// The years.
    pub years: Vec<EconYear>,
    /// State variable ids, in order.
    pub state_names: Vec<String>,
    /// Initial state.
    pub initial: Vec<f64>,
    /// Bounds of each state variable.
    pub bounds: Vec<(f64, f64)>,
    /// Where the timeline's variables are (a mechanism the case leaves out keeps its variable
    /// in a hidden slot after the case's own).
    pub idx: StateIndex,
    /// The optional mechanisms turned on.
    pub enabled: Enabled,
    /// Initial values of the hidden slots.
    pub hidden: Vec<f64>,
    /// Side of every actor.
    pub sides: Vec<Side>,
    /// The issues.
    pub issues: Vec<IssueSpec>,
    /// The issue whose forecast is the patron's economic demand.
    pub terms_issue: usize,
    /// The client's own actor index, if declared.
    pub client_actor: Option<usize>,
    /// The base year's economics.
    pub econ: EconBase,
    /// Numeric inputs in [`COEF_KEYS`] order.
    pub coefs: Vec<ParamRef>,
    /// `actor_weighting`: 0 all, 1 no outsiders, 2 each state once.
    pub weighting: ChoiceRef,
    /// `terms_model`: 0 compromise, 1 weighted median, 2 Nash bargaining between the sides.
    pub terms_model: ChoiceRef,
    /// `gas_reference_method`: 0 gross, 1 netback.
    pub gas_method: ChoiceRef,
    /// The scenario ids of [`Spec::rules`].
    pub rule_ids: Vec<String>,
    /// The scenario classifier: the first rule that holds (the case checks that exactly one
    /// does).
    pub rules: Vec<leverage_case::rule::CompiledRule>,
    /// The rules' boundaries on level variables, drawn once per path.
    pub boundaries: Vec<Boundary>,
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
    /// Where input `key` comes from (for tests and what-ifs: set it with [`Spec::set`]).
    pub fn coef(&self, key: &str) -> Option<ParamRef> {
        COEF_KEYS
            .iter()
            .position(|k| *k == key)
            .map(|i| self.coefs[i])
    }
    /// Makes input `key` come from `r`; false if no numeric input has that key.
    pub fn set(&mut self, key: &str, r: ParamRef) -> bool {
        match COEF_KEYS.iter().position(|k| *k == key) {
            Some(i) => {
                self.coefs[i] = r;
                true
            }
            None => false,
        }
    }
    /// The scenario index of a state at the boundaries as written, if a rule holds.
    pub fn classify(&self, state: &[f64]) -> Option<usize> {
        self.rules.iter().position(|r| r.eval(state))
    }
    /// The scenario index of a state with the boundaries moved by `shifts` (one per
    /// [`Spec::boundaries`]).
    pub fn classify_shifted(&self, state: &[f64], shifts: &[f64]) -> Option<usize> {
        let adjust = |var: usize, c: f64| {
            for (b, s) in self.boundaries.iter().zip(shifts) {
                if b.var == var && b.value == c {
                    return c + s;
                }
            }
            c
        };
        self.rules.iter().position(|r| r.eval_with(state, &adjust))
    }
}

/// Sentinel for "no decision point this year" in [`Path::terminal`].
pub const NO_DECISION: u8 = u8::MAX;
/// Sentinel for "no rule holds" in [`Path::scenario`].
pub const UNCLASSIFIED: u8 = u8::MAX;

/// What the client did with a signed deal in a year ([`Path::implementation`]).
pub mod implementation {
    /// Nothing signed beyond what is in force.
    pub const NONE: u8 = 0;
    /// Implemented part of the gap.
    pub const IMPLEMENT: u8 = 1;
    /// Stalled implementation.
    pub const STALL: u8 = 2;
    /// Withdrew from what it had signed and not implemented.
    pub const WITHDRAW: u8 = 3;
    /// Names, by code.
    pub const NAMES: [&str; 4] = ["none", "implement", "stall", "withdraw"];
}

/// Events of a year, as bits of [`Path::events`].
pub mod event {
    /// The client held an election.
    pub const ELECTION: u16 = 1;
    /// A transfer of power in the client, stable.
    pub const SUCCESSION: u16 = 1 << 1;
    /// A regime crisis broke out.
    pub const CRISIS: u16 = 1 << 2;
    /// The patron installed a loyal regime (regime change).
    pub const REGIME_CHANGE: u16 = 1 << 3;
    /// The patron intervened militarily (a Crimea-like operation).
    pub const INTERVENTION: u16 = 1 << 4;
    /// Support from the rival bloc (the West role) arrived after a refusal.
    pub const WEST_SUPPORT: u16 = 1 << 5;
    /// Support from the other partner (the China role) arrived after a refusal.
    pub const CHINA_SUPPORT: u16 = 1 << 6;
    /// The rival bloc's policy turned towards the client.
    pub const WEST_OPENS: u16 = 1 << 7;
    /// The rival bloc's policy turned away from the client.
    pub const WEST_CLOSES: u16 = 1 << 8;
    /// The patron cut subsidies (crude, gas) and restricted its market.
    pub const CUT: u16 = 1 << 9;
    /// The patron raised its demand (the political stage).
    pub const DEMAND_RAISED: u16 = 1 << 10;
    /// Names, by bit.
    pub const NAMES: [&str; 11] = [
        "election",
        "succession",
        "regime crisis",
        "regime change",
        "intervention",
        "rival-bloc support",
        "partner support",
        "rival bloc opens",
        "rival bloc closes",
        "subsidy cut",
        "demand raised",
    ];
}

/// One path: per year, the state after the year, the issue forecasts, the decisions and events,
/// and the scenario the state falls in. Buffers are reused across draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    /// `n_years × n_state`, row per year.
    pub state: Vec<f64>,
    /// `n_years × n_issues`, the bargaining forecast per year.
    pub forecast: Vec<f64>,
    /// Terminal of the economic track's crisis game per year ([`NO_DECISION`] if none).
    pub terminal: Vec<u8>,
    /// Terminal of the military track's game per year ([`NO_DECISION`] if none).
    pub military_terminal: Vec<u8>,
    /// What the client did with a signed deal ([`implementation`]).
    pub implementation: Vec<u8>,
    /// Events ([`event`] bits).
    pub events: Vec<u16>,
    /// The patron's economic demand per year (NaN without a game).
    pub demand: Vec<f64>,
    /// The patron's military demand per year (NaN without a game).
    pub military_demand: Vec<f64>,
    /// Scenario index per year ([`UNCLASSIFIED`] if no rule holds).
    pub scenario: Vec<u8>,
    /// Subsidy at stake per year, USD bn.
    pub subsidy_usd_bn: Vec<f64>,
    /// Oil price per year, USD per barrel.
    pub oil_price: Vec<f64>,
    /// The draw's structural choices: weighting, terms model, gas method.
    pub choices: [u8; 3],
}

impl Path {
    /// Buffers for paths of `spec`.
    pub fn new(spec: &Spec) -> Self {
        let y = spec.n_years();
        Path {
            state: vec![0.0; y * spec.n_state()],
            forecast: vec![0.0; y * spec.issues.len()],
            terminal: vec![NO_DECISION; y],
            military_terminal: vec![NO_DECISION; y],
            implementation: vec![0; y],
            events: vec![0; y],
            demand: vec![f64::NAN; y],
            military_demand: vec![f64::NAN; y],
            scenario: vec![UNCLASSIFIED; y],
            subsidy_usd_bn: vec![0.0; y],
            oil_price: vec![0.0; y],
            choices: [0; 3],
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
    agg_pos: Vec<f64>,
    agg_w: Vec<f64>,
    shifts: Vec<f64>,
    projection: Vec<(f64, f64)>,
}

/// The patron's stage of demands on the economic track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The economic terms (the terms issue's forecast).
    Economic,
    /// After an acceptance: more (the political stage).
    Political,
}

/// The annual equivalent of a stream: `(1 − δ) Σ_k δ^k f(k)` over the remaining years, the last
/// year's value held for ever after (δ = 1/(1 + r)).
fn annual_equivalent(r: f64, n: usize, f: impl Fn(usize) -> f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let delta = 1.0 / (1.0 + r.max(0.0));
    if delta >= 1.0 {
        // No discounting: the long run is the tail.
        return f(n - 1);
    }
    let mut pv = 0.0;
    let mut d = 1.0;
    for k in 0..n - 1 {
        pv += d * f(k);
        d *= delta;
    }
    pv += d / (1.0 - delta) * f(n - 1);
    pv * (1.0 - delta)
}

/// Everything a year's economics needs, fixed for the path.
struct Econ {
    /// GDP in a case without economics links (constant), USD bn.
    gdp: f64,
    oil_level: f64,
    oil_sd: f64,
    gas_reference_price: f64,
    gas_paid: f64,
    growth: f64,
    market_rent: f64,
    loans_grant: f64,
}

/// The discretionary subsidy in year `y` at oil price `oil` (USD bn): gas and crude the patron
/// prices below market, the re-clearance transfer, and the other discounts and transfers at
/// their base-year level.
fn discretionary(spec: &Spec, e: &Econ, y: usize, oil: f64) -> (f64, f64, f64) {
    use leverage_econ::ledger::formula;
    if let Some(pct) = spec.econ.fixed_pct {
        return (pct / 100.0 * e.gdp, 0.0, 0.0);
    }
    let ey = &spec.years[y.min(spec.years.len() - 1)];
    let p_t = leverage_econ::duty::usd_per_tonne(oil);
    let now = leverage_econ::duty::duty(p_t, ey.k, ey.multiplier);
    let full = leverage_econ::duty::duty(p_t, ey.k, 1.0);
    let gas = formula::gas(e.gas_reference_price, e.gas_paid, spec.econ.gas_volume_bcm).max(0.0);
    let crude = formula::duty_free(ey.refinery_mt, now);
    let recl = formula::duty_free(ey.reclearance_mt, now);
    // What the maneuver takes from the client in the year: the duty it no longer saves.
    let maneuver = formula::duty_free(ey.refinery_mt + ey.reclearance_mt, full - now);
    let other = spec.econ.ledger[0].map_or(0.0, |b| b.other);
    (gas + crude + recl + other, maneuver, now)
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

/// Logit choice among three values at precision λ; returns the index drawn.
fn logit3(values: [f64; 3], lambda: f64, rng: &mut ChaCha8Rng) -> usize {
    let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w = values.map(|v| (lambda * (v - top)).exp());
    let total: f64 = w.iter().sum();
    let u: f64 = rng.random::<f64>() * total;
    if u < w[0] {
        0
    } else if u < w[0] + w[1] {
        1
    } else {
        2
    }
}

/// The forecast of issue `k` under the draw's weighting and model.
#[allow(clippy::too_many_arguments)]
fn forecast_issue(
    spec: &Spec,
    iss: &IssueSpec,
    positions: &[f64],
    weights: &[f64],
    weighting: u8,
    model: u8,
    disagreement: f64,
    agg_pos: &mut Vec<f64>,
    agg_w: &mut Vec<f64>,
) -> f64 {
    agg_pos.clear();
    agg_w.clear();
    match weighting {
        // No outsiders: only the two sides' actors count.
        1 => {
            for (j, &a) in iss.actors.iter().enumerate() {
                if spec.sides[a] != Side::Other {
                    agg_pos.push(positions[j]);
                    agg_w.push(weights[j]);
                }
            }
            if agg_w.iter().sum::<f64>() <= 0.0 {
                agg_pos.clear();
                agg_w.clear();
                agg_pos.extend_from_slice(positions);
                agg_w.extend_from_slice(weights);
            }
        }
        // Each state once: a side's actors become one, at their weighted mean position with the
        // weight of the side's strongest voice; outsiders count as they are.
        2 => {
            for side in [Side::Patron, Side::Client] {
                let (mut sw, mut swx, mut top) = (0.0, 0.0, 0.0f64);
                for (j, &a) in iss.actors.iter().enumerate() {
                    if spec.sides[a] == side {
                        sw += weights[j];
                        swx += weights[j] * positions[j];
                        top = top.max(weights[j]);
                    }
                }
                if sw > 0.0 {
                    agg_pos.push(swx / sw);
                    agg_w.push(top);
                }
            }
            for (j, &a) in iss.actors.iter().enumerate() {
                if spec.sides[a] == Side::Other {
                    agg_pos.push(positions[j]);
                    agg_w.push(weights[j]);
                }
            }
        }
        _ => {
            agg_pos.extend_from_slice(positions);
            agg_w.extend_from_slice(weights);
        }
    }
    match model {
        1 => leverage_bargain::weighted_median(agg_pos, agg_w),
        2 => {
            // Nash bargaining between the two sides (each at its weighted mean position), the
            // status quo as the disagreement point: the terms both would accept.
            let mut players = [Player {
                capability: 0.0,
                position: 0.0,
                salience: 1.0,
            }; 2];
            for (p, side) in players.iter_mut().zip([Side::Patron, Side::Client]) {
                let (mut sw, mut swx) = (0.0, 0.0);
                for (j, &a) in iss.actors.iter().enumerate() {
                    if spec.sides[a] == side {
                        sw += weights[j];
                        swx += weights[j] * positions[j];
                    }
                }
                if sw > 0.0 {
                    p.capability = sw;
                    p.position = swx / sw;
                }
            }
            if players.iter().all(|p| p.capability > 0.0) {
                leverage_bargain::nbs::solve(&players, disagreement)
            } else {
                leverage_bargain::weighted_mean(agg_pos, agg_w)
            }
        }
        _ => leverage_bargain::weighted_mean(agg_pos, agg_w),
    }
}

/// The crisis game's inputs for one track in one year.
struct Track {
    terms: f64,
    status_quo: f64,
    ideal: f64,
    value: f64,
    sovereignty: f64,
    side_payment: f64,
}

/// Solves the crisis game for a track and draws its outcome.
fn play(
    base: &UltimatumInputs,
    t: &Track,
    lambda: f64,
    rng: &mut ChaCha8Rng,
) -> (usize, UltimatumInputs) {
    let mut g = *base;
    g.terms = t.terms.clamp(0.0, 100.0);
    g.terms_status_quo = t.status_quo.clamp(0.0, 99.0);
    // The client's cost is measured from the status quo, as the patron's gain is, on its convex
    // curve anchored at its own position (the template's `sovereignty_cost`).
    g.client_ideal_terms = t.ideal.clamp(0.0, 99.0);
    g.sovereignty_cost_client = t.sovereignty;
    g.value_integration_patron = t.value;
    g.side_payment = t.side_payment.max(0.0);
    let sol = ultimatum_fast::logit(&g, lambda);
    (pick(&sol.probabilities, rng), g)
}

/// Runs one path with the draw's parameter `values` and random stream `rng`.
pub fn run(
    spec: &Spec,
    values: &[f64],
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    out: &mut Path,
) {
    run_observed(spec, values, rng, scratch, out, &mut |_, _, _| {});
}

/// [`run`], calling `played(year index, military track, the game's inputs)` at every crisis
/// game the path plays (the same path: the observer draws nothing).
pub fn run_observed(
    spec: &Spec,
    values: &[f64],
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    out: &mut Path,
    played: &mut dyn FnMut(usize, bool, &UltimatumInputs),
) {
    let v = Values::read(&spec.coefs, values);
    let ix = spec.idx;
    let n_years = spec.n_years();
    let on = spec.enabled;
    let mut state = std::mem::take(&mut scratch.state);
    state.clear();
    state.extend_from_slice(&spec.initial);
    state.extend_from_slice(&spec.hidden);
    let s = &mut state[..];

    let weighting = spec.weighting.get(values);
    let model = spec.terms_model.get(values);
    let method = spec.gas_method.get(values);
    out.choices = [weighting, model, method];

    // Scenario boundaries of this path: each drawn uniformly in its band.
    scratch.shifts.clear();
    let band = v.boundary_band.max(0.0);
    for b in &spec.boundaries {
        let w = band.min(b.cap);
        let u: f64 = rng.random();
        scratch.shifts.push((2.0 * u - 1.0) * w);
    }

    // Positions of this path: the case's, each moved by a normal coding error.
    let noise = v.position_noise.max(0.0);
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

    // Economics fixed for the path.
    use leverage_econ::ledger::{GasReference, formula};
    let gas_method = if method == 1 {
        GasReference::Netback {
            export_duty_rate: v.gas_netback_duty_rate,
            transport_usd_tcm: v.gas_netback_transport,
        }
    } else {
        GasReference::Direct
    };
    let e = Econ {
        gdp: v.client_gdp,
        oil_level: v.oil_price_path.max(0.0),
        oil_sd: v.oil_volatility.max(0.0) * std::f64::consts::FRAC_1_SQRT_2,
        gas_reference_price: formula::gas_reference_price(gas_method, v.gas_reference_path),
        gas_paid: v.gas_price_paid_path,
        growth: v.gdp_growth / 100.0,
        // No market-access pillar in a case that does not declare one (NaN: not linked).
        market_rent: if v.market_access_rent.is_nan() {
            0.0
        } else {
            v.market_access_rent.max(0.0)
        },
        loans_grant: if v.loan_need.is_nan() {
            // No loans in this case's deal.
            0.0
        } else {
            formula::loans(
                v.loan_need.max(0.0),
                v.loan_rate / 100.0,
                v.market_rate / 100.0,
                v.loan_maturity,
                // No grace period unless the case links one.
                if v.loan_grace.is_nan() {
                    0.0
                } else {
                    v.loan_grace
                },
            )
            .max(0.0)
        },
    };
    // The base year's subsidy at stake: the ledger's total plus market access (loans are in the
    // ledger); the state starts from it, so the first year follows the base year on the same
    // formula. Without economics links, the case's initial share.
    let base_pct = match spec.econ.fixed_pct {
        Some(pct) => pct + 100.0 * e.market_rent / e.gdp.max(1e-9),
        None => {
            let base_ledger = spec.econ.ledger[method as usize]
                .or(spec.econ.ledger[0])
                .map_or(0.0, |b| b.total());
            100.0 * (base_ledger + e.market_rent) / spec.econ.gdp_usd_bn.max(1e-9)
        }
    };
    s[ix.subsidy_gdp] =
        base_pct.clamp(spec.bounds[ix.subsidy_gdp].0, spec.bounds[ix.subsidy_gdp].1);

    // The precision is per percentage point of the client's GDP a year, so one coefficient fits
    // a small client and a large one alike (the payoffs are in USD bn a year).
    let gdp_base = match spec.econ.fixed_pct {
        Some(_) => e.gdp,
        None => spec.econ.gdp_usd_bn,
    };
    let lambda = (v.qre_lambda.max(0.0) * 100.0 / gdp_base.max(1e-9)).min(1e6);
    let decay = v.tension_decay.clamp(0.0, 1.0);
    let cut_share = v.subsidy_cut_share.clamp(0.0, 1.0);
    let mut levers = Levers {
        keep: 1.0,
        open: 1.0,
        cut: cut_share,
        restrict: v.market_restriction_share.clamp(0.0, 1.0),
    };
    let relief_share = v.subsidy_relief_share.clamp(0.0, 1.0);
    let base_year = spec.first_year - 1;
    let eligible = spec
        .years
        .iter()
        .filter(|y| y.year as f64 >= v.intervention_from_year)
        .count()
        .max(1) as f64;
    let p_losing = if on.west {
        1.0 - (1.0 - v.p_intervention_if_losing.clamp(0.0, 1.0)).powf(1.0 / eligible)
    } else {
        0.0
    };
    // Initial values, the hidden slots' included.
    let west0 = s[ix.west_alignment].max(1e-9);
    let china0 = s[ix.china_alignment].max(1e-9);
    let stab0 = s[ix.stability];

    let mut game = UltimatumInputs {
        subsidy_recapture: v.subsidy_recapture,
        coercion_cost_patron: v.coercion_cost_patron,
        pressure_cost_patron: v.pressure_cost_patron,
        pressure_cost_client: v.pressure_cost_client,
        audience_cost_patron: v.audience_cost_patron.clamp(0.0, 1.0),
        audience_cost_client: v.audience_cost_client.clamp(0.0, 1.0),
        conflict_appetite_client: 1.0,
        open_conflict_cost_client: v.open_conflict_cost_client,
        support_value_client: v.support_value_client,
        drift_loss_patron: v.drift_loss_patron,
        p_intervention_success: v.p_intervention_success.clamp(0.0, 1.0),
        intervention_cost_patron: v.intervention_cost_patron,
        regime_loss_client: v.regime_loss_client,
        // Set at each decision point (the year's terms, track, subsidy, support, restraint).
        terms: 0.0,
        terms_status_quo: 0.0,
        client_ideal_terms: 0.0,
        value_integration_patron: 0.0,
        resolve_patron: 1.0,
        sovereignty_cost_client: 0.0,
        subsidy_pct_gdp: 0.0,
        gdp_usd_bn: 0.0,
        p_western_support: 0.0,
        p_china_support: 0.0,
        side_payment: 0.0,
        signing_cost_client: 0.0,
        sovereignty_convexity: 1.0,
    };

    // Policy state: the share of the discretionary subsidy the patron keeps paying, the share of
    // its market it keeps open, whether a signed deal holds (compensation and loans flow), and
    // the stage of its demands.
    let mut deal = false;
    let mut stage = Stage::Economic;
    let n_issues = spec.issues.len();
    let client_terms_ideal = spec
        .client_actor
        .and_then(|c| {
            let iss = &spec.issues[spec.terms_issue];
            iss.actors
                .iter()
                .position(|&a| a == c)
                .map(|j| scratch.positions[spec.terms_issue][j])
        })
        .unwrap_or(s[ix.econ_integration]);
    let client_military_ideal = {
        let (mut sum, mut n) = (0.0, 0);
        if let Some(c) = spec.client_actor {
            for (k, iss) in spec.issues.iter().enumerate() {
                if iss.group == Group::Military
                    && let Some(j) = iss.actors.iter().position(|&a| a == c)
                {
                    sum += scratch.positions[k][j];
                    n += 1;
                }
            }
        }
        if n > 0 {
            sum / n as f64
        } else {
            s[ix.military_integration]
        }
    };

    for (y, ey) in spec.years.iter().enumerate() {
        out.terminal[y] = NO_DECISION;
        out.military_terminal[y] = NO_DECISION;
        out.implementation[y] = implementation::NONE;
        out.events[y] = 0;
        out.demand[y] = f64::NAN;
        out.military_demand[y] = f64::NAN;
        if s[ix.intervened] >= 0.5 {
            // Absorbing: the state stays; forecasts repeat.
            if y > 0 {
                let (a, b) = out.forecast.split_at_mut(y * n_issues);
                b[..n_issues].copy_from_slice(&a[(y - 1) * n_issues..]);
            } else {
                out.forecast[..n_issues].fill(f64::NAN);
            }
            out.subsidy_usd_bn[y] = 0.0;
            out.oil_price[y] = f64::NAN;
            finish_year(spec, s, y, &scratch.shifts, out);
            continue;
        }
        let remaining = n_years - y;

        // 1. Economics (paper §3-4: the subsidy is energy below market, market access and
        // loans; the tax maneuver takes the crude discount away).
        let oil = if on.ledger {
            let z: f64 = rng.sample(StandardNormal);
            e.oil_level * (e.oil_sd * z - 0.5 * e.oil_sd * e.oil_sd).exp()
        } else {
            f64::NAN
        };
        let gdp = if spec.econ.fixed_pct.is_some() {
            e.gdp
        } else {
            spec.econ.gdp_usd_bn * (1.0 + e.growth).powi(ey.year - spec.econ.year)
        };
        let (disc, maneuver, _) = discretionary(spec, &e, y, oil);
        let relief = relief_share * maneuver;
        let withheld = if out_stalled_last(out, y) {
            1.0 - v.stall_withholding.clamp(0.0, 1.0)
        } else {
            1.0
        };
        let sweeteners = if deal {
            (relief + e.loans_grant) * withheld
        } else {
            0.0
        };
        let subsidy = levers.keep * disc + levers.open * e.market_rent + sweeteners;
        let subsidy_pct = if gdp > 0.0 {
            100.0 * subsidy / gdp
        } else {
            0.0
        };
        s[ix.subsidy_gdp] = subsidy_pct;
        out.subsidy_usd_bn[y] = subsidy;
        out.oil_price[y] = oil;

        // The streams as the leaders see them this year, oil held at this year's price. What
        // is at stake in a confrontation is what coercion actually takes (the share of the
        // discretionary subsidy the patron cuts and of the market it closes: the transitions
        // below), not the whole subsidy, much of which the tax maneuver removes anyway.
        let proj = &mut scratch.projection;
        proj.clear();
        for k in 0..remaining {
            let (d, m, _) = discretionary(spec, &e, y + k, oil);
            proj.push((d, m));
        }
        let proj = &scratch.projection;
        let threat = |k: usize| levers.taken(proj[k].0, e.market_rent);
        let at_stake_eq = annual_equivalent(v.discount_rate_client, remaining, threat);
        let sweet_eq = annual_equivalent(v.discount_rate_client, remaining, |k| {
            relief_share * proj[k].1 + e.loans_grant
        });
        let recapture_ratio = if at_stake_eq > 0.0 {
            annual_equivalent(v.discount_rate_patron, remaining, threat) / at_stake_eq
        } else {
            1.0
        };

        // 2. Salience and the bargaining forecast (paper §8: Moscow links relief to
        // integration, its domestic needs raise its resolve; Minsk's stakes follow the subsidy).
        let ramp = ((ey.year - base_year) as f64
            / (v.resolve_peak_year - base_year as f64).max(1.0))
        .clamp(0.0, 1.0);
        let resolve = 1.0 + (v.resolve_patron - 1.0) * ramp;
        let energy_factor = if base_pct > 0.0 {
            (subsidy_pct / base_pct).clamp(0.25, 2.0)
        } else {
            1.0
        };
        let mut military_forecast = 0.0;
        let mut military_n = 0;
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
            let disagreement = if k == spec.terms_issue {
                s[ix.econ_signed]
            } else if iss.group == Group::Military {
                s[ix.military_integration]
            } else {
                iss.status_quo.unwrap_or(50.0)
            };
            let f = forecast_issue(
                spec,
                iss,
                &scratch.positions[k],
                &scratch.weights,
                weighting,
                model,
                disagreement,
                &mut scratch.agg_pos,
                &mut scratch.agg_w,
            );
            let f = if f.is_finite() {
                f.clamp(0.0, 100.0)
            } else {
                f64::NAN
            };
            out.forecast[y * n_issues + k] = f;
            if iss.group == Group::Military && f.is_finite() {
                military_forecast += f;
                military_n += 1;
            }
        }
        let military_forecast = if military_n > 0 {
            military_forecast / military_n as f64
        } else {
            f64::NAN
        };

        // The game's inputs common to both tracks this year.
        game.subsidy_pct_gdp = if gdp > 0.0 {
            100.0 * at_stake_eq / gdp
        } else {
            0.0
        };
        game.gdp_usd_bn = gdp.max(0.0);
        game.subsidy_recapture = (v.subsidy_recapture * recapture_ratio).clamp(0.0, 1.0);
        game.resolve_patron = resolve.max(0.0);
        game.p_western_support = if on.west {
            (v.p_western_support * s[ix.west_alignment] / west0).clamp(0.0, 1.0)
        } else {
            0.0
        };
        game.p_china_support = if on.china {
            (v.p_china_support * s[ix.china_alignment] / china0).clamp(0.0, 1.0)
        } else {
            0.0
        };
        // An unstable regime fears open conflict more (paper §8: the cushion shrinks).
        let fragility = (stab0 / s[ix.stability].max(1.0)).clamp(0.5, 4.0);
        game.open_conflict_cost_client = v.open_conflict_cost_client * fragility;
        // Pre-election restraint (paper: Lukashenko needs calm before the 2020 campaign): a
        // visible concession costs as much as an open break, so the leader stalls.
        let restraint = if ey.pre_election {
            let appetite = v.conflict_appetite_client.max(1e-6);
            game.conflict_appetite_client = appetite;
            game.open_conflict_cost_client * (1.0 / appetite - 1.0).max(0.0)
        } else {
            game.conflict_appetite_client = 1.0;
            0.0
        };
        game.signing_cost_client = restraint;
        game.sovereignty_convexity = v.sovereignty_convexity.max(1e-3);

        // 3. The economic track: the patron's demand in stages (paper §5: the action plan
        // first, then the tax code, supranational bodies and "a federation from 2022").
        let signed = s[ix.econ_signed];
        let raised = stage == Stage::Political;
        let demand = match stage {
            Stage::Economic => out.forecast[y * n_issues + spec.terms_issue],
            Stage::Political => signed + v.demand_raise.clamp(0.0, 1.0) * (100.0 - signed),
        };
        let pressing = ey.decision || s[ix.tension] >= v.tension_threshold;
        let mut tension_moved = false;
        // A patron that gains nothing from the terms makes no demand.
        let gains = v.value_integration_patron * resolve > 0.0;
        if pressing && gains && demand.is_finite() && demand > signed + 0.5 {
            out.demand[y] = demand;
            let track = Track {
                terms: demand,
                status_quo: signed,
                ideal: client_terms_ideal,
                value: v.value_integration_patron,
                sovereignty: v.sovereignty_cost_client,
                side_payment: if deal { 0.0 } else { sweet_eq },
            };
            let (t, inputs) = play(&game, &track, lambda, rng);
            played(y, false, &inputs);
            out.terminal[y] = t as u8;
            tension_moved = true;
            let (kind, answer) = ultimatum_fast::terminal_kind(t);
            let step = answer_step(&v, answer);
            support(&v, answer, &game, s, ix, rng, &mut out.events[y]);
            match kind {
                Kind::NoDemand => s[ix.tension] *= decay,
                Kind::Accept => {
                    s[ix.econ_signed] = signed.max(demand);
                    deal = true;
                    stage = Stage::Political;
                    s[ix.tension] *= decay;
                }
                Kind::BackDown => s[ix.tension] += step,
                Kind::CapitulateEconomic | Kind::CapitulatePressure => {
                    // Signed under coercion: the terms stand, without the sweeteners an
                    // acceptance earns (the game counts the side payment at Accept only).
                    s[ix.econ_signed] = signed.max(demand);
                    stage = Stage::Political;
                    s[ix.tension] += step;
                    if kind == Kind::CapitulatePressure
                        && on.military
                        && military_forecast.is_finite()
                    {
                        let m = s[ix.military_integration];
                        s[ix.military_integration] =
                            m + v.military_share_capitulation.clamp(0.0, 1.0)
                                * (military_forecast.max(m) - m);
                    }
                }
                Kind::ResistEconomic | Kind::ResistPressure | Kind::Intervene => {
                    confront(spec, &v, kind, step, &mut levers, s, &mut out.events[y]);
                }
            }
        }

        // Implementation of what is signed (paper §5: 20+ road maps agreed, 5 deadlocked; Minsk
        // "will not sign what contradicts the constitution"): implement, stall or withdraw.
        let in_force = s[ix.econ_integration];
        let signed = s[ix.econ_signed];
        if !on.implementation {
            // Signing is implementing.
            s[ix.econ_integration] = s[ix.econ_signed];
        } else if s[ix.intervened] < 0.5 && signed > in_force + 0.5 {
            let mut curve = game;
            curve.client_ideal_terms = client_terms_ideal.clamp(0.0, 99.0);
            curve.sovereignty_cost_client = v.sovereignty_cost_client;
            let cost = |x: f64| curve.sovereignty_level(x);
            // Yearly values against stalling (which keeps the signature and the subsidy, loses
            // the withheld share of the sweeteners, and raises tension): implementing pays the
            // sovereignty cost of the step for good and releases the withheld sweeteners;
            // withdrawing loses the sweeteners and the share of the subsidy the patron cuts.
            let w = v.stall_withholding.clamp(0.0, 1.0);
            let rate = v.implementation_rate.clamp(0.0, 1.0);
            let step = cost(in_force + rate * (signed - in_force)) - cost(in_force);
            // The sweeteners count only while an accepted deal holds (terms signed under
            // coercion bring none).
            let sweet = if deal { sweet_eq } else { 0.0 };
            let u_implement = w * sweet - step - restraint;
            let u_stall = 0.0;
            let u_withdraw = -(1.0 - w) * sweet - at_stake_eq - v.withdrawal_cost - restraint;
            match logit3([u_implement, u_stall, u_withdraw], lambda, rng) {
                0 => {
                    out.implementation[y] = implementation::IMPLEMENT;
                    s[ix.econ_integration] = in_force + rate * (signed - in_force);
                }
                1 => {
                    out.implementation[y] = implementation::STALL;
                    s[ix.tension] += v.tension_stall;
                    tension_moved = true;
                }
                _ => {
                    out.implementation[y] = implementation::WITHDRAW;
                    s[ix.econ_signed] = in_force;
                    deal = false;
                    stage = Stage::Economic;
                    levers.apply();
                    out.events[y] |= event::CUT;
                    s[ix.tension] += v.tension_refusal;
                    tension_moved = true;
                }
            }
        }
        if raised && out.terminal[y] != NO_DECISION {
            out.events[y] |= event::DEMAND_RAISED;
        }

        // 4. The military track (paper §8: bases, command of the Regional Group of Forces, a
        // capability gap closed by bases; its decision points are its own).
        // The patron escalates in stages: the military demand comes at the track's own
        // decision points, and at every pressing decision point once the economic terms are
        // signed (the political-military stage).
        if on.military
            && v.value_military_patron * resolve > 0.0
            && s[ix.intervened] < 0.5
            && (ey.military_decision || (stage == Stage::Political && pressing))
            && military_forecast.is_finite()
            && military_forecast > s[ix.military_integration] + 0.5
        {
            out.military_demand[y] = military_forecast;
            let track = Track {
                terms: military_forecast,
                status_quo: s[ix.military_integration],
                ideal: client_military_ideal,
                value: v.value_military_patron,
                sovereignty: v.sovereignty_cost_military,
                side_payment: v.arms_offer_value,
            };
            let (t, inputs) = play(&game, &track, lambda, rng);
            played(y, true, &inputs);
            out.military_terminal[y] = t as u8;
            let (kind, answer) = ultimatum_fast::terminal_kind(t);
            // No demand and an acceptance leave tension to the year's decay.
            tension_moved |= !matches!(kind, Kind::NoDemand | Kind::Accept);
            let step = answer_step(&v, answer);
            support(&v, answer, &game, s, ix, rng, &mut out.events[y]);
            match kind {
                Kind::NoDemand => {}
                Kind::Accept | Kind::CapitulateEconomic | Kind::CapitulatePressure => {
                    s[ix.military_integration] = s[ix.military_integration].max(military_forecast);
                    s[ix.tension] += if kind == Kind::Accept { 0.0 } else { step };
                }
                Kind::BackDown => s[ix.tension] += step,
                Kind::ResistEconomic | Kind::ResistPressure | Kind::Intervene => {
                    confront(spec, &v, kind, step, &mut levers, s, &mut out.events[y]);
                }
            }
        }
        if !tension_moved {
            s[ix.tension] *= decay;
        }

        // 5. Domestic stability (paper §7, scenario 5: a transfer of power in 5-10 years;
        // §3: the subsidy was the regime's economic cushion).
        if ey.election {
            out.events[y] |= event::ELECTION;
        }
        if on.stability && s[ix.intervened] < 0.5 {
            let lost = (base_pct - subsidy_pct).max(0.0);
            s[ix.stability] += v.stability_recovery.clamp(0.0, 1.0) * (stab0 - s[ix.stability])
                + v.stability_per_growth_pp * v.real_growth
                - v.stability_per_subsidy_pp * lost;
            if ey.election {
                s[ix.stability] -= v.election_shock;
            }
            let below = s[ix.stability] < v.crisis_threshold;
            let mut crisis = below && rng.random::<f64>() < v.p_crisis.clamp(0.0, 1.0);
            if rng.random::<f64>() < v.p_succession.clamp(0.0, 1.0) {
                if below {
                    crisis = true;
                } else {
                    out.events[y] |= event::SUCCESSION;
                    if on.west {
                        s[ix.west_alignment] += v.succession_west_shift;
                    }
                    s[ix.tension] *= decay;
                }
            }
            if crisis {
                out.events[y] |= event::CRISIS;
                if rng.random::<f64>() < v.p_regime_change_in_crisis.clamp(0.0, 1.0) {
                    s[ix.intervened] = 1.0;
                    out.events[y] |= event::REGIME_CHANGE;
                } else {
                    // The regime survives and restores order.
                    s[ix.stability] = s[ix.stability].max(v.crisis_threshold);
                    s[ix.tension] += v.tension_refusal;
                }
            }
        }

        // 6. Outside options (paper §8: the West and China raise Minsk's resistance and
        // Moscow's fear of loss; China helps without confronting Moscow).
        // The client hedges under tension (calm pulls it back), and diversifies towards a
        // partner in proportion to the partner's readiness to help (its support probability this
        // year): the paper's rebalancing keeps formally good ties with Moscow.
        let (t_lo, t_hi) = spec.bounds[ix.tension];
        let pull = (s[ix.tension].clamp(t_lo, t_hi) - 50.0) / 50.0;
        let free = s[ix.intervened] < 0.5;
        if on.china && free {
            s[ix.china_alignment] +=
                v.china_drift * pull + v.diversification_rate * game.p_china_support;
        }
        if on.west && free && rng.random::<f64>() < v.west_policy_shock_p.clamp(0.0, 1.0) {
            if rng.random::<bool>() {
                s[ix.west_alignment] += v.west_policy_shock_size;
                out.events[y] |= event::WEST_OPENS;
            } else {
                s[ix.west_alignment] -= v.west_policy_shock_size;
                out.events[y] |= event::WEST_CLOSES;
            }
        }
        if on.west && free {
            s[ix.west_alignment] +=
                v.west_drift * pull + v.diversification_rate * game.p_western_support;
        }
        if on.west
            && s[ix.intervened] < 0.5
            && (ey.year as f64) >= v.intervention_from_year
            && s[ix.west_alignment] >= v.losing_threshold
            && rng.random::<f64>() < p_losing
        {
            s[ix.intervened] = 1.0;
            out.events[y] |= event::INTERVENTION;
        }
        // What is in force never exceeds what is signed.
        s[ix.econ_signed] = s[ix.econ_signed].max(s[ix.econ_integration]);
        if !on.implementation {
            s[ix.econ_signed] = s[ix.econ_integration];
        }
        for (x, b) in s.iter_mut().zip(&spec.bounds) {
            *x = x.clamp(b.0, b.1);
        }
        finish_year(spec, s, y, &scratch.shifts, out);
    }
    scratch.state = state;
}

/// The patron's economic levers: the share of the discretionary subsidy it keeps paying and of
/// its market it keeps open, and what one round of coercion takes of each.
struct Levers {
    keep: f64,
    open: f64,
    cut: f64,
    restrict: f64,
}

impl Levers {
    /// What one more round of coercion would take from a year with discretionary subsidy `disc`
    /// and market rent `rent`.
    fn taken(&self, disc: f64, rent: f64) -> f64 {
        self.cut * self.keep * disc + self.restrict * self.open * rent
    }
    /// One round of coercion: the cut and the market restriction.
    fn apply(&mut self) {
        self.keep *= 1.0 - self.cut;
        self.open *= 1.0 - self.restrict;
    }
}

/// What follows resistance or an intervention, the same on both tracks: resisting costs the
/// client a round of coercion (and stability under pressure) and raises tension; an
/// intervention is absorbing.
fn confront(
    spec: &Spec,
    v: &Values,
    kind: Kind,
    step: f64,
    levers: &mut Levers,
    s: &mut [f64],
    events: &mut u16,
) {
    let ix = spec.idx;
    if kind == Kind::Intervene {
        s[ix.intervened] = 1.0;
        *events |= event::INTERVENTION;
        s[ix.tension] = spec.bounds[ix.tension].1;
        return;
    }
    levers.apply();
    *events |= event::CUT;
    s[ix.tension] += step + v.tension_resistance;
    if kind == Kind::ResistPressure && spec.enabled.stability {
        s[ix.stability] -= v.pressure_stability_hit;
    }
}

/// Whether the client stalled implementation in the year before `y`.
fn out_stalled_last(out: &Path, y: usize) -> bool {
    y > 0 && out.implementation[y - 1] == implementation::STALL
}

/// Tension added by the client's answer.
fn answer_step(v: &Values, answer: Answer) -> f64 {
    match answer {
        Answer::None => 0.0,
        Answer::Stall => v.tension_stall,
        Answer::RefuseSupported | Answer::RefuseAlone => v.tension_refusal,
    }
}

/// After a supported refusal: which outside partner came, and the alignment it moves.
fn support(
    v: &Values,
    answer: Answer,
    game: &UltimatumInputs,
    s: &mut [f64],
    ix: StateIndex,
    rng: &mut ChaCha8Rng,
    events: &mut u16,
) {
    if answer != Answer::RefuseSupported {
        return;
    }
    let (pw, pc) = (game.p_western_support, game.p_china_support);
    // Support arrived: each partner came with its probability given that one did.
    let p_any = 1.0 - (1.0 - pw) * (1.0 - pc);
    if p_any <= 0.0 {
        return;
    }
    let u: f64 = rng.random::<f64>() * p_any;
    // West only, China only, or both, in proportion to their probabilities.
    let west_only = pw * (1.0 - pc);
    let china_only = pc * (1.0 - pw);
    let (west, china) = if u < west_only {
        (true, false)
    } else if u < west_only + china_only {
        (false, true)
    } else {
        (true, true)
    };
    if west {
        s[ix.west_alignment] += v.west_shift_support;
        *events |= event::WEST_SUPPORT;
    }
    if china {
        s[ix.china_alignment] += v.china_shift_support;
        *events |= event::CHINA_SUPPORT;
    }
}

/// Writes year `y`'s state and scenario.
fn finish_year(spec: &Spec, s: &[f64], y: usize, shifts: &[f64], out: &mut Path) {
    let n = spec.n_state();
    let s = &s[..n];
    out.state[y * n..(y + 1) * n].copy_from_slice(s);
    out.scenario[y] = spec
        .classify_shifted(s, shifts)
        .map_or(UNCLASSIFIED, |k| k as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coef_keys_follow_inputs() {
        let numeric: Vec<&str> = crate::inputs::INPUTS
            .iter()
            .filter(|i| matches!(i.kind, crate::inputs::Kind::Number { .. }))
            .map(|i| i.key)
            .collect();
        assert_eq!(numeric, COEF_KEYS);
    }

    #[test]
    fn annual_equivalent_of_a_constant_is_the_constant() {
        for r in [0.0, 0.05, 0.3] {
            for n in [1, 3, 6] {
                let a = annual_equivalent(r, n, |_| 2.5);
                assert!((a - 2.5).abs() < 1e-12, "{r} {n} {a}");
            }
        }
    }

    /// A stream that falls to zero after two years, at 10 %: (1 − δ)(1 + δ) of its value, by hand.
    #[test]
    fn annual_equivalent_of_a_shrinking_stream() {
        let d = 1.0 / 1.1;
        let a = annual_equivalent(0.1, 3, |k| if k < 2 { 1.0 } else { 0.0 });
        assert!((a - (1.0 - d) * (1.0 + d)).abs() < 1e-12);
        // Less discounting weighs the lost future more: the equivalent falls.
        assert!(annual_equivalent(0.01, 3, |k| if k < 2 { 1.0 } else { 0.0 }) < a);
    }
}
