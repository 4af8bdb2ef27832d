//! The case library (`cases/`): every shipped case through every command, and nothing printed
//! about one case names another case's actors or places.
//!
//! "Another case's names" are the words of the other cases' actor names (and the default case's
//! capitals) that this case's own file never uses: Armenia's report may say "Russia", since its
//! case does, but not "Belarus" or "Minsk".

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

fn run(args: &[&str], store: &std::path::Path) -> Output {
    Command::cargo_bin("leverage")
        .expect("binary")
        .env("NO_COLOR", "1")
        .env("LEVERAGE_STORE", store)
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The library's case files (not their outcomes files), sorted.
fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("cases")
        .expect("cases/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.ends_with(".toml") && !n.ends_with(".outcomes.toml")
        })
        .collect();
    v.sort();
    v
}

/// The capitalised words of a case's actor names (its "places and actors"), from the file.
fn name_words(toml_text: &str) -> BTreeSet<String> {
    let v: toml::Value = toml::from_str(toml_text).expect("the case is TOML");
    let mut out = BTreeSet::new();
    for a in v
        .get("actor")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(name) = a.get("name").and_then(|n| n.as_str()) {
            for w in name.split(|c: char| !c.is_alphanumeric()) {
                if w.len() >= 4 && w.chars().next().is_some_and(char::is_uppercase) {
                    out.insert(w.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_case_runs_every_command_and_names_only_its_own() {
    let files = cases();
    assert!(!files.is_empty());
    let texts: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.sqlite");
    for (k, path) in files.iter().enumerate() {
        let p = path.to_str().unwrap();
        let own = &texts[k];
        // Words naming the other cases' actors, and the default case's capitals, that this
        // case never uses.
        let mut foreign: BTreeSet<String> = ["Belarus", "Russia", "Minsk", "Moscow"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (j, t) in texts.iter().enumerate() {
            if j != k {
                foreign.extend(name_words(t));
            }
        }
        foreign.retain(|w| !own.contains(w.as_str()));

        let out = dir.path().join(format!("report-{k}"));
        let out_s = out.to_str().unwrap();
        let mut printed = String::new();
        let mut commands: Vec<Vec<&str>> = vec![
            vec!["case", "validate", p],
            vec!["forecast", "--case", p],
            vec!["game", "--case", p],
            vec!["simulate", "--case", p, "-n", "2000", "--no-store"],
            vec![
                "report",
                "--case",
                p,
                "--out",
                out_s,
                "-n",
                "1000",
                "--tornado-draws",
                "100",
                "--sobol-rows",
                "64",
                "--no-store",
            ],
        ];
        let outcomes = path.with_file_name(format!(
            "{}.outcomes.toml",
            path.file_stem().unwrap().to_string_lossy()
        ));
        let outcomes_s = outcomes.to_string_lossy().to_string();
        if outcomes.is_file() {
            commands.push(vec![
                "score",
                "--case",
                p,
                "--outcomes",
                &outcomes_s,
                "-n",
                "2000",
            ]);
        }
        for args in &commands {
            let o = run(args, &store);
            assert_eq!(o.status.code(), Some(0), "{args:?}:\n{}", text(&o));
            printed.push_str(&text(&o));
        }
        printed.push_str(&std::fs::read_to_string(out.join("report.md")).unwrap());
        for w in &foreign {
            assert!(
                !printed.contains(w.as_str()),
                "{p}: the output names {w:?}, which only another case uses"
            );
        }
    }
    // The library as a whole: listed, and scored when two or more cases have outcomes.
    let o = run(&["cases"], &store);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains(&format!("({} cases;", files.len())));
}

/// A value as text, numbers as floats (so `5` and `5.0` compare equal).
fn norm(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => format!("{:?}", *i as f64),
        toml::Value::Float(f) => format!("{f:?}"),
        toml::Value::Array(a) => a.iter().map(norm).collect::<Vec<_>>().join(","),
        x => x.to_string(),
    }
}

/// The distribution fields of a `[[param]]`, for comparison.
fn dist_of(p: &toml::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        ["dist", "value", "min", "mode", "max", "options", "weights"]
            .iter()
            .filter_map(|k| p.get(*k).map(|v| (k.to_string(), norm(v))))
            .collect();
    out.sort();
    out
}

/// The general coefficients are documented once (docs/cases/general.md, and the patron-client
/// starter carries them): a case that cites `source = "general"` for a parameter uses exactly
/// that distribution. A case that departs from one says so with its own source or judgement, so
/// no case can quietly tune a shared coefficient.
#[test]
fn general_coefficients_are_the_same_in_every_case() {
    let starter: toml::Value = toml::from_str(
        &std::fs::read_to_string("crates/case/src/starter-patron-client.toml").unwrap(),
    )
    .unwrap();
    let general: std::collections::BTreeMap<String, Vec<(String, String)>> = starter["param"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("source").and_then(|s| s.as_str()) == Some("general"))
        .map(|p| (p["id"].as_str().unwrap().to_string(), dist_of(p)))
        .collect();
    assert!(general.len() >= 30, "{}", general.len());
    for path in cases() {
        let v: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for p in v
            .get("param")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            if p.get("source").and_then(|s| s.as_str()) != Some("general") {
                continue;
            }
            let id = p["id"].as_str().unwrap();
            let want = general.get(id).unwrap_or_else(|| {
                panic!(
                    "{}: `{id}` cites `general` but is not a general coefficient",
                    path.display()
                )
            });
            assert_eq!(
                &dist_of(p),
                want,
                "{}: `{id}` departs from the general coefficient",
                path.display()
            );
        }
    }
}
