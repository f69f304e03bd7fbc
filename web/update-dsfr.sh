#!/usr/bin/env bash
# Refresh the vendored DSFR files (web/vendor/dsfr/) from the pinned npm
# package @gouvfr/dsfr. Only what the pages use is kept: a CSS bundle of the
# core and the components listed in update-dsfr.mjs, the icons it needs,
# the Marianne and Spectral fonts (woff2), every artwork pictogram (the
# content may reference any of them) and the licence.
#
# Usage: web/update-dsfr.sh            # the pinned version
#        DSFR_VERSION=1.16.0 DSFR_INTEGRITY=sha512-... web/update-dsfr.sh
# Needs node and npm; downloads one tarball from the npm registry, checks
# its integrity, and writes nothing outside web/vendor/dsfr/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The pinned package. To move to another version, set both (the integrity
# is `npm view @gouvfr/dsfr@X dist.integrity`), run, review the diff, and
# update the two defaults below.
DSFR_VERSION="${DSFR_VERSION:-1.15.3}"
DSFR_INTEGRITY="${DSFR_INTEGRITY:-sha512-R9AALZc1LfZjtytWZMOaUIOHWTkllBZ/sZlsL8TpKZVgF3qUKXt/uNYh+L1D1Fh4p92ZqWxbtNcebsigBZe5pQ==}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== npm pack @gouvfr/dsfr@$DSFR_VERSION"
(cd "$work" && npm pack --silent "@gouvfr/dsfr@$DSFR_VERSION" >/dev/null)
tarball="$(ls "$work"/gouvfr-dsfr-*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$DSFR_INTEGRITY" ]]; then
  echo "integrity mismatch for @gouvfr/dsfr@$DSFR_VERSION:" >&2
  echo "  expected $DSFR_INTEGRITY" >&2
  echo "  got      $actual" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"

node update-dsfr.mjs "$work/package" vendor/dsfr "$DSFR_VERSION" "$actual"
