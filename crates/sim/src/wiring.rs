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

use crate::timeline::{
    Coefs, EconYear, GameField, Group, IssueSpec, ParamRef, Side, Spec, StateIndex,
};

/// One input with where its value came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputOrigin {
    /// The input.
    pub input: &'static str,
    /// Its value (the central value for a parameter).
    pub value: f64,
    /// Where it came from.
    pub origin: String,
}

/// The ultimatum inputs a case can link in `[game]` to a parameter, with their setters.
pub const GAME_FIELDS: &[(&str, GameField)] = &[
    ("value_integration_moscow", |i| {
        &mut i.value_integration_moscow
    }),
    ("resolve_moscow", |i| &mut i.resolve_moscow),
    ("sovereignty_cost_minsk", |i| &mut i.sovereignty_cost_minsk),
    ("subsidy_recapture", |i| &mut i.subsidy_recapture),
    ("coercion_cost_moscow", |i| &mut i.coercion_cost_moscow),
    ("pressure_cost_moscow", |i| &mut i.pressure_cost_moscow),
    ("pressure_cost_minsk", |i| &mut i.pressure_cost_minsk),
    ("audience_cost_moscow", |i| &mut i.audience_cost_moscow),
    ("audience_cost_minsk", |i| &mut i.audience_cost_minsk),
    ("conflict_appetite_minsk", |i| {
        &mut i.conflict_appetite_minsk
    }),
    ("open_conflict_cost_minsk", |i| {
        &mut i.open_conflict_cost_minsk
    }),
    ("p_western_support", |i| &mut i.p_western_support),
    ("p_china_support", |i| &mut i.p_china_support),
    ("support_value_minsk", |i| &mut i.support_value_minsk),
    ("drift_loss_moscow", |i| &mut i.drift_loss_moscow),
    ("p_intervention_success", |i| &mut i.p_intervention_success),
    ("intervention_cost_moscow", |i| {
        &mut i.intervention_cost_moscow
    }),
    ("regime_loss_minsk", |i| &mut i.regime_loss_minsk),
];

/// The ultimatum's inputs from a case: linked parameters at their central value, the subsidy
/// at stake from the ledger's latest total, the terms from the compromise forecast of the linked
/// issue; everything else the template's documented default.
pub fn ultimatum_inputs(case: &Case) -> (UltimatumInputs, Vec<InputOrigin>) {
    let mut inp = UltimatumInputs::default();
    let mut origins = Vec::new();
    for (name, field) in GAME_FIELDS {
        if let Some(p) = case.game_link(name).and_then(|id| case.param(id)) {
            *field(&mut inp) = p.dist.central();
            origins.push(InputOrigin {
                input: name,
                value: *field(&mut inp),
                origin: format!(
                    "param `{}` ({}), central value; {}",
                    p.id,
                    p.dist.describe(),
                    p.prov.describe()
                ),
            });
        } else {
            origins.push(InputOrigin {
                input: name,
                value: *field(&mut inp),
                origin: "template default (docs/games.md)".into(),
            });
        }
    }
    if let Some(issue) = case.game_link("terms_issue").and_then(|id| case.issue(id)) {
        let p = problem_from_issue(case, issue);
        if !p.players.is_empty() {
            inp.terms = Compromise.forecast(&p).outcome.clamp(0.0, 99.0);
            origins.push(InputOrigin {
                input: "terms",
                value: inp.terms,
                origin: format!("compromise forecast of issue `{}`", issue.id),
            });
        }
        if let Some(sq) = &issue.status_quo {
            inp.terms_status_quo = sq.value.min(99.0);
            origins.push(InputOrigin {
                input: "terms_status_quo",
                value: inp.terms_status_quo,
                origin: format!("status quo of issue `{}`", issue.id),
            });
        }
        if let Some(client) = case.case.client.as_deref() {
            if let Some(pos) = issue.positions.iter().find(|p| p.actor == client) {
                inp.minsk_ideal_terms = pos.position.value.min(99.0);
                origins.push(InputOrigin {
                    input: "minsk_ideal_terms",
                    value: inp.minsk_ideal_terms,
                    origin: format!("position of `{client}` on `{}`", issue.id),
                });
            }
        }
    }
    if let Some((year, pct, gdp)) = latest_subsidy(case) {
        inp.subsidy_pct_gdp = pct;
        inp.gdp_usd_bn = gdp;
        origins.push(InputOrigin {
            input: "subsidy_pct_gdp",
            value: pct,
            origin: format!("subsidy ledger, total {year} (% of GDP)"),
        });
        origins.push(InputOrigin {
            input: "gdp_usd_bn",
            value: gdp,
            origin: format!("GDP {year} (the ledger's GDP series)"),
        });
    }
    (inp, origins)
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
        "the case declares no [[state]] `{0}`, which the timeline updates (docs/simulation.md lists the six it needs)"
    )]
    MissingState(&'static str),
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
        "the case links no `[game] terms_issue`: the ultimatum's demand is that issue's forecast"
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

/// A timeline coefficient: its `[sim]` (or `[econ]`/`[game]`) link and its default.
struct Coef {
    key: &'static str,
    table: Table,
    default: f64,
}

#[derive(Clone, Copy)]
enum Table {
    Sim,
    Econ,
    Game,
}

/// The timeline's coefficients in [`Coefs`] field order, with their links and defaults (used
/// when a case does not link one; documented in docs/simulation.md).
const COEFS: &[Coef] = &[
    c("qre_lambda", Table::Sim, 2.0),
    c("position_noise", Table::Sim, 5.0),
    c("tension_threshold", Table::Sim, 60.0),
    c("tension_decay", Table::Sim, 0.75),
    c("tension_stall", Table::Sim, 5.0),
    c("tension_refusal", Table::Sim, 15.0),
    c("tension_resistance", Table::Sim, 20.0),
    c("subsidy_cut_share", Table::Sim, 0.4),
    c("subsidy_relief_share", Table::Sim, 0.5),
    c("west_shift_support", Table::Sim, 10.0),
    c("west_drift", Table::Sim, 3.0),
    c("west_policy_shock_p", Table::Sim, 0.15),
    c("west_policy_shock_size", Table::Sim, 10.0),
    c("military_share_capitulation", Table::Sim, 0.6),
    c("losing_threshold", Table::Sim, 60.0),
    c("intervention_from_year", Table::Sim, 2024.0),
    c("p_intervention_if_losing", Table::Sim, 0.05),
    c("oil_price_path", Table::Econ, 60.0),
    c("oil_volatility", Table::Sim, 0.25),
    c("gas_reference_path", Table::Sim, f64::NAN),
    c("gas_price_paid_path", Table::Sim, f64::NAN),
    c("gdp_growth", Table::Econ, 0.0),
    c("resolve_moscow", Table::Sim, 1.0),
    c("resolve_peak_year", Table::Sim, f64::NAN),
    c("conflict_appetite_minsk", Table::Game, 1.0),
    c("product_exports", Table::Econ, 0.0),
    c("product_duty_ratio", Table::Econ, 0.0),
    c("p_western_support", Table::Game, 0.15),
];

const fn c(key: &'static str, table: Table, default: f64) -> Coef {
    Coef {
        key,
        table,
        default,
    }
}

/// How each timeline coefficient is fed in a case: `(coefficient, origin)`.
pub fn coefficient_origins(case: &Case) -> Vec<(String, String)> {
    COEFS
        .iter()
        .map(|k| {
            let id = link(case, k);
            let origin = match id.and_then(|id| case.param(id)) {
                Some(p) => format!("param `{}` ({})", p.id, p.dist.describe()),
                None => format!("default {}", k.default),
            };
            (k.key.to_string(), origin)
        })
        .collect()
}

fn link<'a>(case: &'a Case, k: &Coef) -> Option<&'a str> {
    match k.table {
        Table::Sim => case.sim_link(k.key),
        Table::Econ => case.econ_link(k.key),
        Table::Game => case.game_link(k.key),
    }
}

fn param_ref(case: &Case, key: &str, fallback: f64) -> ParamRef {
    let k = COEFS
        .iter()
        .find(|k| k.key == key)
        .expect("a known coefficient");
    match link(case, k).and_then(|id| case.params.iter().position(|p| p.id == id)) {
        Some(i) => match &case.params[i].dist {
            Dist::Fixed { value } => ParamRef::Fixed(*value),
            _ => ParamRef::Param(i),
        },
        None => ParamRef::Fixed(if k.default.is_nan() {
            fallback
        } else {
            k.default
        }),
    }
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

/// Builds the timeline's [`Spec`] from a validated case.
pub fn spec(case: &Case) -> Result<Spec, WiringError> {
    let need = |id: &'static str| case.state_index(id).ok_or(WiringError::MissingState(id));
    let idx = StateIndex {
        subsidy_gdp: need("subsidy_gdp")?,
        econ_integration: need("econ_integration")?,
        military_integration: need("military_integration")?,
        west_alignment: need("west_alignment")?,
        tension: need("tension")?,
        intervened: need("intervened")?,
    };
    let compiled = case
        .compiled_rules()
        .map_err(|e| WiringError::Rule(e.to_string()))?;
    if compiled.is_empty() {
        return Err(WiringError::NoRules);
    }
    let as_of = case.case.as_of.year;
    let first_year = as_of + 1;
    if case.case.horizon < first_year {
        return Err(WiringError::NoYears {
            as_of,
            horizon: case.case.horizon,
        });
    }

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
    let client_position = case.case.client.as_deref().and_then(|client| {
        issues[terms_issue]
            .actors
            .iter()
            .position(|&a| case.actors[a].id == client)
    });

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
    // A case without `[econ]` links keeps the subsidy at stake at its `subsidy_gdp` initial
    // value (no ledger to project).
    let econ_linked = !case.econ.is_empty();
    let setup = if econ_linked {
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
    let decision_years: Vec<i32> = case
        .events
        .iter()
        .filter(|e| e.tags.iter().any(|t| t == "decision"))
        .filter(|e| e.date.is_after(&case.case.as_of))
        .map(|e| e.date.year.max(first_year))
        .collect();
    let election_year = case
        .events
        .iter()
        .filter(|e| e.tags.iter().any(|t| t == "election"))
        .filter(|e| e.date.is_after(&case.case.as_of))
        .filter(|e| {
            e.actors.is_empty()
                || case
                    .case
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

    let (gas_year, gas_volume) = last_value(case, "gas_volume").unwrap_or((as_of, 0.0));
    let _ = gas_year;
    let gas_paid_last = last_value(case, "gas_price_paid").map_or(0.0, |v| v.1);
    let gas_ref_last = last_value(case, "gas_reference").map_or(gas_paid_last, |v| v.1);
    let (game_base, _) = ultimatum_inputs(case);
    let (gdp_year, subsidy_pct, gdp, fixed_subsidy_pct) = if econ_linked {
        let (y, pct, gdp) = latest_subsidy(case).ok_or_else(|| {
            WiringError::Econ("the ledger has no year with a total and a GDP".into())
        })?;
        (y, pct, gdp, None)
    } else {
        let pct = case.initial_state()[idx.subsidy_gdp];
        (as_of, pct, game_base.gdp_usd_bn, Some(pct))
    };

    let r = |key: &str| param_ref(case, key, f64::NAN);
    let coefs = Coefs {
        qre_lambda: r("qre_lambda"),
        position_noise: r("position_noise"),
        tension_threshold: r("tension_threshold"),
        tension_decay: r("tension_decay"),
        tension_stall: r("tension_stall"),
        tension_refusal: r("tension_refusal"),
        tension_resistance: r("tension_resistance"),
        subsidy_cut_share: r("subsidy_cut_share"),
        subsidy_relief_share: r("subsidy_relief_share"),
        west_shift_support: r("west_shift_support"),
        west_drift: r("west_drift"),
        west_policy_shock_p: r("west_policy_shock_p"),
        west_policy_shock_size: r("west_policy_shock_size"),
        military_share_capitulation: r("military_share_capitulation"),
        losing_threshold: r("losing_threshold"),
        intervention_from_year: r("intervention_from_year"),
        p_intervention_if_losing: r("p_intervention_if_losing"),
        oil_price: r("oil_price_path"),
        oil_volatility: r("oil_volatility"),
        gas_reference: param_ref(case, "gas_reference_path", gas_ref_last),
        gas_price_paid: param_ref(case, "gas_price_paid_path", gas_paid_last),
        gdp_growth_pct: r("gdp_growth"),
        resolve_moscow: r("resolve_moscow"),
        resolve_peak_year: param_ref(case, "resolve_peak_year", case.case.horizon as f64),
        conflict_appetite: r("conflict_appetite_minsk"),
        product_exports_mt: r("product_exports"),
        product_duty_ratio: r("product_duty_ratio"),
        p_western_support: r("p_western_support"),
    };
    let game_params = GAME_FIELDS
        .iter()
        .filter_map(|(name, field)| {
            let id = case.game_link(name)?;
            let i = case.params.iter().position(|p| p.id == id)?;
            Some((*field, i))
        })
        .collect();
    let mut bounds = Vec::new();
    for s in &case.states {
        bounds.push((s.min, s.max));
    }
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
        client_position,
        gas_volume_bcm: gas_volume,
        gdp_base_usd_bn: gdp,
        gdp_base_year: gdp_year,
        subsidy_base_pct: subsidy_pct,
        fixed_subsidy_pct,
        coefs,
        game_base,
        game_params,
        rule_ids,
        rules,
    })
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
    fn sample(&self, rng: &mut rand_chacha::ChaCha8Rng, scratch: &mut Vec<f64>, out: &mut [f64]) {
        scratch.resize(self.ids.len(), 0.5);
        // A validated case has finite distributions; a failure leaves the central values.
        if self.sampler.draw(rng, scratch, out).is_err() {
            out.fill(f64::NAN);
        }
    }
    fn len(&self) -> usize {
        self.ids.len()
    }
}
