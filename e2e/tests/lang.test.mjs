// The faces in two languages: the widget's « FR / EN » switch (toggle
// buttons, big enough to tap, named « Français » and "English") sends
// `lang` and turns a question into an English reply, marked lang="en",
// and back to French; the choice is kept for the tab only; a question
// typed in English switches the panel; an answer with no English text yet
// says so in English and is marked French. The procedure at a glance
// (`reply.sheet`) shows under « En savoir plus » in the widget, on the
// first step at the kiosk, and on the printable page, in both languages;
// the kiosk's switch, its English QR code, and the idle reset back to
// French. Screenshots go to tests/screenshots/ (git-ignored).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, chatApi, formatViolations, launchBrowser, openPage, recordSpeech, screenshot, startServer, tapTopic } from "../support.mjs";

const SITE = "prefecture-guyane";
const PHONE_390 = { width: 390, height: 844 };
const KIOSK_PORTRAIT = { width: 1080, height: 1920 };
// A démarche with a procedure sheet and English text (checked in `before`).
const INTENT = "sejour.renouvellement";
const ASKED = "comment renouveler mon titre de séjour";

let server;
let browser;
/** The intent's whole reply in each language, from the API. */
const expected = {};

async function intentPage(id, lang) {
  const q = new URLSearchParams({ site: SITE });
  if (lang) q.set("lang", lang);
  const response = await fetch(`${server.url}/api/v1/intents/${id}?${q}`);
  assert.ok(response.ok, `intent ${id} (${lang}): ${response.status}`);
  return response.json();
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const lang of ["fr", "en"]) expected[lang] = await intentPage(INTENT, lang);
  // A guard with a clear message if the content changes under the tests.
  assert.ok(expected.fr.reply.sheet, `${INTENT} has a [sheet]`);
  assert.equal(expected.en.reply.lang, "en");
  assert.equal(expected.en.reply.language_note, undefined, `${INTENT} has English text`);
  assert.ok(expected.en.reply.sheet, `${INTENT} has an English sheet`);
  const r = await chatApi(server, { message: ASKED, channel: "web", site: SITE });
  assert.equal(r.intent, INTENT);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function assertNoA11yProblem(target, where) {
  const violations = await axeViolations(target);
  assert.deepEqual(violations, [], `${where}:\n${formatViolations(violations)}`);
}

/** The chat panel on its own page. */
async function openPanel(page = null) {
  const p = page || (await openPage(browser, server, { viewport: PHONE_390 }));
  await p.goto(`${server.url}/widget/frame.html?site=${SITE}`);
  await p.locator(".msg--welcome .msg__choice").first().waitFor();
  return p;
}

/** Type a question; resolves to the new bubble and the request's body. */
async function ask(page, text) {
  const before = await page.locator(".msg--bot[data-outcome]").count();
  const request = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
  await page.locator("#question").fill(text);
  await page.locator("#question").press("Enter");
  const body = (await request).postDataJSON();
  const bot = page.locator(".msg--bot[data-outcome]").nth(before);
  await bot.waitFor();
  return { bot, body };
}

/** The switch's state: { Français: "true", English: "false" }. */
async function pressed(page) {
  const names = { fr: "Français", en: "English" };
  return page.locator(".acc-lang button").evaluateAll(
    (bs, names) => Object.fromEntries(bs.map((b) => [names[b.lang], b.getAttribute("aria-pressed")])),
    names,
  );
}

/** A button of the switch, by the language it names. */
function langButton(page, name) {
  return page.getByRole("button", { name: new RegExp(`^(FR|EN) – ${name}$`) });
}

/** Each button of the switch is at least `min` CSS pixels square. */
async function assertTappable(page, min) {
  for (const name of ["Français", "English"]) {
    const box = await langButton(page, name).boundingBox();
    assert.ok(box.width >= min && box.height >= min, `« ${name} » is ${box.width}×${box.height}, at least ${min} px`);
  }
}

describe("widget", () => {
  test("the switch turns a question into an English reply, and back to French", async () => {
    const page = await openPanel();
    // A real toggle: two buttons named in their own language, one pressed;
    // their names start with what they show.
    const group = page.getByRole("group", { name: "Langue" });
    await group.waitFor();
    assert.deepEqual(await pressed(page), { Français: "true", English: "false" });
    assert.equal(await langButton(page, "English").getAttribute("lang"), "en");
    assert.equal(await langButton(page, "Français").getAttribute("aria-label"), "FR – Français");
    assert.deepEqual(await group.locator("button").allTextContents(), ["FR", "EN"]);
    await assertTappable(page, 44);

    await langButton(page, "English").click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.deepEqual(await pressed(page), { Français: "false", English: "true" });
    await page.getByRole("group", { name: "Language" }).waitFor();
    // The panel's own words follow.
    await page.getByLabel(/^Your question/).waitFor();
    await page.getByRole("button", { name: "Send the question" }).waitFor();
    await page.locator(".msg--welcome", { hasText: "Hello. I answer questions" }).waitFor();
    assert.equal(await page.locator(".msg--welcome").getAttribute("lang"), "en");
    assert.equal(await page.title(), "Online assistant");

    // A question in French, answered in English.
    const en = await ask(page, ASKED);
    assert.equal(en.body.lang, "en", "the choice is sent with the request");
    assert.equal(await en.bot.getAttribute("lang"), "en");
    assert.equal(await en.bot.getAttribute("data-intent"), INTENT);
    assert.equal(await en.bot.locator("h2").first().textContent(), expected.en.title);
    assert.equal(await en.bot.locator(".acc-sr-only").first().textContent(), "The assistant answers:");
    assert.equal(await en.bot.locator(".msg__text").getAttribute("lang"), null, "the text is in the bubble's language");
    assert.match(await en.bot.getByRole("link", { name: "Printable version" }).getAttribute("href"), new RegExp(`^/fiche/${INTENT}\\?site=${SITE}&lang=en$`));

    // The sheet, behind « More details », after the steps.
    const more = en.bot.locator("details.msg__more");
    assert.equal(await more.locator("summary").textContent(), "More details");
    assert.equal(await en.bot.locator(".acc-sheet").isVisible(), false, "closed until asked for");
    const order = await en.bot.evaluate((node) => Boolean(node.querySelector(".acc-steps").compareDocumentPosition(node.querySelector(".msg__more")) & Node.DOCUMENT_POSITION_FOLLOWING));
    assert.ok(order, "the details come after the steps");
    await more.locator("summary").click();
    const sheet = en.bot.locator(".acc-sheet");
    await sheet.waitFor();
    assert.equal(await sheet.locator(".acc-sheet__title").textContent(), expected.en.reply.sheet.title);
    assert.deepEqual(await sheet.locator("dt").allTextContents(), expected.en.reply.sheet.rows.map((r) => r.label));
    const papers = expected.en.reply.sheet.rows.find((r) => r.field === "papers");
    if (papers) assert.equal(await sheet.locator("[data-field=papers] li").count(), papers.items.length, "the papers as a list");
    assert.ok(await en.bot.locator(".acc-glossary").isVisible(), "the words explained are under it");
    assert.equal(await en.bot.locator(".acc-glossary__title").textContent(), "Words explained");
    await sheet.scrollIntoViewIfNeeded();
    await screenshot(page, "lang-widget-english-sheet-390");
    await assertNoA11yProblem(page, "widget in English, sheet open");

    // Back to French.
    await langButton(page, "Français").click();
    await page.waitForFunction(() => document.documentElement.lang === "fr");
    await page.getByLabel(/^Votre question/).waitFor();
    const fr = await ask(page, ASKED);
    assert.equal(fr.body.lang, "fr");
    assert.equal(await fr.bot.getAttribute("lang"), "fr");
    assert.equal(await fr.bot.locator("h2").first().textContent(), expected.fr.title);
    assert.equal(await fr.bot.locator("summary").textContent(), "En savoir plus");
    await fr.bot.locator("summary").click();
    assert.equal(await fr.bot.locator(".acc-sheet__title").textContent(), "La démarche en bref");
    assert.equal(await fr.bot.locator(".acc-sheet dt").first().textContent(), "Pour qui");
    // The English reply stays English, for screen readers too.
    assert.equal(await en.bot.getAttribute("lang"), "en");
    page.assertClean();
    await page.closeAll();
  });

  test("the choice is kept for the tab only, and « Recommencer » keeps it", async () => {
    const page = await openPanel();
    await langButton(page, "English").click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await page.reload();
    await page.locator(".msg--welcome .msg__choice").first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en", "kept across the site's pages");
    assert.deepEqual(await pressed(page), { Français: "false", English: "true" });
    assert.deepEqual(JSON.parse(await page.evaluate(() => sessionStorage.getItem("accueil.lang"))), { lang: "en", chosen: true });
    assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing outlives the tab");
    await page.getByRole("button", { name: "Start the conversation again" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    // The English start topics.
    const labels = await page.locator(".msg--welcome .msg__choice").allTextContents();
    assert.ok(labels.includes(expected.en.title), `English titles: ${labels}`);
    page.assertClean();
    await page.closeAll();

    // Another tab (a fresh browser context) starts in French.
    const other = await openPanel();
    assert.equal(await other.evaluate(() => document.documentElement.lang), "fr");
    assert.deepEqual(await pressed(other), { Français: "true", English: "false" });
    await other.closeAll();
  });

  test("a question typed in English switches the panel to English", async () => {
    const page = await openPanel();
    const first = await ask(page, "How do I renew my residence permit?");
    assert.equal(first.body.lang, undefined, "nothing chosen: the server reads the question");
    assert.equal(await first.bot.getAttribute("lang"), "en");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.deepEqual(await pressed(page), { Français: "false", English: "true" });
    // From then on, English is asked for.
    const next = await ask(page, "rendez-vous");
    assert.equal(next.body.lang, "en");
    page.assertClean();
    await page.closeAll();
  });

  test("an answer with no English text yet says so in English and is marked French", async (t) => {
    // Content writers add English text as they go: find an intent that has none.
    const topics = await (await fetch(`${server.url}/api/v1/topics?site=${SITE}`)).json();
    let found = null;
    for (const d of topics.domains) {
      for (const i of d.intents) {
        const r = await chatApi(server, { message: i.title, channel: "web", site: SITE, lang: "en" });
        if (r.outcome === "answer" && r.intent === i.id && r.reply.language_note) {
          found = { title: i.title, reply: r.reply };
          break;
        }
      }
      if (found) break;
    }
    if (!found) {
      t.skip("every answer has its English text");
      return;
    }
    const page = await openPanel();
    await langButton(page, "English").click();
    const { bot } = await ask(page, found.title);
    assert.equal(await bot.getAttribute("lang"), "en");
    const note = bot.locator(".acc-language-note");
    assert.equal(await note.getAttribute("lang"), "en");
    assert.equal(await note.textContent(), found.reply.language_note.text);
    assert.equal(await bot.locator(".msg__text").getAttribute("lang"), "fr", "the French text is read in French");
    assert.equal(await bot.locator("h2").getAttribute("lang"), "fr");
    await screenshot(page, "lang-widget-french-only-390");
    page.assertClean();
    await page.closeAll();
  });
});

describe("kiosk", () => {
  async function openKiosk(query = `?site=${SITE}`) {
    const page = await openPage(browser, server, { viewport: KIOSK_PORTRAIT, hasTouch: true });
    await recordSpeech(page);
    await page.goto(`${server.url}/kiosk/${query}`);
    await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor();
    await page.locator(".kiosk__tile").first().waitFor();
    return page;
  }

  test("the big switch: menus, an answer with its sheet on the first step, the QR code and reading aloud in English", async () => {
    const page = await openKiosk();
    await assertTappable(page, 56);
    await langButton(page, "English").tap();
    await page.getByRole("heading", { name: "Hello. What do you want to do?" }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.deepEqual(await pressed(page), { Français: "false", English: "true" });
    for (const name of ["Home", "Back", "Write my question"]) await page.getByRole("button", { name, exact: true }).first().waitFor();
    await screenshot(page, "lang-kiosk-home-english-1080x1920");

    const domain = (await (await fetch(`${server.url}/api/v1/topics?site=${SITE}&lang=en`)).json()).domains.find((d) => d.id === "sejour");
    await page.locator(".kiosk__tile", { hasText: domain.label }).tap();
    await page.getByRole("heading", { name: domain.label, level: 1 }).waitFor();
    const request = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
    await tapTopic(page, expected.en.title);
    assert.equal((await request).postDataJSON().lang, "en");
    await page.getByRole("heading", { name: expected.en.title, level: 1 }).waitFor();
    const answer = page.locator(".kiosk__screen--answer");
    assert.equal(await answer.getAttribute("lang"), "en");
    await page.getByText(/^Step 1 of \d+/).waitFor();
    // The sheet on the first step, in big text.
    const sheet = page.locator(".kiosk__sheet");
    await sheet.waitFor();
    assert.equal(await sheet.locator(".acc-sheet__title").textContent(), expected.en.reply.sheet.title);
    assert.deepEqual(await sheet.locator("dt").allTextContents(), expected.en.reply.sheet.rows.map((r) => r.label));
    const size = await sheet.locator("dd").first().evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
    assert.ok(size >= 24, `big text on the kiosk: ${size}px`);
    await sheet.scrollIntoViewIfNeeded();
    await screenshot(page, "lang-kiosk-answer-english-sheet-1080x1920");
    await assertNoA11yProblem(page, "kiosk answer in English");
    // Read aloud in English.
    await page.getByRole("button", { name: "Listen", exact: true }).tap();
    await page.waitForFunction(() => window.__spoken.length > 0);
    const spoken = await page.evaluate(() => window.__spoken);
    assert.deepEqual([...new Set(spoken.map((s) => s.lang))], ["en-GB"]);
    assert.ok(spoken.some((s) => s.text.includes(expected.en.reply.sheet.title)), "the sheet is read with the step");
    // The next step has no sheet; the first has it again.
    await page.getByRole("button", { name: "Next step", exact: true }).tap();
    await page.getByText(/^Step 2 of \d+/).waitFor();
    assert.equal(await sheet.count(), 0);
    await page.getByRole("button", { name: "Previous step", exact: true }).tap();
    await sheet.waitFor();

    // « Take away »: the English fiche.
    await page.getByRole("button", { name: "Take away", exact: true }).tap();
    await page.getByRole("img", { name: `QR code of the sheet “${expected.en.title}”` }).waitFor();
    assert.equal(await page.locator("#take-url").textContent(), `${server.url}/fiche/${INTENT}?site=${SITE}&lang=en`);
    await page.getByRole("button", { name: "Close", exact: true }).tap();

    // « Home » is the same visitor: the language holds.
    await page.getByRole("button", { name: "Home", exact: true }).tap();
    await page.getByRole("heading", { name: "Hello. What do you want to do?" }).waitFor();
    // Back to French: the answer on show is asked again in French.
    await page.locator(".kiosk__tile", { hasText: domain.label }).tap();
    await tapTopic(page, expected.en.title);
    await page.getByRole("heading", { name: expected.en.title, level: 1 }).waitFor();
    await langButton(page, "Français").tap();
    await page.getByRole("heading", { name: expected.fr.title, level: 1 }).waitFor();
    assert.equal(await page.locator(".kiosk__screen--answer").getAttribute("lang"), "fr");
    assert.equal(await page.locator(".kiosk__sheet .acc-sheet__title").textContent(), "La démarche en bref");
    await page.getByRole("button", { name: "Retour", exact: true }).waitFor();
    page.assertClean();
    await page.closeAll();
  });

  test("the idle reset forgets the language for the next visitor", async () => {
    const page = await openKiosk(`?site=${SITE}&idle=6`);
    await langButton(page, "English").tap();
    await page.getByRole("heading", { name: "Hello. What do you want to do?" }).waitFor();
    assert.deepEqual(JSON.parse(await page.evaluate(() => sessionStorage.getItem("accueil.kiosk.lang"))), { lang: "en", chosen: true });
    // Even on the start screen, with no conversation, the warning comes.
    await page.getByRole("heading", { name: "Are you still there?" }).waitFor({ timeout: 10_000 });
    await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), "fr");
    assert.deepEqual(await pressed(page), { Français: "true", English: "false" });
    assert.equal(await page.evaluate(() => sessionStorage.getItem("accueil.kiosk.lang")), null, "nothing kept");
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    // The next visitor's request carries no language.
    await page.locator(".kiosk__tile", { hasText: "Titres de séjour" }).tap();
    const request = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
    await tapTopic(page, expected.fr.title);
    assert.equal((await request).postDataJSON().lang, undefined);
    await page.getByText(/^Étape 1 sur/).waitFor();
    assert.equal(await page.locator(".kiosk__sheet .acc-sheet__title").textContent(), "La démarche en bref");
    page.assertClean();
    await page.closeAll();
  });
});

describe("printable page", () => {
  test("shows « La démarche en bref », and prints in English with ?lang=en", async () => {
    const page = await openPage(browser, server, { viewport: { width: 794, height: 1123 } });
    await page.goto(`${server.url}/fiche/${INTENT}?site=${SITE}`);
    const section = page.getByRole("region", { name: "La démarche en bref" });
    await section.waitFor();
    assert.deepEqual(await section.locator("dt").allTextContents(), expected.fr.reply.sheet.rows.map((r) => r.label));

    await page.goto(`${server.url}/fiche/${INTENT}?site=${SITE}&lang=en`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    await page.getByRole("heading", { name: expected.en.title, level: 1 }).waitFor();
    const english = page.getByRole("region", { name: expected.en.reply.sheet.title });
    await english.waitFor();
    assert.deepEqual(await english.locator("dt").allTextContents(), expected.en.reply.sheet.rows.map((r) => r.label));
    await page.getByRole("button", { name: "Print this sheet" }).waitFor();
    await assertNoA11yProblem(page, "English fiche");
    await screenshot(page, "lang-fiche-english-a4", { fullPage: true });

    page.assertClean();
    // Another language is refused, like any bad query.
    const refused = await fetch(`${server.url}/fiche/${INTENT}?lang=de`);
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error.code, "unknown_lang");
    await page.closeAll();
  });
});
