#!/usr/bin/env bash
# Browser tests of the widget, the kiosk and the console (e2e/tests/).
#
# Installs what they need when it is missing — Debian's chromium (apt) and
# the npm packages pinned in e2e/package-lock.json (`npm ci`) —, builds the
# release binary, and runs the tests with Node's test runner. Each test file
# starts its own `accueil serve` on 127.0.0.1 (a free port, a temporary data
# folder, test tokens) and a headless Chromium with a fresh profile; no
# browser is downloaded and no page may reach another host. Screenshots go
# to tests/screenshots/ (those of faces.test.mjs are committed).
#
# Needs: root or sudo and the Debian archive to install chromium, nodejs
# and npm when missing (apt-get), Node.js 20 or later (as e2e/package.json
# says), and the npm registry (or its cache) for `npm ci`.
#
# Usage: e2e/run.sh [test file...]     e.g. e2e/run.sh e2e/tests/kiosk.test.mjs
# Environment: CHROMIUM (default /usr/bin/chromium), ACCUEIL_BIN (default
# target/release/accueil, built here unless set), E2E_SKIP_INSTALL=1 to
# install nothing, ACCUEIL_WEB_DIR=DIR to serve the pages from DIR (the
# repository's web/) without rebuilding.
set -euo pipefail
caller="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")"
root="$(cd .. && pwd)"

# Paths given by the caller are relative to where they called from.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$caller/$1" ;;
  esac
}

chromium="${CHROMIUM:-/usr/bin/chromium}"

# shellcheck source=scripts/apt-lib.sh
source "$root/scripts/apt-lib.sh"

if [[ "${E2E_SKIP_INSTALL:-}" != 1 ]]; then
  if [[ ! -x "$chromium" ]]; then
    echo "== installing chromium (Debian package)"
    apt_install e2e chromium
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "== installing nodejs and npm (Debian packages)"
    apt_install e2e nodejs npm
  fi
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if (( node_major < 20 )); then
    echo "e2e: Node.js 20 or later is needed (playwright-core); found $(node --version)" >&2
    exit 1
  fi
  echo "== npm ci (e2e/package-lock.json)"
  # playwright-core never downloads a browser; the variable makes sure.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

if [[ -z "${ACCUEIL_BIN:-}" ]]; then
  echo "== cargo build --release"
  (cd "$root" && cargo build --release --quiet)
else
  ACCUEIL_BIN="$(absolute "$ACCUEIL_BIN")"
  export ACCUEIL_BIN
fi

echo "== browser tests ($("$chromium" --version 2>/dev/null | head -1))"
if (( $# > 0 )); then
  files=()
  for f in "$@"; do files+=("$(absolute "$f")"); done
else
  files=(tests/*.test.mjs)
fi
export CHROMIUM="$chromium"
node --test --test-concurrency=1 "${files[@]}"
echo "screenshots: $root/tests/screenshots/"
