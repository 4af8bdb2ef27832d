//! The deal: the crisis game as both sides see it each year, the patron's demands in stages on
//! the economic track (the terms issue's forecast, then more after an acceptance), one outcome
//! drawn from the game's logit equilibrium at each decision point, and what the client does
//! with what it signed (implement part of it, stall, or withdraw). Also the consequences both
//! tracks share: resistance costs a round of coercion, a supported refusal brings a partner.

use super::{Levers, Mechanism, PathState, Stage, Year};
use crate::inputs::MechanismId;
use crate::timeline::{Spec, Values, event, implementation};
use leverage_games::templates::UltimatumInputs;
use leverage_games::ultimatum_fast::{self, Answer, Kind, TERMINALS};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The economic track of the deal.
pub struct Deal;

impl Mechanism for Deal {
    fn id(&self) -> MechanismId {
        MechanismId::Deal
    }
    fn writes(&self) -> &'static [&'static str] {
        &[
            "econ_signed",
            "econ_integration",
            "tension",
            "military_integration",
            "west_alignment",
            "china_alignment",
            "stability",
            "intervened",
        ]
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            "qre_lambda",
            "tension_threshold",
            "tension_decay",
            "tension_stall",
            "tension_refusal",
            "tension_resistance",
            "subsidy_cut_share",
            "market_restriction_share",
            "demand_raise",
            "implementation_rate",
            "stall_withholding",
            "withdrawal_cost",
            "military_share_capitulation",
            "pressure_stability_hit",
            "west_shift_support",
            "china_shift_support",
            "p_western_support",
            "p_china_support",
            "value_integration_patron",
            "sovereignty_cost_client",
            "sovereignty_convexity",
            "subsidy_recapture",
            "coercion_cost_patron",
            "pressure_cost_patron",
            "pressure_cost_client",
            "audience_cost_patron",
            "audience_cost_client",
            "conflict_appetite_client",
            "open_conflict_cost_client",
            "support_value_client",
            "drift_loss_patron",
            "p_intervention_success",
            "intervention_cost_patron",
            "regime_loss_client",
        ]
    }
    fn passage(&self) -> &'static str {
        "§5: the action plan first, then the tax code, supranational bodies and \"a federation \
         from 2022\"; 20+ road maps agreed, 5 deadlocked; the client \"will not sign what contradicts \
         the constitution\""
    }

    fn start(&self, p: &mut PathState<'_>) {
        let (spec, v) = (p.spec, &p.v);
        // The precision is per percentage point of the client's GDP a year, so one coefficient
        // fits a small client and a large one alike (the payoffs are in USD bn a year).
        let gdp_base = match spec.econ.fixed_pct {
            Some(_) => p.econ.gdp,
            None => spec.econ.gdp_usd_bn,
        };
        p.lambda = (v.qre_lambda.max(0.0) * 100.0 / gdp_base.max(1e-9)).min(1e6);
        p.levers = Levers {
            keep: 1.0,
            open: 1.0,
            cut: v.subsidy_cut_share.clamp(0.0, 1.0),
            restrict: v.market_restriction_share.clamp(0.0, 1.0),
        };
        p.game = UltimatumInputs {
            subsidy_recapture: v.subsidy_recapture,
            coercion_cost_patron: v.coercion_cost_patron,
            pressure_cost_patron: v.pressure_cost_patron,
            pressure_cost_client: v.pressure_cost_client,
            audience_cost_patron: v.audience_cost_patron.clamp(0.0, 1.0),
            audience_cost_client: v.audience_cost_client.clamp(0.0, 1.0),
            open_conflict_cost_client: v.open_conflict_cost_client,
            support_value_client: v.support_value_client,
            drift_loss_patron: v.drift_loss_patron,
            p_intervention_success: v.p_intervention_success.clamp(0.0, 1.0),
            intervention_cost_patron: v.intervention_cost_patron,
            regime_loss_client: v.regime_loss_client,
            ..blank_game()
        };
        // The client's own position on the terms (the path's, after the coding error).
        let ix = spec.idx;
        p.client_terms_ideal = spec
            .client_actor
            .and_then(|c| {
                let iss = &spec.issues[spec.terms_issue];
                iss.actors
                    .iter()
                    .position(|&a| a == c)
                    .map(|j| p.scratch.positions[spec.terms_issue][j])
            })
            .unwrap_or(p.s[ix.econ_integration]);
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let spec = p.spec;
        let ix = spec.idx;
        let on = spec.enabled;
        let y = yr.y;
        let n_issues = spec.issues.len();
        let decay = p.v.tension_decay.clamp(0.0, 1.0);
        year_game(p, yr);

        // The economic track: the patron's demand in stages.
        let v = p.v;
        let s = &mut p.s;
        let signed = s[ix.econ_signed];
        let raised = p.stage == Stage::Political;
        let demand = match p.stage {
            Stage::Economic => p.out.forecast[y * n_issues + spec.terms_issue],
            Stage::Political => signed + v.demand_raise.clamp(0.0, 1.0) * (100.0 - signed),
        };
        yr.pressing = yr.ey.decision || s[ix.tension] >= v.tension_threshold;
        // A patron that gains nothing from the terms makes no demand.
        let gains = v.value_integration_patron * yr.resolve > 0.0;
        if yr.pressing && gains && demand.is_finite() && demand > signed + 0.5 {
            p.out.demand[y] = demand;
            let track = Track {
                terms: demand,
                status_quo: signed,
                ideal: p.client_terms_ideal,
                value: v.value_integration_patron,
                sovereignty: v.sovereignty_cost_client,
                side_payment: if p.deal { 0.0 } else { yr.sweet_eq },
            };
            let (t, inputs) = play(&p.game, &track, p.lambda, p.rng);
            (p.played)(y, false, &inputs);
            p.out.terminal[y] = t as u8;
            yr.tension_moved = true;
            let (kind, answer) = ultimatum_fast::terminal_kind(t);
            let step = answer_step(&v, answer);
            support(&v, answer, &p.game, s, ix, p.rng, &mut p.out.events[y]);
            match kind {
                Kind::NoDemand => s[ix.tension] *= decay,
                Kind::Accept => {
                    s[ix.econ_signed] = signed.max(demand);
                    p.deal = true;
                    p.stage = Stage::Political;
                    s[ix.tension] *= decay;
                }
                Kind::BackDown => s[ix.tension] += step,
                Kind::CapitulateEconomic | Kind::CapitulatePressure => {
                    // Signed under coercion: the terms stand, without the sweeteners an
                    // acceptance earns (the game counts the side payment at Accept only).
                    s[ix.econ_signed] = signed.max(demand);
                    p.stage = Stage::Political;
                    s[ix.tension] += step;
                    if kind == Kind::CapitulatePressure
                        && on.military
                        && yr.military_forecast.is_finite()
                    {
                        let m = s[ix.military_integration];
                        s[ix.military_integration] =
                            m + v.military_share_capitulation.clamp(0.0, 1.0)
                                * (yr.military_forecast.max(m) - m);
                    }
                }
                Kind::ResistEconomic | Kind::ResistPressure | Kind::Intervene => {
                    confront(spec, &v, kind, step, &mut p.levers, s, &mut p.out.events[y]);
                }
            }
        }

        implement(p, yr);
        if raised && p.out.terminal[y] != crate::timeline::NO_DECISION {
            p.out.events[y] |= event::DEMAND_RAISED;
        }
    }
}

/// The crisis game's inputs common to both tracks this year: what is at stake, the resolve,
/// the partners' readiness to help, the regime's fragility and pre-election restraint.
fn year_game(p: &mut PathState<'_>, yr: &mut Year) {
    let (spec, v, s) = (p.spec, &p.v, &p.s);
    let ix = spec.idx;
    let on = spec.enabled;
    let game = &mut p.game;
    let gdp = yr.gdp;
    game.subsidy_pct_gdp = if gdp > 0.0 {
        100.0 * yr.at_stake_eq / gdp
    } else {
        0.0
    };
    game.gdp_usd_bn = gdp.max(0.0);
    game.subsidy_recapture = (v.subsidy_recapture * yr.recapture_ratio).clamp(0.0, 1.0);
    game.resolve_patron = yr.resolve.max(0.0);
    game.p_western_support = if on.west {
        (v.p_western_support * s[ix.west_alignment] / p.west0).clamp(0.0, 1.0)
    } else {
        0.0
    };
    game.p_china_support = if on.china {
        (v.p_china_support * s[ix.china_alignment] / p.china0).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // An unstable regime fears open conflict more (paper §8: the cushion shrinks).
    let fragility = (p.stab0 / s[ix.stability].max(1.0)).clamp(0.5, 4.0);
    game.open_conflict_cost_client = v.open_conflict_cost_client * fragility;
    // Pre-election restraint (paper: the leader needs calm before the campaign): a visible
    // concession costs as much as an open break, so the leader stalls.
    yr.restraint = if yr.ey.pre_election {
        let appetite = v.conflict_appetite_client.max(1e-6);
        game.conflict_appetite_client = appetite;
        game.open_conflict_cost_client * (1.0 / appetite - 1.0).max(0.0)
    } else {
        game.conflict_appetite_client = 1.0;
        0.0
    };
    game.signing_cost_client = yr.restraint;
    game.sovereignty_convexity = v.sovereignty_convexity.max(1e-3);
}

/// Implementation of what is signed: implement part of the gap, stall, or withdraw, by a logit
/// choice on the yearly values of each.
fn implement(p: &mut PathState<'_>, yr: &mut Year) {
    let spec = p.spec;
    let ix = spec.idx;
    let v = &p.v;
    let y = yr.y;
    let s = &mut p.s;
    let in_force = s[ix.econ_integration];
    let signed = s[ix.econ_signed];
    if !spec.enabled.implementation {
        // Signing is implementing.
        s[ix.econ_integration] = s[ix.econ_signed];
        return;
    }
    if !(s[ix.intervened] < 0.5 && signed > in_force + 0.5) {
        return;
    }
    let mut curve = p.game;
    curve.client_ideal_terms = p.client_terms_ideal.clamp(0.0, 99.0);
    curve.sovereignty_cost_client = v.sovereignty_cost_client;
    let cost = |x: f64| curve.sovereignty_level(x);
    // Yearly values against stalling (which keeps the signature and the subsidy, loses the
    // withheld share of the sweeteners, and raises tension): implementing pays the sovereignty
    // cost of the step for good and releases the withheld sweeteners; withdrawing loses the
    // sweeteners and the share of the subsidy the patron cuts.
    let w = v.stall_withholding.clamp(0.0, 1.0);
    let rate = v.implementation_rate.clamp(0.0, 1.0);
    let step = cost(in_force + rate * (signed - in_force)) - cost(in_force);
    // The sweeteners count only while an accepted deal holds (terms signed under coercion bring
    // none).
    let sweet = if p.deal { yr.sweet_eq } else { 0.0 };
    let u_implement = w * sweet - step - yr.restraint;
    let u_stall = 0.0;
    let u_withdraw = -(1.0 - w) * sweet - yr.at_stake_eq - v.withdrawal_cost - yr.restraint;
    match logit3([u_implement, u_stall, u_withdraw], p.lambda, p.rng) {
        0 => {
            p.out.implementation[y] = implementation::IMPLEMENT;
            s[ix.econ_integration] = in_force + rate * (signed - in_force);
        }
        1 => {
            p.out.implementation[y] = implementation::STALL;
            s[ix.tension] += v.tension_stall;
            yr.tension_moved = true;
        }
        _ => {
            p.out.implementation[y] = implementation::WITHDRAW;
            s[ix.econ_signed] = in_force;
            p.deal = false;
            p.stage = Stage::Economic;
            p.levers.apply();
            p.out.events[y] |= event::CUT;
            s[ix.tension] += v.tension_refusal;
            yr.tension_moved = true;
        }
    }
}

/// The crisis game's inputs before any draw (overwritten by [`Deal::start`] and each year).
pub(super) fn blank_game() -> UltimatumInputs {
    UltimatumInputs {
        subsidy_recapture: 0.0,
        coercion_cost_patron: 0.0,
        pressure_cost_patron: 0.0,
        pressure_cost_client: 0.0,
        audience_cost_patron: 0.0,
        audience_cost_client: 0.0,
        conflict_appetite_client: 1.0,
        open_conflict_cost_client: 0.0,
        support_value_client: 0.0,
        drift_loss_patron: 0.0,
        p_intervention_success: 0.0,
        intervention_cost_patron: 0.0,
        regime_loss_client: 0.0,
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
    }
}

/// The crisis game's inputs for one track in one year.
pub(super) struct Track {
    /// The demand (0-100).
    pub terms: f64,
    /// What is in force or signed.
    pub status_quo: f64,
    /// The client's own position.
    pub ideal: f64,
    /// The patron's value of the track.
    pub value: f64,
    /// The client's sovereignty cost of the track.
    pub sovereignty: f64,
    /// What an acceptance brings the client.
    pub side_payment: f64,
}

/// Solves the crisis game for a track and draws its outcome.
pub(super) fn play(
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

/// What follows resistance or an intervention, the same on both tracks: resisting costs the
/// client a round of coercion (and stability under pressure) and raises tension; an
/// intervention is absorbing.
pub(super) fn confront(
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

/// Tension added by the client's answer.
pub(super) fn answer_step(v: &Values, answer: Answer) -> f64 {
    match answer {
        Answer::None => 0.0,
        Answer::Stall => v.tension_stall,
        Answer::RefuseSupported | Answer::RefuseAlone => v.tension_refusal,
    }
}

/// After a supported refusal: which outside partner came, and the alignment it moves.
pub(super) fn support(
    v: &Values,
    answer: Answer,
    game: &UltimatumInputs,
    s: &mut [f64],
    ix: crate::timeline::StateIndex,
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
