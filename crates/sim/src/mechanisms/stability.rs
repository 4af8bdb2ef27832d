//! Domestic stability: the client regime's stability recovers towards its initial level, grows
//! with real growth and falls with the subsidy lost since the base year and at elections; below
//! the crisis threshold a regime crisis can break out, and a crisis can end in regime change; a
//! transfer of power (succession) comes with its yearly probability.

use super::{Mechanism, PathState, Year};
use crate::inputs::MechanismId;
use crate::timeline::event;
use rand::RngExt;

/// The domestic-stability mechanism.
pub struct Stability;

impl Mechanism for Stability {
    fn id(&self) -> MechanismId {
        MechanismId::Stability
    }
    fn writes(&self) -> &'static [&'static str] {
        &["stability", "west_alignment", "tension", "intervened"]
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            "real_growth",
            "stability_recovery",
            "stability_per_subsidy_pp",
            "stability_per_growth_pp",
            "election_shock",
            "crisis_threshold",
            "p_crisis",
            "p_succession",
            "p_regime_change_in_crisis",
            "succession_west_shift",
            "tension_decay",
            "tension_refusal",
        ]
    }
    fn passage(&self) -> &'static str {
        "§7, scenario 5: a transfer of power within 5-10 years; §3: the subsidy was the regime's \
         economic cushion"
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let spec = p.spec;
        let ix = spec.idx;
        let on = spec.enabled;
        let v = &p.v;
        let s = &mut p.s;
        let events = &mut p.out.events[yr.y];
        if yr.ey.election {
            *events |= event::ELECTION;
        }
        if !on.stability || s[ix.intervened] >= 0.5 {
            return;
        }
        let lost = (p.base_pct - yr.subsidy_pct).max(0.0);
        s[ix.stability] += v.stability_recovery.clamp(0.0, 1.0) * (p.stab0 - s[ix.stability])
            + v.stability_per_growth_pp * v.real_growth
            - v.stability_per_subsidy_pp * lost;
        if yr.ey.election {
            s[ix.stability] -= v.election_shock;
        }
        let below = s[ix.stability] < v.crisis_threshold;
        let mut crisis = below && p.rng.random::<f64>() < v.p_crisis.clamp(0.0, 1.0);
        if p.rng.random::<f64>() < v.p_succession.clamp(0.0, 1.0) {
            if below {
                crisis = true;
            } else {
                *events |= event::SUCCESSION;
                if on.west {
                    s[ix.west_alignment] += v.succession_west_shift;
                }
                s[ix.tension] *= v.tension_decay.clamp(0.0, 1.0);
            }
        }
        if crisis {
            *events |= event::CRISIS;
            if p.rng.random::<f64>() < v.p_regime_change_in_crisis.clamp(0.0, 1.0) {
                s[ix.intervened] = 1.0;
                *events |= event::REGIME_CHANGE;
            } else {
                // The regime survives and restores order.
                s[ix.stability] = s[ix.stability].max(v.crisis_threshold);
                s[ix.tension] += v.tension_refusal;
            }
        }
    }
}
