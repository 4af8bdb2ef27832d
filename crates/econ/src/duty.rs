//! The Russian crude-oil export duty, as the law computes it.
//!
//! Law of the Russian Federation "On Customs Tariff", art. 3.1, with the coefficients of
//! government decree 276 (29 March 2013) and the tax-maneuver law 305-FZ (3 August 2018):
//! on the average Urals price `P` of the monitoring period, in USD per tonne (USD per barrel
//! × 7.3, the conversion the Russian Ministry of Finance uses),
//!
//! | price bracket (USD/t) | duty before the multiplier |
//! |---|---|
//! | P ≤ 109.5 | 0 |
//! | 109.5 < P ≤ 146 | 0.35 (P − 109.5) |
//! | 146 < P ≤ 182.5 | 12.78 + 0.45 (P − 146) |
//! | P > 182.5 | 29.2 + K (P − 182.5) |
//!
//! K is 0.65 until September 2011, 0.60 from October 2011, 0.59 in 2014, 0.42 in 2015–2016 and
//! 0.30 from 2017; from 2019 the duty is multiplied by the tax maneuver's phase-out multiplier
//! (0.833, 0.667, 0.5, 0.333, 0.167, then 0 from 2024). The result is truncated to 0.1 USD/t.
//! K and the multiplier are inputs here: the case's schedules supply them. So are the
//! formula's top-bracket constants — the threshold (182.5 USD/t), the duty at it (29.2 USD/t)
//! and the barrels in a tonne (7.3) — as a [`DutyLaw`] read from the case's `[econ]` links
//! (`duty_threshold`, `duty_base`, `barrels_per_tonne`): the ledger and the maneuver compute
//! with the case's values, with no default. The lower brackets (0.35 and 0.45 of the price
//! above 109.5 and 146 USD/t) are fixed here. The free functions [`usd_per_tonne`],
//! [`base_duty`] and [`duty`] use the statute's constants ([`DutyLaw::STATUTE`]) where no
//! case is at hand: the check against MinFin's published monthly duties. The scenario engine
//! projects the duty with the case's [`DutyLaw`].

/// USD per tonne for one USD per barrel (the Russian Ministry of Finance's conversion).
pub const TONNE_PER_BARREL_FACTOR: f64 = 7.3;

/// Upper edge of the zero bracket, USD/t.
pub const P0: f64 = 109.5;
/// Upper edge of the 35 % bracket, USD/t.
pub const P1: f64 = 146.0;
/// Upper edge of the 45 % bracket, USD/t.
pub const P2: f64 = 182.5;

/// The top bracket of the duty formula and the barrel conversion, as a case states them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DutyLaw {
    /// Price above which the marginal coefficient K applies, USD/t (the law: 182.5).
    pub threshold_usd_t: f64,
    /// The duty at that price, USD/t (the law: 29.2 = 12.78 + 0.45 × 36.5).
    pub base_usd_t: f64,
    /// Barrels per tonne, to convert USD/bbl to USD/t (MinFin: 7.3).
    pub barrels_per_tonne: f64,
}

impl DutyLaw {
    /// The statute's constants (Law "On Customs Tariff", art. 3.1; MinFin's 7.3 barrels a
    /// tonne), for the free functions of this module. Engines that compute from a case take
    /// the case's [`DutyLaw`] instead.
    pub const STATUTE: DutyLaw = DutyLaw {
        threshold_usd_t: P2,
        base_usd_t: 29.2,
        barrels_per_tonne: TONNE_PER_BARREL_FACTOR,
    };

    /// USD per barrel to USD per tonne.
    pub fn usd_per_tonne(&self, usd_per_bbl: f64) -> f64 {
        usd_per_bbl * self.barrels_per_tonne
    }

    /// The duty before the tax-maneuver multiplier and before truncation, USD/t.
    pub fn base_duty(&self, price_usd_t: f64, k: f64) -> f64 {
        if price_usd_t <= P0 {
            0.0
        } else if price_usd_t <= P1 {
            0.35 * (price_usd_t - P0)
        } else if price_usd_t <= self.threshold_usd_t {
            12.78 + 0.45 * (price_usd_t - P1)
        } else {
            self.base_usd_t + k * (price_usd_t - self.threshold_usd_t)
        }
    }

    /// The duty in force, USD/t: base duty × multiplier, truncated to 0.1.
    pub fn duty(&self, price_usd_t: f64, k: f64, multiplier: f64) -> f64 {
        truncate_tenth(multiplier * self.base_duty(price_usd_t, k))
    }
}

/// USD per barrel to USD per tonne, with the statute's 7.3.
pub fn usd_per_tonne(usd_per_bbl: f64) -> f64 {
    DutyLaw::STATUTE.usd_per_tonne(usd_per_bbl)
}

/// The duty before the tax-maneuver multiplier and before truncation, USD/t, with the
/// statute's constants.
pub fn base_duty(price_usd_t: f64, k: f64) -> f64 {
    DutyLaw::STATUTE.base_duty(price_usd_t, k)
}

/// Truncate (round down) a non-negative amount to 0.1, as the law does. A tolerance of 1e-9
/// keeps decimal values such as 137.5 (computed as 137.49999…) from dropping a tenth.
pub fn truncate_tenth(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    ((x * 10.0) + 1e-9).floor() / 10.0
}

/// The duty in force, USD/t, with the statute's constants: base duty × multiplier, truncated
/// to 0.1.
pub fn duty(price_usd_t: f64, k: f64, multiplier: f64) -> f64 {
    DutyLaw::STATUTE.duty(price_usd_t, k, multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_are_continuous_up_to_the_laws_rounding() {
        // The law writes 12.78 for 0.35 × 36.5 = 12.775: a half-cent step at 146 USD/t.
        for edge in [P0, P1, P2] {
            let below = base_duty(edge - 1e-9, 0.3);
            let above = base_duty(edge + 1e-9, 0.3);
            assert!((below - above).abs() <= 0.005 + 1e-6, "jump at {edge}");
        }
        assert_eq!(base_duty(100.0, 0.3), 0.0);
    }

    #[test]
    fn truncation_keeps_exact_tenths() {
        // 29.2 + 0.3 × (543.5 − 182.5) = 137.5 exactly (October 2018, published 137.5).
        assert_eq!(duty(543.5, 0.3, 1.0), 137.5);
        assert_eq!(truncate_tenth(88.323), 88.3);
        assert_eq!(truncate_tenth(-1.0), 0.0);
    }

    /// IPM Research Center (Chubrik, via belarusfeed.com): at USD 60/bbl, oil in 2024 is dearer
    /// for Belarus by USD 105.5 per tonne — the whole duty it no longer escapes.
    #[test]
    fn ipm_2024_oil_dearer_at_60() {
        let d = duty(usd_per_tonne(60.0), 0.3, 1.0);
        assert_eq!(d, 105.8);
        assert!((d - 105.5).abs() < 0.5, "IPM 105.5 vs {d}");
    }
}
