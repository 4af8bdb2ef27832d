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
