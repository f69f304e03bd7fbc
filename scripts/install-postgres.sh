#!/usr/bin/env bash
# Debian's PostgreSQL server programs, for the store tests (they start their
# own cluster in a temporary folder; nothing here starts a server). Does
# nothing when initdb is already there. Needs root or sudo, and Debian's
# package registry.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-postgres: need root or sudo to apt-get install postgresql" >&2
    exit 1
  fi
}
echo "install-postgres: apt-get install postgresql"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# policy-rc.d-free containers may fail to start the package's own cluster;
# the tests do not use it.
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || exit 1
}
