#!/usr/bin/env bash
# Debian's PostgreSQL server programs, for the store tests (they start their
# own cluster in a temporary folder; nothing here starts a server). Does
# nothing when initdb is already there. Needs root or sudo, and Debian's
# package registry.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
# shellcheck source=scripts/apt-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-lib.sh"
echo "install-postgres: apt-get install postgresql"
# policy-rc.d-free containers may fail to start the package's own cluster;
# the tests do not use it.
apt_install install-postgres postgresql || {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || exit 1
}
