// Shared by the browser tests: a real `accueil serve` on 127.0.0.1 with a
// temporary data directory and tokens, Debian's Chromium driven by
// playwright-core, a guard that fails the test on any request to another
// host or any broken file, screenshots, and axe-core.

import net from "node:net";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "..");
export const SCREENSHOTS = path.join(ROOT, "tests", "screenshots");

export const AGENT_TOKEN = "agent-e2e-secret-0123456789";
export const ADMIN_TOKEN = "admin-e2e-secret-0123456789";

export const PHONE = { width: 360, height: 740 };
export const NARROW = { width: 320, height: 640 };
export const DESKTOP = { width: 1280, height: 800 };

/** A port free on 127.0.0.1 now (the server binds it right after). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Start `accueil serve` on a free port (on `content`, the shipped content
 * by default); resolves once it logs its address.
 * Its public URL is its own address (QR codes are only made from a public
 * URL), and the per-client rate limit is off: every page of the suite
 * comes from 127.0.0.1.
 */
export async function startServer({ env = {}, args = [], content } = {}) {
  const port = await freePort();
  const bin = process.env.ACCUEIL_BIN || path.join(ROOT, "target", "release", "accueil");
  if (!fs.existsSync(bin)) {
    throw new Error(`${bin} is missing: build it with \`cargo build --release\` (e2e/run.sh does)`);
  }
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "accueil-e2e-"));
  const child = spawn(
    bin,
    [
      "--content", content || process.env.ACCUEIL_CONTENT || ROOT, "serve",
      "--addr", `127.0.0.1:${port}`, "--public-url", `http://127.0.0.1:${port}`,
      "--rate-limit", "0", "--data", data, ...args,
    ],
    {
      env: {
        PATH: process.env.PATH,
        ACCUEIL_TOKENS: `agent-e2e:agent:${AGENT_TOKEN},admin-e2e:admin:${ADMIN_TOKEN}`,
        ACCUEIL_LOG: "info,accueil::access=warn",
        // While editing the pages: serve them from the folder, no rebuild.
        ...(process.env.ACCUEIL_WEB_DIR ? { ACCUEIL_WEB_DIR: process.env.ACCUEIL_WEB_DIR } : {}),
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${log}`)), 30_000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners("exit");
  return {
    url,
    data,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with a fresh profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page whose every request must go to `server`: any other host is
 * blocked and reported, and so is any failed or 4xx/5xx subresource.
 * `page.problems()` lists them; `page.assertClean()` fails on any.
 */
export async function openPage(browser, server, { viewport = DESKTOP, ...options } = {}) {
  const context = await browser.newContext({ viewport, locale: "fr-FR", ...options });
  const problems = [];
  const origin = new URL(server.url).origin;
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:") || url.startsWith(origin)) return route.continue();
    problems.push(`request to another host: ${url}`);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("response", (response) => {
    const status = response.status();
    const url = response.url();
    // API refusals are part of some tests; files must never fail.
    if (status >= 400 && !url.includes("/api/v1/")) problems.push(`${status} for ${url}`);
  });
  page.on("requestfailed", (request) => {
    const failure = request.failure();
    // Cancelled by a navigation or by the page itself (a new question
    // aborts the one in flight): not a broken file.
    if (failure && failure.errorText.includes("ERR_ABORTED")) return;
    problems.push(`request failed: ${request.url()} (${failure && failure.errorText})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  page.problems = () => problems.slice();
  page.assertClean = () => {
    if (problems.length) throw new Error(`problems on the page:\n${problems.join("\n")}`);
  };
  page.closeAll = () => context.close();
  return page;
}

/** Write a screenshot under tests/screenshots/ (git-ignored). */
export async function screenshot(target, name, { fullPage = false } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await target.screenshot({ path: file, fullPage });
  return file;
}

/** Images that did not load (or not yet) in a page or frame. */
export async function brokenImages(frame) {
  return frame.$$eval("img", (imgs) =>
    imgs.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.getAttribute("src")),
  );
}

/** Wait until every image of `frame` has loaded; returns the broken ones. */
export async function imagesLoaded(frame, timeout = 5000) {
  await frame
    .waitForFunction(() => Array.from(document.images).every((img) => img.complete), null, { timeout })
    .catch(() => {});
  return brokenImages(frame);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Run axe-core in a page or frame; returns the serious and critical
 *  violations (WCAG 2.x A and AA rules, plus best practices). */
export async function axeViolations(frame, { exclude = [] } = {}) {
  // Evaluated through the DevTools protocol: the pages' CSP (script-src
  // 'self') does not apply, and the pages stay as served.
  await frame.evaluate(AXE_SOURCE);
  const results = await frame.evaluate(async (exclude) => {
    const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document;
    return window.axe.run(context, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    });
  }, exclude);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
}

/** Fail with a readable list of violations. */
export function formatViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.join("\n  ")}`).join("\n");
}

/** POST /api/v1/chat from the test (not the browser). */
export async function chatApi(server, body) {
  const response = await fetch(`${server.url}/api/v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`chat ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The first question of `candidates` that the server answers with
 *  `outcome` (the shipped content evolves; the tests must not guess). */
export async function findQuestion(server, outcome, candidates, extra = {}) {
  for (const message of candidates) {
    const r = await chatApi(server, { message, channel: "web", ...extra });
    if (r.outcome === outcome) return { message, response: r };
  }
  throw new Error(`none of ${JSON.stringify(candidates)} gives \`${outcome}\` on this content`);
}

/** On the kiosk, tap a question of a domain's list, turning its pages (8
 *  tiles at most each) until it shows. */
export async function tapTopic(page, title) {
  const tile = page.getByRole("button", { name: title, exact: true });
  await page.locator(".kiosk__tile").first().waitFor();
  for (let i = 0; i < 8 && !(await tile.count()); i += 1) {
    const next = page.locator(".kiosk__pager-next");
    if (!(await next.count()) || (await next.isDisabled())) break;
    await next.tap();
    await page.locator(".kiosk__pager-state").waitFor();
  }
  await tile.tap();
}

/** Record what a page reads aloud in `window.__spoken` ({text, lang}
 * each): headless Chromium has no voice. Call before the page loads. */
export async function recordSpeech(page) {
  await page.addInitScript(() => {
    window.__spoken = [];
    if (window.speechSynthesis) {
      window.speechSynthesis.speak = (u) => {
        window.__spoken.push({ text: u.text, lang: u.lang });
        setTimeout(() => u.onend && u.onend(new Event("end")), 50);
      };
    }
  });
}
