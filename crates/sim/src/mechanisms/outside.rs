//! Outside options: the client hedges with the rival bloc (the West role) under tension, calm
//! pulls it back, and it diversifies towards each partner in proportion to that partner's
//! readiness to help; the rival bloc's policy turns towards or away from the client by chance;
//! the partner who does not confront the patron (the China role) helps without raising the
//! patron's fear; a patron losing the client to the rival bloc may intervene.

use super::{Mechanism, PathState, Year};
use crate::inputs::MechanismId;
use crate::timeline::event;
use rand::RngExt;

/// The outside-options mechanism.
pub struct Outside;

impl Mechanism for Outside {
    fn id(&self) -> MechanismId {
        MechanismId::Outside
    }
    fn writes(&self) -> &'static [&'static str] {
        &["west_alignment", "china_alignment", "intervened"]
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            "west_drift",
            "china_drift",
            "diversification_rate",
            "west_policy_shock_p",
            "west_policy_shock_size",
            "losing_threshold",
            "intervention_from_year",
            "p_intervention_if_losing",
        ]
    }
    fn passage(&self) -> &'static str {
        "§8: the West and China raise the client's resistance and the patron's fear of loss; \
         China helps without confronting the patron; the rebalancing keeps formally good ties \
         with the patron"
    }

    fn start(&self, p: &mut PathState<'_>) {
        // The probability of intervening when losing the client is per horizon; per year over
        // the years it can happen in.
        let v = &p.v;
        let eligible = p
            .spec
            .years
            .iter()
            .filter(|y| y.year as f64 >= v.intervention_from_year)
            .count()
            .max(1) as f64;
        p.p_losing = if p.spec.enabled.west {
            1.0 - (1.0 - v.p_intervention_if_losing.clamp(0.0, 1.0)).powf(1.0 / eligible)
        } else {
            0.0
        };
    }

    fn step(&self, p: &mut PathState<'_>, yr: &mut Year) {
        let spec = p.spec;
        let ix = spec.idx;
        let on = spec.enabled;
        let v = &p.v;
        let s = &mut p.s;
        let events = &mut p.out.events[yr.y];
        // The client hedges under tension (calm pulls it back), and diversifies towards a
        // partner in proportion to the partner's readiness to help (its support probability
        // this year).
        let (t_lo, t_hi) = spec.bounds[ix.tension];
        let pull = (s[ix.tension].clamp(t_lo, t_hi) - 50.0) / 50.0;
        let free = s[ix.intervened] < 0.5;
        if on.china && free {
            s[ix.china_alignment] +=
                v.china_drift * pull + v.diversification_rate * p.game.p_china_support;
        }
        if on.west && free && p.rng.random::<f64>() < v.west_policy_shock_p.clamp(0.0, 1.0) {
            if p.rng.random::<bool>() {
                s[ix.west_alignment] += v.west_policy_shock_size;
                *events |= event::WEST_OPENS;
            } else {
                s[ix.west_alignment] -= v.west_policy_shock_size;
                *events |= event::WEST_CLOSES;
            }
        }
        if on.west && free {
            s[ix.west_alignment] +=
                v.west_drift * pull + v.diversification_rate * p.game.p_western_support;
        }
        if on.west
            && s[ix.intervened] < 0.5
            && (yr.ey.year as f64) >= v.intervention_from_year
            && s[ix.west_alignment] >= v.losing_threshold
            && p.rng.random::<f64>() < p.p_losing
        {
            s[ix.intervened] = 1.0;
            *events |= event::INTERVENTION;
        }
    }
}
