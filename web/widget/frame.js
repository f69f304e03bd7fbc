// The chat panel of the widget (web/widget/frame.html), embedded by
// accueil.js or opened on its own. One conversation through
// POST /api/v1/chat; the session id and the transcript are kept in the
// tab's sessionStorage only, so the conversation follows the person from
// page to page of the host site and is gone when the tab closes.
//
// Language: the « FR / EN » switch in the header. Once the person has
// chosen (or a reply came in English), its language is sent as `lang`
// with every request and kept in the tab's sessionStorage; before that,
// no `lang` is sent, so a question typed in English still gets English
// replies (the server detects it) and the switch follows. The panel's own
// words follow the switch; each reply is drawn in its own language
// (`reply.lang`), with that `lang` attribute for screen readers.

import {
  api,
  ApiError,
  contact,
  el,
  externalLink,
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
  steps,
} from "/assets/accueil/render.js";
import { applyWords, isBackLabel, langOf, words } from "/assets/accueil/words.js";

const params = new URLSearchParams(location.search);
let site = (params.get("site") || "").trim();
const embedded = params.get("embedded") === "1" && window.parent !== window;

const KEY_SESSION = "accueil.session";
const KEY_LOG = "accueil.transcript";
// One language for the tab, whatever the site.
const KEY_LANG = "accueil.lang";
const MAX_KEPT = 40;

const log = document.getElementById("log");
const form = document.getElementById("form");
const input = document.getElementById("question");
const sendButton = document.getElementById("send");
const errorText = document.getElementById("question-error");
const status = document.getElementById("status");
const siteName = document.getElementById("site-name");
const header = document.querySelector(".chat__header");

let busy = false;
/** The host page opened the panel and asked for the focus. */
let wantFocus = false;
let feedbackAvailable = true;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function load(key, fallback) {
  try {
    const v = storage()?.getItem(`${key}:${site}`);
    return v ? JSON.parse(v) : fallback;
  } catch {
    return fallback;
  }
}

function save(key, value) {
  try {
    storage()?.setItem(`${key}:${site}`, JSON.stringify(value));
  } catch {
    /* storage full or refused: the conversation still works in this page */
  }
}

let session = load(KEY_SESSION, null);
let transcript = load(KEY_LOG, []);

/** The panel's language, and whether the person chose it (then it is sent
 *  with every request). */
let lang = "fr";
let chosen = false;
try {
  const kept = JSON.parse(storage()?.getItem(KEY_LANG) || "null");
  if (kept && typeof kept === "object") {
    lang = langOf(kept.lang);
    chosen = kept.chosen === true;
  }
} catch {
  /* nothing kept, or not readable: French */
}
/** The site's name once known (it replaces the subtitle). */
let knownSiteName = "";

function saveLang() {
  try {
    storage()?.setItem(KEY_LANG, JSON.stringify({ lang, chosen }));
  } catch {
    /* refused: the choice holds in this page */
  }
}

// The focus stays on the switch: its pressed state says what changed.
const switcher = langSwitch(lang, (code) => {
  chosen = true;
  setLang(code);
});
switcher.classList.add("chat__lang");
header.insertBefore(switcher, document.getElementById("restart"));

/** Show the panel in `code`: its own words, the switch, the welcome. */
function setLang(code) {
  const changed = langOf(code) !== lang;
  lang = langOf(code);
  saveLang();
  document.documentElement.lang = lang;
  document.title = words(lang).chatTitle;
  applyWords(document, lang);
  setLangSwitch(switcher, lang);
  showSiteName();
  if (changed) {
    startTopics = null;
    loadStartTopics().then(() => log.firstElementChild?.classList.contains("msg--welcome") && log.firstElementChild.replaceWith(welcome()));
  }
}

function showSiteName() {
  siteName.textContent = knownSiteName || words(lang).chatSubtitle;
}

function setSiteName(name) {
  knownSiteName = name;
  showSiteName();
}

function remember(entry) {
  transcript.push(entry);
  if (transcript.length > MAX_KEPT) transcript = transcript.slice(-MAX_KEPT);
  save(KEY_LOG, transcript);
}

// ---------------------------------------------------------------- rendering

function userBubble(text) {
  return el("div", { class: "msg msg--user" }, el("p", { class: "acc-sr-only" }, words(lang).youWrote), el("p", { class: "msg__bubble" }, text));
}

/** A bubble of the assistant, in `bubbleLang` (its `lang` attribute). */
function botShell(bubbleLang, ...children) {
  return el(
    "div",
    { class: "msg msg--bot", lang: bubbleLang },
    el("p", { class: "acc-sr-only" }, words(bubbleLang).botSays),
    el("div", { class: "msg__bubble" }, ...children),
  );
}

function quickReplies(list, { outcome, lang: l = lang } = {}) {
  if (!Array.isArray(list) || list.length === 0) return null;
  const w = words(l);
  const label = outcome === "clarify" ? w.chooseAnswer : outcome === "fallback" ? w.proposedTopics : outcome === "start" ? w.frequentTopics : w.otherQuestions;
  return el(
    "div",
    { class: "msg__choices", role: "group", "aria-label": label },
    list.map((q) =>
      el(
        "button",
        {
          type: "button",
          // A journey's « Retour » (its payload names a question: `#`)
          // gets a neutral arrow.
          class: `fr-btn fr-btn--secondary fr-btn--sm msg__choice${q.picto ? " msg__choice--picto" : ""}${isBackLabel(q.label) && q.payload.includes("#") ? " fr-btn--icon-left fr-icon-arrow-go-back-line" : ""}`,
          dataset: { payload: q.payload },
          onclick: () => send({ choice: q.payload, label: q.label }),
        },
        q.picto ? picto({ ...q.picto, alt: "" }, { size: 32, cls: "msg__choice-picto" }) : null,
        nbsp(q.label),
      ),
    ),
  );
}

function feedback(intent, l) {
  if (!feedbackAvailable || !intent) return null;
  const w = words(l);
  const box = el("div", { class: "msg__feedback", role: "group", "aria-label": w.feedbackLabel });
  const answer = async (useful) => {
    box.replaceChildren(el("p", { class: "msg__feedback-done" }, w.feedbackThanks));
    try {
      await api("/api/v1/feedback", { method: "POST", body: { session, intent, useful } });
    } catch (e) {
      // An older server without feedback: stop offering it.
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) feedbackAvailable = false;
    }
    if (!useful) {
      box.append(
        el("p", {}, w.feedbackRephrase),
        el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm", onclick: () => send({ choice: "conv.parler_agent", label: w.talkToPerson }) }, w.talkToPerson),
      );
    }
  };
  box.append(
    el("p", { class: "msg__feedback-question" }, w.feedbackQuestion),
    el("button", { type: "button", class: "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-thumb-up-line", onclick: () => answer(true) }, w.yes),
    el("button", { type: "button", class: "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-thumb-down-line", onclick: () => answer(false) }, w.no),
  );
  return box;
}

/** What a fallback offers to reach a person: the question ready to copy
 *  (as the person typed it: it stays in their browser), and, when the
 *  site configures a route, sending it there — the masked text only,
 *  after the person has seen it and said yes. */
function handoff(r, typed, l) {
  const h = r.contact && r.contact.handoff;
  if (!typed && !h) return null;
  const w = words(l);
  // « à la DDTM » in French; the label as the site names it in English.
  const to = (label) => (l === "en" ? label : at(label));
  const box = el("div", { class: "acc-handoff" });
  if (typed) {
    const id = `copy-${Math.random().toString(36).slice(2, 9)}`;
    const area = el("textarea", { class: "fr-input acc-handoff__question", id, readonly: true, rows: 2 });
    area.value = typed;
    const copied = el("p", { class: "fr-hint-text", role: "status" });
    box.append(
      el("label", { class: "fr-label", for: id }, w.copyLabel),
      area,
      el(
        "button",
        {
          type: "button",
          class: "fr-btn fr-btn--tertiary fr-btn--sm acc-handoff__copy",
          onclick: async () => {
            area.select();
            let ok = false;
            try {
              await navigator.clipboard.writeText(typed);
              ok = true;
            } catch {
              ok = document.execCommand && document.execCommand("copy");
            }
            copied.textContent = ok ? w.copied : w.selectToCopy;
          },
        },
        w.copy,
      ),
      copied,
    );
  }
  const target = h && (h.email ? `mailto:${h.email}` : h.url ? safeUrlOf(h.url) : null);
  if (h && target && r.question) {
    const confirm = el("div", { class: "acc-handoff__confirm", hidden: true });
    const open = el(
      "button",
      { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm acc-handoff__offer", "aria-expanded": "false" },
      w.sendTo(to(h.label)),
    );
    const href = h.email
      ? `mailto:${h.email}?subject=${encodeURIComponent("Une question posée à l'assistant en ligne")}&body=${encodeURIComponent(r.question)}`
      : target;
    confirm.append(
      el("p", {}, nbsp(w.willBeSent(to(h.label)))),
      el("p", { class: "acc-handoff__masked" }, r.question),
      el("p", {}, h.email ? w.mailOpens : w.formOpens),
      el("p", { class: "fr-text--bold" }, nbsp(w.sendIt)),
      el(
        "div",
        { class: "fr-btns-group fr-btns-group--inline fr-btns-group--sm" },
        el("a", { class: "fr-btn fr-btn--sm acc-handoff__send", href, target: h.email ? undefined : "_blank", rel: h.email ? undefined : "noopener" }, w.yesSend),
        el(
          "button",
          {
            type: "button",
            class: "fr-btn fr-btn--tertiary fr-btn--sm",
            onclick: () => {
              confirm.hidden = true;
              open.setAttribute("aria-expanded", "false");
              open.focus();
            },
          },
          w.no,
        ),
      ),
    );
    open.addEventListener("click", () => {
      confirm.hidden = false;
      open.setAttribute("aria-expanded", "true");
      confirm.querySelector("a")?.focus();
    });
    box.append(open, confirm);
  }
  return box;
}

/** « à la DDTM », « au guichet », « aux services » (as the server's
 *  sentences say it). */
function at(name) {
  if (name.startsWith("le ")) return `au ${name.slice(3)}`;
  if (name.startsWith("les ")) return `aux ${name.slice(4)}`;
  return `à ${name}`;
}

function safeUrlOf(url) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

/** « En savoir plus »: what is not the answer itself (the procedure at a
 *  glance, the links, the words explained), closed until asked for. */
function moreDetails(l, ...children) {
  const shown = children.filter(Boolean);
  if (!shown.length) return null;
  return el("details", { class: "msg__more" }, el("summary", { class: "msg__more-summary" }, words(l).more), el("div", { class: "msg__more-body" }, shown));
}

function botReply(data, { live = true } = {}) {
  const r = data.reply || {};
  const outcome = data.outcome;
  // The reply's language, and its texts' (an answer with no English text
  // yet is French under an English note).
  const l = langOf(r.lang);
  const textLang = l === "en" && r.language_note ? "fr" : undefined;
  const w = words(l);
  if (r.contact && r.contact.name && !r.contact.elsewhere) setSiteName(r.contact.name);
  const handsOff = outcome === "fallback" || data.intent === "conv.parler_agent";
  const text = paragraphs(r.text, "acc-text msg__text");
  const stepList = steps(r.steps);
  if (textLang) {
    text.lang = textLang;
    if (stepList) stepList.lang = textLang;
  }
  const parts = [
    languageNote(r.language_note),
    notices(r.notices),
    r.title ? el("h2", { class: "msg__title", lang: textLang }, r.title) : null,
    text,
    stepList,
    outcome === "answer" && data.intent && Array.isArray(r.steps) && r.steps.length
      ? el("p", { class: "msg__print" }, el("a", { class: "fr-link fr-link--sm fr-icon-printer-line fr-link--icon-left", href: ficheUrl(data.intent, site, l), target: "_blank", rel: "noopener", title: `${w.print} – ${w.newWindow}` }, w.print))
      : null,
    moreDetails(
      l,
      sheet(r.sheet, { textLang }),
      Array.isArray(r.links) && r.links.length
        ? el("ul", { class: "msg__links", lang: textLang }, r.links.map((link) => el("li", {}, externalLink(link, "fr-link fr-link--sm", l))))
        : null,
      glossary(r.glossary, { lang: l }),
    ),
    handsOff || !r.title ? contact(r.contact, { lang: l }) : null,
    outcome === "fallback" ? handoff(r, data.asked, l) : null,
    quickReplies(r.quick_replies, { outcome, lang: l }),
    live && outcome === "answer" ? feedback(data.intent, l) : null,
  ];
  const node = botShell(l, ...parts);
  node.dataset.outcome = outcome || "";
  if (data.intent) node.dataset.intent = data.intent;
  return node;
}

/** The start topics (the site's main topics, then its guided journeys),
 *  from /api/v1/topics: loaded once. */
let startTopics = null;

async function loadStartTopics() {
  try {
    const t = await api(`/api/v1/topics${intentQuery(site, lang)}`);
    if (t.site && t.site.name) setSiteName(t.site.name);
    const journeys = [];
    for (const d of t.domains || []) {
      if (d.here === false) continue;
      for (const j of d.journeys || []) journeys.push({ label: j.title, payload: j.id, picto: (j.pictos || [])[0] });
    }
    startTopics = [...(t.main || []).map((i) => ({ label: i.title, payload: i.id })), ...journeys];
  } catch {
    startTopics = [];
  }
}

function welcome() {
  const w = words(lang);
  const node = botShell(
    lang,
    paragraphs(`${w.welcome}${startTopics && startTopics.length ? `\n${w.orTopic}` : ""}`, "acc-text msg__text"),
    startTopics && startTopics.length ? quickReplies(startTopics, { outcome: "start" }) : null,
  );
  node.classList.add("msg--welcome");
  return node;
}

function errorBubble(message, retry) {
  return el(
    "div",
    { class: "msg msg--bot msg--error" },
    el(
      "div",
      { class: "msg__bubble" },
      el("div", { class: "fr-alert fr-alert--error fr-alert--sm" }, el("p", {}, message)),
      retry ? el("button", { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm msg__retry", onclick: retry }, words(lang).retry) : null,
    ),
  );
}

function append(node) {
  log.append(node);
  // Show the start of a new answer, not its end: answers are long.
  const top = node.offsetTop - log.offsetTop - 8;
  log.scrollTop = node.classList.contains("msg--user") ? log.scrollHeight : Math.max(top, 0);
}

function renderAll() {
  log.replaceChildren(welcome());
  for (const entry of transcript) {
    if (entry.role === "user") log.append(userBubble(entry.text));
    else if (entry.role === "bot") log.append(botReply(entry.data, { live: false }));
  }
  log.scrollTop = log.scrollHeight;
}

// ---------------------------------------------------------------- sending

function setBusy(value) {
  busy = value;
  status.hidden = !value;
  form.setAttribute("aria-busy", String(value));
  sendButton.disabled = value;
}

async function send({ message, choice, label }) {
  if (busy) return;
  const shown = message ?? label ?? choice;
  append(userBubble(shown));
  remember({ role: "user", text: shown });
  setBusy(true);
  const body = { channel: "web" };
  if (session) body.session = session;
  if (site) body.site = site;
  // The person's choice; an English reply also holds until they switch.
  if (chosen || lang !== "fr") body.lang = lang;
  if (message !== undefined) body.message = message;
  else body.choice = choice;
  try {
    let data;
    try {
      data = await api("/api/v1/chat", { method: "POST", body });
    } catch (e) {
      // A site id the server does not know (a typo in data-site): answer
      // with the national wording rather than not at all.
      if (e instanceof ApiError && e.code === "unknown_site" && body.site) {
        console.warn(`accueil: unknown site "${site}", using the national wording`);
        site = "";
        delete body.site;
        data = await api("/api/v1/chat", { method: "POST", body });
      } else {
        throw e;
      }
    }
    session = data.session;
    save(KEY_SESSION, session);
    // What the person typed, for « Copier ma question » (kept in this tab
    // only, like the rest of the conversation).
    if (data.outcome === "fallback" && message !== undefined) data.asked = message;
    remember({ role: "bot", data });
    // Not chosen yet: the panel follows the language the server replied
    // in (a question typed in English).
    if (!chosen && data.reply && langOf(data.reply.lang) !== lang) setLang(data.reply.lang);
    append(botReply(data));
  } catch (e) {
    const w = words(lang);
    const text =
      e instanceof ApiError && e.status === 0 ? w.offline : e instanceof ApiError && e.code === "message_too_long" ? w.tooLong : w.failed;
    // Forget the failed question so a retry does not show it twice.
    transcript.pop();
    save(KEY_LOG, transcript);
    const bubble = errorBubble(text, () => {
      bubble.remove();
      log.lastElementChild?.classList.contains("msg--user") && log.lastElementChild.remove();
      send({ message, choice, label });
    });
    append(bubble);
  } finally {
    setBusy(false);
  }
}

function showError(text) {
  errorText.textContent = text;
  errorText.hidden = !text;
  input.classList.toggle("fr-input--error", Boolean(text));
  input.setAttribute("aria-invalid", text ? "true" : "false");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) {
    showError(words(lang).empty);
    input.focus();
    return;
  }
  if (busy) return;
  showError("");
  input.value = "";
  send({ message: text });
  input.focus();
});

input.addEventListener("input", () => {
  if (!errorText.hidden && input.value.trim()) showError("");
});

// After a choice, keep the keyboard in the conversation: focus goes back to
// the question field, and the answer is announced by the live log.
log.addEventListener("click", (event) => {
  if (event.target.closest("button.msg__choice")) input.focus();
});

document.getElementById("restart").addEventListener("click", () => {
  session = null;
  transcript = [];
  save(KEY_SESSION, null);
  save(KEY_LOG, []);
  renderAll();
  input.value = "";
  input.focus();
});

const closeButton = document.getElementById("close");
function close() {
  if (embedded) window.parent.postMessage({ accueil: 1, type: "close" }, "*");
}
if (embedded) {
  closeButton.addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || !event.data.accueil) return;
    if (event.data.type === "focus") {
      wantFocus = true;
      input.focus();
    }
  });
} else {
  // Opened on its own (a link to /widget/frame.html): nothing to close.
  closeButton.hidden = true;
  document.body.classList.add("chat--page");
}

if (site) siteName.dataset.site = site;
setLang(lang);
renderAll();
loadStartTopics().then(() => {
  if (startTopics.length) log.firstElementChild?.replaceWith(welcome());
  // Opened before the topics came: the field keeps the focus it was given.
  if (wantFocus && document.activeElement === document.body) input.focus();
});
if (embedded) window.parent.postMessage({ accueil: 1, type: "ready" }, "*");
else input.focus();
