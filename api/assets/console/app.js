// The Keel console: a client of Keel's public API (/api/v1), signed in with the session cookie
// and the CSRF token of /api/v1/auth/me. Everything shown may come from strangers (page URLs,
// referrers, UTM values arrive through the public pixel): the DOM is built with text nodes only,
// never HTML strings, and links keep http(s) schemes only. The CSP forbids inline script.
"use strict";

const state = { me: null, csrf: null, ws: null, workspaces: [] };
const fmt = new Intl.NumberFormat(navigator.language || "en");
const main = () => document.getElementById("main");

// ---- DOM -------------------------------------------------------------------------------------

/** An element: `attrs` as properties or attributes (`on*` as listeners), children as nodes or text. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "href") { const safe = safeHref(v); if (safe) el.setAttribute("href", safe); }
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Console routes (`#/…`) and http(s) URLs only; anything else (javascript:, data:) is no link. */
function safeHref(v) {
  const s = String(v);
  if (s.startsWith("#/")) return s;
  try {
    const u = new URL(s, location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (_) {
    return null;
  }
}

function render(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
}

function num(v) {
  return typeof v === "number" ? fmt.format(v) : v === null || v === undefined ? "—" : String(v);
}

function when(ts, tz) {
  if (!ts) return "—";
  const d = new Date(ts);
  if (isNaN(d)) return String(ts);
  const opts = { dateStyle: "medium", timeStyle: "short" };
  if (tz) opts.timeZone = tz;
  try {
    return new Intl.DateTimeFormat(navigator.language || "en", opts).format(d) + (tz ? " (" + tz + ")" : "");
  } catch (_) {
    return d.toISOString();
  }
}

function errorBox(e) {
  return h("p", { class: "error", role: "alert" }, e && e.message ? e.message : String(e));
}

// ---- API -------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || "HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body, extra) {
  const headers = Object.assign({ Accept: "application/json" }, extra || {});
  if (state.ws) headers["X-Workspace-ID"] = state.ws;
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch("/api/v1" + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  if (r.status === 401 && !path.startsWith("/auth/login")) {
    state.me = null;
    go("#/sign-in");
    throw new ApiError(401, json);
  }
  if (!r.ok) throw new ApiError(r.status, json);
  // A write's position, so the page that shows it next can read its own write.
  if (method !== "GET" && r.headers.get("X-Keel-Position")) state.lastWrite = { path, position: r.headers.get("X-Keel-Position") };
  return json;
}

// ---- routing ---------------------------------------------------------------------------------

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

/** `#/a/b?x=1` → { parts: ["a", "b"], query: URLSearchParams } */
function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, q] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q || "") };
}

function setQuery(query) {
  const raw = location.hash.replace(/^#/, "") || "/";
  const path = raw.split("?")[0];
  const q = query.toString();
  location.hash = "#" + path + (q ? "?" + q : "");
}

const PAGES = [
  ["sites", "Sites"],
  ["dashboards", "Dashboards"],
  ["domains", "Domains"],
  ["keys", "Keys"],
  ["webhooks", "Webhooks"],
  ["integrations", "Integrations"],
  ["alerts", "Alerts"],
  ["tracking", "Tracking Checker"],
  ["agents", "Agents"],
  ["members", "Members"],
  ["audit", "Audit"],
  ["operator", "Operator"],
];

/** The pages emailed links open: served at their own paths, their token in the query string. */
const LINK_PAGES = { "/invitations/accept": acceptInvitation, "/password-reset": resetPassword, "/verify-email": verifyEmail };

async function route() {
  const link = LINK_PAGES[location.pathname];
  if (link && !location.hash) {
    document.getElementById("top").hidden = true;
    return link(new URLSearchParams(location.search).get("token") || "");
  }
  const { parts, query } = parseHash();
  const page = parts[0] || "sites";
  if (page === "sign-in") return signIn(query);
  if (!state.me) {
    try {
      await loadMe();
    } catch (_) {
      return go("#/sign-in");
    }
  }
  renderChrome(page);
  const view = {
    sites: () => (parts[2] === "visitors" ? (parts[3] ? visitorProfile(parts[1], parts[3]) : visitors(parts[1], query)) : parts[1] ? dashboard(parts[1], query) : sites()),
    dashboards: () => (parts[1] ? savedDashboard(parts[1]) : savedDashboards()),
    domains: () => (parts[1] ? domainDetail(parts[1]) : domains(query)),
    keys: () => (parts[1] ? entityHistory("keys", parts[1], query) : keys(query)),
    history: () => entityHistory(parts[1], parts[2], query),
    webhooks: () => (parts[1] ? webhookDetail(parts[1]) : webhooks()),
    integrations: () => integrations(),
    alerts: () => (parts[1] ? alertHistory(parts[1]) : alerts()),
    tracking: () => (parts[1] === "issues" && parts[2] ? seoIssue(parts[2]) : parts[1] ? scanDetail(parts[1]) : tracking()),
    members: () => members(),
    agents: () => agents(query),
    audit: () => audit(query),
    operator: () => operator(),
  }[page];
  if (!view) return render(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/sites" }, "Back to sites")));
  render(h("p", { class: "muted" }, "Loading…"));
  try {
    await view();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) render(h("h1", {}, "Something went wrong"), errorBox(e));
  }
  main().focus();
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("signout").addEventListener("click", signOut);
  document.getElementById("workspace").addEventListener("change", (e) => {
    state.ws = e.target.value;
    localStorage.setItem("keel.ws", state.ws);
    go("#/sites");
  });
  route();
});

// ---- session ---------------------------------------------------------------------------------

async function loadMe() {
  const saved = localStorage.getItem("keel.ws");
  state.ws = null;
  const me = (await api("GET", "/auth/me")).data;
  state.me = me.user;
  state.csrf = me.csrf_token || null;
  state.workspaces = me.workspaces || [];
  const ids = state.workspaces.map((w) => w.workspace_id);
  state.ws = ids.includes(saved) ? saved : ids[0] || null;
  // Names for the switcher (a member may read their workspace).
  for (const w of state.workspaces) {
    try {
      const prev = state.ws;
      state.ws = w.workspace_id;
      w.name = (await api("GET", "/workspaces/" + encodeURIComponent(w.workspace_id))).data.name;
      state.ws = prev;
    } catch (_) {
      w.name = w.workspace_id;
    }
  }
}

function renderChrome(page) {
  const top = document.getElementById("top");
  top.hidden = false;
  document.getElementById("nav").replaceChildren(
    ...PAGES.map(([id, label]) => h("a", { href: "#/" + id, "aria-current": id === page ? "page" : null }, label)),
  );
  const sel = document.getElementById("workspace");
  sel.replaceChildren(
    ...state.workspaces.map((w) => h("option", { value: w.workspace_id, selected: w.workspace_id === state.ws }, (w.name || w.workspace_id) + " · " + w.role)),
  );
  document.getElementById("user").textContent = state.me ? state.me.email : "";
}

function signIn(query) {
  document.getElementById("top").hidden = true;
  const msg = h("div", { "aria-live": "polite" });
  const otp = h("input", { id: "otp", name: "otp", inputmode: "numeric", autocomplete: "one-time-code" });
  const otpRow = h("div", { hidden: true }, h("label", { for: "otp" }, "Authenticator code"), otp);
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to Keel"),
    h("label", { for: "email" }, "Email"),
    h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true }),
    h("label", { for: "password" }, "Password"),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    otpRow,
    h("button", { type: "submit", id: "signin" }, "Sign in"),
    msg,
  );
  const forgotEmail = h("input", { id: "forgot-email", type: "email", autocomplete: "username", required: true });
  const forgotMsg = h("div", { "aria-live": "polite" });
  const forgot = h("form", { class: "card signin", "aria-label": "Forgot your password?" },
    h("h2", {}, "Forgot your password?"),
    h("label", { for: "forgot-email" }, "Email"), forgotEmail,
    h("button", { type: "submit", class: "secondary" }, "Email me a link"), forgotMsg);
  forgot.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", "/auth/password-reset", { email: forgotEmail.value });
      forgotMsg.replaceChildren(h("p", {}, "If the address has an account, a link is on its way."));
    } catch (err) {
      forgotMsg.replaceChildren(errorBox(err));
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    msg.replaceChildren();
    const body = { email: form.email.value, password: form.password.value };
    if (otp.value) body.otp = otp.value;
    try {
      await api("POST", "/auth/login", body);
      state.me = null;
      await loadMe();
      go(query.get("next") || "#/sites");
    } catch (err) {
      if (err.body && err.body.error && /code|second factor|otp/i.test(err.body.error.message || "")) otpRow.hidden = false;
      msg.replaceChildren(errorBox(err));
    }
  });
  render(form, forgot);
}

/** Leaves a link page for the console proper. */
function enterConsole() {
  history.replaceState(null, "", "/#/sites");
  route();
}

function acceptInvitation(token) {
  const msg = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card signin", "aria-labelledby": "accept-title" },
    h("h1", { id: "accept-title" }, "Join the workspace"),
    h("label", { for: "name" }, "Your name"), h("input", { id: "name", autocomplete: "name" }),
    h("label", { for: "password" }, "Password (at least 10 characters), or your current one if you have an account"),
    h("input", { id: "password", type: "password", autocomplete: "new-password", required: true }),
    h("button", { type: "submit", id: "accept" }, "Join"), msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const body = { token, password: form.password.value };
      if (form.name.value) body.name = form.name.value;
      await api("POST", "/invitations/accept", body);
      state.me = null;
      enterConsole();
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  });
  render(form);
}

function resetPassword(token) {
  const msg = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card signin", "aria-labelledby": "reset-title" },
    h("h1", { id: "reset-title" }, "Choose a new password"),
    h("label", { for: "password" }, "New password (at least 10 characters)"),
    h("input", { id: "password", type: "password", autocomplete: "new-password", required: true }),
    h("button", { type: "submit", id: "reset" }, "Set password"), msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", "/auth/password-reset/confirm", { token, password: form.password.value });
      form.replaceChildren(h("h1", {}, "Password changed"), h("p", {}, "Other sessions were signed out. "), h("a", { href: "/#/sign-in" }, "Sign in"));
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  });
  render(form);
}

async function verifyEmail(token) {
  render(h("p", {}, "Verifying your address…"));
  try {
    await api("POST", "/auth/verify-email/confirm", { token });
    render(h("section", { class: "card signin" }, h("h1", {}, "Address verified"), h("a", { href: "/#/sites" }, "Open Keel")));
  } catch (err) {
    render(h("section", { class: "card signin" }, h("h1", {}, "This link does not work"), errorBox(err)));
  }
}

async function signOut() {
  try { await api("POST", "/auth/logout"); } catch (_) { /* signed out either way */ }
  state.me = null;
  state.csrf = null;
  go("#/sign-in");
}

// ---- lists -----------------------------------------------------------------------------------

/** A table of `rows` with `cols` = [[label, row => cell, {num}]]; `onPick(row)` makes rows clickable. */
function table(cols, rows, onPick) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, cols.map(([label, , o]) => h("th", { class: o && o.num ? "num" : null, scope: "col" }, label)))),
    h(
      "tbody",
      {},
      rows.length === 0
        ? h("tr", {}, h("td", { colspan: cols.length, class: "muted" }, "Nothing yet."))
        : rows.map((r) => {
            const tr = h("tr", onPick ? { class: "pick", tabindex: 0 } : {}, cols.map(([, f, o]) => h("td", { class: o && o.num ? "num" : null }, f(r))));
            if (onPick) {
              tr.addEventListener("click", () => onPick(r));
              tr.addEventListener("keydown", (e) => { if (e.key === "Enter") onPick(r); });
            }
            return tr;
          }),
    ),
  );
}

/** `&min_position=…` when this page last wrote to the same resource as `path` (`/alerts`,
 *  `/keys/…`): the list then waits for its read model to have that write. */
function ownWrite(path) {
  const w = state.lastWrite;
  const first = (p) => p.split(/[/?]/)[1];
  if (!w || path.includes("min_position=") || first(w.path) !== first(path)) return "";
  return "&min_position=" + encodeURIComponent(w.position);
}

/** A paginated list: fetches `path` with limit/offset and re-renders into its own card. */
function pagedList(title, path, cols, opts) {
  const box = h("section", { class: "card", "aria-label": title });
  const limit = (opts && opts.limit) || 25;
  let offset = 0;
  async function load() {
    const sep = path.includes("?") ? "&" : "?";
    const r = await api("GET", path + sep + "limit=" + limit + "&offset=" + offset + ownWrite(path));
    const rows = r.data || [];
    const total = (r.meta && (r.meta.total_count ?? r.meta.total)) ?? rows.length;
    const prev = h("button", { type: "button", class: "secondary", disabled: offset === 0 }, "Previous");
    const next = h("button", { type: "button", class: "secondary", disabled: offset + rows.length >= total }, "Next");
    prev.addEventListener("click", () => { offset = Math.max(0, offset - limit); load(); });
    next.addEventListener("click", () => { offset += limit; load(); });
    box.replaceChildren(
      h("h2", {}, title),
      table(cols, rows, opts && opts.onPick),
      h("div", { class: "pager" }, prev, next, h("span", { class: "muted" }, rows.length ? fmt.format(offset + 1) + "–" + fmt.format(offset + rows.length) + " of " + fmt.format(total) : "")),
    );
  }
  load().catch((e) => box.replaceChildren(h("h2", {}, title), errorBox(e)));
  return box;
}

// ---- sites and the dashboard -----------------------------------------------------------------

async function sites() {
  render(
    h("h1", {}, "Sites"),
    pagedList("Sites", "/sites", [
      ["Name", (s) => h("a", { href: "#/sites/" + encodeURIComponent(s.id) }, s.name)],
      ["Domain", (s) => s.domain],
      ["Time zone", (s) => s.timezone],
      ["Tracking id", (s) => s.tracking_id],
    ]),
  );
}

const PERIODS = [["today", "Today"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["month", "This month"], ["12mo", "Last 12 months"]];
const INTERVALS = ["hour", "day", "week", "month"];
// The dashboard's panels: adding one is one line here.
const PANELS = [
  ["source", "Sources"],
  ["utm_campaign", "Campaigns"],
  ["page", "Pages"],
  ["country", "Countries"],
  ["device", "Devices"],
  ["browser", "Browsers"],
  ["goal", "Goals"],
];
// Panels answered by the query endpoint (dimensions without rollups): [dimension, title].
const QUERY_PANELS = [
  ["visit:entry_page", "Entry pages"],
  ["visit:exit_page", "Exit pages"],
  ["event:hostname", "Hostnames"],
  ["visit:region", "Regions"],
  ["visit:city", "Cities"],
  ["visit:os", "Operating systems"],
  ["visit:os_version", "OS versions"],
  ["visit:browser_version", "Browser versions"],
  ["visit:screen", "Screen sizes"],
  ["visit:utm_content", "UTM content"],
  ["visit:utm_term", "UTM terms"],
];
// The top figures: [metric, label, format].
const FIGURES = [
  ["visitors", "Visitors", num],
  ["visits", "Visits", num],
  ["pageviews", "Pageviews", num],
  ["bounce_rate", "Bounce rate", (v) => (v === null || v === undefined ? "—" : fmt.format(v) + " %")],
  ["visit_duration", "Visit duration", (v) => (v === null || v === undefined ? "—" : fmt.format(Math.round(v)) + " s")],
  ["events", "Events", num],
  ["conversions", "Conversions", num],
];

function filtersOf(query) {
  try {
    const f = JSON.parse(query.get("filters") || "[]");
    return Array.isArray(f) ? f : [];
  } catch (_) {
    return [];
  }
}

function statsQuery(query, extra) {
  const p = new URLSearchParams();
  if (query.get("from") && query.get("to")) {
    p.set("from", query.get("from"));
    p.set("to", query.get("to"));
  } else {
    p.set("period", query.get("period") || "30d");
  }
  const f = filtersOf(query);
  if (f.length) p.set("filters", JSON.stringify(f));
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return p.toString();
}

async function dashboard(siteId, query) {
  const site = (await api("GET", "/sites/" + encodeURIComponent(siteId))).data;
  const base = "/sites/" + encodeURIComponent(siteId) + "/stats/";
  const period = query.get("period") || "30d";
  const interval = query.get("interval") || (period === "today" ? "hour" : period === "12mo" ? "month" : "day");
  const filters = filtersOf(query);

  const periodSel = h("select", { id: "period" }, PERIODS.map(([v, l]) => h("option", { value: v, selected: v === period }, l)));
  periodSel.addEventListener("change", () => { query.set("period", periodSel.value); query.delete("interval"); setQuery(query); });
  const intervalSel = h("select", { id: "interval" }, INTERVALS.map((v) => h("option", { value: v, selected: v === interval }, v)));
  intervalSel.addEventListener("change", () => { query.set("interval", intervalSel.value); setQuery(query); });
  const fromIn = h("input", { id: "range-from", type: "date", value: query.get("from") || "" });
  const toIn = h("input", { id: "range-to", type: "date", value: query.get("to") || "" });
  const range = h("form", { class: "inline", "aria-label": "Custom range" },
    h("div", {}, h("label", { for: "range-from" }, "From"), fromIn),
    h("div", {}, h("label", { for: "range-to" }, "To (inclusive)"), toIn),
    h("button", { type: "submit", class: "secondary" }, "Apply range"));
  range.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!fromIn.value || !toIn.value) return;
    query.set("from", fromIn.value);
    query.set("to", toIn.value);
    setQuery(query);
  });
  periodSel.addEventListener("change", () => { query.delete("from"); query.delete("to"); });
  const chips = h(
    "div",
    { class: "chips", role: "group", "aria-label": "Filters" },
    filters.map((f, i) =>
      h("span", { class: "chip" }, f[1] + " " + (f[0] === "is" ? "is" : f[0].replace("_", " ")) + " " + (f[2] || []).join(" or "),
        h("button", { type: "button", "aria-label": "Remove filter " + f[1], onclick: () => {
          const rest = filters.filter((_, j) => j !== i);
          if (rest.length) query.set("filters", JSON.stringify(rest)); else query.delete("filters");
          setQuery(query);
        } }, "×")),
    ),
  );
  const figures = h("div", { class: "figures", id: "figures" });
  const chart = h("section", { class: "card", "aria-label": "Visitors over time" }, h("h2", {}, "Visitors"));
  const panels = h("div", { class: "grid" });
  const live = h("p", { id: "realtime", class: "muted", "aria-live": "polite" }, "Visitors in the last 5 minutes: …");
  const refreshLive = async () => {
    if (!document.body.contains(live)) return;
    try {
      const r = (await api("GET", "/sites/" + encodeURIComponent(siteId) + "/realtime")).data;
      const top = r.top_pages && r.top_pages[0];
      live.replaceChildren("Visitors in the last 5 minutes: ", h("strong", {}, num(r.visitors)),
        top ? h("span", {}, " · most on ", h("code", {}, top.value)) : "");
    } catch (_) { /* shown again at the next refresh */ }
    setTimeout(refreshLive, 30000);
  };
  render(
    h("h1", {}, site.name, " ", h("span", { class: "muted" }, site.domain)),
    h("p", {}, live, h("a", { href: "#/sites/" + encodeURIComponent(siteId) + "/visitors" }, "Visitors")),
    h("div", { class: "controls" },
      h("div", {}, h("label", { for: "period" }, "Period"), periodSel),
      h("div", {}, h("label", { for: "interval" }, "Interval"), intervalSel),
      h("span", { class: "muted" }, "Times in " + site.timezone)),
    range,
    chips,
    figures,
    chart,
    panels,
  );

  refreshLive();
  const metrics = FIGURES.map((f) => f[0]).join(",") + ",revenue";
  const agg = api("GET", base + "aggregate?" + statsQuery(query, { metrics, compare: "previous_period" })).then(async (r) => {
    const d = r.data || {};
    // The period before, as long as this one, answered beside it.
    const before = (r.comparison && r.comparison.data) || {};
    const change = (m) => {
      const now = d[m], then = before[m];
      if (typeof now !== "number" || typeof then !== "number" || then === 0) return null;
      const pct = Math.round(((now - then) / then) * 100);
      return h("div", { class: "change " + (pct >= 0 ? "up" : "down"), title: "previous period: " + num(then) }, (pct >= 0 ? "↑ " : "↓ ") + fmt.format(Math.abs(pct)) + " % vs previous period");
    };
    figures.replaceChildren(
      ...FIGURES.map(([m, label, f]) => h("div", { class: "figure", "data-metric": m }, h("div", { class: "label" }, label), h("div", { class: "value" }, f(d[m])), change(m))),
      ...Object.entries(d.revenue || {}).map(([cur, r]) =>
        h("div", { class: "figure", "data-metric": "revenue:" + cur }, h("div", { class: "label" }, "Revenue " + cur),
          h("div", { class: "value" }, new Intl.NumberFormat(navigator.language || "en", { style: "currency", currency: cur }).format((r.net || 0) / 100)))),
    );
  });
  const series = api("GET", base + "timeseries?" + statsQuery(query, { interval, metrics: "visitors,pageviews", compare: "previous_period" })).then((r) => {
    const previous = (r.comparison && r.comparison.data) || [];
    chart.replaceChildren(h("h2", {}, "Visitors"), lineChart(r.data || [], "visitors", null, previous),
      previous.length ? h("p", { class: "muted legend" }, "The dashed line is the previous period.") : "",
      saveWidget(siteId, query, interval, period, filters));
  });
  const props = propertyPanel(siteId, query, filters);
  panels.after(props);
  const breakdowns = PANELS.map(([dim, title]) => {
    const card = h("section", { class: "card", "aria-label": title, "data-panel": dim }, h("h2", {}, title), h("p", { class: "muted" }, "Loading…"));
    panels.append(card);
    return api("GET", base + "breakdown?" + statsQuery(query, { dimension: dim, limit: 10 })).then((r) => {
      const rows = r.data || [];
      const pick = (row) => {
        const rest = filters.filter((f) => f[1] !== dim);
        rest.push(["is", dim, [valueOf(row, dim) === "" ? "(none)" : valueOf(row, dim)]]);
        query.set("filters", JSON.stringify(rest));
        setQuery(query);
      };
      const csv = h("button", { type: "button", class: "secondary", "aria-label": "Download " + title + " as CSV", onclick: () => download(dim + ".csv", toCsv(rows, [dim, "visitors", "pageviews", "visits"])) }, "CSV");
      card.replaceChildren(
        h("h2", {}, title, " ", csv),
        table([
          [title, (x) => (valueOf(x, dim) === "" ? "(none)" : valueOf(x, dim))],
          ["Visitors", (x) => num(x.visitors), { num: true }],
          ["Pageviews", (x) => num(x.pageviews), { num: true }],
        ], rows, pick),
      );
    }).catch((e) => card.replaceChildren(h("h2", {}, title), errorBox(e)));
  });
  const more = QUERY_PANELS.map(([dim, title]) => {
    const card = h("section", { class: "card", "aria-label": title, "data-panel": dim }, h("h2", {}, title), h("p", { class: "muted" }, "Loading…"));
    panels.append(card);
    const request = {
      metrics: ["visitors", "pageviews"], date_range: queryRange(query), dimensions: [dim],
      filters: filters.map((f) => [f[0], f[1], f[2]]), pagination: { limit: 10 },
    };
    return api("POST", "/sites/" + encodeURIComponent(siteId) + "/query", request).then((r) => {
      const csv = h("button", { type: "button", class: "secondary", "aria-label": "Download " + title + " as CSV",
        onclick: () => queryCsv(siteId, { ...request, pagination: undefined }, dim.replace(/:/g, "-") + ".csv") }, "CSV");
      card.replaceChildren(
        h("h2", {}, title, " ", csv),
        table([
          [title, (x) => x.dimensions[0]],
          ["Visitors", (x) => num(x.metrics[0]), { num: true }],
          ["Pageviews", (x) => num(x.metrics[1]), { num: true }],
        ], r.results || []),
      );
    }).catch((e) => card.replaceChildren(h("h2", {}, title), errorBox(e)));
  });
  const funnel = funnelPanel(siteId, query);
  panels.after(funnel.card);
  await Promise.all([agg, series, ...breakdowns, ...more, funnel.loaded]);
  document.body.setAttribute("data-loaded", "dashboard");
}

/** A breakdown row's value: under the dimension's name (`source`, `page`, …). */
function valueOf(row, dim) {
  const v = row[dim] ?? row.value;
  return v === null || v === undefined ? "" : String(v);
}

/** The query endpoint's `date_range` for the dashboard's period. */
function queryRange(query) {
  const q = new URLSearchParams(statsQuery(query, {}));
  return q.get("from") && q.get("to") ? [q.get("from"), q.get("to")] : (q.get("period") || "30d").replace("today", "day");
}

/** Downloads a query's whole result as CSV. */
async function queryCsv(siteId, body, filename) {
  const headers = { "Content-Type": "application/json", Accept: "text/csv" };
  if (state.ws) headers["X-Workspace-ID"] = state.ws;
  if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const res = await fetch("/api/v1/sites/" + encodeURIComponent(siteId) + "/query", {
    method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body),
  });
  download(filename, await res.text());
}

/** A breakdown by a custom event property, through the query endpoint, with its CSV. */
function propertyPanel(siteId, query, filters) {
  const name = h("input", { id: "prop-name", placeholder: "plan", size: 16, value: query.get("property") || "" });
  const body = h("div", {});
  const form = h("form", { class: "inline", "aria-label": "Property breakdown" },
    h("div", {}, h("label", { for: "prop-name" }, "Property"), name), h("button", { type: "submit", class: "secondary" }, "Break down"));
  const card = h("section", { class: "card", "aria-label": "Custom properties", id: "properties" }, h("h2", {}, "Custom properties"), form, body);
  const request = () => ({
    metrics: ["visitors", "events"], date_range: queryRange(query), dimensions: ["event:props:" + name.value.trim()],
    filters: filters.map((f) => [f[0], f[1], f[2]]),
  });
  const load = async () => {
    if (!name.value.trim()) {
      body.replaceChildren(h("p", { class: "muted" }, "Name a property your events carry (their ", h("code", {}, "properties"), ") to count visitors by its values."));
      return;
    }
    try {
      const r = await api("POST", "/sites/" + encodeURIComponent(siteId) + "/query", request());
      const csv = h("button", { type: "button", class: "secondary", "aria-label": "Download the property breakdown as CSV",
        onclick: () => queryCsv(siteId, request(), "property.csv") }, "CSV");
      body.replaceChildren(
        table([
          [name.value.trim(), (x) => x.dimensions[0]],
          ["Visitors", (x) => num(x.metrics[0]), { num: true }],
          ["Events", (x) => num(x.metrics[1]), { num: true }],
        ], r.results || []),
        csv,
      );
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
  return card;
}

/** An SVG line chart of `key` over `points` ({date, …}), with each point's value on hover;
 * `format` shows a value (a count by default); `previous` (points of the period before, by
 * position) is drawn dashed. */
function lineChart(points, key, format, previous) {
  const show = format || ((v) => fmt.format(v));
  const NS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, ...kids) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const c of kids) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  };
  const W = 800, H = 220, P = 28;
  const vals = points.map((p) => Number(p[key]) || 0);
  const prev = (previous || []).slice(0, points.length).map((p) => Number(p[key]) || 0);
  const max = Math.max(1, ...vals, ...prev);
  const x = (i) => P + (points.length <= 1 ? 0 : (i * (W - 2 * P)) / (points.length - 1));
  const y = (v) => H - P - (v * (H - 2 * P)) / max;
  const path = vals.map((v, i) => (i ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1)).join(" ");
  const svg = s("svg", { class: "chart", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": key + " per bucket" });
  svg.append(s("line", { class: "axis", x1: P, y1: H - P, x2: W - P, y2: H - P }));
  svg.append(s("text", { x: 2, y: P }, show(max)));
  if (points.length) {
    svg.append(s("text", { x: P, y: H - 8 }, String(points[0].date)));
    svg.append(s("text", { x: W - P, y: H - 8, "text-anchor": "end" }, String(points[points.length - 1].date)));
    svg.append(s("path", { class: "area", d: path + " L" + x(vals.length - 1) + " " + (H - P) + " L" + x(0) + " " + (H - P) + " Z" }));
    if (prev.length) {
      svg.append(s("path", { class: "line previous", d: prev.map((v, i) => (i ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1)).join(" ") }));
    }
    svg.append(s("path", { class: "line", d: path }));
    points.forEach((p, i) => {
      svg.append(s("circle", { cx: x(i), cy: y(vals[i]), r: 3, "data-date": p.date, "data-value": vals[i], tabindex: 0 },
        s("title", {}, String(p.date) + ": " + show(vals[i]))));
    });
  }
  return svg;
}

function toCsv(rows, cols) {
  const cell = (v) => {
    let t = v === null || v === undefined ? "" : String(v);
    // Neither spreadsheets' formulas nor broken quoting.
    if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const a = h("a", {});
  a.setAttribute("href", url);
  a.setAttribute("download", name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- domains ---------------------------------------------------------------------------------

async function domains() {
  const input = h("textarea", { id: "new-domains", rows: 3, cols: 40, placeholder: "example.com\nexample.org" });
  const msg = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "inline" }, h("div", {}, h("label", { for: "new-domains" }, "Add domains (one per line)"), input), h("button", { type: "submit" }, "Add"), msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const list = input.value.split(/\s+/).filter(Boolean);
    try {
      const r = await api("POST", "/domains", { domains: list });
      msg.replaceChildren(h("span", {}, fmt.format(r.data.domains_added) + " added, " + fmt.format(r.data.domains_invalid.length) + " invalid"));
      route();
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  });
  const dist = h("div", { class: "grid", id: "distributions" });
  api("GET", "/dashboard/summary").then((r) => {
    const d = r.data || {};
    const bars = (title, rows, label) => h("section", { class: "card", "aria-label": title }, h("h2", {}, title),
      rows.length ? rows.map((x) => h("div", {}, h("label", {}, label(x) + ": " + num(x.count) + " (" + fmt.format(x.percentage) + " %)"),
        h("progress", { max: 100, value: x.percentage, "aria-label": title + " " + label(x) }))) : h("p", { class: "muted" }, "Nothing scanned yet."));
    dist.replaceChildren(
      bars("Email gateways", d.email_gateways || [], (x) => x.name),
      bars("DMARC", d.dmarc || [], (x) => x.status),
      bars("SPF", d.spf || [], (x) => x.status));
  }).catch((e) => dist.replaceChildren(errorBox(e)));
  render(
    h("h1", {}, "Domains"),
    dist,
    form,
    pagedList("Portfolio", "/domains?sort=name", [
      ["Domain", (d) => h("a", { href: "#/domains/" + encodeURIComponent(d.id) }, d.domain)],
      ["Gateway", (d) => d.email_gateway || "—"],
      ["DMARC", (d) => (d.scan_summary && d.scan_summary.dmarc_status) || "—"],
      ["SPF", (d) => (d.scan_summary && d.scan_summary.spf_status) || "—"],
      ["Status", (d) => d.status],
    ]),
  );
}

// ---- keys ------------------------------------------------------------------------------------

const SCOPES = ["analytics:read", "events:write", "sites:read", "usage:read", "usage:write", "domains:read", "keys:read"];

async function keys() {
  const name = h("input", { id: "key-name", required: true });
  const scopes = SCOPES.map((s) => h("label", { class: "scope" }, h("input", { type: "checkbox", value: s, checked: s === "analytics:read" }), " " + s));
  const out = h("div", { "aria-live": "polite", id: "key-created" });
  const form = h("form", { class: "card", "aria-label": "Create a key" },
    h("h2", {}, "Create a key"),
    h("label", { for: "key-name" }, "Name"), name,
    h("fieldset", {}, h("legend", {}, "Scopes"), scopes),
    h("button", { type: "submit", id: "create-key" }, "Create"), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = scopes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    try {
      const r = await api("POST", "/keys", { name: name.value, scopes: chosen });
      const secret = h("code", { class: "secret", id: "key-secret" }, r.data.key);
      const copy = h("button", { type: "button", class: "secondary", onclick: () => navigator.clipboard && navigator.clipboard.writeText(r.data.key) }, "Copy");
      out.replaceChildren(h("p", {}, "Copy this key now: it is shown once and stored only as a hash."), secret, " ", copy);
      list.replaceWith((list = keyList()));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  let list = keyList();
  render(h("h1", {}, "Keys"), form, list, usage());
}

function keyList() {
  return pagedList("Keys", "/keys", [
    ["Name", (k) => h("a", { href: "#/keys/" + encodeURIComponent(k.id) }, k.name)],
    ["Prefix", (k) => k.prefix],
    ["Scopes", (k) => (k.scopes || []).join(", ")],
    ["Status", (k) => k.status],
    ["Last used", (k) => when(k.last_used_at)],
    ["", (k) => (k.status === "active" ? h("button", { type: "button", class: "secondary", "aria-label": "Rotate " + k.name, onclick: async () => {
      if (!confirm("Rotate " + k.name + "? The old secret keeps working for a grace period.")) return;
      const r = await api("POST", "/keys/" + encodeURIComponent(k.id) + "/rotate", {});
      const box = document.getElementById("key-created");
      box.replaceChildren(h("p", {}, "The new secret of " + k.name + ", shown once:"), h("code", { class: "secret", id: "key-secret" }, r.data.key));
    } }, "Rotate") : "")],
    ["", (k) => (k.status === "active" ? h("button", { type: "button", class: "danger", "aria-label": "Revoke " + k.name, onclick: async () => {
      if (!confirm("Revoke " + k.name + "? Requests with it fail at once.")) return;
      await api("DELETE", "/keys/" + encodeURIComponent(k.id));
      route();
    } }, "Revoke") : "")],
  ]);
}

function usage() {
  const box = h("section", { class: "card", "aria-label": "Usage" }, h("h2", {}, "Usage against limits"));
  api("GET", "/entitlements/summary").then((r) => {
    const rows = (r.data || []).filter((u) => u.limit !== null && u.limit !== undefined);
    box.replaceChildren(h("h2", {}, "Usage against limits"), ...rows.map((u) =>
      h("div", {}, h("label", { for: "u-" + u.feature }, u.feature + ": " + num(u.current_usage) + " of " + num(u.limit)),
        h("progress", { id: "u-" + u.feature, max: u.limit, value: Math.min(u.current_usage || 0, u.limit) }))));
  }).catch((e) => box.append(errorBox(e)));
  return box;
}

/** The entities whose history and state as of an instant the API answers. */
const HISTORIES = { keys: "Key", workspaces: "Workspace", domains: "Domain" };

/** An entity's history as a timeline (each field old → new), and its state as of any instant. */
async function entityHistory(kind, id, query) {
  if (!HISTORIES[kind]) return render(h("h1", {}, "Not found"));
  const base = "/" + kind + "/" + encodeURIComponent(id);
  const hist = (await api("GET", base + "/history")).data || [];
  const at = query.get("as_of");
  const asOfInput = h("input", { id: "as-of", type: "datetime-local", step: 1 });
  const asOfBox = h("div", { id: "as-of-state" });
  const form = h("form", { class: "inline" }, h("div", {}, h("label", { for: "as-of" }, "State as of (your time)"), asOfInput), h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!asOfInput.value) return;
    query.set("as_of", new Date(asOfInput.value).toISOString());
    setQuery(query);
  });
  if (at) {
    try {
      const k = (await api("GET", base + "?as_of=" + encodeURIComponent(at))).data;
      asOfBox.replaceChildren(h("h2", {}, "As of " + when(at)), h("pre", { class: "json" }, JSON.stringify(k, null, 2)));
    } catch (e) {
      asOfBox.replaceChildren(errorBox(e));
    }
  }
  let prev = null;
  const items = hist.map((e) => {
    const data = e.data || {};
    const before = prev || {};
    const changed = Object.keys(data).filter((k) => JSON.stringify(data[k]) !== JSON.stringify(before[k]));
    const diff = changed.map((k) => k + ": " + (k in before ? JSON.stringify(before[k]) : "—") + " → " + JSON.stringify(data[k]));
    prev = Object.assign({}, before, data);
    return h("li", {}, h("strong", {}, e.event_type), " · ", when(e.occurred_at), " · ", e.actor,
      h("ul", { class: "muted diff" }, diff.map((d) => h("li", {}, d))),
      h("button", { type: "button", class: "secondary", onclick: () => { query.set("as_of", e.recorded_at || e.occurred_at); setQuery(query); } }, "State as of this"));
  });
  render(h("h1", {}, HISTORIES[kind] + " history"), h("section", { class: "card" }, form, asOfBox), h("section", { class: "card" }, h("h2", {}, "Timeline"), h("ol", { class: "timeline" }, items)));
}

// ---- webhooks, alerts, members ---------------------------------------------------------------

async function webhooks() {
  render(h("h1", {}, "Webhooks"), pagedList("Endpoints", "/webhooks", [
    ["URL", (w) => h("a", { href: "#/webhooks/" + encodeURIComponent(w.id) }, w.url)],
    ["Events", (w) => (w.events || []).join(", ")],
    ["Status", (w) => w.status],
    ["Delivered", (w) => num(w.success_count), { num: true }],
    ["Failed", (w) => num(w.failure_count), { num: true }],
  ]));
}

/** Stripe accounts feeding sites' revenue: connect one, follow its syncs, sync, pause, remove. */
async function integrations() {
  let sites = [];
  try {
    sites = (await api("GET", "/sites?limit=100")).data || [];
  } catch (_) { sites = []; }
  const site = h("select", { required: true }, sites.map((x) => h("option", { value: x.id }, x.name + " · " + x.domain)));
  const key = h("input", { type: "password", required: true, autocomplete: "off", placeholder: "rk_live_…", size: 28 });
  const secret = h("input", { type: "password", autocomplete: "off", placeholder: "whsec_… (optional)", size: 24 });
  const out = h("div", { "aria-live": "polite", id: "integration-out" });
  const form = h("form", { class: "card", "aria-label": "Connect Stripe" }, h("h2", {}, "Connect Stripe"),
    h("p", {}, "A restricted key that may read charges, refunds, payment intents, customers, invoices and subscriptions is enough. Keel checks it with Stripe, keeps it out of the event log and never shows it again; the site's revenue then includes the account's charges, net of refunds, attributed to visitors through ",
      h("code", {}, "metadata.keel_visitor_id"), ", a Checkout Session's ", h("code", {}, "client_reference_id"), ", or the customer's email or user id once identified on the site. Subscriptions make MRR and its movements, below."),
    h("div", { class: "inline" }, field("i-site", "Site", site), field("i-key", "API key", key), field("i-secret", "Webhook signing secret", secret)),
    h("button", { type: "submit", id: "connect-stripe" }, "Connect"), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { type: "stripe", site_id: site.value, api_key: key.value };
    if (secret.value) body.webhook_secret = secret.value;
    try {
      await api("POST", "/integrations", body);
      key.value = "";
      secret.value = "";
      route();
    } catch (err) {
      const fields = err.body && err.body.error && err.body.error.details && err.body.error.details.fields;
      out.replaceChildren(errorBox(err), fields ? h("ul", {}, fields.map((f) => h("li", {}, f.field + ": " + f.message))) : "");
    }
  });
  const act = (label, i, method, path) => h("button", { type: "button", class: label === "Remove" ? "danger" : "secondary", "aria-label": label + " " + i.id, onclick: async () => {
    if (label === "Remove" && !confirm("Disconnect this Stripe account? Its key is destroyed; recorded payments stay.")) return;
    try {
      await api(method, "/integrations/" + encodeURIComponent(i.id) + path);
      route();
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  } }, label);
  const siteName = (id) => (sites.find((x) => x.id === id) || { name: id }).name;
  const state_ = (i) => i.sync_status + (i.sync ? " (" + i.sync.phase + ", " + fmt.format(i.sync.objects) + " objects)" : "") + (i.last_error ? ": " + i.last_error : "");
  // After a change made here, the list waits for the read model to have it.
  const mine = state.lastWrite && state.lastWrite.path.startsWith("/integrations") ? "?min_position=" + encodeURIComponent(state.lastWrite.position) : "";
  render(h("h1", {}, "Integrations"), form, pagedList("Connected accounts", "/integrations" + mine, [
    ["Site", (i) => siteName(i.site_id)],
    ["Account", (i) => h("span", {}, "Stripe " + (i.livemode ? "live" : "test") + " · " + i.credential_hint,
      h("br"), h("span", { class: "muted" }, "Webhooks to "), h("code", { class: "wrap-any" }, i.webhook_url))],
    ["Sync", (i) => h("span", { class: "sync-state" }, state_(i))],
    ["Last sync", (i) => (i.last_sync ? when(new Date(i.last_sync).toISOString()) : "never")],
    ["Payments", (i) => num(i.payments), { num: true }],
    ["Refunds", (i) => num(i.refunds), { num: true }],
    ["Revenue settings", (i) => settingsForm(i, out)],
    ["", (i) => h("span", { class: "inline" },
      act("Sync now", i, "POST", "/sync"),
      i.status === "paused" ? act("Resume", i, "POST", "/resume") : act("Pause", i, "POST", "/pause"),
      act("Remove", i, "DELETE", ""))],
  ]), saasSection(sites));
}

/** An integration's revenue settings, changed in place (they apply from the next reading on). */
function settingsForm(i, out) {
  const opt = (v, label, cur) => h("option", { value: v, selected: v === cur }, label);
  const cancel = h("select", { "aria-label": "Scheduled cancellations of " + i.id },
    opt("at_period_end", "at the period's end", i.settings.scheduled_cancellation),
    opt("immediately", "when scheduled", i.settings.scheduled_cancellation));
  const coupons = h("select", { "aria-label": "Limited coupons of " + i.id },
    opt("ignore", "limited coupons ignored", i.settings.limited_coupons),
    opt("apply", "limited coupons reduce MRR", i.settings.limited_coupons));
  const save = async () => {
    try {
      await api("PATCH", "/integrations/" + encodeURIComponent(i.id), { settings: { scheduled_cancellation: cancel.value, limited_coupons: coupons.value } });
      out.replaceChildren(h("p", { class: "ok" }, "Saved: the next sync counts with these settings."));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  cancel.addEventListener("change", save);
  coupons.addEventListener("change", save);
  return h("span", { class: "stack" }, cancel, coupons);
}

const SAAS = [
  ["stripe_mrr", "MRR"], ["stripe_arr", "ARR"], ["stripe_active_subscriptions", "Paying subscriptions"],
  ["stripe_new_mrr", "New"], ["stripe_expansion_mrr", "Expansion"], ["stripe_reactivation_mrr", "Reactivation"],
  ["stripe_contraction_mrr", "Contraction"], ["stripe_churned_mrr", "Churn"],
  ["stripe_revenue", "Revenue"], ["stripe_refunds", "Refunds"],
];

/** The SaaS metrics of the sites with a Stripe account, by month and currency: MRR as a line,
 * its movements as bars (gains above the axis, losses below), and the figures in a table. */
function saasSection(sites) {
  const box = h("section", { class: "card", "aria-label": "Subscription revenue", id: "saas" }, h("h2", {}, "Subscription revenue"), h("p", { class: "muted" }, "Loading…"));
  fillSaas(box, sites).catch((e) => box.replaceChildren(h("h2", {}, "Subscription revenue"), errorBox(e)));
  return box;
}

async function fillSaas(box, sites) {
  const integrations = (await api("GET", "/integrations?limit=100" + ownWrite("/integrations"))).data || [];
  // Built apart, shown whole.
  const parts = [h("h2", {}, "Subscription revenue")];
  const siteIds = [...new Set(integrations.map((i) => i.site_id))];
  if (!siteIds.length) {
    parts.push(h("p", { class: "muted" }, "Connect a Stripe account to see MRR and its movements here."));
    box.replaceChildren(...parts);
    return;
  }
  for (const siteId of siteIds) {
    const name = (sites.find((x) => x.id === siteId) || { name: siteId }).name;
    const series = {};
    for (const [metric] of SAAS) {
      const r = await api("GET", "/metrics?site_id=" + encodeURIComponent(siteId) + "&metric_id=" + metric + "&limit=1000");
      for (const p of r.data || []) {
        const byMonth = ((series[p.currency] ||= {})[p.date.slice(0, 7)] ||= { date: p.date.slice(0, 7) });
        byMonth[metric] = p.value;
      }
    }
    const currencies = Object.keys(series).sort();
    if (!currencies.length) {
      parts.push(h("h3", {}, name), h("p", { class: "muted" }, "No subscriptions or payments yet."));
      continue;
    }
    for (const c of currencies) {
      const months = Object.values(series[c]).sort((a, b) => a.date.localeCompare(b.date));
      const money = (v) => (v === undefined ? "—" : (v / 100).toLocaleString(undefined, { style: "currency", currency: c }));
      parts.push(
        h("h3", {}, name + " · " + c),
        h("div", { class: "saas-chart", "data-currency": c }, h("h4", {}, "MRR"), lineChart(months, "stripe_mrr", money)),
        h("div", { class: "saas-chart" }, h("h4", {}, "MRR movements"), movementChart(months, money),
          h("p", { class: "muted legend" }, "Above the line: ", h("span", { class: "key new" }, "new"), ", ", h("span", { class: "key expansion" }, "expansion"), ", ",
            h("span", { class: "key reactivation" }, "reactivation"), ". Below: ", h("span", { class: "key contraction" }, "contraction"), ", ", h("span", { class: "key churn" }, "churn"), ".")),
        table(
          [["Month", (m) => m.date]].concat(SAAS.map(([k, label]) => [label, (m) => (k === "stripe_active_subscriptions" ? num(m[k]) : money(m[k])), { num: true }])),
          months.slice().reverse(),
        ),
      );
    }
  }
  box.replaceChildren(...parts);
}

/** Bars per month: new, expansion and reactivation up; contraction and churn down. */
function movementChart(months, money) {
  const NS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, ...kids) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const c of kids) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  };
  const UP = ["stripe_new_mrr", "stripe_expansion_mrr", "stripe_reactivation_mrr"];
  const DOWN = ["stripe_contraction_mrr", "stripe_churned_mrr"];
  const W = 800, H = 220, P = 28;
  const up = months.map((m) => UP.reduce((a, k) => a + (m[k] || 0), 0));
  const down = months.map((m) => DOWN.reduce((a, k) => a + (m[k] || 0), 0));
  const max = Math.max(1, ...up, ...down);
  const mid = H / 2;
  const scale = (v) => (v * (mid - P)) / max;
  const bw = Math.max(4, (W - 2 * P) / Math.max(1, months.length) - 6);
  const svg = s("svg", { class: "chart movements", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "MRR movements per month" });
  svg.append(s("line", { class: "axis", x1: P, y1: mid, x2: W - P, y2: mid }));
  months.forEach((m, i) => {
    const x = P + i * ((W - 2 * P) / Math.max(1, months.length)) + 3;
    let top = mid;
    for (const k of UP) {
      const hgt = scale(m[k] || 0);
      if (hgt > 0) svg.append(s("rect", { class: "bar " + k, x, y: top - hgt, width: bw, height: hgt }, s("title", {}, m.date + " " + k.replace("stripe_", "").replace("_mrr", "") + ": " + money(m[k]))));
      top -= hgt;
    }
    let bottom = mid;
    for (const k of DOWN) {
      const hgt = scale(m[k] || 0);
      if (hgt > 0) svg.append(s("rect", { class: "bar " + k, x, y: bottom, width: bw, height: hgt }, s("title", {}, m.date + " " + k.replace("stripe_", "").replace("_mrr", "") + ": −" + money(m[k]))));
      bottom += hgt;
    }
  });
  if (months.length) {
    svg.append(s("text", { x: P, y: H - 4 }, months[0].date));
    svg.append(s("text", { x: W - P, y: H - 4, "text-anchor": "end" }, months[months.length - 1].date));
  }
  return svg;
}

const CONDITIONS = {
  traffic: "Traffic of a site",
  usage: "Usage of a feature",
  dns_change: "DNS change of a domain",
  webhook_disabled: "A webhook endpoint disabled",
  key_unused: "A key unused",
};

/** A labelled field of a form. */
function field(id, label, control) {
  control.id = id;
  return h("div", {}, h("label", { for: id }, label), control);
}

async function alerts() {
  const [siteRows, domainRows, hookRows, keyRows] = await Promise.all(
    ["/sites?limit=100", "/domains?limit=500&sort=name", "/webhooks?limit=100", "/keys?limit=100"].map((p) => api("GET", p).then((r) => r.data || []).catch(() => [])));
  const opts = (rows, label) => rows.map((r) => h("option", { value: r.id }, label(r)));
  const name = h("input", { required: true });
  const type = h("select", {}, Object.entries(CONDITIONS).map(([v, l]) => h("option", { value: v }, l)));
  const site = h("select", {}, opts(siteRows, (x) => x.name + " (" + x.domain + ")"));
  const metric = h("select", {}, ["visitors", "pageviews"].map((m) => h("option", { value: m }, m)));
  const op = h("select", {}, [["drops_by", "drops by (%)"], ["below", "below"], ["above", "above"]].map(([v, l]) => h("option", { value: v }, l)));
  const threshold = h("input", { type: "number", min: 0, value: 50 });
  const feature = h("input", { value: "events" });
  const percent = h("input", { type: "number", min: 1, max: 1000, value: 80 });
  const domain = h("select", {}, opts(domainRows, (x) => x.domain));
  const fieldsIn = h("input", { placeholder: "mx, spf_status (empty: any)" });
  const hook = h("select", {}, h("option", { value: "" }, "any endpoint"), opts(hookRows, (x) => x.url));
  const key = h("select", {}, h("option", { value: "" }, "any key"), opts(keyRows, (x) => x.name));
  const days = h("input", { type: "number", min: 1, max: 3650, value: 90 });
  const windowIn = h("input", { type: "number", min: 5, max: 10080, value: 60 });
  const email = h("input", { type: "checkbox", checked: true });
  const toHook = h("select", {}, h("option", { value: "" }, "no webhook"), opts(hookRows, (x) => x.url));
  const slack = h("input", { type: "url", placeholder: "https://hooks.slack.com/services/…" });
  const groups = {
    traffic: h("div", { class: "inline" }, field("a-site", "Site", site), field("a-metric", "Metric", metric), field("a-op", "When it is", op), field("a-threshold", "Threshold", threshold)),
    usage: h("div", { class: "inline" }, field("a-feature", "Feature", feature), field("a-percent", "At % of its limit", percent)),
    dns_change: h("div", { class: "inline" }, field("a-domain", "Domain", domain), field("a-fields", "Fields", fieldsIn)),
    webhook_disabled: h("div", { class: "inline" }, field("a-hook", "Endpoint", hook)),
    key_unused: h("div", { class: "inline" }, field("a-key", "Key", key), field("a-days", "Unused for (days)", days)),
  };
  const show = () => { for (const [k, g] of Object.entries(groups)) g.hidden = k !== type.value; };
  type.addEventListener("change", show);
  show();
  const out = h("div", { "aria-live": "polite", id: "alert-out" });
  const form = h("form", { class: "card", "aria-label": "New alert" }, h("h2", {}, "New alert"),
    h("div", { class: "inline" }, field("a-name", "Name", name), field("a-type", "Condition", type), field("a-window", "Window (minutes)", windowIn)),
    Object.values(groups),
    h("fieldset", {}, h("legend", {}, "Tell"),
      h("div", { class: "inline" }, h("label", {}, email, " members by email"), field("a-to-hook", "Webhook endpoint", toHook), field("a-slack", "Slack-compatible URL", slack))),
    h("button", { type: "submit", id: "create-alert" }, "Create alert"), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const t = type.value;
    const condition = { type: t };
    if (t === "traffic") Object.assign(condition, { site_id: site.value, metric: metric.value, op: op.value, threshold: Number(threshold.value) });
    if (t === "usage") Object.assign(condition, { feature: feature.value, percent: Number(percent.value) });
    if (t === "dns_change") Object.assign(condition, { domain_id: domain.value, fields: fieldsIn.value.split(",").map((x) => x.trim()).filter(Boolean) });
    if (t === "webhook_disabled" && hook.value) condition.webhook_id = hook.value;
    if (t === "key_unused") { condition.days = Number(days.value); if (key.value) condition.key_id = key.value; }
    const channels = [];
    if (email.checked) channels.push({ type: "email" });
    if (toHook.value) channels.push({ type: "webhook", webhook_id: toHook.value });
    if (slack.value) channels.push({ type: "slack", url: slack.value });
    try {
      await api("POST", "/alerts", { name: name.value, condition, channels, window_minutes: Number(windowIn.value) });
      route();
    } catch (err) {
      const fields = err.body && err.body.error && err.body.error.details && err.body.error.details.fields;
      out.replaceChildren(errorBox(err), fields ? h("ul", {}, fields.map((f) => h("li", {}, f.field + ": " + f.message))) : "");
    }
  });
  render(h("h1", {}, "Alerts"), form, pagedList("Alerts", "/alerts", [
    ["Name", (a) => h("a", { href: "#/alerts/" + encodeURIComponent(a.id) }, a.name)],
    ["Condition", (a) => CONDITIONS[a.condition && a.condition.type] || ""],
    ["State", (a) => a.state],
    ["Last fired", (a) => when(a.last_fired_at)],
    ["Window", (a) => fmt.format(a.window_minutes) + " min", { num: true }],
    ["", (a) => h("button", { type: "button", class: "danger", "aria-label": "Delete " + a.name, onclick: async () => {
      if (!confirm("Delete the alert " + a.name + "?")) return;
      await api("DELETE", "/alerts/" + encodeURIComponent(a.id));
      route();
    } }, "Delete")],
  ]));
}

async function alertHistory(id) {
  const a = (await api("GET", "/alerts/" + encodeURIComponent(id))).data;
  render(h("h1", {}, a.name), h("p", { class: "muted" }, (CONDITIONS[a.condition.type] || "") + " · " + a.state + " · window " + fmt.format(a.window_minutes) + " min"),
    pagedList("Firings and resolutions", "/alerts/" + encodeURIComponent(id) + "/events", [
      ["When", (e) => when(e.occurred_at)],
      ["", (e) => e.type],
      ["Summary", (e) => e.summary],
      ["Told", (e) => (e.notifications || []).map((n) => n.channel + " " + n.status + (n.error ? " (" + n.error + ")" : "")).join("; ")],
    ]));
}

const ROLES = ["owner", "admin", "analyst", "auditor", "viewer"];

async function members() {
  const email = h("input", { id: "invite-email", type: "email", required: true });
  const role = h("select", { id: "invite-role" }, ROLES.map((r) => h("option", { value: r, selected: r === "analyst" }, r)));
  const out = h("div", { "aria-live": "polite", id: "invite-out" });
  const form = h("form", { class: "card", "aria-label": "Invite someone" }, h("h2", {}, "Invite someone"),
    h("div", { class: "inline" }, h("div", {}, h("label", { for: "invite-email" }, "Email"), email), h("div", {}, h("label", { for: "invite-role" }, "Role"), role),
      h("button", { type: "submit", id: "invite" }, "Invite")), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = (await api("POST", "/invitations", { email: email.value, role: role.value })).data;
      out.replaceChildren(h("p", {}, r.email_sent ? "Invitation emailed to " + r.email + "." : "No mail server is configured: send " + r.email + " this link: "),
        r.invite_url ? h("code", { class: "secret" }, r.invite_url) : "");
      invitations.replaceWith((invitations = invitationList()));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  const me = state.me && state.me.id;
  const memberList = pagedList("Members", "/members", [
    ["Name", (m) => m.name],
    ["Email", (m) => m.email],
    ["Role", (m) => {
      const sel = h("select", { "aria-label": "Role of " + m.email }, ROLES.map((r) => h("option", { value: r, selected: r === m.role }, r)));
      sel.addEventListener("change", async () => {
        try { await api("PATCH", "/members/" + encodeURIComponent(m.user_id || m.id), { role: sel.value }); } catch (e) { alert(e.message); route(); }
      });
      return sel;
    }],
    ["", (m) => ((m.user_id || m.id) === me ? "you" : h("button", { type: "button", class: "danger", onclick: async () => {
      if (!confirm("Remove " + m.email + " from this workspace?")) return;
      try { await api("DELETE", "/members/" + encodeURIComponent(m.user_id || m.id)); } catch (e) { alert(e.message); }
      route();
    } }, "Remove"))],
  ]);
  let invitations = invitationList();
  render(h("h1", {}, "Members"), form, memberList, invitations);
}

function invitationList() {
  return pagedList("Invitations", "/invitations", [
    ["Email", (i) => i.email],
    ["Role", (i) => i.role],
    ["Status", (i) => i.status],
    ["Expires", (i) => when(i.expires_at)],
    ["", (i) => (i.status === "pending" ? h("button", { type: "button", class: "secondary", onclick: async () => {
      await api("DELETE", "/invitations/" + encodeURIComponent(i.id));
      route();
    } }, "Revoke") : "")],
  ]);
}

// ---- audit -----------------------------------------------------------------------------------

const AUDIT_FILTERS = [["event_type", "Event type", "key.* or user.signed_in"], ["actor", "Actor", "operator, key:…, user:…"],
  ["stream_type", "Entity", "key, site, workspace, …"], ["from", "From (RFC 3339)", "2026-12-01T00:00:00Z"], ["to", "To (RFC 3339)", ""]];

async function audit(query) {
  const inputs = AUDIT_FILTERS.map(([k, label, ph]) => [k, h("input", { id: "f-" + k, value: query.get(k) || "", placeholder: ph }), label]);
  const form = h("form", { class: "inline" }, inputs.map(([k, el, label]) => h("div", {}, h("label", { for: "f-" + k }, label), el)), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    for (const [k, el] of inputs) if (el.value) query.set(k, el.value); else query.delete(k);
    setQuery(query);
  });
  const p = new URLSearchParams();
  for (const [k] of AUDIT_FILTERS) if (query.get(k)) p.set(k, query.get(k));
  const chain = h("p", { id: "chain", class: "muted" }, "Checking the hash chain…");
  api("GET", "/audit/verify").then((r) => {
    const d = r.data || {};
    chain.replaceChildren(d.ok === false
      ? h("strong", { class: "error" }, "The hash chain is broken" + (d.first_broken ? " at link " + num(d.first_broken.seq) : "") + ".")
      : "The hash chain verifies: " + num(d.checked) + " links checked" + (d.pending ? ", " + num(d.pending) + " events not chained yet" : "") + ".");
  }).catch((e) => chain.replaceChildren(errorBox(e)));
  const exportBtn = h("button", { type: "button", class: "secondary", onclick: async () => {
    const headers = { Accept: "application/x-ndjson" };
    if (state.ws) headers["X-Workspace-ID"] = state.ws;
    const r = await fetch("/api/v1/audit/events?" + p.toString(), { headers, credentials: "same-origin" });
    download("audit.ndjson", await r.text());
  } }, "Export NDJSON");
  const wsLink = state.ws ? h("p", {}, h("a", { href: "#/history/workspaces/" + encodeURIComponent(state.ws) }, "This workspace's history")) : "";
  render(h("h1", {}, "Audit log"), chain, wsLink, form, exportBtn, cursorList("Events", "/audit/events" + (p.toString() ? "?" + p : ""), [
    ["When", (e) => when(e.occurred_at)],
    ["Event", (e) => e.event_type],
    ["Entity", (e) => e.stream_id],
    ["Actor", (e) => e.actor],
    ["From", (e) => e.client_ip || ""],
    ["Position", (e) => num(e.position), { num: true }],
  ]));
}

/** A list walked by `next_cursor` (the audit log): Next, and Previous back through the pages seen. */
function cursorList(title, path, cols) {
  const box = h("section", { class: "card", "aria-label": title });
  const seen = [];
  let cursor = null;
  async function load() {
    const sep = path.includes("?") ? "&" : "?";
    const r = await api("GET", path + sep + "limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    const next = r.next_cursor || (r.meta && r.meta.next_cursor) || null;
    const prevBtn = h("button", { type: "button", class: "secondary", disabled: seen.length === 0, onclick: () => { cursor = seen.pop(); load(); } }, "Previous");
    const nextBtn = h("button", { type: "button", class: "secondary", disabled: !next, onclick: () => { seen.push(cursor); cursor = next; load(); } }, "Next");
    box.replaceChildren(h("h2", {}, title), table(cols, r.data || []), h("div", { class: "pager" }, prevBtn, nextBtn));
  }
  load().catch((e) => box.replaceChildren(h("h2", {}, title), errorBox(e)));
  return box;
}

// ---- operator --------------------------------------------------------------------------------

/** The operator's pages call /api/v1/admin with the operator token, kept for this tab only. */
async function operator() {
  const token = sessionStorage.getItem("keel.operator");
  if (!token) {
    const input = h("input", { id: "operator-token", type: "password", autocomplete: "off", required: true });
    const form = h("form", { class: "card signin", "aria-label": "Operator token" },
      h("h1", {}, "Operator"),
      h("p", { class: "muted" }, "Projections and rebuilds need the operator token (`keel serve` printed it at the first start). It is kept for this tab only."),
      h("label", { for: "operator-token" }, "Operator token"), input, h("button", { type: "submit" }, "Continue"));
    form.addEventListener("submit", (e) => { e.preventDefault(); sessionStorage.setItem("keel.operator", input.value); route(); });
    return render(form);
  }
  const call = async (method, path) => {
    const r = await fetch("/api/v1" + path, { method, headers: { Authorization: "Bearer " + token, Accept: "application/json" }, credentials: "omit" });
    const body = await r.json().catch(() => null);
    if (r.status === 401) sessionStorage.removeItem("keel.operator");
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  };
  const box = h("section", { class: "card", "aria-label": "Projections" }, h("h2", {}, "Projections"));
  const forget = h("button", { type: "button", class: "secondary", onclick: () => { sessionStorage.removeItem("keel.operator"); route(); } }, "Forget the token");
  render(h("h1", {}, "Operator"), box, forget);
  const rows = (await call("GET", "/admin/projections")).data || [];
  box.replaceChildren(h("h2", {}, "Projections"), table([
    ["Name", (p) => p.name],
    ["Status", (p) => p.status],
    ["Applied position", (p) => num(p.applied_position), { num: true }],
    ["Lag", (p) => num(p.lag_events) + " events, " + fmt.format(Math.round(p.lag_seconds || 0)) + " s", { num: true }],
    ["Last rebuild", (p) => {
      const r = p.last_rebuild;
      if (!r) return "—";
      if (r.running) return h("progress", { max: r.total || 1, value: r.events, "aria-label": "rebuild of " + p.name }, num(r.events));
      return (r.error ? "failed: " + r.error : "done") + " " + when(r.finished_at);
    }],
    ["", (p) => h("button", { type: "button", class: "secondary", "aria-label": "Rebuild " + p.name, onclick: async () => {
      if (!confirm("Rebuild " + p.name + " from the log?")) return;
      await call("POST", "/admin/projections/" + encodeURIComponent(p.name) + "/rebuild");
      route();
    } }, "Rebuild")],
  ], rows));
}

/** A funnel of ordered steps (`page:/pricing, goal:signup`), kept in the URL: visitors per step as bars. */
function funnelPanel(siteId, query) {
  const stepsIn = h("input", { id: "funnel-steps", size: 40, value: query.get("funnel") || "", placeholder: "page:/pricing, goal:signup" });
  const form = h("form", { class: "inline" }, h("div", {}, h("label", { for: "funnel-steps" }, "Steps (2 to 8, in order)"), stepsIn), h("button", { type: "submit", class: "secondary" }, "Show funnel"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const steps = stepsIn.value.split(",").map((x) => x.trim()).filter(Boolean).join(",");
    if (steps) query.set("funnel", steps); else query.delete("funnel");
    setQuery(query);
  });
  const out = h("div", { id: "funnel" });
  const card = h("section", { class: "card", "aria-label": "Funnel" }, h("h2", {}, "Funnel"), form, out);
  let loaded = Promise.resolve();
  const steps = query.get("funnel");
  if (steps) {
    const q = new URLSearchParams(statsQuery(query, { steps }));
    q.delete("filters");
    loaded = api("GET", "/sites/" + encodeURIComponent(siteId) + "/funnels?" + q.toString()).then((r) => {
      const f = r.data || { steps: [] };
      out.replaceChildren(table([
        ["Step", (x) => x.step + ". " + x.type + " " + x.target],
        ["Visitors", (x) => num(x.visitors), { num: true }],
        ["", (x) => h("progress", { max: Math.max(1, f.entered), value: x.visitors, "aria-label": "step " + x.step + " of " + f.steps.length })],
        ["Conversion", (x) => fmt.format(x.conversion_rate) + " %", { num: true }],
        ["Drop-off", (x) => num(x.dropoff), { num: true }],
      ], f.steps));
    }).catch((e) => out.replaceChildren(errorBox(e)));
  }
  return { card, loaded };
}

// ---- detail pages ----------------------------------------------------------------------------

async function domainDetail(id) {
  const d = (await api("GET", "/domains/" + encodeURIComponent(id))).data;
  const fields = (d.latest_scan && d.latest_scan.fields) || {};
  render(
    h("h1", {}, d.domain),
    h("section", { class: "card", "aria-label": "Latest scan" }, h("h2", {}, "Latest scan " + when(d.last_scanned)),
      table([["Field", (x) => x[0]], ["Value", (x) => x[1]]], Object.entries(fields))),
    h("p", {}, h("a", { href: "#/history/domains/" + encodeURIComponent(id) }, "History and state as of an instant")),
    h("section", { class: "card", "aria-label": "WHOIS" }, h("h2", {}, "WHOIS"), h("pre", { class: "json" }, JSON.stringify(d.whois || null, null, 2))),
    pagedList("Changes", "/domains/" + encodeURIComponent(id) + "/changes", [
      ["Detected", (c) => when(c.detected_at)],
      ["Field", (c) => c.field_name],
      ["Before", (c) => c.old_value ?? "—"],
      ["After", (c) => c.new_value ?? "—"],
    ]),
  );
}

async function webhookDetail(id) {
  const w = (await api("GET", "/webhooks/" + encodeURIComponent(id))).data;
  const out = h("div", { "aria-live": "polite" });
  const test = h("button", { type: "button", id: "webhook-test", onclick: async () => {
    try {
      const r = (await api("POST", "/webhooks/" + encodeURIComponent(id) + "/test")).data;
      out.replaceChildren(h("p", {}, r.success ? "Delivered: " + r.status_code + " in " + fmt.format(r.response_time_ms) + " ms" : "Failed: " + (r.error || r.status_code)));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  } }, "Send a test message");
  render(
    h("h1", {}, "Webhook endpoint"),
    h("section", { class: "card" }, h("p", {}, w.url), h("p", { class: "muted" }, "Status: " + w.status + (w.disabled_reason ? " (" + w.disabled_reason + ")" : "") + " · secret " + w.secret_hint + "…"), test, out),
    pagedList("Deliveries", "/webhooks/" + encodeURIComponent(id) + "/deliveries", [
      ["Event", (d) => d.event_type],
      ["Status", (d) => d.status],
      ["Attempts", (d) => num(d.attempt), { num: true }],
      ["Answer", (d) => (d.response_status ? String(d.response_status) : d.error || "—")],
      ["", (d) => (d.status === "failed" ? h("button", { type: "button", class: "secondary", onclick: async () => {
        await api("POST", "/webhooks/" + encodeURIComponent(id) + "/deliveries/" + encodeURIComponent(d.id) + "/retry");
        route();
      } }, "Retry") : "")],
    ]),
  );
}

// ---- visitors and saved dashboards -----------------------------------------------------------

async function visitors(siteId) {
  render(h("h1", {}, "Visitors"), pagedList("Visitors", "/sites/" + encodeURIComponent(siteId) + "/visitors?sort=-last_seen", [
    ["Visitor", (v) => (v.visitor_id ? h("a", { href: "#/sites/" + encodeURIComponent(siteId) + "/visitors/" + encodeURIComponent(v.visitor_id) }, v.visitor_id) : "(anonymous)")],
    ["User", (v) => v.user_id || "—"],
    ["Last seen", (v) => when(v.last_seen)],
    ["Pageviews", (v) => num(v.pageviews), { num: true }],
    ["Events", (v) => num(v.events), { num: true }],
  ]));
}

async function visitorProfile(siteId, visitorId) {
  const v = (await api("GET", "/sites/" + encodeURIComponent(siteId) + "/visitors/" + encodeURIComponent(visitorId))).data;
  render(
    h("h1", {}, "Visitor " + (v.visitor_id || "")),
    h("div", { class: "figures" },
      [["Visits", v.visits], ["Pageviews", v.pageviews], ["Events", v.events]].map(([l, x]) => h("div", { class: "figure" }, h("div", { class: "label" }, l), h("div", { class: "value" }, num(x)))),
      Object.entries(v.lifetime_revenue || {}).map(([cur, net]) => h("div", { class: "figure" }, h("div", { class: "label" }, "Lifetime revenue " + cur),
        h("div", { class: "value" }, new Intl.NumberFormat(navigator.language || "en", { style: "currency", currency: cur }).format(net / 100))))),
    h("section", { class: "card", "aria-label": "Identity" }, h("h2", {}, "Identity"),
      h("p", {}, "User id: " + (v.user_id || "—") + " · first seen " + when(v.first_seen) + " · last seen " + when(v.last_seen)),
      h("pre", { class: "json" }, JSON.stringify(v.traits || {}, null, 2))),
    h("section", { class: "card", "aria-label": "Goals" }, h("h2", {}, "Goals"), table([["Goal", (g) => g.name], ["Completions", (g) => num(g.completions), { num: true }], ["Last", (g) => when(g.last_completed_at)]], v.goals || [])),
  );
}

async function savedDashboards() {
  render(h("h1", {}, "Dashboards"), pagedList("Saved dashboards", "/dashboards", [
    ["Name", (d) => h("a", { href: "#/dashboards/" + encodeURIComponent(d.id) }, d.name)],
    ["Description", (d) => d.description],
    ["Widgets", (d) => num((d.widgets || []).length), { num: true }],
    ["Updated", (d) => when(d.updated_at)],
  ]));
}

async function savedDashboard(id) {
  const d = (await api("GET", "/dashboards/" + encodeURIComponent(id) + "/data")).data;
  const remove = (i) => async () => {
    const saved = (await api("GET", "/dashboards/" + encodeURIComponent(id))).data;
    await api("PATCH", "/dashboards/" + encodeURIComponent(id), { widgets: (saved.widgets || []).filter((_, j) => j !== i) });
    route();
  };
  const del = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!confirm("Delete the dashboard " + d.name + "?")) return;
    await api("DELETE", "/dashboards/" + encodeURIComponent(id));
    go("#/dashboards");
  } }, "Delete dashboard");
  render(h("h1", {}, d.name), del, h("div", { class: "grid" }, (d.widgets || []).map((w, i) =>
    h("section", { class: "card", "aria-label": w.title || w.metric, "data-widget": i }, h("h2", {}, (w.title || w.metric) + " · " + w.period + " ",
      h("button", { type: "button", class: "secondary", "aria-label": "Remove widget " + (w.title || w.metric), onclick: remove(i) }, "Remove")),
      w.error ? h("p", { class: "muted" }, w.error) : lineChart((w.series || []).map((p) => ({ date: p.date, value: typeof p.value === "number" ? p.value : 0 })), "value")))));
}

/** Saves the chart, as it is filtered, as a widget of a saved dashboard (a new one or one of the list). */
function saveWidget(siteId, query, interval, period, filters) {
  const target = h("select", {}, h("option", { value: "" }, "a new dashboard"));
  const name = h("input", { placeholder: "Dashboard name" });
  const title = h("input", { value: "Visitors" });
  const out = h("span", { "aria-live": "polite", id: "save-widget-out" });
  api("GET", "/dashboards?limit=100").then((r) => target.append(...(r.data || []).map((d) => h("option", { value: d.id }, d.name)))).catch(() => {});
  target.addEventListener("change", () => { name.hidden = target.value !== ""; });
  const form = h("form", { class: "inline", "aria-label": "Save to a dashboard" },
    field("w-title", "Widget title", title), field("w-target", "Save to", target), field("w-name", "New dashboard's name", name),
    h("button", { type: "submit", class: "secondary", id: "save-widget" }, "Save chart"), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (query.get("from")) return out.replaceChildren(errorBox("A saved widget keeps a period (today, 7d, 30d, month, 12mo), not a custom range."));
    const widget = { title: title.value || "Visitors", site_id: siteId, metric: "visitors", interval, period, filters };
    try {
      if (target.value) {
        const d = (await api("GET", "/dashboards/" + encodeURIComponent(target.value))).data;
        await api("PATCH", "/dashboards/" + encodeURIComponent(target.value), { widgets: [...(d.widgets || []), widget] });
        out.replaceChildren("Saved to ", h("a", { href: "#/dashboards/" + encodeURIComponent(target.value) }, d.name), ".");
      } else {
        const d = (await api("POST", "/dashboards", { name: name.value || "My dashboard", widgets: [widget] })).data;
        out.replaceChildren("Saved to ", h("a", { href: "#/dashboards/" + encodeURIComponent(d.id) }, d.name), ".");
      }
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// ---- AI agents: the MCP endpoint, Keel's servers and every tool call ---------------------------

async function agents(query) {
  const endpoint = location.origin + "/mcp";
  const config = JSON.stringify({ mcpServers: { keel: { type: "http", url: endpoint, headers: { Authorization: "Bearer <key>" } } } }, null, 2);
  const connect = h("section", { class: "card", "aria-label": "Connect an agent" }, h("h2", {}, "Connect an agent"),
    h("p", {}, "Keel is an MCP server. Point an agent's MCP client at ", h("code", { id: "mcp-endpoint" }, endpoint),
      " with a key of this workspace as a Bearer token: the agent can do exactly what the key's scopes allow, and every call it makes is listed below."),
    h("p", {}, "Create a key with only the scopes the agent needs on the ", h("a", { href: "#/keys" }, "Keys"), " page. Claude Desktop, Cursor and similar clients take this configuration:"),
    h("pre", { id: "mcp-config", tabindex: "0", "aria-label": "Client configuration" }, config),
    h("p", { class: "muted" }, "MCP 2026-07-28 (stateless) and 2025-11-25 are spoken. One server per area is at /mcp/analytics, /mcp/domains, /mcp/audit, /mcp/keys and /mcp/usage."));
  let servers;
  try {
    const mine = state.lastWrite && state.lastWrite.path.startsWith("/mcp/servers") ? "?min_position=" + encodeURIComponent(state.lastWrite.position) : "";
    servers = (await api("GET", "/mcp/servers" + mine)).data;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    return render(h("h1", {}, "Agents"), connect, h("p", { class: "muted" }, "Your role does not show agents' servers and calls: ask an owner or an admin."));
  }
  const serverList = h("section", { class: "card", "aria-label": "Keel's MCP servers" }, h("h2", {}, "Keel's MCP servers"),
    table([
      ["Server", (x) => x.name],
      ["What it does", (x) => x.description],
      ["Tools you may use", (x) => (x.tools.length ? x.tools.join(", ") : "none with your role")],
    ], servers.filter((x) => x.kind !== "remote")));
  const remote = remoteServers(servers.filter((x) => x.kind === "remote"));
  const outcome = query.get("outcome") || "";
  const pick = h("select", { id: "call-outcome" }, [["", "all"], ["ok", "ok"], ["error", "error"], ["refused", "refused"]]
    .map(([v, l]) => h("option", { value: v, selected: v === outcome }, l)));
  pick.addEventListener("change", () => {
    const q = new URLSearchParams(query);
    if (pick.value) q.set("outcome", pick.value); else q.delete("outcome");
    setQuery(q);
  });
  const filter = h("div", { class: "inline" }, field("call-outcome", "Outcome", pick));
  const calls = pagedList("Tool calls", "/mcp/calls" + (outcome ? "?outcome=" + encodeURIComponent(outcome) : ""), [
    ["When", (c) => when(c.created_at)],
    ["Caller", (c) => c.actor],
    ["Tool", (c) => c.server + " · " + c.tool],
    ["Outcome", (c) => c.outcome + (c.status ? " (" + c.status + ")" : "") + (c.error ? ": " + c.error : "")],
    ["Duration", (c) => fmt.format(c.duration_ms) + " ms", { num: true }],
    ["Via", (c) => c.via + (c.protocol_version ? " " + c.protocol_version : "") + (c.client ? " · " + c.client : "")],
  ]);
  const inAudit = h("p", {}, "Each call is an event of the ", h("a", { id: "calls-in-audit", href: "#/audit?event_type=mcp.tool_called" }, "audit log"),
    "; what a tool changed is there too, under the call's request id.");
  render(h("h1", {}, "Agents"), connect, serverList, remote, h("section", { class: "card", "aria-label": "Filter tool calls" }, h("h2", {}, "Every tool call"), inAudit, filter), calls);
}

/** Remote MCP servers the workspace registered (the gateway), and for owners and admins a form
 *  to register one and buttons to refresh, turn off or remove one. */
function remoteServers(list) {
  const me = state.workspaces.find((w) => w.workspace_id === state.ws);
  const admin = me && (me.role === "owner" || me.role === "admin");
  const out = h("div", { "aria-live": "polite", id: "remote-out" });
  const act = (label, x, f) => h("button", { type: "button", class: label === "Remove" ? "danger" : "secondary", "aria-label": label + " " + x.id, onclick: async () => {
    try {
      if ((await f()) !== false) route();
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  } }, label);
  const cols = [
    ["Server", (x) => h("span", {}, h("strong", {}, x.id), x.name !== x.id ? " · " + x.name : "")],
    ["URL", (x) => h("code", {}, x.remote.url)],
    ["Tools", (x) => (x.tools.length ? x.tools.map((t) => x.id + "." + t).join(", ") : "none with your role")],
    ["Status", (x) => (x.remote.active ? "on" : "off") + " · MCP " + x.remote.protocol_version],
    ["Credential", (x) => (x.remote.credential_hint ? x.remote.credential_header + ": " + x.remote.credential_hint : "none")],
  ];
  if (admin) {
    cols.push(["", (x) => h("span", { class: "inline" },
      act("Refresh", x, () => api("POST", "/mcp/servers/" + encodeURIComponent(x.id) + "/refresh")),
      act(x.remote.active ? "Turn off" : "Turn on", x, () => api("PATCH", "/mcp/servers/" + encodeURIComponent(x.id), { active: !x.remote.active })),
      act("Remove", x, async () => {
        if (!confirm("Remove the MCP server " + x.id + "? Its tools disappear and its credential is destroyed.")) return false;
        await api("DELETE", "/mcp/servers/" + encodeURIComponent(x.id));
      }))]);
  }
  const box = h("section", { class: "card", "aria-label": "Remote MCP servers" }, h("h2", {}, "Remote MCP servers"),
    h("p", {}, "MCP servers elsewhere (Streamable HTTP) whose tools agents call through Keel, as ", h("code", {}, "<server>.<tool>"),
      " on /mcp: with the server's credential, which agents never see, and every call on the record."),
    table(cols, list), out);
  if (!admin) return box;
  const name = h("input", { required: true, pattern: "[a-z][a-z0-9-]{0,31}", placeholder: "weather", size: 12 });
  const url = h("input", { required: true, type: "url", placeholder: "https://mcp.example.com/mcp", size: 36 });
  const credential = h("input", { type: "password", autocomplete: "off", placeholder: "optional", size: 20 });
  const header = h("input", { placeholder: "Authorization", size: 14 });
  const form = h("form", { "aria-label": "Register a remote MCP server" }, h("h3", {}, "Register a server"),
    h("div", { class: "inline" }, field("r-name", "Name", name), field("r-url", "URL", url),
      field("r-credential", "Credential", credential), field("r-header", "Sent in header", header)),
    h("button", { type: "submit", id: "register-server" }, "Connect and register"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: name.value, url: url.value };
    if (credential.value) body.credential = credential.value;
    if (header.value) body.credential_header = header.value;
    try {
      const r = await api("POST", "/mcp/servers", body);
      credential.value = "";
      route();
      out.replaceChildren("Registered ", h("strong", {}, r.data.id), " with " + r.data.tools.length + " tools.");
    } catch (err) {
      const fields = err.body && err.body.error && err.body.error.details && err.body.error.details.fields;
      out.replaceChildren(errorBox(err), fields ? h("ul", {}, fields.map((f) => h("li", {}, f.field + ": " + f.message))) : "");
    }
  });
  box.append(form);
  return box;
}

// ---- the Tracking Checker and SEO issues -----------------------------------------------------

const LANGUAGES = [["en", "English"], ["cs", "Čeština"], ["sk", "Slovenčina"], ["de", "Deutsch"]];

async function tracking() {
  const url = h("input", { type: "text", required: true, placeholder: "https://eshop.cz", inputmode: "url" });
  const language = h("select", {}, LANGUAGES.map(([v, l]) => h("option", { value: v }, l)));
  const summary = h("input", { type: "checkbox", checked: true });
  const speed = h("input", { type: "checkbox", checked: true });
  const visitors = h("input", { type: "number", min: 0, placeholder: "optional" });
  const revenue = h("input", { type: "number", min: 0, placeholder: "optional" });
  const currency = h("input", { maxlength: 3, placeholder: "CZK", size: 4 });
  const out = h("div", { "aria-live": "polite", id: "scan-out" });
  const form = h("form", { class: "card", "aria-label": "New scan" }, h("h2", {}, "Scan a page"),
    h("div", { class: "inline" }, field("s-url", "Page URL", url), field("s-language", "Summary language", language)),
    h("div", { class: "inline" }, h("label", {}, summary, " summary"), h("label", {}, speed, " PageSpeed"),
      field("s-visitors", "Monthly visitors", visitors), field("s-revenue", "Monthly revenue", revenue), field("s-currency", "Currency", currency)),
    h("button", { type: "submit", id: "run-scan" }, "Scan"), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { url: url.value, language: language.value, ai_summary: summary.checked, pagespeed: speed.checked };
    if (visitors.value) body.monthly_visitors = Number(visitors.value);
    if (revenue.value) body.monthly_revenue = Number(revenue.value);
    if (currency.value) body.currency = currency.value.toUpperCase();
    try {
      const r = await api("POST", "/tracking-checker/scan", body, { Prefer: "respond-async" });
      go("#/tracking/" + encodeURIComponent(r.data.id));
    } catch (err) {
      const fields = err.body && err.body.error && err.body.error.details && err.body.error.details.fields;
      out.replaceChildren(errorBox(err), fields ? h("ul", {}, fields.map((f) => h("li", {}, f.field + ": " + f.message))) : "");
    }
  });
  render(h("h1", {}, "Tracking Checker"), form,
    pagedList("Scans", "/tracking-checker/scans", [
      ["Page", (s) => h("a", { href: "#/tracking/" + encodeURIComponent(s.id) }, s.url)],
      ["Status", (s) => s.status],
      ["Trackers", (s) => (s.tracker_ids || []).join(", ")],
      ["Scanned", (s) => when(s.completed_at || s.created_at)],
    ]),
    pagedList("SEO issues", "/seo/issues/" + encodeURIComponent(state.ws) + "?status=all", [
      ["Issue", (i) => h("a", { href: "#/tracking/issues/" + encodeURIComponent(i.id) }, i.issue_type)],
      ["Severity", (i) => i.severity],
      ["Status", (i) => i.status],
      ["Page", (i) => i.url],
      ["Element", (i) => i.element],
      ["First seen", (i) => when(i.created_at)],
    ]));
}

function pct(r) {
  return r ? fmt.format(r.low) + "–" + fmt.format(r.high) + " %" : "—";
}

function yesNo(v) {
  return v === true ? "yes" : v === false ? "no" : "unknown";
}

async function scanDetail(id) {
  const hash = location.hash;
  const own = ownWrite("/tracking-checker/scans");
  const r = await api("GET", "/tracking-checker/scans/" + encodeURIComponent(id) + (own ? "?" + own.slice(1) : ""));
  const s = r.data;
  const head = [h("h1", {}, "Scan of ", s.url), h("p", { class: "muted" }, "Requested " + when(s.created_at) + (s.final_url && s.final_url !== s.url ? " · ended at " + s.final_url : ""))];
  if (s.status === "queued") {
    render(...head, h("p", { role: "status", id: "scan-status" }, "Scanning…"));
    setTimeout(() => { if (location.hash === hash) route(); }, 1000);
    return;
  }
  if (s.status === "failed") {
    render(...head, h("p", { id: "scan-status" }, "Failed"), h("p", { class: "error", role: "alert" }, (s.error && s.error.code) + ": " + (s.error && s.error.message)));
    return;
  }
  const sections = [h("p", { id: "scan-status" }, "Completed in " + fmt.format(s.duration_ms || 0) + " ms")];
  if (s.passes) sections.push(h("p", { id: "scan-passes" }, "Read from " + (s.passes.rendered ? "the HTML and the page as Chromium ran it, before and after consent" : "the HTML as served")));
  if (s.passes && s.passes.note) sections.push(h("p", { class: "muted" }, s.passes.note));
  if (s.ai_summary) {
    sections.push(h("section", { class: "card", "aria-label": "Summary" }, h("h2", {}, "Summary"),
      h("p", { id: "scan-summary", lang: s.ai_summary.language }, s.ai_summary.text),
      h("p", { class: "muted" }, s.ai_summary.source === "gemini" ? "Written by " + (s.ai_summary.model || "Gemini") : "Template" + (s.ai_summary.fallback_reason ? " (" + s.ai_summary.fallback_reason + ")" : ""))));
  }
  sections.push(h("section", { class: "card", "aria-label": "Trackers" }, h("h2", {}, "Trackers"), table([
    ["Tool", (t) => t.name],
    ["Category", (t) => t.category.replace(/_/g, " ")],
    ["Ids", (t) => (t.ids || []).join(", ")],
    ["Before consent", (t) => yesNo(t.before_consent)],
    ["Found in", (t) => (t.found_in || []).join(", ")],
    ["Loaded by", (t) => ((t.evidence || []).find((e) => e.initiator) || {}).initiator || ""],
  ], s.trackers || [])));
  const c = s.consent || {};
  const m = c.consent_mode || {};
  sections.push(h("section", { class: "card", "aria-label": "Consent" }, h("h2", {}, "Consent"),
    h("dl", {},
      h("dt", {}, "Consent manager"), h("dd", {}, (c.managers || []).map((x) => x.name).join(", ") || "none found"),
      c.banner_accepted === undefined ? "" : h("dt", {}, "Banner accepted by the scan"), c.banner_accepted === undefined ? "" : h("dd", {}, yesNo(c.banner_accepted)),
      h("dt", {}, "Consent Mode defaults"), h("dd", {}, m.default_set ? (m.v2 ? "v2" : "v1 (no ad_user_data / ad_personalization)") : "not set"),
      h("dt", {}, "Before the first Google tag"), h("dd", {}, yesNo(m.before_first_tag)),
      h("dt", {}, "Loading before consent"), h("dd", {}, (c.trackers_before_consent || []).join(", ") || "nothing known"))));
  const l = s.loss_estimate;
  if (l) {
    sections.push(h("section", { class: "card", "aria-label": "Loss estimate" }, h("h2", {}, "Loss estimate"),
      h("p", { id: "scan-loss" }, "Unmeasured: " + pct(l.visitors_pct) + " of visitors, " + pct(l.conversions_pct) + " of conversions."),
      l.monthly_revenue_unmeasured ? h("p", {}, "Revenue a month measured poorly or not at all: " + fmt.format(l.monthly_revenue_unmeasured.low) + "–" + fmt.format(l.monthly_revenue_unmeasured.high) + " " + (l.monthly_revenue_unmeasured.currency || "")) : "",
      table([["Factor", (f) => f.description], ["Visitors", (f) => pct(f.visitors_pct), { num: true }], ["Conversions", (f) => pct(f.conversions_pct), { num: true }]], l.factors || []),
      (l.not_evaluated || []).length ? h("p", { class: "muted" }, "Not evaluated: " + l.not_evaluated.join(", ")) : ""));
  }
  const p = s.pagespeed || {};
  const scores = (x) => x ? ["performance", "accessibility", "best_practices", "seo"].map((k) => k.replace("_", " ") + " " + num(x[k])).join(" · ") + (x.lcp_ms ? " · LCP " + fmt.format(x.lcp_ms) + " ms" : "") : "—";
  sections.push(h("section", { class: "card", "aria-label": "Speed" }, h("h2", {}, "Speed"),
    h("p", {}, "Source: " + p.source), p.mobile ? h("p", {}, "Mobile: " + scores(p.mobile)) : "", p.desktop ? h("p", {}, "Desktop: " + scores(p.desktop)) : "",
    p.note ? h("p", { class: "muted" }, p.note) : ""));
  sections.push(h("section", { class: "card", "aria-label": "SEO" }, h("h2", {}, "SEO"), table([
    ["Issue", (i) => i.type],
    ["Severity", (i) => i.severity],
    ["Element", (i) => i.element],
  ], (s.seo && s.seo.issues) || [])));
  if (s.changes) {
    const ch = s.changes;
    sections.push(h("section", { class: "card", "aria-label": "Changes" }, h("h2", {}, "Since the last scan"),
      h("p", { class: "muted" }, "Compared with the scan of " + when(ch.previous_scanned_at)),
      h("dl", {},
        h("dt", {}, "Added"), h("dd", { id: "scan-added" }, ch.added.join(", ") || "nothing"),
        h("dt", {}, "Removed"), h("dd", { id: "scan-removed" }, ch.removed.join(", ") || "nothing"),
        h("dt", {}, "Ids added"), h("dd", {}, ch.ids_added.join(", ") || "none"),
        h("dt", {}, "Ids removed"), h("dd", {}, ch.ids_removed.join(", ") || "none"))));
  }
  render(...head, ...sections);
}

async function seoIssue(id) {
  const i = (await api("GET", "/seo/issues/" + encodeURIComponent(state.ws) + "/" + encodeURIComponent(id))).data;
  render(h("h1", {}, i.issue_type), h("p", { class: "muted" }, i.url + (i.element ? " · " + i.element : "") + " · " + i.severity + " · " + i.status),
    h("section", { class: "card", "aria-label": "History" }, h("h2", {}, "History"), table([
      ["When", (e) => when(e.occurred_at)],
      ["", (e) => e.type],
      ["Severity", (e) => e.severity || ""],
    ], i.history || [])));
}
