//! # leverage-serve: the local dashboard of `leverage serve`
//!
//! An HTTP server (axum on tokio) over one case, serving a page app embedded in the binary
//! (HTML, JavaScript and CSS, no build step, nothing fetched from elsewhere) and the JSON API
//! behind it. Every number comes from the same pipeline as `leverage simulate` and
//! `leverage report` ([`leverage_sim::pipeline`]); the panels other than the live probabilities
//! are the report's own sections ([`leverage_report::sections`]).
//!
//! The API (`docs/serve.md`):
//! - `GET /api/case`, `GET /api/inputs`: the case and its what-if controls ([`inputs`]);
//! - `POST /api/run`: the ensemble of the case with a what-if, by chunks, cancelled by the
//!   client's next request ([`compute`]);
//! - `POST /api/panels`: the full run (analyses, optionally sensitivity) rendered as panels;
//! - `GET /api/maneuver?oil_price=P`: the tax maneuver at a flat oil price;
//! - `POST /api/save`: the case with a what-if, validated and written into the save folder
//!   under a bare file name, never over a file without `overwrite`;
//! - `GET /api/runs`, `/api/runs/{id}`, `/api/runs/diff?a=&b=`: the run store.
//!
//! Limits ([`Limits`]): request bodies, draws per request; the server binds what the caller
//! gives it (the CLI binds loopback unless told otherwise). Nothing here prints: the caller says
//! where the server listens.

pub mod compute;
pub mod inputs;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leverage_case::{Case, Loaded};
use serde::Deserialize;
use serde_json::{Value, json};

use compute::{Engine, Stop};

/// What one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, bytes (a larger one gets 413).
    pub max_body_bytes: usize,
    /// Most draws of one ensemble (more gets 400).
    pub max_draws: u64,
    /// Most draws of a full run with analyses (`/api/panels`).
    pub max_panel_draws: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            max_draws: 200_000,
            max_panel_draws: 50_000,
        }
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where `/api/save` writes case files (the client gives a bare file name only).
    pub save_dir: PathBuf,
    /// The run store to browse (`None`: the runs panel says there is none).
    pub store: Option<PathBuf>,
    /// Request limits.
    pub limits: Limits,
    /// Worker threads of the engines (default: all cores).
    pub threads: Option<usize>,
}

/// The draws of the quick answer the page asks for first.
pub const QUICK_DRAWS: u64 = compute::CHUNK;
/// The draws the page refines to in the background.
pub const REFINED_DRAWS: u64 = 20_000;
/// The seed the page starts with (the CLI's default).
pub const DEFAULT_SEED: u64 = 42;

struct App {
    case: Case,
    case_hash: String,
    opts: Options,
    engine: Engine,
    /// One heavy computation at a time (the pool is shared).
    heavy: tokio::sync::Semaphore,
}

type Shared = Arc<App>;

/// The router of the dashboard over `case`.
pub fn router(case: Loaded, opts: Options) -> Result<Router, String> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.threads {
        b = b.num_threads(n);
    }
    let pool = b.build().map_err(|e| format!("thread pool: {e}"))?;
    let case = case.case;
    let case_hash = leverage_sim::pipeline::case_hash(&case)?;
    let limit = opts.limits.max_body_bytes;
    let app = Arc::new(App {
        case,
        case_hash,
        opts,
        engine: Engine::new(pool),
        heavy: tokio::sync::Semaphore::new(1),
    });
    Ok(Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/app.css", get(style))
        .route("/api/case", get(case_info))
        .route("/api/inputs", get(inputs_list))
        .route("/api/run", post(run_what_if))
        .route("/api/panels", post(panels))
        .route("/api/maneuver", get(maneuver))
        .route("/api/save", post(save))
        .route("/api/runs", get(runs_list))
        .route("/api/runs/diff", get(runs_diff))
        .route("/api/runs/{id}", get(run_show))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app))
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

/// Serves the dashboard of `case` on a listener already bound (blocking: builds its own
/// runtime).
pub fn run(listener: std::net::TcpListener, case: Loaded, opts: Options) -> Result<(), String> {
    let router = router(case, opts)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async move {
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let l = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        serve(l, router).await.map_err(|e| e.to_string())
    })
}

/// A server on a thread of its own, for tests: where it listens.
pub fn spawn(addr: SocketAddr, case: Loaded, opts: Options) -> Result<SocketAddr, String> {
    let l = std::net::TcpListener::bind(addr).map_err(|e| e.to_string())?;
    let at = l.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || run(l, case, opts));
    Ok(at)
}

const INDEX: &str = include_str!("../assets/index.html");
const SCRIPT: &str = include_str!("../assets/app.js");
const STYLE: &str = include_str!("../assets/app.css");

/// Every response says: no resources from elsewhere, no framing.
fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    r
}

fn asset(kind: &'static str, body: String) -> Response {
    secured(([(header::CONTENT_TYPE, kind)], body).into_response())
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX.to_string())
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT.to_string())
}

async fn style() -> Response {
    // The report's own style sheet first, so its sections look as in the report.
    asset(
        "text/css; charset=utf-8",
        format!("{}\n{STYLE}", leverage_report::CSS),
    )
}

async fn not_found() -> Response {
    fail(StatusCode::NOT_FOUND, "no such page".into())
}

fn fail(status: StatusCode, message: String) -> Response {
    secured((status, axum::Json(json!({ "error": message }))).into_response())
}

fn ok(v: Value) -> Response {
    secured(axum::Json(v).into_response())
}

async fn case_info(State(app): State<Shared>) -> Response {
    let c = &app.case;
    ok(json!({
        "id": c.case.id,
        "title": c.case.title,
        "description": c.case.description,
        "as_of": c.case.as_of.to_string(),
        "horizon": c.case.horizon,
        "patron": c.patron_name(),
        "client": c.client_name(),
        "hash": app.case_hash,
        "scenarios": c.scenarios.iter().map(|s| json!({
            "id": s.id, "title": s.title, "simulated": s.rule.is_some(),
        })).collect::<Vec<_>>(),
        "defaults": {
            "seed": DEFAULT_SEED,
            "quick_draws": QUICK_DRAWS,
            "refined_draws": REFINED_DRAWS,
            "max_draws": app.opts.limits.max_draws,
            "max_panel_draws": app.opts.limits.max_panel_draws,
        },
        "store": app.opts.store.is_some(),
    }))
}

async fn inputs_list(State(app): State<Shared>) -> Response {
    ok(json!(inputs::controls(&app.case)))
}

/// A what-if: parameter id → a number or an option name.
type WhatIf = BTreeMap<String, Value>;

#[derive(Deserialize)]
struct RunRequest {
    #[serde(default)]
    settings: WhatIf,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_draws")]
    draws: u64,
    /// The page's id and its request count: a newer request cancels older ones.
    #[serde(default)]
    client: String,
    #[serde(default)]
    seq: u64,
}

fn default_seed() -> u64 {
    DEFAULT_SEED
}

fn default_draws() -> u64 {
    QUICK_DRAWS
}

fn bad_settings(errors: Vec<inputs::FieldError>) -> Response {
    let message = errors
        .iter()
        .map(|e| {
            if e.field.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.field, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    secured(
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": message, "errors": errors })),
        )
            .into_response(),
    )
}

/// The case with a what-if, checked as a case file is; the untouched case for no what-if.
fn what_if_case(app: &App, settings: &WhatIf) -> Result<(Case, String), Response> {
    if settings.is_empty() {
        return Ok((app.case.clone(), app.case_hash.clone()));
    }
    let (_, loaded) = inputs::edited_case(&app.case, settings).map_err(bad_settings)?;
    let hash = leverage_sim::pipeline::case_hash(&loaded.case)
        .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok((loaded.case, hash))
}

fn check_draws(draws: u64, max: u64) -> Result<(), Response> {
    if draws == 0 || draws > max {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            format!("draws must be between 1 and {max} per request (asked: {draws})"),
        ));
    }
    Ok(())
}

fn stopped(s: Stop) -> Response {
    match s {
        Stop::Cancelled => secured(
            (
                StatusCode::CONFLICT,
                axum::Json(json!({"cancelled": true, "error": "superseded by a newer request"})),
            )
                .into_response(),
        ),
        Stop::Wiring(m) => fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the case cannot be simulated: {m}"),
        ),
    }
}

fn body<T>(
    r: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, Response> {
    r.map(|axum::Json(t)| t)
        .map_err(|e| fail(e.status(), e.body_text()))
}

async fn run_what_if(
    State(app): State<Shared>,
    req: Result<axum::Json<RunRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Err(e) = check_draws(req.draws, app.opts.limits.max_draws) {
        return e;
    }
    let ticket = app.engine.ticket(&req.client, req.seq);
    let a = app.clone();
    let out = tokio::task::spawn_blocking(move || {
        let t0 = Instant::now();
        let (case, hash) = what_if_case(&a, &req.settings)?;
        let b = a
            .engine
            .ensemble(&case, &hash, req.draws, req.seed, &ticket)
            .map_err(stopped)?;
        Ok::<_, Response>(json!({
            "draws": req.draws,
            "seed": req.seed,
            "seq": req.seq,
            "case_hash": hash,
            "elapsed_ms": t0.elapsed().as_secs_f64() * 1e3,
            "result": b.to_json(&case.case.id, false),
        }))
    })
    .await;
    match out {
        Ok(Ok(v)) => ok(v),
        Ok(Err(r)) => r,
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
struct PanelRequest {
    #[serde(default)]
    settings: WhatIf,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_panel_draws")]
    draws: u64,
    #[serde(default)]
    sensitivity: bool,
}

fn default_panel_draws() -> u64 {
    10_000
}

/// The panel each report section belongs to.
fn panel_of(id: &str) -> &'static str {
    match id {
        "summary" | "watch" | "offer" | "evidence" => "summary",
        "simulation" | "scenarios" => "scenarios",
        "subsidy" | "maneuver" | "published" | "dependence" | "flows" => "deal",
        "forecasts" | "issues" => "negotiations",
        "game" => "game",
        _ => "case",
    }
}

/// A bundle's report sections, by panel, with the sensitivity analysis a panel of its own.
fn panel_sections(case: &Case, bundle: Option<&leverage_sim::pipeline::Bundle>) -> Value {
    let analyses = leverage_report::analyses_of(case, bundle, None);
    let mut sections =
        leverage_report::sections(case, &analyses, bundle, &leverage_report::Extra::default());
    let mut out = Vec::new();
    if let Some(b) = bundle {
        let r = leverage_report::sim_section::SimResults::of(b);
        let (html, _, _) = leverage_report::sim_section::sensitivity(case, &r);
        // The scenarios panel without the sensitivity part.
        let plain = leverage_report::sim_section::SimResults {
            tornado: None,
            sobol: None,
            ..r
        };
        if let Some(s) = sections.iter_mut().find(|s| s.id == "simulation") {
            *s = leverage_report::sim_section::section(case, &plain);
        }
        out.push(json!({
            "id": "sensitivity", "panel": "sensitivity",
            "title": "Sensitivity: tornado and Sobol indices",
            "html": if html.is_empty() {
                "<p>No sensitivity analysis in this run.</p>".to_string()
            } else {
                html
            },
        }));
    }
    for s in sections {
        out.push(json!({"id": s.id, "panel": panel_of(&s.id), "title": s.title, "html": s.html}));
    }
    json!(out)
}

async fn panels(
    State(app): State<Shared>,
    req: Result<axum::Json<PanelRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Err(e) = check_draws(req.draws, app.opts.limits.max_panel_draws) {
        return e;
    }
    let Ok(_permit) = app.heavy.acquire().await else {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "shutting down".into());
    };
    let a = app.clone();
    let out = tokio::task::spawn_blocking(move || {
        let t0 = Instant::now();
        let (case, hash) = what_if_case(&a, &req.settings)?;
        let simulate = case.scenarios.iter().any(|s| s.rule.is_some());
        let bundle = if simulate {
            Some(
                a.engine
                    .full(&case, req.draws, req.seed, req.sensitivity)
                    .map_err(stopped)?,
            )
        } else {
            None
        };
        let sections = a
            .engine
            .pool()
            .install(|| panel_sections(&case, bundle.as_ref()));
        Ok::<_, Response>(json!({
            "draws": req.draws, "seed": req.seed, "case_hash": hash,
            "elapsed_ms": t0.elapsed().as_secs_f64() * 1e3,
            "sections": sections,
        }))
    })
    .await;
    match out {
        Ok(Ok(v)) => ok(v),
        Ok(Err(r)) => r,
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
struct ManeuverQuery {
    oil_price: f64,
}

async fn maneuver(
    State(app): State<Shared>,
    q: Result<Query<ManeuverQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e.body_text()),
    };
    if !(q.oil_price.is_finite() && (0.0..=1_000.0).contains(&q.oil_price)) {
        return fail(
            StatusCode::BAD_REQUEST,
            "oil_price must be a number of USD per barrel from 0 to 1000".into(),
        );
    }
    let opts = leverage_econ::ManeuverOptions {
        oil_price: Some(q.oil_price),
        ..Default::default()
    };
    match leverage_econ::maneuver_inputs(&app.case, &opts)
        .map_err(|e| e.to_string())
        .and_then(|s| leverage_econ::simulate(&s.inputs).map_err(|e| e.to_string()))
    {
        Ok(p) => ok(json!({"oil_price": q.oil_price, "path": p})),
        Err(e) => fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the tax maneuver cannot be computed: {e}"),
        ),
    }
}

#[derive(Deserialize)]
struct SaveRequest {
    #[serde(default)]
    settings: WhatIf,
    name: String,
    #[serde(default)]
    overwrite: bool,
}

/// A file name the client may give: letters, digits, `-`, `_` and `.`, not starting with a
/// dot, at most 64 characters, ending in `.toml` (added when missing). Never a path.
pub fn file_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    let ok_chars = n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if n.is_empty() || n.len() > 64 || !ok_chars || n.starts_with('.') || n.contains("..") {
        return Err(format!(
            "{name:?} is not a file name: use letters, digits, `-`, `_` and `.` (at most 64, not starting with a dot); the folder is fixed when the server starts"
        ));
    }
    Ok(if n.ends_with(".toml") {
        n.to_string()
    } else {
        format!("{n}.toml")
    })
}

async fn save(
    State(app): State<Shared>,
    req: Result<axum::Json<SaveRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let req = match body(req) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let name = match file_name(&req.name) {
        Ok(n) => n,
        Err(e) => {
            return bad_settings(vec![inputs::FieldError {
                field: "name".into(),
                message: e,
                at: String::new(),
            }]);
        }
    };
    let a = app.clone();
    let out = tokio::task::spawn_blocking(move || {
        let (text, loaded) = inputs::edited_case(&a.case, &req.settings).map_err(bad_settings)?;
        let path = a.opts.save_dir.join(&name);
        if path.exists() && !req.overwrite {
            return Err(secured(
                (
                    StatusCode::CONFLICT,
                    axum::Json(json!({
                        "error": format!("{name} already exists; nothing was written (confirm to overwrite it)"),
                        "exists": true,
                    })),
                )
                    .into_response(),
            ));
        }
        let header = format!(
            "# Written by `leverage serve`: case {} with a what-if ({}).\n",
            a.case.case.id,
            if req.settings.is_empty() {
                "none".to_string()
            } else {
                req.settings
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        let tmp = a.opts.save_dir.join(format!(".{name}.tmp-{}", std::process::id()));
        std::fs::write(&tmp, format!("{header}{text}"))
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                fail(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot write {name}: {e}"))
            })?;
        Ok::<_, Response>(json!({
            "saved": name,
            "case_hash": leverage_sim::pipeline::case_hash(&loaded.case).unwrap_or_default(),
            "warnings": loaded.warnings.len(),
        }))
    })
    .await;
    match out {
        Ok(Ok(v)) => ok(v),
        Ok(Err(r)) => r,
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn open_store(app: &App) -> Result<leverage_store::Store, Response> {
    let Some(p) = &app.opts.store else {
        return Err(fail(StatusCode::NOT_FOUND, "no run store was given".into()));
    };
    if !p.exists() {
        return Err(fail(
            StatusCode::NOT_FOUND,
            "the run store holds no runs yet (run `leverage simulate` to save one)".into(),
        ));
    }
    leverage_store::Store::open_read_only(p).map_err(|e| fail(StatusCode::NOT_FOUND, e.to_string()))
}

async fn blocking(f: impl FnOnce() -> Result<Value, Response> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => ok(v),
        Ok(Err(r)) => r,
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn runs_list(State(app): State<Shared>) -> Response {
    blocking(move || {
        if app.opts.store.as_ref().is_none_or(|p| !p.exists()) {
            return Ok(json!([]));
        }
        let s = open_store(&app)?;
        let list = s
            .list()
            .map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        Ok(json!(list))
    })
    .await
}

fn run_ref(s: &str) -> Result<leverage_store::RunRef, Response> {
    s.parse()
        .map_err(|e: leverage_store::StoreError| fail(StatusCode::BAD_REQUEST, e.to_string()))
}

async fn run_show(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    blocking(move || {
        let r = run_ref(&id)?;
        let s = open_store(&app)?;
        let run = s
            .show(r)
            .map_err(|e| fail(StatusCode::NOT_FOUND, e.to_string()))?;
        let bytes = s
            .bundle(leverage_store::RunRef::Id(run.id))
            .map_err(|e| fail(StatusCode::NOT_FOUND, e.to_string()))?;
        let case = run
            .extras
            .get("case")
            .and_then(leverage_sim::links::load_archive)
            .and_then(Result::ok);
        let bundle = bytes.and_then(|b| leverage_sim::pipeline::Bundle::decode(&b).ok());
        let sections = match (&case, &bundle) {
            (Some(c), Some(_)) => app
                .engine
                .pool()
                .install(|| panel_sections(&c.case, bundle.as_ref())),
            _ => json!([]),
        };
        Ok(json!({
            "id": run.id,
            "created": run.created,
            "case_id": run.meta.case_id,
            "case_title": run.meta.case_title,
            "seed": run.meta.seed,
            "n_draws": run.meta.n_draws,
            "scenarios": run.meta.scenarios,
            "aggregates": run.aggregates,
            "sections": sections,
            "renderable": case.is_some() && bundle.is_some(),
        }))
    })
    .await
}

#[derive(Deserialize)]
struct DiffQuery {
    a: String,
    b: String,
}

async fn runs_diff(
    State(app): State<Shared>,
    q: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e.body_text()),
    };
    blocking(move || {
        let (a, b) = (run_ref(&q.a)?, run_ref(&q.b)?);
        let s = open_store(&app)?;
        let d = s
            .diff(a, b)
            .map_err(|e| fail(StatusCode::NOT_FOUND, e.to_string()))?;
        Ok(json!(d))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_names_never_paths() {
        assert_eq!(file_name("what-if").unwrap(), "what-if.toml");
        assert_eq!(file_name("a_b.1.toml").unwrap(), "a_b.1.toml");
        for bad in [
            "",
            "..",
            "../x",
            "/etc/passwd",
            "a/b",
            "a\\b",
            ".hidden",
            "a..b",
            "C:x",
            "x y",
            &"n".repeat(65),
        ] {
            assert!(file_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_report_section_has_a_panel() {
        for id in [
            "summary",
            "simulation",
            "subsidy",
            "forecasts",
            "game",
            "actors",
        ] {
            assert_ne!(panel_of(id), "");
        }
        assert_eq!(panel_of("maneuver"), "deal");
    }
}
