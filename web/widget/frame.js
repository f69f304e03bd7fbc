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
  languageNote,
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
  const label = outcome === "clarify" ? "Choisissez une réponse" : outcome === "fallback" ? "Sujets proposés" : "Autres questions";
  return el(
    "div",
    { class: "msg__choices", role: "group", "aria-label": label },
    list.map((q) =>
      el(
        "button",
        {
          type: "button",
          class: `fr-btn fr-btn--secondary fr-btn--sm msg__choice${q.picto ? " msg__choice--picto" : ""}`,
          dataset: { payload: q.payload },
          onclick: () => send({ choice: q.payload, label: q.label }),
        },
        q.picto ? picto({ ...q.picto, alt: "" }, { size: 32, cls: "msg__choice-picto" }) : null,
        q.label,
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

function botReply(data, { live = true } = {}) {
  const r = data.reply || {};
  const outcome = data.outcome;
  if (r.contact && r.contact.name) siteName.textContent = r.contact.name;
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
    outcome === "fallback" || !r.title ? contact(r.contact) : null,
    quickReplies(r.quick_replies, { outcome }),
    live && outcome === "answer" ? feedback(data.intent) : null,
  ];
  const node = botShell(...parts);
  node.dataset.outcome = outcome || "";
  if (data.intent) node.dataset.intent = data.intent;
  return node;
}

function welcome() {
  return botShell(
    paragraphs(
      "Bonjour. Je réponds aux questions sur les démarches.\nÉcrivez votre question en quelques mots, par exemple : « renouveler mon titre de séjour ».",
      "acc-text msg__text",
    ),
  );
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
    if (event.data.type === "focus") input.focus();
  });
} else {
  // Opened on its own (a link to /widget/frame.html): nothing to close.
  closeButton.hidden = true;
  document.body.classList.add("chat--page");
}

if (site) siteName.dataset.site = site;
renderAll();
if (embedded) window.parent.postMessage({ accueil: 1, type: "ready" }, "*");
else input.focus();
