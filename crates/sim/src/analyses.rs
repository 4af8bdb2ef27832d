//! The single-run analyses the report shows beside the ensemble: the economics engine on the
//! case's own data (the subsidy ledger, the gas subsidy under every reference price the case
//! carries, the tax maneuver, published figures against ours, dependence), every issue's
//! forecast by each bargaining model and by the exchange model across issues, and the crisis
//! game solved (subgame-perfect equilibrium, logit QRE, the sweep over the subsidy at stake).
//!
//! [`analyse`] computes them once; the pipeline keeps them in its bundle
//! ([`crate::pipeline::Bundle::analyses`]), so the report renders a stored run without running
//! any engine again.

use serde::{Deserialize, Serialize};

use leverage_bargain::compromise::Compromise;
use leverage_bargain::eu::{EuRound, ExpectedUtility};
use leverage_bargain::exchange::Trade;
use leverage_bargain::median::Median;
use leverage_bargain::nbs::Nbs;
use leverage_bargain::{Forecast, Model, problem_from_issue};
use leverage_case::Case;
use leverage_econ::compare::{Comparison, compare_all};
use leverage_econ::ledger::{Ledger, LedgerInputs};
use leverage_econ::maneuver::ManeuverPath;
use leverage_econ::{DependenceRow, LedgerOptions, ManeuverOptions};
use leverage_games::Profile;
use leverage_games::templates::{SweepRow, UltimatumEquilibrium, UltimatumInputs, subsidy_sweep};

use crate::wiring::{InputOrigin, ultimatum_inputs};

/// Every single-run analysis of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Analyses {
    /// The economics engine's results (`None`: the case has no economic data).
    pub econ: Option<EconResults>,
    /// Each issue with positions, forecast by every model, and the exchange model's trades.
    pub forecasts: Forecasts,
    /// The crisis game (`None`: the case has no `[game]` table; an error: why it was not solved).
    pub game: Option<Result<GameResults, String>>,
    /// The signposts of a simulated run, from its first [`INSIGHT_DRAWS`] draws (`None`: not a
    /// simulated run; an error: why there are none).
    #[serde(default)]
    pub watch: Option<Result<crate::watch::Watch, String>>,
    /// The offers at every crisis of a simulated run's first [`INSIGHT_DRAWS`] draws.
    #[serde(default)]
    pub offers: Option<Result<crate::offer::Offers, String>>,
}

/// Draws the signposts and offers of a run are computed from at most (the run's seed, its
/// first draws, recomputed).
pub const INSIGHT_DRAWS: u64 = 20_000;

/// Compute every analysis of `case` that needs no ensemble.
pub fn analyse(case: &Case) -> Analyses {
    Analyses {
        econ: econ(case),
        forecasts: forecasts(case),
        game: (!case.game.is_empty()).then(|| game(case)),
        watch: None,
        offers: None,
    }
}

/// Every analysis of a simulated run of `case` with `settings`: [`analyse`] and the run's
/// signposts and offers (its first [`INSIGHT_DRAWS`] draws, recomputed from the seed), in
/// `pool` (or the current rayon pool). Wires the case; [`analyse_wired`] takes it wired.
pub fn analyse_run(
    case: &Case,
    settings: &crate::pipeline::Settings,
    pool: Option<&rayon::ThreadPool>,
) -> Analyses {
    match crate::wiring::spec(case).and_then(|spec| Ok((spec, crate::wiring::sampler(case)?))) {
        Ok((spec, sampler)) => analyse_wired(case, &spec, &sampler, settings, pool),
        Err(e) => Analyses {
            watch: Some(Err(e.to_string())),
            offers: Some(Err(e.to_string())),
            ..analyse(case)
        },
    }
}

/// [`analyse_run`] on a case already wired into `spec` and `sampler`.
pub fn analyse_wired(
    case: &Case,
    spec: &crate::timeline::Spec,
    sampler: &crate::wiring::CaseSampler,
    settings: &crate::pipeline::Settings,
    pool: Option<&rayon::ThreadPool>,
) -> Analyses {
    let draws = settings.draws.min(INSIGHT_DRAWS);
    let watch = crate::signs::resolve(case, spec, &sampler.ids)
        .map_err(|e| format!("Nothing to watch: {e}."))
        .map(|signs| crate::watch::watch(spec, sampler, settings.seed, draws, &signs, pool));
    Analyses {
        watch: Some(watch),
        offers: Some(Ok(crate::offer::offers(
            spec,
            sampler,
            settings.seed,
            draws,
            pool,
        ))),
        ..analyse(case)
    }
}

/// What the economics engine says about a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EconResults {
    /// The ledger's inputs (for sources).
    pub inputs: LedgerInputs,
    /// The ledger over the case's data years.
    pub ledger: Ledger,
    /// The gas component under other reference prices: (label, ledger).
    pub gas_alternatives: Vec<(String, Ledger)>,
    /// The maneuver on the case's own assumptions, with each year's price origin.
    pub maneuver: Option<(ManeuverPath, Vec<String>)>,
    /// The maneuver's cumulative loss at flat prices (USD/bbl, path).
    pub maneuver_at: Vec<(f64, ManeuverPath)>,
    /// Published figures against ours.
    pub comparisons: Vec<Comparison>,
    /// Dependence indices.
    pub dependence: Vec<DependenceRow>,
    /// Why something could not be computed.
    pub problems: Vec<String>,
}

/// Run the economics engine on a case. `None` when the case has no economic data.
pub fn econ(case: &Case) -> Option<EconResults> {
    if case.flows.is_empty() && case.series.is_empty() {
        return None;
    }
    let mut problems = Vec::new();
    let inputs = match leverage_econ::ledger_inputs(case, &LedgerOptions::default()) {
        Ok(i) => i,
        Err(e) => {
            problems.push(e.to_string());
            return Some(EconResults::empty(problems));
        }
    };
    let (lo, hi) = leverage_econ::inputs::data_years(case);
    let ledger = leverage_econ::ledger(&inputs, lo, hi);
    // The gas component under every other reference the case carries.
    let mut gas_alternatives = Vec::new();
    let current = case.econ_link("gas_reference");
    for (id, unit) in case
        .flows
        .iter()
        .filter(|f| f.measure == "reference-price")
        .map(|f| (f.id.as_str(), f.unit.as_str()))
        .chain(
            case.series
                .iter()
                .filter(|s| s.measure == "gas-price")
                .map(|s| (s.id.as_str(), s.unit.as_str())),
        )
    {
        if Some(id) == current {
            continue;
        }
        let opts = LedgerOptions {
            gas_reference: Some(id.to_string()),
            netback: None,
        };
        match leverage_econ::ledger_inputs(case, &opts) {
            Ok(i) => {
                gas_alternatives.push((format!("{id} ({unit})"), leverage_econ::ledger(&i, lo, hi)))
            }
            Err(e) => problems.push(format!("gas reference {id}: {e}")),
        }
    }
    let maneuver = match leverage_econ::maneuver_inputs(case, &ManeuverOptions::default()) {
        Ok(setup) => match leverage_econ::simulate(&setup.inputs) {
            Ok(p) => Some((p, setup.price_origin)),
            Err(e) => {
                problems.push(format!("tax maneuver: {e}"));
                None
            }
        },
        Err(e) => {
            problems.push(format!("tax maneuver: {e}"));
            None
        }
    };
    let mut maneuver_at = Vec::new();
    if maneuver.is_some() {
        for price in [40.0, 50.0, 60.0, 70.0, 80.0] {
            let opts = ManeuverOptions {
                oil_price: Some(price),
                ..ManeuverOptions::default()
            };
            if let Ok(setup) = leverage_econ::maneuver_inputs(case, &opts) {
                if let Ok(p) = leverage_econ::simulate(&setup.inputs) {
                    maneuver_at.push((price, p));
                }
            }
        }
    }
    let comparisons = compare_all(case, &ledger);
    let dependence = leverage_econ::dependence(&leverage_econ::dependence_inputs(case), &ledger);
    Some(EconResults {
        inputs,
        ledger,
        gas_alternatives,
        maneuver,
        maneuver_at,
        comparisons,
        dependence,
        problems,
    })
}

impl EconResults {
    /// Nothing computed, for these reasons.
    pub fn empty(problems: Vec<String>) -> Self {
        Self {
            inputs: LedgerInputs {
                start: 0,
                years: 0,
                duty_law: None,
                gdp_usd: Default::default(),
                gas_paid: Default::default(),
                gas_reference: Default::default(),
                gas_method: leverage_econ::ledger::GasReference::Direct,
                gas_volume_bcm: Default::default(),
                crude_duty_free_mt: Default::default(),
                crude_duty_published: Default::default(),
                oil_usd_bbl: Default::default(),
                duty_k: Default::default(),
                duty_multiplier: Default::default(),
                discounts_bn: Default::default(),
                transfers_bn: Default::default(),
                reclearance_mt: Default::default(),
                products_kept_bn: Default::default(),
                products_transferred_bn: Default::default(),
                loans_bn: Default::default(),
                loan_rate_pct: Default::default(),
                market_rate_pct: Default::default(),
                loan_maturity_years: 0.0,
                loan_grace_years: 0.0,
                sources: vec![String::new()],
            },
            ledger: Ledger {
                rows: Vec::new(),
                trend_usd_bn: None,
                trend_pct_gdp: None,
            },
            gas_alternatives: Vec::new(),
            maneuver: None,
            maneuver_at: Vec::new(),
            comparisons: Vec::new(),
            dependence: Vec::new(),
            problems,
        }
    }
}

/// The bargaining engine's forecasts of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Forecasts {
    /// Each issue with positions.
    pub issues: Vec<IssueForecasts>,
    /// The issues the exchange model traded across (ids, in the order of the trades' indices).
    pub traded: Vec<String>,
    /// The exchange model's trades, in the order they were made.
    pub trades: Vec<Trade>,
}

/// One issue's forecasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueForecasts {
    /// The issue's id.
    pub issue: String,
    /// Every model's forecast ([`models`] in order), then the exchange model's when the issue
    /// was traded.
    pub forecasts: Vec<Forecast>,
    /// The expected-utility model's first round: each pair's challenge (the quadrant chart).
    pub eu_first_round: Option<EuRound>,
}

/// The bargaining models every issue is forecast by.
pub fn models() -> Vec<Box<dyn Model + Send + Sync>> {
    vec![
        Box::new(ExpectedUtility::default()),
        Box::new(Compromise),
        Box::new(Median),
        Box::new(Nbs),
    ]
}

/// Every issue with positions, forecast by each of [`models`] and by the exchange model across
/// all of them.
pub fn forecasts(case: &Case) -> Forecasts {
    let ms = models();
    let traded: Vec<&leverage_case::Issue> = case
        .issues
        .iter()
        .filter(|i| !i.positions.is_empty())
        .collect();
    let problems: Vec<_> = traded.iter().map(|i| problem_from_issue(case, i)).collect();
    let run = leverage_bargain::exchange::exchange(&problems);
    let mut out = Vec::new();
    for (k, (issue, p)) in traded.iter().zip(&problems).enumerate() {
        if p.players.is_empty() {
            continue;
        }
        let mut fs: Vec<Forecast> = ms.iter().map(|m| m.forecast(p)).collect();
        if let Some(f) = run.forecasts.get(k) {
            fs.push(f.clone());
        }
        out.push(IssueForecasts {
            issue: issue.id.clone(),
            forecasts: fs,
            eu_first_round: ExpectedUtility::default().run(p).rounds.into_iter().next(),
        });
    }
    Forecasts {
        issues: out,
        traded: traded.iter().map(|i| i.id.clone()).collect(),
        trades: run.trades,
    }
}

/// One terminal of the crisis game with its probability under each solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Terminal {
    /// The outcome's label.
    pub label: String,
    /// Its outcome type.
    pub outcome_type: String,
    /// Payoffs (patron, client), USD bn a year.
    pub payoffs: Vec<f64>,
    /// Probability under the logit QRE at λ = 1.
    pub p_qre1: f64,
    /// Probability under the logit QRE at λ = 5.
    pub p_qre5: f64,
    /// Probability under the subgame-perfect equilibrium.
    pub p_spe: f64,
}

/// The crisis game of a case, solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameResults {
    /// Its inputs (the tree is built from them).
    pub inputs: UltimatumInputs,
    /// Where each input came from.
    pub origins: Vec<InputOrigin>,
    /// The subgame-perfect equilibrium, read for a table.
    pub equilibrium: UltimatumEquilibrium,
    /// The subgame-perfect profile.
    pub spe: Option<Profile>,
    /// The logit QRE at λ = 1.
    pub qre1: Option<Profile>,
    /// Every terminal's probability under each solution (empty if one failed).
    pub terminals: Vec<Terminal>,
    /// The equilibrium as the subsidy at stake goes from 0 to 10 % of GDP.
    pub sweep: Vec<SweepRow>,
}

/// Solve the case's crisis game.
pub fn game(case: &Case) -> Result<GameResults, String> {
    let (inputs, origins) = ultimatum_inputs(case).map_err(|e| e.to_string())?;
    inputs.validate().map_err(|e| e.to_string())?;
    let game = leverage_games::templates::try_ultimatum_between(
        &inputs,
        case.patron_name(),
        case.client_name(),
    )
    .map_err(|_| "the game's inputs are invalid".to_string())?;
    let equilibrium = leverage_games::templates::equilibrium_of(&game);
    let spe = leverage_games::BackwardInduction::default()
        .solve_values(&game)
        .ok()
        .map(|s| s.profile);
    let qre1 = leverage_games::logit_at(&game, 1.0).ok().map(|q| q.profile);
    let qre5 = leverage_games::logit_at(&game, 5.0).ok().map(|q| q.profile);
    let dist =
        |p: Option<&Profile>| p.and_then(|p| leverage_games::outcome_distribution(&game, p).ok());
    let mut terminals = Vec::new();
    if let (Some(d1), Some(d5), Some(ds)) =
        (dist(qre1.as_ref()), dist(qre5.as_ref()), dist(spe.as_ref()))
    {
        for (k, (node, p1)) in d1.iter().enumerate() {
            let label = game
                .node(*node)
                .outcome
                .map(|o| game.outcome(o).label.clone())
                .unwrap_or_default();
            terminals.push(Terminal {
                outcome_type: leverage_games::templates::outcome_type_of(&label).to_string(),
                label,
                payoffs: game.node_payoffs(*node).to_vec(),
                p_qre1: *p1,
                p_qre5: d5[k].1,
                p_spe: ds[k].1,
            });
        }
    }
    Ok(GameResults {
        sweep: subsidy_sweep(&inputs, 0.0, 10.0, 20),
        inputs,
        origins,
        equilibrium,
        spe,
        qre1,
        terminals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Bundle, Settings, run_case};

    /// The analyses travel in the bundle: encoded and decoded, they encode to the same bytes,
    /// and they are the analyses of the case.
    #[test]
    fn analyses_survive_the_bundle_encoding() {
        let case = crate::links::default_case().expect("default case").case;
        let settings = Settings {
            analyses: true,
            ..Settings::ensemble(200, 3)
        };
        let b = run_case(&case, &settings, None, &|_| {}, None).expect("runs");
        let a = b.analyses.as_ref().expect("asked for");
        assert!(a.econ.as_ref().is_some_and(|e| !e.ledger.rows.is_empty()));
        assert_eq!(
            a.forecasts.issues.len(),
            case.issues
                .iter()
                .filter(|i| !i.positions.is_empty())
                .count()
        );
        assert!(matches!(a.game, Some(Ok(_))));
        let bytes = b.encode().unwrap();
        let back = Bundle::decode(&bytes).unwrap();
        assert_eq!(back.encode().unwrap(), bytes);
        let cbor = |x: &Option<Analyses>| {
            let mut v = Vec::new();
            ciborium::into_writer(x, &mut v).unwrap();
            v
        };
        assert_eq!(
            cbor(&back.analyses),
            cbor(&Some(analyse_run(&case, &settings, None)))
        );
        assert!(matches!(a.watch, Some(Ok(_))) && matches!(a.offers, Some(Ok(_))));
        // Not asked: none.
        let plain = run_case(&case, &Settings::ensemble(50, 3), None, &|_| {}, None).unwrap();
        assert!(plain.analyses.is_none());
    }

    /// Every forecast of an issue is one of the models, in order, then the exchange model.
    #[test]
    fn forecasts_follow_the_models() {
        let case = crate::links::default_case().expect("default case").case;
        let f = forecasts(&case);
        let names: Vec<&str> = models().iter().map(|m| m.name()).collect();
        for i in &f.issues {
            let got: Vec<&str> = i.forecasts.iter().map(|f| f.model.as_str()).collect();
            assert_eq!(&got[..names.len()], names.as_slice(), "{}", i.issue);
            assert_eq!(got.get(names.len()), Some(&"exchange"));
            assert!(i.eu_first_round.is_some());
        }
        assert_eq!(f.traded.len(), f.issues.len());
    }
}
