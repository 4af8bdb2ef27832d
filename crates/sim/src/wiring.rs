//! From a case to the engines' plain inputs: the ultimatum's inputs (central values, for a
//! single run) and the timeline's [`Spec`] (parameter indices, for every draw of an ensemble).
//!
//! This is the layer above the engines that DESIGN.md describes: econ, bargain and games take
//! plain numbers; the wiring reads the case's `[econ]`, `[game]` and `[sim]` links, its
//! `[[state]]` records and scenario rules, and says where every input came from.

use leverage_bargain::compromise::Compromise;
use leverage_bargain::{Model, problem_from_issue};
use leverage_case::{Case, Dist};
use leverage_econ::LedgerOptions;
use leverage_games::templates::UltimatumInputs;
use serde::Serialize;

use crate::inputs::{GAS_METHOD, INPUTS, Input, Kind, Need, TERMS_MODEL, Table, WEIGHTING};
use crate::timeline::{
    BaseYear, Boundary, ChoiceRef, EconBase, EconYear, Enabled, Group, IssueSpec, ParamRef, Side,
    Spec, StateIndex,
};

/// Setter of one ultimatum input.
pub type GameField = fn(&mut UltimatumInputs) -> &mut f64;

/// One input with where its value came from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InputOrigin {
    /// The input.
    pub input: String,
    /// Its value (the central value for a parameter).
    pub value: f64,
    /// Where it came from.
    pub origin: String,
}

/// The ultimatum inputs a case can link in `[game]` to a parameter, with their setters.
pub const GAME_FIELDS: &[(&str, GameField)] = &[
    ("value_integration_patron", |i| {
        &mut i.value_integration_patron
    }),
    ("resolve_patron", |i| &mut i.resolve_patron),
    ("sovereignty_cost_client", |i| {
        &mut i.sovereignty_cost_client
    }),
    ("subsidy_recapture", |i| &mut i.subsidy_recapture),
    ("coercion_cost_patron", |i| &mut i.coercion_cost_patron),
    ("pressure_cost_patron", |i| &mut i.pressure_cost_patron),
    ("pressure_cost_client", |i| &mut i.pressure_cost_client),
    ("audience_cost_patron", |i| &mut i.audience_cost_patron),
    ("audience_cost_client", |i| &mut i.audience_cost_client),
    ("conflict_appetite_client", |i| {
        &mut i.conflict_appetite_client
    }),
    ("open_conflict_cost_client", |i| {
        &mut i.open_conflict_cost_client
    }),
    ("p_western_support", |i| &mut i.p_western_support),
    ("p_china_support", |i| &mut i.p_china_support),
    ("support_value_client", |i| &mut i.support_value_client),
    ("drift_loss_patron", |i| &mut i.drift_loss_patron),
    ("p_intervention_success", |i| &mut i.p_intervention_success),
    ("intervention_cost_patron", |i| {
        &mut i.intervention_cost_patron
    }),
    ("regime_loss_client", |i| &mut i.regime_loss_client),
    ("sovereignty_convexity", |i| &mut i.sovereignty_convexity),
];

/// The ultimatum's inputs from a case, each with where it came from: linked `[game]`
/// parameters at their central value; the terms from the compromise forecast of the
/// `terms_issue`, its status quo and the client's position on it; the subsidy at stake from the
/// ledger's latest total (or, for a case without `[econ]` links, the initial value of the
/// `subsidy_gdp` state as a share of the `[sim]` `client_gdp`). The patron's resolve is 1 (its
/// level at the as-of date) unless linked; the one-shot game pays no side payment and charges no
/// signing cost (the scenario engine sets both per year).
///
/// # Errors
/// [`WiringError::MissingInputs`] naming every input the case does not give: nothing is taken
/// from another case or a template default.
pub fn ultimatum_inputs(case: &Case) -> Result<(UltimatumInputs, Vec<InputOrigin>), WiringError> {
    let mut inp = UltimatumInputs {
        terms: f64::NAN,
        terms_status_quo: f64::NAN,
        client_ideal_terms: f64::NAN,
        value_integration_patron: f64::NAN,
        resolve_patron: 1.0,
        sovereignty_cost_client: f64::NAN,
        subsidy_pct_gdp: f64::NAN,
        gdp_usd_bn: f64::NAN,
        subsidy_recapture: f64::NAN,
        coercion_cost_patron: f64::NAN,
        pressure_cost_patron: f64::NAN,
        pressure_cost_client: f64::NAN,
        audience_cost_patron: f64::NAN,
        audience_cost_client: f64::NAN,
        conflict_appetite_client: f64::NAN,
        open_conflict_cost_client: f64::NAN,
        p_western_support: f64::NAN,
        p_china_support: f64::NAN,
        support_value_client: f64::NAN,
        drift_loss_patron: f64::NAN,
        p_intervention_success: f64::NAN,
        intervention_cost_patron: f64::NAN,
        regime_loss_client: f64::NAN,
        side_payment: 0.0,
        signing_cost_client: 0.0,
        sovereignty_convexity: f64::NAN,
    };
    let mut origins = Vec::new();
    let mut missing = Vec::new();
    let game_input = |key: &'static str, unit: &'static str, meaning: &'static str| MissingInput {
        table: "game",
        key,
        mechanism: "crisis game",
        unit,
        meaning,
    };
    for (name, field) in GAME_FIELDS {
        // A partner the case leaves out (no state variable for its role) sends no support,
        // whatever the case links: the scenario engine reads it the same way.
        let absent_partner = match *name {
            "p_western_support" => Some("west_alignment"),
            "p_china_support" => Some("china_alignment"),
            _ => None,
        }
        .filter(|st| case.state_index(st).is_none());
        if let Some(state) = absent_partner {
            *field(&mut inp) = 0.0;
            origins.push(InputOrigin {
                input: (*name).into(),
                value: 0.0,
                origin: format!(
                    "0: the case declares no partner in this role (no [[state]] `{state}`)"
                ),
            });
        } else if let Some(p) = case.game_link(name).and_then(|id| case.param(id)) {
            *field(&mut inp) = p.dist.central();
            origins.push(InputOrigin {
                input: (*name).into(),
                value: *field(&mut inp),
                origin: format!(
                    "param `{}` ({}), central value; {}",
                    p.id,
                    p.dist.describe(),
                    p.prov.describe()
                ),
            });
        } else if *name == "resolve_patron" {
            origins.push(InputOrigin {
                input: (*name).into(),
                value: inp.resolve_patron,
                origin: "1: the patron's resolve at the case's as-of date (the scale's unit)"
                    .into(),
            });
        } else {
            let meaning = crate::links::GAME_LINKS.key(name).map_or("", |k| k.meaning);
            missing.push(game_input(name, "a [[param]] id", meaning));
        }
    }
    match case.game_link("terms_issue").and_then(|id| case.issue(id)) {
        None => missing.push(game_input(
            "terms_issue",
            "an [[issue]] id",
            "the issue whose compromise forecast gives the integration terms demanded",
        )),
        Some(issue) => {
            let p = problem_from_issue(case, issue);
            if p.players.is_empty() {
                missing.push(game_input(
                    "terms_issue",
                    "an [[issue]] id",
                    "an issue with positions: the terms are its compromise forecast",
                ));
            } else {
                inp.terms = Compromise.forecast(&p).outcome.clamp(0.0, 99.0);
                origins.push(InputOrigin {
                    input: "terms".into(),
                    value: inp.terms,
                    origin: format!("compromise forecast of issue `{}`", issue.id),
                });
            }
            match &issue.status_quo {
                Some(sq) => {
                    inp.terms_status_quo = sq.value.min(99.0);
                    origins.push(InputOrigin {
                        input: "terms_status_quo".into(),
                        value: inp.terms_status_quo,
                        origin: format!("status quo of issue `{}`", issue.id),
                    });
                }
                None => missing.push(game_input(
                    "terms_issue",
                    "an [[issue]] with `status_quo`",
                    "the terms issue's status quo (what the patron gains is measured from it)",
                )),
            }
            let client = case.case.client.as_deref();
            match client.and_then(|c| issue.positions.iter().find(|p| p.actor == c)) {
                Some(pos) => {
                    inp.client_ideal_terms = pos.position.value.min(99.0);
                    origins.push(InputOrigin {
                        input: "client_ideal_terms".into(),
                        value: inp.client_ideal_terms,
                        origin: format!(
                            "position of `{}` on `{}`",
                            client.unwrap_or_default(),
                            issue.id
                        ),
                    });
                }
                None => missing.push(game_input(
                    "terms_issue",
                    "[case] `client` with a position on the issue",
                    "the client's own position on the terms issue (its sovereignty cost starts there)",
                )),
            }
        }
    }
    if let Some((year, pct, gdp)) = latest_subsidy(case) {
        inp.subsidy_pct_gdp = pct;
        inp.gdp_usd_bn = gdp;
        origins.push(InputOrigin {
            input: "subsidy_pct_gdp".into(),
            value: pct,
            origin: format!("subsidy ledger, total {year} (% of GDP)"),
        });
        origins.push(InputOrigin {
            input: "gdp_usd_bn".into(),
            value: gdp,
            origin: format!("GDP {year} (the ledger's GDP series)"),
        });
    } else {
        match case.state_index("subsidy_gdp") {
            Some(k) => {
                inp.subsidy_pct_gdp = case.states[k].initial.value;
                origins.push(InputOrigin {
                    input: "subsidy_pct_gdp".into(),
                    value: inp.subsidy_pct_gdp,
                    origin:
                        "initial value of [[state]] `subsidy_gdp` (the case has no ledger total)"
                            .into(),
                });
            }
            None => missing.push(game_input(
                "subsidy_pct_gdp",
                "% of GDP",
                "the subsidy at stake: a ledger total ([econ] links) or a [[state]] `subsidy_gdp`",
            )),
        }
        match case.sim_link("client_gdp").and_then(|id| case.param(id)) {
            Some(p) => {
                inp.gdp_usd_bn = p.dist.central();
                origins.push(InputOrigin {
                    input: "gdp_usd_bn".into(),
                    value: inp.gdp_usd_bn,
                    origin: format!("param `{}` ([sim] client_gdp), central value", p.id),
                });
            }
            None => missing.push(MissingInput {
                table: "sim",
                key: "client_gdp",
                mechanism: "crisis game",
                unit: "USD bn",
                meaning: "the client's GDP, to turn the subsidy at stake into money (the case has no ledger GDP)",
            }),
        }
    }
    origins.push(InputOrigin {
        input: "side_payment".into(),
        value: 0.0,
        origin: "0: the one-shot game pays nothing beyond the subsidy".into(),
    });
    origins.push(InputOrigin {
        input: "signing_cost_client".into(),
        value: 0.0,
        origin: "0: the one-shot game has no election restraint".into(),
    });
    if missing.is_empty() {
        Ok((inp, origins))
    } else {
        Err(WiringError::MissingInputs(missing))
    }
}

/// The ledger's latest year with a total: (year, % of GDP, GDP USD bn).
fn latest_subsidy(case: &Case) -> Option<(i32, f64, f64)> {
    let li = leverage_econ::ledger_inputs(case, &LedgerOptions::default()).ok()?;
    let (lo, hi) = leverage_econ::inputs::data_years(case);
    let l = leverage_econ::ledger(&li, lo, hi);
    let r = l.rows.iter().rev().find(|r| r.total_pct_gdp.is_some())?;
    Some((r.year, r.total_pct_gdp?, r.gdp_usd_bn?))
}

/// Why a case cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WiringError {
    /// A state variable the timeline updates is not declared.
    #[error(
        "the case declares no [[state]] `{0}`, which the timeline updates (docs/simulation.md lists the ones it needs)"
    )]
    MissingState(&'static str),
    /// Inputs a mechanism reads are not linked.
    #[error("{}", missing_message(.0))]
    MissingInputs(Vec<MissingInput>),
    /// A linked input is unusable (a choice option the mechanism does not know, a link to a
    /// record that is not a parameter).
    #[error("[{table}] `{key}`: {message}")]
    BadInput {
        /// The table.
        table: &'static str,
        /// The key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No scenario has a rule.
    #[error(
        "no [[scenario]] has a `rule`: the ensemble classifies each path by the scenarios' rules (docs/case-format.md)"
    )]
    NoRules,
    /// A rule does not compile.
    #[error("{0}")]
    Rule(String),
    /// No terms issue.
    #[error(
        "the case links no `[game] terms_issue`: the patron's economic demand is that issue's forecast"
    )]
    NoTermsIssue,
    /// No years to simulate.
    #[error("nothing to simulate: the horizon {horizon} is not after the as_of year {as_of}")]
    NoYears {
        /// The as_of year.
        as_of: i32,
        /// The horizon.
        horizon: i32,
    },
    /// The economics cannot be set up.
    #[error("the timeline's economics: {0}")]
    Econ(String),
    /// The parameters cannot be sampled.
    #[error("the case's parameters cannot be sampled: {0}")]
    Sampling(String),
}

/// An input a mechanism reads that the case does not link.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingInput {
    /// The table the key belongs to.
    pub table: &'static str,
    /// The key.
    pub key: &'static str,
    /// The mechanism that reads it.
    pub mechanism: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// What it means.
    pub meaning: &'static str,
}

fn missing_message(m: &[MissingInput]) -> String {
    let mut out = format!(
        "this case does not give {} input(s) the engines need (docs/case-format.md, docs/simulation.md):",
        m.len()
    );
    for i in m {
        out.push_str(&format!(
            "\n  [{}] {} ({}, {}): {}",
            i.table, i.key, i.mechanism, i.unit, i.meaning
        ));
    }
    out
}

fn link_of<'a>(case: &'a Case, input: &Input) -> Option<&'a str> {
    match input.table {
        Table::Sim => case.sim_link(input.key),
        Table::Econ => case.econ_link(input.key),
        Table::Game => case.game_link(input.key),
    }
}

/// Which optional mechanisms a case turns on, by the state variables it declares.
fn enabled(case: &Case) -> Enabled {
    let has = |id: &str| case.state_index(id).is_some();
    Enabled {
        ledger: !case.econ.is_empty(),
        crude: !case.econ.is_empty() && case.econ_link("crude_duty_free").is_some(),
        gas: !case.econ.is_empty() && case.econ_link("gas_volume").is_some(),
        implementation: has("econ_signed"),
        military: has("military_integration"),
        stability: has("stability"),
        west: has("west_alignment"),
        china: has("china_alignment"),
    }
}

/// Whether an input must be linked in a case with these mechanisms on.
fn needed(input: &Input, on: &Enabled) -> bool {
    match input.need {
        Need::Always => true,
        Need::Ledger => on.ledger,
        Need::NoLedger => !on.ledger,
        Need::Crude => on.crude,
        Need::Gas => on.gas,
        Need::State(id) => match id {
            "econ_signed" => on.implementation,
            "military_integration" => on.military,
            "stability" => on.stability,
            "west_alignment" => on.west,
            "china_alignment" => on.china,
            _ => false,
        },
        Need::Partner => on.west || on.china,
        Need::Optional => false,
    }
}

/// Inputs that come as a group: linking one requires the others.
const GROUPS: &[&[&str]] = &[
    &["loan_need", "loan_rate", "market_rate", "loan_maturity"],
    &["gas_netback_duty_rate", "gas_netback_transport"],
];

/// Where each input's value comes from; errors for needed inputs not linked.
fn resolve(case: &Case, on: &Enabled) -> Result<Vec<ParamRef>, WiringError> {
    let mut missing = Vec::new();
    let mut refs = Vec::new();
    let netback = case
        .sim_link("gas_reference_method")
        .and_then(|id| case.param(id))
        .and_then(|p| p.dist.options())
        .is_some_and(|o| o.iter().any(|x| x == "netback"));
    let linked = |key: &str| {
        INPUTS
            .iter()
            .find(|i| i.key == key)
            .and_then(|i| link_of(case, i))
            .is_some()
    };
    for input in INPUTS {
        let Kind::Number { .. } = input.kind else {
            continue;
        };
        let id = link_of(case, input);
        let r = match id {
            Some(id) => match case.params.iter().position(|p| p.id == id) {
                Some(i) => match &case.params[i].dist {
                    Dist::Fixed { value } => ParamRef::Fixed(*value),
                    _ => ParamRef::Param(i),
                },
                None => {
                    return Err(WiringError::BadInput {
                        table: input.table.name(),
                        key: input.key,
                        message: format!("{id:?} is not a [[param]] of this case"),
                    });
                }
            },
            None => ParamRef::Absent,
        };
        let in_group = GROUPS
            .iter()
            .find(|g| g.contains(&input.key))
            .is_some_and(|g| g.iter().any(|k| linked(k)));
        let needed =
            needed(input, on) || in_group || (netback && input.key.starts_with("gas_netback_"));
        if needed && r == ParamRef::Absent {
            missing.push(MissingInput {
                table: input.table.name(),
                key: input.key,
                mechanism: input.mechanism.name(),
                unit: input.unit,
                meaning: input.meaning,
            });
        }
        refs.push(r);
    }
    if !missing.is_empty() {
        return Err(WiringError::MissingInputs(missing));
    }
    Ok(refs)
}

/// A structural choice's reference: the mechanism option for each of the parameter's options.
fn choice_ref(case: &Case, key: &'static str, options: &[&str]) -> Result<ChoiceRef, WiringError> {
    let Some(id) = case.sim_link(key) else {
        return Ok(ChoiceRef::fixed(0));
    };
    let Some(i) = case.params.iter().position(|p| p.id == id) else {
        return Err(WiringError::BadInput {
            table: "sim",
            key,
            message: format!("{id:?} is not a [[param]] of this case"),
        });
    };
    let p = &case.params[i];
    let Some(names) = p.dist.options() else {
        return Err(WiringError::BadInput {
            table: "sim",
            key,
            message: format!(
                "param `{id}` is not a choice: write dist = \"choice\" with options among {options:?}"
            ),
        });
    };
    let mut map = Vec::new();
    for n in names {
        match options.iter().position(|o| o == n) {
            Some(k) => map.push(k as u8),
            None => {
                return Err(WiringError::BadInput {
                    table: "sim",
                    key,
                    message: format!(
                        "param `{id}` offers option {n:?}, which the mechanism does not know (expected one of {options:?})"
                    ),
                });
            }
        }
    }
    Ok(ChoiceRef {
        value: ParamRef::Param(i),
        map,
    })
}

/// The last value of a linked flow or series.
fn last_value(case: &Case, key: &str) -> Option<(i32, f64)> {
    let id = case.econ_link(key)?;
    let values = case
        .flow(id)
        .map(|f| &f.values)
        .or_else(|| case.series(id).map(|s| &s.values))?;
    values
        .iter()
        .max_by_key(|v| v.year)
        .map(|v| (v.year, v.value.value))
}

/// The ledger's components in its latest year with a total, under a gas-reference method.
fn base_year(case: &Case, netback: Option<(f64, f64)>) -> Option<(i32, f64, BaseYear)> {
    let li = leverage_econ::ledger_inputs(
        case,
        &LedgerOptions {
            netback,
            ..LedgerOptions::default()
        },
    )
    .ok()?;
    let (lo, hi) = leverage_econ::inputs::data_years(case);
    let l = leverage_econ::ledger(&li, lo, hi);
    let r = l.rows.iter().rev().find(|r| r.total_usd_bn.is_some())?;
    use leverage_econ::Component as C;
    let c = |k: C| r.cell(k).usd_bn.unwrap_or(0.0);
    Some((
        r.year,
        r.gdp_usd_bn?,
        BaseYear {
            gas: c(C::Gas),
            crude: c(C::Crude),
            reclearance: c(C::Reclearance),
            loans: c(C::Loans),
            other: c(C::Discounts) + c(C::Transfers),
        },
    ))
}

/// Builds the timeline's [`Spec`] from a validated case.
pub fn spec(case: &Case) -> Result<Spec, WiringError> {
    let need = |id: &'static str| case.state_index(id).ok_or(WiringError::MissingState(id));
    let on = enabled(case);
    // A mechanism the case leaves out keeps its variable in a hidden slot after the case's
    // own, never recorded or classified.
    let n_state = case.states.len();
    let mut hidden = Vec::new();
    let mut optional = |id: &str, neutral: f64| match case.state_index(id) {
        Some(i) => i,
        None => {
            hidden.push(neutral);
            n_state + hidden.len() - 1
        }
    };
    let econ0 = case
        .state("econ_integration")
        .map_or(0.0, |s| s.initial.value);
    let idx = StateIndex {
        subsidy_gdp: need("subsidy_gdp")?,
        econ_integration: need("econ_integration")?,
        econ_signed: optional("econ_signed", econ0),
        military_integration: optional("military_integration", 0.0),
        west_alignment: optional("west_alignment", 1.0),
        china_alignment: optional("china_alignment", 1.0),
        tension: need("tension")?,
        stability: optional("stability", 50.0),
        intervened: need("intervened")?,
    };
    let hidden_initial = hidden;
    let compiled = case
        .compiled_rules()
        .map_err(|e| WiringError::Rule(e.to_string()))?;
    if compiled.is_empty() {
        return Err(WiringError::NoRules);
    }
    let as_of = case.case.as_of.year;
    // The first simulated year is the year of `as_of` when it falls in the first half of the
    // year (most of that year is still to come), else the next one.
    let first_year = if case.case.as_of.month.is_some_and(|m| m <= 6) {
        as_of
    } else {
        as_of + 1
    };
    if case.case.horizon < first_year {
        return Err(WiringError::NoYears {
            as_of,
            horizon: case.case.horizon,
        });
    }
    let coefs = resolve(case, &on)?;
    let weighting = choice_ref(case, "actor_weighting", WEIGHTING)?;
    let terms_model = choice_ref(case, "terms_model", TERMS_MODEL)?;
    let gas_method = choice_ref(case, "gas_reference_method", GAS_METHOD)?;

    // Actors and issues.
    let side = |a: &leverage_case::Actor| match a.side.as_deref() {
        Some(s) if Some(s) == case.case.patron.as_deref() => Side::Patron,
        Some(s) if Some(s) == case.case.client.as_deref() => Side::Client,
        _ if Some(a.id.as_str()) == case.case.patron.as_deref() => Side::Patron,
        _ if Some(a.id.as_str()) == case.case.client.as_deref() => Side::Client,
        _ => Side::Other,
    };
    let sides: Vec<Side> = case.actors.iter().map(side).collect();
    let group_of = |id: &str| {
        if case.sim_links("integration_issues").contains(&id) {
            Group::Integration
        } else if case.sim_links("energy_issues").contains(&id) {
            Group::Energy
        } else if case.sim_links("military_issues").contains(&id) {
            Group::Military
        } else {
            Group::Other
        }
    };
    let mut issues = Vec::new();
    for iss in &case.issues {
        let mut spec = IssueSpec {
            id: iss.id.clone(),
            group: group_of(&iss.id),
            status_quo: iss.status_quo.as_ref().map(|n| n.value),
            actors: Vec::new(),
            capability: Vec::new(),
            position: Vec::new(),
            salience: Vec::new(),
        };
        for p in &iss.positions {
            let Some(a) = case.actors.iter().position(|a| a.id == p.actor) else {
                continue;
            };
            spec.actors.push(a);
            spec.capability.push(case.actors[a].capability.value);
            spec.position.push(p.position.value);
            spec.salience.push(p.salience.value / 100.0);
        }
        issues.push(spec);
    }
    let terms_id = case
        .game_link("terms_issue")
        .ok_or(WiringError::NoTermsIssue)?;
    let terms_issue = case
        .issues
        .iter()
        .position(|i| i.id == terms_id)
        .ok_or(WiringError::NoTermsIssue)?;
    let client_actor = case
        .case
        .client
        .as_deref()
        .and_then(|c| case.actors.iter().position(|a| a.id == c));

    // Economics: the laws and agreements by year, from the maneuver's set-up.
    // After an agreement's schedule ends, its last value holds (as K and the multiplier do).
    let maneuver = |to: i32| {
        leverage_econ::inputs::maneuver_inputs(
            case,
            &leverage_econ::inputs::ManeuverOptions {
                from: Some(first_year),
                to: Some(to),
                ..Default::default()
            },
        )
    };
    let setup = if on.crude {
        Some(
            match maneuver(case.case.horizon) {
                Err(leverage_econ::inputs::ManeuverSetupError::NoVolume(y)) if y > first_year => {
                    maneuver(y - 1)
                }
                other => other,
            }
            .map_err(|e| WiringError::Econ(e.to_string()))?,
        )
    } else {
        None
    };
    let tagged = |tags: &[&str]| -> Vec<i32> {
        case.events
            .iter()
            .filter(|e| tags.iter().all(|t| e.tags.iter().any(|x| x == t)))
            .filter(|e| e.date.may_be_after(&case.case.as_of))
            .map(|e| e.date.year.max(first_year))
            .collect()
    };
    let military_years = tagged(&["decision", "military"]);
    let decision_years: Vec<i32> = case
        .events
        .iter()
        .filter(|e| e.tags.iter().any(|t| t == "decision"))
        .filter(|e| !e.tags.iter().any(|t| t == "military"))
        .filter(|e| e.date.may_be_after(&case.case.as_of))
        .map(|e| e.date.year.max(first_year))
        .collect();
    let election_year = case
        .events
        .iter()
        .filter(|e| e.tags.iter().any(|t| t == "election"))
        .filter(|e| e.date.may_be_after(&case.case.as_of))
        .filter(|e| {
            case.case
                .client
                .as_deref()
                .is_some_and(|c| e.actors.iter().any(|a| a == c))
        })
        .map(|e| e.date.year)
        .min();
    // Duty-free crude for the refineries: the latest observed volume (18 Mt under the 2017
    // agreement), at most the plan net of re-clearance; the re-cleared crude does not become
    // duty-free when re-clearance ends.
    let duty_free = last_value(case, "crude_duty_free").map(|v| v.1);
    let years = (first_year..=case.case.horizon)
        .map(|year| {
            let mut ey = EconYear {
                year,
                k: 0.0,
                multiplier: 0.0,
                refinery_mt: 0.0,
                reclearance_mt: 0.0,
                decision: decision_years.contains(&year),
                military_decision: military_years.contains(&year),
                election: election_year == Some(year),
                pre_election: election_year.is_some_and(|e| year <= e),
            };
            if let Some(inp) = setup.as_ref().map(|s| &s.inputs) {
                let i = ((year - first_year) as usize).min(inp.years.len().saturating_sub(1));
                ey.k = inp.k[i];
                ey.multiplier = inp.multiplier[i];
                ey.refinery_mt =
                    duty_free.map_or(inp.refinery_mt[i], |d| d.min(inp.refinery_mt[i]));
                ey.reclearance_mt = inp.reclearance_mt[i];
            }
            ey
        })
        .collect();

    let econ = if on.ledger {
        // A case without a gas pillar projects none (volume 0).
        let gas_volume = last_value(case, "gas_volume").map_or(0.0, |v| v.1);
        let (year, gdp, gross) = base_year(case, None).ok_or_else(|| {
            WiringError::Econ("the ledger has no year with a total and a GDP".into())
        })?;
        // The netback base uses the central values of the netback inputs (the path's
        // projection uses the draw's).
        let central = |key: &str| {
            case.sim_link(key)
                .and_then(|id| case.param(id))
                .map(|p| p.dist.central())
        };
        let netback = match (
            central("gas_netback_duty_rate"),
            central("gas_netback_transport"),
        ) {
            (Some(r), Some(t)) => base_year(case, Some((r, t))).map(|b| b.2),
            _ => None,
        };
        EconBase {
            gas_volume_bcm: gas_volume,
            gdp_usd_bn: gdp,
            year,
            ledger: [Some(gross), netback],
            fixed_pct: None,
            duty_law: setup.as_ref().map(|s| s.inputs.duty_law),
        }
    } else {
        EconBase {
            gas_volume_bcm: 0.0,
            gdp_usd_bn: f64::NAN,
            year: as_of,
            ledger: [None, None],
            fixed_pct: Some(case.initial_state()[idx.subsidy_gdp]),
            duty_law: None,
        }
    };

    let mut bounds = Vec::new();
    let mut level = Vec::new();
    for s in &case.states {
        bounds.push((s.min, s.max));
        level.push(!matches!(s.kind, leverage_case::StateKind::Flag));
    }
    // The rules' boundaries on level variables, each with its cap.
    let mut found: Vec<(usize, f64)> = Vec::new();
    for (_, r) in &compiled {
        for t in r.thresholds().unwrap_or_default() {
            if level.get(t.var).copied().unwrap_or(false)
                && !found.iter().any(|&(v, c)| v == t.var && c == t.value)
            {
                found.push((t.var, t.value));
            }
        }
    }
    let boundaries = found
        .iter()
        .map(|&(var, value)| {
            let gap = found
                .iter()
                .filter(|&&(v, c)| v == var && c != value)
                .map(|&(_, c)| (c - value).abs())
                .fold(f64::INFINITY, f64::min);
            Boundary {
                var,
                value,
                cap: 0.5 * gap * 0.999,
            }
        })
        .collect();
    let (rule_ids, rules) = compiled.into_iter().unzip();
    Ok(Spec {
        first_year,
        years,
        state_names: case.states.iter().map(|s| s.id.clone()).collect(),
        initial: case.initial_state(),
        bounds,
        idx,
        sides,
        issues,
        terms_issue,
        client_actor,
        econ,
        enabled: on,
        hidden: hidden_initial,
        coefs,
        weighting,
        terms_model,
        gas_method,
        rule_ids,
        rules,
        boundaries,
    })
}

/// How each input of the scenario engine is fed in a case: `(key, origin)`.
pub fn coefficient_origins(case: &Case) -> Vec<(String, String)> {
    INPUTS
        .iter()
        .map(|k| {
            let origin = match link_of(case, k).and_then(|id| case.param(id)) {
                Some(p) => format!("param `{}` ({})", p.id, p.dist.describe()),
                None if k.need != Need::Optional => format!("not linked ({})", need_text(k.need)),
                None => "not linked".to_string(),
            };
            (k.key.to_string(), origin)
        })
        .collect()
}

fn need_text(n: Need) -> String {
    match n {
        Need::Always => "required".into(),
        Need::Ledger => "required with [econ] links".into(),
        Need::NoLedger => "required without [econ] links".into(),
        Need::Crude => "required with [econ] crude_duty_free".into(),
        Need::Gas => "required with [econ] gas_volume".into(),
        Need::State(s) => format!("required with [[state]] {s}"),
        Need::Partner => "required with an outside partner".into(),
        Need::Optional => "optional".into(),
    }
}

/// A parameter whose distribution does not fit the input it feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    /// The parameter's index in the case.
    pub param: usize,
    /// The input's table.
    pub table: &'static str,
    /// The input's key.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub hint: String,
}

/// Checks every linked parameter against its input's range: a distribution whose support can
/// leave the range (a normal on a probability, a PERT reaching below zero on a cost) is a
/// problem, reported with the parameter so the caller can point at its location.
pub fn check(case: &Case) -> Vec<InputProblem> {
    let mut out = Vec::new();
    for input in INPUTS {
        let Some(id) = link_of(case, input) else {
            continue;
        };
        let Some(i) = case.params.iter().position(|p| p.id == id) else {
            continue;
        };
        let p = &case.params[i];
        match input.kind {
            Kind::Number { min, max } => {
                if p.dist.options().is_some() {
                    out.push(InputProblem {
                        param: i,
                        table: input.table.name(),
                        key: input.key,
                        message: format!(
                            "`{}` feeds [{}] `{}`, a number ({}), but is a choice",
                            p.id,
                            input.table.name(),
                            input.key,
                            input.unit
                        ),
                        hint: "give it a numeric distribution".into(),
                    });
                    continue;
                }
                let (lo, hi) = p.dist.support();
                if lo < min || hi > max {
                    let range = |x: f64| {
                        if x.is_infinite() {
                            if x > 0.0 {
                                "∞".to_string()
                            } else {
                                "−∞".to_string()
                            }
                        } else {
                            format!("{x}")
                        }
                    };
                    out.push(InputProblem {
                        param: i,
                        table: input.table.name(),
                        key: input.key,
                        message: format!(
                            "`{}` ({}) can take values in [{}, {}], outside the range of [{}] `{}` ([{}, {}], {})",
                            p.id,
                            p.dist.describe(),
                            range(lo),
                            range(hi),
                            input.table.name(),
                            input.key,
                            range(min),
                            range(max),
                            input.unit
                        ),
                        hint: "use a bounded distribution (pert, triangular, uniform, beta) inside the range".into(),
                    });
                }
            }
            Kind::Choice(options) => match p.dist.options() {
                None => out.push(InputProblem {
                    param: i,
                    table: "sim",
                    key: input.key,
                    message: format!(
                        "`{}` feeds [sim] `{}`, a structural choice, but is not a choice",
                        p.id, input.key
                    ),
                    hint: format!("write dist = \"choice\" with options among {options:?}"),
                }),
                Some(names) => {
                    for n in names {
                        if !options.contains(&n.as_str()) {
                            out.push(InputProblem {
                                param: i,
                                table: "sim",
                                key: input.key,
                                message: format!(
                                    "`{}` offers option {n:?}, which [sim] `{}` does not know",
                                    p.id, input.key
                                ),
                                hint: format!("the options are {options:?}"),
                            });
                        }
                    }
                }
            },
        }
    }
    out
}

/// Ids of the case's parameters that no input of the scenario engine, the economics or the game
/// reads (they are inert in an ensemble).
pub fn unread_params(case: &Case) -> Vec<String> {
    case.params
        .iter()
        .filter(|p| {
            !case.sim.iter().any(|l| l.id == p.id)
                && !case.econ.iter().any(|l| l.id == p.id)
                && !case.game.iter().any(|l| l.id == p.id)
        })
        .map(|p| p.id.clone())
        .collect()
}

/// The case's parameters as one sampler: every `[[param]]` in declaration order, with the
/// `[[correlation]]` rank correlations as one Gaussian-copula block.
#[derive(Debug, Clone)]
pub struct CaseSampler {
    sampler: crate::sample::Sampler,
    /// Parameter ids, in order.
    pub ids: Vec<String>,
    /// Indices of the uncertain (not fixed) parameters.
    pub uncertain: Vec<usize>,
}

impl CaseSampler {
    /// The underlying sampler.
    pub fn inner(&self) -> &crate::sample::Sampler {
        &self.sampler
    }
    /// The same parameters without rank correlation (for variance-based sensitivity, whose
    /// indices assume independent inputs).
    pub fn independent(case: &Case) -> Result<Self, WiringError> {
        build_sampler(case, false)
    }
}

/// Builds the case's sampler.
pub fn sampler(case: &Case) -> Result<CaseSampler, WiringError> {
    build_sampler(case, true)
}

fn build_sampler(case: &Case, correlated: bool) -> Result<CaseSampler, WiringError> {
    let dists: Vec<Dist> = case.params.iter().map(|p| p.dist.clone()).collect();
    let mut blocks = Vec::new();
    let m = case.correlation_matrix();
    if correlated && !m.is_empty() {
        let k = m.len();
        let params =
            m.params
                .iter()
                .map(|id| {
                    case.params.iter().position(|p| &p.id == id).ok_or_else(|| {
                        WiringError::Econ(format!("unknown correlated parameter {id}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
        let rho = (0..k).map(|i| m.rho[i * k..(i + 1) * k].to_vec()).collect();
        blocks.push(crate::sample::RankCorrelation { params, rho });
    }
    let sampler = crate::sample::Sampler::new(&dists, &blocks)
        .map_err(|e| WiringError::Sampling(e.to_string()))?;
    Ok(CaseSampler {
        sampler,
        ids: case.params.iter().map(|p| p.id.clone()).collect(),
        uncertain: case
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| !matches!(p.dist, Dist::Fixed { .. }))
            .map(|(i, _)| i)
            .collect(),
    })
}

impl crate::ensemble::DrawSampler for CaseSampler {
    fn sample(
        &self,
        rng: &mut rand_chacha::ChaCha8Rng,
        scratch: &mut Vec<f64>,
        out: &mut [f64],
    ) -> bool {
        scratch.resize(self.ids.len(), 0.5);
        // A validated case has finite distributions; a draw that fails anyway is reported as
        // failed by the ensemble, never filled in.
        self.sampler.draw(rng, scratch, out).is_ok() && out.iter().all(|x| !x.is_nan())
    }
    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// The scenario engine's checks of a case, as located diagnostics against the case file
/// `source`: a parameter whose distribution can leave the range of the input it feeds (or a
/// choice whose options the mechanism does not know) is an error at the parameter; a parameter
/// no engine input reads is a warning; a case with scenario rules that leaves out an input its
/// mechanisms need gets a warning naming the key and the mechanism (the ensemble refuses to run
/// until it is linked).
pub fn diagnostics(
    case: &Case,
    source: &leverage_case::SourceText,
) -> Vec<leverage_case::Diagnostic> {
    let mut sink = leverage_case::diag::Sink::new(source.clone());
    for p in check(case) {
        let param = &case.params[p.param];
        let span = param
            .dist_spans
            .first()
            .map_or(param.span.clone(), |(_, s)| s.clone());
        sink.error("sim::input-range", Some(span), p.message)
            .label(format!("feeds [{}] `{}`", p.table, p.key))
            .expected("a distribution inside the input's range")
            .hint(p.hint)
            .push();
    }
    for id in unread_params(case) {
        let Some(p) = case.param(&id) else { continue };
        let what = if matches!(p.dist, Dist::Fixed { .. }) {
            "a constant"
        } else {
            "sampled in every draw, yet"
        };
        sink.error(
            "sim::unread-param",
            Some(p.span.clone()),
            format!("param `{id}` is {what} read by no engine input ([sim], [econ] or [game] link)"),
        )
        .warning()
        .label("read by nothing")
        .expected("a param linked to an input of an engine")
        .hint("link it in [sim], [econ] or [game], or remove it (docs/simulation.md lists the inputs)")
        .push();
    }
    // A case that has a [sim] table means to simulate, one with [game] to solve the game: an
    // input those engines need and the case does not give is an error, located at the table.
    // Scenario rules without [sim] only warn (the ensemble will not run).
    let missing_sim = if case.scenarios.iter().any(|s| s.rule.is_some()) {
        match resolve(case, &enabled(case)) {
            Err(WiringError::MissingInputs(m)) => m,
            _ => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let missing_game = if case.game.is_empty() {
        Vec::new()
    } else {
        match ultimatum_inputs(case) {
            Err(WiringError::MissingInputs(m)) => m,
            _ => Vec::new(),
        }
    };
    let missing_sim = if case.sim.is_empty() && !missing_sim.is_empty() {
        // No [sim] table: one warning, not one per input.
        let keys: Vec<&str> = missing_sim.iter().map(|i| i.key).collect();
        let span = case
            .scenarios
            .iter()
            .find(|s| s.rule.is_some())
            .map(|s| s.rule_span.clone());
        sink.error(
            "engine::missing-input",
            span,
            format!(
                "the scenarios have rules but the case has no [sim] table: `simulate` needs {} input(s) ({}{})",
                keys.len(),
                keys.iter().take(6).copied().collect::<Vec<_>>().join(", "),
                if keys.len() > 6 { ", …" } else { "" }
            ),
        )
        .warning()
        .label("a rule the ensemble would classify by")
        .expected("a [sim] table linking the scenario engine's inputs")
        .hint("`leverage case new --template patron-client` writes a case that has them all; docs/simulation.md lists them")
        .push();
        Vec::new()
    } else {
        missing_sim
    };
    for (m, table) in [(missing_sim, &case.sim), (missing_game, &case.game)] {
        for i in m {
            sink.error(
                "engine::missing-input",
                table.first().map(|l| l.span.clone()),
                format!(
                    "[{}] `{}` is not given: the {} reads it ({}, {})",
                    i.table, i.key, i.mechanism, i.meaning, i.unit
                ),
            )
            .label("in this table")
            .expected(format!("`{} = \"<id>\"` under [{}]", i.key, i.table))
            .hint("nothing is filled in from another case; docs/case-format.md and docs/simulation.md list the inputs")
            .push();
        }
    }
    sink.into_diagnostics()
}
