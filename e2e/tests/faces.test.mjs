// The faces as their people use them (issue 17): an honest handoff with a
// tappable phone and a route asked before sending; the widget's start
// topics, numbered steps and glossary; a DDTM kiosk that starts with DDTM
// topics, pages long lists, keeps its primary action in the window at
// both kiosk sizes, and sends residence permits to the préfecture; the
// printable page's glossary; the console's titles and a cluster of three
// paraphrases of one question. Screenshots of each page at each size go
// to tests/screenshots/ (committed).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AGENT_TOKEN, ROOT, axeViolations, chatApi, formatViolations, imagesLoaded, launchBrowser, openPage, recordSpeech, screenshot, startServer, tapTopic } from "../support.mjs";

const PHONE_390 = { width: 390, height: 844 };
const KIOSK_PORTRAIT = { width: 1080, height: 1920 };
const KIOSK_LANDSCAPE = { width: 1920, height: 1080 };
const DESK = { width: 1440, height: 900 };
const OUT_OF_SCOPE = "quelle est la recette de la tarte aux pommes";

// A site with a configured handoff, added to a copy of the shipped content
// (no shipped site has one: its address must be a real service's).
const HANDOFF_SITE = `
nom = "Guichet d'essai"
kind = "prefecture"

[prefecture]
nom = "le guichet d'essai"
telephone = "01 23 45 67 89"
horaires = "du lundi au vendredi, de 9h à 12h"

[handoff]
email = "guichet-essai@example.gouv.fr"
label = "le guichet d'essai"

[sources]
"prefecture.nom" = "https://www.example.gouv.fr/"
"prefecture.telephone" = "https://www.example.gouv.fr/"
"prefecture.horaires" = "https://www.example.gouv.fr/"
`;

let server;
let browser;
let content;

before(async () => {
  content = fs.mkdtempSync(path.join(os.tmpdir(), "accueil-e2e-content-"));
  for (const dir of ["faq", "intents"]) fs.cpSync(path.join(ROOT, dir), path.join(content, dir), { recursive: true });
  fs.writeFileSync(path.join(content, "faq", "sites", "guichet-essai.toml"), HANDOFF_SITE);
  server = await startServer({ content });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (content) fs.rmSync(content, { recursive: true, force: true });
});

/** The chat panel on its own page. */
async function openPanel(site, viewport = PHONE_390) {
  const page = await openPage(browser, server, { viewport });
  await page.goto(`${server.url}/widget/frame.html?site=${site}`);
  await page.locator(".msg--welcome .msg__choice").first().waitFor();
  return page;
}

async function ask(page, text) {
  const before = await page.locator(".msg--bot[data-outcome]").count();
  await page.getByLabel(/Votre question/).fill(text);
  await page.getByLabel(/Votre question/).press("Enter");
  const bot = page.locator(".msg--bot[data-outcome]").nth(before);
  await bot.waitFor();
  return bot;
}

async function assertNoA11yProblem(page, where) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${where}:\n${formatViolations(violations)}`);
}

/** Is the element wholly inside the window, and not under the toolbar? */
async function inViewport(page, selector) {
  return page.evaluate((sel) => {
    const node = document.querySelector(sel);
    if (!node) return { ok: false, why: "missing" };
    const r = node.getBoundingClientRect();
    const bar = document.querySelector(".kiosk__toolbar")?.getBoundingClientRect();
    const bottom = bar ? bar.top : window.innerHeight;
    return { ok: r.top >= 0 && r.left >= 0 && r.right <= window.innerWidth && r.bottom <= bottom && r.height > 0, rect: [r.top, r.bottom], bottom };
  }, selector);
}

describe("widget", () => {
  test("opens with the site's main topics and guided journeys to tap", async () => {
    const page = await openPanel("prefecture-guyane");
    const welcome = page.locator(".msg--welcome");
    const labels = await welcome.locator(".msg__choice").allTextContents();
    assert.ok(labels.some((l) => /Renouveler/.test(l)), `main topics: ${labels}`);
    assert.ok(labels.some((l) => /quelle démarche/.test(l)), `guided journeys: ${labels}`);
    await screenshot(page, "widget-start-390");
    await welcome.locator(".msg__choice").first().click();
    const bot = page.locator(".msg--bot[data-outcome]").first();
    await bot.waitFor();
    // Steps show their number.
    const numbers = await bot.locator(".acc-step__n").allTextContents();
    assert.deepEqual(numbers.slice(0, 3), ["1", "2", "3"]);
    assert.ok(await bot.locator(".acc-step__n").first().isVisible());
    await assertNoA11yProblem(page, "widget start and answer");
    page.assertClean();
    await page.closeAll();
  });

  test("the fallback promises no reply, gives the phone as a tel: link with its hours, and the question to copy", async () => {
    const page = await openPanel("prefecture-guyane");
    const bot = await ask(page, OUT_OF_SCOPE);
    assert.equal(await bot.getAttribute("data-outcome"), "fallback");
    const text = await bot.innerText();
    assert.match(text, /Votre question est notée pour améliorer ce service\./);
    assert.doesNotMatch(text, /transmets/);
    const tel = bot.locator('a[href^="tel:"]');
    assert.equal(await tel.count(), 1, "the phone once");
    assert.equal(await tel.getAttribute("href"), "tel:0594394500");
    assert.equal(await tel.textContent(), "05\u00a094\u00a039\u00a045\u00a000", "no line break inside the number");
    assert.match(text, /Horaires\s:\slundi, mardi et jeudi/);
    assert.equal(await bot.locator(".acc-handoff__question").inputValue(), OUT_OF_SCOPE);
    await bot.locator(".acc-contact").scrollIntoViewIfNeeded();
    await screenshot(page, "widget-fallback-390");
    await assertNoA11yProblem(page, "widget fallback");
    page.assertClean();
    await page.closeAll();
  });

  test("« Parler à une personne » gives the tappable phone and the hours", async () => {
    const page = await openPanel("prefecture-guyane");
    const bot = await ask(page, "je veux parler à une personne");
    assert.equal(await bot.getAttribute("data-intent"), "conv.parler_agent");
    assert.ok((await bot.locator('a[href="tel:0594394500"]').count()) >= 1);
    assert.match(await bot.innerText(), /Horaires\s:/);
    assert.doesNotMatch(await bot.innerText(), /transmets votre question/);
    page.assertClean();
    await page.closeAll();
  });

  test("a configured handoff sends the masked question only after the person says yes", async () => {
    const page = await openPanel("guichet-essai");
    const bot = await ask(page, "ma voisine fait du bruit, appelez-moi au 06 12 34 56 78");
    assert.equal(await bot.getAttribute("data-outcome"), "fallback");
    const confirm = bot.locator(".acc-handoff__confirm");
    assert.equal(await confirm.isVisible(), false, "nothing offered to send before asking");
    await bot.getByRole("button", { name: "Envoyer ma question au guichet d'essai" }).click();
    assert.ok(await confirm.isVisible());
    const masked = await confirm.locator(".acc-handoff__masked").textContent();
    assert.ok(!masked.includes("06 12"), `masked: ${masked}`);
    assert.match(masked, /voisine/);
    const href = await confirm.getByRole("link", { name: "Oui, envoyer" }).getAttribute("href");
    assert.ok(href.startsWith("mailto:guichet-essai@example.gouv.fr?"), href);
    assert.ok(!decodeURIComponent(href).includes("06 12"), "the e-mail carries the masked text only");
    await screenshot(page, "widget-handoff-confirm-390");
    await confirm.getByRole("button", { name: "Non" }).click();
    assert.equal(await confirm.isVisible(), false);
    page.assertClean();
    await page.closeAll();
  });

  test("the glossary explains the acronyms under the answer, in « En savoir plus »", async () => {
    const page = await openPanel("prefecture-guyane");
    const bot = await ask(page, "comment prendre rendez-vous à la préfecture");
    // With the other details, under « En savoir plus ».
    const glossary = bot.locator(".acc-glossary");
    assert.equal(await glossary.isVisible(), false, "closed until asked for");
    await bot.getByText("En savoir plus", { exact: true }).click();
    await glossary.waitFor();
    assert.match(await glossary.innerText(), /ANEF/);
    assert.ok(await glossary.isVisible());
    await glossary.scrollIntoViewIfNeeded();
    await screenshot(page, "widget-glossary-390");
    page.assertClean();
    await page.closeAll();
  });
});

describe("kiosk", () => {
  async function openKiosk(site, viewport) {
    const page = await openPage(browser, server, { viewport, hasTouch: true });
    await page.goto(`${server.url}/kiosk/?site=${site}`);
    await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor();
    await page.locator(".kiosk__tile").first().waitFor();
    return page;
  }

  for (const [name, viewport] of [["1080x1920", KIOSK_PORTRAIT], ["1920x1080", KIOSK_LANDSCAPE]]) {
    test(`a DDTM kiosk at ${name}: DDTM first, at most 8 tiles, primary action in the window`, async () => {
      const page = await openKiosk("ddtm-herault", viewport);
      const first = await page.locator(".kiosk__tile-label").first().textContent();
      assert.equal(first, "Démarches DDTM", "the first tile is a DDTM topic");
      const home = await page.locator(".kiosk__tile-label").allTextContents();
      assert.ok(home.indexOf("France services") === 1, `then France services: ${home}`);
      assert.ok(home.length <= 8, `at most 8 tiles: ${home.length}`);
      await imagesLoaded(page);
      await screenshot(page, `kiosk-ddtm-home-${name}`);
      // A long domain is paged, 8 tiles at most.
      await page.locator(".kiosk__tile", { hasText: "Démarches DDTM" }).tap();
      await page.getByRole("heading", { name: "Démarches DDTM" }).waitFor();
      assert.ok((await page.locator(".kiosk__tile").count()) <= 8);
      const pager = await inViewport(page, ".kiosk__pager-next");
      assert.ok(pager.ok, `the next page button is in the window: ${JSON.stringify(pager)}`);
      await screenshot(page, `kiosk-ddtm-domain-${name}`);
      // An answer with steps: « Étape suivante » in the window.
      await tapTopic(page, "Le permis de construire");
      await page.locator(".kiosk__next").waitFor();
      const next = await inViewport(page, ".kiosk__next");
      assert.ok(next.ok, `« Étape suivante » is in the window: ${JSON.stringify(next)}`);
      await imagesLoaded(page);
      await screenshot(page, `kiosk-ddtm-answer-${name}`);
      await assertNoA11yProblem(page, `kiosk answer ${name}`);
      page.assertClean();
      await page.closeAll();
    });
  }

  test("a residence permit at the DDTM kiosk says to go to the préfecture, with its contact", async () => {
    const page = await openKiosk("ddtm-herault", KIOSK_LANDSCAPE);
    const labels = await page.locator(".kiosk__tile-label").allTextContents();
    assert.ok(labels.indexOf("Titres de séjour") > labels.indexOf("France services"), `séjour after: ${labels}`);
    await page.locator(".kiosk__tile", { hasText: "Titres de séjour" }).tap();
    await page.getByRole("heading", { name: "Titres de séjour" }).waitFor();
    assert.ok((await page.locator(".kiosk__tile").count()) <= 8, "paged");
    await page.locator(".kiosk__pager-state").waitFor();
    await page.locator(".kiosk__tile").first().tap();
    await page.locator(".kiosk__screen--answer").waitFor();
    const text = await page.locator(".kiosk__screen--answer").innerText();
    assert.match(text, /ne se fait pas à la DDTM de l'Hérault\. Elle se fait à la préfecture de l'Hérault/);
    assert.match(text, /Contact\s:\sLa préfecture de l.Hérault/);
    await screenshot(page, "kiosk-ddtm-sejour-1920x1080");
    page.assertClean();
    await page.closeAll();
  });

  test("the glossary is on screen and read aloud; a journey's « Retour » has no travel pictogram", async () => {
    const page = await openPage(browser, server, { viewport: KIOSK_PORTRAIT, hasTouch: true });
    await recordSpeech(page);
    await page.goto(`${server.url}/kiosk/?site=prefecture-guyane`);
    await page.locator(".kiosk__tile").first().waitFor();
    await page.locator(".kiosk__tile", { hasText: "Titres de séjour" }).tap();
    await page.getByRole("heading", { name: "Titres de séjour" }).waitFor();
    await tapTopic(page, "Prendre rendez-vous à la préfecture");
    const glossary = page.locator(".acc-glossary");
    await glossary.waitFor();
    assert.match(await glossary.innerText(), /ANEF/);
    if (await page.locator("#listen").isVisible()) {
      await page.locator("#listen").tap();
      await page.waitForFunction(() => window.__spoken.length > 0);
      assert.match((await page.evaluate(() => window.__spoken.map((s) => s.text).join(" "))), /Les mots expliqués/);
    }
    await screenshot(page, "kiosk-glossary-1080x1920");
    // A journey: its « Retour » carries the neutral arrow.
    await page.locator("#home").tap();
    await page.locator(".kiosk__tile", { hasText: "Première demande" }).tap();
    await page.locator(".kiosk__screen--journey .kiosk__tile").first().tap();
    const back = page.locator(".kiosk__tile--back");
    await back.waitFor();
    assert.equal(await back.locator("img").count(), 0, "no pictogram on « Retour »");
    assert.equal(await back.locator(".fr-icon-arrow-go-back-line").count(), 1);
    await screenshot(page, "kiosk-journey-back-1080x1920");
    page.assertClean();
    await page.closeAll();
  });
});

describe("printable page", () => {
  test("shows the words explained", async () => {
    const page = await openPage(browser, server, { viewport: { width: 794, height: 1123 } });
    await page.goto(`${server.url}/fiche/sejour.rendez_vous?site=prefecture-guyane`);
    const glossary = page.locator(".fiche-glossary");
    await glossary.waitFor();
    assert.match(await glossary.innerText(), /ANEF/);
    await screenshot(page, "fiche-a4", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });
});

describe("console", () => {
  const PARAPHRASES = [
    "comment inscrire mon enfant à la cantine",
    "inscription cantine scolaire",
    "je veux inscrire ma fille à la cantine de l'école",
  ];

  async function signIn(page) {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel(/^Jeton/).fill(AGENT_TOKEN);
    await page.getByRole("button", { name: "Se connecter" }).click();
  }

  test("titles instead of ids, and three paraphrases of one question in one cluster with real words", async () => {
    for (const m of PARAPHRASES) {
      const r = await chatApi(server, { message: m, channel: "web", site: "prefecture-guyane" });
      assert.equal(r.outcome, "fallback", m);
    }
    // A question answered by a conversation intent, judged not useful: its
    // title must show, not `conv.…`.
    const r = await chatApi(server, { message: "do you speak english", channel: "web" });
    if (r.intent) {
      await fetch(`${server.url}/api/v1/feedback`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: r.session, intent: r.intent, useful: false }),
      });
    }
    const page = await openPage(browser, server, { viewport: DESK });
    await signIn(page);
    await page.locator(".console__question").first().waitFor();
    const listText = await page.locator("main").innerText();
    const raw = listText.match(/\b(conv|sejour|ddtm|fs)\.[a-z_]+/);
    assert.equal(raw, null, `no raw intent id: ${raw && listText.slice(Math.max(raw.index - 200, 0), raw.index + 80)}`);
    await screenshot(page, "console-questions-desk");
    await page.getByRole("tab", { name: "Groupes" }).click();
    const cluster = page.locator(".console__cluster").filter({ hasText: "cantine" }).first();
    await cluster.waitFor();
    const examples = await cluster.locator(".console__examples li").allTextContents();
    assert.equal(examples.length, 3, `one cluster of the three: ${examples}`);
    const title = await cluster.locator(".console__cluster-title").textContent();
    assert.match(title, /cantine/);
    assert.doesNotMatch(title, /\bcantin\b|inscript\b/, `real words: ${title}`);
    await screenshot(page, "console-clusters-desk", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });
});
