// The kiosk (/kiosk/): by touch only from the start screen to the last
// step of an answer, the QR code of the printable sheet, reading aloud, a
// guided journey, typing when wanted, and the idle reset that forgets the
// visit. Plus the printable sheet itself on A4.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { PHONE, SCREENSHOTS, imagesLoaded, launchBrowser, openPage, recordSpeech, screenshot, startServer, tapTopic } from "../support.mjs";

const SITE = "ddtm-herault";
const KIOSK = { width: 1280, height: 800 };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openKiosk(query = `?site=${SITE}`, viewport = KIOSK) {
  const page = await openPage(browser, server, { viewport, hasTouch: true });
  await recordSpeech(page);
  // Count every key pressed: the touch path must need none.
  await page.addInitScript(() => {
    window.__keys = 0;
    document.addEventListener("keydown", () => (window.__keys += 1), true);
  });
  await page.goto(`${server.url}/kiosk/${query}`);
  await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor();
  return page;
}

async function walkToLastStep(page) {
  let taps = 0;
  for (;;) {
    const next = page.getByRole("button", { name: "Étape suivante" });
    if ((await next.count()) === 0) break;
    await next.tap();
    taps += 1;
    assert.ok(taps < 30, "the walk ends");
  }
  return taps;
}

describe("kiosk", () => {
  test("by touch from the start screen to the last step of an answer, with no typing", async () => {
    const page = await openKiosk();
    assert.deepEqual(await imagesLoaded(page), [], "the start screen's pictograms load");
    await screenshot(page, "kiosk-start-desktop");
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    await page.getByRole("heading", { name: "Titres de séjour", level: 1 }).waitFor();
    await tapTopic(page, "Renouveler son titre de séjour");
    await page.getByRole("heading", { name: "Renouveler son titre de séjour", level: 1 }).waitFor();
    await page.getByText(/^Étape 1 sur \d+/).waitFor();
    const total = Number((await page.locator(".fr-stepper__state").textContent()).match(/sur (\d+)/)[1]);
    assert.ok(total >= 2);
    // A large pictogram per step, loaded.
    const picto = page.locator(".kiosk__step-picto");
    assert.ok((await picto.boundingBox()).width >= 120, "the step's pictogram is large");
    assert.ok((await picto.getAttribute("alt")).length > 0);
    await screenshot(page, "kiosk-answer-step1-desktop");

    const taps = await walkToLastStep(page);
    assert.equal(taps, total - 1);
    await page.getByText(`Étape ${total} sur ${total}`).waitFor();
    await page.getByText("C'est la dernière étape.").waitFor();
    // Back one step works, and forward again.
    await page.getByRole("button", { name: "Étape précédente" }).tap();
    await page.getByText(`Étape ${total - 1} sur ${total}`).waitFor();
    await page.getByRole("button", { name: "Étape suivante" }).tap();
    await page.getByText(`Étape ${total} sur ${total}`).waitFor();
    assert.deepEqual(await imagesLoaded(page), []);
    assert.ok((await page.locator(".kiosk__choices button").count()) >= 1, "other questions are offered at the end");
    await screenshot(page, "kiosk-answer-last-desktop", { fullPage: true });
    assert.equal(await page.evaluate(() => window.__keys), 0, "no key was pressed");
    page.assertClean();
    await page.closeAll();
  });

  test("« Emporter » shows a QR code of the printable sheet", async () => {
    const page = await openKiosk();
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    await tapTopic(page, "Renouveler son titre de séjour");
    await page.getByText(/^Étape 1 sur/).waitFor();
    await page.getByRole("button", { name: "Emporter" }).tap();
    const qr = page.getByRole("img", { name: /Code QR de la fiche « Renouveler son titre de séjour »/ });
    await qr.waitFor();
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code is drawn");
    const url = await page.locator("#take-url").textContent();
    assert.equal(url, `${server.url}/fiche/sejour.renouvellement?site=${SITE}`);
    await screenshot(page, "kiosk-qr-desktop");

    // The sheet it points to.
    const sheet = await openPage(browser, server, { viewport: PHONE });
    await sheet.goto(url);
    await sheet.getByRole("heading", { name: "Renouveler son titre de séjour", level: 1 }).waitFor();
    assert.ok((await sheet.locator(".fiche-step").count()) >= 2);
    // A residence permit is not done at the DDTM: the sheet gives the
    // préfecture's contact, as its site file names it.
    assert.match(await sheet.locator(".fiche-contact").textContent(), /préfecture de l'Hérault/);
    assert.deepEqual(await imagesLoaded(sheet), []);
    await screenshot(sheet, "fiche-phone", { fullPage: true });
    sheet.assertClean();
    await sheet.closeAll();
    page.assertClean();
    await page.closeAll();
  });

  test("the printable sheet prints on A4, without its button", async () => {
    const page = await openPage(browser, server, { viewport: { width: 794, height: 1123 } });
    await page.goto(`${server.url}/fiche/sejour.renouvellement?site=prefecture-guyane`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await imagesLoaded(page);
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("#imprimer").isVisible(), false, "the print button is not printed");
    const file = path.join(SCREENSHOTS, "fiche-a4.pdf");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const pdf = await page.pdf({ path: file, format: "A4", preferCSSPageSize: true, printBackground: true });
    const text = pdf.toString("latin1");
    const pages = (text.match(/\/Type\s*\/Page(?!s)/g) || []).length;
    assert.ok(pages >= 1 && pages <= 2, `one or two A4 pages, got ${pages}`);
    // A4 is 210×297 mm, 595.3×841.9 points.
    const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)];
    assert.equal(boxes.length, pages);
    for (const [, w, h] of boxes) {
      assert.ok(Math.abs(Number(w) - 595.3) < 1 && Math.abs(Number(h) - 841.9) < 1, `A4 page, got ${w}×${h}`);
    }
    await page.emulateMedia({ media: "screen" });
    await screenshot(page, "fiche-desktop", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });

  test("« Écouter » reads the screen aloud in French", async () => {
    const page = await openKiosk();
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    await tapTopic(page, "Renouveler son titre de séjour");
    await page.getByText(/^Étape 1 sur/).waitFor();
    await page.getByRole("button", { name: "Écouter" }).tap();
    const spoken = await page.evaluate(() => window.__spoken);
    assert.equal(spoken.length, 1);
    assert.equal(spoken[0].lang, "fr-FR");
    assert.match(spoken[0].text, /Renouveler son titre de séjour/);
    assert.match(spoken[0].text, /Étape 1 sur \d+/);
    const stepText = await page.locator(".kiosk__stepper .fr-stepper__title").evaluate((h) => h.lastChild.textContent.replace(/\s+/g, " "));
    assert.ok(spoken[0].text.includes(stepText), "the step on show is read");
    page.assertClean();
    await page.closeAll();
  });

  test("a guided journey from the start screen reaches an answer in a few taps", async () => {
    const page = await openKiosk();
    const journey = page.locator(".kiosk__tile--journey").first();
    assert.equal(await journey.count(), 1, "the start screen offers the guided journeys");
    await journey.tap();
    let taps = 1;
    await page.locator(".kiosk__screen--journey").waitFor();
    await screenshot(page, "kiosk-journey-desktop");
    while ((await page.locator(".kiosk__screen--answer").count()) === 0) {
      const choices = page.locator(".kiosk__screen--journey .kiosk__choices button");
      assert.ok((await choices.count()) >= 2);
      const heading = await page.locator("h1").textContent();
      await choices.first().tap();
      taps += 1;
      await page.waitForFunction((h) => document.querySelector("h1")?.textContent !== h, heading);
      assert.ok(taps <= 5, "at most five taps");
    }
    await page.locator(".kiosk__screen--answer h1").waitFor();
    assert.deepEqual(await imagesLoaded(page), []);
    page.assertClean();
    await page.closeAll();
  });

  test("typing is possible: « Écrire ma question »", async () => {
    const page = await openKiosk();
    await page.getByRole("button", { name: "Écrire ma question" }).first().tap();
    const input = page.getByLabel(/Votre question, en quelques mots/);
    await input.waitFor();
    await input.fill("comment renouveler mon titre de séjour");
    await page.getByRole("button", { name: "Envoyer" }).tap();
    await page.getByRole("heading", { name: "Renouveler son titre de séjour", level: 1 }).waitFor();
    page.assertClean();
    await page.closeAll();
  });

  test("after the idle time it returns to the start screen and forgets the visit", async () => {
    const page = await openKiosk(`?site=${SITE}&idle=6`);
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    const first = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
    await tapTopic(page, "Renouveler son titre de séjour");
    assert.equal((await first).postDataJSON().session, undefined, "a visit starts without a session");
    await page.getByText(/^Étape 1 sur/).waitFor();
    await page.getByRole("button", { name: "Étape suivante" }).tap();
    // The warning, then the start screen, with no touch.
    await page.getByRole("heading", { name: "Vous êtes toujours là ?" }).waitFor({ timeout: 10_000 });
    await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole("button", { name: "Retour" }).isDisabled(), true, "no history left");
    assert.equal(await page.getByRole("button", { name: "Emporter" }).isVisible(), false);
    // The next visitor starts a new conversation.
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    const next = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
    await tapTopic(page, "Renouveler son titre de séjour");
    assert.equal((await next).postDataJSON().session, undefined, "the session was forgotten");
    page.assertClean();
    await page.closeAll();
  });

  test("« Oui, je continue » keeps the visit", async () => {
    const page = await openKiosk(`?site=${SITE}&idle=9`);
    await page.getByRole("button", { name: /Titres de séjour/ }).tap();
    await tapTopic(page, "Renouveler son titre de séjour");
    await page.getByText(/^Étape 1 sur/).waitFor();
    await page.getByRole("button", { name: "Oui, je continue" }).waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Oui, je continue" }).tap();
    await page.getByText(/^Étape 1 sur/).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Renouveler son titre de séjour", level: 1 }).count(), 1);
    page.assertClean();
    await page.closeAll();
  });

  test("phone size: the start screen and an answer still fit", async () => {
    const page = await openKiosk(`?site=${SITE}`, PHONE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow}px)`);
    await screenshot(page, "kiosk-start-phone");
    await page.getByRole("button", { name: /Démarches DDTM/ }).tap();
    await page.locator(".kiosk__tile").first().tap();
    await page.locator(".kiosk__screen--answer, .kiosk__screen--message, .kiosk__screen--journey").first().waitFor();
    await screenshot(page, "kiosk-answer-phone", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });
});
