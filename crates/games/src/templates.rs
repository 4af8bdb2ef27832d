//! Crisis-game templates built from plain inputs.
//!
//! Three trees, each from a struct of numbers (the layer above — the ensemble, or the CLI for a
//! single run — wires the case's parameters, the subsidy ledger and the bargaining forecast into
//! them; this crate imports neither):
//!
//! - [`ultimatum`]: the integration ultimatum between a patron and its client (first written
//!   for the Belarus–Russia case; every input and both names come from the case). The patron
//!   keeps the status quo or demands integration terms; the client accepts, stalls, or refuses
//!   and seeks outside support; nature decides whether support arrives (the patron sees whether
//!   it did); the patron backs down, coerces economically or applies military-political
//!   pressure; the client capitulates or resists; after resistance to pressure the patron
//!   relents or intervenes. Perfect information apart from the chance move, so
//!   [`crate::BackwardInduction`] solves it in every draw of an ensemble. Each terminal's
//!   outcome label starts with its outcome type ([`outcome_type_of`], [`OUTCOME_TYPES`]), the
//!   scenario types a case tags its scenarios with. [`subsidy_sweep`] tabulates how the
//!   equilibrium changes as the subsidy at stake moves.
//! - [`iig`]: Bueno de Mesquita & Lalman's International Interaction Game (*War and Reason*,
//!   1992), the tree of the reference file `b_iig_bdml.efg`, with payoffs per outcome
//!   ([`IigInputs`]) or from a documented utility parametrisation of our own ([`IigUtilities`]; not
//!   the book's cost terms, which were not available to check).
//! - [`crisis`]: a Fearon-style crisis with one-sided incomplete information about the
//!   defender's resolve, the tree of `c_crisis_incomplete.efg`.
//!
//! Payoff formulas and the worked example's sources: `docs/games.md`.

use crate::builder::{At, GameBuilder, NodeRef};
use crate::game::{Game, Mover, NodeId};
use crate::number::Number;
use crate::profile::outcome_distribution;
use crate::solve::BackwardInduction;
use serde::{Deserialize, Serialize};

/// Inputs a template refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum TemplateError {
    /// An input is not finite or lies outside the range it must lie in.
    #[error("input {field} = {value}: {expected}")]
    InvalidInput {
        /// The field's name.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// The crisis game needs at least one demand.
    #[error("the crisis game needs at least one demand")]
    NoDemands,
}

fn check(
    field: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    lo_open: bool,
    hi_open: bool,
    expected: &'static str,
) -> Result<(), TemplateError> {
    let ok = value.is_finite()
        && if lo_open { value > lo } else { value >= lo }
        && if hi_open { value < hi } else { value <= hi };
    if ok {
        Ok(())
    } else {
        Err(TemplateError::InvalidInput {
            field,
            value,
            expected,
        })
    }
}

fn unit(field: &'static str, v: f64) -> Result<(), TemplateError> {
    check(field, v, 0.0, 1.0, false, false, "a number in [0, 1]")
}

fn nonneg(field: &'static str, v: f64) -> Result<(), TemplateError> {
    check(
        field,
        v,
        0.0,
        f64::INFINITY,
        false,
        false,
        "a finite number ≥ 0",
    )
}

fn num(v: f64) -> Number {
    Number::from_f64(v)
}

// =================================================================================================
// The integration ultimatum
// =================================================================================================

/// The six outcome types of the ultimatum, in escalation order. Every terminal outcome of
/// [`ultimatum`] is an instance of one ([`outcome_type_of`]). They are the scenario types a case
/// tags its own `[[scenario]]`s with (`type = …`), so a case can say which of its scenarios a
/// game outcome stands for without the game knowing the case.
pub const OUTCOME_TYPES: [&str; 6] = [
    "status_quo",
    "negotiated_integration",
    "coerced_integration",
    "confrontation",
    "rebalancing",
    "intervention",
];

/// The outcome type an [`ultimatum`] outcome label is an instance of: the label itself or the
/// type before a `_suffix` (`"confrontation_alone_econ"` → `"confrontation"`). Returns `""`
/// for a label that is not an ultimatum outcome.
pub fn outcome_type_of(label: &str) -> &'static str {
    OUTCOME_TYPES
        .iter()
        .find(|s| {
            label == **s
                || (label.len() > s.len()
                    && label.starts_with(**s)
                    && label.as_bytes()[s.len()] == b'_')
        })
        .copied()
        .unwrap_or("")
}

/// Inputs of the integration-ultimatum game between a patron and its client. Money is in USD bn
/// per year (or a yearly equivalent); the payoffs are each side's gain relative to the status
/// quo, in those units.
///
/// There is no default: every input comes from a case (the wiring layer names the missing ones)
/// or from the caller. [`UltimatumInputs::example`] is a worked example for tests, benchmarks and
/// docs. Ranges in which the template is tested are in `docs/games.md`;
/// [`UltimatumInputs::validate`] enforces the hard limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UltimatumInputs {
    /// Integration terms the patron demands, on the terms issue's 0–100 scale (100 = the
    /// patron's full programme).
    pub terms: f64,
    /// The issue's status quo on the same scale; terms at or below it give the patron nothing.
    /// Must be < 100.
    pub terms_status_quo: f64,
    /// The client's own position on the scale; terms at or below it cost the client no
    /// sovereignty. Must be < 100.
    pub client_ideal_terms: f64,
    /// Value to the patron of full integration (terms 100), USD bn a year.
    pub value_integration_patron: f64,
    /// Multiplier on the patron's resolve (the salience of integration); 1 = its level at the
    /// case's as-of date.
    pub resolve_patron: f64,
    /// Cost to the client of full political integration (terms 100), USD bn a year.
    pub sovereignty_cost_client: f64,
    /// Subsidy at stake, % of the client's GDP: what the client loses when the patron coerces.
    pub subsidy_pct_gdp: f64,
    /// The client's GDP, USD bn, to turn the subsidy into money.
    pub gdp_usd_bn: f64,
    /// Share of the subsidy the patron recovers when it cuts it off (duty revenue kept, gas
    /// sold at the full price), 0–1.
    pub subsidy_recapture: f64,
    /// Cost to the patron of economic coercion (lost trade, disrupted transit, pushing the
    /// client toward its rivals), USD bn a year.
    pub coercion_cost_patron: f64,
    /// Cost to the patron of military-political pressure (bases demanded, border and customs
    /// posts, a blockade threat, active measures), USD bn a year.
    pub pressure_cost_patron: f64,
    /// Harm to the client of resisting military-political pressure, on top of the lost
    /// subsidy, USD bn a year.
    pub pressure_cost_client: f64,
    /// The patron's domestic cost of publicly backing down, 0–1, as a share of the value of
    /// The terms it demanded.
    pub audience_cost_patron: f64,
    /// The client leader's domestic cost of publicly giving in under coercion, 0–1, as a share
    /// of the sovereignty given up.
    pub audience_cost_client: f64,
    /// Multiplier on the client's willingness to escalate openly (1 = normal); the cost of
    /// open conflict is divided by it. Must be > 0.
    pub conflict_appetite_client: f64,
    /// Domestic-stability cost to the client of open conflict with the patron at normal
    /// appetite, USD bn a year equivalent.
    pub open_conflict_cost_client: f64,
    /// Probability that meaningful support from the patron's rival bloc (the "West" partner of
    /// The scenario engine) arrives if the client refuses.
    pub p_western_support: f64,
    /// Probability that support from a non-confrontational partner (the "China" partner of
    /// The scenario engine) arrives in time if the client refuses. Support arrives if either
    /// does (taken as independent).
    pub p_china_support: f64,
    /// Value to the client of outside support when it arrives, USD bn a year.
    pub support_value_client: f64,
    /// Loss to the patron when outside support arrives and the client is not integrated (the
    /// drift it fears), USD bn a year.
    pub drift_loss_patron: f64,
    /// Probability that an intervention (regime change, a military operation) succeeds.
    pub p_intervention_success: f64,
    /// Cost to the patron of intervening (sanctions, force, reputation), USD bn a year.
    pub intervention_cost_patron: f64,
    /// Loss to the client's regime if an intervention succeeds, USD bn a year equivalent.
    pub regime_loss_client: f64,
    /// What the patron pays the client on top of the subsidy when the client accepts
    /// (compensation, new loans, arms on preferential terms), USD bn a year. The one-shot game
    /// of a case offers none (0); the scenario engine passes the year's sweeteners.
    pub side_payment: f64,
    /// The client's domestic cost of a visible concession (signing the terms, or giving in to
    /// coercion or pressure), on top of the sovereignty given up, USD bn a year equivalent. The
    /// one-shot game of a case has none (0); the scenario engine passes the pre-election
    /// restraint here (a concession before an election costs as an open break does, so the
    /// leader stalls).
    pub signing_cost_client: f64,
    /// Curvature of the client's sovereignty cost: the cost of terms `t` is
    /// `sovereignty_cost_client × share(t)^γ`, share the way from the client's own position to
    /// 100. 1 is linear; above 1 the last steps (tax code, currency, supranational bodies) cost
    /// most, so conceding in small steps does not make the whole cheap. Must be > 0.
    pub sovereignty_convexity: f64,
}

impl UltimatumInputs {
    /// A worked example for tests, benchmarks and the docs: the default case's modes as first
    /// coded (Belarus–Russia as of 2019; sources in `docs/games.md`), not the central values
    /// `game` uses on that case today. No case inherits these
    /// numbers: the wiring layer fills every input from the case or names it as missing.
    pub fn example() -> Self {
        UltimatumInputs {
            terms: 72.0,
            terms_status_quo: 30.0,
            client_ideal_terms: 45.0,
            value_integration_patron: 8.0,
            resolve_patron: 1.0,
            sovereignty_cost_client: 5.0,
            subsidy_pct_gdp: 4.44,
            gdp_usd_bn: 64.4,
            subsidy_recapture: 0.5,
            coercion_cost_patron: 1.0,
            pressure_cost_patron: 2.0,
            pressure_cost_client: 2.0,
            audience_cost_patron: 0.4,
            audience_cost_client: 0.7,
            conflict_appetite_client: 0.6,
            open_conflict_cost_client: 1.0,
            p_western_support: 0.15,
            p_china_support: 0.30,
            support_value_client: 1.5,
            drift_loss_patron: 4.0,
            p_intervention_success: 0.7,
            intervention_cost_patron: 15.0,
            regime_loss_client: 30.0,
            side_payment: 0.0,
            signing_cost_client: 0.0,
            sovereignty_convexity: 1.0,
        }
    }
}

impl UltimatumInputs {
    /// Checks the hard limits: every input finite; terms in [0, 100]; the status-quo and
    /// The client's terms in [0, 100); probabilities, shares and audience costs in [0, 1]; the
    /// conflict appetite > 0; money and multipliers ≥ 0.
    pub fn validate(&self) -> Result<(), TemplateError> {
        let i = self;
        check(
            "terms",
            i.terms,
            0.0,
            100.0,
            false,
            false,
            "a position in [0, 100]",
        )?;
        check(
            "terms_status_quo",
            i.terms_status_quo,
            0.0,
            100.0,
            false,
            true,
            "a position in [0, 100)",
        )?;
        check(
            "client_ideal_terms",
            i.client_ideal_terms,
            0.0,
            100.0,
            false,
            true,
            "a position in [0, 100)",
        )?;
        check(
            "conflict_appetite_client",
            i.conflict_appetite_client,
            0.0,
            f64::INFINITY,
            true,
            true,
            "a finite multiplier > 0",
        )?;
        for (f, v) in [
            ("subsidy_recapture", i.subsidy_recapture),
            ("audience_cost_patron", i.audience_cost_patron),
            ("audience_cost_client", i.audience_cost_client),
            ("p_western_support", i.p_western_support),
            ("p_china_support", i.p_china_support),
            ("p_intervention_success", i.p_intervention_success),
        ] {
            unit(f, v)?;
        }
        for (f, v) in [
            ("value_integration_patron", i.value_integration_patron),
            ("resolve_patron", i.resolve_patron),
            ("sovereignty_cost_client", i.sovereignty_cost_client),
            ("subsidy_pct_gdp", i.subsidy_pct_gdp),
            ("gdp_usd_bn", i.gdp_usd_bn),
            ("coercion_cost_patron", i.coercion_cost_patron),
            ("pressure_cost_patron", i.pressure_cost_patron),
            ("pressure_cost_client", i.pressure_cost_client),
            ("open_conflict_cost_client", i.open_conflict_cost_client),
            ("support_value_client", i.support_value_client),
            ("drift_loss_patron", i.drift_loss_patron),
            ("intervention_cost_patron", i.intervention_cost_patron),
            ("regime_loss_client", i.regime_loss_client),
            ("side_payment", i.side_payment),
            ("signing_cost_client", i.signing_cost_client),
        ] {
            nonneg(f, v)?;
        }
        check(
            "sovereignty_convexity",
            i.sovereignty_convexity,
            0.0,
            f64::INFINITY,
            true,
            true,
            "a finite exponent > 0",
        )?;
        Ok(())
    }

    /// The subsidy at stake in USD bn a year: `subsidy_pct_gdp / 100 × gdp_usd_bn`.
    pub fn subsidy_usd_bn(&self) -> f64 {
        self.subsidy_pct_gdp / 100.0 * self.gdp_usd_bn
    }

    /// Probability that outside support arrives: `1 − (1 − p_western)(1 − p_china)`.
    pub fn p_support(&self) -> f64 {
        (1.0 - (1.0 - self.p_western_support) * (1.0 - self.p_china_support)).clamp(0.0, 1.0)
    }

    /// The patron's effective value of full integration: `value_integration_patron ×
    /// resolve_patron`.
    pub fn value_patron(&self) -> f64 {
        self.value_integration_patron * self.resolve_patron
    }

    /// The patron's gain from terms `t` (USD bn a year): the effective value times the share of
    /// The way from the status quo to 100 that `t` covers, clamped to [0, 1].
    pub fn gain_patron(&self, t: f64) -> f64 {
        let share = (t - self.terms_status_quo) / (100.0 - self.terms_status_quo);
        self.value_patron() * share.clamp(0.0, 1.0)
    }

    /// The client's sovereignty given up at integration level `t`, USD bn a year:
    /// `sovereignty_cost_client × share(t)^γ` with share the way from the client's own position to
    /// 100, clamped to [0, 1].
    pub fn sovereignty_level(&self, t: f64) -> f64 {
        let share =
            ((t - self.client_ideal_terms) / (100.0 - self.client_ideal_terms)).clamp(0.0, 1.0);
        self.sovereignty_cost_client * share.powf(self.sovereignty_convexity)
    }

    /// The client's sovereignty cost of terms `t` (USD bn a year), measured from the status quo as
    /// The patron's gain is: the sovereignty given up at `t` less what is already given up at the
    /// status quo (nothing below the client's own position).
    pub fn sovereignty_cost(&self, t: f64) -> f64 {
        (self.sovereignty_level(t) - self.sovereignty_level(self.terms_status_quo)).max(0.0)
    }

    /// The client's cost of full political-military integration from the status quo (what a
    /// capitulation to military-political pressure gives up).
    pub fn sovereignty_cost_full(&self) -> f64 {
        self.sovereignty_cost(100.0)
    }
}

/// After the client's answer, where the patron responds: after a stall, after a refusal that outside
/// support answered, or after a refusal left alone.
#[derive(Clone, Copy)]
enum Branch {
    Stall,
    Support,
    Alone,
}

impl Branch {
    fn tag(self) -> &'static str {
        match self {
            Branch::Stall => "stall",
            Branch::Support => "support",
            Branch::Alone => "alone",
        }
    }
}

/// Builds the integration-ultimatum game between players named `Patron` and `Client`
/// (payoffs in that order); [`try_ultimatum_between`] names them.
///
/// # Errors
/// [`TemplateError::InvalidInput`] if an input fails [`UltimatumInputs::validate`].
pub fn try_ultimatum(inputs: &UltimatumInputs) -> Result<Game, TemplateError> {
    try_ultimatum_between(inputs, "Patron", "Client")
}

/// Builds the integration-ultimatum game with the patron and the client named (a case's actor
/// names); payoffs in the order (patron, client).
///
/// ```text
/// Patron ─ StatusQuo ─────────────────────────────── status_quo
///        └ Demand ─ Client ─ Accept ─────────────── negotiated_integration
///                          ├ Stall ── [R: stall]
///                          └ Refuse ─ chance ─ Support (p) ── [R: support]
///                                            └ NoSupport ──── [R: alone]
/// [R: x] Patron ─ BackDown ─────────────── status_quo_stall | rebalancing | status_quo_refused
///               ├ Coerce ── Client ─ Capitulate ─ coerced_integration_x_econ
///               │                  └ Resist ───── confrontation_x_econ
///               └ Pressure ─ Client ─ Capitulate ─ coerced_integration_x_pressure
///                                   └ Resist ─ Patron ─ Relent ──── confrontation_x_pressure
///                                                     └ Intervene ─ intervention_x
/// ```
///
/// The patron observes whether support arrived, so the game has perfect information apart
/// from the chance node and [`BackwardInduction`] applies. Less escalatory actions are listed
/// first, so the default tie rule resolves ties towards them. Payoff formulas:
/// `docs/games.md`.
///
/// # Errors
/// [`TemplateError::InvalidInput`] if an input fails [`UltimatumInputs::validate`].
pub fn try_ultimatum_between(
    inputs: &UltimatumInputs,
    patron: &str,
    client: &str,
) -> Result<Game, TemplateError> {
    inputs.validate()?;
    let pay = crate::ultimatum_fast::terminal_payoffs(inputs);
    let leaf = |b: &mut GameBuilder, at: At, t: usize| {
        b.leaf(
            at,
            crate::ultimatum_fast::LABELS[t],
            [num(pay[t][0]), num(pay[t][1])],
        )
    };
    let mut b = GameBuilder::new("Integration ultimatum", [patron, client]);
    b.comment(format!(
        "leverage ultimatum template; payoffs ({patron}, {client}) in USD bn a year vs the status quo (docs/games.md)"
    ));
    b.reserve(35);
    let root = b.decision(
        At::Root,
        0,
        format!("{patron}: demand?"),
        &["StatusQuo", "Demand"],
    );
    leaf(&mut b, At::Child(root, 0), 0);
    let answer = b.decision(
        At::Child(root, 1),
        1,
        format!("{client}: answer"),
        &["Accept", "Stall", "Refuse"],
    );
    leaf(&mut b, At::Child(answer, 0), 1);

    let respond = |b: &mut GameBuilder, at: At, branch: Branch| {
        let tag = branch.tag();
        let base = crate::ultimatum_fast::BRANCH_BASE[branch as usize];
        let r = b.decision(
            at,
            0,
            format!("{patron}: respond ({tag})"),
            &["BackDown", "Coerce", "Pressure"],
        );
        leaf(b, At::Child(r, 0), base);
        let ce = b.decision(
            At::Child(r, 1),
            1,
            format!("{client}: coerced ({tag})"),
            &["Capitulate", "Resist"],
        );
        leaf(b, At::Child(ce, 0), base + 1);
        leaf(b, At::Child(ce, 1), base + 2);
        let cp = b.decision(
            At::Child(r, 2),
            1,
            format!("{client}: pressured ({tag})"),
            &["Capitulate", "Resist"],
        );
        leaf(b, At::Child(cp, 0), base + 3);
        let last = b.decision(
            At::Child(cp, 1),
            0,
            format!("{patron}: resisted ({tag})"),
            &["Relent", "Intervene"],
        );
        leaf(b, At::Child(last, 0), base + 4);
        leaf(b, At::Child(last, 1), base + 5);
    };
    respond(&mut b, At::Child(answer, 1), Branch::Stall);
    let p = inputs.p_support();
    let nature = b.chance(
        At::Child(answer, 2),
        "Outside support?",
        [("Support", num(p)), ("NoSupport", num(1.0 - p))],
    );
    respond(&mut b, At::Child(nature, 0), Branch::Support);
    respond(&mut b, At::Child(nature, 1), Branch::Alone);
    Ok(b.build()
        .expect("the ultimatum template builds a valid game from validated inputs"))
}

/// [`try_ultimatum`] for inputs known to be valid.
///
/// # Panics
/// If an input fails [`UltimatumInputs::validate`].
pub fn ultimatum(inputs: &UltimatumInputs) -> Game {
    match try_ultimatum(inputs) {
        Ok(g) => g,
        Err(e) => panic!("invalid ultimatum inputs: {e}"),
    }
}

/// One terminal outcome the equilibrium reaches with positive probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquilibriumOutcome {
    /// The outcome's label (e.g. `confrontation_alone_econ`).
    pub label: String,
    /// The outcome type it is an instance of ([`outcome_type_of`]).
    pub outcome_type: String,
    /// Its probability under the equilibrium (chance included).
    pub probability: f64,
    /// Payoffs (patron, client), USD bn a year vs the status quo.
    pub payoffs: Vec<f64>,
    /// The moves from the root, as `Mover:Action` (`Patron:Demand`, `chance:Support`, …).
    pub moves: Vec<String>,
}

/// The subgame-perfect equilibrium of an ultimatum game, read for a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UltimatumEquilibrium {
    /// The most likely outcome type (the first in [`OUTCOME_TYPES`] order on a tie).
    pub outcome_type: String,
    /// Probability of each outcome type, in [`OUTCOME_TYPES`] order.
    pub outcome_type_probabilities: Vec<(String, f64)>,
    /// The outcomes reached, in tree order.
    pub outcomes: Vec<EquilibriumOutcome>,
    /// Expected payoffs (patron, client).
    pub payoffs: Vec<f64>,
}

/// Builds the ultimatum game and solves it by backward induction (default tie rule: the first,
/// least escalatory, action).
///
/// # Panics
/// If an input fails [`UltimatumInputs::validate`].
pub fn solve_ultimatum(inputs: &UltimatumInputs) -> UltimatumEquilibrium {
    let game = ultimatum(inputs);
    equilibrium_of(&game)
}

/// The subgame-perfect equilibrium of a built ultimatum game (e.g. one from
/// [`try_ultimatum_between`], whose moves then name the case's players).
///
/// # Panics
/// If `game` is not an ultimatum tree (a game with imperfect information).
pub fn equilibrium_of(game: &Game) -> UltimatumEquilibrium {
    let sol = BackwardInduction::default()
        .solve_values(game)
        .expect("the ultimatum game has perfect information");
    let dist = outcome_distribution(game, &sol.profile).expect("the profile fits the game");
    let mut outcomes = Vec::new();
    let mut probs = [0.0; OUTCOME_TYPES.len()];
    for (node, pr) in dist {
        if pr <= 0.0 {
            continue;
        }
        let label = game
            .node(node)
            .outcome
            .map(|o| game.outcome(o).label.clone())
            .unwrap_or_default();
        let kind = outcome_type_of(&label);
        if let Some(k) = OUTCOME_TYPES.iter().position(|s| *s == kind) {
            probs[k] += pr;
        }
        outcomes.push(EquilibriumOutcome {
            outcome_type: kind.to_string(),
            probability: pr,
            payoffs: game.path_payoffs(node),
            moves: moves_to(game, node),
            label,
        });
    }
    let mut best = 0;
    for k in 1..probs.len() {
        if probs[k] > probs[best] + 1e-12 {
            best = k;
        }
    }
    UltimatumEquilibrium {
        outcome_type: OUTCOME_TYPES[best].to_string(),
        outcome_type_probabilities: OUTCOME_TYPES
            .iter()
            .zip(probs)
            .map(|(s, p)| (s.to_string(), p))
            .collect(),
        outcomes,
        payoffs: sol.payoffs().to_vec(),
    }
}

fn moves_to(game: &Game, node: NodeId) -> Vec<String> {
    game.path_to(node)
        .into_iter()
        .map(|(h, a)| {
            let inf = game.infoset(h);
            let who = match inf.mover {
                Mover::Chance => "chance",
                Mover::Player(p) => game.players()[p].as_str(),
            };
            format!("{who}:{}", inf.actions[a])
        })
        .collect()
}

/// One row of [`subsidy_sweep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The subsidy at stake, % of GDP.
    pub subsidy_pct_gdp: f64,
    /// The same in USD bn a year.
    pub subsidy_usd_bn: f64,
    /// The equilibrium at that subsidy.
    pub equilibrium: UltimatumEquilibrium,
}

/// How the equilibrium of the ultimatum changes as the subsidy at stake moves from `from_pct`
/// to `to_pct` (% of GDP), everything else as in `base`: `steps` equal intervals, so
/// `steps + 1` rows (one row at `from_pct` when `steps` is 0).
///
/// # Panics
/// If `base` with a subsidy in the range fails [`UltimatumInputs::validate`] (a negative or
/// non-finite subsidy, for one).
pub fn subsidy_sweep(
    base: &UltimatumInputs,
    from_pct: f64,
    to_pct: f64,
    steps: usize,
) -> Vec<SweepRow> {
    (0..=steps)
        .map(|k| {
            let pct = if steps == 0 {
                from_pct
            } else {
                from_pct + (to_pct - from_pct) * k as f64 / steps as f64
            };
            let inputs = UltimatumInputs {
                subsidy_pct_gdp: pct,
                ..*base
            };
            SweepRow {
                subsidy_pct_gdp: pct,
                subsidy_usd_bn: inputs.subsidy_usd_bn(),
                equilibrium: solve_ultimatum(&inputs),
            }
        })
        .collect()
}

// =================================================================================================
// The International Interaction Game
// =================================================================================================

/// Payoffs (A, B) of the eight outcomes of the International Interaction Game; A moves first
/// (the patron in the reference files), B second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IigInputs {
    /// Status quo: neither demands.
    pub sq: [f64; 2],
    /// A acquiesces to B's demand.
    pub acq_a: [f64; 2],
    /// B acquiesces to A's demand.
    pub acq_b: [f64; 2],
    /// Negotiation: both demand, neither uses force.
    pub neg: [f64; 2],
    /// A capitulates to B's force.
    pub cap_a: [f64; 2],
    /// B capitulates to A's force.
    pub cap_b: [f64; 2],
    /// War started by A.
    pub war_a: [f64; 2],
    /// War started by B.
    pub war_b: [f64; 2],
}

impl IigInputs {
    /// The payoffs of the reference game `b_iig_bdml.efg` (equilibrium: ACQ_B, (10, −10)).
    pub fn reference() -> Self {
        IigInputs {
            sq: [0.0, 0.0],
            acq_a: [-10.0, 10.0],
            acq_b: [10.0, -10.0],
            neg: [8.0, -8.0],
            cap_a: [-14.0, 9.0],
            cap_b: [9.0, -14.0],
            war_a: [-1.0, -20.0],
            war_b: [-4.0, -17.0],
        }
    }

    /// The payoffs of `b2_iig_preemption.efg`, with a first-strike bonus (equilibrium: WAR_A,
    /// (−9, −9)).
    pub fn reference_preemption() -> Self {
        IigInputs {
            sq: [0.0, 0.0],
            acq_a: [-10.0, 10.0],
            acq_b: [10.0, -10.0],
            neg: [2.0, -2.0],
            cap_a: [-12.0, 9.0],
            cap_b: [9.0, -12.0],
            war_a: [-9.0, -9.0],
            war_b: [-14.0, -4.0],
        }
    }

    /// The payoffs a utility parametrisation gives (formulas in [`IigUtilities`]).
    pub fn from_utilities(u: &IigUtilities) -> Self {
        let war = |p_a_wins: f64| {
            let net = u.stake * (2.0 * p_a_wins - 1.0);
            [net - u.war_cost_a, -net - u.war_cost_b]
        };
        IigInputs {
            sq: [0.0, 0.0],
            acq_a: [-u.stake, u.stake],
            acq_b: [u.stake, -u.stake],
            neg: [u.negotiated_gain_a, -u.negotiated_gain_a],
            cap_a: [
                -u.stake - u.capitulation_cost_a,
                u.stake - u.mobilisation_cost,
            ],
            cap_b: [
                u.stake - u.mobilisation_cost,
                -u.stake - u.capitulation_cost_b,
            ],
            war_a: war((u.p_a_wins + u.first_strike).clamp(0.0, 1.0)),
            war_b: war((u.p_a_wins - u.first_strike).clamp(0.0, 1.0)),
        }
    }
}

/// A utility parametrisation of the International Interaction Game, ours (not the book's cost
/// terms, which were not available to check). Payoffs relative to the status quo (0, 0); the
/// issue is worth `stake` to whoever gets it:
///
/// - `ACQ_A = (−stake, stake)`, `ACQ_B = (stake, −stake)`;
/// - `NEG = (negotiated_gain_a, −negotiated_gain_a)`;
/// - `CAP_A = (−stake − capitulation_cost_a, stake − mobilisation_cost)`, `CAP_B` mirrored;
/// - war won by A with probability `π = p_a_wins ± first_strike` (+ if A strikes first,
///   − if B does, clamped to [0, 1]): `WAR = (stake (2π − 1) − war_cost_a,
///   −stake (2π − 1) − war_cost_b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IigUtilities {
    /// Value of the disputed issue to either side.
    pub stake: f64,
    /// A's gain (B's loss) in a negotiated settlement, in [−stake, stake].
    pub negotiated_gain_a: f64,
    /// A's cost of capitulating, beyond losing the stake.
    pub capitulation_cost_a: f64,
    /// B's cost of capitulating, beyond losing the stake.
    pub capitulation_cost_b: f64,
    /// What forcing the other to capitulate costs the winner.
    pub mobilisation_cost: f64,
    /// A's probability of winning a war neither side started with an advantage.
    pub p_a_wins: f64,
    /// What striking first adds to the striker's probability of winning.
    pub first_strike: f64,
    /// A's cost of war.
    pub war_cost_a: f64,
    /// B's cost of war.
    pub war_cost_b: f64,
}

impl IigUtilities {
    /// Values that give the payoffs of `b_iig_bdml.efg` (to rounding): stake 10, negotiation
    /// 8, capitulation 4, mobilisation 1, π 0.9, first strike 0.075, war costs 10.5.
    pub fn reference() -> Self {
        IigUtilities {
            stake: 10.0,
            negotiated_gain_a: 8.0,
            capitulation_cost_a: 4.0,
            capitulation_cost_b: 4.0,
            mobilisation_cost: 1.0,
            p_a_wins: 0.9,
            first_strike: 0.075,
            war_cost_a: 10.5,
            war_cost_b: 10.5,
        }
    }

    /// Values that give the payoffs of `b2_iig_preemption.efg`: stake 10, negotiation 2,
    /// capitulation 2, mobilisation 1, π 0.375, first strike 0.125, war costs 9.
    pub fn reference_preemption() -> Self {
        IigUtilities {
            stake: 10.0,
            negotiated_gain_a: 2.0,
            capitulation_cost_a: 2.0,
            capitulation_cost_b: 2.0,
            mobilisation_cost: 1.0,
            p_a_wins: 0.375,
            first_strike: 0.125,
            war_cost_a: 9.0,
            war_cost_b: 9.0,
        }
    }
}

/// Builds the International Interaction Game (players `A`, `B`), the tree, labels and outcome
/// names of `b_iig_bdml.efg`:
///
/// ```text
/// n1 A ─ NoDemand ─ n2 B ─ NoDemand ── SQ
///      │                 └ Demand ─── n4 A ─ Acquiesce ── ACQ_A
///      │                                   └ CounterDemand ─ [6]
///      └ Demand ─── n3 B ─ Acquiesce ─ ACQ_B
///                        └ CounterDemand ─ [5]
/// [k] (k = 6: B demanded first; k = 5: A did)
///   first mover F of the crisis (B at 6, A at 5) ─ Force ─ other side ─ Fight ───── WAR_F_k
///                                                 │                   └ Capitulate ─ CAP_other_k
///                                                 └ NoForce ─ other side ─ Force ─ F ─ Fight ─ WAR_other_k
///                                                                       │           └ Capitulate ─ CAP_F_k
///                                                                       └ NoForce ─ NEG_k
/// ```
///
/// Outcome labels carry the subtree's suffix (`WAR_A_5`, `NEG_6`); `ACQ_A`, `ACQ_B` and `SQ`
/// have none.
///
/// # Errors
/// [`TemplateError::InvalidInput`] if a payoff is not finite.
pub fn iig(inputs: &IigInputs) -> Result<Game, TemplateError> {
    let i = inputs;
    for (f, pair) in [
        ("sq", i.sq),
        ("acq_a", i.acq_a),
        ("acq_b", i.acq_b),
        ("neg", i.neg),
        ("cap_a", i.cap_a),
        ("cap_b", i.cap_b),
        ("war_a", i.war_a),
        ("war_b", i.war_b),
    ] {
        for v in pair {
            check(
                f,
                v,
                f64::NEG_INFINITY,
                f64::INFINITY,
                true,
                true,
                "a finite payoff",
            )?;
        }
    }
    let pay = |x: [f64; 2]| [num(x[0]), num(x[1])];
    let mut b = GameBuilder::new(
        "International Interaction Game (Bueno de Mesquita-Lalman 1992)",
        ["A", "B"],
    );
    b.comment("leverage IIG template; payoffs per outcome from the inputs (docs/games.md)");
    let dec =
        |b: &mut GameBuilder, at: At, node: &str, player: usize, label: &str, acts: [&str; 2]| {
            let h = b.infoset(player, label, &acts);
            b.node(at, node, h)
        };
    let n1 = dec(
        &mut b,
        At::Root,
        "1",
        0,
        "n1 A demand?",
        ["NoDemand", "Demand"],
    );
    let n2 = dec(
        &mut b,
        At::Child(n1, 0),
        "2",
        1,
        "n2 B demand?",
        ["NoDemand", "Demand"],
    );
    b.leaf(At::Child(n2, 0), "SQ", pay(i.sq));
    let n4 = dec(
        &mut b,
        At::Child(n2, 1),
        "4",
        0,
        "n4 A counter?",
        ["Acquiesce", "CounterDemand"],
    );
    b.leaf(At::Child(n4, 0), "ACQ_A", pay(i.acq_a));
    // Subtree 6: B demanded first, A counter-demanded; B decides on force first.
    let n6 = dec(
        &mut b,
        At::Child(n4, 1),
        "6",
        1,
        "n6 B force?",
        ["Force", "NoForce"],
    );
    let n8 = dec(
        &mut b,
        At::Child(n6, 0),
        "8",
        0,
        "n8 A respond?",
        ["Fight", "Capitulate"],
    );
    b.leaf(At::Child(n8, 0), "WAR_B_6", pay(i.war_b));
    b.leaf(At::Child(n8, 1), "CAP_A_6", pay(i.cap_a));
    let n7 = dec(
        &mut b,
        At::Child(n6, 1),
        "7",
        0,
        "n7 A force?",
        ["Force", "NoForce"],
    );
    let n11 = dec(
        &mut b,
        At::Child(n7, 0),
        "11",
        1,
        "n11 B respond?",
        ["Fight", "Capitulate"],
    );
    b.leaf(At::Child(n11, 0), "WAR_A_6", pay(i.war_a));
    b.leaf(At::Child(n11, 1), "CAP_B_6", pay(i.cap_b));
    b.leaf(At::Child(n7, 1), "NEG_6", pay(i.neg));
    // A demanded first.
    let n3 = dec(
        &mut b,
        At::Child(n1, 1),
        "3",
        1,
        "n3 B counter?",
        ["Acquiesce", "CounterDemand"],
    );
    b.leaf(At::Child(n3, 0), "ACQ_B", pay(i.acq_b));
    // Subtree 5: A demanded first, B counter-demanded; A decides on force first.
    let n5 = dec(
        &mut b,
        At::Child(n3, 1),
        "5",
        0,
        "n5 A force?",
        ["Force", "NoForce"],
    );
    let n10 = dec(
        &mut b,
        At::Child(n5, 0),
        "10",
        1,
        "n10 B respond?",
        ["Fight", "Capitulate"],
    );
    b.leaf(At::Child(n10, 0), "WAR_A_5", pay(i.war_a));
    b.leaf(At::Child(n10, 1), "CAP_B_5", pay(i.cap_b));
    let n9 = dec(
        &mut b,
        At::Child(n5, 1),
        "9",
        1,
        "n9 B force?",
        ["Force", "NoForce"],
    );
    let n12 = dec(
        &mut b,
        At::Child(n9, 0),
        "12",
        0,
        "n12 A respond?",
        ["Fight", "Capitulate"],
    );
    b.leaf(At::Child(n12, 0), "WAR_B_5", pay(i.war_b));
    b.leaf(At::Child(n12, 1), "CAP_A_5", pay(i.cap_a));
    b.leaf(At::Child(n9, 1), "NEG_5", pay(i.neg));
    Ok(b.build()
        .expect("the IIG template builds a valid game from finite payoffs"))
}

// =================================================================================================
// Fearon-style crisis with one-sided incomplete information
// =================================================================================================

/// Inputs of the crisis game with one-sided incomplete information about the defender's
/// resolve (players named by the caller: the challenger, then the defender). The defender holds a good worth `value`; the
/// challenger may demand part of it; a resisted demand is fought over or dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisInputs {
    /// Value of the disputed good (the defender holds it in the status quo).
    pub value: f64,
    /// The demands the challenger can make, each a share of `value` in (0, value]; one
    /// action `Demand{x}` each, after `NoDemand`.
    pub demands: Vec<f64>,
    /// Prior probability that the defender is resolved.
    pub p_resolved: f64,
    /// Challenger's probability of winning a war against a resolved defender.
    pub p_win_vs_resolved: f64,
    /// Challenger's probability of winning a war against an unresolved defender.
    pub p_win_vs_unresolved: f64,
    /// Challenger's cost of war.
    pub war_cost_challenger: f64,
    /// Challenger's audience cost of backing down after a resisted demand.
    pub audience_cost_challenger: f64,
    /// A resolved defender's cost of war.
    pub war_cost_resolved: f64,
    /// An unresolved defender's cost of war.
    pub war_cost_unresolved: f64,
}

impl CrisisInputs {
    /// The inputs of `c_crisis_incomplete.efg`: value 10, demands 3 and 7, P(resolved) 1/4,
    /// win probabilities 3/10 and 8/10, war costs 5 (challenger), 1 and 4 (defender's types),
    /// audience cost 1.
    pub fn reference() -> Self {
        CrisisInputs {
            value: 10.0,
            demands: vec![3.0, 7.0],
            p_resolved: 0.25,
            p_win_vs_resolved: 0.3,
            p_win_vs_unresolved: 0.8,
            war_cost_challenger: 5.0,
            audience_cost_challenger: 1.0,
            war_cost_resolved: 1.0,
            war_cost_unresolved: 4.0,
        }
    }
}

/// Builds the crisis game (the tree, labels and information sets of `c_crisis_incomplete.efg`):
///
/// ```text
/// chance ─ Resolved (p) ─ challenger{demand} ─ NoDemand ─ SQ (0, V)
///        │                                  └ Demand x ─ defender(type, x) ─ Accept ─ (x, V − x)
///        │                                                                 └ Resist ─ challenger{resisted x} ─ Fight ─ war
///        │                                                                                               └ BackDown ─ (−a, V)
///        └ Unresolved (1 − p) ─ (the same; the challenger's information sets span both types)
/// ```
///
/// War against a type with win probability `π` and war cost `c`: `(π V − war_cost_challenger,
/// (1 − π) V − c)`. The challenger's demand and after-resistance information sets hold one node per
/// type, so the game has imperfect information: solve it with the sequence-form or QRE
/// solvers, not backward induction.
///
/// # Errors
/// [`TemplateError::NoDemands`] for an empty demand list; [`TemplateError::InvalidInput`] for a
/// non-finite input or a probability outside [0, 1].
///
/// `challenger` and `defender` name the two players (the reference file
/// `c_crisis_incomplete.efg` is rebuilt with its own names, given by its test).
pub fn crisis(
    inputs: &CrisisInputs,
    challenger: &str,
    defender: &str,
) -> Result<Game, TemplateError> {
    let i = inputs;
    if i.demands.is_empty() {
        return Err(TemplateError::NoDemands);
    }
    unit("p_resolved", i.p_resolved)?;
    unit("p_win_vs_resolved", i.p_win_vs_resolved)?;
    unit("p_win_vs_unresolved", i.p_win_vs_unresolved)?;
    for (f, v) in [
        ("value", i.value),
        ("war_cost_challenger", i.war_cost_challenger),
        ("audience_cost_challenger", i.audience_cost_challenger),
        ("war_cost_resolved", i.war_cost_resolved),
        ("war_cost_unresolved", i.war_cost_unresolved),
    ] {
        check(
            f,
            v,
            f64::NEG_INFINITY,
            f64::INFINITY,
            true,
            true,
            "a finite number",
        )?;
    }
    for &d in &i.demands {
        check(
            "demands",
            d,
            f64::NEG_INFINITY,
            f64::INFINITY,
            true,
            true,
            "a finite demand",
        )?;
    }
    let v = i.value;
    let mut b = GameBuilder::new(
        "One-sided incomplete information crisis bargaining (Fearon-style)",
        [challenger, defender],
    );
    b.comment(format!(
        "leverage crisis template: V={v}, {challenger} war cost {}, audience cost {}, p(Res)={} p(Unres)={}, {defender} war cost Res {}, Unres {}",
        i.war_cost_challenger,
        i.audience_cost_challenger,
        i.p_win_vs_resolved,
        i.p_win_vs_unresolved,
        i.war_cost_resolved,
        i.war_cost_unresolved
    ));
    let mut demand_actions = vec!["NoDemand".to_string()];
    demand_actions.extend(i.demands.iter().map(|d| format!("Demand{d}")));
    let challenger_demand = b.infoset(0, format!("{challenger} demand"), &demand_actions);
    let challenger_resisted: Vec<_> = i
        .demands
        .iter()
        .map(|d| {
            b.infoset(
                0,
                format!("{challenger} after resist {d}"),
                &["Fight", "BackDown"],
            )
        })
        .collect();
    let nature = b.chance_infoset(
        format!("Nature: {defender} resolve"),
        [
            ("Resolved", num(i.p_resolved)),
            ("Unresolved", num(1.0 - i.p_resolved)),
        ],
    );
    let root = b.node(At::Root, "root", nature);
    let types = [
        (
            "Resolved",
            "Resolved",
            i.p_win_vs_resolved,
            i.war_cost_resolved,
        ),
        (
            "Unresolved",
            "Unresolved",
            i.p_win_vs_unresolved,
            i.war_cost_unresolved,
        ),
    ];
    for (t, (name, type_name, pi, cost)) in types.into_iter().enumerate() {
        let r: NodeRef = b.node(At::Child(root, t), name, challenger_demand);
        b.leaf(At::Child(r, 0), format!("SQ_{name}"), [num(0.0), num(v)]);
        for (k, &d) in i.demands.iter().enumerate() {
            let h = b.infoset(
                1,
                format!("{type_name} {defender}, demand {d}"),
                &["Accept", "Resist"],
            );
            let bel = b.node(At::Child(r, k + 1), format!("{name}/D{d}"), h);
            b.leaf(
                At::Child(bel, 0),
                format!("Accept{d}_{name}"),
                [num(d), num(v - d)],
            );
            let rr = b.node(
                At::Child(bel, 1),
                format!("{name}/D{d}/resisted"),
                challenger_resisted[k],
            );
            b.leaf(
                At::Child(rr, 0),
                format!("War{d}_{name}"),
                [
                    num(pi * v - i.war_cost_challenger),
                    num((1.0 - pi) * v - cost),
                ],
            );
            b.leaf(
                At::Child(rr, 1),
                format!("BackDown{d}_{name}"),
                [num(-i.audience_cost_challenger), num(v)],
            );
        }
    }
    Ok(b.build()
        .expect("the crisis template builds a valid game from validated inputs"))
}
