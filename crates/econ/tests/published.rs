//! The economics engine against published figures. Each test names its publication; where an
//! honest computation misses, the test states the gap and why.

use leverage_econ::duty::{base_duty, duty};

/// The 32 monthly crude export duties the Russian Ministry of Finance published between 2005 and
/// 2024 (fixture `tests/fixtures/energy/export_duty_checkpoints.csv`, each row citing its report),
/// recomputed from the monitoring-period Urals price, K and the multiplier.
///
/// Where a row's report quotes the Urals price in USD/bbl with more digits than the rounded
/// USD/t column (e.g. April 2005: "40.47153 $/bbl = 295.44 $/t"), that price × 7.3 is used.
///
/// 31 match to the 0.1 USD/t. January 2015 does not: the published 170.8 implies a monitoring
/// price of 519.6–519.9 USD/t (about 71.2 USD/bbl) where the reported table gives 518.3; no K or multiplier
/// of the period reproduces 170.8 from 518.3 (0.42 gives 170.2, 0.59 gives 227.3), so the
/// difference lies in the reported price, not in the formula.
#[test]
fn thirty_one_of_thirty_two_published_duties_exactly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/energy/export_duty_checkpoints.csv"
    );
    let mut rdr = csv::Reader::from_path(path).expect("fixture");
    let (mut exact, mut rows, mut misses) = (0, 0, Vec::new());
    for rec in rdr.records() {
        let r = rec.unwrap();
        let month = r[0].to_string();
        let p = bbl_price_in(&r[8]).map_or_else(|| r[1].parse::<f64>().unwrap(), |bbl| bbl * 7.3);
        let published: f64 = r[2].parse().unwrap();
        let k: f64 = r[3].parse().unwrap();
        let m: f64 = r[4].parse().unwrap();
        rows += 1;
        let ours = duty(p, k, m);
        if (ours - published).abs() < 1e-9 {
            exact += 1;
        } else {
            misses.push((month, p, published, ours, k, m));
        }
    }
    assert_eq!(rows, 32);
    assert_eq!(exact, 31, "misses: {misses:?}");
    let (month, p, published, ours, k, _) = &misses[0];
    assert_eq!(month, "2015-01");
    assert_eq!(*ours, 170.2);
    // The price that would give the published duty under K = 0.42:
    let implied = 182.5 + (published - 29.2) / k;
    assert!(
        (implied - 519.7).abs() < 0.1 && (implied - p).abs() > 1.0,
        "implied {implied}"
    );
    assert!((duty(519.7, 0.42, 1.0) - published).abs() < 1e-9);
    assert!(base_duty(*p, 0.59) > 200.0);
}

/// A price quoted as "<number> $/bbl" in a report's text, if any.
fn bbl_price_in(text: &str) -> Option<f64> {
    let at = text.find(" $/bbl")?;
    let start = text[..at]
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    text[start..at].parse().ok()
}

mod on_the_default_case {
    use leverage_econ::ledger::Component;
    use leverage_econ::{
        LedgerOptions, ManeuverOptions, ledger, ledger_inputs, maneuver_inputs, simulate,
    };

    fn case() -> leverage_case::Case {
        leverage_case::default_case().expect("default case").case
    }

    fn ledger_of(c: &leverage_case::Case) -> leverage_econ::Ledger {
        let inp = ledger_inputs(c, &LedgerOptions::default()).unwrap();
        ledger(&inp, 2005, 2019)
    }

    /// Belarusian Yearbook (Avtushko-Sikorski; Belstat/IMF): gas gap at the German-border price,
    /// 2017/2018/2019 ≈ USD 1.29 / 2.89 / 0.59 bn. The Yearbook's own 2018 rows (269.42 − 129)
    /// × 20.3 bcm give 2.85: its printed 2.89 rests on a volume or price we do not have.
    #[test]
    fn gas_gap_german_border() {
        let l = ledger_of(&case());
        let g = |y: i32| {
            l.rows
                .iter()
                .find(|r| r.year == y)
                .unwrap()
                .cell(Component::Gas)
                .usd_bn
                .unwrap()
        };
        assert!((g(2017) - 1.29).abs() < 0.01, "{}", g(2017));
        assert!((g(2018) - 2.89).abs() < 0.05, "{}", g(2018));
        assert!((g(2019) - 0.59).abs() < 0.01, "{}", g(2019));
    }

    /// Eliseev (reform.by via iarex.ru, 2019): 2018 crude subsidy 18 Mt × USD 128/t ≈ 2.2–2.3 bn,
    /// and about 0.85 bn of re-clearance. The re-clearance computed as 6 Mt × 128 is 0.77 bn: the
    /// published 0.85 includes a price top-up the duty alone does not.
    #[test]
    fn crude_and_reclearance_2018() {
        let l = ledger_of(&case());
        let r = l.rows.iter().find(|r| r.year == 2018).unwrap();
        assert!((r.cell(Component::Crude).usd_bn.unwrap() - 2.304).abs() < 1e-9);
        let rc = r.cell(Component::Reclearance).usd_bn.unwrap();
        assert!((rc - 0.768).abs() < 1e-9 && (0.85 - rc) / 0.85 < 0.1);
    }

    /// The total needs gas and crude; every other year is a documented gap, never a partial sum.
    #[test]
    fn totals_only_where_gas_and_crude_exist() {
        let l = ledger_of(&case());
        for r in &l.rows {
            let core = r.cell(Component::Gas).usd_bn.is_some()
                && r.cell(Component::Crude).usd_bn.is_some();
            assert_eq!(r.total_usd_bn.is_some(), core, "{}", r.year);
            for c in Component::ALL {
                let cell = r.cell(c);
                if cell.is_absent() {
                    // A pillar the default case has no data for (other discounts, transfers).
                    assert!(matches!(c, Component::Discounts | Component::Transfers));
                    continue;
                }
                assert_eq!(
                    cell.usd_bn.is_none(),
                    cell.missing.is_some(),
                    "{} {:?}",
                    r.year,
                    c
                );
            }
        }
        let with_total: Vec<i32> = l
            .rows
            .iter()
            .filter(|r| r.total_usd_bn.is_some())
            .map(|r| r.year)
            .collect();
        assert_eq!(with_total, vec![2013, 2014, 2017, 2018, 2019]);
        // The subsidy falls: the trend of the total as % of GDP is negative (the paper's Figure 1).
        assert!(l.trend_pct_gdp.unwrap().slope < 0.0);
    }

    /// Belarus MinFin ($11 bn), Lukashenko ($10.5 bn), officials ($8–12 bn) at $70 on 24 Mt.
    #[test]
    fn maneuver_at_70_from_the_case() {
        let c = case();
        let opts = ManeuverOptions {
            oil_price: Some(70.0),
            volume_mt: Some(24.0),
            ..ManeuverOptions::default()
        };
        let setup = maneuver_inputs(&c, &opts).unwrap();
        assert_eq!(setup.inputs.years, (2019..=2024).collect::<Vec<_>>());
        let p = simulate(&setup.inputs).unwrap();
        assert!(
            (p.cumulative_usd_bn - 10.728).abs() < 1e-6,
            "{}",
            p.cumulative_usd_bn
        );
        // Shares of GDP use observed GDP for 2019 and the case's growth assumption after.
        assert!(p.years.iter().all(|y| y.loss_pct_gdp.is_some()));
    }
}
