//! The inputs the scenario engine's mechanisms read, declared in one place.
//!
//! Each input has a key (under the case's `[sim]`, `[econ]` or `[game]` table), the mechanism
//! that reads it, its unit, the range a value must stay in, what it means, and the passage of the
//! source paper (or the model) it comes from. Nothing here carries a value: a case links every
//! required key to one of its `[[param]]` records, and a missing link is an error that names the
//! key and the mechanism ([`crate::wiring::spec`]), never a fallback to a number of another case.
//!
//! A parameter whose distribution can leave its input's range is an error with the parameter's
//! location ([`crate::wiring::check`]): a probability drawn from a normal distribution, say.

use serde::Serialize;

/// Which case table links an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// `[sim]`.
    Sim,
    /// `[econ]`.
    Econ,
    /// `[game]`.
    Game,
}

impl Table {
    /// The table's name as written in a case.
    pub fn name(self) -> &'static str {
        match self {
            Table::Sim => "sim",
            Table::Econ => "econ",
            Table::Game => "game",
        }
    }
}

/// The mechanisms of the yearly process (`docs/simulation.md` has one section each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MechanismId {
    /// The subsidy projected from the economics engine's formula.
    Economics,
    /// Salience, positions and the bargaining forecast of the terms.
    Bargaining,
    /// The economic track: demands in stages, the crisis game, signing, implementation.
    Deal,
    /// The military track: basing and command demands at their own decision points.
    Military,
    /// The client's domestic stability, elections, succession, regime crises.
    Stability,
    /// The West and China as outside options; the patron's fear of losing the client.
    Outside,
    /// Classification of the state into the case's scenarios.
    Classification,
}

impl MechanismId {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            MechanismId::Economics => "economics",
            MechanismId::Bargaining => "bargaining",
            MechanismId::Deal => "deal",
            MechanismId::Military => "military track",
            MechanismId::Stability => "domestic stability",
            MechanismId::Outside => "outside options",
            MechanismId::Classification => "classification",
        }
    }
}

/// What kind of value an input takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Kind {
    /// A number in `[min, max]`.
    Number {
        /// Lowest allowed value.
        min: f64,
        /// Highest allowed value.
        max: f64,
    },
    /// A structural choice: a `dist = "choice"` parameter whose options are among these names.
    Choice(&'static [&'static str]),
}

/// When an input must be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Always.
    Always,
    /// When the case declares this `[[state]]` (which turns its mechanism on).
    State(&'static str),
    /// When the case declares an outside partner (`west_alignment` or `china_alignment`).
    Partner,
    /// When the case links the economics engine (`[econ]`): the subsidy is projected from the
    /// ledger.
    Ledger,
    /// When it does not: the subsidy at stake stays at its initial share of GDP.
    NoLedger,
    /// When the ledger has a crude pillar (the case links `[econ] crude_duty_free`).
    Crude,
    /// When the ledger has a gas pillar (the case links `[econ] gas_volume`).
    Gas,
    /// Never: the case may leave it out (a subsidy pillar it does not have, a structural choice
    /// it does not sample); groups are checked together by the wiring.
    Optional,
}

/// One input of a mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Input {
    /// The key a case writes.
    pub key: &'static str,
    /// The table the key belongs to.
    pub table: Table,
    /// The mechanism that reads it.
    pub mechanism: MechanismId,
    /// Unit.
    pub unit: &'static str,
    /// Allowed values.
    pub kind: Kind,
    /// When a case must link it for the ensemble to run.
    pub need: Need,
    /// What it means.
    pub meaning: &'static str,
}

const INF: f64 = f64::INFINITY;

const fn num(
    key: &'static str,
    table: Table,
    mechanism: MechanismId,
    unit: &'static str,
    min: f64,
    max: f64,
    meaning: &'static str,
) -> Input {
    Input {
        key,
        table,
        mechanism,
        unit,
        kind: Kind::Number { min, max },
        need: Need::Always,
        meaning,
    }
}

const fn optional(
    key: &'static str,
    table: Table,
    mechanism: MechanismId,
    unit: &'static str,
    min: f64,
    max: f64,
    meaning: &'static str,
) -> Input {
    let mut i = num(key, table, mechanism, unit, min, max, meaning);
    i.need = Need::Optional;
    i
}

const fn choice(
    key: &'static str,
    mechanism: MechanismId,
    options: &'static [&'static str],
    meaning: &'static str,
) -> Input {
    Input {
        key,
        table: Table::Sim,
        mechanism,
        unit: "choice",
        kind: Kind::Choice(options),
        need: Need::Optional,
        meaning,
    }
}

const fn needs(mut i: Input, need: Need) -> Input {
    i.need = need;
    i
}

use MechanismId as M;
use Table as T;

/// Options of `actor_weighting`.
pub const WEIGHTING: &[&str] = &["all", "no_outsiders", "states_once"];
/// Options of `terms_model`.
pub const TERMS_MODEL: &[&str] = &["compromise", "median", "nbs"];
/// Options of `gas_reference_method`.
pub const GAS_METHOD: &[&str] = &["gross", "netback"];

/// Every input; the numeric ones in the order of [`crate::timeline::Values`].
pub const INPUTS: &[Input] = &[
    // Economics.
    needs(
        num(
            "oil_price_path",
            T::Econ,
            M::Economics,
            "USD per barrel",
            0.0,
            1000.0,
            "level of the world oil price over the horizon (the price the patron's export duty is computed on)",
        ),
        Need::Crude,
    ),
    needs(
        num(
            "oil_volatility",
            T::Sim,
            M::Economics,
            "log sd a year",
            0.0,
            3.0,
            "year-to-year volatility of the oil price",
        ),
        Need::Crude,
    ),
    needs(
        num(
            "gas_reference_path",
            T::Sim,
            M::Economics,
            "USD per 1000 m³",
            0.0,
            5000.0,
            "reference price of the patron's gas (the price without the deal)",
        ),
        Need::Gas,
    ),
    needs(
        num(
            "gas_price_paid_path",
            T::Sim,
            M::Economics,
            "USD per 1000 m³",
            0.0,
            5000.0,
            "price the client pays for the patron's gas",
        ),
        Need::Gas,
    ),
    needs(
        num(
            "gdp_growth",
            T::Econ,
            M::Economics,
            "% a year (USD, nominal)",
            -90.0,
            100.0,
            "growth of the client's GDP in current dollars",
        ),
        Need::Ledger,
    ),
    needs(
        num(
            "client_gdp",
            T::Sim,
            M::Economics,
            "USD bn",
            0.0,
            INF,
            "the client's GDP (a case without [econ] links: the subsidy at stake stays at its initial share of it)",
        ),
        Need::NoLedger,
    ),
    needs(
        num(
            "market_access_rent",
            T::Sim,
            M::Economics,
            "USD bn a year",
            0.0,
            INF,
            "what privileged access to the patron's market is worth to the client",
        ),
        Need::Optional,
    ),
    needs(
        num(
            "loan_need",
            T::Sim,
            M::Economics,
            "USD bn a year",
            0.0,
            INF,
            "refinancing the patron lends while a deal holds (blocked otherwise)",
        ),
        Need::Optional,
    ),
    needs(
        num(
            "loan_rate",
            T::Sim,
            M::Economics,
            "% a year",
            0.0,
            100.0,
            "interest rate of the patron's loans",
        ),
        Need::Optional,
    ),
    needs(
        num(
            "market_rate",
            T::Sim,
            M::Economics,
            "% a year",
            0.0,
            100.0,
            "the client's market borrowing rate (discounts the loans' payments)",
        ),
        Need::Optional,
    ),
    needs(
        num(
            "loan_maturity",
            T::Sim,
            M::Economics,
            "years",
            1.0,
            100.0,
            "maturity of the patron's loans",
        ),
        Need::Optional,
    ),
    needs(
        num(
            "loan_grace",
            T::Sim,
            M::Economics,
            "years",
            0.0,
            100.0,
            "grace period of the patron's loans (interest only); none when not linked",
        ),
        Need::Optional,
    ),
    optional(
        "gas_netback_duty_rate",
        T::Sim,
        M::Economics,
        "share",
        0.0,
        1.0,
        "the patron's gas export duty (netback reference only)",
    ),
    optional(
        "gas_netback_transport",
        T::Sim,
        M::Economics,
        "USD per 1000 m³",
        0.0,
        5000.0,
        "transport from the client's border to the reference market (netback only)",
    ),
    // Bargaining.
    num(
        "position_noise",
        T::Sim,
        M::Bargaining,
        "scale points",
        0.0,
        100.0,
        "sd of the error of each coded position, drawn once a path",
    ),
    num(
        "resolve_patron",
        T::Sim,
        M::Bargaining,
        "multiplier",
        0.0,
        100.0,
        "the patron's resolve at its peak year, on the salience of integration",
    ),
    num(
        "resolve_peak_year",
        T::Sim,
        M::Bargaining,
        "year",
        1000.0,
        3000.0,
        "year the patron's resolve peaks (its own power transfer)",
    ),
    // The deal.
    num(
        "qre_lambda",
        T::Sim,
        M::Deal,
        "1 / (% of the client's GDP a year)",
        0.0,
        INF,
        "precision of the leaders' logit choices, per percentage point of the client's GDP (a payoff gap of 1 % of GDP a year multiplies the odds by e^λ)",
    ),
    num(
        "discount_rate_client",
        T::Sim,
        M::Deal,
        "share a year",
        0.0,
        1.0,
        "the client's discount rate on future subsidies",
    ),
    num(
        "discount_rate_patron",
        T::Sim,
        M::Deal,
        "share a year",
        0.0,
        1.0,
        "the patron's discount rate on the subsidy it recaptures",
    ),
    num(
        "tension_threshold",
        T::Sim,
        M::Deal,
        "0-100",
        0.0,
        100.0,
        "tension at which the patron presses its demand outside the calendar",
    ),
    num(
        "tension_decay",
        T::Sim,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of tension that persists through a calm year",
    ),
    num(
        "tension_stall",
        T::Sim,
        M::Deal,
        "0-100",
        0.0,
        100.0,
        "tension added by a stall",
    ),
    num(
        "tension_refusal",
        T::Sim,
        M::Deal,
        "0-100",
        0.0,
        100.0,
        "tension added by an open refusal or a withdrawal",
    ),
    num(
        "tension_resistance",
        T::Sim,
        M::Deal,
        "0-100",
        0.0,
        100.0,
        "tension added by resisting coercion",
    ),
    num(
        "subsidy_cut_share",
        T::Sim,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of the discretionary subsidy cut when the client resists or withdraws",
    ),
    num(
        "subsidy_relief_share",
        T::Sim,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of the tax maneuver's cost compensated while a signed deal holds",
    ),
    num(
        "market_restriction_share",
        T::Sim,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of the market-access rent withdrawn when the client resists",
    ),
    num(
        "demand_raise",
        T::Sim,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of the remaining way to full integration the patron adds after an acceptance",
    ),
    needs(
        num(
            "implementation_rate",
            T::Sim,
            M::Deal,
            "share a year",
            0.0,
            1.0,
            "share of the gap between signed and in-force terms implemented in a year of implementing",
        ),
        Need::State("econ_signed"),
    ),
    needs(
        num(
            "stall_withholding",
            T::Sim,
            M::Deal,
            "share",
            0.0,
            1.0,
            "share of the deal's benefits the patron withholds while the client stalls implementation",
        ),
        Need::State("econ_signed"),
    ),
    needs(
        num(
            "withdrawal_cost",
            T::Sim,
            M::Deal,
            "USD bn a year",
            0.0,
            INF,
            "the client's cost of withdrawing from a signed deal (credibility, retaliation beyond the cut)",
        ),
        Need::State("econ_signed"),
    ),
    // Military track.
    needs(
        num(
            "value_military_patron",
            T::Sim,
            M::Military,
            "USD bn a year",
            0.0,
            INF,
            "value to the patron of full military integration (bases, command)",
        ),
        Need::State("military_integration"),
    ),
    needs(
        num(
            "sovereignty_cost_military",
            T::Sim,
            M::Military,
            "USD bn a year",
            0.0,
            INF,
            "the client's cost of full military integration",
        ),
        Need::State("military_integration"),
    ),
    needs(
        num(
            "military_share_capitulation",
            T::Sim,
            M::Military,
            "share",
            0.0,
            1.0,
            "share of the military demand conceded when the client capitulates to pressure on the economic track",
        ),
        Need::State("military_integration"),
    ),
    needs(
        num(
            "arms_offer_value",
            T::Sim,
            M::Military,
            "USD bn a year",
            0.0,
            INF,
            "arms on preferential terms offered for bases (the capability gap)",
        ),
        Need::State("military_integration"),
    ),
    // Domestic stability.
    needs(
        num(
            "real_growth",
            T::Sim,
            M::Stability,
            "% a year",
            -50.0,
            50.0,
            "the client's real GDP growth",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "stability_recovery",
            T::Sim,
            M::Stability,
            "share a year",
            0.0,
            1.0,
            "share of the gap to the initial stability recovered in a year",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "stability_per_subsidy_pp",
            T::Sim,
            M::Stability,
            "points per pp of GDP",
            0.0,
            100.0,
            "stability lost a year per percentage point of GDP of subsidy lost against the base year",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "stability_per_growth_pp",
            T::Sim,
            M::Stability,
            "points per pp",
            0.0,
            100.0,
            "stability gained a year per percentage point of real growth",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "election_shock",
            T::Sim,
            M::Stability,
            "0-100",
            0.0,
            100.0,
            "stability lost in a year with the client's election",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "pressure_stability_hit",
            T::Sim,
            M::Stability,
            "0-100",
            0.0,
            100.0,
            "stability lost when the client resists military-political pressure (blockade, active measures)",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "crisis_threshold",
            T::Sim,
            M::Stability,
            "0-100",
            0.0,
            100.0,
            "stability below which a regime crisis can break out",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "p_crisis",
            T::Sim,
            M::Stability,
            "probability a year",
            0.0,
            1.0,
            "yearly probability of a regime crisis below the threshold",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "p_succession",
            T::Sim,
            M::Stability,
            "probability a year",
            0.0,
            1.0,
            "yearly probability of a transfer of power in the client",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "p_regime_change_in_crisis",
            T::Sim,
            M::Stability,
            "probability",
            0.0,
            1.0,
            "probability the patron installs a loyal regime when a crisis breaks out",
        ),
        Need::State("stability"),
    ),
    needs(
        num(
            "succession_west_shift",
            T::Sim,
            M::Stability,
            "0-100",
            -100.0,
            100.0,
            "move of Western alignment after a stable transfer of power",
        ),
        Need::State("stability"),
    ),
    // Outside options.
    needs(
        num(
            "west_drift",
            T::Sim,
            M::Outside,
            "0-100 a year",
            0.0,
            100.0,
            "Western alignment gained a year at maximal tension (lost at none)",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "china_drift",
            T::Sim,
            M::Outside,
            "0-100 a year",
            0.0,
            100.0,
            "Chinese alignment gained a year at maximal tension (lost at none)",
        ),
        Need::State("china_alignment"),
    ),
    needs(
        num(
            "diversification_rate",
            T::Sim,
            M::Outside,
            "0-100 a year",
            0.0,
            100.0,
            "alignment gained a year with a partner certain to help (scaled by its support probability)",
        ),
        Need::Partner,
    ),
    needs(
        num(
            "west_shift_support",
            T::Sim,
            M::Outside,
            "0-100",
            0.0,
            100.0,
            "Western alignment gained when Western support arrives after a refusal",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "china_shift_support",
            T::Sim,
            M::Outside,
            "0-100",
            0.0,
            100.0,
            "Chinese alignment gained when Chinese support arrives after a refusal",
        ),
        Need::State("china_alignment"),
    ),
    needs(
        num(
            "west_policy_shock_p",
            T::Sim,
            M::Outside,
            "probability a year",
            0.0,
            1.0,
            "yearly probability of a change of Western policy",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "west_policy_shock_size",
            T::Sim,
            M::Outside,
            "0-100",
            0.0,
            100.0,
            "size of such a change",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "losing_threshold",
            T::Sim,
            M::Outside,
            "0-100",
            0.0,
            100.0,
            "Western alignment at which the patron believes it is losing the client",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "intervention_from_year",
            T::Sim,
            M::Outside,
            "year",
            1000.0,
            3000.0,
            "first year the patron's contingency plans allow an intervention",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "p_intervention_if_losing",
            T::Sim,
            M::Outside,
            "probability",
            0.0,
            1.0,
            "probability of an intervention over the eligible years while the patron is losing",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "p_western_support",
            T::Game,
            M::Outside,
            "probability",
            0.0,
            1.0,
            "probability Western support arrives after a refusal, at the initial alignment",
        ),
        Need::State("west_alignment"),
    ),
    needs(
        num(
            "p_china_support",
            T::Game,
            M::Outside,
            "probability",
            0.0,
            1.0,
            "probability Chinese support arrives after a refusal, at the initial alignment",
        ),
        Need::State("china_alignment"),
    ),
    // The crisis game's other inputs (docs/games.md).
    num(
        "value_integration_patron",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "value to the patron of full economic-political integration",
    ),
    num(
        "sovereignty_cost_client",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the client's cost of full economic-political integration",
    ),
    num(
        "sovereignty_convexity",
        T::Game,
        M::Deal,
        "exponent",
        0.1,
        10.0,
        "curvature of the client's sovereignty cost (above 1: the last steps cost most)",
    ),
    num(
        "subsidy_recapture",
        T::Game,
        M::Deal,
        "share",
        0.0,
        1.0,
        "share of a cut subsidy the patron recovers",
    ),
    num(
        "coercion_cost_patron",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the patron's cost of economic coercion",
    ),
    num(
        "pressure_cost_patron",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the patron's cost of military-political pressure",
    ),
    num(
        "pressure_cost_client",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the client's harm from resisting military-political pressure",
    ),
    num(
        "audience_cost_patron",
        T::Game,
        M::Deal,
        "share",
        0.0,
        1.0,
        "the patron's cost of backing down, share of the demanded gain",
    ),
    num(
        "audience_cost_client",
        T::Game,
        M::Deal,
        "share",
        0.0,
        1.0,
        "the client's cost of giving in under coercion, share of the sovereignty given up",
    ),
    num(
        "conflict_appetite_client",
        T::Game,
        M::Deal,
        "multiplier",
        1e-6,
        INF,
        "the client's appetite for open conflict before its election (1 = normal)",
    ),
    num(
        "open_conflict_cost_client",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the client's domestic cost of open conflict at normal appetite",
    ),
    num(
        "support_value_client",
        T::Game,
        M::Outside,
        "USD bn a year",
        0.0,
        INF,
        "value to the client of outside support when it arrives",
    ),
    num(
        "drift_loss_patron",
        T::Game,
        M::Outside,
        "USD bn a year",
        0.0,
        INF,
        "the patron's loss when outside support arrives and the client is not integrated",
    ),
    num(
        "p_intervention_success",
        T::Game,
        M::Deal,
        "probability",
        0.0,
        1.0,
        "probability an intervention succeeds",
    ),
    num(
        "intervention_cost_patron",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the patron's cost of intervening",
    ),
    num(
        "regime_loss_client",
        T::Game,
        M::Deal,
        "USD bn a year",
        0.0,
        INF,
        "the client regime's loss if an intervention succeeds",
    ),
    // Classification.
    num(
        "boundary_band",
        T::Sim,
        M::Classification,
        "scale points",
        0.0,
        50.0,
        "half-width of the band each scenario boundary is drawn from (coding conventions are uncertain)",
    ),
    // Structural choices (optional).
    choice(
        "actor_weighting",
        M::Bargaining,
        WEIGHTING,
        "who counts in the bargaining: every coded actor, the two sides only, or each state once",
    ),
    choice(
        "terms_model",
        M::Bargaining,
        TERMS_MODEL,
        "the bargaining model whose forecast is the patron's demand",
    ),
    choice(
        "gas_reference_method",
        M::Economics,
        GAS_METHOD,
        "the gas reference: the gross border price, or its netback to the client's border",
    ),
];

/// Position of `key` in [`INPUTS`].
pub fn index(key: &str) -> Option<usize> {
    INPUTS.iter().position(|i| i.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The case reader accepts every key the mechanisms read, in the table they read it from.
    #[test]
    fn the_case_format_knows_every_key() {
        for i in INPUTS {
            let known = match i.table {
                Table::Sim => crate::links::SIM_LINKS.key(i.key).is_some(),
                Table::Econ => leverage_econ::links::LINKS.key(i.key).is_some(),
                Table::Game => crate::links::GAME_LINKS.key(i.key).is_some(),
            };
            assert!(
                known,
                "[{}] {} is not a key of the case format",
                i.table.name(),
                i.key
            );
        }
    }

    #[test]
    fn keys_are_unique() {
        for (i, a) in INPUTS.iter().enumerate() {
            assert!(
                INPUTS[i + 1..]
                    .iter()
                    .all(|b| b.key != a.key || b.table != a.table),
                "{} twice",
                a.key
            );
        }
    }
}
