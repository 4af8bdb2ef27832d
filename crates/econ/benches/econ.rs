//! Criterion benchmarks of the economics engine's inner loop: a full ledger of the default case
//! (15 years × 5 components) and one tax-maneuver path (2019–2024). Both run inside every Monte
//! Carlo draw; the target is under 5 µs each.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use leverage_econ::{
    LedgerOptions, ManeuverOptions, ledger, ledger_inputs, maneuver_inputs, simulate,
};

fn benches(c: &mut Criterion) {
    let case = leverage_case::default_case().expect("default case").case;
    let inputs = ledger_inputs(&case, &LedgerOptions::default()).expect("inputs");
    c.bench_function("ledger_15y_x_5_components", |b| {
        b.iter(|| ledger(black_box(&inputs), 2005, 2019))
    });
    let setup = maneuver_inputs(
        &case,
        &ManeuverOptions {
            oil_price: Some(70.0),
            volume_mt: Some(24.0),
            ..ManeuverOptions::default()
        },
    )
    .expect("maneuver");
    c.bench_function("maneuver_path_2019_2024", |b| {
        b.iter(|| simulate(black_box(&setup.inputs)))
    });
    c.bench_function("duty_formula", |b| {
        b.iter(|| leverage_econ::duty::duty(black_box(511.0), black_box(0.3), black_box(0.5)))
    });
}

criterion_group!(econ, benches);
criterion_main!(econ);
