// Shared by the widget and the kiosk: the API client and the pieces of a
// reply turned into DOM (never HTML strings: every text from the server is
// set with textContent, so nothing in the content can inject markup).

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

/** The acronyms of a reply, explained (FALC), under the answer. */
export function glossary(list, { headingLevel = 3, speakable = false } = {}) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return el(
    "div",
    { class: "acc-glossary", "data-speak": speakable ? "" : undefined },
    el(`h${headingLevel}`, { class: "acc-glossary__title" }, "Les mots expliqués"),
    el(
      "dl",
      { class: "acc-glossary__list" },
      list.flatMap((g) => [el("dt", {}, g.term), el("dd", {}, nbsp(` : ${g.explanation.replace(/\.$/, "")}.`))]),
    ),
  );
}

/** An external link, opened in a new window, said so for screen readers. */
export function externalLink(link, cls = "fr-link") {
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
      title: external ? `${link.label} – nouvelle fenêtre` : undefined,
    },
    link.label,
  );
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
export function contact(c, { headingLevel = 3, phoneLinks = true, speakable = false } = {}) {
  if (!c) return null;
  const tel = telOf(c.phone);
  const line = (icon, ...children) =>
    el("p", { class: "acc-contact__line" }, el("span", { class: `${icon} fr-icon--sm`, "aria-hidden": "true" }), " ", ...children);
  const site = c.website ? safeUrl(c.website) : null;
  return el(
    "div",
    { class: "acc-contact", "data-speak": speakable ? "" : undefined },
    el(`h${headingLevel}`, { class: "acc-contact__title" }, `Contact : ${c.name}`),
    c.text && !c.phone ? el("p", {}, richText(c.text, { phoneLinks })) : null,
    c.phone
      ? line(
          "fr-icon-phone-line",
          "Téléphone : ",
          phoneLinks && tel ? el("a", { href: `tel:${tel}`, class: "fr-link acc-tel" }, nbsp(c.phone)) : el("span", { class: "acc-tel" }, nbsp(c.phone)),
        )
      : null,
    c.hours ? line("fr-icon-time-line", nbsp(`Horaires : ${c.hours}`)) : null,
    c.address ? line("fr-icon-map-pin-2-line", nbsp(`Adresse : ${c.address}`)) : null,
    site
      ? line(
          "fr-icon-links-line",
          "Site internet : ",
          phoneLinks ? externalLink({ label: new URL(site).host, url: site }, "fr-link") : el("span", { class: "acc-url" }, new URL(site).host),
        )
      : null,
  );
}

/** Where the printable sheet of an intent is. */
export function ficheUrl(intent, site) {
  const q = site ? `?site=${encodeURIComponent(site)}` : "";
  return `/fiche/${encodeURIComponent(intent)}${q}`;
}

/** Speak `text` in French with the browser's speech synthesis. Returns
 *  false when the browser cannot. */
export function speak(text, { onend } = {}) {
  const synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return false;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.lang = "fr-FR";
  u.rate = 0.9;
  const voices = synth.getVoices ? synth.getVoices() : [];
  const fr = voices.find((v) => v.lang === "fr-FR") || voices.find((v) => /^fr/i.test(v.lang));
  if (fr) u.voice = fr;
  if (onend) {
    u.onend = onend;
    u.onerror = onend;
  }
  synth.speak(u);
  return true;
}

export function stopSpeaking() {
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}

export function canSpeak() {
  return Boolean(window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function");
}
