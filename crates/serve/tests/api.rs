//! The dashboard's API against a real server on 127.0.0.1:0: the same numbers as the pipeline,
//! cancellation, the limits, saving, and a bounded load test on loopback.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use leverage_serve::{Limits, Options};
use serde_json::{Value, json};

struct Server {
    addr: SocketAddr,
    save_dir: tempfile::TempDir,
}

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let case = leverage_sim::links::default_case().expect("the default case loads");
        let save_dir = tempfile::tempdir().unwrap();
        let opts = Options {
            save_dir: save_dir.path().to_path_buf(),
            store: None,
            limits: Limits::default(),
            threads: Some(2),
        };
        let addr = leverage_serve::spawn("127.0.0.1:0".parse().unwrap(), case, opts).unwrap();
        Server { addr, save_dir }
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn url(path: &str) -> String {
    format!("http://{}{path}", server().addr)
}

fn get(path: &str) -> (u16, String) {
    let mut r = agent().get(&url(path)).call().expect("the server answers");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

fn post(path: &str, body: &Value) -> (u16, Value) {
    let mut r = agent()
        .post(&url(path))
        .send_json(body)
        .expect("the server answers");
    let status = r.status().as_u16();
    let v = r.body_mut().read_json::<Value>().unwrap_or(Value::Null);
    (status, v)
}

fn default_case() -> leverage_case::Case {
    leverage_sim::links::default_case().unwrap().case
}

/// The ensemble `simulate` would print for this case, draws and seed.
fn pipeline_json(case: &leverage_case::Case, draws: u64, seed: u64) -> Value {
    let b = leverage_sim::pipeline::run_case(
        case,
        &leverage_sim::pipeline::Settings::ensemble(draws, seed),
        None,
        &|_| {},
        None,
    )
    .unwrap();
    b.to_json(&case.case.id, false)
}

#[test]
fn the_page_and_its_assets_are_embedded_and_local() {
    let (s, html) = get("/");
    assert_eq!(s, 200);
    assert!(html.contains("<script src=\"/app.js\""), "{html}");
    for path in ["/", "/app.js", "/app.css"] {
        let (s, text) = get(path);
        assert_eq!(s, 200, "{path}");
        for remote in [
            "http://",
            "https://",
            "//cdn",
            "@import",
            "fonts.googleapis",
        ] {
            assert!(
                !text.contains(remote),
                "{path} names a remote asset ({remote})"
            );
        }
    }
    let r = agent().get(&url("/")).call().unwrap();
    let csp = r
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert_eq!(get("/nothing-here").0, 404);
}

#[test]
fn the_inputs_cover_every_parameter_with_a_range() {
    let (s, body) = get("/api/inputs");
    assert_eq!(s, 200);
    let v: Vec<Value> = serde_json::from_str(&body).unwrap();
    let case = default_case();
    assert_eq!(v.len(), case.params.len());
    for c in &v {
        let (lo, hi) = (c["min"].as_f64().unwrap(), c["max"].as_f64().unwrap());
        assert!(lo <= hi, "{c}");
        let group = c["group"].as_str().unwrap();
        assert!(["uncertain", "structural", "fixed"].contains(&group));
        assert_eq!(group == "structural", c["options"].is_array(), "{c}");
    }
    assert!(v.iter().any(|c| c["group"] == "structural"));
}

#[test]
fn a_run_is_the_pipelines_ensemble_with_and_without_a_what_if() {
    let case = default_case();
    // The case as given.
    let t0 = Instant::now();
    let (s, v) = post("/api/run", &json!({"draws": 2000, "seed": 7}));
    println!(
        "2 000 draws through the API in {:.0} ms (server: {:.0} ms)",
        t0.elapsed().as_secs_f64() * 1e3,
        v["elapsed_ms"].as_f64().unwrap_or(f64::NAN)
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["result"], pipeline_json(&case, 2000, 7));
    // A what-if: one uncertain input fixed and one structural choice set.
    let mut settings = BTreeMap::new();
    settings.insert("p_western_support".to_string(), json!(0.3));
    settings.insert("terms_model".to_string(), json!("median"));
    let (s, quick) = post(
        "/api/run",
        &json!({"draws": 2000, "seed": 7, "settings": settings, "client": "t1", "seq": 1}),
    );
    assert_eq!(s, 200, "{quick}");
    let (_, edited) = leverage_serve::inputs::edited_case(&case, &settings).unwrap();
    assert_eq!(quick["result"], pipeline_json(&edited.case, 2000, 7));
    assert_ne!(quick["result"], v["result"], "the what-if changed nothing");
    // Refined from the cached first draws: the whole ensemble, bit for bit.
    let (s, refined) = post(
        "/api/run",
        &json!({"draws": 6000, "seed": 7, "settings": settings, "client": "t1", "seq": 2}),
    );
    assert_eq!(s, 200);
    assert_eq!(refined["result"], pipeline_json(&edited.case, 6000, 7));
}

#[test]
fn a_newer_request_cancels_an_older_one() {
    let body = json!({"draws": 200000, "seed": 1, "client": "c", "seq": 1,
        "settings": {"p_china_support": 0.2}});
    let t = std::thread::spawn(move || post("/api/run", &body));
    std::thread::sleep(Duration::from_millis(300));
    let t0 = Instant::now();
    let (s, _) = post(
        "/api/run",
        &json!({"draws": 2000, "seed": 1, "client": "c", "seq": 2}),
    );
    assert_eq!(s, 200);
    let (s, v) = t.join().unwrap();
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["cancelled"], true);
    assert!(t0.elapsed() < Duration::from_secs(30));
}

#[test]
fn bad_settings_are_refused_by_field() {
    let (s, v) = post(
        "/api/run",
        &json!({"settings": {"p_western_support": 7.0, "no_such_param": 1, "terms_model": "dice"}}),
    );
    assert_eq!(s, 400, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["no_such_param", "p_western_support", "terms_model"]
    );
    assert!(v["error"].as_str().unwrap().contains("outside the range"));
    let (s, v) = post(
        "/api/run",
        &json!({"settings": {"p_western_support": "high"}}),
    );
    assert_eq!(s, 400, "{v}");
}

#[test]
fn limits_hold() {
    // An oversize body: 413.
    let big = "x".repeat(Limits::default().max_body_bytes + 1);
    let (s, _) = post("/api/run", &json!({ "client": big }));
    assert_eq!(s, 413);
    // An oversize ensemble: 400 with a message.
    let (s, v) = post("/api/run", &json!({"draws": 1_000_000_000u64}));
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("draws must be between 1 and 200000"),
        "{v}"
    );
    let (s, _) = post("/api/run", &json!({"draws": 0}));
    assert_eq!(s, 400);
    let (s, v) = post("/api/panels", &json!({"draws": 1_000_000}));
    assert_eq!(s, 400, "{v}");
    // Malformed JSON: a 4xx, not a crash.
    let r = agent()
        .post(&url("/api/run"))
        .header("content-type", "application/json")
        .send("{not json")
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (s, _) = get("/api/maneuver?oil_price=-5");
    assert_eq!(s, 400);
}

#[test]
fn saving_validates_names_and_never_overwrites_unasked() {
    let dir = server().save_dir.path();
    for bad in [
        "../escape",
        "/etc/passwd",
        "a/b.toml",
        "..",
        ".hidden",
        "x\\y",
        "",
    ] {
        let (s, v) = post("/api/save", &json!({"name": bad}));
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "name", "{bad}");
    }
    assert!(!dir.parent().unwrap().join("escape.toml").exists());
    let settings = json!({"p_western_support": 0.3});
    let (s, v) = post(
        "/api/save",
        &json!({"name": "what-if", "settings": settings}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["saved"], "what-if.toml");
    let text = std::fs::read_to_string(dir.join("what-if.toml")).unwrap();
    // It reads back as a case, with the what-if in it.
    let loaded = leverage_sim::links::load("what-if.toml", &text, &leverage_case::NoFiles)
        .expect("the saved case loads");
    assert!(matches!(
        loaded.case.param("p_western_support").unwrap().dist,
        leverage_case::Dist::Fixed { value } if value == 0.3
    ));
    // Again: refused, the file unchanged; with the confirmation: written.
    let (s, v) = post(
        "/api/save",
        &json!({"name": "what-if.toml", "settings": {"p_western_support": 0.2}}),
    );
    assert_eq!(s, 409, "{v}");
    assert_eq!(
        std::fs::read_to_string(dir.join("what-if.toml")).unwrap(),
        text
    );
    let (s, _) = post(
        "/api/save",
        &json!({"name": "what-if.toml", "settings": {"p_western_support": 0.2}, "overwrite": true}),
    );
    assert_eq!(s, 200);
    assert_ne!(
        std::fs::read_to_string(dir.join("what-if.toml")).unwrap(),
        text
    );
    // A bad setting is not saved.
    let (s, v) = post(
        "/api/save",
        &json!({"name": "bad", "settings": {"qre_lambda": -1}}),
    );
    assert_eq!(s, 400);
    assert_eq!(v["errors"][0]["field"], "qre_lambda");
    assert!(!dir.join("bad.toml").exists());
}

#[test]
fn the_maneuver_moves_with_the_oil_price() {
    let at = |p: f64| {
        let (s, b) = get(&format!("/api/maneuver?oil_price={p}"));
        assert_eq!(s, 200, "{b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        v["path"]["cumulative_usd_bn"].as_f64().unwrap()
    };
    assert!(at(80.0) > at(40.0));
}

#[test]
fn no_store_gives_an_empty_list() {
    let (s, b) = get("/api/runs");
    assert_eq!((s, b.as_str()), (200, "[]"));
    assert_eq!(get("/api/runs/1").0, 404);
    assert_eq!(get("/api/runs/zero").0, 400);
}

/// 10 000 requests at concurrency 32 against a cheap endpoint on loopback: no errors; the p99
/// latency is printed.
#[test]
fn load_test_on_loopback() {
    const REQUESTS: usize = 10_000;
    const CONCURRENCY: usize = 32;
    let target = url("/api/case");
    let t0 = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let target = target.clone();
            std::thread::spawn(move || {
                let a = agent();
                let mut lat = Vec::new();
                let mut errors = 0usize;
                for _ in (w..REQUESTS).step_by(CONCURRENCY) {
                    let t = Instant::now();
                    match a.get(&target).call() {
                        Ok(mut r) if r.status() == 200 => {
                            if r.body_mut().read_to_string().is_err() {
                                errors += 1;
                            }
                        }
                        _ => errors += 1,
                    }
                    lat.push(t.elapsed());
                }
                (lat, errors)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.join().unwrap();
        lat.extend(l);
        errors += e;
    }
    let secs = t0.elapsed().as_secs_f64();
    lat.sort();
    let q = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "load test: {} requests at concurrency {CONCURRENCY} in {secs:.2} s ({:.0}/s), {errors} errors, p50 {:?}, p99 {:?}, max {:?}",
        lat.len(),
        lat.len() as f64 / secs,
        q(0.5),
        q(0.99),
        lat[lat.len() - 1]
    );
    assert_eq!(lat.len(), REQUESTS);
    assert_eq!(errors, 0);
}
