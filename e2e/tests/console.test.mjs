// The agents' console (/console/): a wrong token is refused; an agent signs
// in, sees the question that just fell back in the widget, attaches it to
// an intent, and the same question asked again in the widget is answered.
// Clusters, statistics with their SVG chart, and the exports (admin only).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import {
  ADMIN_TOKEN,
  AGENT_TOKEN,
  DESKTOP,
  PHONE,
  chatApi,
  findQuestion,
  launchBrowser,
  openPage,
  screenshot,
  startServer,
} from "../support.mjs";

const SITE = "prefecture-guyane";
// Questions about a real procedure, worded so the matcher does not know
// them: the first that falls back is the one taught through the console.
const UNKNOWN = [
  "le papier gris de mon auto je le refais où",
  "ma guimbarde a changé de proprio, quelle paperasse",
  "le bout de carton rose du tacot est perdu",
  "papiers de la voiture achetée à un particulier",
  "formalités pour ma bagnole d'occasion immatriculation",
];
const TARGET = { intent: "fs.ants_carte_grise", search: "carte grise" };

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

async function signIn(page, token) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel(/^Jeton/).fill(token);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/** Ask in the widget's panel (opened on its own page). */
async function askInWidget(page, text) {
  await page.goto(`${server.url}/widget/frame.html?site=${SITE}`);
  const input = page.getByLabel(/Votre question/);
  // The panel shows the conversation so far: wait for one more reply.
  await page.locator("#log .msg").first().waitFor();
  const before = await page.locator(".msg--bot[data-outcome]").count();
  await input.fill(text);
  await input.press("Enter");
  const bot = page.locator(".msg--bot[data-outcome]").nth(before);
  await bot.waitFor();
  return bot;
}

describe("console", () => {
  test("a wrong token is refused", async () => {
    const page = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(page, "not-a-token-of-this-server-0000");
    await page.getByText("Ce jeton est refusé. Vérifiez-le.").waitFor();
    assert.equal(await page.locator("#app").isVisible(), false);
    assert.equal(await page.getByLabel(/^Jeton/).getAttribute("aria-invalid"), "true");
    await screenshot(page, "console-refused-desktop");
    page.assertClean();
    await page.closeAll();
  });

  test("a fallback in the widget reaches the console; attached, it is answered at once", async () => {
    const { message } = await findQuestion(server, "fallback", UNKNOWN, { site: SITE });

    // A person asks in the widget and gets « I don't know ».
    const person = await openPage(browser, server, { viewport: PHONE });
    const first = await askInWidget(person, message);
    assert.equal(await first.getAttribute("data-outcome"), "fallback");

    // An agent signs in and finds it among the new questions.
    const agent = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(agent, AGENT_TOKEN);
    const card = agent.locator(".console__question").filter({ hasText: message });
    await card.waitFor();
    assert.equal(await card.getAttribute("data-status"), "new");
    assert.match(await card.textContent(), /sans réponse/);
    assert.match(await agent.locator('[data-status="new"] .console__count-n').textContent(), /^[1-9]\d*$/);
    await screenshot(agent, "console-inbox-desktop", { fullPage: true });

    // Attach it through the searchable list of intents.
    await card.getByRole("button", { name: "Rattacher à…" }).click();
    const search = agent.getByLabel(/Chercher une réponse/);
    await search.fill(TARGET.search);
    const option = agent.locator(`#attach-list button[data-intent="${TARGET.intent}"]`);
    await option.waitFor();
    await screenshot(agent, "console-attach-desktop");
    await option.click();
    await agent.getByText(/Question rattachée à/).waitFor();
    const attached = agent.locator(".console__question").filter({ hasText: message });
    assert.equal(await attached.getAttribute("data-status"), "attached");

    // The same question, asked again in the widget, is answered.
    const again = await askInWidget(person, message);
    assert.equal(await again.getAttribute("data-outcome"), "answer");
    assert.equal(await again.getAttribute("data-intent"), TARGET.intent);

    person.assertClean();
    agent.assertClean();
    await person.closeAll();
    await agent.closeAll();
  });

  test("dismiss and to-write move a question to their own lists", async () => {
    const a = await findQuestion(server, "fallback", ["quel temps fera-t-il demain à Cayenne", "la météo de demain"], { site: SITE });
    const b = await findQuestion(server, "fallback", ["je veux ouvrir une boulangerie artisanale", "ouvrir un salon de coiffure"], { site: SITE });
    const page = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(page, AGENT_TOKEN);
    await page.locator(".console__question").filter({ hasText: a.message }).getByRole("button", { name: /Écarter/ }).click();
    await page.getByText(/Question écartée/).waitFor();
    await page.locator(".console__question").filter({ hasText: b.message }).getByRole("button", { name: "À rédiger" }).click();
    await page.getByText(/Question mise dans « À rédiger »/).waitFor();
    await page.locator('[data-status="to_write"]').first().click();
    await page.locator(".console__question").filter({ hasText: b.message }).waitFor();
    assert.equal(await page.locator(".console__question").filter({ hasText: a.message }).count(), 0);
    await page.locator('.console__count[data-status="dismissed"]').click();
    await page.locator(".console__question").filter({ hasText: a.message }).waitFor();
    page.assertClean();
    await page.closeAll();
  });

  test("clusters group similar questions", async () => {
    for (const m of ["comment adopter un chien au refuge", "adopter un chien du refuge", "adoption chien refuge"]) {
      await chatApi(server, { message: m, channel: "kiosk", site: SITE });
    }
    const page = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(page, AGENT_TOKEN);
    await page.getByRole("tab", { name: "Groupes" }).click();
    const cluster = page.locator(".console__cluster").filter({ hasText: "refuge" }).first();
    await cluster.waitFor();
    assert.ok((await cluster.locator(".console__examples li").count()) >= 2, "similar questions grouped");
    await screenshot(page, "console-clusters-desktop", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });

  test("statistics: figures, an SVG chart of volumes and match rate, a data table", async () => {
    await chatApi(server, { message: "comment renouveler mon titre de séjour", channel: "web", site: SITE });
    const page = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(page, AGENT_TOKEN);
    await page.getByRole("tab", { name: "Statistiques" }).click();
    const chart = page.getByRole("img", { name: /Questions par jour et taux de réponse/ });
    await chart.waitFor();
    assert.ok((await page.locator("svg.console__chart rect.console__bar").count()) >= 1, "bars drawn");
    assert.equal(await page.locator("svg.console__chart circle.console__rate-dot").count() >= 1, true, "match rate drawn");
    assert.match(await page.locator(".console__figures").textContent(), /Questions posées/);
    await page.getByText("Voir les chiffres jour par jour").click();
    assert.ok((await page.locator("details.console__details tbody tr").count()) >= 7);
    await screenshot(page, "console-stats-desktop", { fullPage: true });
    await page.setViewportSize(PHONE);
    await screenshot(page, "console-stats-phone", { fullPage: true });
    page.assertClean();
    await page.closeAll();
  });

  test("exports: refused to an agent, downloaded by an admin", async () => {
    const agent = await openPage(browser, server, { viewport: DESKTOP });
    await signIn(agent, AGENT_TOKEN);
    await agent.getByRole("tab", { name: "Exports" }).click();
    await agent.getByRole("button", { name: "Les questions (CSV)" }).click();
    await agent.getByText(/il faut un jeton administrateur/).waitFor();
    await agent.closeAll();

    const admin = await openPage(browser, server, { viewport: DESKTOP, acceptDownloads: true });
    await signIn(admin, ADMIN_TOKEN);
    await admin.getByRole("tab", { name: "Exports" }).click();
    const [csv] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("button", { name: "Les questions (CSV)" }).click()]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const csvText = fs.readFileSync(await csv.path(), "utf8");
    assert.match(csvText, /adopter un chien/);
    const [toml] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("button", { name: /reformulations/ }).click()]);
    const tomlText = fs.readFileSync(await toml.path(), "utf8");
    assert.match(tomlText, new RegExp(TARGET.intent.replace(".", "\\.")), "the attached paraphrase is exported under its intent");
    await screenshot(admin, "console-export-desktop");
    admin.assertClean();
    await admin.closeAll();
  });

  test("a tab chosen right after signing in stays chosen (regression: it went back to Questions)", async () => {
    const page = await openPage(browser, server, { viewport: DESKTOP });
    // A slow menu: the tabs used to show before it arrived, and its arrival
    // selected « Questions » again.
    await page.route("**/api/v1/topics*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    const menu = page.waitForResponse((r) => r.url().includes("/api/v1/topics"));
    await signIn(page, AGENT_TOKEN);
    await page.getByRole("tab", { name: "Exports" }).click();
    await menu;
    // Whatever the menu's arrival does, it has done it by then.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    await page.getByRole("button", { name: "Les questions (CSV)" }).waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole("tab", { name: "Exports" }).getAttribute("aria-selected"), "true");
    page.assertClean();
    await page.closeAll();
  });

  test("the token lives in the tab only and signing out forgets it", async () => {
    const page = await openPage(browser, server, { viewport: PHONE });
    await signIn(page, AGENT_TOKEN);
    await page.locator("#app").waitFor();
    assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
    await page.reload();
    await page.locator("#app").waitFor({ state: "visible" });
    await screenshot(page, "console-inbox-phone", { fullPage: true });
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.getByLabel(/^Jeton/).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("accueil.console.token")), null);
    page.assertClean();
    await page.closeAll();
  });
});
