// The dashboard of `leverage serve`: plain JavaScript, no library, nothing loaded from elsewhere.
// It asks the server's JSON API (docs/serve.md) and lays out what comes back.
"use strict";

const state = {
  case: null,
  controls: [],
  settings: {}, // parameter id -> number or option name
  seq: 0,
  client: Math.random().toString(36).slice(2),
  inflight: [],
  timer: null,
  last: null,
  panelSeq: 0,
};

const $ = (s) => document.querySelector(s);
const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const pct = (x) => (100 * x).toFixed(1);

async function api(path, body, signal) {
  const opts = body === undefined ? { signal } : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  };
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (_) { data = { error: r.statusText }; }
  return { status: r.status, data };
}

function status(text, busy) {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("busy", !!busy);
}

function scenarioTitle(id) {
  const s = state.case && state.case.scenarios.find((x) => x.id === id);
  return s ? s.title || id : id;
}

// ---- controls ------------------------------------------------------------------------------

function fmt(x) {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(4)).toString();
}

function step(c) {
  const span = c.max - c.min;
  if (span <= 0) return 1;
  const s = Math.pow(10, Math.floor(Math.log10(span)) - 2);
  return s;
}

function buildControls() {
  const box = $("#controls");
  box.innerHTML = "";
  for (const group of ["uncertain", "structural", "fixed"]) {
    const cs = state.controls.filter((c) => c.group === group);
    if (!cs.length) continue;
    const h = document.createElement("h3");
    h.className = "group-title";
    h.textContent = group === "fixed" ? "levers and fixed values" : group + " inputs";
    box.appendChild(h);
    for (const c of cs) box.appendChild(control(c));
  }
}

function control(c) {
  const d = document.createElement("div");
  d.className = "ctl";
  d.dataset.id = c.id;
  d.dataset.search = (c.id + " " + c.description + " " + c.feeds.map((f) => f.key + " " + f.mechanism).join(" ")).toLowerCase();
  const feeds = c.feeds.map((f) => `[${f.table}] ${f.key}`).join(", ");
  d.title = c.description + (feeds ? "\nFeeds " + feeds : "");
  let html = `<label for="c-${esc(c.id)}">${esc(c.id)}</label><div class="d">${esc(c.dist)}${c.unit ? " · " + esc(c.unit) : ""}</div>`;
  if (c.options) {
    html += `<select id="c-${esc(c.id)}"><option value="">as in the case (${esc(c.dist)})</option>` +
      c.options.map((o) => `<option value="${esc(o)}">${esc(o)}</option>`).join("") + `</select>`;
  } else {
    const v = Math.min(c.max, Math.max(c.min, c.central));
    html += `<input id="c-${esc(c.id)}" type="range" min="${c.min}" max="${c.max}" step="${step(c)}" value="${v}">` +
      `<input type="number" min="${c.min}" max="${c.max}" step="any" value="${fmt(v)}" aria-label="${esc(c.id)} value">`;
  }
  html += ` <button type="button" class="reset" hidden>reset</button><p class="err" data-field="${esc(c.id)}"></p>`;
  d.innerHTML = html;
  const reset = d.querySelector(".reset");
  const set = (v) => {
    if (v === null) delete state.settings[c.id];
    else state.settings[c.id] = v;
    d.classList.toggle("set", v !== null);
    reset.hidden = v === null;
    d.querySelector(".err").textContent = "";
    schedule();
  };
  if (c.options) {
    const sel = d.querySelector("select");
    sel.addEventListener("change", () => set(sel.value === "" ? null : sel.value));
    reset.addEventListener("click", () => { sel.value = ""; set(null); });
  } else {
    const [range, num] = d.querySelectorAll("input");
    range.addEventListener("input", () => { num.value = fmt(Number(range.value)); set(Number(range.value)); });
    num.addEventListener("change", () => {
      const x = Number(num.value);
      if (num.value === "" || !Number.isFinite(x)) return;
      range.value = x;
      set(x);
    });
    reset.addEventListener("click", () => {
      const v = Math.min(c.max, Math.max(c.min, c.central));
      range.value = v; num.value = fmt(v); set(null);
    });
  }
  return d;
}

function showFieldErrors(errors) {
  document.querySelectorAll(".err[data-field]").forEach((e) => (e.textContent = ""));
  const general = [];
  for (const e of errors || []) {
    const el = document.querySelector(`.err[data-field="${CSS.escape(e.field)}"]`);
    const text = e.message + (e.at ? ` (case text ${e.at})` : "");
    if (el && e.field) el.textContent = text; else general.push(text);
  }
  return general;
}

// ---- the live ensemble -----------------------------------------------------------------------

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(recompute, 120);
}

function whatIfText() {
  const ks = Object.keys(state.settings);
  return ks.length ? "What-if: " + ks.map((k) => `${k} = ${state.settings[k]}`).join(", ") + "." : "The case as given.";
}

async function recompute() {
  for (const c of state.inflight) c.abort();
  state.inflight = [];
  const seq = ++state.seq;
  const seed = Number($("#seed").value) || 0;
  const d = state.case.defaults;
  $("#whatif-note").textContent = whatIfText();
  for (const draws of [d.quick_draws, d.refined_draws]) {
    const ctl = new AbortController();
    state.inflight.push(ctl);
    status(`Computing ${draws.toLocaleString("en")} draws…`, true);
    const t0 = performance.now();
    let r;
    try {
      r = await api("/api/run", { settings: state.settings, seed, draws, client: state.client, seq }, ctl.signal);
    } catch (e) {
      return; // aborted by a newer change
    }
    if (seq !== state.seq) return;
    if (r.status === 409) return;
    if (r.status !== 200) {
      const general = showFieldErrors(r.data.errors);
      status("Not computed: " + (general.join("; ") || r.data.error), false);
      return;
    }
    render(r.data, performance.now() - t0);
  }
}

function render(run, ms) {
  state.last = run;
  const e = run.result.ensemble;
  const last = e.probabilities[e.probabilities.length - 1] || [];
  const tb = $("#probs tbody");
  tb.innerHTML = e.scenarios.map((s, k) => {
    const p = last[k];
    if (!p || (s === "unclassified" && p.count === 0)) return "";
    const w = (x) => (100 * x).toFixed(2);
    return `<tr data-scenario="${esc(s)}"><td>${esc(scenarioTitle(s))}</td>` +
      `<td class="n p" data-p="${p.p}">${pct(p.p)} %</td><td class="n">${pct(p.lo)}–${pct(p.hi)} %</td>` +
      `<td class="bar"><span style="width:${w(p.lo)}%"></span><i style="width:${w(p.hi - p.lo)}%"></i></td></tr>`;
  }).join("");
  const st = $("#status");
  st.dataset.draws = e.draws;
  st.dataset.seq = run.seq;
  st.dataset.seed = e.seed;
  status(`${e.draws.toLocaleString("en")} draws, seed ${e.seed}, horizon ${e.years[e.years.length - 1]}: computed in ${run.elapsed_ms.toFixed(0)} ms (${ms.toFixed(0)} ms with the request).`, e.draws < state.case.defaults.refined_draws);
  // By year.
  const by = $("#by-year");
  const shown = e.scenarios.map((s, k) => k).filter((k) => e.scenarios[k] !== "unclassified" || e.probabilities.some((r) => r[k].count > 0));
  by.innerHTML = `<thead><tr><th>scenario</th>${e.years.map((y) => `<th>${y}</th>`).join("")}</tr></thead><tbody>` +
    shown.map((k) => `<tr><td>${esc(scenarioTitle(e.scenarios[k]))}</td>${e.probabilities.map((r) => `<td class="n">${pct(r[k].p)}</td>`).join("")}</tr>`).join("") + "</tbody>";
  // Paths: runs of years in one scenario.
  const runs = (seqn) => {
    const out = [];
    seqn.scenarios.forEach((s, i) => {
      const y = e.years[i];
      if (out.length && out[out.length - 1][0] === s) out[out.length - 1][2] = y; else out.push([s, y, y]);
    });
    return out.map(([s, a, b]) => `${scenarioTitle(s)} ${a === b ? a : a + "–" + b}`).join(" → ");
  };
  $("#paths").innerHTML = `<thead><tr><th>path</th><th>share</th></tr></thead><tbody>` +
    e.sequences.slice(0, 10).map((q) => `<tr><td>${esc(runs(q))}</td><td class="n">${pct(q.p.p)} %</td></tr>`).join("") +
    `</tbody><caption class="hint">${e.distinct_sequences} distinct paths.</caption>`;
}

// ---- the report's panels ---------------------------------------------------------------------

function showSections(sections, only) {
  const by = {};
  for (const s of sections) (by[s.panel] = by[s.panel] || []).push(s);
  document.querySelectorAll(".sections[data-panel]").forEach((box) => {
    const p = box.dataset.panel;
    if (only && !only.includes(p)) return;
    box.innerHTML = (by[p] || []).map((s) => `<section id="s-${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.html}</section>`).join("") ||
      (p === "sensitivity" ? "" : "<p class=\"hint\">Nothing for this case.</p>");
  });
}

async function loadPanels(sensitivity) {
  const note = $("#panels-status");
  note.textContent = sensitivity ? "Computing the sensitivity analysis…" : "Computing the panels…";
  const seed = Number($("#seed").value) || 0;
  const mine = ++state.panelSeq;
  const r = await api("/api/panels", { settings: state.settings, seed, draws: 10000, sensitivity });
  if (mine !== state.panelSeq) return; // a newer request for the panels was made meanwhile
  if (r.status !== 200) {
    showFieldErrors(r.data.errors);
    note.textContent = "Not computed: " + r.data.error;
    return;
  }
  showSections(r.data.sections, sensitivity ? ["sensitivity", "summary"] : null);
  note.textContent = `Panels: ${whatIfText()} 10 000 draws, seed ${seed}, ${(r.data.elapsed_ms / 1000).toFixed(1)} s.`;
  document.body.dataset.panels = sensitivity ? "sensitivity" : "ready";
}

// ---- the deal: the maneuver at any oil price -------------------------------------------------

async function maneuver() {
  const p = Number($("#oil").value);
  $("#oil-out").textContent = p;
  const r = await api(`/api/maneuver?oil_price=${p}`);
  const t = $("#maneuver");
  if (r.status !== 200) { t.innerHTML = `<tr><td>${esc(r.data.error)}</td></tr>`; return; }
  const ys = r.data.path.years;
  const f = (x) => (x === null || x === undefined ? "" : x.toFixed(2));
  t.innerHTML = `<thead><tr><th>year</th><th>duty multiplier</th><th>crude dearer, USD/t</th><th>volume, Mt</th><th>loss, USD bn</th><th>refineries</th><th>budget</th><th>loss, % GDP</th></tr></thead><tbody>` +
    ys.map((y) => `<tr><td>${y.year}</td><td class="n">${f(y.multiplier)}</td><td class="n">${f(y.dearer_usd_t)}</td><td class="n">${f(y.volume_mt)}</td><td class="n">${f(y.loss_usd_bn)}</td><td class="n">${f(y.refineries_usd_bn)}</td><td class="n">${f(y.budget_usd_bn)}</td><td class="n">${f(y.loss_pct_gdp)}</td></tr>`).join("") +
    `<tr><th>total</th><td></td><td></td><td></td><th class="n">${f(r.data.path.cumulative_usd_bn)}</th><td class="n">${f(r.data.path.cumulative_refineries_usd_bn)}</td><td class="n">${f(r.data.path.cumulative_budget_usd_bn)}</td><td></td></tr></tbody>`;
}

// ---- saving ----------------------------------------------------------------------------------

async function save(overwrite) {
  $("#save-msg").textContent = "";
  $("#overwrite").hidden = true;
  const name = $("#save-name").value;
  const r = await api("/api/save", { settings: state.settings, name, overwrite });
  if (r.status === 200) {
    showFieldErrors([]);
    $("#save-msg").textContent = `Saved ${r.data.saved} (validated; ${r.data.warnings} warning(s)).`;
    $("#save-msg").dataset.saved = r.data.saved;
  } else if (r.status === 409 && r.data.exists) {
    $("#save-msg").textContent = r.data.error;
    $("#overwrite").hidden = false;
  } else {
    const general = showFieldErrors(r.data.errors);
    $("#save-msg").textContent = general.length ? general.join("; ") : "Not saved: see the fields marked.";
  }
}

// ---- runs ------------------------------------------------------------------------------------

async function loadRuns() {
  const r = await api("/api/runs");
  const t = $("#runs");
  if (r.status !== 200 || !r.data.length) {
    t.innerHTML = `<tr><td>${esc((r.data && r.data.error) || "No stored runs.")}</td></tr>`;
    return;
  }
  t.innerHTML = `<thead><tr><th></th><th>run</th><th>created</th><th>case</th><th>seed</th><th>draws</th><th>version</th><th></th></tr></thead><tbody>` +
    r.data.map((x) => `<tr data-run="${x.id}"><td><input type="checkbox" value="${x.id}" aria-label="tick run ${x.id}"></td><td>${x.id}</td><td>${esc(x.created)}</td><td>${esc(x.case_id)}</td><td>${x.seed}</td><td>${x.n_draws}</td><td>${esc(x.version)}</td><td><button type="button" class="open" data-run="${x.id}">open</button></td></tr>`).join("") + "</tbody>";
  t.querySelectorAll("input[type=checkbox]").forEach((c) => c.addEventListener("change", () => {
    $("#diff").disabled = t.querySelectorAll("input:checked").length !== 2;
  }));
  t.querySelectorAll("button.open").forEach((b) => b.addEventListener("click", () => openRun(b.dataset.run)));
}

async function openRun(id) {
  const v = $("#run-view");
  v.innerHTML = "<p class=\"hint\">Loading…</p>";
  const r = await api(`/api/runs/${encodeURIComponent(id)}`);
  if (r.status !== 200) { v.innerHTML = `<p class="err">${esc(r.data.error)}</p>`; return; }
  const x = r.data;
  const keep = ["summary", "simulation", "watch"];
  v.innerHTML = `<h2 id="run-title" data-run="${x.id}">Run ${x.id}: ${esc(x.case_title)}</h2><p class="meta">${esc(x.created)} · seed ${x.seed} · ${x.n_draws} draws</p>` +
    (x.renderable ? x.sections.filter((s) => keep.includes(s.id)).map((s) => `<section><h3>${esc(s.title)}</h3>${s.html}</section>`).join("")
      : "<p>This run keeps no results to render (saved by an older version).</p>");
}

async function diffRuns() {
  const ids = [...document.querySelectorAll("#runs input:checked")].map((c) => c.value);
  const out = $("#diff-out");
  const r = await api(`/api/runs/diff?a=${ids[0]}&b=${ids[1]}`);
  if (r.status !== 200) { out.innerHTML = `<p class="err">${esc(r.data.error)}</p>`; return; }
  const d = r.data;
  const rows = [];
  const j = (x) => (typeof x === "string" ? x : JSON.stringify(x));
  for (const m of d.meta) rows.push([m.field, j(m.a), j(m.b)]);
  for (const p of d.parameters) rows.push(["parameter " + p.path, p.old === null ? "—" : j(p.old), p.new === null ? "—" : j(p.new)]);
  const changed = d.aggregates.filter((x) => x.delta !== 0);
  // The scenario probabilities first: they are what a reader compares.
  changed.sort((x, y) => (y.path.includes("probabilit") - x.path.includes("probabilit")) || Math.abs(y.delta) - Math.abs(x.delta));
  for (const a of changed.slice(0, 60)) rows.push([a.path, fmt(a.a), fmt(a.b)]);
  out.innerHTML = `<h3>Run ${ids[0]} against run ${ids[1]}</h3>` + (rows.length
    ? `<table id="diff-table"><thead><tr><th>what</th><th>run ${ids[0]}</th><th>run ${ids[1]}</th></tr></thead><tbody>${rows.slice(0, 200).map((r) => `<tr><td>${esc(r[0])}</td><td>${esc(r[1])}</td><td>${esc(r[2])}</td></tr>`).join("")}</tbody></table>`
    : `<p id="diff-table">The two runs are the same.</p>`);
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("#tabs button").forEach((x) => x.classList.toggle("on", x === b));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("on", p.id === "panel-" + b.dataset.tab));
    if (b.dataset.tab === "runs") loadRuns();
  }));
  const c = await api("/api/case");
  state.case = c.data;
  document.title = `${c.data.title} · leverage serve`;
  $("#title").textContent = c.data.title;
  $("#meta").textContent = `Case ${c.data.id} · as of ${c.data.as_of} · horizon ${c.data.horizon} · ${c.data.patron} and ${c.data.client}`;
  $("#seed").value = c.data.defaults.seed;
  const i = await api("/api/inputs");
  state.controls = i.data;
  buildControls();
  $("#filter").addEventListener("input", () => {
    const q = $("#filter").value.toLowerCase();
    document.querySelectorAll(".ctl").forEach((d) => (d.hidden = q && !d.dataset.search.includes(q)));
  });
  $("#seed").addEventListener("change", schedule);
  $("#reset-all").addEventListener("click", () => { state.settings = {}; buildControls(); schedule(); });
  $("#save").addEventListener("click", () => save(false));
  $("#overwrite").addEventListener("click", () => save(true));
  $("#refresh-panels").addEventListener("click", () => loadPanels(false));
  $("#run-sensitivity").addEventListener("click", () => loadPanels(true));
  $("#diff").addEventListener("click", diffRuns);
  $("#oil").addEventListener("input", maneuver);
  maneuver();
  await recompute();
  await loadPanels(false);
  // The summary's drivers come from the sensitivity analysis: compute it once in the background
  // (`?auto=0` leaves it to the button).
  if (new URLSearchParams(location.search).get("auto") !== "0") loadPanels(true);
}

start();
