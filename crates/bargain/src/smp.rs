//! # The Spatial Model of Politics (KTAB's SMP)
//!
//! KAPSARC's Toolkit for Behavioral Analysis (KTAB) forecasts a negotiation over one or several
//! issue dimensions by letting actors challenge one another and strike bargains, turn after turn,
//! until positions stop moving. This module re-implements its Spatial Model of Politics as
//! `smpc` runs it (behaviour written down in the project's `SMP_SPEC.md`), with all nine model
//! parameters as enums and KTAB's defaults, and reproduces KTAB's reference traces to the four
//! decimals KTAB itself checks.
//!
//! ## One turn
//! 1. **Risk attitudes.** Every actor values a position by its salience-weighted distance from
//!    its ideal point, u(d, R) = (1 − d)(1 + dR). A risk-neutral probabilistic Condorcet election
//!    (PCE) over all positions gives each position a win probability; the most probable actor is
//!    the most risk-averse (R = 1), the least probable the most risk-acceptant. Each actor h
//!    estimates the others' attitudes by blending its own (`BigRAdjust`), which gives one
//!    utility matrix U^h per perspective.
//! 2. **Challenges.** Actor i evaluates, with its own U^i, what challenging each j would gain
//!    it: the principals vote, every third party joins the side whose "little contest" promises
//!    it more (`ThirdPartyCommit`), and the coalition strengths give i's chance of prevailing.
//!    i targets the j with the largest expected gain (if above 1e-5).
//! 3. **Bargains.** For its target, i proposes a bargain interpolated between the two positions
//!    by salience and strength (`InterVecBrgn`, `BargnModel`); it lands in both actors' queues,
//!    next to each actor's status-quo bargain.
//! 4. **Resolution.** Every actor's queue is decided by a PCE among all actors over the states
//!    the bargains would bring about; the actor takes its side of the winner (deterministically
//!    the most probable, or drawn in `Stochastic` mode).
//! 5. **Stop** when the total movement of a turn falls below 2 % of the first turn's (after at
//!    least two turns), or after 100 turns.
//!
//! The reported "win probability" of an actor is that of its position in a PCE over the unique
//! positions of the state (actors within 1e-3 of one another share a position, so the per-actor
//! numbers can add up to more than one); the final unique positions with their probabilities are
//! the forecast, and their probability-weighted mean a point forecast.
//!
//! ## Speed
//! KTAB spends most of its time on logging (its SQLite database reaches 1 GB for 80 actors)
//! and on an O(N⁴) per-turn block of challenge estimates that only feeds that log. Here a turn
//! costs well under N³ operations of each kind, and the results do not depend on the machine
//! or the number of threads. The challenges and the queues' elections compute every float a
//! plain scan in KTAB's order does (the single-precision screen only decides which contests
//! need not be computed); the risk-neutral election on one dimension and the
//! bargains' values are summed in another order and agree with the scan to round-off (tested
//! against it; KTAB's reference runs are still reproduced to their four decimals):
//! - **Challenges.** The gain to i of challenging j is linear in i's chance of prevailing, so
//!   its values at chance 0 and 1 bound it, and they need only i's utilities of the two
//!   positions. A challenger tries its targets in order of that bound and stops once no bound
//!   can beat the best gain found; only those contests pay for their N third parties (the
//!   first of equal gains is still the one chosen). The utilities of a perspective are built
//!   column by column for the targets tried, not as an N × N matrix. Targets are evaluated
//!   eight at a time (independent accumulators over the same third parties, compiled for
//!   AVX2 and AVX-512 and chosen at run time), the voting rule and third-party commitment are
//!   type parameters of the hot loop, and challengers run in parallel from 64 actors.
//!   From 64 actors, with proportional votes, the contests are first screened in single
//!   precision (one target at a time, sixteen third parties per vector: twice the lanes, a
//!   cheaper division, no gathered utilities), each
//!   approximate gain with a proven bound on its error; only the targets whose interval
//!   reaches the best gain certainly attained are then evaluated exactly, highest first, so
//!   the target and chance chosen are the exact search's (tested against it). A screened
//!   contest counts its third parties heaviest first and stops once the votes counted and a
//!   bound on those still to count leave the target certainly below the best gain reached
//!   (see `Cutoff`); each challenger's previous target is screened first.
//! - **Elections.** Coalition strengths are summed for up to sixteen adjacent options at once
//!   from a voter-major copy of the utilities, rows in parallel from 64 options. The election
//!   over all positions that sets the risk attitudes, on one dimension with proportional
//!   votes, costs N² rather than N³/2: a voter's vote is piecewise linear in its ideal point,
//!   so sorted voters and prefix sums give each pair's strengths at once
//!   (`line_coalitions`).
//! - **Bargains.** Each bargain's value to every actor is computed once, not once per queue,
//!   and from the status quo's sum plus the two utilities the bargain changes, not as a new
//!   sum of N utilities.
//! - **Reports.** [`run_with`] can skip the per-turn election over the unique positions that
//!   only the reported win probabilities need ([`Smp`] does: its forecast uses positions).
//!
//! 13 actors × 2 dimensions take about a millisecond, 80 actors × 1 dimension under 0.1 s
//! (KTAB: 0.57 s and 118 s); 400 actors on one issue about 2.8 s of CPU, 1.8 s on 2 cores
//! (70 turns; 40 s of CPU before any of these changes).
//!
//! ## Differences from KTAB
//! - None in the model: ideal points adjust as KTAB's accommodation matrix says
//!   ([`SmpProblem::ideal_adjustment`], XML `IdealAdjustment`; the identity for CSV), and
//!   `Stochastic` mode draws from KTAB's own generator (MT19937-64 through KTAB's quadratic
//!   map, seeded with [`SmpParams::seed`], XML `prngSeed`), one draw per actor per turn.
//! - KTAB runs each actor's work on its own thread, so the order of bargains in a queue depends
//!   on scheduling. Here, in `Deterministic` mode, a queue holds the status quo first, then
//!   bargains by initiator (this matters only for exact ties); in `Stochastic` mode, where the
//!   order decides which bargain a draw lands on, queues fill as they do when KTAB's threads
//!   run one at a time.
//! - KTAB resolves the actors' queues on parallel threads that share its generator, so in
//!   `Stochastic` mode which actor gets which draw, and so the whole run, changes from one
//!   run of `smpc` to the next (its threads also order the bargains in a queue). Here the
//!   draws go to the actors in order, which is what `smpc` does when its threads run one at a
//!   time; with that, a stochastic run reproduces `smpc`'s.
//! - KTAB needs at least three actors and fails when every position is equally probable
//!   (risk attitudes divide by p_max − p_min = 0); here all actors are then risk-neutral, so one-
//!   and two-actor problems run.

use multiversion::multiversion;
use serde::{Deserialize, Serialize};

use crate::{Forecast, Model, Problem, Round, static_forecast, summarize};

// ------------------------------------------------------------------------------------------
// Parameters
// ------------------------------------------------------------------------------------------

/// How coalition strengths become a probability of victory (KTAB `VPModel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum VPModel {
    /// P(a > b) = C_ab / (C_ab + C_ba).
    #[default]
    Linear,
    /// Strengths squared.
    Square,
    /// Strengths to the fourth power.
    Quartic,
    /// Strengths to the eighth power.
    Octic,
    /// A 10 % advantage wins for sure, linear interpolation in between.
    Binary,
}

/// The probabilistic Condorcet election (KTAB `PCEModel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PCEModel {
    /// p_a ∝ Π_b P(a > b).
    #[default]
    Conditional,
    /// Markov chain where challenges are proportional to the incentive to challenge.
    MarkovIncentive,
    /// Markov chain with uniformly likely challenges.
    MarkovUniform,
}

/// How an actor picks among the bargains in its queue (KTAB `StateTransMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum StateTransMode {
    /// The most probable bargain (the first of equals).
    #[default]
    Deterministic,
    /// A bargain drawn with its PCE probability.
    Stochastic,
}

/// How a difference in utility becomes a vote (KTAB `VotingRule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum VotingRule {
    /// All weight to the preferred option (interpolated within 1e-8).
    Binary,
    /// 80 % proportional, 20 % binary.
    PropBin,
    /// Weight × utility difference.
    #[default]
    Prop,
    /// Half proportional, half cubic.
    PropCbc,
    /// Weight × cube of the utility difference.
    Cubic,
    /// Proportional, with gains counted at two thirds of losses.
    ASymProsp,
}

/// How actor h's estimate of actor i's risk attitude blends in h's own (KTAB `BigRAdjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum BigRAdjust {
    /// h assumes i shares its attitude.
    None,
    /// (2 R_h + R_i) / 3.
    #[default]
    OneThird,
    /// (R_h + R_i) / 2.
    Half,
    /// (R_h + 2 R_i) / 3.
    TwoThirds,
    /// h knows R_i.
    Full,
}

/// The range of risk attitudes inferred from win probabilities (KTAB `BigRRange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum BigRRange {
    /// R in [0, 1].
    Min,
    /// R in [−½, 1].
    #[default]
    Mid,
    /// R in [−1, 1].
    Max,
}

/// Where a third party expects to end up after joining a contest (KTAB `ThirdPartyCommit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ThirdPartyCommit {
    /// It never moves.
    No,
    /// It moves to the winner's position only if its side loses.
    #[default]
    Semi,
    /// It moves to the winner's position either way.
    Full,
}

/// How a bargain is interpolated between two positions (KTAB `InterVecBrgn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum InterVecBrgn {
    /// Weights salience × probability.
    S1P1,
    /// Weights salience² × probability².
    #[default]
    S2P2,
    /// The weaker side concedes in proportion to its disadvantage.
    S2PMax,
}

/// Whose estimate of the contest shapes a bargain (KTAB `SMPBargnModel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum BargnModel {
    /// The initiator's estimate only.
    #[default]
    InitOnlyInterp,
    /// Two bargains, from the initiator's and the receiver's estimates.
    InitRcvrInterp,
    /// Their average weighted by capability × total salience (KTAB uses the initiator's
    /// capability for both weights, so in effect by total salience; reproduced).
    PWCompInterp,
}

/// The SMP's parameters; [`Default`] gives KTAB's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SmpParams {
    /// Victory probability model.
    pub vp_model: VPModel,
    /// Probabilistic Condorcet election.
    pub pce_model: PCEModel,
    /// Deterministic or stochastic choice of bargains.
    pub state_trans: StateTransMode,
    /// Voting rule.
    pub voting_rule: VotingRule,
    /// Estimation of others' risk attitudes.
    pub big_r_adjust: BigRAdjust,
    /// Range of risk attitudes.
    pub big_r_range: BigRRange,
    /// Third parties' commitment.
    pub third_party_commit: ThirdPartyCommit,
    /// Bargain interpolation.
    pub inter_vec_brgn: InterVecBrgn,
    /// Whose estimates shape bargains.
    pub bargn_model: BargnModel,
    /// Seed of KTAB's generator for the draws of `Stochastic` mode (KTAB's default seed by
    /// default).
    pub seed: u64,
    /// The turn cap (KTAB: 100).
    pub max_turns: usize,
}

/// KTAB's default PRNG seed, 0xD67CC16FE69C185C.
pub const KTAB_DEFAULT_SEED: u64 = 0xD67C_C16F_E69C_185C;

impl Default for SmpParams {
    fn default() -> Self {
        Self {
            vp_model: VPModel::default(),
            pce_model: PCEModel::default(),
            state_trans: StateTransMode::default(),
            voting_rule: VotingRule::default(),
            big_r_adjust: BigRAdjust::default(),
            big_r_range: BigRRange::default(),
            third_party_commit: ThirdPartyCommit::default(),
            inter_vec_brgn: InterVecBrgn::default(),
            bargn_model: BargnModel::default(),
            seed: KTAB_DEFAULT_SEED,
            max_turns: 100,
        }
    }
}

impl SmpParams {
    /// Parameters from KTAB's nine enum indices, in KTAB's order (VPModel, PCEModel,
    /// StateTransMode, VotingRule, BigRAdjust, BigRRange, ThirdPartyCommit, InterVecBrgn,
    /// BargnModel), as `smpc --parameters` takes them; other fields default.
    ///
    /// # Errors
    /// [`SmpError::Parameter`] when an index is out of range.
    pub fn from_ktab_indices(ix: [usize; 9]) -> Result<Self, SmpError> {
        fn pick<T: Copy>(which: &'static str, all: &[(&str, T)], i: usize) -> Result<T, SmpError> {
            all.get(i).map(|x| x.1).ok_or(SmpError::Parameter {
                name: which,
                index: i,
            })
        }
        Ok(Self {
            vp_model: pick("VPModel", VP_MODELS, ix[0])?,
            pce_model: pick("PCEModel", PCE_MODELS, ix[1])?,
            state_trans: pick("StateTransMode", STATE_TRANS, ix[2])?,
            voting_rule: pick("VotingRule", VOTING_RULES, ix[3])?,
            big_r_adjust: pick("BigRAdjust", BIG_R_ADJUST, ix[4])?,
            big_r_range: pick("BigRRange", BIG_R_RANGE, ix[5])?,
            third_party_commit: pick("ThirdPartyCommit", THIRD_PARTY, ix[6])?,
            inter_vec_brgn: pick("InterVecBrgn", INTER_VEC, ix[7])?,
            bargn_model: pick("BargnModel", BARGN_MODELS, ix[8])?,
            ..Self::default()
        })
    }
}

/// KTAB's names of each parameter's options, in KTAB's enum order.
const VP_MODELS: &[(&str, VPModel)] = &[
    ("Linear", VPModel::Linear),
    ("Square", VPModel::Square),
    ("Quartic", VPModel::Quartic),
    ("Octic", VPModel::Octic),
    ("Binary", VPModel::Binary),
];
const PCE_MODELS: &[(&str, PCEModel)] = &[
    ("Conditional", PCEModel::Conditional),
    ("MarkovIncentive", PCEModel::MarkovIncentive),
    ("MarkovUniform", PCEModel::MarkovUniform),
];
const STATE_TRANS: &[(&str, StateTransMode)] = &[
    ("Deterministic", StateTransMode::Deterministic),
    ("Stochastic", StateTransMode::Stochastic),
];
const VOTING_RULES: &[(&str, VotingRule)] = &[
    ("Binary", VotingRule::Binary),
    ("PropBin", VotingRule::PropBin),
    ("Prop", VotingRule::Prop),
    ("PropCbc", VotingRule::PropCbc),
    ("Cubic", VotingRule::Cubic),
    ("ASymProsp", VotingRule::ASymProsp),
];
const BIG_R_ADJUST: &[(&str, BigRAdjust)] = &[
    ("None", BigRAdjust::None),
    ("OneThird", BigRAdjust::OneThird),
    ("Half", BigRAdjust::Half),
    ("TwoThirds", BigRAdjust::TwoThirds),
    ("Full", BigRAdjust::Full),
];
const BIG_R_RANGE: &[(&str, BigRRange)] = &[
    ("Min", BigRRange::Min),
    ("Mid", BigRRange::Mid),
    ("Max", BigRRange::Max),
];
const THIRD_PARTY: &[(&str, ThirdPartyCommit)] = &[
    ("NoCommit", ThirdPartyCommit::No),
    ("SemiCommit", ThirdPartyCommit::Semi),
    ("FullCommit", ThirdPartyCommit::Full),
];
const INTER_VEC: &[(&str, InterVecBrgn)] = &[
    ("S1P1", InterVecBrgn::S1P1),
    ("S2P2", InterVecBrgn::S2P2),
    ("S2PMax", InterVecBrgn::S2PMax),
];
const BARGN_MODELS: &[(&str, BargnModel)] = &[
    ("InitOnlyInterp", BargnModel::InitOnlyInterp),
    ("InitRcvrInterp", BargnModel::InitRcvrInterp),
    ("PWCompInterp", BargnModel::PWCompInterp),
];

impl SmpParams {
    /// Sets one parameter from KTAB's XML `<ModelParameters>` element name and value, with
    /// KTAB's names (`VictoryProbModel` Linear|Square|Quartic|Octic|Binary, `PCEModel`
    /// Conditional|MarkovIncentive|MarkovUniform, `StateTransitions` Deterministic|Stochastic,
    /// `VotingRule` Binary|PropBin|Prop|PropCbc|Cubic|ASymProsp, `BigRAdjust`
    /// None|OneThird|Half|TwoThirds|Full, `BigRRange` Min|Mid|Max, `ThirdPartyCommit`
    /// NoCommit|SemiCommit|FullCommit, `InterVecBrgn` S1P1|S2P2|S2PMax, `BargnModel`
    /// InitOnlyInterp|InitRcvrInterp|PWCompInterp).
    ///
    /// # Errors
    /// [`SmpError::KtabParameter`] for an unknown element or value, with the accepted values.
    pub fn set_ktab(&mut self, element: &str, value: &str) -> Result<(), SmpError> {
        fn pick<T: Copy>(element: &str, value: &str, all: &[(&str, T)]) -> Result<T, SmpError> {
            all.iter()
                .find(|x| x.0 == value)
                .map(|x| x.1)
                .ok_or_else(|| SmpError::KtabParameter {
                    element: element.to_string(),
                    value: value.to_string(),
                    expected: all.iter().map(|x| x.0).collect::<Vec<_>>().join(", "),
                })
        }
        let (e, v) = (element, value);
        match element {
            "VictoryProbModel" => self.vp_model = pick(e, v, VP_MODELS)?,
            "PCEModel" => self.pce_model = pick(e, v, PCE_MODELS)?,
            "StateTransitions" => self.state_trans = pick(e, v, STATE_TRANS)?,
            "VotingRule" => self.voting_rule = pick(e, v, VOTING_RULES)?,
            "BigRAdjust" => self.big_r_adjust = pick(e, v, BIG_R_ADJUST)?,
            "BigRRange" => self.big_r_range = pick(e, v, BIG_R_RANGE)?,
            "ThirdPartyCommit" => self.third_party_commit = pick(e, v, THIRD_PARTY)?,
            "InterVecBrgn" => self.inter_vec_brgn = pick(e, v, INTER_VEC)?,
            "BargnModel" => self.bargn_model = pick(e, v, BARGN_MODELS)?,
            _ => {
                return Err(SmpError::KtabParameter {
                    element: element.to_string(),
                    value: value.to_string(),
                    expected: "one of KTAB's model parameters: VictoryProbModel, PCEModel, \
                               StateTransitions, VotingRule, BigRAdjust, BigRRange, \
                               ThirdPartyCommit, InterVecBrgn, BargnModel"
                        .to_string(),
                });
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Errors and problems
// ------------------------------------------------------------------------------------------

/// Why a scenario cannot be read or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SmpError {
    /// The CSV text is malformed.
    #[error("line {line}: {message}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The scenario has no actors.
    #[error("the scenario has no actors")]
    NoActors,
    /// The scenario has no dimensions.
    #[error("the scenario has no dimensions")]
    NoDimensions,
    /// The vectors' lengths disagree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An actor's data are out of range.
    #[error("actor {actor}: {message}")]
    Actor {
        /// The actor's name.
        actor: String,
        /// What is wrong.
        message: String,
    },
    /// A KTAB model parameter (XML `<ModelParameters>`) has an unknown name or value.
    #[error("KTAB model parameter <{element}>{value}</{element}>: expected {expected}")]
    KtabParameter {
        /// The element's name.
        element: String,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A KTAB parameter index is out of range.
    #[error("{name}: no option with index {index}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// The index given.
        index: usize,
    },
}

/// A multi-dimensional scenario on KTAB's internal 0–1 scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmpProblem {
    /// Actor names.
    pub names: Vec<String>,
    /// Capabilities (influence), positive.
    pub capability: Vec<f64>,
    /// Positions, N × D, each in [0, 1].
    pub positions: Vec<Vec<f64>>,
    /// Saliences, N × D, each in [0, 1], each actor's summing to at most 1 and above 0.
    pub saliences: Vec<Vec<f64>>,
    /// Dimension names, D.
    pub dim_names: Vec<String>,
    /// How ideal points follow positions (KTAB's accommodation matrix, XML `IdealAdjustment`):
    /// after each turn actor i's ideal becomes Σ_j A_ij x_j + (1 − Σ_j A_ij) y_i. Actors not
    /// listed as adjusting keep A_ii = 1 (the ideal is the position); an adjusting actor's
    /// row holds only its listed rates. Empty: every ideal is the position (KTAB's CSV).
    #[serde(default)]
    pub ideal_adjustment: Vec<IdealAdjustment>,
}

/// One entry of KTAB's accommodation matrix: how fast `adjusting`'s ideal point moves toward
/// `reference`'s position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IdealAdjustment {
    /// The actor whose ideal point moves (index).
    pub adjusting: usize,
    /// The actor whose position it moves toward (index).
    pub reference: usize,
    /// The rate A_ij, in [0, 1].
    pub rate: f64,
}

impl SmpProblem {
    /// A problem from positions and saliences on KTAB's input scale of 0–100 (divided by 100,
    /// as KTAB does).
    ///
    /// # Errors
    /// As [`SmpProblem::validate`].
    pub fn from_scale_100(
        names: Vec<String>,
        capability: Vec<f64>,
        positions: &[Vec<f64>],
        saliences: &[Vec<f64>],
        dim_names: Vec<String>,
    ) -> Result<Self, SmpError> {
        let scale = |m: &[Vec<f64>]| -> Vec<Vec<f64>> {
            m.iter()
                .map(|r| r.iter().map(|x| x / 100.0).collect())
                .collect()
        };
        let p = Self {
            names,
            capability,
            positions: scale(positions),
            saliences: scale(saliences),
            dim_names,
            ideal_adjustment: Vec::new(),
        };
        p.validate()?;
        Ok(p)
    }

    /// A one-dimensional problem from the crate's [`Problem`] (positions on 0–100, saliences on
    /// 0–1). KTAB cannot use actors without capability or salience, so these get a negligible
    /// 1e-9 instead; positions are clipped to the scale.
    pub fn from_problem(p: &Problem) -> Self {
        let tiny = 1e-9;
        Self {
            names: p.names.clone(),
            capability: p
                .players
                .iter()
                .map(|a| {
                    if a.capability > tiny {
                        a.capability
                    } else {
                        tiny
                    }
                })
                .collect(),
            positions: p
                .players
                .iter()
                .map(|a| vec![(a.position / 100.0).clamp(0.0, 1.0)])
                .collect(),
            saliences: p
                .players
                .iter()
                .map(|a| vec![a.salience.clamp(tiny, 1.0)])
                .collect(),
            dim_names: vec!["position".to_string()],
            ideal_adjustment: Vec::new(),
        }
    }

    /// Parses KTAB's CSV layout: row 1 `ScenarioName,Desc,nActors,nDims`; row 2 the headers
    /// (`Actor,Description,Influence,<dim> Position,<dim> Salience,...`); then one row per actor
    /// with name, description, influence and a position and salience per dimension on 0–100.
    /// Fields are trimmed, double quotes are honoured, trailing commas and blank lines ignored.
    ///
    /// # Errors
    /// [`SmpError::Parse`] for malformed text, else as [`SmpProblem::validate`].
    pub fn from_ktab_csv(text: &str) -> Result<Self, SmpError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, split_csv_line(l)))
            .filter(|(_, f)| f.iter().any(|x| !x.is_empty()));
        let err = |line: usize, message: String| SmpError::Parse { line, message };
        let (l1, head) = lines
            .next()
            .ok_or_else(|| err(1, "empty file".to_string()))?;
        let count = |i: usize, what: &str| -> Result<usize, SmpError> {
            let s = head
                .get(i)
                .ok_or_else(|| err(l1, format!("missing {what} (field {})", i + 1)))?;
            s.parse::<usize>()
                .map_err(|_| err(l1, format!("{what} `{s}` is not a whole number")))
        };
        let n = count(2, "number of actors")?;
        let d = count(3, "number of dimensions")?;
        if n == 0 {
            return Err(SmpError::NoActors);
        }
        if d == 0 {
            return Err(SmpError::NoDimensions);
        }
        let (l2, cols) = lines
            .next()
            .ok_or_else(|| err(l1 + 1, "missing header row".to_string()))?;
        let dim_names: Vec<String> = (0..d)
            .map(|k| match cols.get(3 + 2 * k) {
                Some(s) if !s.is_empty() => s.clone(),
                _ => format!("Dim{k}"),
            })
            .collect();
        let mut names = Vec::with_capacity(n);
        let mut capability = Vec::with_capacity(n);
        let mut positions = Vec::with_capacity(n);
        let mut saliences = Vec::with_capacity(n);
        let mut last = l2;
        for _ in 0..n {
            let (ln, f) = lines.next().ok_or_else(|| {
                err(
                    last + 1,
                    format!("the scenario declares {n} actors but has {}", names.len()),
                )
            })?;
            last = ln;
            if f.len() < 3 + 2 * d {
                return Err(err(
                    ln,
                    format!("expected {} fields, found {}", 3 + 2 * d, f.len()),
                ));
            }
            let num = |i: usize| -> Result<f64, SmpError> {
                let v = f[i]
                    .parse::<f64>()
                    .map_err(|_| err(ln, format!("field {} `{}` is not a number", i + 1, f[i])))?;
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(err(ln, format!("field {} is not finite", i + 1)))
                }
            };
            names.push(f[0].clone());
            capability.push(num(2)?);
            let mut p = Vec::with_capacity(d);
            let mut s = Vec::with_capacity(d);
            let mut total = 0.0;
            for k in 0..d {
                let pk = num(3 + 2 * k)?;
                let sk = num(4 + 2 * k)?;
                if !(0.0..=100.0).contains(&pk) {
                    return Err(err(
                        ln,
                        format!("position {pk} on dimension {k} is outside [0, 100]"),
                    ));
                }
                if !(0.0..=100.0).contains(&sk) {
                    return Err(err(
                        ln,
                        format!("salience {sk} on dimension {k} is outside [0, 100]"),
                    ));
                }
                total += sk;
                if total > 100.0 {
                    return Err(err(ln, format!("saliences sum to {total}, above 100")));
                }
                p.push(pk);
                s.push(sk);
            }
            positions.push(p);
            saliences.push(s);
        }
        if let Some((ln, _)) = lines.next() {
            return Err(err(
                ln,
                format!("the scenario declares {n} actors but has more rows"),
            ));
        }
        Self::from_scale_100(names, capability, &positions, &saliences, dim_names)
    }

    /// Number of actors.
    pub fn num_actors(&self) -> usize {
        self.names.len()
    }

    /// Number of dimensions.
    pub fn num_dims(&self) -> usize {
        self.dim_names.len()
    }

    /// Checks shapes and ranges: at least one actor and dimension; capabilities positive;
    /// positions in [0, 1]; saliences in [0, 1] with each actor's total in (0, 1].
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), SmpError> {
        let n = self.names.len();
        let d = self.dim_names.len();
        if n == 0 {
            return Err(SmpError::NoActors);
        }
        if d == 0 {
            return Err(SmpError::NoDimensions);
        }
        if self.capability.len() != n || self.positions.len() != n || self.saliences.len() != n {
            return Err(SmpError::Shape(format!(
                "{n} names, {} capabilities, {} position rows, {} salience rows",
                self.capability.len(),
                self.positions.len(),
                self.saliences.len()
            )));
        }
        for i in 0..n {
            let bad = |message: String| SmpError::Actor {
                actor: self.names[i].clone(),
                message,
            };
            if self.positions[i].len() != d || self.saliences[i].len() != d {
                return Err(SmpError::Shape(format!(
                    "actor {} has {} positions and {} saliences for {d} dimensions",
                    self.names[i],
                    self.positions[i].len(),
                    self.saliences[i].len()
                )));
            }
            let c = self.capability[i];
            if !(c.is_finite() && c > 0.0) {
                return Err(bad(format!("capability {c} is not positive")));
            }
            for k in 0..d {
                let (p, s) = (self.positions[i][k], self.saliences[i][k]);
                if !(0.0..=1.0).contains(&p) {
                    return Err(bad(format!("position {p} is outside [0, 1]")));
                }
                if !(0.0..=1.0).contains(&s) {
                    return Err(bad(format!("salience {s} is outside [0, 1]")));
                }
            }
            let total: f64 = self.saliences[i].iter().sum();
            if !(total > 0.0 && total <= 1.0 + 1e-9) {
                return Err(bad(format!("saliences sum to {total}, not in (0, 1]")));
            }
        }
        let mut rows = vec![0.0; n];
        for a in &self.ideal_adjustment {
            if a.adjusting >= n || a.reference >= n {
                return Err(SmpError::Shape(format!(
                    "an ideal adjustment names actor {} of {n}",
                    a.adjusting.max(a.reference)
                )));
            }
            let bad = |message: String| SmpError::Actor {
                actor: self.names[a.adjusting].clone(),
                message,
            };
            if !(0.0..=1.0).contains(&a.rate) {
                return Err(bad(format!(
                    "ideal adjustment rate {} toward {} is outside [0, 1]",
                    a.rate, self.names[a.reference]
                )));
            }
            rows[a.adjusting] += a.rate;
            if rows[a.adjusting] > 1.0 + 1e-10 {
                return Err(bad(format!(
                    "ideal adjustment rates sum to {}, above 1",
                    rows[a.adjusting]
                )));
            }
        }
        Ok(())
    }
}

/// Splits one CSV line into trimmed fields, honouring double quotes; trailing empty fields
/// (trailing commas) are dropped.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    while out.last().is_some_and(|s| s.is_empty()) {
        out.pop();
    }
    out
}

// ------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------

/// A position held by one or more actors (within 1e-3 of each other on the 0–1 scale).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UniquePosition {
    /// The position (that of its first member), D values on 0–1.
    pub position: Vec<f64>,
    /// Its win probability in the PCE over unique positions.
    pub probability: f64,
    /// Indices of the actors holding it.
    pub members: Vec<usize>,
}

/// One state of a run: the input (state 0) or the result of a turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmpState {
    /// Every actor's position, N × D on 0–1.
    pub positions: Vec<Vec<f64>>,
    /// KTAB's stop statistic for the turn that produced this state: its total movement over
    /// the first turn's (plus 1e-4); `None` for state 0.
    pub fractional_change: Option<f64>,
    /// The actors' risk attitudes R in this state.
    pub risk_attitudes: Vec<f64>,
    /// Every actor's win probability as KTAB reports it (that of its unique position).
    pub win_probability: Vec<f64>,
    /// The unique positions in order of first appearance, with probabilities and members.
    pub unique_positions: Vec<UniquePosition>,
}

/// A whole SMP run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmpRun {
    /// State 0 (the input) and one state per turn.
    pub states: Vec<SmpState>,
    /// Whether the stop rule fired before the turn cap.
    pub converged: bool,
    /// The final unique positions, most probable first.
    pub final_positions: Vec<UniquePosition>,
    /// The probability-weighted mean of the final unique positions, D values on 0–1.
    pub expected_outcome: Vec<f64>,
}

impl SmpRun {
    /// The number of turns played.
    pub fn turns(&self) -> usize {
        self.states.len() - 1
    }
}

// ------------------------------------------------------------------------------------------
// Primitives
// ------------------------------------------------------------------------------------------

/// KTAB's utility of a (weighted) distance d to an actor with risk attitude r.
#[inline(always)]
fn bs_util(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// A vote of weight `w` for option a over b given utilities `ua` and `ub` (KTAB `Model::vote`).
#[inline(always)]
fn vote(rule: VotingRule, w: f64, ua: f64, ub: f64) -> f64 {
    const RBP: f64 = 0.2;
    const RPC: f64 = 0.5;
    let du = ua - ub;
    match rule {
        VotingRule::Prop => w * du,
        VotingRule::Binary => w * (du / 1e-8).clamp(-1.0, 1.0),
        VotingRule::PropBin => w * ((1.0 - RBP) * du + RBP * (du / 1e-8).clamp(-1.0, 1.0)),
        VotingRule::PropCbc => w * ((1.0 - RPC) * du + RPC * (du * du * du)),
        VotingRule::Cubic => w * (du * du * du),
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                (2.0 * w * du) / 3.0
            } else {
                0.0
            }
        }
    }
}

/// A voting rule as a type, so that the hot loops are compiled once per rule.
trait Rule {
    fn vote(w: f64, ua: f64, ub: f64) -> f64;
}

macro_rules! rule_types {
    ($($t:ident),*) => {$(
        struct $t;
        impl Rule for $t {
            #[inline(always)]
            fn vote(w: f64, ua: f64, ub: f64) -> f64 {
                vote(VotingRule::$t, w, ua, ub)
            }
        }
    )*};
}
rule_types!(Binary, PropBin, Prop, PropCbc, Cubic, ASymProsp);

/// Calls `$f::<R>($args)` with the rule type `R` of `$rule`.
macro_rules! dispatch_rule {
    ($rule:expr, $f:ident $(::<$($g:ty),*>)?, ($($args:expr),*)) => {
        match $rule {
            VotingRule::Binary => $f::<Binary $($(, $g)*)?>($($args),*),
            VotingRule::PropBin => $f::<PropBin $($(, $g)*)?>($($args),*),
            VotingRule::Prop => $f::<Prop $($(, $g)*)?>($($args),*),
            VotingRule::PropCbc => $f::<PropCbc $($(, $g)*)?>($($args),*),
            VotingRule::Cubic => $f::<Cubic $($(, $g)*)?>($($args),*),
            VotingRule::ASymProsp => $f::<ASymProsp $($(, $g)*)?>($($args),*),
        }
    };
}

/// `x` if positive, else +0 (adding it to a positive strength is exact either way, and the
/// select avoids unpredictable branches).
#[inline(always)]
fn pos_part(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// `−x` if x is negative, else +0.
#[inline(always)]
fn neg_part(x: f64) -> f64 {
    if x < 0.0 { -x } else { 0.0 }
}

/// (P(1 beats 2), P(2 beats 1)) from coalition strengths (KTAB `Model::vProb`).
#[inline]
fn vprob(vpm: VPModel, s1: f64, s2: f64) -> (f64, f64) {
    let (x1, x2) = match vpm {
        VPModel::Linear => (s1, s2),
        VPModel::Square => (s1 * s1, s2 * s2),
        VPModel::Quartic => {
            let (a, b) = (s1 * s1, s2 * s2);
            (a * a, b * b)
        }
        VPModel::Octic => {
            let (a, b) = (s1 * s1, s2 * s2);
            let (a, b) = (a * a, b * b);
            (a * a, b * b)
        }
        VPModel::Binary => {
            const THRESH: f64 = 1.10;
            const MIN_X: f64 = 1e-6;
            if s1 >= THRESH * s2 {
                (1.0, MIN_X)
            } else if s2 >= THRESH * s1 {
                (MIN_X, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (THRESH + 1.0) - 1.0) / (THRESH - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

/// h's estimate of i's risk attitude.
#[inline(always)]
fn est_r(rh: f64, ri: f64, adj: BigRAdjust) -> f64 {
    match adj {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + (2.0 * ri)) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => ((2.0 * rh) + ri) / 3.0,
        BigRAdjust::None => rh,
    }
}

/// Scratch space for probabilistic Condorcet elections.
#[derive(Default)]
struct Pce {
    /// Coalition strengths, row-major n × n: c[i n + j] = strength of i against j.
    c: Vec<f64>,
    /// ct[i n + j] = c[j n + i] for j < i (the rows' other halves, before they are placed).
    ct: Vec<f64>,
    /// The utilities voter-major: ut[k n + o] = utility of option o to voter k.
    ut: Vec<f64>,
    /// Victory probabilities, row-major.
    pv: Vec<f64>,
    /// Markov incentive challenge probabilities / products.
    aux: Vec<f64>,
    aux2: Vec<f64>,
    /// The result.
    p: Vec<f64>,
    q: Vec<f64>,
}

impl Pce {
    /// KTAB's `scalarPCE`: `nv` voters with weights `w` vote over `no` options whose utilities
    /// are `u[o * nv + k]` (option-major); returns the options' probabilities.
    #[allow(clippy::too_many_arguments)]
    fn scalar(
        &mut self,
        nv: usize,
        no: usize,
        w: &[f64],
        u: &[f64],
        rule: VotingRule,
        vpm: VPModel,
        pcem: PCEModel,
    ) -> &[f64] {
        self.c.clear();
        self.c.resize(no * no, 0.0);
        self.ct.clear();
        self.ct.resize(no * no, 0.0);
        // the utilities voter-major too, so that a voter's utilities of consecutive options
        // are adjacent
        self.ut.clear();
        self.ut.resize(no * nv, 0.0);
        for o in 0..no {
            for k in 0..nv {
                self.ut[k * no + o] = u[o * nv + k];
            }
        }
        let uu = (u, &self.ut[..]);
        dispatch_rule!(rule, coalitions, (&mut self.c, &mut self.ct, nv, no, w, uu));
        self.pce(no, vpm, pcem)
    }

    /// KTAB's `probCE2` on the coalition matrix in `self.c`.
    fn pce(&mut self, n: usize, vpm: VPModel, pcem: PCEModel) -> &[f64] {
        self.pv.clear();
        self.pv.resize(n * n, 0.0);
        for i in 0..n {
            for j in 0..i {
                let (pij, pji) = vprob(vpm, self.c[i * n + j], self.c[j * n + i]);
                self.pv[i * n + j] = pij;
                self.pv[j * n + i] = pji;
            }
            self.pv[i * n + i] = 0.5;
        }
        self.p.clear();
        match pcem {
            PCEModel::Conditional => {
                for i in 0..n {
                    let mut pi = 1.0;
                    for j in 0..n {
                        pi *= self.pv[i * n + j];
                    }
                    self.p.push(pi);
                }
                let total: f64 = self.p.iter().fold(0.0, |s, x| s + x);
                for x in &mut self.p {
                    *x /= total;
                }
            }
            PCEModel::MarkovUniform => {
                const TOL: f64 = 1e-6;
                self.p.resize(n, 1.0 / n as f64);
                self.q.clear();
                self.q.resize(n, 0.0);
                let mut change = 1.0;
                let mut iter = 0;
                while TOL < change && iter < 100_000 {
                    change = 0.0;
                    for i in 0..n {
                        let mut pi = 0.0;
                        for j in 0..n {
                            pi += self.pv[i * n + j] * (self.p[i] + self.p[j]);
                        }
                        self.q[i] = pi / n as f64;
                        change = f64::max(change, (self.q[i] - self.p[i]).abs());
                    }
                    for i in 0..n {
                        self.p[i] = (self.p[i] + self.q[i]) / 2.0;
                    }
                    iter += 1;
                }
            }
            PCEModel::MarkovIncentive => {
                const TOL: f64 = 1e-8;
                // incentive n_ij = C_ij P_ij (+1e-10 on the diagonal), then challenge
                // probabilities π_ij = n_ij / Σ_k n_kj
                self.aux.clear();
                self.aux.resize(n * n, 0.0);
                for i in 0..n {
                    for j in 0..n {
                        let mut x = self.c[i * n + j] * self.pv[i * n + j];
                        if i == j {
                            x += 1e-10;
                        }
                        self.aux[i * n + j] = x;
                    }
                }
                self.aux2.clear();
                self.aux2.resize(n * n, 0.0);
                for j in 0..n {
                    let mut s = 0.0;
                    for k in 0..n {
                        s += self.aux[k * n + j];
                    }
                    for i in 0..n {
                        self.aux2[i * n + j] = self.aux[i * n + j] / s;
                    }
                }
                // aux now holds ct(i, j) = p_i π_ji
                self.p.resize(n, 1.0 / n as f64);
                self.q.clear();
                self.q.resize(n, 0.0);
                let mut change = 1.0;
                let mut iter = 0;
                while TOL < change && iter < 100_000 {
                    for i in 0..n {
                        for j in 0..n {
                            self.aux[i * n + j] = self.p[i] * self.aux2[j * n + i];
                        }
                    }
                    change = 0.0;
                    for i in 0..n {
                        let mut qi = 0.0;
                        for j in 0..n {
                            let cj = self.aux[i * n + j] + self.aux[j * n + i];
                            qi += self.pv[i * n + j] * cj;
                        }
                        self.q[i] = qi;
                        change = f64::max(change, (qi - self.p[i]).abs());
                    }
                    for i in 0..n {
                        self.p[i] = (self.p[i] + self.q[i]) / 2.0;
                    }
                    iter += 1;
                }
            }
        }
        &self.p
    }
}

/// KTAB's `Model::coalitions`: c[i no + j] = strength of the coalition for option i against j.
/// Each pair's sums run over the voters in order, so the result does not depend on how the
/// work is split: rows of the lower triangle are computed in parallel from [`PARALLEL_FROM`]
/// options (each row's strengths against i land in `ct` and are placed afterwards), and within
/// a row several pairs are summed side by side as independent chains of additions.
fn coalitions<R: Rule>(
    c: &mut [f64],
    ct: &mut [f64],
    nv: usize,
    no: usize,
    w: &[f64],
    u: (&[f64], &[f64]),
) {
    if no >= PARALLEL_FROM {
        use rayon::prelude::*;
        c.par_chunks_mut(no)
            .zip(ct.par_chunks_mut(no))
            .enumerate()
            .for_each(|(i, (row, trow))| coalition_row::<R>(row, trow, i, nv, w, u));
    } else {
        for (i, (row, trow)) in c.chunks_mut(no).zip(ct.chunks_mut(no)).enumerate() {
            coalition_row::<R>(row, trow, i, nv, w, u);
        }
    }
    for i in 0..no {
        for j in 0..i {
            c[j * no + i] = ct[i * no + j];
        }
    }
}

/// Row i of the coalition strengths: `row[j]` = strength for i against j and `trow[j]` =
/// strength for j against i, for j < i; `row[i]` the minimum. Pairs are summed 16, then 8,
/// then 1 at a time (independent chains of additions over adjacent options).
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn coalition_row<R: Rule>(
    row: &mut [f64],
    trow: &mut [f64],
    i: usize,
    nv: usize,
    w: &[f64],
    (u, ut): (&[f64], &[f64]),
) {
    let mut j0 = 0;
    j0 = coalition_lanes::<R, 16>(row, trow, i, j0, nv, w, (u, ut));
    j0 = coalition_lanes::<R, 8>(row, trow, i, j0, nv, w, (u, ut));
    coalition_lanes::<R, 1>(row, trow, i, j0, nv, w, (u, ut));
    row[i] = MIN_C;
}

/// KTAB's floor of a coalition's strength.
const MIN_C: f64 = 1e-8;

/// The pairs (i, j) for j = j0, j0 + 1, … below i, `L` at a time while `L` fit; returns the
/// first j not done.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn coalition_lanes<R: Rule, const L: usize>(
    row: &mut [f64],
    trow: &mut [f64],
    i: usize,
    mut j0: usize,
    nv: usize,
    w: &[f64],
    (u, ut): (&[f64], &[f64]),
) -> usize {
    let no = row.len();
    let ui = &u[i * nv..(i + 1) * nv];
    while j0 + L <= i {
        let mut cij = [MIN_C; L];
        let mut cji = [MIN_C; L];
        for k in 0..nv {
            let (wk, a) = (w[k], ui[k]);
            let uj: &[f64; L] = ut[k * no + j0..k * no + j0 + L]
                .try_into()
                .expect("L options");
            for l in 0..L {
                let v = R::vote(wk, a, uj[l]);
                cij[l] += pos_part(v);
                cji[l] += neg_part(v);
            }
        }
        row[j0..j0 + L].copy_from_slice(&cij);
        trow[j0..j0 + L].copy_from_slice(&cji);
        j0 += L;
    }
    j0
}

/// Sorted voters and options of [`line_coalitions`], reused from turn to turn.
#[derive(Default)]
struct LineScratch {
    /// (ideal, weight) of every voter, by ideal.
    voters: Vec<(f64, f64)>,
    /// Prefix sums over the sorted voters: Σ w and Σ w y of the first k.
    pw: Vec<f64>,
    pwy: Vec<f64>,
    /// Options by position.
    order: Vec<usize>,
    /// Per option: how many voters have their ideal at or left of it, and strictly left of it.
    le: Vec<usize>,
    lt: Vec<usize>,
}

/// Below this many voters between an option and a midpoint, their votes are summed one by
/// one rather than as a difference of prefix sums (which loses digits when the two options
/// are very close).
const LINE_DIRECT: usize = 32;

/// The coalition strengths `c[a n + b]` (for option a against b) of the risk-neutral election
/// the risk attitudes come from, on one dimension with proportional votes: voter k of weight
/// w_k at ideal y_k gives `w_k (|y_k − x_b| − |y_k − x_a|)` to the option it prefers. On a
/// line that is a piecewise-linear function of y_k, so with the voters sorted and prefix sums
/// of w and w y each pair costs O(1) after a sweep: voters left of the nearer option give it
/// the full gap, voters between it and the midpoint give it their distance to the midpoint
/// twice, and symmetrically on the other side. N² instead of N³ work per turn; the sums run
/// in another order than the plain scan, so they agree with it to round-off (tested).
fn line_coalitions(c: &mut Vec<f64>, sc: &mut LineScratch, ideal: &[f64], w: &[f64], x: &[f64]) {
    let (nv, no) = (ideal.len(), x.len());
    c.clear();
    c.resize(no * no, MIN_C);
    sc.voters.clear();
    sc.voters
        .extend(ideal.iter().copied().zip(w.iter().copied()));
    sc.voters.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    sc.pw.clear();
    sc.pwy.clear();
    let (mut sw, mut swy) = (0.0, 0.0);
    sc.pw.push(0.0);
    sc.pwy.push(0.0);
    for &(y, wk) in &sc.voters {
        sw += wk;
        swy += wk * y;
        sc.pw.push(sw);
        sc.pwy.push(swy);
    }
    sc.order.clear();
    sc.order.extend(0..no);
    sc.order
        .sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    sc.le.clear();
    sc.lt.clear();
    for &xo in x {
        sc.le.push(sc.voters.partition_point(|v| v.0 <= xo));
        sc.lt.push(sc.voters.partition_point(|v| v.0 < xo));
    }
    let voters = &sc.voters;
    // Σ over voters lo..hi of w (s − 2 y) (for the left option, s = x_a + x_b) or of
    // w (2 y − s) (for the right one, `right`): votes from between an option and the midpoint.
    let between = |lo: usize, hi: usize, s: f64, right: bool| -> f64 {
        if hi <= lo {
            return 0.0;
        }
        let v = if hi - lo <= LINE_DIRECT {
            voters[lo..hi]
                .iter()
                .fold(0.0, |acc, &(y, wk)| acc + wk * (s - 2.0 * y))
        } else {
            s * (sc.pw[hi] - sc.pw[lo]) - 2.0 * (sc.pwy[hi] - sc.pwy[lo])
        };
        let v = if right { -v } else { v };
        v.max(0.0)
    };
    for (p, &a) in sc.order.iter().enumerate() {
        let xa = x[a];
        let ia = sc.le[a];
        let mut m = ia;
        for &b in &sc.order[p + 1..] {
            let xb = x[b];
            if xb == xa {
                continue; // every vote is zero: both strengths stay at the floor
            }
            let s = xa + xb;
            let mid = 0.5 * s;
            while m < nv && voters[m].0 < mid {
                m += 1;
            }
            let ib = sc.lt[b].max(m);
            let gap = xb - xa;
            c[a * no + b] = MIN_C + gap * sc.pw[ia] + between(ia, m, s, false);
            c[b * no + a] = MIN_C + between(m, ib, s, true) + gap * (sc.pw[nv] - sc.pw[ib]);
        }
    }
}

/// KTAB's `bigRfromProb`: risk attitudes from win probabilities. When all probabilities are
/// equal (KTAB divides by zero) every actor is risk-neutral.
fn big_r(p: &[f64], range: BigRRange, out: &mut Vec<f64>) {
    let mut pmin = 1.0f64;
    let mut pmax = 0.0f64;
    for &x in p {
        pmin = if x < pmin { x } else { pmin };
        pmax = if x > pmax { x } else { pmax };
    }
    out.clear();
    if pmax <= pmin {
        out.resize(p.len(), 0.0);
        return;
    }
    out.extend(p.iter().map(|&x| match range {
        BigRRange::Min => (x - pmin) / (pmax - pmin),
        BigRRange::Mid => (3.0 * x - (pmax + 2.0 * pmin)) / (2.0 * (pmax - pmin)),
        BigRRange::Max => (2.0 * x - (pmax + pmin)) / (pmax - pmin),
    }));
}

/// Bargain positions on one dimension (KTAB `interpBrgnSnPm` / `interpBrgnS2PMax`).
#[inline]
#[allow(clippy::too_many_arguments)]
fn interp_dim(
    ivb: InterVecBrgn,
    ti: f64,
    si: f64,
    pi: f64,
    tj: f64,
    sj: f64,
    pj: f64,
) -> (f64, f64) {
    let round4 = |x: f64| ((0.5 + x * 10000.0) as i32) as f64 / 10000.0;
    const MIN_W: f64 = 1e-6;
    match ivb {
        InterVecBrgn::S1P1 | InterVecBrgn::S2P2 => {
            let (wi, wj) = if ivb == InterVecBrgn::S1P1 {
                (si * pi, sj * pj)
            } else {
                ((si * si) * (pi * pi), (sj * sj) * (pj * pj))
            };
            let bi = round4(((wi + MIN_W) * ti + wj * tj) / (wi + MIN_W + wj));
            let bj = round4((wi * ti + (MIN_W + wj) * tj) / (wi + MIN_W + wj));
            (bi, bj)
        }
        InterVecBrgn::S2PMax => {
            let di = if pj > pi { pj - pi } else { 0.0 };
            let dj = if pi > pj { pi - pj } else { 0.0 };
            let (si2, sj2) = (si * si, sj * sj);
            let dik = (di * sj2) / ((di * sj2) + MIN_W + ((1.0 - di) * si2));
            let djk = (dj * si2) / ((dj * si2) + MIN_W + ((1.0 - dj) * sj2));
            (ti + dik * (tj - ti), tj + djk * (ti - tj))
        }
    }
}

// ------------------------------------------------------------------------------------------
// The engine
// ------------------------------------------------------------------------------------------

/// An entry of an actor's bargain queue.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// The owner's status quo.
    Sq,
    /// A bargain in the turn's pool.
    Brgn(usize),
}

/// A bargain between an initiator and a receiver; positions at `off` (initiator's side) and
/// `off + D` (receiver's side) in the pool.
#[derive(Clone, Copy)]
struct Bargain {
    init: usize,
    rcvr: usize,
    off: usize,
}

struct Engine {
    n: usize,
    d: usize,
    params: SmpParams,
    cap: Vec<f64>,
    /// Saliences, n × d.
    sal: Vec<f64>,
    /// Σ_k s_ik² per actor.
    sal_sq: Vec<f64>,
    /// S_i × c_i, the weight of actor i in challenges.
    w_chlg: Vec<f64>,
    /// S_i.
    sal_tot: Vec<f64>,
    // state
    /// Positions, n × d (ideals coincide).
    pos: Vec<f64>,
    /// Ideal points, n × d (the positions unless ideals adjust).
    ideal: Vec<f64>,
    /// The accommodation matrix A, n × n row-major, when some ideal adjusts.
    accommodation: Option<Vec<f64>>,
    /// KTAB's generator, for `Stochastic` choices.
    rng: KtabRng,
    /// dt[j n + m] = weighted distance from m's ideal to j's position (position-major).
    dt: Vec<f64>,
    /// The same actor-major, dti[m n + j] = dt[j n + m], and its diagonal dt[m n + m] (so
    /// that a challenger reads its own distances along a row).
    dti: Vec<f64>,
    dt_own: Vec<f64>,
    /// The screen's order of third parties: heaviest first (`w_chlg` descending, then by
    /// index), so that what a contest has left to count shrinks fast; and each actor's place
    /// in it.
    order: Vec<usize>,
    rank: Vec<usize>,
    /// `dt` in single precision in the screen's order: dt32[j n + k] = dt[j n + order[k]].
    dt32: Vec<f32>,
    /// `w_chlg` in single precision in the screen's order, and its total.
    w32: Vec<f32>,
    w_total: f64,
    /// The largest weight.
    w_max: f64,
    /// Risk attitudes.
    r: Vec<f64>,
    /// own[j n + a] = U^a_aj, actor a's utility of position j by its own risk attitude
    /// (position-major, like `dt`).
    own: Vec<f64>,
    // scratch
    pce: Pce,
    line: LineScratch,
    buf: Vec<f64>,
    uniq: Vec<usize>,
    equiv: Vec<usize>,
}

impl Engine {
    fn new(p: &SmpProblem, params: &SmpParams) -> Self {
        let n = p.num_actors();
        let d = p.num_dims();
        let sal: Vec<f64> = p.saliences.iter().flatten().copied().collect();
        let sal_sq = (0..n)
            .map(|i| {
                sal[i * d..(i + 1) * d]
                    .iter()
                    .fold(0.0, |acc, s| acc + s * s)
            })
            .collect();
        let sal_tot: Vec<f64> = (0..n)
            .map(|i| sal[i * d..(i + 1) * d].iter().fold(0.0, |acc, s| acc + s))
            .collect();
        let w_chlg: Vec<f64> = (0..n).map(|i| sal_tot[i] * p.capability[i]).collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| w_chlg[b].total_cmp(&w_chlg[a]).then(a.cmp(&b)));
        let mut rank = vec![0; n];
        for (k, &m) in order.iter().enumerate() {
            rank[m] = k;
        }
        let w32 = order.iter().map(|&m| w_chlg[m] as f32).collect();
        let w_total = w_chlg.iter().fold(0.0, |acc, x| acc + x);
        let w_max = w_chlg.iter().fold(0.0, |acc: f64, &x| acc.max(x));
        Self {
            n,
            d,
            params: *params,
            cap: p.capability.clone(),
            sal,
            sal_sq,
            w_chlg,
            sal_tot,
            pos: p.positions.iter().flatten().copied().collect(),
            ideal: p.positions.iter().flatten().copied().collect(),
            accommodation: accommodation(p),
            rng: KtabRng::new(params.seed),
            dt: vec![0.0; n * n],
            dti: vec![0.0; n * n],
            dt_own: vec![0.0; n],
            order,
            rank,
            dt32: vec![0.0; n * n],
            w32,
            w_total,
            w_max,
            r: vec![0.0; n],
            own: vec![0.0; n * n],
            pce: Pce::default(),
            line: LineScratch::default(),
            buf: Vec::new(),
            uniq: Vec::new(),
            equiv: Vec::new(),
        }
    }

    /// Weighted distance from actor m's ideal to position z (KTAB `bvDiff`).
    #[inline(always)]
    fn dist(&self, m: usize, z: &[f64]) -> f64 {
        let d = self.d;
        let y = &self.ideal[m * d..(m + 1) * d];
        let s = &self.sal[m * d..(m + 1) * d];
        let mut ds2 = 0.0;
        for k in 0..d {
            let x = (y[k] - z[k]) * s[k];
            ds2 += x * x;
        }
        (ds2 / self.sal_sq[m]).sqrt()
    }

    /// Distances, risk attitudes and own utilities of the current state (KTAB `setAllAUtil`).
    fn assess(&mut self) {
        let (n, d) = (self.n, self.d);
        if d == 1 {
            line_distances(
                &mut self.dt,
                &self.pos,
                &self.ideal,
                &self.sal,
                &self.sal_sq,
            );
        } else {
            for j in 0..n {
                for m in 0..n {
                    self.dt[j * n + m] = self.dist(m, &self.pos[j * d..(j + 1) * d]);
                }
            }
        }
        // the transpose, in tiles so that both are read and written along cache lines
        const TILE: usize = 16;
        for j0 in (0..n).step_by(TILE) {
            for m0 in (0..n).step_by(TILE) {
                for j in j0..(j0 + TILE).min(n) {
                    for m in m0..(m0 + TILE).min(n) {
                        self.dti[m * n + j] = self.dt[j * n + m];
                    }
                }
            }
        }
        for m in 0..n {
            self.dt_own[m] = self.dt[m * n + m];
        }
        if self.screens() {
            for (out, row) in self.dt32.chunks_exact_mut(n).zip(self.dt.chunks_exact(n)) {
                for (x, &m) in out.iter_mut().zip(&self.order) {
                    *x = row[m] as f32;
                }
            }
        }
        // risk-neutral PCE over all positions (duplicates included)
        let on_a_line = d == 1
            && self.params.voting_rule == VotingRule::Prop
            && self.sal.iter().all(|&s| s > 0.0);
        let p = if on_a_line {
            line_coalitions(
                &mut self.pce.c,
                &mut self.line,
                &self.ideal,
                &self.cap,
                &self.pos,
            );
            self.pce.pce(n, self.params.vp_model, self.params.pce_model)
        } else {
            self.buf.clear();
            self.buf.extend(self.dt.iter().map(|&x| bs_util(x, 0.0)));
            self.pce.scalar(
                n,
                n,
                &self.cap,
                &self.buf,
                self.params.voting_rule,
                self.params.vp_model,
                self.params.pce_model,
            )
        };
        big_r(p, self.params.big_r_range, &mut self.r);
        let adj = self.params.big_r_adjust;
        self.buf.clear();
        self.buf
            .extend((0..n).map(|a| est_r(self.r[a], self.r[a], adj)));
        own_utilities(&mut self.own, &self.dt, &self.buf);
    }

    /// Every actor's value of the states a block of bargains would bring about (KTAB
    /// `brgnUtil`): the mean of its utilities of all positions, the bargainers' replaced by
    /// their sides of the bargain; `vals[l n + a]` for bargain l and actor a. From each actor's
    /// sum `sums[a]` over the status quo, the two replacements' differences are added (exactly
    /// the status quo's sum when a bargain leaves both utilities as they were), so a value
    /// costs two utilities, not N additions.
    fn value_block(&self, blk: &[Bargain], bpos: &[f64], sums: &[f64], vals: &mut [f64]) {
        let (n, d) = (self.n, self.d);
        for (l, brg) in blk.iter().enumerate() {
            let zi = &bpos[brg.off..brg.off + d];
            let zj = &bpos[brg.off + d..brg.off + 2 * d];
            let own_i = &self.own[brg.init * n..(brg.init + 1) * n];
            let own_j = &self.own[brg.rcvr * n..(brg.rcvr + 1) * n];
            let out = &mut vals[l * n..(l + 1) * n];
            if d == 1 {
                // `dist` on one dimension, in a loop that vectorises
                let (zi, zj) = (zi[0], zj[0]);
                for (a, v) in out.iter_mut().enumerate() {
                    let (y, s, s2, ra) = (self.ideal[a], self.sal[a], self.sal_sq[a], self.r[a]);
                    let di = bs_util(line_dist(y, zi, s, s2), ra) - own_i[a];
                    let dj = bs_util(line_dist(y, zj, s, s2), ra) - own_j[a];
                    *v = (sums[a] + (di + dj)) / n as f64;
                }
            } else {
                for (a, v) in out.iter_mut().enumerate() {
                    let ra = self.r[a];
                    let di = bs_util(self.dist(a, zi), ra) - own_i[a];
                    let dj = bs_util(self.dist(a, zj), ra) - own_j[a];
                    *v = (sums[a] + (di + dj)) / n as f64;
                }
            }
        }
    }

    /// Ideal points after a turn (KTAB `newIdeals`): y_i ← Σ_j A_ij x_j + (1 − Σ_j A_ij) y_i,
    /// summed in KTAB's order; without adjustment the ideals are the positions.
    fn new_ideals(&mut self) {
        let (n, d) = (self.n, self.d);
        let Some(acc) = &self.accommodation else {
            self.ideal.copy_from_slice(&self.pos);
            return;
        };
        let mut next = vec![0.0; n * d];
        for i in 0..n {
            let row = &acc[i * n..(i + 1) * n];
            let si = row.iter().fold(0.0, |s, a| s + a).min(1.0);
            let lag = 1.0 - si;
            for k in 0..d {
                let mut y = 0.0;
                for (j, &a) in row.iter().enumerate() {
                    y += a * self.pos[j * d + k];
                }
                next[i * d + k] = y + lag * self.ideal[i * d + k];
            }
        }
        self.ideal = next;
    }

    /// Unique positions (KTAB `ueIndices`) of the current state.
    fn uniques(&mut self) {
        let (n, d) = (self.n, self.d);
        self.uniq.clear();
        self.equiv.clear();
        for i in 0..n {
            let found = self.uniq.iter().position(|&u| equiv(&self.pos, d, i, u));
            match found {
                Some(k) => self.equiv.push(k),
                None => {
                    self.uniq.push(i);
                    self.equiv.push(self.uniq.len() - 1);
                }
            }
        }
    }

    /// The reported state: unique positions and win probabilities (KTAB `pDist(-1)`,
    /// `posProb`).
    fn report(&mut self, fractional_change: Option<f64>, full: bool) -> SmpState {
        let (n, d) = (self.n, self.d);
        if !full {
            return SmpState {
                positions: self.pos.chunks_exact(d).map(<[f64]>::to_vec).collect(),
                fractional_change,
                risk_attitudes: self.r.clone(),
                win_probability: Vec::new(),
                unique_positions: Vec::new(),
            };
        }
        self.uniques();
        let nu = self.uniq.len();
        self.buf.clear();
        for &u in &self.uniq {
            self.buf.extend_from_slice(&self.own[u * n..(u + 1) * n]);
        }
        let p = self
            .pce
            .scalar(
                n,
                nu,
                &self.cap,
                &self.buf,
                self.params.voting_rule,
                self.params.vp_model,
                self.params.pce_model,
            )
            .to_vec();
        // KTAB reports for actor i the probability of the last unique position equivalent to i
        let win_probability = (0..n)
            .map(|i| {
                let k = (0..nu)
                    .rev()
                    .find(|&k| equiv(&self.pos, d, i, self.uniq[k]))
                    .unwrap_or(self.equiv[i]);
                p[k]
            })
            .collect();
        let unique_positions = (0..nu)
            .map(|k| UniquePosition {
                position: self.pos[self.uniq[k] * d..(self.uniq[k] + 1) * d].to_vec(),
                probability: p[k],
                members: (0..n).filter(|&i| self.equiv[i] == k).collect(),
            })
            .collect();
        SmpState {
            positions: self.pos.chunks_exact(d).map(<[f64]>::to_vec).collect(),
            fractional_change,
            risk_attitudes: self.r.clone(),
            win_probability,
            unique_positions,
        }
    }

    /// One turn: challenges, bargains, resolution. Returns the new positions.
    fn turn(&mut self, pool: &mut TurnScratch) -> Vec<f64> {
        let (n, d) = (self.n, self.d);
        // 1. challenges, each from the challenger's own perspective
        // each challenger's previous target, screened first (it is often still the best)
        pool.hint.clear();
        pool.hint
            .extend(pool.target.iter().map(|t| t.map(|(j, _)| j)));
        pool.hint.resize(n, None);
        pool.target.clear();
        let hint = &pool.hint;
        if n >= PARALLEL_FROM {
            use rayon::prelude::*;
            let eng = &*self;
            (0..n)
                .into_par_iter()
                .map_init(|| Scratch::new(n), |sc, i| eng.best_target(sc, i, hint[i]))
                .collect_into_vec(&mut pool.target);
        } else {
            let mut sc = Scratch::new(n);
            for (i, &h) in hint.iter().enumerate() {
                pool.target.push(self.best_target(&mut sc, i, h));
            }
        }
        // receivers' estimates of the challenges they face, when the bargain model uses them
        pool.rcvr_p.clear();
        pool.rcvr_p.resize(n, f64::NAN);
        if self.params.bargn_model != BargnModel::InitOnlyInterp {
            let mut sc = Scratch::new(n);
            for i in 0..n {
                if let Some((j, _)) = pool.target[i] {
                    pool.rcvr_p[i] = self.estimate(&mut sc, j, i, j);
                }
            }
        }
        // 2. bargains
        pool.bargains.clear();
        pool.bpos.clear();
        for q in pool.queues.iter_mut() {
            q.clear();
        }
        pool.queues.resize_with(n, Vec::new);
        // Deterministic: every queue starts with its owner's status quo (as in KTAB, whose
        // threads all queue their status quo before any has found a bargain), then bargains by
        // initiator; this order matters only for exact ties. Stochastic, where the order
        // decides which bargain a draw lands on: queues fill as KTAB's do when its per-actor
        // work runs one actor at a time (actor i queues its status quo, then its bargain in
        // its own and its target's queue), the only order in which `smpc` repeats its runs.
        let sq_first = self.params.state_trans == StateTransMode::Deterministic;
        if sq_first {
            for q in pool.queues.iter_mut() {
                q.push(Entry::Sq);
            }
        }
        for i in 0..n {
            if !sq_first {
                pool.queues[i].push(Entry::Sq);
            }
            let Some((j, pii)) = pool.target[i] else {
                continue;
            };
            let mk = |pool: &mut TurnScratch, eng: &Engine, p: f64| -> usize {
                let off = pool.bpos.len();
                pool.bpos.resize(off + 2 * d, 0.0);
                for k in 0..d {
                    let (bi, bj) = interp_dim(
                        eng.params.inter_vec_brgn,
                        eng.pos[i * d + k],
                        eng.sal[i * d + k],
                        p,
                        eng.pos[j * d + k],
                        eng.sal[j * d + k],
                        1.0 - p,
                    );
                    pool.bpos[off + k] = bi;
                    pool.bpos[off + d + k] = bj;
                }
                pool.bargains.push(Bargain {
                    init: i,
                    rcvr: j,
                    off,
                });
                pool.bargains.len() - 1
            };
            match self.params.bargn_model {
                BargnModel::InitOnlyInterp => {
                    let b = mk(pool, self, pii);
                    pool.queues[i].push(Entry::Brgn(b));
                    pool.queues[j].push(Entry::Brgn(b));
                }
                BargnModel::InitRcvrInterp => {
                    let b1 = mk(pool, self, pii);
                    let b2 = mk(pool, self, pool.rcvr_p[i]);
                    pool.queues[i].push(Entry::Brgn(b1));
                    pool.queues[i].push(Entry::Brgn(b2));
                    pool.queues[j].push(Entry::Brgn(b1));
                    pool.queues[j].push(Entry::Brgn(b2));
                }
                BargnModel::PWCompInterp => {
                    let b1 = mk(pool, self, pii);
                    let b2 = mk(pool, self, pool.rcvr_p[i]);
                    // KTAB weighs both with the initiator's capability (reproduced)
                    let wi = self.cap[i] * self.sal_tot[i];
                    let wj = self.cap[i] * self.sal_tot[j];
                    let (o1, o2) = (pool.bargains[b1].off, pool.bargains[b2].off);
                    for k in 0..2 * d {
                        let x = (wi * pool.bpos[o1 + k] + wj * pool.bpos[o2 + k]) / (wi + wj);
                        pool.bpos[o1 + k] = x;
                    }
                    pool.bargains.pop();
                    pool.bpos.truncate(o2);
                    pool.queues[i].push(Entry::Brgn(b1));
                    pool.queues[j].push(Entry::Brgn(b1));
                }
            }
        }
        // 3. every actor's value of every bargain's outcome (the same in every queue)
        let nb = pool.bargains.len();
        pool.val.clear();
        pool.val.resize(nb * n, 0.0);
        // each actor's sum over the positions in order (position by position, for all actors
        // at once)
        pool.sq_sum.clear();
        pool.sq_sum.resize(n, 0.0);
        for row in self.own.chunks_exact(n) {
            for (acc, &u) in pool.sq_sum.iter_mut().zip(row) {
                *acc += u;
            }
        }
        pool.sq_val.clear();
        pool.sq_val.extend(pool.sq_sum.iter().map(|s| s / n as f64));
        // Bargains are valued [`BLANES`] at a time, blocks in parallel from [`PARALLEL_FROM`]
        // actors.
        let eng = &*self;
        let (bargains, bpos, sums) = (&pool.bargains, &pool.bpos, &pool.sq_sum);
        let value = |(vals, blk): (&mut [f64], &[Bargain])| eng.value_block(blk, bpos, sums, vals);
        if n >= PARALLEL_FROM {
            use rayon::prelude::*;
            pool.val
                .par_chunks_mut(BLANES * n)
                .zip(bargains.par_chunks(BLANES))
                .for_each(value);
        } else {
            pool.val
                .chunks_mut(BLANES * n)
                .zip(bargains.chunks(BLANES))
                .for_each(value);
        }
        // 4. resolution of each queue
        let mut new_pos = self.pos.clone();
        for k in 0..n {
            let q = &pool.queues[k];
            self.buf.clear();
            for e in q {
                match *e {
                    Entry::Sq => self.buf.extend_from_slice(&pool.sq_val),
                    Entry::Brgn(b) => self.buf.extend_from_slice(&pool.val[b * n..(b + 1) * n]),
                }
            }
            let p = self.pce.scalar(
                n,
                q.len(),
                &self.cap,
                &self.buf,
                self.params.voting_rule,
                self.params.vp_model,
                self.params.pce_model,
            );
            let chosen = match self.params.state_trans {
                StateTransMode::Deterministic => {
                    let mut best = 0;
                    let mut ma = -1.0;
                    for (m, &x) in p.iter().enumerate() {
                        if ma < x.abs() {
                            ma = x.abs();
                            best = m;
                        }
                    }
                    best
                }
                StateTransMode::Stochastic => {
                    // KTAB `PRNG::probSel`: one draw per actor, in actor order
                    let x = self.rng.uniform();
                    let mut sum = 0.0;
                    let mut pick = p.len() - 1;
                    for (m, &pm) in p.iter().enumerate() {
                        sum += pm;
                        if x <= sum {
                            pick = m;
                            break;
                        }
                    }
                    pick
                }
            };
            if let Entry::Brgn(b) = q[chosen] {
                let brg = pool.bargains[b];
                let off = if brg.init == k { brg.off } else { brg.off + d };
                new_pos[k * d..(k + 1) * d].copy_from_slice(&pool.bpos[off..off + d]);
            }
        }
        new_pos
    }
}

/// [`Engine::dist`] on one dimension, from ideal y to position z with salience s and
/// Σ s² = s2: the same operations.
#[inline(always)]
fn line_dist(y: f64, z: f64, s: f64, s2: f64) -> f64 {
    let x = (y - z) * s;
    ((0.0 + x * x) / s2).sqrt()
}

/// [`Engine::dist`] on one dimension for every position j and actor m, `dt[j n + m]`: the
/// same operations, in a loop that vectorises.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn line_distances(dt: &mut [f64], pos: &[f64], ideal: &[f64], sal: &[f64], sal_sq: &[f64]) {
    for (row, &z) in dt.chunks_exact_mut(ideal.len()).zip(pos) {
        for (((t, &y), &s), &s2) in row.iter_mut().zip(ideal).zip(sal).zip(sal_sq) {
            *t = line_dist(y, z, s, s2);
        }
    }
}

/// Every actor's utility of every position by its own risk attitude, `own[j n + a]` from
/// `dt[j n + a]` and `r_own[a]`.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn own_utilities(own: &mut [f64], dt: &[f64], r_own: &[f64]) {
    let n = r_own.len();
    for (out, row) in own.chunks_exact_mut(n).zip(dt.chunks_exact(n)) {
        for ((u, &dd), &raa) in out.iter_mut().zip(row).zip(r_own) {
            *u = bs_util(dd, raa);
        }
    }
}

/// Expected gain to k of i challenging j (KTAB `probEduChlg`), from k's utilities `uki`, `ukj`
/// of the two positions, j's total salience `sj` and the chances `phij`, `phji` of i and j
/// prevailing.
#[inline(always)]
fn edu(uki: f64, ukj: f64, sj: f64, phij: f64, phji: f64) -> f64 {
    let eu_sq = uki + ukj;
    let vict = uki + uki;
    let lose = ukj + ukj;
    let cntst = phij * vict + phji * lose;
    ((1.0 - sj) * vict + sj * cntst) - eu_sq
}

/// A challenger's working space (one per thread).
struct Scratch {
    /// Perspective h's estimates of every actor's risk attitude.
    rh: Vec<f64>,
    /// diag[m] = U^h_mm for the current perspective h.
    diag: Vec<f64>,
    /// cols[m LANES + l] = U^h_mj for the target j of lane l (interleaved, so that a third
    /// party's utilities of the targets are adjacent).
    cols: Vec<f64>,
    /// coli[m] = U^h_mi for the challenger i (filled as "lane [`LANES`]").
    coli: Vec<f64>,
    /// A challenger's candidate targets: (upper bound of the gain, target).
    cand: Vec<(f64, usize)>,
    /// The screen's single-precision copies of `rh`, `diag` and `coli`, in its order of third
    /// parties ([`Engine::order`]).
    rh32: Vec<f32>,
    diag32: Vec<f32>,
    coli32: Vec<f32>,
    /// rest[k]: a bound on the votes for the challenger of the third parties from place k of
    /// the screen's order on, whatever the target (rest[N] = 0).
    rest: Vec<f64>,
    /// Screened targets: (approximate gain, its error bound, target).
    screened: Vec<(f64, f64, usize)>,
    /// The screened targets that may be the best.
    close: Vec<(f64, usize)>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            rh: vec![0.0; n],
            diag: vec![0.0; n],
            cols: vec![0.0; LANES * n],
            coli: vec![0.0; n],
            cand: Vec::with_capacity(n),
            rh32: vec![0.0; n],
            diag32: vec![0.0; n],
            coli32: vec![0.0; n],
            rest: vec![0.0; n + 1],
            screened: Vec::with_capacity(n),
            close: Vec::new(),
        }
    }
}

/// The challenges (KTAB `bestChallenge` and `probEduChlg`), on a state's distances and risk
/// attitudes.
impl Engine {
    /// Sets perspective h: its estimates of every actor's risk attitude and the utilities U^h_mm
    /// of each actor's own position.
    fn perspective(&self, sc: &mut Scratch, h: usize) {
        let n = self.n;
        let adj = self.params.big_r_adjust;
        let rh = self.r[h];
        for m in 0..n {
            sc.rh[m] = est_r(rh, self.r[m], adj);
            sc.diag[m] = bs_util(self.dt_own[m], sc.rh[m]);
        }
    }

    /// Fills lane `l` of `cols` (or `coli` for l = [`LANES`]) with the current perspective's
    /// utilities U^h_mj of position j to every actor m.
    fn column(&self, sc: &mut Scratch, l: usize, j: usize) {
        let n = self.n;
        let dcol = &self.dt[j * n..(j + 1) * n];
        if l == LANES {
            for ((u, &dd), &r) in sc.coli.iter_mut().zip(dcol).zip(&sc.rh) {
                *u = bs_util(dd, r);
            }
        } else {
            for (m, (&dd, &r)) in dcol.iter().zip(&sc.rh).enumerate() {
                sc.cols[m * LANES + l] = bs_util(dd, r);
            }
        }
    }

    /// Fills the lanes of `cols` with the current perspective's utilities U^h_mj of the targets
    /// `js` to every actor m, third party by third party (lanes without a target keep junk).
    fn lanes(&self, sc: &mut Scratch, js: [Option<usize>; LANES]) {
        let n = self.n;
        let rows: [&[f64]; LANES] = std::array::from_fn(|l| {
            let j = js[l].unwrap_or(0);
            &self.dt[j * n..(j + 1) * n]
        });
        for (m, out) in sc.cols.chunks_exact_mut(LANES).enumerate() {
            let r = sc.rh[m];
            for l in 0..LANES {
                out[l] = bs_util(rows[l][m], r);
            }
        }
    }

    /// The current perspective's coalitions `(c_ij, c_ji)` for and against i when i challenges
    /// each of `js` (the challenger's column in `coli`, the targets' in the lanes of `cols`;
    /// lanes whose target is `None` are junk).
    #[inline]
    fn contest(&self, sc: &Scratch, i: usize, js: [Option<usize>; LANES]) -> [(f64, f64); LANES] {
        let args = (
            (&sc.cols[..], &sc.coli[..]),
            &sc.diag[..],
            self.n,
            &self.w_chlg[..],
            i,
            js,
        );
        let rule = self.params.voting_rule;
        match self.params.third_party_commit {
            ThirdPartyCommit::Semi => dispatch_rule!(rule, chlg_block::<Semi>, (args)),
            ThirdPartyCommit::Full => dispatch_rule!(rule, chlg_block::<Full>, (args)),
            ThirdPartyCommit::No => dispatch_rule!(rule, chlg_block::<NoCommit>, (args)),
        }
    }

    /// Challenger i's best target and its estimate of prevailing, from its own perspective
    /// (KTAB `bestChallenge`): the target with the largest expected gain above 1e-5, the first
    /// of equals.
    ///
    /// The gain of challenging j lies between its values at P = 0 and P = 1 (it is linear in
    /// i's chance P of prevailing), and those need only i's utilities of the two positions. So
    /// the targets are tried in order of that upper bound, [`LANES`] at a time, and the search
    /// stops once no remaining bound can beat the best gain found: the contests that cost N
    /// third parties each are evaluated only for targets that could win, and the choice is
    /// exactly the one a scan of every target makes. `hint` (the previous turn's target)
    /// only changes the screen's order of work, never the choice.
    fn best_target(&self, sc: &mut Scratch, i: usize, hint: Option<usize>) -> Option<(usize, f64)> {
        self.best_target_with(sc, i, self.screens(), hint)
    }

    /// [`Engine::best_target`], screened in single precision first or not.
    fn best_target_with(
        &self,
        sc: &mut Scratch,
        i: usize,
        screen: bool,
        hint: Option<usize>,
    ) -> Option<(usize, f64)> {
        // Round-off allowance of the bound (the gains are sums of a few terms of order 1).
        const SLACK: f64 = 1e-12;
        let n = self.n;
        self.perspective(sc, i);
        self.column(sc, LANES, i);
        let uii = sc.coli[i];
        sc.cand.clear();
        let di = &self.dti[i * n..(i + 1) * n];
        for j in (0..n).filter(|&j| j != i) {
            let uij = bs_util(di[j], sc.rh[i]);
            let sj = self.sal_tot[j];
            let ub = f64::max(edu(uii, uij, sj, 1.0, 0.0), edu(uii, uij, sj, 0.0, 1.0)) + SLACK;
            if ub > MIN_SIG_EDU {
                sc.cand.push((ub, j));
            }
        }
        // Bounds are positive, so their bits sort as they do. The order of equal bounds does
        // not matter: the search stops on bounds alone and picks the lowest of equal gains.
        let mut cand = std::mem::take(&mut sc.cand);
        let best = if screen {
            // the screen rarely goes past the first quarter: sort that, the rest if reached
            let head = (n / 4).max(16);
            if cand.len() > head {
                cand.select_nth_unstable_by_key(head, by_bound);
                cand[..head].sort_unstable_by_key(by_bound);
            } else {
                cand.sort_unstable_by_key(by_bound);
            }
            self.screened_best(sc, i, uii, &mut cand, head, hint)
        } else {
            cand.sort_unstable_by_key(by_bound);
            self.exact_best(sc, i, uii, &cand)
        };
        sc.cand = cand;
        best
    }

    /// The exact search of [`Engine::best_target`]: candidates in order of their bounds, in
    /// blocks of [`LANES`], until no bound can beat the best gain found.
    fn exact_best(
        &self,
        sc: &mut Scratch,
        i: usize,
        uii: f64,
        cand: &[(f64, usize)],
    ) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        let mut best_eu = -1.0;
        for chunk in cand.chunks(LANES) {
            if chunk[0].0 <= f64::max(best_eu, MIN_SIG_EDU) {
                break;
            }
            self.exact_block(sc, i, uii, chunk, &mut best, &mut best_eu);
        }
        best
    }

    /// Evaluates the contests of up to [`LANES`] candidates exactly and keeps the best (the
    /// largest gain above [`MIN_SIG_EDU`], the lowest target of equals).
    fn exact_block(
        &self,
        sc: &mut Scratch,
        i: usize,
        uii: f64,
        chunk: &[(f64, usize)],
        best: &mut Option<(usize, f64)>,
        best_eu: &mut f64,
    ) {
        let mut js = [None; LANES];
        for (l, &(_, j)) in chunk.iter().enumerate() {
            js[l] = Some(j);
        }
        self.lanes(sc, js);
        let block = self.contest(sc, i, js);
        for (l, (&(_, j), &c)) in chunk.iter().zip(&block).enumerate() {
            let ukj = sc.cols[i * LANES + l];
            let du = edu(
                uii,
                ukj,
                self.sal_tot[j],
                c.0 / (c.0 + c.1),
                c.1 / (c.0 + c.1),
            );
            let first_of_equals = du == *best_eu && best.is_some_and(|(b, _)| j < b);
            if MIN_SIG_EDU < du && (*best_eu < du || first_of_equals) {
                *best = Some((j, c.0 / (c.0 + c.1)));
                *best_eu = du;
            }
        }
    }

    /// Whether the challenges are screened in single precision first: with proportional votes
    /// (the only rule the screen implements) and enough actors for it to pay.
    fn screens(&self) -> bool {
        self.params.voting_rule == VotingRule::Prop && self.n >= SCREEN_FROM
    }

    /// [`Engine::exact_best`] with a single-precision screen: every candidate the exact search
    /// would evaluate gets an approximate gain with a proven error bound (from the contest in
    /// `f32`), the search stopping once no bound can beat the best gain certainly reached; then
    /// only the candidates whose interval reaches the best certain gain are evaluated exactly,
    /// and the choice among them is the exact search's. So the target and the chance returned
    /// are those of the exact search, at the cost of a few exact contests instead of all.
    /// `cand` is in order of its bounds up to `sorted`; the rest is sorted if reached.
    fn screened_best(
        &self,
        sc: &mut Scratch,
        i: usize,
        uii: f64,
        cand: &mut [(f64, usize)],
        sorted: usize,
        hint: Option<usize>,
    ) -> Option<(usize, f64)> {
        self.screen_perspective(sc);
        sc.screened.clear();
        // the largest gain some candidate certainly reaches (its lower end)
        let mut sure = f64::NEG_INFINITY;
        // the hint first: a good gain found early lets the other contests stop sooner
        let hint = hint.filter(|&h| cand.iter().any(|c| c.1 == h));
        if let Some(h) = hint {
            self.screen_one(sc, i, uii, h, &mut sure);
        }
        for k in 0..cand.len() {
            if k == sorted {
                cand[k..].sort_unstable_by_key(by_bound);
            }
            let (ub, j) = cand[k];
            if ub <= f64::max(sure, MIN_SIG_EDU) {
                break;
            }
            if Some(j) != hint {
                self.screen_one(sc, i, uii, j, &mut sure);
            }
        }
        // exact contests for the candidates that may be the best (their upper ends are at
        // least MIN_SIG_EDU, so positive)
        let floor = f64::max(sure, MIN_SIG_EDU);
        let mut close = std::mem::take(&mut sc.close);
        close.clear();
        for &(du, err, j) in &sc.screened {
            if du + err >= floor {
                close.push((du + err, j));
            }
        }
        // highest possible gains first, until none can reach the best exact gain found
        close.sort_unstable_by_key(|c| std::cmp::Reverse(c.0.to_bits()));
        let mut best: Option<(usize, f64)> = None;
        let mut best_eu = -1.0;
        for chunk in close.chunks(LANES) {
            if chunk[0].0 < best_eu {
                break;
            }
            self.exact_block(sc, i, uii, chunk, &mut best, &mut best_eu);
        }
        sc.close = close;
        best
    }

    /// Screens challenger i's contest against candidate j: its approximate gain and error
    /// bound go to `screened` and raise `sure`, unless the contest stops early because j
    /// certainly cannot beat `sure` (or [`MIN_SIG_EDU`]).
    fn screen_one(&self, sc: &mut Scratch, i: usize, uii: f64, j: usize, sure: &mut f64) {
        let uij = bs_util(self.dti[i * self.n + j], sc.rh[i]);
        let cut = self.cutoff(&sc.rest, i, j, uii - uij, f64::max(*sure, MIN_SIG_EDU));
        let Some(c) = self.contest32(sc, i, j, cut.as_ref()) else {
            return;
        };
        let (cij, cji) = (f64::from(c.cij), f64::from(c.cji));
        let p = cij / (cij + cji);
        let err_p = self.screen_error(&c, i, j);
        let du = edu(uii, uij, self.sal_tot[j], p, 1.0 - p);
        // the gain is linear in p with slope 2 s_j (u_ii − u_ij)
        let slope = 2.0 * self.sal_tot[j] * (uii - uij).abs();
        let err = slope * err_p + 1e-12;
        *sure = sure.max(du - err);
        sc.screened.push((du, err, j));
    }

    /// How far the chance of prevailing from an `f32` contest of i against j can be from the
    /// exact one. Standard bounds, doubled for safety: utilities are within 8 units of
    /// roundoff u, so a vote w (u_a − u_b) within 20 u w; a third party's chance p_in of the
    /// challenger winning is its side's strength over the principals' and its own, c_mi + c_mj,
    /// each within 20 u (w_i + w_j + w_m), so p_in is within 40 u (w_i + w_j + w_m) /
    /// (c_mi + c_mj) (doubled again: the computed denominator is at least half the exact one
    /// once the principals' strength is four times the error 20 u (w_i + w_j + max w_m)); its
    /// vote is w_m (Y + p_in (X − Y)) with |X − Y| = |2 U_mm − U_mi − U_mj| ≤ 2 (semi-committed;
    /// 0 otherwise: utilities lie in [0, 1]), so p_in's error counts 2 w_m times, and the rest
    /// of its vote is within [`SCREEN_TERM_ULPS`] u w_m; the sums, in
    /// [`SCREEN_ACC`] running sums of N / [`SCREEN_ACC`] terms each then added, add
    /// (N / [`SCREEN_ACC`] + [`SCREEN_ACC`] + 2) u times the total. The chance moves by at most
    /// the strengths' error over the total. When the principals' strength may vanish (two
    /// positions equally good to both, where p_in jumps between 0 and 1), the bound is 1 and
    /// the contest is evaluated exactly.
    fn screen_error(&self, c: &Screen, i: usize, j: usize) -> f64 {
        let u = F32_EPS;
        let total = f64::from(c.cij) + f64::from(c.cji);
        let wij = self.w_chlg[i] + self.w_chlg[j];
        if f64::from(c.principals) <= 80.0 * u * (wij + self.w_max) || total <= 0.0 {
            return 1.0;
        }
        let pin_terms = 2.0 * 2.0 * 40.0 * f64::from(c.pin_err);
        let sums = (self.n / SCREEN_ACC + SCREEN_ACC + 2) as f64 * total;
        let err_c = u * (SCREEN_TERM_ULPS * self.w_total + pin_terms + sums);
        (2.0 * 2.0 * err_c / total).min(1.0)
    }

    /// Sets the screen's single-precision copies of the current perspective (`rh32`,
    /// `diag32`, `coli32`, in the screen's order) and the bounds `rest` on what third parties
    /// may add to the challenger's side: a third party's vote for i is at most w_m times the
    /// most its commitment lets it gain (see [`Commit::span`]), where U_mj is at most the
    /// largest utility its risk attitude allows.
    fn screen_perspective(&self, sc: &mut Scratch) {
        let n = self.n;
        let span = match self.params.third_party_commit {
            ThirdPartyCommit::Semi => Semi::span,
            ThirdPartyCommit::Full => Full::span,
            ThirdPartyCommit::No => NoCommit::span,
        };
        sc.rest[n] = 0.0;
        for k in (0..n).rev() {
            let m = self.order[k];
            sc.rh32[k] = sc.rh[m] as f32;
            sc.diag32[k] = sc.diag[m] as f32;
            sc.coli32[k] = sc.coli[m] as f32;
            let b = self.w_chlg[m] * span(sc.coli[m], sc.diag[m], util_max(sc.rh[m]));
            // the sum of at most N terms, each rounded: a relative 1e-9 covers it
            sc.rest[k] = sc.rest[k + 1] + b * (1.0 + 1e-9);
        }
    }

    /// When the screen may stop a contest of i against j early (see [`Cutoff`]): only if i
    /// prefers its own position (`dlt` = U_ii − U_ij > 0, so that its gain grows with its
    /// chance) and its gain may fall below `floor` (`q` < 1), and never against a bound of
    /// 1.
    fn cutoff<'a>(
        &self,
        rest: &'a [f64],
        i: usize,
        j: usize,
        dlt: f64,
        floor: f64,
    ) -> Option<Cutoff<'a>> {
        let u = F32_EPS;
        let sj = self.sal_tot[j];
        let q = (1.0 - (floor - 1e-12) / dlt) / (2.0 * sj);
        // (s_j = 0 gives q = ±∞ or NaN: never a cutoff for +∞ and NaN, one at once for −∞)
        (dlt > 0.0 && q < 1.0).then_some(Cutoff {
            rest,
            q,
            err_terms: u * SCREEN_TERM_ULPS * self.w_total,
            err_sums: u * (self.n / SCREEN_ACC + SCREEN_ACC + 2) as f64,
            min_principals: 80.0 * u * (self.w_chlg[i] + self.w_chlg[j] + self.w_max),
        })
    }

    /// The contest of i against j in single precision, for the screen: `(c_ij, c_ji)` and
    /// the principals' strength (for the error bound); `None` if `cut` stopped it.
    fn contest32(&self, sc: &Scratch, i: usize, j: usize, cut: Option<&Cutoff>) -> Option<Screen> {
        let n = self.n;
        let args = Contest32Args {
            dtj: &self.dt32[j * n..(j + 1) * n],
            rh: &sc.rh32[..],
            coli: &sc.coli32[..],
            diag: &sc.diag32[..],
            w: &self.w32[..],
            ri: self.rank[i],
            rj: self.rank[j],
            cut,
        };
        match self.params.third_party_commit {
            ThirdPartyCommit::Semi => contest32_kernel::<Semi>(args),
            ThirdPartyCommit::Full => contest32_kernel::<Full>(args),
            ThirdPartyCommit::No => contest32_kernel::<NoCommit>(args),
        }
    }

    /// Perspective h's estimate of i's chance of prevailing when i challenges j.
    fn estimate(&self, sc: &mut Scratch, h: usize, i: usize, j: usize) -> f64 {
        self.perspective(sc, h);
        self.column(sc, LANES, i);
        self.column(sc, 0, j);
        let mut js = [None; LANES];
        js[0] = Some(j);
        let c = self.contest(sc, i, js)[0];
        c.0 / (c.0 + c.1)
    }
}

/// The accommodation matrix of a problem (KTAB: the identity, then each listed pair sets
/// A[adjusting, reference]), or `None` when it is the identity.
fn accommodation(p: &SmpProblem) -> Option<Vec<f64>> {
    let n = p.num_actors();
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        a[i * n + i] = 1.0;
    }
    for e in &p.ideal_adjustment {
        a[e.adjusting * n + e.reference] = e.rate;
    }
    let identity = (0..n).all(|i| (0..n).all(|j| a[i * n + j] == f64::from(u8::from(i == j))));
    (!identity).then_some(a)
}

/// KTAB's random numbers (`KBase::PRNG`): the 64-bit Mersenne Twister (MT19937-64, Matsumoto
/// and Nishimura's published algorithm and constants) seeded with the scenario's seed, each
/// output passed through KTAB's one-to-one quadratic map q(x) = (x + a)(2x + 3) mod 2⁶⁴; a
/// uniform number on [0, 1] is that word over 2⁶⁴ − 1.
struct KtabRng {
    mt: [u64; 312],
    index: usize,
}

impl KtabRng {
    fn new(seed: u64) -> Self {
        let mut mt = [0u64; 312];
        mt[0] = seed;
        for i in 1..312 {
            mt[i] = 6_364_136_223_846_793_005u64
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 62))
                .wrapping_add(i as u64);
        }
        Self { mt, index: 312 }
    }

    fn next_mt(&mut self) -> u64 {
        const UPPER: u64 = 0xFFFF_FFFF_8000_0000;
        const LOWER: u64 = 0x7FFF_FFFF;
        const MATRIX_A: u64 = 0xB502_6F5A_A966_19E9;
        if self.index >= 312 {
            for i in 0..312 {
                let x = (self.mt[i] & UPPER) | (self.mt[(i + 1) % 312] & LOWER);
                let mut xa = x >> 1;
                if x & 1 != 0 {
                    xa ^= MATRIX_A;
                }
                self.mt[i] = self.mt[(i + 156) % 312] ^ xa;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= (y >> 29) & 0x5555_5555_5555_5555;
        y ^= (y << 17) & 0x71D6_7FFF_EDA6_0000;
        y ^= (y << 37) & 0xFFF7_EEE0_0000_0000;
        y ^= y >> 43;
        y
    }

    /// KTAB `PRNG::uniform()`: the twister's word through the quadratic map.
    fn next_word(&mut self) -> u64 {
        const A: u64 = 0xE08C_1D66_8B75_6F83;
        let i = self.next_mt();
        i.wrapping_add(A)
            .wrapping_mul(i.wrapping_mul(2).wrapping_add(3))
    }

    /// KTAB `PRNG::uniform(0, 1)`.
    fn uniform(&mut self) -> f64 {
        self.next_word() as f64 / u64::MAX as f64
    }
}

/// A third party's commitment as a type (see [`ThirdPartyCommit`]).
trait Commit {
    /// Sums of the three positions' utilities to third party m in the four outcomes: joined i
    /// and i won, joined i and j won, joined j and i won, joined j and j won.
    fn outcomes(umi: f64, umj: f64, umm: f64) -> [f64; 4];
    /// The same in single precision.
    fn outcomes32(umi: f32, umj: f32, umm: f32) -> [f32; 4];
    /// The most third party m's vote for the challenger can be per unit of its weight, from
    /// U_mi, U_mm and a bound `umax` on U_mj. Its vote is w_m (p (W_i − L_j) + (1 − p)
    /// (L_i − W_j)) for its chance p of i prevailing, so at most w_m times the larger of 0
    /// and the two differences.
    fn span(umi: f64, umm: f64, umax: f64) -> f64;
}

/// The largest utility [`bs_util`] gives with risk attitude r: 1 for r in [−1, 1] (at
/// distance 0), (1 + r)² / 4r above; unbounded below −1 (beyond a distance of 1).
fn util_max(r: f64) -> f64 {
    if r < -1.0 {
        f64::INFINITY
    } else if r <= 1.0 {
        1.0
    } else {
        (1.0 + r) * (1.0 + r) / (4.0 * r)
    }
}

struct Semi;
impl Commit for Semi {
    #[inline(always)]
    fn outcomes(umi: f64, umj: f64, umm: f64) -> [f64; 4] {
        [
            umi + umi + umm,
            umj + umj + umj,
            umi + umi + umi,
            umj + umj + umm,
        ]
    }
    #[inline(always)]
    fn outcomes32(umi: f32, umj: f32, umm: f32) -> [f32; 4] {
        [
            umi + umi + umm,
            umj + umj + umj,
            umi + umi + umi,
            umj + umj + umm,
        ]
    }
    /// W_i − L_j = U_mm − U_mi, L_i − W_j = U_mj − U_mm.
    #[inline(always)]
    fn span(umi: f64, umm: f64, umax: f64) -> f64 {
        f64::max(0.0, f64::max(umm - umi, umax - umm))
    }
}

struct Full;
impl Commit for Full {
    #[inline(always)]
    fn outcomes(umi: f64, umj: f64, _umm: f64) -> [f64; 4] {
        [
            umi + umi + umi,
            umj + umj + umj,
            umi + umi + umi,
            umj + umj + umj,
        ]
    }
    #[inline(always)]
    fn outcomes32(umi: f32, umj: f32, _umm: f32) -> [f32; 4] {
        [
            umi + umi + umi,
            umj + umj + umj,
            umi + umi + umi,
            umj + umj + umj,
        ]
    }
    /// W_i = L_j and L_i = W_j: the vote is 0.
    #[inline(always)]
    fn span(_umi: f64, _umm: f64, _umax: f64) -> f64 {
        0.0
    }
}

struct NoCommit;
impl Commit for NoCommit {
    #[inline(always)]
    fn outcomes(umi: f64, umj: f64, umm: f64) -> [f64; 4] {
        [
            umi + umi + umm,
            umj + umj + umm,
            umi + umi + umm,
            umj + umj + umm,
        ]
    }
    #[inline(always)]
    fn outcomes32(umi: f32, umj: f32, umm: f32) -> [f32; 4] {
        [
            umi + umi + umm,
            umj + umj + umm,
            umi + umi + umm,
            umj + umj + umm,
        ]
    }
    /// W_i = L_j and L_i = W_j: the vote is 0.
    #[inline(always)]
    fn span(_umi: f64, _umm: f64, _umax: f64) -> f64 {
        0.0
    }
}

/// Targets evaluated together in the challenge loop (independent accumulators, so the compiler
/// can use vector instructions while every sum keeps KTAB's order).
const LANES: usize = 8;

/// Bargains valued per parallel task (see [`Engine::value_block`]).
const BLANES: usize = 8;

/// The arguments of [`chlg_block`]: the targets' and the challenger's utility columns, U_mm,
/// N, weights, challenger, targets.
type ContestArgs<'a> = (
    (&'a [f64], &'a [f64]),
    &'a [f64],
    usize,
    &'a [f64],
    usize,
    [Option<usize>; LANES],
);

/// From this many actors the challengers are evaluated in parallel (each challenger's search
/// is independent and computed exactly as alone, so the results do not depend on threads).
const PARALLEL_FROM: usize = 64;

/// The coalitions for and against i when i challenges j (KTAB `probEduChlg`) for up to
/// [`LANES`] targets `js`, from one perspective's utilities: `cols[m LANES + l]` = U_mj for
/// the target j of lane l, `coli[m]` = U_mi for the challenger, `diag[m]` = U_mm; and
/// the actors' weights S_m c_m. The principals vote; each third party first sizes up the
/// "little contest" of the principals and itself, then votes for the side whose expected
/// outcome it prefers. Strengths are summed in KTAB's order (a third party that is a target
/// adds +0 to that target's sums, which changes nothing). Lanes without a target are junk.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn chlg_block<R: Rule, T: Commit>(
    (cols, diag, n, w, i, js): ContestArgs<'_>,
) -> [(f64, f64); LANES] {
    const MIN_CLTN: f64 = 1e-10;
    let (cols, coli) = cols;
    // a lane without a target follows the challenger's own column (never read back)
    let jx: [usize; LANES] = std::array::from_fn(|l| js[l].unwrap_or(usize::MAX));
    let mut chij = [MIN_CLTN; LANES];
    let mut chji = [MIN_CLTN; LANES];
    for l in 0..LANES {
        let Some(j) = js[l] else { continue };
        let ci = R::vote(w[i], coli[i], cols[i * LANES + l]);
        let cj = R::vote(w[j], coli[j], cols[j * LANES + l]);
        chij[l] += pos_part(ci);
        chji[l] += neg_part(ci);
        chij[l] += pos_part(cj);
        chji[l] += neg_part(cj);
    }
    let (pi0, pj0) = (chij, chji);
    for m in 0..n {
        if m == i {
            continue;
        }
        let (umi, umm, wm) = (coli[m], diag[m], w[m]);
        let umj: &[f64; LANES] = cols[m * LANES..(m + 1) * LANES]
            .try_into()
            .expect("LANES columns");
        let v0: [f64; LANES] = std::array::from_fn(|l| R::vote(wm, umi, umj[l]));
        let cmi: [f64; LANES] = std::array::from_fn(|l| pi0[l] + pos_part(v0[l]));
        let cmj: [f64; LANES] = std::array::from_fn(|l| pj0[l] + neg_part(v0[l]));
        let pin: [f64; LANES] = std::array::from_fn(|l| cmi[l] / (cmi[l] + cmj[l]));
        let vm: [f64; LANES] = std::array::from_fn(|l| {
            let pjn = 1.0 - pin[l];
            let [w_i, l_i, l_j, w_j] = T::outcomes(umi, umj[l], umm);
            let eu_join_i = (pin[l] * w_i) + (pjn * l_i);
            let eu_join_j = (pin[l] * l_j) + (pjn * w_j);
            R::vote(wm, eu_join_i, eu_join_j)
        });
        for l in 0..LANES {
            let v = if m == jx[l] { 0.0 } else { vm[l] };
            chij[l] += pos_part(v);
            chji[l] += neg_part(v);
        }
    }
    let mut out = [(0.0, 0.0); LANES];
    for l in 0..LANES {
        out[l] = (chij[l], chji[l]);
    }
    out
}

/// The order of a challenger's candidates: largest bound first (bounds are positive, so their
/// bits order them).
fn by_bound(c: &(f64, usize)) -> std::cmp::Reverse<u64> {
    std::cmp::Reverse(c.0.to_bits())
}

/// A challenge's gain below this is no reason to challenge (KTAB `minSigEDU`).
const MIN_SIG_EDU: f64 = 1e-5;

/// From this many actors the challenges are screened in single precision
/// ([`Engine::screened_best`]); below, the exact search alone is fast.
const SCREEN_FROM: usize = 64;

/// The unit roundoff of `f32`.
const F32_EPS: f64 = f32::EPSILON as f64 / 2.0;

/// Units of roundoff, per unit of a third party's weight, that its vote in an `f32` contest
/// may be off by: its utilities (each within a unit of the `f64` value, of size at most 1),
/// the principals' and its own vote, the chance `p_in`, the expected outcomes (sums of three
/// utilities) and their difference take fewer than 40 operations on numbers of size at most
/// 3; 64 leaves room.
const SCREEN_TERM_ULPS: f64 = 64.0;

/// [`bs_util`] in single precision.
#[inline(always)]
fn bs_util32(d: f32, r: f32) -> f32 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// The arguments of [`contest32_kernel`], everything indexed by place in the screen's order
/// ([`Engine::order`]): the target's distance row (`dt32[j n + k]`), the perspective's risk
/// attitudes, U_mi, U_mm, the weights, the challenger's and the target's places, and when
/// the contest may stop early.
struct Contest32Args<'a> {
    dtj: &'a [f32],
    rh: &'a [f32],
    coli: &'a [f32],
    diag: &'a [f32],
    w: &'a [f32],
    ri: usize,
    rj: usize,
    cut: Option<&'a Cutoff<'a>>,
}

/// Third parties summed side by side in [`contest32_kernel`] (independent accumulators, so
/// the loop vectorises over third parties).
const SCREEN_ACC: usize = 16;

/// Every this many third parties, [`contest32_kernel`] checks whether its [`Cutoff`] stops
/// it (a multiple of [`SCREEN_ACC`]).
const SCREEN_CHECK: usize = 32;

/// When a screened contest may stop before its last third party: the challenger's gain is
/// Δ (1 − 2 s_j (1 − p)) for its chance p of prevailing, increasing in p (where
/// Δ = U_ii − U_ij is positive); once even the largest chance the third parties counted so far and the bound `rest`
/// on the others allow leaves that gain below the floor (the best gain some candidate
/// certainly reaches, or [`MIN_SIG_EDU`]), the target cannot be the best and the contest
/// stops. With a margin of 1e-12 for the gain's round-off, that is when the chance against
/// the challenger, 1 − p, is certainly above `q` = (1 − (floor − 1e-12) / Δ) / 2 s_j.
struct Cutoff<'a> {
    /// rest[k] bounds the votes for the challenger of the third parties from place k on.
    rest: &'a [f64],
    q: f64,
    /// The partial sums' error is within `err_terms` + `err_sums` (c_ij + c_ji) + 160 u
    /// Σ w_m (w_i + w_j + w_m) / (c_mi + c_mj) (see [`Engine::screen_error`]).
    err_terms: f64,
    err_sums: f64,
    /// Below this strength of the principals that analysis does not hold: no early stop.
    min_principals: f64,
}

impl Cutoff<'_> {
    /// Whether the contest can stop after the third parties before place `k`, whose `f32`
    /// sums for and against the challenger (principals included) are `a` and `b`, with
    /// `pin_err` their share of the error bound; `spurious` is what the challenger and the
    /// target, counted as third parties if placed before k, added against the challenger.
    #[inline(always)]
    fn stops(&self, k: usize, a: f32, b: f32, pin_err: f32, spurious: f64) -> bool {
        let (a, b) = (f64::from(a), f64::from(b));
        // each sum within e of its exact value (doubled for safety); one term's error is
        // within it too
        let e =
            2.0 * (self.err_terms + F32_EPS * 160.0 * f64::from(pin_err) + self.err_sums * (a + b));
        // the strength for the challenger is at most `hi`, against it at least `lo`: the
        // chance against it at least lo / (hi + lo)
        let hi = a + e + self.rest[k];
        let lo = b - 3.0 * e - spurious;
        lo * (1.0 - self.q) > self.q * hi
    }
}

/// [`chlg_block`]'s contest for one target, in single precision with proportional votes, for
/// the screen of [`Engine::screened_best`]: the same operations per third party, with U_mj
/// made from the target's distance row as it goes, vectorised over third parties (so the sums
/// run in another order; the screen's error bound holds for any order). Returns `(c_ij, c_ji)`
/// and the principals' strength, or `None` if the [`Cutoff`] stopped it.
#[multiversion(targets("x86_64+avx512f+avx512dq", "x86_64+avx2"))]
fn contest32_kernel<T: Commit>(args: Contest32Args<'_>) -> Option<Screen> {
    const MIN_CLTN: f32 = 1e-10;
    const K: usize = SCREEN_ACC;
    #[inline(always)]
    fn pos(x: f32) -> f32 {
        if x > 0.0 { x } else { 0.0 }
    }
    #[inline(always)]
    fn neg(x: f32) -> f32 {
        if x < 0.0 { -x } else { 0.0 }
    }
    /// A third party's vote and w_m (w_i + w_j + w_m) / (c_mi + c_mj), its share of the
    /// error bound from p_in.
    #[inline(always)]
    fn third<T: Commit>(
        (pi0, pj0, wij): (f32, f32, f32),
        umi: f32,
        umm: f32,
        wm: f32,
        umj: f32,
    ) -> (f32, f32) {
        let v0 = wm * (umi - umj);
        let cmi = pi0 + pos(v0);
        let cmj = pj0 + neg(v0);
        let inv = 1.0 / (cmi + cmj);
        let pin = cmi * inv;
        let pjn = 1.0 - pin;
        let [w_i, l_i, l_j, w_j] = T::outcomes32(umi, umj, umm);
        let v = wm * (((pin * w_i) + (pjn * l_i)) - ((pin * l_j) + (pjn * w_j)));
        (v, wm * (wij + wm) * inv)
    }
    let Contest32Args {
        dtj,
        rh,
        coli,
        diag,
        w,
        ri,
        rj,
        cut,
    } = args;
    let n = dtj.len();
    let ci = w[ri] * (coli[ri] - bs_util32(dtj[ri], rh[ri]));
    let cj = w[rj] * (coli[rj] - bs_util32(dtj[rj], rh[rj]));
    let pi0 = MIN_CLTN + pos(ci) + pos(cj);
    let pj0 = MIN_CLTN + neg(ci) + neg(cj);
    let pr = (pi0, pj0, w[ri] + w[rj]);
    // what the challenger and the target add when counted as third parties
    let spurious: [f32; 2] = std::array::from_fn(|x| {
        let m = [ri, rj][x];
        third::<T>(pr, coli[m], diag[m], w[m], bs_util32(dtj[m], rh[m])).0
    });
    let cut = cut.filter(|c| f64::from(pi0 + pj0) > c.min_principals);
    let mut acc_ij = [0.0f32; K];
    let mut acc_ji = [0.0f32; K];
    let mut acc_err = [0.0f32; K];
    let whole = n - n % K;
    let mut m0 = 0;
    while m0 < whole {
        if let Some(c) = cut
            && m0 % SCREEN_CHECK == 0
        {
            let a = pi0 + lane_sum(acc_ij);
            let b = pj0 + lane_sum(acc_ji);
            let sp = [ri, rj]
                .iter()
                .zip(spurious)
                .filter(|&(&m, _)| m < m0)
                .fold(0.0, |acc, (_, v)| acc + f64::from(neg(v)));
            if c.stops(m0, a, b, lane_sum(acc_err), sp) {
                return None;
            }
        }
        let dc: &[f32; K] = dtj[m0..m0 + K].try_into().expect("K");
        let rc: &[f32; K] = rh[m0..m0 + K].try_into().expect("K");
        let ic: &[f32; K] = coli[m0..m0 + K].try_into().expect("K");
        let mc: &[f32; K] = diag[m0..m0 + K].try_into().expect("K");
        let wc: &[f32; K] = w[m0..m0 + K].try_into().expect("K");
        for k in 0..K {
            let umj = bs_util32(dc[k], rc[k]);
            let (v, e) = third::<T>(pr, ic[k], mc[k], wc[k], umj);
            acc_ij[k] += pos(v);
            acc_ji[k] += neg(v);
            acc_err[k] += e;
        }
        m0 += K;
    }
    for m in whole..n {
        let umj = bs_util32(dtj[m], rh[m]);
        let (v, e) = third::<T>(pr, coli[m], diag[m], w[m], umj);
        acc_ij[0] += pos(v);
        acc_ji[0] += neg(v);
        acc_err[0] += e;
    }
    // the challenger and the target are not third parties: take back what they added (the
    // error share stays: a bound may only grow)
    for (m, v) in [ri, rj].into_iter().zip(spurious) {
        let k = if m < whole { m % K } else { 0 };
        acc_ij[k] -= pos(v);
        acc_ji[k] -= neg(v);
    }
    let cij = pi0 + lane_sum(acc_ij);
    let cji = pj0 + lane_sum(acc_ji);
    Some(Screen {
        cij,
        cji,
        principals: pi0 + pj0,
        pin_err: lane_sum(acc_err),
    })
}

/// The sum of [`contest32_kernel`]'s accumulators, halves added pairwise (four vector
/// additions; its round-off is within the screen's allowance for adding the lanes).
#[inline(always)]
fn lane_sum(mut v: [f32; SCREEN_ACC]) -> f32 {
    let mut half = SCREEN_ACC / 2;
    while half > 0 {
        for k in 0..half {
            v[k] += v[k + half];
        }
        half /= 2;
    }
    v[0]
}

/// A single-precision contest ([`contest32_kernel`]): the strengths for and against the
/// challenger, the principals' strength, and Σ_m w_m (w_i + w_j + w_m) / (c_mi + c_mj), which
/// bounds the third parties' error from their chances p_in.
#[derive(Clone, Copy, Debug)]
struct Screen {
    cij: f32,
    cji: f32,
    principals: f32,
    pin_err: f32,
}

/// Whether actors i and j hold equivalent positions (Euclidean distance below 1e-3).
#[inline]
fn equiv(pos: &[f64], d: usize, i: usize, j: usize) -> bool {
    let (a, b) = (&pos[i * d..(i + 1) * d], &pos[j * d..(j + 1) * d]);
    let s = a.iter().zip(b).fold(0.0, |acc, (x, y)| {
        let z = x - y;
        acc + z * z
    });
    s.sqrt() < 1e-3
}

/// Buffers reused from turn to turn.
#[derive(Default)]
struct TurnScratch {
    target: Vec<Option<(usize, f64)>>,
    hint: Vec<Option<usize>>,
    rcvr_p: Vec<f64>,
    bargains: Vec<Bargain>,
    bpos: Vec<f64>,
    queues: Vec<Vec<Entry>>,
    val: Vec<f64>,
    sq_sum: Vec<f64>,
    sq_val: Vec<f64>,
}

/// How [`run_with`] reports a run.
#[derive(Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Compute the unique positions and win probabilities of the final state only (the
    /// forecast needs no more); earlier states then carry their positions, risk attitudes and
    /// fractional change, with empty `win_probability` and `unique_positions`. This saves a
    /// probabilistic Condorcet election over the positions per turn.
    pub final_report_only: bool,
    /// Called after each turn with the number of turns played, for a caller that shows
    /// progress (the engine itself never prints).
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

/// Runs the SMP on a scenario until KTAB's stop rule fires or the turn cap is reached, with
/// every state's report.
///
/// # Panics
/// If the problem fails [`SmpProblem::validate`].
pub fn run(problem: &SmpProblem, params: &SmpParams) -> SmpRun {
    run_with(problem, params, &RunOptions::default())
}

/// [`run`] with [`RunOptions`].
///
/// # Panics
/// If the problem fails [`SmpProblem::validate`].
pub fn run_with(problem: &SmpProblem, params: &SmpParams, opts: &RunOptions<'_>) -> SmpRun {
    if let Err(e) = problem.validate() {
        panic!("invalid SMP problem: {e}");
    }
    const MIN_DELTA_RATIO: f64 = 0.02;
    const MIN_SIG_DELTA: f64 = 1e-4;
    const MIN_ITER: usize = 2;
    let mut eng = Engine::new(problem, params);
    let (n, d) = (eng.n, eng.d);
    eng.assess();
    let mut states = vec![eng.report(None, !opts.final_report_only)];
    let mut scratch = TurnScratch::default();
    let mut d01 = 0.0;
    let mut iter = 0;
    let converged = loop {
        iter += 1;
        let new_pos = eng.turn(&mut scratch);
        let mut moved = 0.0;
        for i in 0..n {
            let mut s = 0.0;
            for k in 0..d {
                let z = new_pos[i * d + k] - eng.pos[i * d + k];
                s += z * z;
            }
            moved += s.sqrt();
        }
        if iter == 1 {
            d01 = moved + MIN_SIG_DELTA;
        }
        let ratio = moved / d01;
        eng.pos = new_pos;
        eng.new_ideals();
        eng.assess();
        let quiet = ratio < MIN_DELTA_RATIO;
        let converged = MIN_ITER <= iter && quiet;
        let last = converged || params.max_turns <= iter;
        states.push(eng.report(Some(ratio), last || !opts.final_report_only));
        if let Some(f) = opts.progress {
            f(iter);
        }
        if last {
            break converged;
        }
    };
    let last = states.last().expect("at least one state");
    let mut final_positions = last.unique_positions.clone();
    final_positions.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    let mut expected_outcome = vec![0.0; d];
    for u in &final_positions {
        for (e, x) in expected_outcome.iter_mut().zip(&u.position) {
            *e += u.probability * x;
        }
    }
    SmpRun {
        states,
        converged,
        final_positions,
        expected_outcome,
    }
}

// ------------------------------------------------------------------------------------------
// The one-issue model
// ------------------------------------------------------------------------------------------

/// The SMP as a [`Model`] on one issue: rounds are turns, the outcome is the
/// probability-weighted mean of the final unique positions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Smp {
    /// The model's parameters.
    pub params: SmpParams,
}

impl Model for Smp {
    fn name(&self) -> &'static str {
        "smp"
    }

    fn forecast(&self, p: &Problem) -> Forecast {
        if p.players.is_empty() {
            return static_forecast("smp", p, f64::NAN);
        }
        let sp = SmpProblem::from_problem(p);
        let opts = RunOptions {
            final_report_only: true,
            progress: None,
        };
        let r = run_with(&sp, &self.params, &opts);
        let rounds: Vec<Round> = r
            .states
            .iter()
            .map(|s| summarize(p, s.positions.iter().map(|x| x[0] * 100.0).collect()))
            .collect();
        Forecast {
            model: "smp".into(),
            rounds,
            outcome: r.expected_outcome[0] * 100.0,
            converged_after: r.converged.then(|| r.turns()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MT19937-64 with the reference seed 5489: the 10 000th output of the C++ standard's
    /// `std::mt19937_64` is 9981545732273789042 ([rand.predef] in ISO/IEC 14882).
    #[test]
    fn twister_matches_the_standard() {
        let mut g = KtabRng::new(5489);
        let mut x = 0;
        for _ in 0..10_000 {
            x = g.next_mt();
        }
        assert_eq!(x, 9_981_545_732_273_789_042);
    }

    #[test]
    fn uniform_draws_lie_in_the_unit_interval() {
        let mut g = KtabRng::new(KTAB_DEFAULT_SEED);
        for _ in 0..1000 {
            let x = g.uniform();
            assert!((0.0..=1.0).contains(&x));
        }
    }

    /// The plain scan of the risk-neutral election: every voter's vote on every pair.
    fn scanned_coalitions(ideal: &[f64], w: &[f64], x: &[f64]) -> Vec<f64> {
        let (nv, no) = (ideal.len(), x.len());
        let mut u = Vec::with_capacity(no * nv);
        for &xo in x {
            u.extend(ideal.iter().map(|&y| bs_util((y - xo).abs(), 0.0)));
        }
        let mut pce = Pce::default();
        pce.scalar(
            nv,
            no,
            w,
            &u,
            VotingRule::Prop,
            VPModel::Linear,
            PCEModel::Conditional,
        );
        pce.c
    }

    fn assert_close(fast: &[f64], plain: &[f64], what: &str) {
        assert_eq!(fast.len(), plain.len());
        let scale = plain.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (k, (a, b)) in fast.iter().zip(plain).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * scale + 1e-15,
                "{what}: entry {k}: {a} vs {b}"
            );
        }
    }

    /// The line election equals the plain scan: options on voters' ideals, duplicated
    /// options, options 1e-9 apart, voters on midpoints, options outside every ideal.
    #[test]
    fn line_coalitions_equal_the_plain_scan() {
        let ideal = [0.1, 0.25, 0.25, 0.4, 0.55, 0.7, 0.7, 0.95, 0.5];
        let w = [3.0, 1.0, 0.5, 2.0, 4.0, 0.25, 1.5, 2.5, 1.0];
        let x = [0.1, 0.25, 0.4, 0.4, 0.6, 0.6 + 1e-9, 0.0, 1.0, 0.5, 0.3];
        let mut fast = Vec::new();
        line_coalitions(&mut fast, &mut LineScratch::default(), &ideal, &w, &x);
        assert_close(&fast, &scanned_coalitions(&ideal, &w, &x), "hand-made");
    }

    proptest::proptest! {
        /// On random lines, including more voters between two options than are summed one
        /// by one (so the prefix sums are used), and positions on a coarse grid (ties).
        #[test]
        fn line_coalitions_agree_on_random_lines(
            voters in proptest::collection::vec((0u32..=40, 0.01f64..10.0), 1..120),
            options in proptest::collection::vec(0u32..=40, 1..60),
            jitter in 0.0f64..0.01,
        ) {
            let ideal: Vec<f64> = voters.iter().map(|v| v.0 as f64 / 40.0).collect();
            let w: Vec<f64> = voters.iter().map(|v| v.1).collect();
            let x: Vec<f64> = options
                .iter()
                .enumerate()
                .map(|(k, &o)| o as f64 / 40.0 + if k % 3 == 0 { jitter } else { 0.0 })
                .collect();
            let mut fast = Vec::new();
            line_coalitions(&mut fast, &mut LineScratch::default(), &ideal, &w, &x);
            assert_close(&fast, &scanned_coalitions(&ideal, &w, &x), "random");
        }
    }

    /// A bargain's value from the status quo's sum and the two replaced utilities equals the
    /// mean of all positions' utilities with the bargainers' replaced, summed one by one.
    #[test]
    fn bargain_values_equal_the_plain_sum() {
        let n = 7;
        let p = SmpProblem {
            positions: (0..n)
                .map(|i| vec![0.1 + 0.13 * i as f64, 0.9 - 0.11 * i as f64])
                .collect(),
            saliences: (0..n).map(|i| vec![0.3 + 0.05 * i as f64, 0.4]).collect(),
            capability: (0..n).map(|i| 1.0 + i as f64).collect(),
            names: (0..n).map(|i| format!("a{i}")).collect(),
            dim_names: vec!["x".into(), "y".into()],
            ideal_adjustment: Vec::new(),
        };
        let mut eng = Engine::new(&p, &SmpParams::default());
        eng.assess();
        let bpos = vec![0.2, 0.3, 0.25, 0.35, 0.7, 0.1, 0.6, 0.2];
        let blk = [
            Bargain {
                init: 1,
                rcvr: 4,
                off: 0,
            },
            Bargain {
                init: 6,
                rcvr: 0,
                off: 4,
            },
        ];
        let sums: Vec<f64> = (0..n)
            .map(|a| (0..n).map(|j| eng.own[j * n + a]).sum())
            .collect();
        let mut vals = vec![0.0; 2 * n];
        eng.value_block(&blk, &bpos, &sums, &mut vals);
        for (l, brg) in blk.iter().enumerate() {
            for a in 0..n {
                let mut total = 0.0;
                for m in 0..n {
                    total += if m == brg.init {
                        bs_util(eng.dist(a, &bpos[brg.off..brg.off + 2]), eng.r[a])
                    } else if m == brg.rcvr {
                        bs_util(eng.dist(a, &bpos[brg.off + 2..brg.off + 4]), eng.r[a])
                    } else {
                        eng.own[m * n + a]
                    };
                }
                let plain = total / n as f64;
                assert!((vals[l * n + a] - plain).abs() < 1e-15, "{l} {a}");
            }
        }
    }

    /// A random one-dimensional problem of `n` actors on a coarse grid (ties included).
    fn random_line(n: usize, seed: u64) -> SmpProblem {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut unit = move || (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        SmpProblem {
            names: (0..n).map(|i| format!("a{i}")).collect(),
            capability: (0..n).map(|_| 1.0 + 99.0 * unit()).collect(),
            positions: (0..n)
                .map(|_| vec![(50.0 * unit()).round() / 50.0])
                .collect(),
            saliences: (0..n).map(|_| vec![0.05 + 0.95 * unit()]).collect(),
            dim_names: vec!["x".into()],
            ideal_adjustment: Vec::new(),
        }
    }

    /// A screened contest stops early only for a target whose exact gain is below the floor
    /// it was given, and it does stop for most targets well below it.
    #[test]
    fn screened_contests_stop_only_below_the_floor() {
        let (mut far, mut stopped_far) = (0, 0);
        for seed in [5, 6] {
            let p = random_line(90, seed);
            let mut eng = Engine::new(&p, &SmpParams::default());
            let mut pool = TurnScratch::default();
            let mut sc = Scratch::new(eng.n);
            for turn in 0..3 {
                eng.assess();
                for i in 0..eng.n {
                    eng.perspective(&mut sc, i);
                    eng.column(&mut sc, LANES, i);
                    eng.screen_perspective(&mut sc);
                    let uii = sc.coli[i];
                    for j in (0..eng.n).filter(|&j| j != i) {
                        let uij = bs_util(eng.dt[j * eng.n + i], sc.rh[i]);
                        let dlt = uii - uij;
                        let sj = eng.sal_tot[j];
                        let pe = eng.estimate(&mut sc, i, i, j);
                        eng.perspective(&mut sc, i);
                        eng.column(&mut sc, LANES, i);
                        let gain = edu(uii, uij, sj, pe, 1.0 - pe);
                        for step in -4..=16 {
                            let floor = gain + f64::from(step) * 0.0125 * dlt.abs();
                            let cut = eng.cutoff(&sc.rest, i, j, dlt, floor);
                            let stops = eng.contest32(&sc, i, j, cut.as_ref()).is_none();
                            assert!(
                                !stops || gain < floor,
                                "seed {seed}, turn {turn}: {i} vs {j} stopped at floor \
                                 {floor} with gain {gain}"
                            );
                            if step >= 8 && dlt > 0.0 {
                                far += 1;
                                stopped_far += usize::from(stops);
                            }
                        }
                    }
                }
                eng.pos = eng.turn(&mut pool);
                eng.new_ideals();
            }
        }
        // a floor a tenth of U_ii − U_ij or more above the gain: most contests stop
        assert!(2 * stopped_far > far, "{stopped_far} of {far} stopped");
    }

    /// The single-precision screen picks exactly the exact search's target and chance, for
    /// every challenger, at the start and after a few turns, under each commitment; and each
    /// `f32` contest's chance lies within its stated error of the `f64` one.
    #[test]
    fn screened_challenges_equal_the_exact_search() {
        for (seed, commit) in [
            (1, ThirdPartyCommit::Semi),
            (2, ThirdPartyCommit::Full),
            (3, ThirdPartyCommit::No),
            (4, ThirdPartyCommit::Semi),
        ] {
            let p = random_line(90, seed);
            let params = SmpParams {
                third_party_commit: commit,
                ..SmpParams::default()
            };
            let mut eng = Engine::new(&p, &params);
            eng.assess();
            assert!(eng.screens());
            let mut pool = TurnScratch::default();
            let mut sc = Scratch::new(eng.n);
            let mut chosen = 0;
            let (mut contests, mut tight) = (0, 0);
            for turn in 0..4 {
                for i in 0..eng.n {
                    let exact = eng.best_target_with(&mut sc, i, false, None);
                    let screened = eng.best_target_with(&mut sc, i, true, None);
                    // any hint, a candidate or not, changes nothing
                    let hint = Some((i * 7 + turn) % eng.n);
                    let hinted = eng.best_target_with(&mut sc, i, true, hint);
                    assert_eq!(
                        exact, hinted,
                        "seed {seed}, turn {turn}, {i} hinted {hint:?}"
                    );
                    assert_eq!(exact, screened, "seed {seed}, turn {turn}, challenger {i}");
                    chosen += usize::from(exact.is_some());
                    // the error bound of every contest of this challenger
                    eng.perspective(&mut sc, i);
                    eng.column(&mut sc, LANES, i);
                    eng.screen_perspective(&mut sc);
                    for j in (0..eng.n).filter(|&j| j != i) {
                        let c = eng.contest32(&sc, i, j, None).expect("no cutoff");
                        let (a, b) = (f64::from(c.cij), f64::from(c.cji));
                        let err = eng.screen_error(&c, i, j);
                        contests += 1;
                        tight += usize::from(err < 1e-2);
                        let exact_p = eng.estimate(&mut sc, i, i, j);
                        assert!(
                            (a / (a + b) - exact_p).abs() <= err,
                            "seed {seed}: {i} vs {j}: {} {exact_p} ± {err}",
                            a / (a + b)
                        );
                        eng.perspective(&mut sc, i);
                        eng.column(&mut sc, LANES, i);
                    }
                }
                let next = eng.turn(&mut pool);
                eng.pos = next;
                eng.new_ideals();
                eng.assess();
            }
            assert!(chosen > 100, "seed {seed}: only {chosen} challenges");
            // the screen decides (semi-committed third parties, the default: under the other
            // commitments a third party's vote is always 0, and the bounds are loose):
            // nine bounds in ten are narrower than 0.01
            if commit == ThirdPartyCommit::Semi {
                assert!(
                    10 * tight > 9 * contests,
                    "seed {seed}: {tight} of {contests} narrow"
                );
            }
        }
    }
}
