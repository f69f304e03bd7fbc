// The kiosk (web/kiosk/index.html): a touch screen in a hall. Big buttons
// from /api/v1/topics, then an answer walked one step at a time with a
// large pictogram; « Écouter » reads the screen aloud, « Emporter » shows a
// QR code of the printable sheet; typing is offered, never required.
//
// The session id lives in memory only, and after `?idle=` seconds without
// a touch (90 by default) the kiosk returns to the start screen and
// forgets everything, the language chosen included.
//
// Language: the « FR / EN » switch in the header. The choice is kept in
// the tab's sessionStorage (a reload keeps it) until the idle reset; it is
// sent as `lang` once chosen (or once a reply came in English: a question
// typed in English switches the kiosk too).
//
// URL parameters: site (a site id of faq/sites/), idle (seconds),
// fullscreen=1 (go full screen at the first touch, for a tablet whose
// browser has no kiosk mode; browsers allow it only after a gesture).

import {
  api,
  ApiError,
  canSpeak,
  contact,
  el,
  ficheUrl,
  glossary,
  intentQuery,
  langSwitch,
  languageNote,
  nbsp,
  notices,
  paragraphs,
  picto,
  setLangSwitch,
  sheet,
  speak,
  stopSpeaking,
} from "/assets/accueil/render.js";
import { applyWords, isBackLabel, langOf, words } from "/assets/accueil/words.js";

const params = new URLSearchParams(location.search);
let site = (params.get("site") || "").trim();
const IDLE_SECONDS = clamp(Number.parseInt(params.get("idle") || "90", 10), 5, 3600, 90);
// The warning comes this long before the reset: a third of the idle time,
// at most 20 seconds.
const WARN_SECONDS = Math.min(20, Math.floor(IDLE_SECONDS / 3));

// Pictograms of the start screen's domains (vendored DSFR artwork).
const DOMAIN_PICTOS = {
  sejour: { src: "/assets/dsfr/artwork/pictograms/document/national-identity-card.svg", alt: "" },
  ddtm: { src: "/assets/dsfr/artwork/pictograms/environment/environment.svg", alt: "" },
  fs: { src: "/assets/dsfr/artwork/pictograms/buildings/city-hall.svg", alt: "" },
};
const JOURNEY_PICTO = { src: "/assets/dsfr/artwork/pictograms/system/flow-list.svg", alt: "" };
const WRITE_PICTO = { src: "/assets/dsfr/artwork/pictograms/digital/self-training.svg", alt: "" };

// At most this many tiles on a screen: a longer list is paged.
const PAGE_SIZE = 8;

// Quick replies the kiosk shows its own way.
const NEXT_STEP = "conv.etape_suivante";
const START_AGAIN = "conv.recommencer";

const screen = document.getElementById("screen");
const siteName = document.getElementById("site-name");
const backButton = document.getElementById("back");
const listenButton = document.getElementById("listen");
const takeButton = document.getElementById("take");
const writeDialog = document.getElementById("write-dialog");
const writeInput = document.getElementById("write-input");
const takeDialog = document.getElementById("take-dialog");
const idleDialog = document.getElementById("idle-dialog");
const homeButton = document.getElementById("home");

const KEY_LANG = "accueil.kiosk.lang";

let session = null;
/** The topics of each language, loaded once each. */
const topicsIn = {};
let topics = null;
/** The kiosk's language, and whether the visitor chose it. */
let lang = "fr";
let chosen = false;
/** The site's name once known (the header shows it). */
let knownSiteName = "";
/** Screens to go back to: functions that draw them again. */
let history = [];
/** The screen on show, to redraw and to go back to. */
let current = null;
/** The intent whose answer is on show (for « Emporter »). */
let shownIntent = null;

function clamp(n, min, max, fallback) {
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : fallback;
}

function w() {
  return words(lang);
}

// ---------------------------------------------------------------- language

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function keptLang() {
  try {
    const kept = JSON.parse(storage()?.getItem(KEY_LANG) || "null");
    if (kept && typeof kept === "object") return { lang: langOf(kept.lang), chosen: kept.chosen === true };
  } catch {
    /* not readable: French */
  }
  return { lang: "fr", chosen: false };
}

function keepLang() {
  try {
    if (lang === "fr" && !chosen) storage()?.removeItem(KEY_LANG);
    else storage()?.setItem(KEY_LANG, JSON.stringify({ lang, chosen }));
  } catch {
    /* refused: the choice holds until the page is left */
  }
}

const switcher = langSwitch(lang, (code) => {
  chosen = true;
  changeLang(code);
});
switcher.classList.add("acc-lang--lg", "kiosk__lang");
homeButton.before(switcher);

/** The page's own words in `lang`: the header, the toolbar, the dialogs. */
function applyLang() {
  document.documentElement.lang = lang;
  document.title = w().kioskTitle;
  applyWords(document, lang);
  setLangSwitch(switcher, lang);
  siteName.textContent = knownSiteName || w().state;
  if (!reading) listenButton.textContent = w().listen;
  keepLang();
}

/** The visitor switched: the screen on show in the new language. An
 *  answer is asked again in it; menus are drawn from its topics; other
 *  screens keep their text (marked with its language), in new words. */
async function changeLang(code) {
  lang = langOf(code);
  applyLang();
  await loadTopics();
  armIdle();
  if (shownIntent && shownIntent.id) {
    await ask({ choice: shownIntent.id }, { push: false });
  } else if (current) {
    show(current, { push: false });
  }
}

// ---------------------------------------------------------------- screens

/** Draw a screen: `draw()` returns its content; the heading gets focus. */
function show(draw, { push = true } = {}) {
  stopReading();
  if (push && current) history.push(current);
  current = draw;
  shownIntent = null;
  screen.replaceChildren(draw());
  backButton.disabled = history.length === 0;
  takeButton.hidden = !shownIntent;
  const heading = screen.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  screen.scrollTop = 0;
  window.scrollTo(0, 0);
  armIdle();
}

function back() {
  const previous = history.pop();
  if (previous) show(previous, { push: false });
}

/** A big button. `speak`: « Écouter » reads its label with the screen (the
 *  few choices of the start screen or of a question, not a long list). */
function tile({ label, detail, image, icon, onclick, cls = "", speak = false }) {
  return el(
    "li",
    { class: "kiosk__tile-item" },
    el(
      "button",
      { type: "button", class: `kiosk__tile ${cls}`, onclick },
      image ? picto(image, { size: 96, cls: "kiosk__tile-picto" }) : null,
      !image && icon ? el("span", { class: `kiosk__tile-icon ${icon}`, "aria-hidden": "true" }) : null,
      el("span", { class: "kiosk__tile-label", "data-speak": speak ? "" : undefined }, nbsp(label)),
      detail ? el("span", { class: "kiosk__tile-detail" }, detail) : null,
    ),
  );
}

function homeScreen() {
  const t = w();
  const tiles = [];
  // In the site's order (its own domains first); a domain it does not
  // handle comes last and says where those procedures are done.
  for (const d of topics?.domains || []) {
    tiles.push(
      tile({
        label: d.label,
        detail: d.here === false ? t.elsewhere : t.topicsCount(d.intents.length),
        cls: d.here === false ? "kiosk__tile--elsewhere" : "",
        image: DOMAIN_PICTOS[d.id] || JOURNEY_PICTO,
        speak: true,
        onclick: () => show(() => domainScreen(d.id)),
      }),
    );
  }
  for (const j of journeysOf(topics)) {
    tiles.push(
      tile({
        label: j.title,
        detail: t.journeyDetail,
        image: firstPicto(j) || JOURNEY_PICTO,
        cls: "kiosk__tile--journey",
        speak: true,
        onclick: () => ask({ choice: j.id }),
      }),
    );
  }
  tiles.push(
    tile({
      label: t.write,
      detail: t.withKeyboard,
      image: WRITE_PICTO,
      cls: "kiosk__tile--write",
      onclick: openWrite,
    }),
  );
  return el(
    "section",
    { class: "kiosk__screen kiosk__screen--home" },
    el("h1", { class: "kiosk__title", "data-speak": "" }, t.hello),
    el("p", { class: "kiosk__lead", "data-speak": "" }, t.touchTopic),
    topics ? null : el("div", { class: "fr-alert fr-alert--warning" }, el("p", {}, t.noTopics)),
    el("ul", { class: "kiosk__tiles kiosk__tiles--home" }, tiles),
  );
}

/** A domain's questions (by the domain's id, so that a new language draws
 *  its titles), at most PAGE_SIZE tiles a page. */
function domainScreen(id, page = 0) {
  const t = w();
  const domain = (topics?.domains || []).find((d) => d.id === id) || { id, label: "", intents: [] };
  const pages = Math.max(1, Math.ceil(domain.intents.length / PAGE_SIZE));
  const p = Math.min(Math.max(page, 0), pages - 1);
  const shown = domain.intents.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
  // Turning a page replaces this screen: « Retour » goes back to where
  // the person came from, not page by page.
  const turn = (to) => {
    current = () => domainScreen(id, to);
    show(current, { push: false });
  };
  return el(
    "section",
    { class: "kiosk__screen kiosk__screen--domain" },
    el("h1", { class: "kiosk__title", "data-speak": "" }, domain.label),
    el("p", { class: "kiosk__lead", "data-speak": "" }, pages > 1 ? `${t.touchQuestion} ${t.pageOf(p + 1, pages)}.` : t.touchQuestion),
    el(
      "ul",
      { class: "kiosk__tiles" },
      shown.map((i) =>
        tile({
          label: i.title,
          image: (i.pictos || [])[0] && { ...i.pictos[0], alt: "" },
          onclick: () => ask({ choice: i.id }),
        }),
      ),
    ),
    pages > 1
      ? el(
          "div",
          { class: "kiosk__pager kiosk__primary" },
          el(
            "button",
            { type: "button", class: "fr-btn fr-btn--lg fr-btn--secondary fr-btn--icon-left fr-icon-arrow-left-line", disabled: p === 0, onclick: () => turn(p - 1) },
            t.previousQuestions,
          ),
          el("p", { class: "kiosk__pager-state" }, t.pageOf(p + 1, pages)),
          el(
            "button",
            { type: "button", class: "fr-btn fr-btn--lg fr-btn--icon-right fr-icon-arrow-right-line kiosk__pager-next", disabled: p === pages - 1, onclick: () => turn(p + 1) },
            t.nextQuestions,
          ),
        )
      : null,
  );
}

/** Journeys, wherever the server lists them (top level or per domain). */
function journeysOf(t) {
  if (!t) return [];
  const list = [...(Array.isArray(t.journeys) ? t.journeys : [])];
  for (const d of t.domains || []) if (Array.isArray(d.journeys) && d.here !== false) list.push(...d.journeys);
  const seen = new Set();
  return list.filter((j) => j && j.id && !seen.has(j.id) && seen.add(j.id));
}

function firstPicto(x) {
  const p = x.picto || (Array.isArray(x.pictos) ? x.pictos[0] : null);
  return p ? { ...p, alt: "" } : null;
}

/** The lines of a reply's text, without the chat's « Étape 1 sur 6. »
 *  or "Step 1 of 6." (the kiosk draws its own step indicator). */
function answerText(text) {
  return String(text || "")
    .split("\n")
    .map((l) =>
      l
        .replace(/\s*Étape \d+ sur \d+\.\s*(C'est la dernière étape\.)?/u, "")
        .replace(/\s*Step \d+ of \d+\.\s*(This is the last step\.)?/u, "")
        .trim(),
    )
    .filter(Boolean)
    .join("\n");
}

/** A journey's « Retour »: one question back (its payload names it). */
function isBack(q) {
  return isBackLabel(q.label) && q.payload.includes("#");
}

/** The language of a reply, and of its texts: an answer with no English
 *  text yet is French under an English note. */
function langsOf(r) {
  const l = langOf(r.lang);
  return { l, textLang: l === "en" && r.language_note ? "fr" : undefined };
}

function choiceTiles(list, heading) {
  const shown = (list || []).filter((q) => q.payload !== NEXT_STEP && q.payload !== START_AGAIN);
  if (!shown.length) return null;
  return el(
    "div",
    { class: "kiosk__choices" },
    heading ? el("h2", { class: "kiosk__subtitle", "data-speak": "" }, heading) : null,
    el(
      "ul",
      { class: "kiosk__tiles kiosk__tiles--choices" },
      shown.map((q) =>
        tile({
          label: q.label,
          image: q.picto ? { ...q.picto, alt: "" } : null,
          // A journey's « Retour » (its payload names a question: `#`).
          icon: isBack(q) ? "fr-icon-arrow-go-back-line" : null,
          cls: isBack(q) ? "kiosk__tile--back" : "",
          speak: true,
          onclick: () => ask({ choice: q.payload }),
        }),
      ),
    ),
  );
}

/** An answer: the text, then the steps one at a time. `full` is the
 *  intent's whole reply (every step, its followups) when it could be read. */
function answerScreen(data, full, position) {
  const r = data.reply || {};
  const stepsList = full && full.steps && full.steps.length ? full.steps : r.steps || [];
  // The followups of the intent: the chat's own buttons during a walk are
  // « Étape suivante » and « Recommencer », which the kiosk draws itself.
  // A guided journey's own buttons (« Retour » to its last question) stay.
  const more = full
    ? [...(r.quick_replies || []).filter((q) => q.payload.startsWith("parcours.")), ...(full.quick_replies || [])]
    : r.quick_replies;
  const total = stepsList.length;
  let k = Math.min(position.k, Math.max(total - 1, 0));
  const { l, textLang } = langsOf(r);
  const t = words(l);
  shownIntent = { id: data.intent, title: r.title || "", lang: l };
  // The procedure at a glance: under the first step (as the chat gives
  // it), or under the answer when there are no steps.
  const glance = (full && full.sheet) || r.sheet;
  const sheetBox = el("div", { class: "kiosk__sheet-box" });

  const stepBox = el("div", { class: "kiosk__step-box" });
  // The primary action (« Étape suivante ») stays on screen: its box is a
  // direct child of the screen, sticky above the toolbar.
  const navBox = el("div", { class: "kiosk__step-nav kiosk__primary" });
  const endBox = el("div", { class: "kiosk__step-end" });
  const drawStep = () => {
    position.k = k;
    const s = stepsList[k];
    const last = k === total - 1;
    const next = stepsList[k + 1];
    sheetBox.replaceChildren(...[k === 0 ? sheet(glance, { headingLevel: 2, speakable: true, cls: "kiosk__sheet", textLang }) : null].filter(Boolean));
    const parts = [
      el(
        "div",
        { class: "fr-stepper kiosk__stepper" },
        el(
          "h2",
          { class: "fr-stepper__title", "data-speak": "" },
          el("span", { class: "fr-stepper__state" }, t.stepOf(k + 1, total), el("span", { class: "acc-sr-only" }, `${t.colon} `)),
          el("span", { lang: textLang }, nbsp(s.text)),
        ),
        total <= 8 ? el("div", { class: "fr-stepper__steps", "data-fr-current-step": k + 1, "data-fr-steps": total }) : null,
        next ? el("p", { class: "fr-stepper__details" }, el("span", { class: "fr-text--bold" }, t.nextStepIs), el("span", { lang: textLang }, next.text)) : null,
      ),
      el(
        "div",
        { class: "kiosk__step" },
        picto(s.picto, { size: 160, cls: "kiosk__step-picto" }),
        s.link ? el("p", { class: "kiosk__step-link" }, `${s.link.label}${t.colon} `, el("span", { class: "kiosk__url" }, s.link.url)) : null,
      ),
    ];
    stepBox.replaceChildren(...parts.filter(Boolean));
    navBox.replaceChildren(
      el(
        "button",
        { type: "button", class: "fr-btn fr-btn--lg fr-btn--secondary fr-btn--icon-left fr-icon-arrow-left-line", disabled: k === 0, onclick: () => { k -= 1; drawStep(); focusStep(); } },
        t.previousStep,
      ),
      last
        ? el("p", { class: "kiosk__last", "data-speak": "" }, t.lastStep)
        : el(
            "button",
            { type: "button", class: "fr-btn fr-btn--lg fr-btn--icon-right fr-icon-arrow-right-line kiosk__next", onclick: () => { k += 1; drawStep(); focusStep(); } },
            t.nextStep,
          ),
    );
    endBox.replaceChildren(
      ...[last ? choiceTiles(more, t.otherQuestions) : null, last && r.contact && !r.contact.elsewhere ? contact(r.contact, { headingLevel: 2, phoneLinks: false, lang: l }) : null].filter(Boolean),
    );
  };
  const focusStep = () => {
    stopReading();
    const title = stepBox.querySelector(".fr-stepper__title");
    if (title) {
      title.setAttribute("tabindex", "-1");
      title.focus({ preventScroll: false });
    }
  };
  if (total) drawStep();

  return el(
    "section",
    { class: "kiosk__screen kiosk__screen--answer", lang: l, dataset: { intent: data.intent || "" } },
    languageNote(r.language_note),
    notices(r.notices),
    el(
      "div",
      { class: "kiosk__answer-head" },
      picto(r.pictos && r.pictos[0] && { ...r.pictos[0] }, { size: 120, cls: "kiosk__answer-picto" }),
      el("h1", { class: "kiosk__title", "data-speak": "", lang: r.title ? textLang : undefined }, r.title || t.answer),
    ),
    el("div", { "data-speak": "", lang: textLang }, paragraphs(answerText(r.text), "acc-text kiosk__text", { phoneLinks: false })),
    total ? null : sheet(glance, { headingLevel: 2, speakable: true, cls: "kiosk__sheet", textLang }),
    glossary((full && full.glossary && full.glossary.length ? full.glossary : r.glossary), { headingLevel: 2, speakable: true, lang: l }),
    // Done elsewhere (a residence permit at a DDTM): where to go, at once.
    total && r.contact && r.contact.elsewhere ? contact(r.contact, { headingLevel: 2, phoneLinks: false, speakable: true, lang: l }) : null,
    total ? stepBox : null,
    total ? navBox : null,
    // After the first step: the action comes first, the details under it.
    total ? sheetBox : null,
    total ? endBox : null,
    total ? null : choiceTiles(more, t.otherQuestions),
    total ? null : contact(r.contact, { headingLevel: 2, phoneLinks: false, lang: l }),
  );
}

/** A clarification, a fallback, a journey's question, a short reply. */
function messageScreen(data) {
  const r = data.reply || {};
  const { l, textLang } = langsOf(r);
  const t = words(l);
  const heading = data.outcome === "clarify" ? t.clarify : data.outcome === "fallback" ? t.dontKnow : r.title || t.answer;
  const lines = answerText(r.text).split("\n");
  // A guided journey's question is its text's last line: the heading; the
  // journey's title goes above it.
  const journeyQuestion = data.journey && lines.length ? lines[lines.length - 1] : null;
  return el(
    "section",
    { class: `kiosk__screen kiosk__screen--${data.journey ? "journey" : data.outcome || "message"}`, lang: l },
    languageNote(r.language_note),
    notices(r.notices),
    journeyQuestion && data.journey.title ? el("p", { class: "kiosk__kicker" }, data.journey.title) : null,
    el("h1", { class: "kiosk__title", "data-speak": "" }, journeyQuestion || heading),
    el("div", { "data-speak": "", lang: textLang }, paragraphs(journeyQuestion ? lines.slice(0, -1).join("\n") : lines.join("\n"), "acc-text kiosk__text", { phoneLinks: false })),
    sheet(r.sheet, { headingLevel: 2, speakable: true, cls: "kiosk__sheet", textLang }),
    glossary(r.glossary, { headingLevel: 2, speakable: true, lang: l }),
    choiceTiles(r.quick_replies, data.outcome === "fallback" ? t.chooseTopic : null),
    contact(r.contact, { headingLevel: 2, phoneLinks: false, lang: l }),
  );
}

function errorScreen(message) {
  return el(
    "section",
    { class: "kiosk__screen" },
    el("h1", { class: "kiosk__title", "data-speak": "" }, w().problem),
    el("div", { class: "fr-alert fr-alert--error" }, el("p", { "data-speak": "" }, message)),
    el("button", { type: "button", class: "fr-btn fr-btn--lg kiosk__retry", onclick: () => resetToHome() }, w().backToStart),
  );
}

// ---------------------------------------------------------------- the API

let inFlight = null;

async function chat(body) {
  const request = { channel: "kiosk", ...body };
  if (session) request.session = session;
  if (site) request.site = site;
  // The visitor's choice; an English reply also holds until they switch.
  if (chosen || lang !== "fr") request.lang = lang;
  try {
    return await api("/api/v1/chat", { method: "POST", body: request, signal: inFlight?.signal });
  } catch (e) {
    if (e instanceof ApiError && e.code === "unknown_site" && request.site) {
      console.warn(`accueil: unknown site "${site}", using the national wording`);
      site = "";
      delete request.site;
      return api("/api/v1/chat", { method: "POST", body: request, signal: inFlight?.signal });
    }
    throw e;
  }
}

/** Send a question or a choice and show the reply; `push: false` replaces
 *  the screen on show (the same answer in another language). */
async function ask(body, { push = true } = {}) {
  if (body.choice === START_AGAIN) {
    resetToHome();
    return;
  }
  inFlight?.abort();
  inFlight = new AbortController();
  const controller = inFlight;
  screen.setAttribute("aria-busy", "true");
  try {
    const data = await chat(body);
    if (controller.signal.aborted) return;
    session = data.session;
    // Not chosen: the kiosk follows the language the server replied in
    // (a question typed in English).
    if (!chosen && data.reply && langOf(data.reply.lang) !== lang) {
      lang = langOf(data.reply.lang);
      applyLang();
      loadTopics();
    }
    // The header names this site, never the service an answer sends to.
    if (data.reply?.contact?.name && !data.reply.contact.elsewhere) {
      knownSiteName = data.reply.contact.name;
      siteName.textContent = knownSiteName;
    }
    const l = langOf(data.reply?.lang);
    if (data.outcome === "answer" && data.intent && data.reply && (data.reply.steps || []).length) {
      // The chat gives the kiosk one step at a time; the whole list lets
      // the person go back and forth, and print.
      let full = null;
      try {
        const page = await api(`/api/v1/intents/${encodeURIComponent(data.intent)}${intentQuery(site, l)}`, { signal: controller.signal });
        full = page.reply;
      } catch (e) {
        if (e.name === "AbortError") return;
        full = null;
      }
      const position = { k: 0 };
      show(() => answerScreen(data, full, position), { push });
    } else if (data.outcome === "answer" && data.intent && data.reply?.title) {
      const position = { k: 0 };
      show(() => answerScreen(data, null, position), { push });
    } else {
      show(() => messageScreen(data), { push });
    }
  } catch (e) {
    if (e.name === "AbortError") return;
    const message = e instanceof ApiError && e.status === 0 ? w().kioskOffline : w().kioskFailed;
    show(() => errorScreen(message), { push });
  } finally {
    if (inFlight === controller) inFlight = null;
    screen.removeAttribute("aria-busy");
  }
}

/** The topics in `l` (each language loaded once); those on show when it
 *  is the kiosk's language. */
async function loadTopics(l = lang) {
  if (!topicsIn[l]) {
    try {
      topicsIn[l] = await api(`/api/v1/topics${intentQuery(site, l)}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "unknown_site" && site) {
        console.warn(`accueil: unknown site "${site}", using the national wording`);
        site = "";
        await loadTopics(l);
        return;
      }
    }
  }
  if (l !== lang) return;
  topics = topicsIn[l] || null;
  if (topics?.site?.name) {
    knownSiteName = topics.site.name;
    siteName.textContent = knownSiteName;
  }
}

// ---------------------------------------------------------------- writing

function openWrite() {
  writeInput.value = "";
  writeDialog.showModal();
  writeInput.focus();
}

document.getElementById("write").addEventListener("click", openWrite);
document.getElementById("write-cancel").addEventListener("click", () => writeDialog.close());
document.getElementById("write-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = writeInput.value.trim();
  if (!text) {
    writeInput.focus();
    return;
  }
  writeDialog.close();
  ask({ message: text });
});

// ---------------------------------------------------------------- reading aloud

let reading = false;

function stopReading() {
  if (reading) stopSpeaking();
  reading = false;
  listenButton.setAttribute("aria-pressed", "false");
  listenButton.textContent = w().listen;
  listenButton.classList.replace("fr-icon-stop-circle-line", "fr-icon-volume-up-line");
}

/** What « Écouter » reads: the parts marked data-speak, in order, each
 *  ending as a sentence so the voice pauses between them, each in the
 *  language it is written in (its closest `lang`). */
function screenParts() {
  return Array.from(screen.querySelectorAll("[data-speak]"))
    .map((n) => ({ text: n.textContent.replace(/\s+/g, " ").trim(), lang: langOf(n.closest("[lang]")?.getAttribute("lang")) }))
    .filter((p) => p.text)
    .map((p) => ({ ...p, text: /[.?!:…»"”]$/.test(p.text) ? p.text : `${p.text}.` }));
}

listenButton.addEventListener("click", () => {
  if (reading) {
    stopReading();
    return;
  }
  const started = speak("", { parts: screenParts(), onend: () => stopReading() });
  if (!started) return;
  reading = true;
  listenButton.setAttribute("aria-pressed", "true");
  listenButton.textContent = w().stopListening;
  listenButton.classList.replace("fr-icon-volume-up-line", "fr-icon-stop-circle-line");
});

if (!canSpeak()) listenButton.hidden = true;

// ---------------------------------------------------------------- taking away

takeButton.addEventListener("click", async () => {
  if (!shownIntent || !shownIntent.id) return;
  const box = document.getElementById("take-qr");
  const urlLine = document.getElementById("take-url");
  box.replaceChildren(el("p", {}, w().preparing));
  urlLine.textContent = "";
  takeDialog.showModal();
  // The sheet in the language of the answer on show.
  const q = intentQuery(site, shownIntent.lang);
  try {
    const response = await fetch(`/fiche/${encodeURIComponent(shownIntent.id)}/qr.svg${q}`, { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const svg = await response.text();
    box.replaceChildren(
      el("img", {
        class: "kiosk__qr-image",
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
        alt: w().qrAlt(shownIntent.title),
        width: 280,
        height: 280,
      }),
    );
    urlLine.textContent = response.headers.get("x-accueil-qr-url") || new URL(ficheUrl(shownIntent.id, site, shownIntent.lang), location.href).href;
  } catch {
    box.replaceChildren(el("p", {}, w().noQr));
  }
});

// ---------------------------------------------------------------- idle reset

let idleTimer = null;
let warnTimer = null;
let countdown = null;

/** Back to the start screen, the conversation forgotten. `forget`: the
 *  idle reset, for the next visitor: the language too. */
function resetToHome({ forget = false } = {}) {
  inFlight?.abort();
  stopReading();
  session = null;
  history = [];
  current = null;
  if (forget && (lang !== "fr" || chosen)) {
    lang = "fr";
    chosen = false;
    applyLang();
    // French is loaded at start; should it not be, the start screen says
    // the topics are missing until it comes.
    topics = topicsIn.fr || null;
    if (!topics) loadTopics().then(() => current === homeScreen && show(homeScreen, { push: false }));
  }
  for (const d of [writeDialog, takeDialog, idleDialog]) if (d.open) d.close();
  writeInput.value = "";
  document.getElementById("take-qr").replaceChildren();
  show(homeScreen, { push: false });
  armIdle();
}

function armIdle() {
  clearTimeout(idleTimer);
  clearTimeout(warnTimer);
  clearInterval(countdown);
  if (idleDialog.open) idleDialog.close();
  // Already on a fresh start screen, in French: nothing to forget.
  if (!session && history.length === 0 && current === homeScreen && !writeDialog.open && lang === "fr" && !chosen) return;
  warnTimer = setTimeout(warn, (IDLE_SECONDS - WARN_SECONDS) * 1000);
  idleTimer = setTimeout(() => resetToHome({ forget: true }), IDLE_SECONDS * 1000);
}

function warn() {
  if (WARN_SECONDS <= 0) return;
  let left = WARN_SECONDS;
  const count = document.getElementById("idle-count");
  count.textContent = String(left);
  for (const d of [writeDialog, takeDialog]) if (d.open) d.close();
  idleDialog.showModal();
  countdown = setInterval(() => {
    left -= 1;
    count.textContent = String(Math.max(left, 0));
  }, 1000);
}

idleDialog.addEventListener("close", () => {
  clearInterval(countdown);
  if (idleDialog.returnValue === "stay") {
    idleDialog.returnValue = "";
    armIdle();
  }
});

for (const type of ["pointerdown", "keydown", "input", "wheel"]) {
  document.addEventListener(
    type,
    () => {
      if (!idleDialog.open) armIdle();
    },
    { passive: true, capture: true },
  );
}

if (params.get("fullscreen") === "1") {
  document.addEventListener(
    "pointerdown",
    () => {
      if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(() => {});
      }
    },
    { capture: true },
  );
}

// A long press must not open a context menu on a touch screen.
document.addEventListener("contextmenu", (event) => event.preventDefault());

homeButton.addEventListener("click", () => resetToHome());
backButton.addEventListener("click", back);

// ---------------------------------------------------------------- start

// The toolbar's height, for the sticky primary action above it.
const toolbar = document.querySelector(".kiosk__toolbar");
const measureToolbar = () => document.documentElement.style.setProperty("--kiosk-toolbar", `${toolbar.offsetHeight}px`);
new ResizeObserver(measureToolbar).observe(toolbar);
measureToolbar();

document.documentElement.dataset.idle = String(IDLE_SECONDS);
({ lang, chosen } = keptLang());
applyLang();
// French always (the idle reset comes back to it), and the language kept.
await loadTopics("fr");
if (lang !== "fr") await loadTopics(lang);
resetToHome();
