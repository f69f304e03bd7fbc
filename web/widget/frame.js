// The chat panel of the widget (web/widget/frame.html), embedded by
// accueil.js or opened on its own. One conversation through
// POST /api/v1/chat; the session id and the transcript are kept in the
// tab's sessionStorage only, so the conversation follows the person from
// page to page of the host site and is gone when the tab closes.

import {
  api,
  ApiError,
  contact,
  el,
  externalLink,
  ficheUrl,
  glossary,
  languageNote,
  nbsp,
  notices,
  paragraphs,
  picto,
  steps,
} from "/assets/accueil/render.js";

const params = new URLSearchParams(location.search);
let site = (params.get("site") || "").trim();
const embedded = params.get("embedded") === "1" && window.parent !== window;

const KEY_SESSION = "accueil.session";
const KEY_LOG = "accueil.transcript";
const MAX_KEPT = 40;

const log = document.getElementById("log");
const form = document.getElementById("form");
const input = document.getElementById("question");
const sendButton = document.getElementById("send");
const errorText = document.getElementById("question-error");
const status = document.getElementById("status");
const siteName = document.getElementById("site-name");

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

function remember(entry) {
  transcript.push(entry);
  if (transcript.length > MAX_KEPT) transcript = transcript.slice(-MAX_KEPT);
  save(KEY_LOG, transcript);
}

// ---------------------------------------------------------------- rendering

function userBubble(text) {
  return el("div", { class: "msg msg--user" }, el("p", { class: "acc-sr-only" }, "Vous avez écrit :"), el("p", { class: "msg__bubble" }, text));
}

function botShell(...children) {
  return el("div", { class: "msg msg--bot" }, el("p", { class: "acc-sr-only" }, "L'assistant répond :"), el("div", { class: "msg__bubble" }, ...children));
}

function quickReplies(list, { outcome } = {}) {
  if (!Array.isArray(list) || list.length === 0) return null;
  const label =
    outcome === "clarify" ? "Choisissez une réponse" : outcome === "fallback" ? "Sujets proposés" : outcome === "start" ? "Sujets fréquents" : "Autres questions";
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
          class: `fr-btn fr-btn--secondary fr-btn--sm msg__choice${q.picto ? " msg__choice--picto" : ""}${q.label === "Retour" && q.payload.includes("#") ? " fr-btn--icon-left fr-icon-arrow-go-back-line" : ""}`,
          dataset: { payload: q.payload },
          onclick: () => send({ choice: q.payload, label: q.label }),
        },
        q.picto ? picto({ ...q.picto, alt: "" }, { size: 32, cls: "msg__choice-picto" }) : null,
        nbsp(q.label),
      ),
    ),
  );
}

function feedback(intent) {
  if (!feedbackAvailable || !intent) return null;
  const box = el("div", { class: "msg__feedback", role: "group", "aria-label": "Votre avis sur cette réponse" });
  const answer = async (useful) => {
    box.replaceChildren(el("p", { class: "msg__feedback-done" }, "Merci pour votre avis."));
    try {
      await api("/api/v1/feedback", { method: "POST", body: { session, intent, useful } });
    } catch (e) {
      // An older server without feedback: stop offering it.
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) feedbackAvailable = false;
    }
    if (!useful) {
      box.append(
        el("p", {}, "Vous pouvez écrire votre question autrement, ou demander à parler à une personne."),
        el("button", { type: "button", class: "fr-btn fr-btn--tertiary fr-btn--sm", onclick: () => send({ choice: "conv.parler_agent", label: "Parler à une personne" }) }, "Parler à une personne"),
      );
    }
  };
  box.append(
    el("p", { class: "msg__feedback-question" }, "Cette réponse vous aide ?"),
    el("button", { type: "button", class: "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-thumb-up-line", onclick: () => answer(true) }, "Oui"),
    el("button", { type: "button", class: "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-thumb-down-line", onclick: () => answer(false) }, "Non"),
  );
  return box;
}

/** What a fallback offers to reach a person: the question ready to copy
 *  (as the person typed it: it stays in their browser), and, when the
 *  site configures a route, sending it there — the masked text only,
 *  after the person has seen it and said yes. */
function handoff(r, typed) {
  const h = r.contact && r.contact.handoff;
  if (!typed && !h) return null;
  const box = el("div", { class: "acc-handoff" });
  if (typed) {
    const id = `copy-${Math.random().toString(36).slice(2, 9)}`;
    const area = el("textarea", { class: "fr-input acc-handoff__question", id, readonly: true, rows: 2 });
    area.value = typed;
    const copied = el("p", { class: "fr-hint-text", role: "status" });
    box.append(
      el("label", { class: "fr-label", for: id }, "Pour écrire à une personne, copiez votre question :"),
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
            copied.textContent = ok ? "Question copiée." : "Sélectionnez le texte pour le copier.";
          },
        },
        "Copier ma question",
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
      `Envoyer ma question ${at(h.label)}`,
    );
    const href = h.email
      ? `mailto:${h.email}?subject=${encodeURIComponent("Une question posée à l'assistant en ligne")}&body=${encodeURIComponent(r.question)}`
      : target;
    confirm.append(
      el("p", {}, nbsp(`Ce texte va être envoyé ${at(h.label)}. Vos numéros, noms et adresses sont cachés :`)),
      el("p", { class: "acc-handoff__masked" }, r.question),
      el("p", {}, h.email ? "Votre messagerie va s'ouvrir avec ce texte. Vous pouvez le changer avant de l'envoyer." : "Le formulaire va s'ouvrir. Collez-y votre question."),
      el("p", { class: "fr-text--bold" }, nbsp("Voulez-vous l'envoyer ?")),
      el(
        "div",
        { class: "fr-btns-group fr-btns-group--inline fr-btns-group--sm" },
        el("a", { class: "fr-btn fr-btn--sm acc-handoff__send", href, target: h.email ? undefined : "_blank", rel: h.email ? undefined : "noopener" }, "Oui, envoyer"),
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
          "Non",
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

function botReply(data, { live = true } = {}) {
  const r = data.reply || {};
  const outcome = data.outcome;
  if (r.contact && r.contact.name && !r.contact.elsewhere) siteName.textContent = r.contact.name;
  const handsOff = outcome === "fallback" || data.intent === "conv.parler_agent";
  const parts = [
    languageNote(r.language_note),
    notices(r.notices),
    r.title ? el("h2", { class: "msg__title" }, r.title) : null,
    paragraphs(r.text, "acc-text msg__text"),
    steps(r.steps),
    Array.isArray(r.links) && r.links.length
      ? el("ul", { class: "msg__links" }, r.links.map((l) => el("li", {}, externalLink(l, "fr-link fr-link--sm"))))
      : null,
    outcome === "answer" && data.intent && Array.isArray(r.steps) && r.steps.length
      ? el("p", { class: "msg__print" }, el("a", { class: "fr-link fr-link--sm fr-icon-printer-line fr-link--icon-left", href: ficheUrl(data.intent, site), target: "_blank", rel: "noopener", title: "Version à imprimer – nouvelle fenêtre" }, "Version à imprimer"))
      : null,
    glossary(r.glossary),
    handsOff || !r.title ? contact(r.contact) : null,
    outcome === "fallback" ? handoff(r, data.asked) : null,
    quickReplies(r.quick_replies, { outcome }),
    live && outcome === "answer" ? feedback(data.intent) : null,
  ];
  const node = botShell(...parts);
  node.dataset.outcome = outcome || "";
  if (data.intent) node.dataset.intent = data.intent;
  return node;
}

/** The start topics (the site's main topics, then its guided journeys),
 *  from /api/v1/topics: loaded once. */
let startTopics = null;

async function loadStartTopics() {
  try {
    const q = site ? `?site=${encodeURIComponent(site)}` : "";
    const t = await api(`/api/v1/topics${q}`);
    if (t.site && t.site.name) siteName.textContent = t.site.name;
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
  const node = botShell(
    paragraphs(
      `Bonjour. Je réponds aux questions sur les démarches.\nÉcrivez votre question en quelques mots, par exemple : « renouveler mon titre de séjour ».${startTopics && startTopics.length ? "\nOu touchez un sujet :" : ""}`,
      "acc-text msg__text",
    ),
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
      retry ? el("button", { type: "button", class: "fr-btn fr-btn--secondary fr-btn--sm msg__retry", onclick: retry }, "Réessayer") : null,
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
    append(botReply(data));
  } catch (e) {
    const text =
      e instanceof ApiError && e.status === 0
        ? "Le service ne répond pas. Vérifiez votre connexion, puis réessayez."
        : e instanceof ApiError && e.code === "message_too_long"
          ? "Votre question est trop longue. Écrivez-la en quelques mots."
          : "Un problème est arrivé. Réessayez dans un moment.";
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
    showError("Écrivez votre question avant de l'envoyer.");
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
renderAll();
loadStartTopics().then(() => {
  if (startTopics.length) log.firstElementChild?.replaceWith(welcome());
  // Opened before the topics came: the field keeps the focus it was given.
  if (wantFocus && document.activeElement === document.body) input.focus();
});
if (embedded) window.parent.postMessage({ accueil: 1, type: "ready" }, "*");
else input.focus();
