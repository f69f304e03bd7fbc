// Builds web/vendor/dsfr/ from an unpacked @gouvfr/dsfr package: called by
// update-dsfr.sh (which downloads and checks the package), not by hand.
//
// Why a bundle: the full dsfr.min.css is 700 KB and pulls hundreds of icon
// files; the pages need the core and a couple of dozen components. One
// file keeps them to one request, and its url() references are rewritten
// to sit next to it, so the server can serve the folder as is.
//
// Usage: node update-dsfr.mjs PACKAGE_DIR OUT_DIR VERSION INTEGRITY

import fs from "node:fs";
import path from "node:path";

const [pkg, out, version, integrity] = process.argv.slice(2);
if (!pkg || !out || !version) {
  console.error("usage: node update-dsfr.mjs PACKAGE_DIR OUT_DIR VERSION INTEGRITY");
  process.exit(2);
}
const dist = path.join(pkg, "dist");

// The DSFR components the widget, kiosk, console and printable page use.
const COMPONENTS = [
  "alert", "badge", "button", "callout", "card", "checkbox", "content",
  "footer", "form", "header", "highlight", "input", "link", "logo", "modal",
  "notice", "radio", "search", "segmented", "select", "skiplink", "stepper",
  "tab", "table", "tag", "tile",
];

// Icon classes (`fr-icon-<name>`) the pages use, beyond those the
// components reference themselves.
const ICONS = [
  "arrow-go-back-line", "arrow-left-line", "arrow-right-line", "information-line", "links-line",
  "bar-chart-box-line", "chat-3-line", "checkbox-circle-line", "close-line",
  "download-line", "edit-line", "external-link-line", "file-text-line",
  "filter-line", "home-4-line", "lock-line", "logout-box-r-line",
  "map-pin-2-line", "phone-line", "printer-line", "qr-code-line",
  "question-answer-line", "questionnaire-line", "refresh-line",
  "search-line", "send-plane-fill", "stop-circle-line", "thumb-down-line",
  "thumb-up-line", "time-line", "user-line", "volume-up-line",
];

const read = (p) => fs.readFileSync(p, "utf8");
const banner = /\/\*![\s\S]*?\*\//g;

function component(name, kind) {
  const file = path.join(dist, "component", name, `${name}.${kind}.min.css`);
  if (!fs.existsSync(file)) {
    if (kind === "print") return "";
    throw new Error(`component ${name}: no ${file}`);
  }
  return read(file).replace(banner, "");
}

// Rules of the utility icon classes, taken from the per-category files.
function iconRules() {
  const dir = path.join(dist, "utility", "icons");
  const css = fs
    .readdirSync(dir)
    .filter((d) => d.startsWith("icons-"))
    .map((d) => read(path.join(dir, d, `${d}.main.min.css`)))
    .join("");
  return ICONS.map((name) => {
    const esc = name.replace(/[-]/g, "\\-");
    const rule = new RegExp(`\\.fr-icon-${esc}:after,\\.fr-icon-${esc}:before\\{[^}]*\\}`);
    const m = css.match(rule);
    if (!m) throw new Error(`icon fr-icon-${name} not found in ${dir}`);
    return m[0];
  }).join("");
}

// Point every url() at a path relative to OUT_DIR; drop the woff
// fallbacks (every browser that runs the pages reads woff2).
function rebase(css) {
  return css
    .replace(/,url\((\.\.\/)+fonts\/[^)]+\.woff\) format\("woff"\)/g, "")
    .replace(/url\((\.\.\/)+(fonts|icons)\//g, "url($2/");
}

const header =
  `/*! DSFR v${version} (@gouvfr/dsfr), Etalab-2.0, restricted use: see LICENSE.md.\n` +
  ` * Subset for accueil, built by web/update-dsfr.sh: core + ${COMPONENTS.join(", ")}\n` +
  ` * + icons ${ICONS.join(", ")}. */\n`;
const main = rebase(
  read(path.join(dist, "core", "core.main.min.css")).replace(banner, "") +
    COMPONENTS.map((c) => component(c, "main")).join("") +
    iconRules(),
);
const print = rebase(
  read(path.join(dist, "core", "core.print.min.css")).replace(banner, "") +
    COMPONENTS.map((c) => component(c, "print")).join(""),
);

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "dsfr-accueil.min.css"), header + main + "\n");
fs.writeFileSync(path.join(out, "dsfr-accueil.print.min.css"), header + print + "\n");

function copy(rel) {
  const from = path.join(dist, rel);
  if (!fs.existsSync(from)) throw new Error(`referenced file missing from the package: ${rel}`);
  const to = path.join(out, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// Every file the bundles reference.
const refs = new Set();
for (const css of [main, print]) {
  for (const m of css.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
    if (!m[1].startsWith("data:")) refs.add(m[1]);
  }
}
for (const rel of [...refs].sort()) copy(rel);

// Every pictogram: the content's registry (intents/pictos.toml) may name
// any of them, and a pictogram must never be a broken image.
const pictos = path.join(dist, "artwork", "pictograms");
let pictoCount = 0;
for (const category of fs.readdirSync(pictos).sort()) {
  for (const file of fs.readdirSync(path.join(pictos, category)).sort()) {
    if (file.endsWith(".svg")) {
      copy(path.join("artwork", "pictograms", category, file));
      pictoCount += 1;
    }
  }
}

for (const f of ["favicon.svg", "favicon.ico", "apple-touch-icon.png"]) copy(path.join("favicon", f));
fs.copyFileSync(path.join(pkg, "LICENSE.md"), path.join(out, "LICENSE.md"));
fs.writeFileSync(
  path.join(out, "VERSION"),
  `@gouvfr/dsfr ${version}\n${integrity || ""}\n`,
);

const kb = (s) => `${Math.round(Buffer.byteLength(s) / 1024)} KB`;
console.log(
  `vendored DSFR ${version} into ${out}: dsfr-accueil.min.css ${kb(main)}, ` +
    `print ${kb(print)}, ${refs.size} referenced files, ${pictoCount} pictograms`,
);
