//! The pillars most pairs have besides gas and crude: price discounts on other commodities
//! (electricity, food) and transfers (grants, military aid, basing rents), each checked against
//! arithmetic done by hand.

use leverage_case::{NoFiles, load};
use leverage_econ::{Component, LedgerOptions, ledger, ledger_inputs};

const CASE: &str = r#"
[case]
id = "pillars"
title = "A client with cheap power, a grant, military aid and a base"
as_of = 2020-01-01
horizon = 2022
patron = "p"
client = "c"

[[actor]]
id = "p"
name = "Patron"
kind = "state"
capability = 100
judgement = "test"

[[actor]]
id = "c"
name = "Client"
kind = "state"
capability = 10
judgement = "test"

[[series]]
id = "gdp"
measure = "gdp"
unit = "USD"
of = "c"
judgement = "test"
values = [ { year = 2018, value = 20.0e9 }, { year = 2019, value = 25.0e9 } ]

[[flow]]
id = "power_paid"
component = "electricity"
measure = "price-paid"
unit = "USD per MWh"
judgement = "test"
values = [ { year = 2018, value = 30.0 }, { year = 2019, value = 35.0 } ]

[[flow]]
id = "power_ref"
component = "electricity"
measure = "reference-price"
unit = "USD per MWh"
judgement = "test"
values = [ { year = 2018, value = 60.0 }, { year = 2019, value = 55.0 } ]

[[flow]]
id = "power_volume"
component = "electricity"
measure = "volume"
unit = "TWh"
judgement = "test"
values = [ { year = 2018, value = 4.0 }, { year = 2019, value = 5.0 } ]

[[flow]]
id = "grant"
component = "grant"
measure = "amount"
unit = "USD mn"
judgement = "test"
values = [ { year = 2018, value = 250.0 }, { year = 2019, value = 300.0 } ]

[[flow]]
id = "fmf"
component = "military-aid"
measure = "amount"
unit = "USD bn"
judgement = "test"
values = [ { year = 2018, value = 1.3 }, { year = 2019, value = 1.3 } ]

[[flow]]
id = "rent"
component = "basing-rent"
measure = "amount"
unit = "USD mn"
judgement = "test"
values = [ { year = 2019, value = 17.4 } ]
"#;

#[test]
fn discounts_and_transfers_by_hand() {
    let case = load("pillars.toml", CASE, &NoFiles).expect("valid").case;
    let inp = ledger_inputs(&case, &LedgerOptions::default()).expect("inputs");
    let l = ledger(&inp, 2018, 2019);
    // Electricity: (60 − 30) USD/MWh × 4 TWh = 30 × 4e6 MWh = USD 0.12 bn; 2019: 20 × 5e6 = 0.1.
    let d: Vec<f64> = l
        .rows
        .iter()
        .map(|r| r.cell(Component::Discounts).usd_bn.unwrap())
        .collect();
    assert!(
        (d[0] - 0.12).abs() < 1e-12 && (d[1] - 0.10).abs() < 1e-12,
        "{d:?}"
    );
    // Transfers: 2019 = 0.3 + 1.3 + 0.0174; 2018 has no rent figure, so it is a gap, not a
    // partial sum.
    assert_eq!(l.rows[0].cell(Component::Transfers).usd_bn, None);
    let t = l.rows[1].cell(Component::Transfers).usd_bn.unwrap();
    assert!((t - 1.6174).abs() < 1e-12, "{t}");
    // No gas or crude: the total is what the case has, as % of its GDP.
    let total = l.rows[1].total_usd_bn.unwrap();
    assert!((total - (0.10 + 1.6174)).abs() < 1e-12);
    assert!((l.rows[1].total_pct_gdp.unwrap() - 100.0 * total / 25.0).abs() < 1e-9);
    // Pillars the case does not have are absent, not gaps.
    assert!(l.rows[1].cell(Component::Crude).missing.is_some());
    assert!(!l.rows[1].partial.contains(&Component::Transfers));
}

#[test]
fn a_volume_in_another_unit_is_refused() {
    let bad = CASE.replace("unit = \"TWh\"", "unit = \"bcm\"");
    let case = load("pillars.toml", &bad, &NoFiles).expect("valid").case;
    let e = ledger_inputs(&case, &LedgerOptions::default()).unwrap_err();
    assert!(e.to_string().contains("power_volume"), "{e}");
}
