//! `leverage serve` end to end: the binary prints the URL it bound and serves the stored runs;
//! then the dashboard in headless Chromium (Debian's `chromium` and `chromium-driver`, driven over
//! WebDriver on loopback): the page loads, a control moved changes the probabilities, which equal
//! the API's and `leverage simulate`'s on the saved case with the same seed; a stored run opens
//! and two runs compare.
//!
//! With `LEVERAGE_SCREENSHOTS=1` the browser test also computes the sensitivity panel and saves
//! a screenshot of each panel into `docs/img/serve-*.png`, for the README and docs/serve.md.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The binary under test (`LEVERAGE_BIN` overrides it, e.g. the release binary for the
/// screenshots, whose timings are shown on the page).
fn bin() -> PathBuf {
    std::env::var_os("LEVERAGE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("leverage"))
}

/// A child process killed when dropped.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into()
}

fn get_json(url: &str) -> (u16, Value) {
    let mut r = agent().get(url).call().expect("answers");
    let s = r.status().as_u16();
    (s, r.body_mut().read_json().unwrap_or(Value::Null))
}

fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let mut r = agent().post(url).send_json(body).expect("answers");
    let s = r.status().as_u16();
    (s, r.body_mut().read_json().unwrap_or(Value::Null))
}

/// Saves two runs of the default case (seeds 3 and 4, 400 draws) in a store in `dir`.
fn store_with_two_runs(dir: &Path) -> PathBuf {
    let store = dir.join("runs.sqlite");
    for seed in ["3", "4"] {
        let out = Command::new(bin())
            .args([
                "simulate", "-n", "400", "--seed", seed, "--output", "json", "--store",
            ])
            .arg(&store)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    store
}

/// `leverage serve --port 0` on the default case: the child and the URL it printed.
fn serve(store: &Path, save_dir: &Path) -> (Kill, String) {
    let mut child = Command::new(bin())
        .args(["serve", "--port", "0", "--threads", "2", "--store"])
        .arg(store)
        .arg("--save-dir")
        .arg(save_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with(":0/"), "{url}");
    (Kill(child), url)
}

/// `leverage simulate` of a case file: the JSON it prints.
fn simulate(case: &Path, draws: u64, seed: u64) -> Value {
    let out = Command::new(bin())
        .args(["simulate", "--no-store", "--output", "json", "--case"])
        .arg(case)
        .args(["-n", &draws.to_string(), "--seed", &seed.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The horizon's probabilities of an ensemble as JSON.
fn horizon(ensemble: &Value) -> Vec<f64> {
    let rows = ensemble["probabilities"].as_array().unwrap();
    rows.last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["p"].as_f64().unwrap())
        .collect()
}

#[test]
fn serve_prints_its_url_and_serves_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_two_runs(dir.path());
    let (_child, url) = serve(&store, dir.path());
    let (s, runs) = get_json(&format!("{url}api/runs"));
    assert_eq!(s, 200);
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");
    let (s, run) = get_json(&format!("{url}api/runs/1"));
    assert_eq!(s, 200);
    assert_eq!(run["renderable"], true);
    assert!(
        run["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "simulation")
    );
    let (s, d) = get_json(&format!("{url}api/runs/diff?a=1&b=2"));
    assert_eq!(s, 200);
    assert!(
        d["meta"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["field"] == "seed"),
        "{d}"
    );
    // A what-if saved by the server runs in `simulate` to the server's numbers.
    let settings = json!({"p_western_support": 0.32, "actor_weighting": "no_outsiders"});
    let (s, v) = post_json(
        &format!("{url}api/save"),
        &json!({"name": "w1", "settings": settings}),
    );
    assert_eq!(s, 200, "{v}");
    let (s, r) = post_json(
        &format!("{url}api/run"),
        &json!({"settings": settings, "draws": 2000, "seed": 11}),
    );
    assert_eq!(s, 200, "{r}");
    let cli = simulate(&dir.path().join("w1.toml"), 2000, 11);
    assert_eq!(r["result"]["ensemble"], cli["ensemble"]);
}

#[test]
fn serve_refuses_a_bad_save_dir_and_warns_off_loopback() {
    let out = Command::new(bin())
        .args(["serve", "--port", "0", "--save-dir", "/no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--save-dir /no/such/dir is not a folder")
    );
    // Off loopback only when asked, with a warning (no request is sent to it).
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args(["serve", "--port", "0", "--listen", "0.0.0.0", "--store"])
        .arg(dir.path().join("none.sqlite"))
        .arg("--save-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut warning = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut warning)
        .unwrap();
    let _kill = Kill(child);
    assert!(
        warning.starts_with("warning: listening on 0.0.0.0, not on loopback"),
        "{warning}"
    );
}

// ---- a small WebDriver client (the W3C protocol over HTTP on loopback) -----------------------

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Browser {
    base: String,
    session: String,
    _driver: Kill,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Option<Browser> {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(driver) = driver else {
            assert!(
                std::env::var_os("CI").is_none(),
                "chromedriver is missing: .ci/run installs chromium and chromium-driver"
            );
            eprintln!("skipped: no chromedriver (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let t0 = Instant::now();
        while get_json_opt(&format!("{base}/status")).is_none() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--force-device-scale-factor=1",
            "--window-size=1280,860",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let (s, v) = post_json(
            &format!("{base}/session"),
            &json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
                "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}),
        );
        assert_eq!(s, 200, "no session: {v}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Some(Browser {
            base,
            session,
            _driver: Kill(child),
            _profile: profile,
        })
    }
    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }
    fn post(&self, path: &str, body: Value) -> Value {
        let (s, v) = post_json(&self.url(path), &body);
        assert_eq!(s, 200, "{path}: {v}");
        v["value"].clone()
    }
    fn go(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }
    fn find(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {v}"))
            .to_string()
    }
    fn click(&self, css: &str) {
        let e = self.find(css);
        self.post(&format!("/element/{e}/click"), json!({}));
    }
    fn keys(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.post(&format!("/element/{e}/value"), json!({ "text": text }));
    }
    fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }
    /// Waits until `script` returns true.
    fn wait(&self, what: &str, script: &str, limit: Duration) {
        let t0 = Instant::now();
        while self.js(script) != json!(true) {
            assert!(t0.elapsed() < limit, "waited {limit:?} for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    /// A screenshot of the page scrolled to the top (the side bar too).
    fn screenshot(&self, file: &Path) {
        self.js("window.scrollTo(0, 0); const s = document.querySelector('#side'); if (s) s.scrollTop = 0;");
        let (s, v) = get_json(&self.url("/screenshot"));
        assert_eq!(s, 200);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap();
        std::fs::write(file, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent()
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
    }
}

fn get_json_opt(url: &str) -> Option<Value> {
    let mut r = agent().get(url).call().ok()?;
    r.body_mut().read_json().ok()
}

/// The probabilities the page shows, by scenario.
fn shown(b: &Browser) -> Value {
    b.js("const o = {}; document.querySelectorAll('#probs tr[data-scenario]').forEach(r => o[r.dataset.scenario] = Number(r.querySelector('.p').dataset.p)); return o;")
}

#[test]
fn the_dashboard_in_headless_chromium() {
    let Some(b) = Browser::start() else { return };
    let t_start = Instant::now();
    let shots = std::env::var_os("LEVERAGE_SCREENSHOTS").is_some();
    let dir = tempfile::tempdir().unwrap();
    let out = if shots {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img")
    } else {
        dir.path().to_path_buf()
    };
    let store = store_with_two_runs(dir.path());
    let (_child, url) = serve(&store, dir.path());
    let long = Duration::from_secs(240);

    // The page loads and shows the refined probabilities of the case as given.
    // `?auto=0`: no sensitivity analysis in the background (the test asks for it itself).
    b.go(&format!("{url}?auto=0"));
    let refined = "return document.querySelector('#status').dataset.draws === '20000'";
    b.wait("the first refined ensemble", refined, long);
    let before = shown(&b);
    assert!(before.as_object().unwrap().len() >= 3, "{before}");

    // Move a control: the slider of p_western_support, by keyboard.
    let seq0 = b.js("return Number(document.querySelector('#status').dataset.seq)");
    b.click("#c-p_western_support");
    b.keys("#c-p_western_support", "\u{E014}\u{E014}\u{E014}");
    b.wait(
        "the what-if's refined ensemble",
        &format!("const s = document.querySelector('#status').dataset; return Number(s.seq) > {seq0} && s.draws === '20000'"),
        long,
    );
    let settings = b.js("return state.settings");
    let value = settings["p_western_support"]
        .as_f64()
        .expect("the control was moved");
    let after = shown(&b);
    assert_ne!(after, before, "the probabilities did not change");
    // The page shows what the API computes for the same inputs and seed.
    let (s, api) = post_json(
        &format!("{url}api/run"),
        &json!({"settings": settings, "draws": 20000, "seed": 42}),
    );
    assert_eq!(s, 200);
    let e = &api["result"]["ensemble"];
    for (k, id) in e["scenarios"].as_array().unwrap().iter().enumerate() {
        if let Some(p) = after.get(id.as_str().unwrap()) {
            assert_eq!(p.as_f64().unwrap(), horizon(e)[k], "{id}");
        }
    }

    // Save the what-if; `simulate` on the saved file gives the same probabilities.
    b.keys("#save-name", "browser-what-if");
    b.click("#save");
    b.wait(
        "the save",
        "return document.querySelector('#save-msg').dataset.saved === 'browser-what-if.toml'",
        long,
    );
    let saved = dir.path().join("browser-what-if.toml");
    let cli = simulate(&saved, 20000, 42);
    assert_eq!(horizon(&cli["ensemble"]), horizon(e));
    assert!(value.is_finite());
    // Saving again asks for a confirmation.
    b.click("#save");
    b.wait(
        "the overwrite question",
        "return !document.querySelector('#overwrite').hidden",
        long,
    );

    // The panels.
    b.wait(
        "the panels",
        "return document.body.dataset.panels === 'ready'",
        long,
    );
    if shots {
        b.screenshot(&out.join("serve-summary.png"));
    }
    for (tab, css) in [
        ("scenarios", "#s-simulation"),
        ("deal", "#maneuver tbody tr"),
        ("negotiations", "#s-forecasts"),
        ("game", "#s-game svg"),
        ("case", "#s-actors"),
    ] {
        b.click(&format!("#tabs button[data-tab={tab}]"));
        b.wait(
            tab,
            &format!("return !!document.querySelector('#panel-{tab}.on {css}')"),
            long,
        );
        if shots {
            b.screenshot(&out.join(format!("serve-{tab}.png")));
        }
    }
    if shots {
        b.click("#tabs button[data-tab=sensitivity]");
        b.click("#run-sensitivity");
        b.wait(
            "the sensitivity analysis",
            "return document.body.dataset.panels === 'sensitivity'",
            Duration::from_secs(600),
        );
        b.screenshot(&out.join("serve-sensitivity.png"));
    }

    // A stored run opens; two compare.
    b.click("#tabs button[data-tab=runs]");
    b.wait(
        "the runs",
        "return document.querySelectorAll('#runs tr[data-run]').length === 2",
        long,
    );
    b.click("#runs tr[data-run='1'] td:first-child input");
    b.click("#runs tr[data-run='2'] td:first-child input");
    b.click("#diff");
    b.wait(
        "the diff",
        "return !!document.querySelector('#diff-table')",
        long,
    );
    b.click("#runs button.open[data-run='1']");
    b.wait("run 1", "return !!document.querySelector('#run-title[data-run=\"1\"]') && !!document.querySelector('#run-view svg')", long);
    if shots {
        b.screenshot(&out.join("serve-runs.png"));
    }
    println!("browser test in {:.1} s", t_start.elapsed().as_secs_f64());
}
