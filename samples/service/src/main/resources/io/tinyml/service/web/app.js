// The service's web page: plain JavaScript and SVG, no external resources.
"use strict";
const $ = (id) => document.getElementById(id);
const streams = new Map();
let key = localStorage.getItem("tinyml-api-key") || "";

function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + key }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers })).then(async (r) => {
    const type = r.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await r.json() : await r.text();
    if (!r.ok) throw new Error((body && body.error) || r.status + " " + r.statusText);
    return body;
  });
}

function text(tag, value, attrs = {}) {
  const e = document.createElement(tag);
  e.textContent = value;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

async function loadAccount() {
  $("api-key").value = key;
  if (!key) { $("account").textContent = "enter an API key"; return; }
  try {
    const s = await api("/api/subscription");
    $("account").textContent = s.user + " · " + s.tier + " · " + s.optimizations_used + "/"
      + (s.optimizations_limit < 0 ? "∞" : s.optimizations_limit) + " jobs this month";
    const projects = (await api("/api/projects")).projects;
    const sel = $("project");
    sel.replaceChildren(...projects.map((p) => text("option", p.name + " (#" + p.id + ")", { value: p.id })));
    await refreshJobs();
  } catch (e) {
    $("account").textContent = e.message;
  }
}

async function loadChoices() {
  const t = (await api("/api/hardware-targets")).hardware_targets;
  $("hardware_target").replaceChildren(...t.map((x) => text("option", x.value + " — " + x.name, { value: x.value })));
  const f = (await api("/api/model-frameworks")).model_frameworks;
  $("model_framework").replaceChildren(...f.map((x) => text("option", x.name, { value: x.value })));
}

async function refreshJobs() {
  const jobs = (await api("/api/jobs")).jobs;
  const rows = $("job-rows");
  rows.replaceChildren(...jobs.map(jobRow));
  for (const j of jobs) if (j.status === "pending" || j.status === "processing") follow(j.job_id);
}

function jobRow(j) {
  const tr = document.createElement("tr");
  tr.id = "job-" + j.job_id;
  tr.dataset.status = j.status;
  tr.append(text("td", j.job_id.slice(0, 8)), text("td", j.original_filename || ""), text("td", j.hardware_target));
  tr.append(text("td", j.status, { class: "status status-" + j.status }), text("td", j.stage, { class: "stage" }));
  const bar = document.createElement("td");
  bar.innerHTML = '<span class="bar"><span></span></span> <span class="pct"></span>';
  tr.append(bar);
  const act = document.createElement("td");
  const b = text("button", "Results", { class: "show-results" });
  b.disabled = j.status !== "completed";
  b.addEventListener("click", () => showResults(j.job_id));
  act.append(b);
  tr.append(act);
  setProgress(tr, j.progress_percentage, j.status, j.stage, j.error_message);
  return tr;
}

function setProgress(tr, pct, status, stage, error) {
  tr.querySelector(".bar > span").style.width = pct + "%";
  tr.querySelector(".pct").textContent = pct + " %";
  if (status) {
    tr.dataset.status = status;
    const s = tr.querySelector(".status");
    s.textContent = status;
    s.className = "status status-" + status;
    if (error) s.title = error;
    tr.querySelector(".show-results").disabled = status !== "completed";
  }
  if (stage) tr.querySelector(".stage").textContent = stage;
}

// Server-Sent Events read through fetch, so the request carries the Authorization header.
async function follow(jobId) {
  if (streams.has(jobId)) return;
  streams.set(jobId, true);
  try {
    const r = await fetch("/api/jobs/" + jobId + "/events",
      { headers: { Authorization: "Bearer " + key, Accept: "text/event-stream" } });
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        handleEvent(jobId, buf.slice(0, cut));
        buf = buf.slice(cut + 2);
      }
    }
  } finally {
    streams.delete(jobId);
  }
}

function handleEvent(jobId, block) {
  let name = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  const tr = $("job-" + jobId);
  if (!tr || !data) return;
  const d = JSON.parse(data);
  if (name === "progress") {
    const status = d.stage === "failed" ? "failed" : d.stage === "done" ? "completed" : "processing";
    setProgress(tr, d.progress, status, d.stage);
  } else if (name === "end") {
    setProgress(tr, d.progress_percentage, d.status, d.stage, d.error_message);
  }
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, content) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (content !== undefined) e.textContent = content;
  return e;
}

function fmt(v) {
  if (v === null || v === undefined) return "—";
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(2) + "M";
  if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(1) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function barChart(host, layers, field, color) {
  const w = 1000, rowH = 16, left = 260, h = layers.length * rowH + 30;
  const max = Math.max(...layers.map((l) => l[field]), 1e-12);
  const s = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": field });
  layers.forEach((l, i) => {
    const y = 10 + i * rowH;
    const bw = Math.max(1, (w - left - 90) * l[field] / max);
    s.append(svg("text", { x: left - 6, y: y + 11, "text-anchor": "end", "font-size": 11 }, l.name.slice(-38)));
    const r = svg("rect", { x: left, y: y + 2, width: bw, height: rowH - 4, fill: color });
    r.append(svg("title", {}, `${l.name} (${l.op}): ${l[field]}`));
    s.append(r, svg("text", { x: left + bw + 4, y: y + 11, "font-size": 11 }, fmt(l[field])));
  });
  host.replaceChildren(s);
}

function tradeoffPlot(host, stages) {
  const w = 640, h = 340, m = { l: 70, r: 20, t: 20, b: 50 };
  const pts = stages.map((s) => ({ name: s.name, x: s.size_bytes, y: s.accuracy }));
  const xs = pts.map((p) => p.x), ys = pts.filter((p) => p.y !== null).map((p) => p.y);
  const xmax = Math.max(...xs) * 1.1, ymin = ys.length ? Math.max(0, Math.min(...ys) - 0.05) : 0, ymax = 1;
  const X = (v) => m.l + (w - m.l - m.r) * v / xmax;
  const Y = (v) => h - m.b - (h - m.t - m.b) * (v - ymin) / (ymax - ymin);
  const s = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "accuracy versus size" });
  s.append(svg("line", { x1: m.l, y1: h - m.b, x2: w - m.r, y2: h - m.b, stroke: "#555" }));
  s.append(svg("line", { x1: m.l, y1: m.t, x2: m.l, y2: h - m.b, stroke: "#555" }));
  s.append(svg("text", { x: (w + m.l) / 2, y: h - 12, "text-anchor": "middle", "font-size": 12 }, "model size (bytes)"));
  s.append(svg("text", { x: 14, y: h / 2, "font-size": 12, transform: `rotate(-90 14 ${h / 2})`, "text-anchor": "middle" },
    ys.length ? "top-1 accuracy" : "accuracy not measured (no dataset)"));
  for (let i = 0; i <= 4; i++) {
    const xv = xmax * i / 4, yv = ymin + (ymax - ymin) * i / 4;
    s.append(svg("text", { x: X(xv), y: h - m.b + 16, "text-anchor": "middle", "font-size": 10 }, fmt(xv)));
    s.append(svg("text", { x: m.l - 6, y: Y(yv) + 3, "text-anchor": "end", "font-size": 10 }, yv.toFixed(2)));
  }
  let prev = null;
  for (const p of pts) {
    const y = p.y === null ? h - m.b : Y(p.y);
    if (prev) s.append(svg("line", { x1: prev[0], y1: prev[1], x2: X(p.x), y2: y, stroke: "#9ab", "stroke-dasharray": "4 3" }));
    const c = svg("circle", { cx: X(p.x), cy: y, r: 6, fill: p.y === null ? "#bbb" : "#1f6fb2", class: "point" });
    c.append(svg("title", {}, `${p.name}: ${p.x} bytes, accuracy ${p.y === null ? "not measured" : p.y.toFixed(4)}`));
    s.append(c, svg("text", { x: X(p.x) + 8, y: y - 8, "font-size": 11 }, p.name));
    prev = [X(p.x), y];
  }
  host.replaceChildren(s);
}

async function showResults(jobId) {
  const r = await api("/api/jobs/" + jobId + "/results");
  $("results").hidden = false;
  $("results-job").textContent = jobId;
  const b = r.benchmark_results[0];
  const items = [
    ["original", fmt(r.original_size_bytes) + " B"], ["optimized", fmt(r.optimized_size_bytes) + " B"],
    ["compression", r.compression_ratio + "×"], ["accuracy", fmt(r.accuracy_before) + " → " + fmt(r.accuracy_after)],
    ["flash", fmt(b.flash_usage_bytes) + " B"], ["RAM", fmt(b.ram_usage_bytes) + " B"],
    ["latency", fmt(b.inference_time_ms) + " ms"], ["energy", fmt(b.energy_per_inference_uj) + " µJ"],
    ["fits " + r.hardware_target, b.fits_target ? "yes" : "no"], ["within " + r.target_size_kb + " KB", r.meets_target_size ? "yes" : "no"]];
  $("summary").replaceChildren(...items.map(([k, v]) => { const d = text("div", k); d.prepend(text("b", v)); return d; }));
  barChart($("layer-memory"), r.layers, "live_bytes", "#1f6fb2");
  barChart($("layer-latency"), r.layers, "latency_ms", "#d0822a");
  tradeoffPlot($("tradeoff"), r.stages);
  $("notes").replaceChildren(...r.notes.concat(r.estimate_notes || []).map((n) => text("li", n)));
  const a = $("download");
  a.onclick = async (ev) => {
    ev.preventDefault();
    const res = await fetch(r.download_url, { headers: { Authorization: "Bearer " + key } });
    const url = URL.createObjectURL(await res.blob());
    const link = text("a", "", { href: url, download: "tinyml-" + jobId + ".zip" });
    link.click();
  };
}

$("key-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  key = $("api-key").value.trim();
  localStorage.setItem("tinyml-api-key", key);
  loadAccount();
});

$("optimize-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const msg = $("form-message");
  msg.textContent = "uploading…";
  try {
    let pid = $("project").value;
    const name = $("new-project").value.trim();
    if (name || !pid) {
      pid = (await api("/api/projects", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: name || "Web uploads" }) })).id;
    }
    const form = new FormData();
    form.append("model_file", $("model_file").files[0]);
    if ($("dataset_file").files.length) form.append("dataset_file", $("dataset_file").files[0]);
    for (const f of ["hardware_target", "model_framework", "target_size_kb", "target_accuracy_threshold",
      "quantization_type", "pruning_sparsity"]) form.append(f, $(f).value);
    form.append("enable_quantization", $("enable_quantization").checked);
    form.append("enable_pruning", $("enable_pruning").checked);
    const job = await api("/api/projects/" + pid + "/optimize", { method: "POST", body: form });
    msg.textContent = "job " + job.job_id + " queued";
    await loadAccount();
  } catch (e) {
    msg.textContent = e.message;
  }
});

loadChoices().then(loadAccount);
