//! The integration ultimatum solved without building a tree: the payoff formulas of
//! [`crate::templates::ultimatum`] in one place, and allocation-free backward induction and
//! logit QRE on its fixed shape.
//!
//! The scenario engine solves the ultimatum in every year of every draw of an ensemble (hundreds
//! of thousands of times a second), so it cannot afford to build a [`crate::Game`] each time.
//! The tree's shape never changes; only its 20 terminal payoffs and the chance probability do.
//! [`terminal_payoffs`] computes them (the template builds its tree from the same function, so
//! The formulas exist once), and [`logit`] / [`spe`] walk the fixed shape:
//!
//! ```text
//! Patron ─ StatusQuo ──────────── T0  status_quo
//!        └ Demand ─ Client ─ Accept ─ T1  negotiated_integration
//!                         ├ Stall ── R(stall, T2..T7)
//!                         └ Refuse ─ chance ─ Support (p) ── R(support, T8..T13)
//!                                           └ NoSupport ──── R(alone, T14..T19)
//! R(b) Patron ─ BackDown ─ Tb
//!             ├ Coerce ── Client ─ Capitulate Tb+1 | Resist Tb+2
//!             └ Pressure ─ Client ─ Capitulate Tb+3 | Resist ─ Patron ─ Relent Tb+4 | Intervene Tb+5
//! ```
//!
//! Tests check both against the general solvers on the built tree
//! ([`crate::solve::BackwardInduction`], [`crate::qre::logit_at`]).

use crate::templates::UltimatumInputs;

/// Number of terminal outcomes of the ultimatum tree.
pub const TERMINALS: usize = 20;

/// The terminals' outcome labels, in tree (depth-first) order. Each starts with the outcome type
/// it is an instance of ([`crate::templates::outcome_type_of`]).
pub const LABELS: [&str; TERMINALS] = [
    "status_quo",
    "negotiated_integration",
    "status_quo_stall",
    "coerced_integration_stall_econ",
    "confrontation_stall_econ",
    "coerced_integration_stall_pressure",
    "confrontation_stall_pressure",
    "intervention_stall",
    "rebalancing",
    "coerced_integration_support_econ",
    "confrontation_support_econ",
    "coerced_integration_support_pressure",
    "confrontation_support_pressure",
    "intervention_support",
    "status_quo_refused",
    "coerced_integration_alone_econ",
    "confrontation_alone_econ",
    "coerced_integration_alone_pressure",
    "confrontation_alone_pressure",
    "intervention_alone",
];

/// First terminal of each response subtree: after a stall, after supported refusal, after a
/// refusal left alone.
pub const BRANCH_BASE: [usize; 3] = [2, 8, 14];

/// What a terminal means for the state of the relationship, independent of the branch it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The patron makes no demand.
    NoDemand,
    /// The client accepts the terms.
    Accept,
    /// The patron backs down (after a stall, or a refusal with or without support).
    BackDown,
    /// The client capitulates to economic coercion.
    CapitulateEconomic,
    /// The client resists economic coercion.
    ResistEconomic,
    /// The client capitulates to military-political pressure.
    CapitulatePressure,
    /// The client resists pressure and the patron relents.
    ResistPressure,
    /// The patron intervenes.
    Intervene,
}

/// How the client answered, for a terminal reached after the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// No answer was needed (no demand) or the client accepted.
    None,
    /// The client stalled.
    Stall,
    /// The client refused and outside support arrived.
    RefuseSupported,
    /// The client refused and no support arrived.
    RefuseAlone,
}

/// The kind and answer of terminal `t` (0..[`TERMINALS`]).
pub fn terminal_kind(t: usize) -> (Kind, Answer) {
    match t {
        0 => (Kind::NoDemand, Answer::None),
        1 => (Kind::Accept, Answer::None),
        _ => {
            let branch = (t - 2) / 6;
            let answer =
                [Answer::Stall, Answer::RefuseSupported, Answer::RefuseAlone][branch.min(2)];
            let kind = [
                Kind::BackDown,
                Kind::CapitulateEconomic,
                Kind::ResistEconomic,
                Kind::CapitulatePressure,
                Kind::ResistPressure,
                Kind::Intervene,
            ][(t - 2) % 6];
            (kind, answer)
        }
    }
}

/// Payoffs (patron, client) of every terminal, in [`LABELS`] order, USD bn a year against the
/// status quo. The formulas are documented in `docs/games.md`; the inputs are not validated
/// here ([`UltimatumInputs::validate`] is the caller's job).
pub fn terminal_payoffs(i: &UltimatumInputs) -> [[f64; 2]; TERMINALS] {
    let v = i.value_patron();
    let s = i.subsidy_usd_bn();
    let gain = i.gain_patron(i.terms);
    let sov = i.sovereignty_cost(i.terms);
    let aud_m = i.audience_cost_patron * gain;
    // Giving in is a visible concession, as signing is: both carry the signing cost.
    let cap_econ_b = -(1.0 + i.audience_cost_client) * sov - i.signing_cost_client;
    let cap_press_b =
        -(1.0 + i.audience_cost_client) * i.sovereignty_cost_full() - i.signing_cost_client;
    let conflict_b = i.open_conflict_cost_client / i.conflict_appetite_client;
    let recaptured = i.subsidy_recapture * s;
    let q = i.p_intervention_success;

    let mut out = [[0.0; 2]; TERMINALS];
    out[0] = [0.0, 0.0];
    out[1] = [
        gain - i.side_payment,
        -sov + i.side_payment - i.signing_cost_client,
    ];
    for (k, &b) in BRANCH_BASE.iter().enumerate() {
        let (drift, support) = if k == 1 {
            (i.drift_loss_patron, i.support_value_client)
        } else {
            (0.0, 0.0)
        };
        out[b] = match k {
            0 => [0.0, 0.0],
            1 => [-aud_m - drift, support],
            _ => [-aud_m, 0.0],
        };
        out[b + 1] = [gain - i.coercion_cost_patron, cap_econ_b];
        out[b + 2] = [
            recaptured - i.coercion_cost_patron - drift,
            -s - conflict_b + support,
        ];
        out[b + 3] = [v - i.pressure_cost_patron, cap_press_b];
        let resisting_b = -s - i.pressure_cost_client - conflict_b + support;
        out[b + 4] = [
            recaptured - i.pressure_cost_patron - aud_m - drift,
            resisting_b,
        ];
        out[b + 5] = [
            q * v - (1.0 - q) * i.drift_loss_patron - i.intervention_cost_patron,
            -q * i.regime_loss_client + (1.0 - q) * resisting_b,
        ];
    }
    out
}

/// A choice rule at a decision node: given the mover's values of the actions, write the
/// action probabilities.
trait Choice {
    fn choose<const N: usize>(&self, values: [f64; N]) -> [f64; N];
}

/// Logit choice at precision λ.
struct Logit(f64);

impl Choice for Logit {
    fn choose<const N: usize>(&self, values: [f64; N]) -> [f64; N] {
        let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut p = [0.0; N];
        let mut total = 0.0;
        for (pi, v) in p.iter_mut().zip(values) {
            *pi = (self.0 * (v - top)).exp();
            total += *pi;
        }
        for pi in &mut p {
            *pi /= total;
        }
        p
    }
}

/// Best reply; ties within `1e-9` go to the first action (the template's least escalatory).
struct Best;

impl Choice for Best {
    fn choose<const N: usize>(&self, values: [f64; N]) -> [f64; N] {
        let mut best = 0;
        for (a, &v) in values.iter().enumerate().skip(1) {
            if v > values[best] + 1e-9 {
                best = a;
            }
        }
        let mut p = [0.0; N];
        p[best] = 1.0;
        p
    }
}

/// Choice probabilities of one response subtree, and its value (patron, client).
struct Response {
    value: [f64; 2],
    respond: [f64; 3],
    coerced: [f64; 2],
    pressured: [f64; 2],
    resisted: [f64; 2],
}

/// Expected value of a choice.
fn expect<const N: usize>(p: &[f64; N], v: [[f64; 2]; N]) -> [f64; 2] {
    let mut out = [0.0; 2];
    for (pa, va) in p.iter().zip(v) {
        out[0] += pa * va[0];
        out[1] += pa * va[1];
    }
    out
}

/// Values bottom-up through one response subtree starting at terminal `b`.
fn respond<C: Choice>(rule: &C, pay: &[[f64; 2]; TERMINALS], b: usize) -> Response {
    const PATRON: usize = 0;
    const CLIENT: usize = 1;
    let ce = [pay[b + 1], pay[b + 2]];
    let coerced = rule.choose(ce.map(|v| v[CLIENT]));
    let v_ce = expect(&coerced, ce);
    let rs = [pay[b + 4], pay[b + 5]];
    let resisted = rule.choose(rs.map(|v| v[PATRON]));
    let v_rs = expect(&resisted, rs);
    let cp = [pay[b + 3], v_rs];
    let pressured = rule.choose(cp.map(|v| v[CLIENT]));
    let v_cp = expect(&pressured, cp);
    let r = [pay[b], v_ce, v_cp];
    let respond = rule.choose(r.map(|v| v[PATRON]));
    Response {
        value: expect(&respond, r),
        respond,
        coerced,
        pressured,
        resisted,
    }
}

/// Writes the terminal probabilities of a response subtree reached with probability `reach`.
fn spread(r: &Response, b: usize, reach: f64, out: &mut [f64; TERMINALS]) {
    out[b] = reach * r.respond[0];
    let ce = reach * r.respond[1];
    out[b + 1] = ce * r.coerced[0];
    out[b + 2] = ce * r.coerced[1];
    let cp = reach * r.respond[2];
    out[b + 3] = cp * r.pressured[0];
    let rs = cp * r.pressured[1];
    out[b + 4] = rs * r.resisted[0];
    out[b + 5] = rs * r.resisted[1];
}

fn solve<C: Choice>(rule: &C, i: &UltimatumInputs) -> Solution {
    let pay = terminal_payoffs(i);
    let p = i.p_support();
    let stall = respond(rule, &pay, BRANCH_BASE[0]);
    let support = respond(rule, &pay, BRANCH_BASE[1]);
    let alone = respond(rule, &pay, BRANCH_BASE[2]);
    let refuse = expect(&[p, 1.0 - p], [support.value, alone.value]);
    let a = [pay[1], stall.value, refuse];
    let answer = rule.choose(a.map(|v| v[1]));
    let v_answer = expect(&answer, a);
    let root_v = [pay[0], v_answer];
    let root = rule.choose(root_v.map(|v| v[0]));
    let mut probabilities = [0.0; TERMINALS];
    probabilities[0] = root[0];
    let demand = root[1];
    probabilities[1] = demand * answer[0];
    spread(
        &stall,
        BRANCH_BASE[0],
        demand * answer[1],
        &mut probabilities,
    );
    let refused = demand * answer[2];
    spread(&support, BRANCH_BASE[1], refused * p, &mut probabilities);
    spread(
        &alone,
        BRANCH_BASE[2],
        refused * (1.0 - p),
        &mut probabilities,
    );
    Solution {
        payoffs: pay,
        values: expect(&root, root_v),
        probabilities,
    }
}

/// What each answer to the demand is worth to both sides under the subgame-perfect
/// continuation: accepting (at the inputs' side payment), stalling and refusing (chance of
/// support included), as (patron, client), USD bn a year against the status quo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answers {
    /// Accepting.
    pub accept: [f64; 2],
    /// Stalling, then the patron's best response and what follows.
    pub stall: [f64; 2],
    /// Refusing, then the patron's best response and what follows.
    pub refuse: [f64; 2],
}

/// The values of the client's three answers ([`Answers`]) by backward induction, the same
/// payoffs and tie rule as [`spe`].
pub fn answers(i: &UltimatumInputs) -> Answers {
    let pay = terminal_payoffs(i);
    let p = i.p_support();
    let stall = respond(&Best, &pay, BRANCH_BASE[0]);
    let support = respond(&Best, &pay, BRANCH_BASE[1]);
    let alone = respond(&Best, &pay, BRANCH_BASE[2]);
    Answers {
        accept: pay[1],
        stall: stall.value,
        refuse: expect(&[p, 1.0 - p], [support.value, alone.value]),
    }
}

/// A solved ultimatum: every terminal's payoffs and probability, and the expected payoffs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Solution {
    /// Payoffs (patron, client) per terminal, [`LABELS`] order.
    pub payoffs: [[f64; 2]; TERMINALS],
    /// Expected payoffs (patron, client) at the root.
    pub values: [f64; 2],
    /// Probability of each terminal (chance included), [`LABELS`] order; sums to 1.
    pub probabilities: [f64; TERMINALS],
}

/// The subgame-perfect equilibrium by backward induction, ties to the first (least escalatory)
/// action within 1e-9 — the same rule as [`crate::solve::BackwardInduction::default`].
pub fn spe(i: &UltimatumInputs) -> Solution {
    solve(&Best, i)
}

/// The logit quantal response equilibrium at precision `lambda` (1/USD bn): each decision is a
/// logit reply to the values below it (logit backward induction; in a perfect-information tree
/// this is the agent-form logit QRE). `lambda = 0` is uniform play; large `lambda` approaches
/// [`spe`] where it has no ties.
pub fn logit(i: &UltimatumInputs, lambda: f64) -> Solution {
    solve(&Logit(lambda.max(0.0)), i)
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::profile::outcome_distribution;
    use crate::qre::logit_at;
    use crate::solve::BackwardInduction;
    use crate::templates::ultimatum;

    fn variants() -> Vec<UltimatumInputs> {
        let base = UltimatumInputs::example();
        let mut v = vec![base];
        for s in [0.0, 1.0, 3.0, 8.0, 10.0] {
            v.push(UltimatumInputs {
                subsidy_pct_gdp: s,
                ..base
            });
        }
        v.push(UltimatumInputs {
            terms: 95.0,
            resolve_patron: 1.6,
            p_western_support: 0.6,
            ..base
        });
        v.push(UltimatumInputs {
            terms: 20.0,
            ..base
        });
        v.push(UltimatumInputs {
            intervention_cost_patron: 1.0,
            conflict_appetite_client: 0.2,
            ..base
        });
        v
    }

    fn tree_distribution(
        game: &crate::Game,
        profile: &crate::Profile,
    ) -> ([f64; TERMINALS], Vec<String>) {
        let mut out = [0.0; TERMINALS];
        let mut labels = Vec::new();
        for (k, (node, p)) in outcome_distribution(game, profile)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            out[k] = p;
            let o = game.node(node).outcome.unwrap();
            labels.push(game.outcome(o).label.clone());
        }
        (out, labels)
    }

    /// The client's answer in the SPE is the best of the three values `answers` gives.
    #[test]
    fn answers_agree_with_the_spe() {
        for i in variants() {
            let a = answers(&i);
            let sol = spe(&i);
            let demanded = 1.0 - sol.probabilities[0];
            if demanded < 0.5 {
                continue;
            }
            let accepted = sol.probabilities[1] / demanded;
            let best_other = a.stall[1].max(a.refuse[1]);
            if a.accept[1] > best_other + 1e-9 {
                assert!(accepted > 0.99, "{i:?}");
            } else if a.accept[1] < best_other - 1e-9 {
                assert!(accepted < 0.01, "{i:?}");
            }
        }
    }

    #[test]
    fn labels_and_payoffs_match_the_built_tree() {
        for i in variants() {
            let game = ultimatum(&i);
            let sol = spe(&i);
            let bi = BackwardInduction::default().solve_values(&game).unwrap();
            let (dist, labels) = tree_distribution(&game, &bi.profile);
            assert_eq!(labels, LABELS);
            for (k, (node, _)) in outcome_distribution(&game, &bi.profile)
                .unwrap()
                .into_iter()
                .enumerate()
            {
                let pay = game.path_payoffs(node);
                assert!((pay[0] - sol.payoffs[k][0]).abs() < 1e-12, "{k}");
                assert!((pay[1] - sol.payoffs[k][1]).abs() < 1e-12, "{k}");
            }
            for k in 0..TERMINALS {
                assert!((dist[k] - sol.probabilities[k]).abs() < 1e-12, "{k}: {i:?}");
            }
            assert!((bi.payoffs()[0] - sol.values[0]).abs() < 1e-9);
            assert!((bi.payoffs()[1] - sol.values[1]).abs() < 1e-9);
        }
    }

    #[test]
    fn logit_matches_the_general_qre() {
        for i in variants() {
            let game = ultimatum(&i);
            for lambda in [0.0, 0.3, 1.0, 4.0, 20.0] {
                let q = logit_at(&game, lambda).unwrap();
                let (dist, _) = tree_distribution(&game, &q.profile);
                let fast = logit(&i, lambda);
                let total: f64 = fast.probabilities.iter().sum();
                assert!((total - 1.0).abs() < 1e-12);
                for k in 0..TERMINALS {
                    assert!(
                        (dist[k] - fast.probabilities[k]).abs() < 1e-9,
                        "λ {lambda} terminal {k}: {} vs {}",
                        dist[k],
                        fast.probabilities[k]
                    );
                }
            }
        }
    }

    #[test]
    fn kinds_follow_the_labels() {
        for (t, label) in LABELS.iter().enumerate() {
            let (kind, answer) = terminal_kind(t);
            let scen = crate::templates::outcome_type_of(label);
            match kind {
                Kind::CapitulateEconomic | Kind::CapitulatePressure => {
                    assert_eq!(scen, "coerced_integration")
                }
                Kind::ResistEconomic | Kind::ResistPressure => assert_eq!(scen, "confrontation"),
                Kind::Intervene => assert_eq!(scen, "intervention"),
                Kind::Accept => assert_eq!(scen, "negotiated_integration"),
                Kind::NoDemand => assert_eq!(scen, "status_quo"),
                Kind::BackDown => assert!(scen == "status_quo" || scen == "rebalancing"),
            }
            let suffix = match answer {
                Answer::None => "",
                Answer::Stall => "stall",
                Answer::RefuseSupported => "support",
                Answer::RefuseAlone => "alone",
            };
            if t >= 2 && !label.starts_with("rebalancing") && !label.ends_with("refused") {
                assert!(label.contains(suffix), "{label}");
            }
        }
    }
}
