//! One path of the strategic deal, year by year, on the source paper's logic.
//!
//! The engine works on plain numbers: a [`Spec`] (built from a case by [`crate::wiring`]) holds
//! the actors, issues, the laws and agreements of each year and, for every input of
//! [`crate::inputs::INPUTS`], where its value comes from in a draw's parameter vector
//! ([`ParamRef`]). [`run`] takes that vector and the draw's random stream and writes the yearly
//! states, decisions and events into a [`Path`] without allocating (but for the weighted median
//! of bargain, when a draw picks it).
//!
//! A year runs the mechanisms of [`crate::mechanisms::MECHANISMS`] in order (each a
//! [`crate::mechanisms::Mechanism`] in its own module); `docs/simulation.md` gives each one's
//! formulas and the passage of the paper behind it:
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
//!
//! then the executor classifies the year's state against scenario boundaries drawn once per
//! path.

use rand_chacha::ChaCha8Rng;
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
    /// The case's export-duty law (`[econ]` duty_threshold, duty_base, barrels_per_tonne),
    /// when the ledger has a crude pillar; without one no duty is computed.
    pub duty_law: Option<leverage_econ::duty::DutyLaw>,
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
    pub(crate) state: Vec<f64>,
    pub(crate) positions: Vec<Vec<f64>>,
    pub(crate) weights: Vec<f64>,
    pub(crate) agg_pos: Vec<f64>,
    pub(crate) agg_w: Vec<f64>,
    pub(crate) shifts: Vec<f64>,
    pub(crate) projection: Vec<(f64, f64)>,
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

pub use crate::mechanisms::run_observed;

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
}
