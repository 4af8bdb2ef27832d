//! The scenario engine's yearly mechanisms, each a [`Mechanism`], and the executor that runs a
//! path through them.
//!
//! A mechanism declares what it is ([`MechanismId`], whose inputs [`crate::inputs::INPUTS`]
//! lists with key, unit, range and meaning), the state variables it writes, the inputs it reads
//! (its own and any other mechanism's), the passage of the source paper behind it, what it sets
//! up once per path ([`Mechanism::start`]) and its yearly transition ([`Mechanism::step`]). No
//! mechanism carries a value: every number comes from the draw ([`PathState::v`]) or the case's
//! [`Spec`].
//!
//! The executor ([`run_observed`]) holds what no single mechanism owns: the draw's structural
//! choices and scenario boundaries (the ensemble's structural uncertainty), the absorbing state
//! after an intervention, the invariants between state variables, the bounds, and the
//! classification of each year's state. The ensemble ([`crate::ensemble`]) runs draws on
//! per-draw random streams through it and collects the results bundle.
//!
//! The order of [`MECHANISMS`] is the order of a year: the subsidy first, then the forecasts it
//! moves, the two tracks of the deal, domestic stability, and the outside options.

mod bargaining;
mod deal;
mod economics;
mod military;
mod outside;
mod stability;

pub use bargaining::Bargaining;
pub use deal::Deal;
pub use economics::Economics;
pub use military::Military;
pub use outside::Outside;
pub use stability::Stability;

use crate::inputs::MechanismId;
use crate::timeline::{
    EconYear, NO_DECISION, Path, Scratch, Spec, UNCLASSIFIED, Values, implementation,
};
use leverage_games::templates::UltimatumInputs;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// One mechanism of the yearly process.
pub trait Mechanism: Sync {
    /// Which mechanism this is (its own inputs are those of [`crate::inputs::INPUTS`] with this
    /// id).
    fn id(&self) -> MechanismId;
    /// The state variables ([`crate::timeline::STATE_VARS`]) the transition writes.
    fn writes(&self) -> &'static [&'static str];
    /// Every input key the mechanism reads, its own and other mechanisms'.
    fn reads(&self) -> &'static [&'static str];
    /// The passage of the source paper behind the mechanism (`docs/simulation.md` quotes it).
    fn passage(&self) -> &'static str;
    /// Sets up what the mechanism keeps for the whole path, before the first year.
    fn start(&self, _p: &mut PathState<'_>) {}
    /// The yearly transition.
    fn step(&self, p: &mut PathState<'_>, yr: &mut Year);
}

/// The mechanisms, in the order a year runs them.
pub static MECHANISMS: [&dyn Mechanism; 6] = [
    &Economics,
    &Bargaining,
    &Deal,
    &Military,
    &Stability,
    &Outside,
];

/// The patron's stage of demands on the economic track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The economic terms (the terms issue's forecast).
    Economic,
    /// After an acceptance: more (the political stage).
    Political,
}

/// The patron's economic levers: the share of the discretionary subsidy it keeps paying and of
/// its market it keeps open, and what one round of coercion takes of each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levers {
    /// Share of the discretionary subsidy still paid.
    pub keep: f64,
    /// Share of the market still open.
    pub open: f64,
    /// Share of what is paid that one round of coercion cuts.
    pub cut: f64,
    /// Share of what is open that one round of coercion closes.
    pub restrict: f64,
}

impl Levers {
    /// What one more round of coercion would take from a year with discretionary subsidy `disc`
    /// and market rent `rent`.
    pub fn taken(&self, disc: f64, rent: f64) -> f64 {
        self.cut * self.keep * disc + self.restrict * self.open * rent
    }
    /// One round of coercion: the cut and the market restriction.
    pub fn apply(&mut self) {
        self.keep *= 1.0 - self.cut;
        self.open *= 1.0 - self.restrict;
    }
}

/// Everything a year's economics needs, fixed for the path ([`Economics::start`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Econ {
    /// GDP in a case without economics links (constant), USD bn.
    pub gdp: f64,
    /// The oil price's level, USD per barrel.
    pub oil_level: f64,
    /// The yearly log-normal shock's standard deviation.
    pub oil_sd: f64,
    /// The gas reference price under the draw's method, USD per 1000 m³.
    pub gas_reference_price: f64,
    /// The gas price the client pays, USD per 1000 m³.
    pub gas_paid: f64,
    /// Nominal GDP growth, a fraction a year.
    pub growth: f64,
    /// Market access rent, USD bn a year (0 without that pillar).
    pub market_rent: f64,
    /// The grant element of the loans, USD bn a year (0 without loans).
    pub loans_grant: f64,
}

/// One path in progress: the draw, the state, and what the mechanisms keep from year to year.
pub struct PathState<'a> {
    /// The case, as plain numbers.
    pub spec: &'a Spec,
    /// The draw's inputs.
    pub v: Values,
    /// The state: the case's variables, then the hidden slots of mechanisms it leaves out.
    pub s: Vec<f64>,
    /// The draw's actor weighting (`actor_weighting`).
    pub weighting: u8,
    /// The draw's model of the terms (`terms_model`).
    pub model: u8,
    /// The draw's gas-reference method (`gas_reference_method`).
    pub method: u8,
    /// The draw's random stream.
    pub rng: &'a mut ChaCha8Rng,
    /// The path being written.
    pub out: &'a mut Path,
    /// Buffers reused across draws (the state is in [`PathState::s`] meanwhile).
    pub scratch: &'a mut Scratch,
    /// Called at every crisis game played: (year index, military track, the game's inputs).
    pub played: &'a mut dyn FnMut(usize, bool, &UltimatumInputs),
    /// Initial values of the West's alignment, China's and stability (hidden slots included).
    pub west0: f64,
    /// See [`PathState::west0`].
    pub china0: f64,
    /// See [`PathState::west0`].
    pub stab0: f64,
    /// The path's economics ([`Economics::start`]).
    pub econ: Econ,
    /// The base year's subsidy at stake, % of GDP ([`Economics::start`]).
    pub base_pct: f64,
    /// The logit precision per USD bn ([`Deal::start`]).
    pub lambda: f64,
    /// The patron's economic levers ([`Deal::start`]).
    pub levers: Levers,
    /// A signed deal holds (compensation and loans flow).
    pub deal: bool,
    /// The stage of the patron's demands.
    pub stage: Stage,
    /// The crisis game as both sides see it this year ([`Deal::start`], then each year).
    pub game: UltimatumInputs,
    /// The client's own position on the terms issue ([`Deal::start`]).
    pub client_terms_ideal: f64,
    /// The client's own mean position on the military issues ([`Military::start`]).
    pub client_military_ideal: f64,
    /// Yearly probability of an intervention when the patron is losing the client
    /// ([`Outside::start`]).
    pub p_losing: f64,
}

impl PathState<'_> {
    /// Whether the patron has intervened (absorbing).
    pub fn intervened(&self) -> bool {
        self.s[self.spec.idx.intervened] >= 0.5
    }
}

/// What the mechanisms hand each other within one year.
#[derive(Debug, Clone, Copy)]
pub struct Year {
    /// Year index (0-based).
    pub y: usize,
    /// The year's laws, agreements and calendar.
    pub ey: EconYear,
    /// Years left, this one included.
    pub remaining: usize,
    /// The client's GDP, USD bn ([`Economics`]).
    pub gdp: f64,
    /// The subsidy paid, % of GDP ([`Economics`]).
    pub subsidy_pct: f64,
    /// The annual equivalent, to the client, of what one more round of coercion takes
    /// ([`Economics`]).
    pub at_stake_eq: f64,
    /// The annual equivalent of the sweeteners an accepted deal brings ([`Economics`]).
    pub sweet_eq: f64,
    /// The patron's valuation of the stream at stake over the client's ([`Economics`]).
    pub recapture_ratio: f64,
    /// The patron's resolve this year ([`Bargaining`]).
    pub resolve: f64,
    /// The mean forecast of the military issues, NaN without one ([`Bargaining`]).
    pub military_forecast: f64,
    /// The cost of a visible concession before an election ([`Deal`]).
    pub restraint: f64,
    /// A decision point or tension past the threshold ([`Deal`]).
    pub pressing: bool,
    /// A track moved tension this year (else it decays).
    pub tension_moved: bool,
}

/// Runs one path through [`MECHANISMS`] (the draw's parameter `values`, its random stream
/// `rng`), calling `played(year index, military track, the game's inputs)` at every crisis game
/// the path plays (the observer draws nothing: the path is the same as without it).
pub fn run_observed(
    spec: &Spec,
    values: &[f64],
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    out: &mut Path,
    played: &mut dyn FnMut(usize, bool, &UltimatumInputs),
) {
    execute(spec, values, rng, scratch, out, played, None);
}

/// Runs a mechanism's `start` (no year) or `step` in place of the executor (tests use it to run
/// each transition twice and compare).
type Hook<'h> = &'h mut dyn FnMut(&dyn Mechanism, &mut PathState<'_>, Option<&mut Year>);

/// The executor behind [`run_observed`].
fn execute(
    spec: &Spec,
    values: &[f64],
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    out: &mut Path,
    played: &mut dyn FnMut(usize, bool, &UltimatumInputs),
    mut hook: Option<Hook<'_>>,
) {
    let v = Values::read(&spec.coefs, values);
    let ix = spec.idx;
    let mut s = std::mem::take(&mut scratch.state);
    s.clear();
    s.extend_from_slice(&spec.initial);
    s.extend_from_slice(&spec.hidden);

    // The draw's structural choices.
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

    let (west0, china0, stab0) = (
        s[ix.west_alignment].max(1e-9),
        s[ix.china_alignment].max(1e-9),
        s[ix.stability],
    );
    let mut p = PathState {
        spec,
        v,
        s,
        weighting,
        model,
        method,
        rng,
        out,
        scratch,
        played,
        west0,
        china0,
        stab0,
        econ: Econ::default(),
        base_pct: 0.0,
        lambda: 0.0,
        levers: Levers {
            keep: 1.0,
            open: 1.0,
            cut: 0.0,
            restrict: 0.0,
        },
        deal: false,
        stage: Stage::Economic,
        game: deal::blank_game(),
        client_terms_ideal: f64::NAN,
        client_military_ideal: f64::NAN,
        p_losing: 0.0,
    };
    for m in MECHANISMS {
        match hook.as_mut() {
            Some(h) => h(m, &mut p, None),
            None => m.start(&mut p),
        }
    }

    let n_years = spec.n_years();
    let n_issues = spec.issues.len();
    for (y, &ey) in spec.years.iter().enumerate() {
        let intervened = p.intervened();
        let out = &mut *p.out;
        out.terminal[y] = NO_DECISION;
        out.military_terminal[y] = NO_DECISION;
        out.implementation[y] = implementation::NONE;
        out.events[y] = 0;
        out.demand[y] = f64::NAN;
        out.military_demand[y] = f64::NAN;
        if intervened {
            // Absorbing: the state stays; forecasts repeat.
            if y > 0 {
                let (a, b) = out.forecast.split_at_mut(y * n_issues);
                b[..n_issues].copy_from_slice(&a[(y - 1) * n_issues..]);
            } else {
                out.forecast[..n_issues].fill(f64::NAN);
            }
            out.subsidy_usd_bn[y] = 0.0;
            out.oil_price[y] = f64::NAN;
            finish_year(spec, &p.s, y, &p.scratch.shifts, p.out);
            continue;
        }
        let mut yr = Year {
            y,
            ey,
            remaining: n_years - y,
            gdp: f64::NAN,
            subsidy_pct: f64::NAN,
            at_stake_eq: 0.0,
            sweet_eq: 0.0,
            recapture_ratio: 1.0,
            resolve: 1.0,
            military_forecast: f64::NAN,
            restraint: 0.0,
            pressing: false,
            tension_moved: false,
        };
        for m in MECHANISMS {
            match hook.as_mut() {
                Some(h) => h(m, &mut p, Some(&mut yr)),
                None => m.step(&mut p, &mut yr),
            }
        }
        // What is in force never exceeds what is signed.
        let s = &mut p.s;
        s[ix.econ_signed] = s[ix.econ_signed].max(s[ix.econ_integration]);
        if !spec.enabled.implementation {
            s[ix.econ_signed] = s[ix.econ_integration];
        }
        for (x, b) in s.iter_mut().zip(&spec.bounds) {
            *x = x.clamp(b.0, b.1);
        }
        finish_year(spec, &p.s, y, &p.scratch.shifts, p.out);
    }
    p.scratch.state = p.s;
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

/// The annual equivalent of a stream: `(1 − δ) Σ_k δ^k f(k)` over the remaining years, the last
/// year's value held for ever after (δ = 1/(1 + r)).
pub(crate) fn annual_equivalent(r: f64, n: usize, f: impl Fn(usize) -> f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::INPUTS;
    use crate::timeline::STATE_VARS;

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

    /// Every input is read by some mechanism (or by the executor: the structural choices and
    /// the boundary band); mechanisms read only declared inputs and write only declared state
    /// variables; every state variable is written by one.
    #[test]
    fn declarations_cover_the_inputs_and_the_state() {
        let executor = [
            "actor_weighting",
            "terms_model",
            "gas_reference_method",
            "boundary_band",
        ];
        for input in INPUTS {
            let read = MECHANISMS.iter().any(|m| m.reads().contains(&input.key));
            assert!(
                read || executor.contains(&input.key),
                "no mechanism reads {}",
                input.key
            );
            assert!(
                !(read && executor.contains(&input.key)),
                "{} is the executor's",
                input.key
            );
        }
        for m in MECHANISMS {
            for key in m.reads() {
                assert!(
                    INPUTS.iter().any(|i| i.key == *key),
                    "{} reads an undeclared input {key}",
                    m.id().name()
                );
            }
            for var in m.writes() {
                assert!(
                    STATE_VARS.iter().any(|(v, _)| v == var),
                    "{} writes an unknown state variable {var}",
                    m.id().name()
                );
            }
            assert!(!m.passage().is_empty());
        }
        for (var, _) in STATE_VARS {
            assert!(
                MECHANISMS.iter().any(|m| m.writes().contains(var)),
                "no mechanism writes {var}"
            );
        }
    }

    /// A mechanism reads only the inputs it declares: each transition of many default-case
    /// paths runs twice from the same state and stream, once with the draw's inputs and once
    /// with every input it does not declare replaced by NaN, and must end the same.
    #[test]
    fn mechanisms_read_only_what_they_declare() {
        use crate::timeline::{COEF_KEYS, ParamRef};
        let case = crate::links::default_case().unwrap().case;
        let spec = crate::wiring::spec(&case).unwrap();
        let sampler = crate::wiring::sampler(&case).unwrap();
        let (mut uniforms, mut values) = (
            Vec::new(),
            vec![0.0; crate::ensemble::DrawSampler::len(&sampler)],
        );
        let mut scratch = Scratch::default();
        let mut out = Path::new(&spec);
        let mut transitions = 0;
        for draw in 0..300 {
            let mut rng = crate::stream::draw_rng(11, draw);
            assert!(crate::ensemble::DrawSampler::sample(
                &sampler,
                &mut rng,
                &mut uniforms,
                &mut values
            ));
            let mut hook = |m: &dyn Mechanism, p: &mut PathState<'_>, yr: Option<&mut Year>| {
                let refs: Vec<ParamRef> = COEF_KEYS
                    .iter()
                    .zip(&p.spec.coefs)
                    .map(|(k, r)| {
                        if m.reads().contains(k) {
                            *r
                        } else {
                            ParamRef::Fixed(f64::NAN)
                        }
                    })
                    .collect();
                let masked = Values::read(&refs, &values);
                let full = p.v;
                let before = (
                    p.s.clone(),
                    p.rng.clone(),
                    p.out.clone(),
                    p.scratch.clone(),
                    (
                        p.econ, p.base_pct, p.lambda, p.levers, p.deal, p.stage, p.game,
                    ),
                    (p.client_terms_ideal, p.client_military_ideal, p.p_losing),
                );
                let mut yr = yr;
                let yr0 = yr.as_deref().copied();
                let run = |p: &mut PathState<'_>, yr: &mut Option<&mut Year>| {
                    match yr.as_deref_mut() {
                        Some(y) => m.step(p, y),
                        None => m.start(p),
                    }
                    format!(
                        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                        p.s,
                        p.rng,
                        p.out,
                        p.scratch.positions,
                        p.econ,
                        p.base_pct,
                        p.lambda,
                        (p.levers, p.deal, p.stage),
                        p.game,
                        p.client_terms_ideal,
                        p.client_military_ideal,
                        p.p_losing,
                        yr.as_deref(),
                        p.scratch.projection,
                    )
                };
                let a = run(p, &mut yr);
                // Back to the state before, with the undeclared inputs masked.
                p.s = before.0;
                *p.rng = before.1;
                *p.out = before.2;
                *p.scratch = before.3;
                (
                    p.econ, p.base_pct, p.lambda, p.levers, p.deal, p.stage, p.game,
                ) = before.4;
                (p.client_terms_ideal, p.client_military_ideal, p.p_losing) = before.5;
                if let (Some(y), Some(y0)) = (yr.as_deref_mut(), yr0) {
                    *y = y0;
                }
                p.v = masked;
                let b = run(p, &mut yr);
                p.v = full;
                assert_eq!(a, b, "{} reads an input it does not declare", m.id().name());
                transitions += 1;
            };
            execute(
                &spec,
                &values,
                &mut rng,
                &mut scratch,
                &mut out,
                &mut |_, _, _| {},
                Some(&mut hook),
            );
        }
        assert!(transitions > 300 * 6 * 3, "{transitions}");
    }

    /// Every mechanism has its section in `docs/simulation.md`.
    #[test]
    fn every_mechanism_is_documented() {
        let doc = include_str!("../../../../docs/simulation.md");
        for m in MECHANISMS {
            let name = m.id().name();
            assert!(
                doc.to_lowercase().contains(&name.to_lowercase()),
                "docs/simulation.md does not mention the mechanism {name}"
            );
        }
    }
}
