// The chat widget (/widget/): the demo page with its one <script> tag, a
// conversation through the panel (answer with steps and pictograms, quick
// reply, clarification, fallback with the human contact, a guided journey,
// a service notice), keyboard only, 320 px wide and 200 % zoom.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ADMIN_TOKEN,
  DESKTOP,
  NARROW,
  PHONE,
  chatApi,
  findQuestion,
  imagesLoaded,
  launchBrowser,
  openPage,
  screenshot,
  startServer,
} from "../support.mjs";

const SITE = "prefecture-guyane";
const ANSWERED = "comment renouveler mon titre de séjour";
const OUT_OF_SCOPE = ["quelle est la recette de la tarte aux pommes", "comment réparer mon vélo", "le prix du billet de cinéma"];
const AMBIGUOUS = ["rdv", "rendez-vous", "horaires", "carte", "permis", "document"];

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

/** Open the demo page and the panel; returns the page and the panel's frame. */
async function openWidget(viewport = DESKTOP, options = {}) {
  const page = await openPage(browser, server, { viewport, ...options });
  await page.goto(`${server.url}/widget/`);
  await page.getByRole("button", { name: "Une question ?" }).click();
  const handle = await page.waitForSelector("#accueil-widget >> iframe");
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => document.activeElement && document.activeElement.id === "question");
  return { page, frame };
}

async function ask(frame, text) {
  const before = await frame.locator(".msg--bot[data-outcome]").count();
  await frame.getByLabel(/Votre question/).fill(text);
  await frame.getByLabel(/Votre question/).press("Enter");
  await frame.locator(".msg--bot[data-outcome]").nth(before).waitFor();
  return frame.locator(".msg--bot[data-outcome]").nth(before);
}

async function lastBot(frame, count) {
  await frame.locator(".msg--bot[data-outcome]").nth(count).waitFor();
  return frame.locator(".msg--bot[data-outcome]").nth(count);
}

describe("widget", () => {
  test("one script tag adds the button; the panel answers with steps and pictograms that load", async () => {
    const { page, frame } = await openWidget();
    const answer = await ask(frame, ANSWERED);
    assert.equal(await answer.getAttribute("data-outcome"), "answer");
    assert.equal(await answer.getAttribute("data-intent"), "sejour.renouvellement");
    await answer.getByRole("heading", { level: 2 }).waitFor();

    const steps = answer.locator("ol.acc-steps > li");
    assert.ok((await steps.count()) >= 2, "the steps are a numbered list");
    const pictos = answer.locator("ol.acc-steps img");
    assert.ok((await pictos.count()) >= 2, "steps have pictograms");
    for (const alt of await pictos.evaluateAll((imgs) => imgs.map((i) => i.alt))) {
      assert.ok(alt.trim().length > 0, "every pictogram has an alt text");
    }
    assert.deepEqual(await imagesLoaded(frame), [], "no broken image");
    const link = answer.locator("ol.acc-steps a").first();
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.match(await link.getAttribute("href"), /^https:\/\//);
    // The contact of the site given by data-site.
    assert.match(await frame.locator("#site-name").textContent(), /Guyane/);
    // The printable sheet of the answer.
    assert.match(await answer.getByRole("link", { name: "Version à imprimer" }).getAttribute("href"), /^\/fiche\/sejour\.renouvellement\?site=prefecture-guyane$/);

    await screenshot(page, "widget-answer-desktop");
    page.assertClean();
    await page.closeAll();
  });

  test("a quick reply is followed", async () => {
    const { page, frame } = await openWidget();
    const answer = await ask(frame, ANSWERED);
    const choice = answer.locator('button.msg__choice:not([data-payload^="parcours."])').first();
    const payload = await choice.getAttribute("data-payload");
    const label = (await choice.textContent()).trim();
    await choice.click();
    const next = await lastBot(frame, 1);
    assert.equal(await next.getAttribute("data-intent"), payload);
    assert.equal(await frame.locator(".msg--user .msg__bubble").last().textContent(), label, "the choice shows as the person's turn");
    // Focus returns to the question field.
    assert.equal(await frame.evaluate(() => document.activeElement.id), "question");
    page.assertClean();
    await page.closeAll();
  });

  test("a clarification offers its choices, and a choice answers", async () => {
    const { message, response } = await findQuestion(server, "clarify", AMBIGUOUS, { site: SITE });
    const { page, frame } = await openWidget();
    const clarify = await ask(frame, message);
    assert.equal(await clarify.getAttribute("data-outcome"), "clarify");
    const offered = await clarify.locator("button.msg__choice").evaluateAll((b) => b.map((x) => x.dataset.payload));
    assert.deepEqual(offered, response.reply.quick_replies.map((q) => q.payload));
    await clarify.getByRole("group", { name: "Choisissez une réponse" }).waitFor();
    await screenshot(page, "widget-clarify-desktop");
    await clarify.locator("button.msg__choice").first().click();
    const answer = await lastBot(frame, 1);
    assert.equal(await answer.getAttribute("data-outcome"), "answer");
    assert.equal(await answer.getAttribute("data-intent"), offered[0]);
    page.assertClean();
    await page.closeAll();
  });

  test("a question out of scope gets a plain « I don't know » and the human contact", async () => {
    const { message } = await findQuestion(server, "fallback", OUT_OF_SCOPE, { site: SITE });
    const { page, frame } = await openWidget(PHONE);
    const fallback = await ask(frame, message);
    assert.equal(await fallback.getAttribute("data-outcome"), "fallback");
    const contact = fallback.locator(".acc-contact");
    await contact.waitFor();
    assert.match(await contact.textContent(), /Préfecture de la Guyane/);
    const phone = contact.locator('a[href^="tel:"]');
    assert.equal(await phone.count(), 1, "the phone number is a link to call");
    assert.ok((await fallback.locator("button.msg__choice").count()) >= 2, "main topics are offered");
    await screenshot(page, "widget-fallback-phone");
    page.assertClean();
    await page.closeAll();
  });

  test("a guided journey offered by an answer is walked with picture buttons", async () => {
    const { page, frame } = await openWidget();
    const answer = await ask(frame, ANSWERED);
    const journey = answer.locator('button.msg__choice[data-payload^="parcours."]').first();
    assert.equal(await journey.count(), 1, "the answer offers a guided journey");
    await journey.click();
    let turn = await lastBot(frame, 1);
    let taps = 1;
    // Walk the first choice until an answer.
    while ((await turn.getAttribute("data-outcome")) !== "answer") {
      const choices = turn.locator('button.msg__choice[data-payload*="#"]');
      assert.ok((await choices.count()) >= 2, "a journey question has choices");
      assert.ok((await turn.locator("button.msg__choice img").count()) >= 2, "choices carry pictograms");
      if (taps === 1) await screenshot(page, "widget-journey-desktop");
      await choices.first().click();
      taps += 1;
      turn = await lastBot(frame, taps);
      assert.ok(taps <= 6, "a journey ends in a few taps");
    }
    assert.ok(await turn.getAttribute("data-intent"));
    assert.deepEqual(await imagesLoaded(frame), []);
    page.assertClean();
    await page.closeAll();
  });

  test("a service notice shows above the answer", async () => {
    const ends = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const response = await fetch(`${server.url}/api/v1/admin/notices`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ id: "guichet-e2e", site: SITE, ends_at: ends, text: "Le guichet est fermé cet après-midi.", intents: ["sejour.renouvellement"] }),
    });
    assert.ok(response.ok, `notice posted: ${response.status} ${await response.text()}`);
    const { page, frame } = await openWidget();
    const answer = await ask(frame, ANSWERED);
    const notice = answer.locator(".acc-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /Le guichet est fermé cet après-midi/);
    // Above the answer's title.
    const order = await answer.evaluate((node) => {
      const n = node.querySelector(".acc-notice");
      const h = node.querySelector("h2");
      return Boolean(n.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, "the notice comes before the title");
    await screenshot(page, "widget-notice-desktop");
    await fetch(`${server.url}/api/v1/admin/notices/guichet-e2e`, { method: "DELETE", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    page.assertClean();
    await page.closeAll();
  });

  test("keyboard only: open, ask, choose, close, focus back on the button", async () => {
    const page = await openPage(browser, server, { viewport: DESKTOP });
    await page.goto(`${server.url}/widget/`);
    // Tab through the page until the widget's button has the focus.
    let found = false;
    for (let k = 0; k < 40 && !found; k += 1) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => {
        const host = document.getElementById("accueil-widget");
        return document.activeElement === host && host.shadowRoot.activeElement?.classList.contains("launcher");
      });
    }
    assert.ok(found, "the button is reached with Tab");
    await page.keyboard.press("Enter");
    const frame = await (await page.waitForSelector("#accueil-widget >> iframe")).contentFrame();
    await frame.waitForFunction(() => document.activeElement?.id === "question");
    await page.keyboard.type(ANSWERED);
    await page.keyboard.press("Enter");
    await frame.locator(".msg--bot[data-outcome]").first().waitFor();
    // Back from the field into the answer: the last control is a button.
    await page.keyboard.press("Shift+Tab");
    const focused = await frame.evaluate(() => document.activeElement?.tagName);
    assert.equal(focused, "BUTTON");
    // The live region announces new messages.
    assert.equal(await frame.locator("#log").getAttribute("role"), "log");
    assert.equal(await frame.locator("#log").getAttribute("aria-live"), "polite");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => {
      const host = document.getElementById("accueil-widget");
      return host.shadowRoot.querySelector(".panel").hidden && host.shadowRoot.activeElement?.classList.contains("launcher");
    });
    assert.equal(await page.evaluate(() => document.getElementById("accueil-widget").shadowRoot.querySelector(".launcher").getAttribute("aria-expanded")), "false");
    page.assertClean();
    await page.closeAll();
  });

  test("works at 320 px wide: the panel takes the screen, nothing scrolls sideways", async () => {
    const { page, frame } = await openWidget(NARROW);
    await ask(frame, ANSWERED);
    const box = await (await page.$("#accueil-widget >> iframe")).boundingBox();
    assert.equal(Math.round(box.width), NARROW.width);
    const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow}px)`);
    assert.ok(await frame.getByRole("button", { name: "Fermer l'assistant" }).isVisible(), "a way out on a full-screen panel");
    await screenshot(page, "widget-answer-320px");
    page.assertClean();
    await page.closeAll();
  });

  test("works at 200 % zoom (a 1280×800 screen is 640×400 CSS pixels)", async () => {
    const { page, frame } = await openWidget({ width: 640, height: 400 }, { deviceScaleFactor: 2 });
    const answer = await ask(frame, ANSWERED);
    assert.equal(await answer.getAttribute("data-outcome"), "answer");
    const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow}px)`);
    assert.ok(await frame.getByLabel(/Votre question/).isVisible());
    await screenshot(page, "widget-answer-zoom200");
    page.assertClean();
    await page.closeAll();
  });

  test("the conversation follows the person to the next page of the site", async () => {
    const { page, frame } = await openWidget();
    await ask(frame, ANSWERED);
    await page.reload();
    const handle = await page.waitForSelector("#accueil-widget >> iframe");
    const again = await handle.contentFrame();
    await again.locator(".msg--bot[data-outcome='answer']").first().waitFor();
    assert.equal(await again.locator(".msg--user").count(), 1);
    // « Recommencer » forgets it.
    await again.getByRole("button", { name: "Recommencer la conversation" }).click();
    assert.equal(await again.locator(".msg--user").count(), 0);
    page.assertClean();
    await page.closeAll();
  });

  test("the chat API the widget relies on answers this content", async () => {
    // A guard with a clear message if the shipped content changes so much
    // that the questions above no longer mean what they test.
    const r = await chatApi(server, { message: ANSWERED, channel: "web", site: SITE });
    assert.equal(r.intent, "sejour.renouvellement");
    assert.ok(r.reply.steps.length >= 2);
  });
});
