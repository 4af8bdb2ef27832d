//! `update`, `watch` and `offer` end to end (issue 14): the worked example of docs/updating.md
//! updates a stored run and is shown by `runs show`; an updated run updates again; evidence
//! dated before `as_of`, after the horizon, or naming an unknown observable is a located error;
//! `watch` and `offer` run on every shipped case.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn leverage(args: &[&str], store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("LEVERAGE_STORE", store)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("evidence-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const EXAMPLE: &str = "docs/examples/belarus-russia-2019.evidence.toml";

#[test]
fn the_worked_example_updates_a_stored_run_twice() {
    let dir = scratch("example");
    let store = dir.join("runs.sqlite");
    ok(&leverage(
        &["simulate", "-n", "3000", "--output", "csv"],
        &store,
    ));
    let out = ok(&leverage(
        &["update", "--run", "1", "--evidence", EXAMPLE],
        &store,
    ));
    assert!(out.contains("HYPOTHETICAL"), "{out}");
    assert!(out.contains("Effective sample size"), "{out}");
    let shown = ok(&leverage(&["runs", "show", "2"], &store));
    assert!(shown.contains("run 1 → run 2"), "{shown}");
    assert!(shown.contains("prior against posterior"), "{shown}");
    // The updated run updated again: both files of the chain apply to its draws.
    let more = dir.join("more.toml");
    std::fs::write(
        &more,
        "[evidence]\ncase = \"belarus-russia-2019\"\n[[observation]]\nobservable = \"cut\"\ndate = \"2021-06\"\nvalue = true\nhypothetical = \"a test\"\n",
    )
    .unwrap();
    let again = ok(&leverage(
        &[
            "update",
            "--run",
            "2",
            "--evidence",
            more.to_str().unwrap(),
            "--output",
            "json",
        ],
        &store,
    ));
    let v: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["parent"], 2);
    assert_eq!(v["update"]["observed"].as_array().unwrap().len(), 3);
    // The same file again would count its readings twice: refused, nothing saved.
    let o = leverage(&["update", "--run", "3", "--evidence", EXAMPLE], &store);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is already in run 3's evidence") && err.contains("count twice"),
        "{err}"
    );
    let listed = ok(&leverage(&["runs", "list", "--output", "json"], &store));
    let runs: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn evidence_outside_the_case_s_time_or_vocabulary_is_a_located_error() {
    let dir = scratch("errors");
    let store = dir.join("runs.sqlite");
    ok(&leverage(
        &["simulate", "-n", "300", "--output", "csv"],
        &store,
    ));
    for (date, observable, code) in [
        ("2019-06-01", "signed", "evidence::before-as-of"),
        ("2026-01-15", "signed", "evidence::after-horizon"),
        ("2020-12-31", "signd", "evidence::unknown-observable"),
        ("2019-12-15", "signed", "evidence::before-first-year"),
    ] {
        let f = dir.join("e.toml");
        std::fs::write(
            &f,
            format!("[evidence]\ncase = \"belarus-russia-2019\"\n\n[[observation]]\nobservable = \"{observable}\"\ndate = {date}\nmax = 35\nhypothetical = \"a test\"\n"),
        )
        .unwrap();
        let o = leverage(
            &[
                "update",
                "--run",
                "latest",
                "--evidence",
                f.to_str().unwrap(),
            ],
            &store,
        );
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(code), "{code}: {err}");
        // The report points at the file, line and column of the offending value.
        assert!(err.contains("e.toml:"), "{err}");
        if observable == "signd" {
            assert!(err.contains("did you mean \"signed\""), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn watch_and_offer_run_on_every_shipped_case() {
    let dir = scratch("cases");
    let store = dir.join("runs.sqlite");
    let mut cases: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"))
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                let name = p.file_name()?.to_str()?.to_string();
                (name.ends_with(".toml") && !name.ends_with(".outcomes.toml"))
                    .then(|| format!("cases/{name}"))
            })
            .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for c in &cases {
        let w = ok(&leverage(
            &["watch", "--case", c, "-n", "400", "--top", "2"],
            &store,
        ));
        assert!(w.contains("LR seen"), "{c}: {w}");
        let o = ok(&leverage(&["offer", "--case", c, "-n", "400"], &store));
        assert!(o.contains("Economic track"), "{c}: {o}");
    }
    // And on the embedded default case.
    ok(&leverage(&["watch", "-n", "400"], &store));
    ok(&leverage(&["offer", "-n", "400"], &store));
    let _ = std::fs::remove_dir_all(&dir);
}
