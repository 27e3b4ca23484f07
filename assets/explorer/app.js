// The annals explorer: two sliders (valid time "as of", knowledge "as known at") drive
// every panel, each answered by the JSON API of `annals serve` (the page uses nothing
// else). The state lives in the URL (?as_of=&known_at=&actor=), so any view is a link.
// Data is written into the page as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const DAY = 86400000;
// The views drawn as rows, each with its knowledge diff when the knowledge is past; arms
// flows are drawn as totals per pair (`arms --by pair`), with their rows for one actor.
const VIEWS = ["alliances", "deployments", "leaders"];
// Rows drawn per panel (the API cuts there and says so; `actor` narrows the panels).
const ROWS = 60;
const state = { first: 0, last: 0, head: 1, headRecorded: "", asOf: "", known: "now", actor: "" };
let generation = 0;
let placeOf = () => null;
let gantt = null;

// ---- small helpers -------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const dayText = (ms) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (text) => Date.parse(text + "T00:00:00Z");
const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : n === null || n === undefined ? "–" : String(n));
const recordedText = (r) => (r ? r.replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC") : "empty log");

// A URL query with `:` and `,` left readable (known_at=seq:42).
function queryString(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const x of [].concat(v)) {
      parts.push(k + "=" + encodeURIComponent(x).replace(/%3A/gi, ":").replace(/%2C/gi, ","));
    }
  }
  return parts.join("&");
}

async function api(path, params) {
  const response = await fetch(path + "?" + queryString(params || {}));
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

async function all(jobs) {
  const keys = Object.keys(jobs);
  const values = await Promise.all(keys.map((k) => jobs[k]));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

// The earliest and latest day (as UTC ms) of an annals date: YYYY, YYYY-MM, YYYY-MM-DD,
// X digits, a qualifier (?~%) and intervals A/B.
function dateRange(text) {
  const t = String(text || "").replace(/[?~%]$/, "");
  const [a, b] = t.includes("/") ? t.split("/") : [t, t];
  return [pointMs(a, false), pointMs(b, true)];
}

function pointMs(p, late) {
  const [y, m, d] = p.split("-");
  const year = +(late ? y.replace(/X/g, "9") : y.replace(/X/g, "0"));
  if (!m || m === "XX") return late ? Date.UTC(year, 11, 31) : Date.UTC(year, 0, 1);
  if (!d || d === "XX") return late ? Date.UTC(year, +m, 0) : Date.UTC(year, +m - 1, 1);
  return Date.UTC(year, +m - 1, +d);
}

// ---- URL and sliders -----------------------------------------------------------------

function readUrl() {
  const q = new URLSearchParams(location.search);
  state.asOf = q.get("as_of") || dayText(state.last);
  state.known = q.get("known_at") || "now";
  state.actor = (q.get("actor") || "").toUpperCase();
  $("actor").value = state.actor;
}

function writeUrl() {
  const known = state.known === "now" ? undefined : state.known;
  const q = queryString({ as_of: state.asOf, known_at: known, actor: state.actor });
  history.replaceState(null, "", location.pathname + "?" + q);
}

// Put the sliders where the answer's basis says (a URL may say 2024-11 or 2024-11-01).
function placeSliders(basis) {
  const asOf = $("as-of");
  asOf.value = Math.round((dayMs(basis.as_of) - state.first) / DAY);
  $("as-of-label").textContent = basis.as_of;
  $("known-at").value = basis.known_at.seq;
  const now = state.known === "now" ? " (now)" : "";
  $("known-at-label").textContent =
    `seq ${basis.known_at.seq}, recorded ${recordedText(basis.known_at.recorded)}${now}`;
}

function onAsOf() {
  const t0 = performance.now();
  state.asOf = dayText(state.first + Number($("as-of").value) * DAY);
  $("as-of-label").textContent = state.asOf;
  writeUrl();
  update(t0);
}

function onKnown() {
  const t0 = performance.now();
  const seq = Number($("known-at").value);
  state.known = seq >= state.head ? "now" : "seq:" + seq;
  writeUrl();
  update(t0);
}

function onActor() {
  state.actor = $("actor").value.trim().toUpperCase();
  writeUrl();
  update(performance.now());
}

function onNow() {
  state.known = "now";
  writeUrl();
  update(performance.now());
}

// ---- one update: every panel from one as-of and knowledge ----------------------------

async function update(t0) {
  const gen = ++generation;
  const q = { as_of: state.asOf, known_at: state.known, actor: state.actor };
  const past = state.known !== "now";
  const jobs = {
    timeline: api("/api/timeline", { around: state.asOf, known_at: state.known, actor: state.actor, limit: 15 }),
    totals: api("/api/views/arms", { ...q, by: "pair", limit: ROWS }),
    places: api("/api/places", { ...q, limit: ROWS }),
  };
  if (state.actor) jobs.arms = api("/api/views/arms", { ...q, limit: ROWS });
  if (past) jobs.totalsNow = api("/api/views/arms", { ...q, known_at: "now", by: "pair", limit: ROWS });
  for (const v of VIEWS) jobs[v] = api("/api/views/" + v, { ...q, limit: ROWS });
  if (past) {
    for (const v of VIEWS) {
      jobs["diff_" + v] = api("/api/diff", { view: v, as_of: state.asOf, known_at: [state.known, "now"] });
    }
  }
  let r;
  try {
    r = await all(jobs);
  } catch (e) {
    if (gen === generation) failed(e);
    return;
  }
  if (gen !== generation) return;
  render(r, past);
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  if (gen !== generation) return;
  const ms = performance.now() - t0;
  document.body.dataset.renderMs = ms.toFixed(1);
  document.body.dataset.generation = String(gen);
  $("status").className = "";
  $("status").textContent = `answered in ${ms.toFixed(0)} ms`;
}

function failed(e) {
  $("status").className = "error";
  $("status").textContent = e.message;
  document.body.dataset.error = e.message;
}

function render(r, past) {
  delete document.body.dataset.error;
  placeSliders(r.deployments);
  pastNote(r.deployments, past);
  const d = (v) => diffIndex(past ? r["diff_" + v] : null);
  renderAlliances(r.alliances.rows, d("alliances"));
  renderDeployments(r.deployments.rows, d("deployments"), r.places.places);
  renderArms(r.arms ? r.arms.rows : [], r.totals, past ? r.totalsNow : null);
  renderLeaders(r.leaders.rows, d("leaders"));
  cutNote(r);
  renderTimeline(r.timeline.events);
  if (gantt) showGantt(gantt);
}

// Say which panels show only their first rows.
function cutNote(r) {
  const cut = VIEWS.concat(["totals"]).filter((v) => r[v].truncated);
  $("status").dataset.cut = cut.join(",");
  $("cut-note").hidden = !cut.length;
  $("cut-note").textContent = cut.length
    ? `Showing the first ${ROWS} rows of ${cut.join(", ")}; choose an actor to see all of theirs.` : "";
}

function pastNote(basis, past) {
  const note = $("past-note");
  note.hidden = !past;
  document.body.classList.toggle("past", past);
  if (!past) return;
  note.textContent =
    `As known at seq ${basis.known_at.seq} (${recordedText(basis.known_at.recorded)}). ` +
    `Highlighted: what differs from what is known now (seq ${state.head}, ${recordedText(state.headRecorded)}).`;
}

// ---- knowledge: what differs from now ------------------------------------------------

// A knowledge diff (then → now) by the rows known then.
function diffIndex(d) {
  const idx = { changed: new Map(), removed: new Set(), added: [] };
  if (!d) return idx;
  for (const c of d.changed) idx.changed.set(JSON.stringify(c.from), c.to);
  for (const row of d.removed) idx.removed.add(JSON.stringify(row));
  idx.added = d.added;
  return idx;
}

// "12,000 now, 8,000 then" for one field of a row known then, or null when unchanged.
function nowThen(idx, row, field, fmt) {
  const now = idx.changed.get(JSON.stringify(row));
  if (!now) return null;
  const [a, b] = [fmt(now[field]), fmt(row[field])];
  return a === b ? null : h("span", { class: "now-then" }, `${a} now, ${b} then`);
}

function rowClass(idx, row) {
  const key = JSON.stringify(row);
  if (idx.changed.has(key)) return "changed";
  if (idx.removed.has(key)) return "gone";
  return "";
}

function goneNote(idx, row) {
  return idx.removed.has(JSON.stringify(row)) ? h("span", { class: "now-then" }, "not so now") : null;
}

function table(id, head, rows) {
  $(id).replaceChildren(
    h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: head.length, class: "note" }, "(none)"))),
  );
}

// ---- panels --------------------------------------------------------------------------

function renderAlliances(rows, idx) {
  const list = rows.map((row) => {
    const members = (r) => `${r.members.length} members`;
    const now = idx.changed.get(JSON.stringify(row));
    return h("li", { class: rowClass(idx, row), "data-alliance": row.alliance },
      h("button", { type: "button", onclick: () => showGantt(row.alliance), title: "Membership over time" },
        h("b", {}, row.alliance), " ", h("span", { class: "count" }, members(row))),
      now ? h("span", { class: "now-then" }, `${now.members.length} now, ${row.members.length} then`) : goneNote(idx, row),
      h("div", { class: "members" }, row.members.map((m) => h("span", { class: "chip" + (row.leaving[m] ? " leaving" : "") }, m))));
  });
  for (const row of idx.added) {
    list.push(h("li", { class: "added" }, h("b", {}, row.alliance), " ", h("span", { class: "now-then" }, "known only later")));
  }
  $("alliances").replaceChildren(...(list.length ? list : [h("li", { class: "note" }, "(none)")]));
}

// A deployment is drawn where its latest report places it (its event's location), else
// at its host's position.
function renderDeployments(rows, idx, places) {
  const items = [];
  const missing = new Set();
  const reported = new Map(places.map((p) => [`${p.actor}/${p.host}/${p.region || ""}`, p]));
  const line = (row, cls, badge) => {
    const place = reported.get(`${row.actor}/${row.host}/${row.region || ""}`);
    const at = place ? AnnalsMap.project([place.lon, place.lat]) : placeOf(row.host);
    if (!at) missing.add(row.host);
    items.push({ at, value: row.strength, key: `${row.actor}/${row.host}/${row.region || ""}`, changed: cls === "changed",
      label: `${row.actor} in ${row.host}${row.region ? " (" + row.region + ")" : ""}: ${num(row.strength)}` });
    return h("tr", { class: cls, "data-key": `${row.actor}/${row.host}/${row.region || ""}` },
      h("td", {}, row.actor), h("td", {}, row.host), h("td", {}, row.region || ""),
      h("td", { class: "num" }, num(row.strength), badge || nowThen(idx, row, "strength", num) || goneNote(idx, row)),
      h("td", {}, row.since), h("td", {}, row.reported));
  };
  const trs = rows.map((row) => line(row, rowClass(idx, row)));
  for (const row of idx.added) trs.push(line(row, "added", h("span", { class: "now-then" }, "known only later")));
  table("deployments", ["Actor", "Host", "Region", "Strength", "Since", "Reported"], trs);
  AnnalsMap.circles($("map"), items.filter((i) => i.at));
  const names = [...missing];
  const more = names.length > 12 ? ` and ${names.length - 12} more` : "";
  $("map-note").textContent = names.length
    ? `Not on the map (no position for ${names.slice(0, 12).join(", ")}${more}; see centroids.json).` : "";
}

// Arms flows: the totals per pair as of the date (compared with the totals known now when
// the knowledge is past), and with an actor chosen, its flows item by item.
function renderArms(rows, totals, now) {
  const nowOf = new Map(((now && now.rows) || []).map((t) => [t.group, t]));
  // Pairs missing on one side are told only when neither list was cut.
  const complete = now && !now.truncated && !totals.truncated;
  const trs = totals.rows.map((t) => {
    const n = nowOf.get(t.group);
    const differs = now && (n ? n.quantity !== t.quantity || n.transfers !== t.transfers : complete);
    const badge = differs ? h("span", { class: "now-then" }, n ? `${num(n.quantity)} now, ${num(t.quantity)} then` : "not so now") : null;
    return h("tr", { class: differs ? "changed" : "", "data-group": t.group },
      h("td", {}, t.group.replace("/", " → ")), h("td", { class: "num" }, num(t.transfers)),
      h("td", { class: "num" }, num(t.quantity), badge), h("td", { class: "num" }, num(t.delivered)));
  });
  if (complete) {
    const then = new Set(totals.rows.map((t) => t.group));
    for (const n of now.rows.filter((n) => !then.has(n.group))) {
      trs.push(h("tr", { class: "added" }, h("td", {}, n.group.replace("/", " → ")), h("td", { class: "num" }, num(n.transfers)),
        h("td", { class: "num" }, num(n.quantity), h("span", { class: "now-then" }, "known only later")), h("td", {})));
    }
  }
  for (const row of rows) {
    trs.push(h("tr", { class: "item" }, h("td", {}, row.item), h("td", { class: "num" }, num(row.transfers)),
      h("td", { class: "num" }, num(row.quantity)), h("td", { class: "num" }, num(row.delivered))));
  }
  table("arms", ["Supplier → recipient", "Transfers", "Quantity", "Delivered"], trs);
}

function renderLeaders(rows, idx) {
  const trs = rows.map((row) => h("tr", { class: rowClass(idx, row) },
    h("td", {}, row.actor), h("td", {}, row.office),
    h("td", {}, row.person, nowThen(idx, row, "person", String) || goneNote(idx, row)), h("td", {}, row.since)));
  for (const row of idx.added) {
    trs.push(h("tr", { class: "added" }, h("td", {}, row.actor), h("td", {}, row.office),
      h("td", {}, row.person, h("span", { class: "now-then" }, "known only later")), h("td", {}, row.since)));
  }
  table("leaders", ["Actor", "Office", "Person", "Since"], trs);
}

// ---- timeline and events -------------------------------------------------------------

function mark(e) {
  if (e.status === "corrected") return `corrected by seq ${e.by}`;
  if (e.status === "retracted") return "retracted";
  if (e.status === "superseded") return "superseded correction";
  if (e.status === "retraction") return `retraction of seq ${e.by}`;
  if (e.changes && e.changes.length) return `correction of seq ${e.by}: ${e.changes.map((c) => c.field).join(", ")}`;
  return null;
}

function renderTimeline(events) {
  const asOf = dayMs(state.asOf);
  let nearest = null;
  const items = events.map((e) => {
    const m = mark(e);
    const li = h("li", { class: "status-" + e.status, "data-seq": e.seq, tabindex: 0,
      onclick: () => showEvent(e.id), onkeydown: (k) => k.key === "Enter" && showEvent(e.id) },
      h("time", {}, e.date || ""), " ", h("span", { class: "kind" }, e.kind.replace(/_/g, " ")), " ",
      e.summary || "", m ? h("span", { class: "mark" }, m) : null);
    if (e.date && dateRange(e.date)[0] <= asOf) nearest = li;
    return li;
  });
  if (nearest) nearest.classList.add("here");
  $("timeline").replaceChildren(...(items.length ? items : [h("li", { class: "note" }, "(no events)")]));
}

async function showEvent(id) {
  let r;
  try {
    r = await api("/api/event/" + encodeURIComponent(id), { known_at: state.known });
  } catch (e) {
    failed(e);
    return;
  }
  const e = r.event;
  $("event").replaceChildren(
    h("h3", {}, e.summary || e.kind),
    h("p", { class: "meta" }, `${e.date || "undated"} · ${e.kind.replace(/_/g, " ")} · seq ${e.seq} · ${e.status}`,
      mark(e) ? h("span", { class: "mark" }, mark(e)) : null),
    h("h4", {}, `Versions (${r.versions.length})`),
    h("ol", { class: "versions" }, r.versions.map(version)),
    h("h4", {}, "Sources"),
    h("ul", { class: "sources" }, r.sources.map(source)));
  $("event-panel").dataset.id = e.id;
}

function version(v) {
  const changes = (v.changes || []).map((c) => h("tr", {},
    h("td", {}, c.field), h("td", { class: "from" }, show(c.from)), h("td", { class: "to" }, show(c.to))));
  return h("li", { class: "status-" + v.status },
    h("div", {}, h("b", {}, `seq ${v.seq}`), ` recorded ${recordedText(v.recorded)} · ${v.status}`,
      mark(v) ? h("span", { class: "mark" }, mark(v)) : null),
    changes.length ? h("table", { class: "changes" },
      h("thead", {}, h("tr", {}, h("th", {}, "field"), h("th", {}, "from"), h("th", {}, "to"))),
      h("tbody", {}, changes)) : null);
}

function show(v) {
  if (v === null || v === undefined) return "–";
  if (Array.isArray(v)) return v.map((x) => (x && x.name ? x.name : show(x))).join("; ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function source(s) {
  const safe = s.url && /^https?:\/\//i.test(s.url);
  return h("li", {}, safe ? h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank" }, s.name) : s.name);
}

// ---- the membership Gantt ------------------------------------------------------------

// Each member's spans in `code`, from the alliance's events in effect: [start, sure] is the
// uncertain part of a joining date, [leave, end] of a leaving one.
function membership(code, events) {
  const open = {}, bars = {};
  for (const e of events) {
    if (e.status !== "current" || e.alliance !== code) continue;
    const [lo, hi] = dateRange(e.date);
    const joins = e.kind === "alliance_formed" || e.kind === "alliance_joined";
    const members = e.kind === "alliance_dissolved" ? Object.keys(open) : e.members || [];
    for (const m of members) {
      if (joins && !open[m]) open[m] = { start: lo, sure: hi };
      if (!joins && open[m]) {
        (bars[m] = bars[m] || []).push({ ...open[m], leave: lo, end: hi });
        delete open[m];
      }
    }
  }
  for (const m of Object.keys(open)) (bars[m] = bars[m] || []).push({ ...open[m], leave: null, end: null });
  return Object.entries(bars).sort((a, b) => a[1][0].start - b[1][0].start || a[0].localeCompare(b[0]));
}

async function showGantt(code) {
  gantt = code;
  let r;
  try {
    r = await api("/api/history/" + encodeURIComponent(code), { known_at: state.known });
  } catch (e) {
    failed(e);
    return;
  }
  const bars = membership(code, r.events);
  const box = $("gantt");
  box.hidden = false;
  const close = h("button", { type: "button", class: "close", onclick: () => { gantt = null; box.hidden = true; } }, "×");
  box.replaceChildren(h("h3", {}, `${code}: membership over time `, close), ganttSvg(bars));
}

function ganttSvg(bars) {
  const el = AnnalsMap.el;
  const [W, row, left] = [400, 15, 44];
  const starts = bars.flatMap(([, s]) => s.map((x) => x.start));
  const lo = Math.min(...starts, dayMs(state.asOf)), hi = Math.max(state.last, dayMs(state.asOf));
  const x = (ms) => left + ((ms - lo) / Math.max(DAY, hi - lo)) * (W - left - 8);
  const svg = el("svg", { viewBox: `0 0 ${W} ${bars.length * row + 24}`, class: "gantt" });
  bars.forEach(([member, spans], i) => {
    const y = i * row + 4;
    const label = el("text", { x: 2, y: y + 10 });
    label.textContent = member;
    svg.appendChild(label);
    for (const s of spans) {
      const end = s.end === null ? hi : s.end, leave = s.leave === null ? end : s.leave;
      const rect = (a, b, cls) => b > a && svg.appendChild(el("rect",
        { x: x(a), y, width: Math.max(1, x(b) - x(a)), height: row - 3, class: cls }));
      rect(s.start, s.sure, "uncertain");
      rect(s.sure, leave, "certain");
      rect(leave, end, "uncertain");
    }
  });
  const now = x(dayMs(state.asOf));
  svg.appendChild(el("line", { x1: now, x2: now, y1: 0, y2: bars.length * row + 6, class: "as-of" }));
  const axis = el("text", { x: left, y: bars.length * row + 20 });
  axis.textContent = `${dayText(lo)} … ${dayText(hi)}; shaded: date not certain`;
  svg.appendChild(axis);
  return svg;
}

// ---- start ---------------------------------------------------------------------------

async function init() {
  const [bounds, topo, centroids] = await Promise.all([
    api("/api/bounds"),
    fetch("/assets/countries-110m.json").then((r) => r.json()),
    fetch("/assets/centroids.json").then((r) => r.json()),
  ]);
  placeOf = AnnalsMap.draw($("map"), topo, centroids);
  state.first = dayMs(bounds.days.first || dayText(Date.now()));
  state.last = dayMs(bounds.days.last || dayText(Date.now()));
  state.head = Math.max(1, bounds.knowledge.last.seq);
  state.headRecorded = bounds.knowledge.last.recorded;
  $("as-of").max = Math.round((state.last - state.first) / DAY);
  $("known-at").max = state.head;
  readUrl();
  $("as-of").addEventListener("input", onAsOf);
  $("known-at").addEventListener("input", onKnown);
  $("actor").addEventListener("change", onActor);
  $("now").addEventListener("click", onNow);
  await update(performance.now());
  document.body.dataset.ready = "1";
}

init().catch(failed);
