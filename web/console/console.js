// The agents' console (web/console/index.html), over the review API
// (/api/v1/review/..., docs/REVIEW.md): sign in with a token, read the
// inbox of questions the assistant could not answer, act on them in one
// click (attach to an intent, dismiss, to write), see the clusters, the
// statistics and download the exports.
//
// The token is kept in sessionStorage: this tab only, gone when it closes.
// A server without the review API gets a plain message, not a broken page.

import { api, ApiError, el, fill } from "/assets/accueil/render.js";

const KEY_TOKEN = "accueil.console.token";
const STATUSES = [
  { id: "new", label: "Nouvelles" },
  { id: "to_write", label: "À rédiger" },
  { id: "attached", label: "Rattachées" },
  { id: "dismissed", label: "Écartées" },
];
const PAGE = 20;

const $ = (id) => document.getElementById(id);
const status = $("status");

let token = null;
let intents = []; // [{id, title, domain}]
let titles = new Map();
const view = { status: "new", sort: "count", site: "", since: "", cursor: null };

// ---------------------------------------------------------------- helpers

function say(text, kind = "info") {
  status.textContent = text;
  status.dataset.kind = kind;
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function call(path, options = {}) {
  return api(path, { ...options, token }).catch((e) => {
    if (e instanceof ApiError && e.status === 401) {
      signOut("Votre jeton n'est plus accepté. Connectez-vous à nouveau.");
    }
    throw e;
  });
}

function problem(e, what) {
  if (!(e instanceof ApiError)) return `${what} : erreur inattendue.`;
  if (e.status === 0) return `${what} : le serveur ne répond pas.`;
  if (e.status === 403) return `${what} : votre jeton n'a pas le droit de le faire (il faut un jeton administrateur).`;
  if (e.status === 404 && e.code === "not_found") return `${what} : ce serveur n'a pas la relecture des questions.`;
  return `${what} : ${e.message} (${e.code}).`;
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("fr-FR", { dateStyle: "medium", timeStyle: "short" });
}

function title(intent) {
  return titles.get(intent) || "Réponse retirée du contenu";
}

function percent(x) {
  return `${Math.round(x * 100)} %`;
}

/** Lower case, no accents: for searching intents as agents type. */
function fold(s) {
  return String(s || "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}

// ---------------------------------------------------------------- sign in

async function signIn(candidate) {
  // Any agent endpoint tells whether the token is accepted.
  await api("/api/v1/review/questions?limit=1", { token: candidate });
  token = candidate;
  storage()?.setItem(KEY_TOKEN, token);
  // The tabs appear once the intents are there: a tab chosen earlier was
  // thrown back to « Questions » when they arrived.
  await loadIntents();
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("session-box").hidden = false;
  $("who").textContent = "Connecté avec un jeton";
  selectTab("tab-questions", { focus: false });
  $("app-title").focus?.();
}

function signOut(message) {
  token = null;
  storage()?.removeItem(KEY_TOKEN);
  $("app").hidden = true;
  $("session-box").hidden = true;
  $("sign-in").hidden = false;
  $("token").value = "";
  if (message) say(message, "warning");
  $("token").focus();
}

function tokenError(text) {
  const err = $("token-error");
  err.textContent = text;
  err.hidden = !text;
  $("token-group").classList.toggle("fr-input-group--error", Boolean(text));
  $("token").classList.toggle("fr-input--error", Boolean(text));
  $("token").setAttribute("aria-invalid", text ? "true" : "false");
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const candidate = $("token").value.trim();
  if (!candidate) {
    tokenError("Entrez votre jeton.");
    $("token").focus();
    return;
  }
  tokenError("");
  try {
    await signIn(candidate);
    say("Vous êtes connecté.");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) tokenError("Ce jeton est refusé. Vérifiez-le.");
    else tokenError(problem(e, "Connexion impossible"));
    $("token").focus();
  }
});

$("sign-out").addEventListener("click", () => signOut("Vous êtes déconnecté."));

async function loadIntents() {
  try {
    const topics = await api("/api/v1/topics");
    intents = [];
    for (const d of topics.domains || []) {
      for (const i of d.intents || []) intents.push({ id: i.id, title: i.title, domain: d.label });
    }
    // Every intent's title, conversation ones included: never a raw id.
    titles = new Map([...Object.entries(topics.titles || {}), ...intents.map((i) => [i.id, i.title])]);
  } catch {
    intents = [];
  }
}

// ---------------------------------------------------------------- tabs

const tabs = Array.from(document.querySelectorAll('[role="tab"]'));

function selectTab(id, { focus = true } = {}) {
  for (const tab of tabs) {
    const selected = tab.id === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  // A message belongs to the tab it was said in.
  say("");
  if (id === "tab-questions") loadQuestions({ reset: true });
  else if (id === "tab-clusters") loadClusters();
  else if (id === "tab-stats") loadStats();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab.id));
  tab.addEventListener("keydown", (event) => {
    const k = tabs.indexOf(tab);
    const to = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length].id);
  });
}

// ---------------------------------------------------------------- questions

async function loadCounts() {
  const box = $("status-filter");
  const counts = await Promise.all(
    STATUSES.map((s) =>
      call(`/api/v1/review/questions?status=${s.id}&limit=1`)
        .then((r) => r.total ?? r.items.length)
        .catch(() => null),
    ),
  );
  box.replaceChildren(
    ...STATUSES.map((s, k) =>
      el(
        "button",
        {
          type: "button",
          class: "fr-tag console__count",
          "aria-pressed": String(view.status === s.id),
          dataset: { status: s.id },
          onclick: () => {
            view.status = s.id;
            loadQuestions({ reset: true });
          },
        },
        `${s.label} `,
        el("span", { class: "console__count-n" }, counts[k] === null ? "?" : String(counts[k])),
      ),
    ),
  );
}

function questionsQuery() {
  const q = new URLSearchParams({ status: view.status, sort: view.sort, limit: String(PAGE) });
  if (view.site) q.set("site", view.site);
  if (view.since) q.set("since", view.since);
  if (view.cursor) q.set("cursor", view.cursor);
  return q.toString();
}

/** The count above the list, for the status on show. */
function showTotal(total) {
  const label = STATUSES.find((s) => s.id === view.status)?.label.toLowerCase() || "";
  $("questions-total").textContent = total === 0 ? `Aucune question ${label}.` : `${total} question${total > 1 ? "s" : ""} ${label}.`;
}

/** After an action: the counts of every status and of the list, fresh. */
async function refreshCounts() {
  await loadCounts().catch(() => {});
  try {
    const r = await call(`/api/v1/review/questions?status=${view.status}&limit=1${view.site ? `&site=${encodeURIComponent(view.site)}` : ""}${view.since ? `&since=${encodeURIComponent(view.since)}` : ""}`);
    showTotal(r.total ?? r.items.length);
  } catch {
    /* the list's own error says it */
  }
}

async function loadQuestions({ reset = false } = {}) {
  const list = $("questions");
  if (reset) {
    view.cursor = null;
    // Never show the previous list under the new filter's counts.
    list.replaceChildren();
    $("questions-total").textContent = "Chargement…";
  }
  list.setAttribute("aria-busy", "true");
  try {
    await loadCounts();
    const page = await call(`/api/v1/review/questions?${questionsQuery()}`);
    if (reset) list.replaceChildren();
    for (const item of page.items) list.append(questionCard(item));
    showTotal(page.total);
    view.cursor = page.next_cursor || null;
    $("more").hidden = !view.cursor;
  } catch (e) {
    if (reset) list.replaceChildren();
    $("questions-total").textContent = problem(e, "Les questions ne sont pas disponibles");
    $("more").hidden = true;
  } finally {
    list.removeAttribute("aria-busy");
  }
}

$("more").addEventListener("click", () => loadQuestions());

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  view.sort = $("filter-sort").value;
  view.site = $("filter-site").value.trim();
  view.since = $("filter-since").value;
  loadQuestions({ reset: true });
});

const STATUS_LABEL = { new: "Nouvelle", to_write: "À rédiger", attached: "Rattachée", dismissed: "Écartée" };
const STATUS_BADGE = { new: "fr-badge--new", to_write: "fr-badge--warning", attached: "fr-badge--success", dismissed: "" };
const OUTCOME_LABEL = { fallback: "sans réponse", clarify: "précision non choisie", not_useful: "réponse jugée inutile" };

function questionCard(item) {
  // The card takes the focus back after an action (its button is redrawn).
  const li = el("li", { class: "console__question", tabindex: "-1", "aria-label": `Question « ${item.text} »`, dataset: { id: item.id, status: item.status } });
  const done = (list) => {
    list.forEach(render);
    li.focus();
  };
  const render = (q) => {
    const outcomes = Object.entries(q.outcomes || {})
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${OUTCOME_LABEL[k] || k}`)
      .join(", ");
    li.dataset.status = q.status;
    fill(
      li,
      el(
        "div",
        { class: "console__question-head" },
        el("p", { class: "console__quote" }, q.text),
        el(
          "p",
          { class: "console__badges" },
          el("span", { class: `fr-badge fr-badge--sm ${STATUS_BADGE[q.status] || ""}` }, STATUS_LABEL[q.status] || q.status),
          el("span", { class: "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon" }, `${q.count} fois`),
        ),
      ),
      el(
        "p",
        { class: "console__meta" },
        `Vue le ${when(q.last_seen)}`,
        q.first_seen && q.first_seen !== q.last_seen ? ` (première fois le ${when(q.first_seen)})` : "",
        q.sites && q.sites.length ? ` · sites : ${q.sites.join(", ")}` : "",
        q.channels && q.channels.length ? ` · ${q.channels.map((c) => (c === "kiosk" ? "sur la borne" : c === "web" ? "sur le site web" : c)).join(", ")}` : "",
        outcomes ? ` · ${outcomes}` : "",
      ),
      q.intent ? el("p", { class: "console__meta" }, `Rattachée à « ${title(q.intent)} »`, q.action ? ` par ${q.action.by}, le ${when(q.action.at)}` : "") : null,
      q.action && !q.intent ? el("p", { class: "console__meta" }, `${STATUS_LABEL[q.status]} par ${q.action.by}, le ${when(q.action.at)}`) : null,
      candidates(q, done),
      el(
        "div",
        { class: "console__actions" },
        el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--icon-left fr-icon-links-line console__attach", onclick: () => openAttach([q], done) }, "Rattacher à…"),
        q.status !== "to_write"
          ? el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-edit-line", onclick: () => act([q], { action: "to_write" }).then(done) }, "À rédiger")
          : null,
        q.status !== "dismissed"
          ? el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-close-line", onclick: () => act([q], { action: "dismiss" }).then(done) }, "Écarter (hors sujet)")
          : null,
      ),
    );
  };
  render(item);
  return li;
}

function candidates(q, done) {
  const list = (q.candidates || []).filter((c) => titles.has(c.intent) || c.intent);
  if (!list.length) return null;
  return el(
    "div",
    { class: "console__candidates" },
    el("p", { class: "console__candidates-title" }, "Réponses les plus proches :"),
    el(
      "ul",
      {},
      list.slice(0, 3).map((c) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "fr-btn fr-btn--sm fr-btn--tertiary console__candidate",
              dataset: { intent: c.intent },
              onclick: () => act([q], { action: "attach", intent: c.intent }).then(done),
            },
            `Rattacher à « ${title(c.intent)} » (${percent(c.score)})`,
          ),
        ),
      ),
    ),
  );
}

/** Apply one action to questions; returns the updated ones. */
async function act(questions, body) {
  const done = [];
  const failed = [];
  for (const q of questions) {
    try {
      done.push(await call(`/api/v1/review/questions/${encodeURIComponent(q.id)}`, { method: "POST", body }));
    } catch (e) {
      failed.push(problem(e, `« ${q.text.slice(0, 60)} »`));
    }
  }
  const n = done.length;
  const what =
    body.action === "attach"
      ? `rattachée${n > 1 ? "s" : ""} à « ${title(body.intent)} ». L'assistant y répond dès maintenant`
      : body.action === "dismiss"
        ? `écartée${n > 1 ? "s" : ""}`
        : `mise${n > 1 ? "s" : ""} dans « À rédiger »`;
  if (n) say(`${n === 1 ? "Question" : `${n} questions`} ${what}.`, "success");
  if (failed.length) say(failed.join(" "), "error");
  if (n) refreshCounts();
  return done;
}

// ---------------------------------------------------------------- attach dialog

const dialog = $("attach-dialog");
const search = $("attach-search");
let attaching = null;

function openAttach(questions, after) {
  attaching = { questions, after };
  // The quote marks come from the style (.console__quote): none here.
  $("attach-count").textContent = questions.length === 1 ? "" : `${questions.length} questions, par exemple :`;
  $("attach-count").hidden = questions.length === 1;
  $("attach-question").textContent = questions[0].text;
  search.value = "";
  drawIntents();
  dialog.showModal();
  search.focus();
}

function drawIntents() {
  const words = fold(search.value).split(/\s+/).filter(Boolean);
  const shown = intents.filter((i) => {
    const hay = fold(`${i.title} ${i.id} ${i.domain}`);
    return words.every((w) => hay.includes(w));
  });
  $("attach-count").textContent = `${shown.length} réponse${shown.length > 1 ? "s" : ""}`;
  $("attach-list").replaceChildren(
    ...shown.slice(0, 60).map((i) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "console__intent",
            dataset: { intent: i.id },
            onclick: async () => {
              const { questions, after } = attaching;
              dialog.close();
              const done = await act(questions, { action: "attach", intent: i.id });
              after(done);
            },
          },
          el("span", { class: "console__intent-title" }, i.title),
          el("span", { class: "console__intent-id" }, `${i.domain} · ${i.id}`),
        ),
      ),
    ),
  );
}

search.addEventListener("input", drawIntents);
search.addEventListener("keydown", (event) => {
  // Enter takes the first result; arrows go down the list; Escape closes
  // at once (in a search field it would first only clear the text).
  if (event.key === "Escape") {
    event.preventDefault();
    dialog.close();
  } else if (event.key === "Enter") {
    event.preventDefault();
    $("attach-list").querySelector("button")?.click();
  } else if (event.key === "ArrowDown") {
    event.preventDefault();
    $("attach-list").querySelector("button")?.focus();
  }
});
$("attach-list").addEventListener("keydown", (event) => {
  const buttons = Array.from($("attach-list").querySelectorAll("button"));
  const k = buttons.indexOf(document.activeElement);
  if (k < 0) return;
  if (event.key === "ArrowDown" && buttons[k + 1]) {
    event.preventDefault();
    buttons[k + 1].focus();
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    (buttons[k - 1] || search).focus();
  }
});

// ---------------------------------------------------------------- clusters

async function loadClusters() {
  const list = $("clusters");
  try {
    const view = await call("/api/v1/review/clusters?status=new");
    $("clusters-total").textContent = view.clusters.length
      ? `${view.clusters.length} groupe${view.clusters.length > 1 ? "s" : ""}, ${view.questions} question${view.questions > 1 ? "s" : ""}.`
      : "Aucune question nouvelle à grouper.";
    list.replaceChildren(...view.clusters.map(clusterCard));
  } catch (e) {
    list.replaceChildren();
    $("clusters-total").textContent = problem(e, "Les groupes ne sont pas disponibles");
  }
}

function clusterCard(c) {
  const questions = c.ids.map((id, k) => ({ id, text: c.examples[k] || c.examples[0] || "" }));
  const refresh = () => loadClusters();
  return el(
    "li",
    { class: "console__cluster" },
    el("h3", { class: "console__cluster-title" }, c.words && c.words.length ? c.words.slice(0, 4).join(", ") : c.examples[0] || ""),
    el(
      "p",
      { class: "console__meta" },
      c.questions > 1 ? `${c.questions} questions proches, posées ${c.size} fois en tout` : `1 question, posée ${c.size} fois`,
    ),
    el("ul", { class: "console__examples" }, c.examples.map((x) => el("li", { class: "console__quote" }, x))),
    c.intents && c.intents.length
      ? el(
          "div",
          { class: "console__candidates" },
          el("p", { class: "console__candidates-title" }, "Réponses les plus proches :"),
          el(
            "ul",
            {},
            c.intents.map((g) =>
              el(
                "li",
                {},
                el(
                  "button",
                  { type: "button", class: "fr-btn fr-btn--sm fr-btn--tertiary", onclick: () => act(questions, { action: "attach", intent: g.intent }).then(refresh) },
                  `Tout rattacher à « ${title(g.intent)} » (${percent(g.score)})`,
                ),
              ),
            ),
          ),
        )
      : null,
    el(
      "div",
      { class: "console__actions" },
      el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--icon-left fr-icon-links-line", onclick: () => openAttach(questions, refresh) }, "Tout rattacher à…"),
      el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-edit-line", onclick: () => act(questions, { action: "to_write" }).then(refresh) }, "Tout mettre à rédiger"),
      el("button", { type: "button", class: "fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-close-line", onclick: () => act(questions, { action: "dismiss" }).then(refresh) }, "Tout écarter"),
    ),
  );
}

// ---------------------------------------------------------------- statistics

$("stats-days").addEventListener("change", () => loadStats());

async function loadStats() {
  const box = $("stats");
  const days = $("stats-days").value;
  try {
    const s = await call(`/api/v1/review/stats?days=${encodeURIComponent(days)}`);
    box.replaceChildren(...statsView(s));
  } catch (e) {
    box.replaceChildren(el("p", {}, problem(e, "Les statistiques ne sont pas disponibles")));
  }
}

function statsView(s) {
  const t = s.totals || {};
  const figures = [
    ["Questions posées", t.questions],
    ["Répondues", t.answered],
    ["Précisions demandées", t.clarified],
    ["Sans réponse", t.fallback],
    ["Taux de réponse", t.match_rate === null || t.match_rate === undefined ? "–" : percent(t.match_rate)],
    ["Avis « utile »", t.feedback_useful],
    ["Avis « pas utile »", t.feedback_not_useful],
  ];
  return [
    el(
      "ul",
      { class: "console__figures" },
      figures.map(([label, value]) => el("li", {}, el("span", { class: "console__figure" }, String(value ?? 0)), el("span", { class: "console__figure-label" }, label))),
    ),
    chart(s.days || []),
    daysTable(s.days || []),
    (s.top_intents || []).length
      ? el(
          "div",
          { class: "fr-table console__table" },
          el(
            "table",
            { tabindex: "0" },
            el("caption", {}, "Réponses les plus données"),
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Réponse"), el("th", { scope: "col" }, "Fois"), el("th", { scope: "col" }, "Utile"), el("th", { scope: "col" }, "Pas utile"))),
            el(
              "tbody",
              {},
              s.top_intents.map((i) => el("tr", {}, el("td", {}, title(i.intent)), el("td", {}, String(i.answers)), el("td", {}, String(i.feedback_useful)), el("td", {}, String(i.feedback_not_useful)))),
            ),
          ),
        )
      : null,
    (s.top_unanswered || []).length
      ? el(
          "div",
          {},
          el("h3", {}, "Questions sans réponse les plus fréquentes"),
          el(
            "ul",
            {},
            s.top_unanswered.map((c) => el("li", {}, `${c.examples[0] || ""} — ${c.size} fois${c.questions > 1 ? `, ${c.questions} formulations` : ""}`)),
          ),
        )
      : null,
  ].filter(Boolean);
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Volumes per day as stacked bars (answered, clarified, fallback) and the
 *  match rate as a line, drawn in SVG: no chart library. */
function chart(days) {
  const W = 720;
  const H = 260;
  const pad = { left: 44, right: 48, top: 16, bottom: 36 };
  const iw = W - pad.left - pad.right;
  const ih = H - pad.top - pad.bottom;
  const max = Math.max(1, ...days.map((d) => d.questions || 0));
  const step = days.length ? iw / days.length : iw;
  const bw = Math.max(2, Math.min(28, step * 0.7));
  const y = (v) => pad.top + ih - (v / max) * ih;
  const yr = (r) => pad.top + ih - r * ih;
  const series = [
    ["answered", "console__bar--answered", "répondues"],
    ["clarified", "console__bar--clarified", "précisions"],
    ["fallback", "console__bar--fallback", "sans réponse"],
  ];
  const total = days.reduce((a, d) => a + (d.questions || 0), 0);
  const rates = days.filter((d) => d.match_rate !== null && d.match_rate !== undefined);
  const avg = rates.length ? rates.reduce((a, d) => a + d.match_rate, 0) / rates.length : null;
  const summary = `${days.length} jours, ${total} questions${avg === null ? "" : `, taux de réponse moyen ${percent(avg)}`}.`;

  const bars = [];
  days.forEach((d, k) => {
    let base = 0;
    const x = pad.left + k * step + (step - bw) / 2;
    for (const [key, cls] of series) {
      const v = d[key] || 0;
      if (v > 0) {
        bars.push(svg("rect", { class: `console__bar ${cls}`, x: x.toFixed(1), y: y(base + v).toFixed(1), width: bw.toFixed(1), height: (y(base) - y(base + v)).toFixed(1) }));
      }
      base += v;
    }
  });
  const points = days
    .map((d, k) => (d.match_rate === null || d.match_rate === undefined ? null : `${(pad.left + k * step + step / 2).toFixed(1)},${yr(d.match_rate).toFixed(1)}`))
    .filter(Boolean);
  const labelsEvery = Math.max(1, Math.ceil(days.length / 8));
  const xLabels = days
    .map((d, k) =>
      k % labelsEvery === 0
        ? svg("text", { class: "console__axis-label", x: (pad.left + k * step + step / 2).toFixed(1), y: H - 12, "text-anchor": "middle" }, d.day.slice(5).split("-").reverse().join("/"))
        : null,
    )
    .filter(Boolean);
  const chartSvg = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title chart-desc", class: "console__chart", preserveAspectRatio: "xMidYMid meet" },
    svg("title", { id: "chart-title" }, "Questions par jour et taux de réponse"),
    svg("desc", { id: "chart-desc" }, summary),
    svg("line", { class: "console__axis", x1: pad.left, y1: pad.top + ih, x2: W - pad.right, y2: pad.top + ih }),
    svg("text", { class: "console__axis-label", x: pad.left - 6, y: pad.top + 4, "text-anchor": "end" }, String(max)),
    svg("text", { class: "console__axis-label", x: pad.left - 6, y: pad.top + ih, "text-anchor": "end" }, "0"),
    svg("text", { class: "console__axis-label", x: W - pad.right + 6, y: pad.top + 4 }, "100 %"),
    svg("text", { class: "console__axis-label", x: W - pad.right + 6, y: pad.top + ih }, "0 %"),
    bars,
    points.length > 1 ? svg("polyline", { class: "console__rate", points: points.join(" ") }) : null,
    points.map((p) => {
      const [cx, cy] = p.split(",");
      return svg("circle", { class: "console__rate-dot", cx, cy, r: 3 });
    }),
    xLabels,
  );
  return el(
    "figure",
    { class: "console__figure-chart" },
    chartSvg,
    el(
      "figcaption",
      { class: "console__legend" },
      series.map(([, cls, label]) => el("span", { class: "console__legend-item" }, el("span", { class: `console__swatch ${cls}`, "aria-hidden": "true" }), label)),
      el("span", { class: "console__legend-item" }, el("span", { class: "console__swatch console__swatch--rate", "aria-hidden": "true" }), "taux de réponse"),
    ),
  );
}

function daysTable(days) {
  return el(
    "details",
    { class: "console__details" },
    el("summary", {}, "Voir les chiffres jour par jour"),
    el(
      "div",
      { class: "fr-table console__table" },
      el(
        "table",
        { tabindex: "0" },
        el("caption", {}, "Questions par jour"),
        el(
          "thead",
          {},
          el("tr", {}, ["Jour", "Questions", "Répondues", "Précisions", "Sans réponse", "Taux de réponse", "Utile", "Pas utile"].map((h) => el("th", { scope: "col" }, h))),
        ),
        el(
          "tbody",
          {},
          days.map((d) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, d.day),
              [d.questions, d.answered, d.clarified, d.fallback].map((v) => el("td", {}, String(v ?? 0))),
              el("td", {}, d.match_rate === null || d.match_rate === undefined ? "–" : percent(d.match_rate)),
              el("td", {}, String(d.feedback_useful ?? 0)),
              el("td", {}, String(d.feedback_not_useful ?? 0)),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- exports

async function download(format, fallbackName) {
  try {
    const response = await fetch(`/api/v1/review/export?format=${format}`, {
      headers: { Authorization: `Bearer ${token}` },
      cache: "no-store",
      credentials: "omit",
    });
    if (!response.ok) {
      let code = `http_${response.status}`;
      let message = response.statusText;
      try {
        const body = await response.json();
        code = body.error.code;
        message = body.error.message;
      } catch {
        /* not JSON */
      }
      throw new ApiError(response.status, code, message);
    }
    const blob = await response.blob();
    const disposition = response.headers.get("content-disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || fallbackName;
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(`Fichier ${name} téléchargé.`, "success");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signOut("Votre jeton n'est plus accepté. Connectez-vous à nouveau.");
    else say(problem(e, "Export impossible"), "error");
  }
}

$("export-csv").addEventListener("click", () => download("csv", "accueil-questions.csv"));
$("export-toml").addEventListener("click", () => download("toml", "accueil-reformulations.toml"));

// ---------------------------------------------------------------- start

const saved = storage()?.getItem(KEY_TOKEN);
if (saved) {
  signIn(saved).catch((e) => {
    if (e instanceof ApiError && e.status === 401) signOut("Votre jeton n'est plus accepté. Connectez-vous à nouveau.");
    else {
      signOut();
      tokenError(problem(e, "Connexion impossible"));
    }
  });
} else {
  $("token").focus();
}
