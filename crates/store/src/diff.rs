//! Comparison of two runs: what differs in their metadata, which parameters were added, removed
//! or changed (the JSON parameter objects compared key by key, recursively), and the difference
//! of every numeric aggregate present in both.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::{Result, RunId, RunRef, Store};

/// A metadata field that differs between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaChange {
    /// The field: `case_id`, `case_hash`, `case_title`, `seed`, `n_draws`, `threads`,
    /// `version`, `scenarios` or `value_names`.
    pub field: String,
    /// Its value in run `a`.
    pub a: Value,
    /// Its value in run `b`.
    pub b: Value,
}

/// How a parameter differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in `b`.
    Added,
    /// Only in `a`.
    Removed,
    /// In both, with different values.
    Changed,
}

/// A parameter that differs between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamChange {
    /// JSON-pointer path of the parameter (`/economics/oil_price`; `""` for the whole value).
    pub path: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The value in `a` (absent if added).
    pub old: Option<Value>,
    /// The value in `b` (absent if removed).
    pub new: Option<Value>,
}

/// The difference of one numeric aggregate present in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateDelta {
    /// JSON-pointer path of the number (`/scenarios/status_quo/2025`).
    pub path: String,
    /// The value in `a`.
    pub a: f64,
    /// The value in `b`.
    pub b: f64,
    /// `b − a`.
    pub delta: f64,
}

/// The differences between run `a` and run `b`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDiff {
    /// The first run.
    pub a: RunId,
    /// The second run.
    pub b: RunId,
    /// Metadata fields that differ.
    pub meta: Vec<MetaChange>,
    /// Parameters added, removed or changed, by path.
    pub parameters: Vec<ParamChange>,
    /// Every numeric aggregate present in both runs with its difference (zero ones included),
    /// by path.
    pub aggregates: Vec<AggregateDelta>,
    /// Paths of numeric aggregates only in `a`.
    pub aggregates_only_in_a: Vec<String>,
    /// Paths of numeric aggregates only in `b`.
    pub aggregates_only_in_b: Vec<String>,
}

impl RunDiff {
    /// True if the runs have the same metadata, parameters and numeric aggregates.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
            && self.parameters.is_empty()
            && self.aggregates.iter().all(|d| d.delta == 0.0)
            && self.aggregates_only_in_a.is_empty()
            && self.aggregates_only_in_b.is_empty()
    }

    /// The aggregates whose values differ.
    pub fn changed_aggregates(&self) -> impl Iterator<Item = &AggregateDelta> {
        self.aggregates.iter().filter(|d| d.a != d.b)
    }
}

impl Store {
    /// Compares two runs.
    pub fn diff(&self, a: RunRef, b: RunRef) -> Result<RunDiff> {
        let ra = self.show(a)?;
        let rb = self.show(b)?;
        let mut meta = Vec::new();
        let mut field = |name: &str, x: Value, y: Value| {
            if x != y {
                meta.push(MetaChange {
                    field: name.to_string(),
                    a: x,
                    b: y,
                });
            }
        };
        let (ma, mb) = (&ra.meta, &rb.meta);
        field(
            "case_id",
            ma.case_id.clone().into(),
            mb.case_id.clone().into(),
        );
        field(
            "case_hash",
            ma.case_hash.clone().into(),
            mb.case_hash.clone().into(),
        );
        field(
            "case_title",
            ma.case_title.clone().into(),
            mb.case_title.clone().into(),
        );
        field("seed", ma.seed.into(), mb.seed.into());
        field("n_draws", ma.n_draws.into(), mb.n_draws.into());
        field("threads", ma.threads.into(), mb.threads.into());
        field(
            "version",
            ma.version.clone().into(),
            mb.version.clone().into(),
        );
        field(
            "scenarios",
            ma.scenarios.clone().into(),
            mb.scenarios.clone().into(),
        );
        field(
            "value_names",
            ma.value_names.clone().into(),
            mb.value_names.clone().into(),
        );

        let mut parameters = Vec::new();
        diff_params(
            String::new(),
            &ma.parameters,
            &mb.parameters,
            &mut parameters,
        );

        let mut na = BTreeMap::new();
        numeric_leaves(String::new(), &ra.aggregates, &mut na);
        let mut nb = BTreeMap::new();
        numeric_leaves(String::new(), &rb.aggregates, &mut nb);
        let mut aggregates = Vec::new();
        let mut aggregates_only_in_a = Vec::new();
        for (path, &x) in &na {
            match nb.get(path) {
                Some(&y) => aggregates.push(AggregateDelta {
                    path: path.clone(),
                    a: x,
                    b: y,
                    delta: y - x,
                }),
                None => aggregates_only_in_a.push(path.clone()),
            }
        }
        let aggregates_only_in_b = nb
            .keys()
            .filter(|p| !na.contains_key(*p))
            .cloned()
            .collect();
        Ok(RunDiff {
            a: ra.id,
            b: rb.id,
            meta,
            parameters,
            aggregates,
            aggregates_only_in_a,
            aggregates_only_in_b,
        })
    }
}

/// Escapes one key as a JSON-pointer token (RFC 6901).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Compares two parameter values: objects key by key (recursively, keys in sorted order), any
/// other value as a whole.
fn diff_params(path: String, a: &Value, b: &Value, out: &mut Vec<ParamChange>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let mut keys: Vec<&String> = ma.keys().chain(mb.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}/{}", token(k));
                match (ma.get(k), mb.get(k)) {
                    (Some(x), Some(y)) => diff_params(p, x, y, out),
                    (Some(x), None) => out.push(ParamChange {
                        path: p,
                        kind: ChangeKind::Removed,
                        old: Some(x.clone()),
                        new: None,
                    }),
                    (None, Some(y)) => out.push(ParamChange {
                        path: p,
                        kind: ChangeKind::Added,
                        old: None,
                        new: Some(y.clone()),
                    }),
                    (None, None) => {}
                }
            }
        }
        _ if !json_eq(a, b) => out.push(ParamChange {
            path,
            kind: ChangeKind::Changed,
            old: Some(a.clone()),
            new: Some(b.clone()),
        }),
        _ => {}
    }
}

/// Equality of JSON values where numbers compare by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Collects the numeric leaves of a JSON value (through objects and arrays) by path.
fn numeric_leaves(path: String, v: &Value, out: &mut BTreeMap<String, f64>) {
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                out.insert(path, x);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                numeric_leaves(format!("{path}/{}", token(k)), x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                numeric_leaves(format!("{path}/{i}"), x, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_added_removed_changed_nested() {
        let a = json!({"oil": {"price": 70, "path": [1, 2]}, "gone": true, "same": "x", "k/~": 1});
        let b =
            json!({"oil": {"price": 55.5, "path": [1, 2]}, "new": null, "same": "x", "k/~": 1.0});
        let mut out = Vec::new();
        diff_params(String::new(), &a, &b, &mut out);
        assert_eq!(
            out,
            vec![
                ParamChange {
                    path: "/gone".into(),
                    kind: ChangeKind::Removed,
                    old: Some(json!(true)),
                    new: None
                },
                ParamChange {
                    path: "/new".into(),
                    kind: ChangeKind::Added,
                    old: None,
                    new: Some(Value::Null)
                },
                ParamChange {
                    path: "/oil/price".into(),
                    kind: ChangeKind::Changed,
                    old: Some(json!(70)),
                    new: Some(json!(55.5))
                },
            ]
        );
    }

    #[test]
    fn params_scalar_vs_object_is_a_change_at_that_path() {
        let mut out = Vec::new();
        diff_params(
            String::new(),
            &json!({"x": 1}),
            &json!({"x": {"y": 1}}),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "/x");
        assert_eq!(out[0].kind, ChangeKind::Changed);
    }

    #[test]
    fn numeric_leaves_flatten_with_escaped_paths() {
        let mut m = BTreeMap::new();
        numeric_leaves(
            String::new(),
            &json!({"p": {"a/b": [0.25, "s", {"c": 3}]}, "t": true}),
            &mut m,
        );
        let got: Vec<(&str, f64)> = m.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(got, vec![("/p/a~1b/0", 0.25), ("/p/a~1b/2/c", 3.0)]);
    }
}
