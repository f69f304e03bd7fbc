// Shared by the widget and the kiosk: the API client and the pieces of a
// reply turned into DOM (never HTML strings: every text from the server is
// set with textContent, so nothing in the content can inject markup).
// The pieces' own words are in the language they are given (`lang`: the
// reply's), from words.js.

import { LANGS, words } from "/assets/accueil/words.js";

/** An API refusal or a network failure, with the server's error code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Call the API; resolves to the JSON body, rejects with an ApiError. */
export async function api(path, { method = "GET", body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    if (e && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "Le service ne répond pas.");
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const err = (json && json.error) || {};
    throw new ApiError(response.status, err.code || `http_${response.status}`, err.message || response.statusText);
  }
  return json;
}

/** Build an element: el("p", {class: "x"}, "text", child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replace the children of `node`, skipping null and false (which
 *  replaceChildren would write as text). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Only web, mail and phone links are followed; anything else is text. */
export function safeUrl(url) {
  try {
    const u = new URL(url, location.href);
    return ["https:", "http:", "tel:", "mailto:"].includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

/** A pictogram as an image with its alt text; decorative when alt is "". */
export function picto(p, { size = 80, cls = "acc-picto" } = {}) {
  if (!p || !p.src) return null;
  return el("img", { class: cls, src: p.src, alt: p.alt || "", width: size, height: size, decoding: "async" });
}

const NBSP = "\u00a0";
// A French phone number: "05 94 39 45 00", "05.94.39.45.00", "+33 5 94 39 45 00", "39 39".
const PHONE = /(?:\+33[\s.]?\d|\b0\d)(?:[\s.]?\d{2}){4}\b|\b3939\b|\b39 39\b/g;

/** Typography that keeps things together on a line: no break inside a
 *  phone number, none before « ? ! : ; » or after « (French rules). */
export function nbsp(text) {
  return String(text ?? "")
    .replace(PHONE, (m) => m.replace(/ /g, NBSP))
    .replace(/ ([?!:;»])/g, `${NBSP}$1`)
    .replace(/« /g, `«${NBSP}`);
}

/** The digits of a phone number, for a tel: link. */
export function telOf(phone) {
  return String(phone || "").replace(/[^0-9+]/g, "");
}

/** A line of text as nodes: its phone numbers as tel: links when
 *  `phoneLinks`, the rest as text with non-breaking spaces. */
export function richText(line, { phoneLinks = true } = {}) {
  const text = nbsp(line);
  if (!phoneLinks) return [text];
  const out = [];
  let last = 0;
  for (const m of text.matchAll(new RegExp(PHONE.source.replace(/ /g, "[ \u00a0]"), "g"))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(el("a", { href: `tel:${telOf(m[0])}`, class: "acc-tel" }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The text of a reply: one paragraph per line. */
export function paragraphs(text, cls = "acc-text", { phoneLinks = true } = {}) {
  const lines = String(text || "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return el("div", { class: cls }, lines.map((l) => el("p", {}, richText(l, { phoneLinks }))));
}

/** The words and acronyms of a reply, explained (FALC), under the answer. */
export function glossary(list, { headingLevel = 3, speakable = false, lang = "fr" } = {}) {
  if (!Array.isArray(list) || list.length === 0) return null;
  const w = words(lang);
  return el(
    "div",
    { class: "acc-glossary", "data-speak": speakable ? "" : undefined },
    el(`h${headingLevel}`, { class: "acc-glossary__title" }, w.glossary),
    el(
      "dl",
      { class: "acc-glossary__list" },
      list.flatMap((g) => [el("dt", {}, g.term), el("dd", {}, nbsp(`${w.colon} ${g.explanation.replace(/\.$/, "")}.`))]),
    ),
  );
}

/** The procedure at a glance (`reply.sheet`): a small definition list,
 *  label then text, the papers as a short list. `textLang`: the language
 *  of its texts when not the reply's (an answer not yet translated). */
export function sheet(s, { headingLevel = 3, speakable = false, cls = "", textLang } = {}) {
  if (!s || !Array.isArray(s.rows) || s.rows.length === 0) return null;
  return el(
    "div",
    { class: `acc-sheet ${cls}`.trim(), "data-speak": speakable ? "" : undefined },
    s.title ? el(`h${headingLevel}`, { class: "acc-sheet__title" }, s.title) : null,
    el(
      "dl",
      { class: "acc-sheet__list" },
      s.rows.map((row) =>
        el(
          "div",
          { class: "acc-sheet__row", dataset: { field: row.field || "" } },
          el("dt", { class: "acc-sheet__label" }, row.label),
          el(
            "dd",
            { class: "acc-sheet__text", lang: textLang },
            Array.isArray(row.items) && row.items.length
              ? el("ul", { class: "acc-sheet__items" }, row.items.map((item) => el("li", {}, richText(item))))
              : richText(row.text || ""),
          ),
        ),
      ),
    ),
  );
}

/** An external link, opened in a new window, said so for screen readers. */
export function externalLink(link, cls = "fr-link", lang = "fr") {
  const href = safeUrl(link.url);
  if (!href) return el("span", {}, link.label);
  const external = !href.startsWith(location.origin);
  return el(
    "a",
    {
      class: cls,
      href,
      target: external ? "_blank" : undefined,
      rel: external ? "noopener" : undefined,
      title: external ? `${link.label} – ${words(lang).newWindow}` : undefined,
    },
    link.label,
  );
}

/**
 * The language switch « FR / EN »: two toggle buttons (aria-pressed), each
 * named in its own language for screen readers (« FR – Français », "EN –
 * English": the name starts with the visible text, so that voice control
 * finds it too). `onchange(code)` is called when the person picks the
 * other language.
 */
export function langSwitch(current, onchange, { cls = "" } = {}) {
  const group = el("div", { class: `acc-lang ${cls}`.trim(), role: "group" });
  for (const l of LANGS) {
    group.append(
      el(
        "button",
        {
          type: "button",
          class: "acc-lang__button",
          lang: l.code,
          "aria-label": `${l.short} – ${l.name}`,
          dataset: { lang: l.code },
          onclick: () => {
            if (group.dataset.lang !== l.code) onchange(l.code);
          },
        },
        l.short,
      ),
    );
  }
  setLangSwitch(group, current);
  return group;
}

/** Show `lang` as the pressed one, and name the group in it. */
export function setLangSwitch(group, lang) {
  group.dataset.lang = lang;
  group.setAttribute("aria-label", words(lang).language);
  for (const b of group.querySelectorAll("button[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
}

const RTL = new Set(["ar", "fa"]);

/** "I can only reply in French", in the language the person wrote in, with
 *  its lang (and direction) so that screen readers and reading aloud say
 *  it right. */
export function languageNote(note) {
  if (!note || !note.text || !/^[a-z]{2}$/.test(note.lang || "")) return null;
  return el("p", { class: "acc-language-note", lang: note.lang, dir: RTL.has(note.lang) ? "rtl" : "ltr" }, note.text);
}

/** Service notices (closed desk, outage) shown above an answer. */
export function notices(list) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return el(
    "div",
    { class: "acc-notices" },
    list.map((n) =>
      el(
        "div",
        { class: "fr-alert fr-alert--warning fr-alert--sm acc-notice", dataset: { notice: n.id || "" } },
        el("p", {}, n.text),
        n.link && safeUrl(n.link.url) ? el("p", {}, externalLink(n.link)) : null,
      ),
    ),
  );
}

/** The steps of a procedure as a numbered list, each with its number
 *  shown and its pictogram. */
export function steps(list, { pictoSize = 56 } = {}) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return el(
    "ol",
    { class: "acc-steps" },
    list.map((s) =>
      el(
        "li",
        { class: "acc-step", value: s.n },
        el("span", { class: "acc-step__n", "aria-hidden": "true" }, String(s.n)),
        picto(s.picto, { size: pictoSize, cls: "acc-step__picto" }) || el("span", { class: "acc-step__picto", "aria-hidden": "true" }),
        el(
          "div",
          { class: "acc-step__body" },
          el("p", { class: "acc-step__text" }, richText(s.text)),
          s.link ? el("p", { class: "acc-step__link" }, externalLink(s.link, "fr-link fr-link--sm")) : null,
        ),
      ),
    ),
  );
}

/** The site's contact: name, phone (a tel: link) with its hours,
 *  address, website. The site's contact sentence is shown only when it
 *  is the one route given (it repeats the phone otherwise). `links`:
 *  false on a kiosk, which must not leave its page (addresses as text). */
export function contact(c, { headingLevel = 3, phoneLinks = true, speakable = false, lang = "fr" } = {}) {
  if (!c) return null;
  const w = words(lang);
  const label = (name) => `${name}${w.colon} `;
  const tel = telOf(c.phone);
  const line = (icon, ...children) =>
    el("p", { class: "acc-contact__line" }, el("span", { class: `${icon} fr-icon--sm`, "aria-hidden": "true" }), " ", ...children);
  const site = c.website ? safeUrl(c.website) : null;
  return el(
    "div",
    { class: "acc-contact", "data-speak": speakable ? "" : undefined },
    el(`h${headingLevel}`, { class: "acc-contact__title" }, `${label(w.contact)}${c.name}`),
    c.text && !c.phone ? el("p", {}, richText(c.text, { phoneLinks })) : null,
    c.phone
      ? line(
          "fr-icon-phone-line",
          label(w.phone),
          phoneLinks && tel ? el("a", { href: `tel:${tel}`, class: "fr-link acc-tel" }, nbsp(c.phone)) : el("span", { class: "acc-tel" }, nbsp(c.phone)),
        )
      : null,
    c.hours ? line("fr-icon-time-line", nbsp(`${label(w.hours)}${c.hours}`)) : null,
    c.address ? line("fr-icon-map-pin-2-line", nbsp(`${label(w.address)}${c.address}`)) : null,
    site
      ? line(
          "fr-icon-links-line",
          label(w.website),
          phoneLinks ? externalLink({ label: new URL(site).host, url: site }, "fr-link", lang) : el("span", { class: "acc-url" }, new URL(site).host),
        )
      : null,
  );
}

/** The query of a page about an intent: its site, and `lang=en` for
 *  English (French is the default). */
export function intentQuery(site, lang) {
  const q = new URLSearchParams();
  if (site) q.set("site", site);
  if (lang === "en") q.set("lang", "en");
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Where the printable sheet of an intent is. */
export function ficheUrl(intent, site, lang) {
  return `/fiche/${encodeURIComponent(intent)}${intentQuery(site, lang)}`;
}

const VOICES = { fr: "fr-FR", en: "en-GB" };

/** Speak with the browser's speech synthesis: `text` in French, or
 *  `parts` ([{text, lang}]), each in its language (consecutive parts of
 *  one language are one utterance). Returns false when the browser
 *  cannot. */
export function speak(text, { onend, parts } = {}) {
  const synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return false;
  synth.cancel();
  const runs = [];
  for (const p of parts || [{ text, lang: "fr" }]) {
    const lang = VOICES[p.lang] ? p.lang : "fr";
    const last = runs[runs.length - 1];
    if (last && last.lang === lang) last.text += ` ${p.text}`;
    else runs.push({ text: p.text, lang });
  }
  if (!runs.length) return false;
  const voices = synth.getVoices ? synth.getVoices() : [];
  runs.forEach((run, k) => {
    const u = new SpeechSynthesisUtterance(run.text);
    u.lang = VOICES[run.lang];
    u.rate = 0.9;
    const voice = voices.find((v) => v.lang === u.lang) || voices.find((v) => v.lang.toLowerCase().startsWith(run.lang));
    if (voice) u.voice = voice;
    if (onend && k === runs.length - 1) {
      u.onend = onend;
      u.onerror = onend;
    }
    synth.speak(u);
  });
  return true;
}

export function stopSpeaking() {
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}

export function canSpeak() {
  return Boolean(window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function");
}
