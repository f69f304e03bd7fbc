// Accessibility: axe-core on every page and state a person meets (WCAG 2.x
// A and AA rules and axe's best practices); no serious or critical
// violation is allowed. Each state is also screenshotted at phone and
// desktop sizes.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AGENT_TOKEN,
  DESKTOP,
  PHONE,
  axeViolations,
  chatApi,
  findQuestion,
  formatViolations,
  launchBrowser,
  openPage,
  screenshot,
  startServer, tapTopic } from "../support.mjs";

const SITE = "prefecture-guyane";
const SIZES = [
  ["desktop", DESKTOP],
  ["phone", PHONE],
];

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // Something in the agents' inbox.
  await findQuestion(server, "fallback", ["quelle est la recette de la tarte aux pommes", "comment réparer mon vélo"], { site: SITE });
  await chatApi(server, { message: "comment renouveler mon titre de séjour", channel: "web", site: SITE });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function check(target, label) {
  const violations = await axeViolations(target);
  assert.equal(violations.length, 0, `${label}:\n${formatViolations(violations)}`);
}

describe("accessibility (axe-core: no serious or critical violation)", () => {
  for (const [size, viewport] of SIZES) {
    test(`home page and widget, ${size}`, async () => {
      const page = await openPage(browser, server, { viewport });
      await page.goto(`${server.url}/`);
      await check(page, "/");
      await screenshot(page, `home-${size}`);

      await page.goto(`${server.url}/widget/`);
      await check(page, "/widget/ (closed)");
      await page.getByRole("button", { name: "Une question ?" }).click();
      const frame = await (await page.waitForSelector("#accueil-widget >> iframe")).contentFrame();
      await frame.waitForFunction(() => document.activeElement?.id === "question");
      await check(frame, "widget panel (welcome)");
      for (const q of ["comment renouveler mon titre de séjour", "quelle est la recette de la tarte aux pommes"]) {
        const n = await frame.locator(".msg--bot[data-outcome]").count();
        await frame.getByLabel(/Votre question/).fill(q);
        await frame.getByLabel(/Votre question/).press("Enter");
        await frame.locator(".msg--bot[data-outcome]").nth(n).waitFor();
      }
      // An empty question shows the field's error state.
      await frame.getByRole("button", { name: "Envoyer la question" }).click();
      await frame.locator("#question-error").waitFor();
      await check(frame, "widget panel (answer, fallback, error)");
      await check(page, "/widget/ (open)");
      await screenshot(page, `widget-open-${size}`);
      page.assertClean();
      await page.closeAll();
    });

    test(`kiosk, ${size}`, async () => {
      const page = await openPage(browser, server, { viewport, hasTouch: true });
      await page.goto(`${server.url}/kiosk/?site=${SITE}`);
      await page.getByRole("heading", { name: "Bonjour. Que voulez-vous faire ?" }).waitFor();
      await check(page, "kiosk start");
      await page.getByRole("button", { name: /Titres de séjour/ }).tap();
      await check(page, "kiosk domain");
      await screenshot(page, `kiosk-domain-${size}`);
      await tapTopic(page, "Renouveler son titre de séjour");
      await page.getByText(/^Étape 1 sur/).waitFor();
      await check(page, "kiosk answer");
      await page.getByRole("button", { name: "Emporter" }).tap();
      await page.locator(".kiosk__qr-image").waitFor();
      await check(page, "kiosk QR dialog");
      await page.getByRole("button", { name: "Fermer" }).tap();
      await page.getByRole("button", { name: "Écrire ma question" }).first().tap();
      await check(page, "kiosk writing dialog");
      await page.getByRole("button", { name: "Annuler" }).tap();
      await page.getByRole("button", { name: "Accueil" }).tap();
      await page.locator(".kiosk__tile--journey").first().tap();
      await page.locator(".kiosk__screen--journey").waitFor();
      await check(page, "kiosk journey");
      page.assertClean();
      await page.closeAll();
    });

    test(`console, ${size}`, async () => {
      const page = await openPage(browser, server, { viewport });
      await page.goto(`${server.url}/console/`);
      await check(page, "console sign-in");
      await screenshot(page, `console-sign-in-${size}`);
      await page.getByLabel(/^Jeton/).fill("wrong-token-0000000000000");
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.locator("#token-error").waitFor();
      await check(page, "console sign-in refused");
      await page.getByLabel(/^Jeton/).fill(AGENT_TOKEN);
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.locator(".console__question").first().waitFor();
      await check(page, "console inbox");
      await page.locator(".console__attach").first().click();
      await page.getByLabel(/Chercher une réponse/).fill("titre");
      await check(page, "console attach dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("tab", { name: "Groupes" }).click();
      await page.locator("#clusters-total").filter({ hasText: /\S/ }).waitFor();
      await check(page, "console clusters");
      await page.getByRole("tab", { name: "Statistiques" }).click();
      await page.locator(".console__chart").waitFor();
      await page.getByText("Voir les chiffres jour par jour").click();
      await check(page, "console statistics");
      await page.getByRole("tab", { name: "Exports" }).click();
      await check(page, "console exports");
      page.assertClean();
      await page.closeAll();
    });

    test(`printable sheet and its error page, ${size}`, async () => {
      const page = await openPage(browser, server, { viewport });
      await page.goto(`${server.url}/fiche/sejour.renouvellement?site=${SITE}`);
      await check(page, "fiche");
      const response = await page.goto(`${server.url}/fiche/sejour.inconnu`);
      assert.equal(response.status(), 404);
      await page.getByRole("heading", { name: "Fiche introuvable" }).waitFor();
      await check(page, "fiche not found");
      await screenshot(page, `fiche-not-found-${size}`);
      await page.closeAll();
    });
  }
});
