//! The military track: the patron's basing and command demands (the military issues' mean
//! forecast) at the track's own decision points (dated events tagged `military` and
//! `decision`), and at every pressing decision point once the economic terms are signed (the
//! political-military stage); the crisis game decides each, and the patron's pressure can
//! succeed. At the end of the tracks, tension decays unless one of them moved it.

use super::deal::{Track, answer_step, confront, play, support};
use super::{Mechanism, PathState, Stage, Year};
use crate::inputs::MechanismId;
use crate::timeline::Group;
use leverage_games::ultimatum_fast::{self, Kind};

/// The military-track mechanism.
pub struct Military;

impl Mechanism for Military {
    fn id(&self) -> MechanismId {
        MechanismId::Military
    }
    fn writes(&self) -> &'static [&'static str] {
        &[
            "military_integration",
            "tension",
            "west_alignment",
            "china_alignment",
            "stability",
            "intervened",
        ]
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            "value_military_patron",
            "sovereignty_cost_military",
            "arms_offer_value",
            "tension_decay",
            "tension_stall",
            "tension_refusal",
            "tension_resistance",
            "pressure_stability_hit",
            "west_shift_support",
            "china_shift_support",
        ]
    }
    fn passage(&self) -> &'static str {
        "§8: bases, command of the Regional Group of Forces, a capability gap closed by bases"
    }

    fn start(&self, p: &mut PathState<'_>) {
        // The client's own mean position on the military issues (the path's, after the coding
        // error).
        let spec = p.spec;
        let (mut sum, mut n) = (0.0, 0);
        if let Some(c) = spec.client_actor {
            for (k, iss) in spec.issues.iter().enumerate() {
                if iss.group == Group::Military
                    && let Some(j) = iss.actors.iter().position(|&a| a == c)
                {
                    sum += p.scratch.positions[k][j];
                    n += 1;
                }
            }
        }
        p.client_military_ideal = if n > 0 {
            sum / n as f64
        } else {
            p.s[spec.idx.military_integration]
        };
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let spec = p.spec;
        let ix = spec.idx;
        let v = p.v;
        let y = yr.y;
        let s = &mut p.s;
        let military_forecast = yr.military_forecast;
        // The patron escalates in stages: the military demand comes at the track's own decision
        // points, and at every pressing decision point once the economic terms are signed.
        if spec.enabled.military
            && v.value_military_patron * yr.resolve > 0.0
            && s[ix.intervened] < 0.5
            && (yr.ey.military_decision || (p.stage == Stage::Political && yr.pressing))
            && military_forecast.is_finite()
            && military_forecast > s[ix.military_integration] + 0.5
        {
            p.out.military_demand[y] = military_forecast;
            let track = Track {
                terms: military_forecast,
                status_quo: s[ix.military_integration],
                ideal: p.client_military_ideal,
                value: v.value_military_patron,
                sovereignty: v.sovereignty_cost_military,
                side_payment: v.arms_offer_value,
            };
            let (t, inputs) = play(&p.game, &track, p.lambda, p.rng);
            (p.played)(y, true, &inputs);
            p.out.military_terminal[y] = t as u8;
            let (kind, answer) = ultimatum_fast::terminal_kind(t);
            // No demand and an acceptance leave tension to the year's decay.
            yr.tension_moved |= !matches!(kind, Kind::NoDemand | Kind::Accept);
            let step = answer_step(&v, answer);
            support(&v, answer, &p.game, s, ix, p.rng, &mut p.out.events[y]);
            match kind {
                Kind::NoDemand => {}
                Kind::Accept | Kind::CapitulateEconomic | Kind::CapitulatePressure => {
                    s[ix.military_integration] = s[ix.military_integration].max(military_forecast);
                    s[ix.tension] += if kind == Kind::Accept { 0.0 } else { step };
                }
                Kind::BackDown => s[ix.tension] += step,
                Kind::ResistEconomic | Kind::ResistPressure | Kind::Intervene => {
                    confront(spec, &v, kind, step, &mut p.levers, s, &mut p.out.events[y]);
                }
            }
        }
        // Both tracks are done: tension decays unless one of them moved it.
        if !yr.tension_moved {
            s[ix.tension] *= v.tension_decay.clamp(0.0, 1.0);
        }
    }
}
