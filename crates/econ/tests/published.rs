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
        // MinFin's USD 11 bn is given to the whole billion: it stands for 10.5–11.5.
        assert!(
            (p.cumulative_usd_bn - 11.0).abs() <= 0.5,
            "{}",
            p.cumulative_usd_bn
        );
        // Lukashenko's USD 10.5 bn (to the half billion) and the officials' 8–12 too.
        assert!((p.cumulative_usd_bn - 10.5).abs() <= 0.25);
        assert!((8.0..=12.0).contains(&p.cumulative_usd_bn));
        // Shares of GDP use observed GDP for 2019 and the case's growth assumption after.
        assert!(p.years.iter().all(|y| y.loss_pct_gdp.is_some()));
    }

    /// The duty law's constants come from the case: another conversion or threshold changes the
    /// maneuver, and a case that links only some of them is refused with the missing key named.
    #[test]
    fn duty_law_constants_are_read_from_the_case() {
        let opts = ManeuverOptions {
            oil_price: Some(70.0),
            volume_mt: Some(24.0),
            ..ManeuverOptions::default()
        };
        let loss = |c: &leverage_case::Case| {
            simulate(&maneuver_inputs(c, &opts).unwrap().inputs)
                .unwrap()
                .cumulative_usd_bn
        };
        let c = case();
        let base = loss(&c);
        for (id, value) in [
            ("barrels_per_tonne", 7.0),
            ("duty_threshold_usd_t", 200.0),
            ("duty_base_usd_t", 35.0),
        ] {
            let mut changed = c.clone();
            let p = changed.params.iter_mut().find(|p| p.id == id).unwrap();
            p.dist = leverage_case::Dist::Fixed { value };
            assert_ne!(loss(&changed), base, "{id} changes nothing");
        }
        let mut partial = c.clone();
        partial.econ.retain(|l| l.key != "duty_base");
        let e = maneuver_inputs(&partial, &opts).unwrap_err().to_string();
        assert!(e.contains("duty_base"), "{e}");
        let mut none = c.clone();
        none.econ.retain(|l| {
            !["duty_base", "duty_threshold", "barrels_per_tonne"].contains(&l.key.as_str())
        });
        assert!(maneuver_inputs(&none, &opts).is_err());
        // The ledger computes no duty from the oil price without them (a gap, not a default).
        let inp = ledger_inputs(&none, &LedgerOptions::default()).unwrap();
        assert_eq!(inp.duty_law, None);
    }

    /// What a published figure is expected to show against ours.
    enum Expect {
        /// Ours within the figure's tolerance: inside a published range, or within half a unit
        /// of the last digit a single value is published with (its rounding), the only
        /// tolerance a published number states. The text says why the quantities agree.
        Within(&'static str),
        /// Ours outside that tolerance: the text says by how much and why, where known. The
        /// test fails if the model comes to agree, so that this list stays true.
        Misses(&'static str),
        /// Not computable: the note must name this missing input (what the case lacks).
        Missing(&'static str),
    }

    /// Half a unit of the last digit `v` is written with (11 → 0.5, 0.4 → 0.05, 9.282 → 0.0005).
    fn rounding(v: f64) -> f64 {
        let text = format!("{v}");
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
        0.5 * 10f64.powi(-(decimals as i32))
    }

    /// Every `[[figure]]` of the default case that names a model quantity, as a test with its
    /// tolerance and its reason (23 figures).
    #[test]
    fn every_published_figure_against_ours() {
        use Expect::*;
        let expect: [(&str, Expect); 23] = [
            ("imf_support_total", Missing("gas reference price")),
            ("imf_support_share_gdp", Missing("gas reference price")),
            ("net_support_2015", Missing("2015 lacks the gas volume")),
            ("net_support_2016_on", Missing("2016 lacks the gas volume")),
            ("ipm_energy_subsidy_2010", Missing("gas reference price")),
            ("ipm_energy_subsidy_2016", Missing("gas volume")),
            (
                "ipm_energy_subsidy_2017",
                Misses(
                    "ours 6.3 % of GDP against IPM's 4.5, and ours lacks the oil products (not computable for 2017): gas and crude alone exceed IPM's energy total; cause not established",
                ),
            ),
            ("gas_subsidy_2015", Missing("gas volume")),
            ("gas_subsidy_2016", Missing("gas volume")),
            (
                "reclearance_transfer_paper",
                Missing("2020 is outside the years"),
            ),
            ("tm_losses_vygon", Missing("crude volume for 2025")),
            (
                "tm_losses_officials",
                Within(
                    "the officials' 8–12 bn at USD 70 and 24 Mt: the maneuver's duty path on the same price and volume",
                ),
            ),
            ("us_embassy_subsidy_2005", Missing("gas reference price")),
            ("putin_subsidy_2007", Missing("gas reference price")),
            ("kremlin_underpaid_2011_2015", Missing("duty-free crude")),
            (
                "knobel_preferences_2013",
                Misses(
                    "ours 10.0 bn against Knobel's 6–9 (energy preferences, 2013): cause not established",
                ),
            ),
            (
                "eliseev_oil_subsidy_2018",
                Misses(
                    "ours 2.30 bn against Eliseev's 2.2 (2.15–2.25 as rounded): 5 % above; cause not established",
                ),
            ),
            (
                "osw_subsidy_share_2019",
                Misses(
                    "ours 4.4 % of GDP against OSW's 10, and ours lacks the oil products for 2019 (not computable); the rest of the gap is not established",
                ),
            ),
            (
                "by_minfin_tm_losses",
                Within(
                    "MinFin's 11 bn (to the whole billion) at USD 70 and 24 Mt: the maneuver's duty path on the same price and volume",
                ),
            ),
            (
                "by_minfin_tm_losses_2019",
                Misses(
                    "ours 0.51 bn against MinFin's 0.4 for 2019 at the same price and volume: cause not established",
                ),
            ),
            (
                "belkavets_tm_losses",
                Misses(
                    "ours 8.9 bn against Belkavets' 10 (9.5–10.5 as rounded) on the case's oil-price path: Belkavets' own price path is not given",
                ),
            ),
            (
                "ipm_chubrik_tm_losses",
                Misses(
                    "ours 8.89 bn against IPM's 9.282 at USD 60, 24 Mt and 6 Mt re-cleared: 4 % below; cause not established",
                ),
            ),
            (
                "ipm_chubrik_tm_budget_losses",
                Misses(
                    "ours 4.26 bn against IPM's 3.238 for the budget's loss: cause not established",
                ),
            ),
        ];
        let c = case();
        let (lo, hi) = leverage_econ::inputs::data_years(&c);
        let inp = ledger_inputs(&c, &LedgerOptions::default()).unwrap();
        let l = ledger(&inp, lo, hi);
        let cs = leverage_econ::compare::compare_all(&c, &l);
        assert_eq!(cs.len(), expect.len(), "a figure was added or removed");
        for (cmp, (id, e)) in cs.iter().zip(&expect) {
            assert_eq!(cmp.id, *id);
            let (pl, ph) = cmp.published;
            let tol = if pl == ph { rounding(pl) } else { 0.0 };
            let within = |o: f64| o >= pl - tol - 1e-9 && o <= ph + tol + 1e-9;
            match (e, cmp.ours) {
                (Within(why), Some(o)) => {
                    assert!(
                        within(o),
                        "{id}: ours {o} not within {pl}–{ph} ± {tol} ({why})"
                    )
                }
                (Misses(why), Some(o)) => assert!(
                    !within(o),
                    "{id}: ours {o} now within {pl}–{ph} ± {tol}: move it to Within ({why})"
                ),
                (Missing(input), None) => assert!(
                    cmp.note.contains(input),
                    "{id}: the note should name {input:?}: {}",
                    cmp.note
                ),
                (_, ours) => panic!("{id}: ours {ours:?}, note {:?}", cmp.note),
            }
        }
    }
}
