//! Property tests: arbitrary parameter JSON and arbitrary draw values read back exactly.
//!
//! Draw values are compared bit for bit (NaN with any payload, ±∞, −0.0 included). JSON cannot
//! hold NaN or ∞, so the generated parameter objects have finite floats only (serde_json would
//! already have turned a non-finite float into `null` before the store sees it).

use leverage_store::{DrawSummary, RunMeta, RunRef, Store};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(".{0,8}", json_value(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn any_f64_bits() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        Just(f64::NAN),
        Just(-f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        any::<f64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn parameters_aggregates_and_draws_round_trip(
        parameters in json_object(),
        aggregates in json_value(),
        n_values in 0usize..5,
        rows in prop::collection::vec((0u32..4, prop::collection::vec(any_f64_bits(), 5)), 0..40),
        seed in any::<u64>(),
        title in ".{0,20}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.sqlite")).unwrap();
        let meta = RunMeta {
            case_id: "c".into(),
            case_hash: "h".into(),
            case_title: title.clone(),
            parameters: parameters.clone(),
            seed,
            n_draws: rows.len() as u64,
            threads: 1,
            version: "v".into(),
            command_line: vec![title.clone()],
            started_unix_ms: 0,
            scenarios: (0..4).map(|i| format!("s{i}")).collect(),
            value_names: (0..n_values).map(|i| format!("v{i}")).collect(),
            keep_draws: true,
        };
        let draws: Vec<DrawSummary> = rows
            .iter()
            .enumerate()
            .map(|(i, (s, v))| DrawSummary { draw: i as u64, scenario: *s, values: v[..n_values].to_vec(), path: vec![*s as u8; i % 4] })
            .collect();
        let id = store.save_run(&meta, &draws, &aggregates, &Value::Null).unwrap();
        let run = store.show(RunRef::Id(id)).unwrap();
        prop_assert_eq!(&run.meta.parameters, &parameters);
        prop_assert_eq!(&run.aggregates, &aggregates);
        prop_assert_eq!(run.meta.seed, seed);
        prop_assert_eq!(&run.meta.case_title, &title);
        let back = store.draws(RunRef::Latest).unwrap();
        prop_assert_eq!(back.len(), draws.len());
        for (a, b) in back.iter().zip(&draws) {
            prop_assert_eq!((a.draw, a.scenario), (b.draw, b.scenario));
            let ab: Vec<u64> = a.values.iter().map(|x| x.to_bits()).collect();
            let bb: Vec<u64> = b.values.iter().map(|x| x.to_bits()).collect();
            prop_assert_eq!(ab, bb);
        }
        // A run never differs from itself.
        prop_assert!(store.diff(id.into(), id.into()).unwrap().is_empty());
    }
}
