#!/usr/bin/env bash
# Chat throughput on each store, in one run on 127.0.0.1: the embedded sled
# store (one instance), PostgreSQL with one instance, and PostgreSQL with
# two instances on one database (one wrk per instance, at the same time;
# their rates add up). Prints req/s and p99 of each.
#
# PostgreSQL is a cluster of its own in a temporary folder (Debian's
# `postgresql` package: scripts/install-postgres.sh), fsync on as in
# production. wrk from Debian's package.
#
# Usage: scripts/bench-stores.sh
# Environment (defaults): BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32, split between the instances), BENCH_QUESTIONS
# (tests/data/dev.tsv), ACCUEIL_LEXICAL_ONLY (unset: the semantic layer is
# on when the model files are there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
QUESTIONS=${BENCH_QUESTIONS:-tests/data/dev.tsv}

command -v wrk >/dev/null 2>&1 || { echo "bench-stores: wrk is missing: apt-get install wrk" >&2; exit 2; }
bash scripts/install-postgres.sh
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

echo "== building the release binary"
cargo build --release --quiet
BIN=$PWD/target/release/accueil

WORK=$(mktemp -d "${TMPDIR:-/tmp}/accueil-stores.XXXXXX")
chmod 755 "$WORK"
PIDS=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK/pg -c max_connections=200" start >/dev/null
URL_BASE="postgres://postgres@127.0.0.1:$PORT"

start() { # name, store spec → sets ADDR (runs in this shell: PIDS must see it)
  env -u ACCUEIL_TOKENS -u ACCUEIL_ADDR -u ACCUEIL_DATA -u ACCUEIL_STORE \
    ACCUEIL_LOG="info,accueil::access=off" \
    "$BIN" --content . serve --addr 127.0.0.1:0 --data "$WORK/$1-data" --store "$2" \
    --rate-limit 0 >/dev/null 2>"$WORK/$1.log" &
  PIDS+=($!)
  local addr=""
  for _ in $(seq 1 600); do
    addr=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$WORK/$1.log" | head -n 1)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "bench-stores: $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1; }
  ADDR=$addr
}
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${PIDS[@]}" 2>/dev/null || true
  PIDS=()
}

write_chat_lua "$QUESTIONS" "$WORK/chat.lua"
write_report_lua "$WORK/report.lua"
cat "$WORK/report.lua" >>"$WORK/chat.lua"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
wrk_chat() { # addr, connections, out
  wrk -t"$THREADS" -c"$2" -d"$DURATION" --timeout 5s -s "$WORK/chat.lua" "http://$1/api/v1/chat" >"$3"
  grep '^RESULT' "$3"
}

declare -A RPS P99
start sled "sled:$WORK/sled"; A=$ADDR
R=$(wrk_chat "$A" "$CONNECTIONS" "$WORK/sled.out")
RPS[sled]=$(field "$R" rps); P99[sled]=$(field "$R" p99_ms)
stop_all

as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres one
start pg1 "$URL_BASE/one"; A=$ADDR
R=$(wrk_chat "$A" "$CONNECTIONS" "$WORK/pg1.out")
RPS[pg1]=$(field "$R" rps); P99[pg1]=$(field "$R" p99_ms)
stop_all

as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres two
start pg2a "$URL_BASE/two"; A=$ADDR
start pg2b "$URL_BASE/two"; B=$ADDR
HALF=$((CONNECTIONS / 2))
wrk_chat "$A" "$HALF" "$WORK/pg2a.out" >/dev/null &
WA=$!
wrk_chat "$B" "$HALF" "$WORK/pg2b.out" >/dev/null &
WB=$!
wait "$WA" "$WB"
RA=$(grep '^RESULT' "$WORK/pg2a.out"); RB=$(grep '^RESULT' "$WORK/pg2b.out")
RPS[pg2]=$(( $(field "$RA" rps) + $(field "$RB" rps) ))
P99[pg2]=$(awk -v a="$(field "$RA" p99_ms)" -v b="$(field "$RB" p99_ms)" 'BEGIN { print (a > b) ? a : b }')
stop_all

for f in "$WORK"/*.out; do
  grep '^RESULT' "$f" | grep -q 'errors=0' || { echo "bench-stores: errors in $f:" >&2; cat "$f" >&2; exit 1; }
done

echo
echo "== chat (POST /api/v1/chat) on each store ($(nproc) cores, $THREADS wrk threads, $CONNECTIONS connections, $DURATION each)"
printf '%-36s %10s %10s\n' "" "req/s" "p99 ms"
printf '%-36s %10s %10s\n' "sled, one instance" "${RPS[sled]}" "${P99[sled]}"
printf '%-36s %10s %10s\n' "PostgreSQL, one instance" "${RPS[pg1]}" "${P99[pg1]}"
printf '%-36s %10s %10s\n' "PostgreSQL, two instances (sum)" "${RPS[pg2]}" "${P99[pg2]}"
