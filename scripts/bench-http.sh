#!/usr/bin/env bash
# Load benchmark of the HTTP server, in one run on 127.0.0.1:
#   1. GET /healthz       the bare-handler ceiling (no work, no lock);
#   2. POST /api/v1/chat  one answered question, no session id: an answer
#      ("answer")         with nothing pending, the case of the goal below;
#   3. POST /api/v1/chat  realistic questions (tests/data/dev.tsv: typos, SMS
#      ("mix")            style, long messages, out-of-scope ones, whose
#                         recording is made durable before the reply), half in
#                         new sessions, half in sessions opened earlier in the
#                         run, one turn in five on the kiosk channel.
# Prints requests per second and p99 latency of each, their ratios to the
# bare handler (goal: an answer at least half its rate), and the server's
# resident memory before and after.
#
# The load generator is wrk (Debian package `wrk`): its Lua hooks vary the
# body of every request and reuse the session ids the server hands out.
#
# Usage: scripts/bench-http.sh
# Environment (defaults): BENCH_DURATION (10s) per endpoint, BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_LOG (info: the server's production log filter,
# one line per request, written to a file; `info,accueil::access=off` drops
# the request lines), ACCUEIL_CONTENT (.: the shipped content), BENCH_QUESTIONS
# (tests/data/dev.tsv). The server must log at info for accueil::http: the
# script reads the bound address from that line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOG_LEVEL=${BENCH_LOG:-info}
CONTENT=${ACCUEIL_CONTENT:-.}
QUESTIONS=${BENCH_QUESTIONS:-tests/data/dev.tsv}

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing wrk (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "bench-http: the load generator wrk is missing: apt-get install wrk" >&2
    exit 2
  fi
fi

echo "== building the release binary"
cargo build --release --quiet
BIN=./target/release/accueil

WORK=$(mktemp -d "${TMPDIR:-/tmp}/accueil-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The server's environment is ours alone: no tokens, no CORS, a fresh store.
env -u ACCUEIL_TOKENS -u ACCUEIL_CORS_ORIGINS -u ACCUEIL_ADDR -u ACCUEIL_DATA \
  ACCUEIL_LOG="$LOG_LEVEL" \
  "$BIN" --content "$CONTENT" serve --addr 127.0.0.1:0 --data "$WORK/data" --rate-limit 0 --metrics-open 2>"$WORK/server.log" &
SERVER_PID=$!

ADDR=""
for _ in $(seq 1 300); do
  ADDR=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$WORK/server.log" | head -n 1)
  [ -n "$ADDR" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "bench-http: the server did not start:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$ADDR" ]; then
  echo "bench-http: no 'listening on' line after 30 s" >&2
  exit 1
fi
URL="http://$ADDR"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
RSS_IDLE=$(rss_kib)

# The Lua scripts (scripts/bench-lib.sh): chat bodies from the questions,
# and the one-line report.
write_chat_lua "$QUESTIONS" "$WORK/chat.lua"
write_report_lua "$WORK/report.lua"
cat "$WORK/report.lua" >>"$WORK/chat.lua"

run() { # name, url, script
  echo "== $1: wrk -t$THREADS -c$CONNECTIONS -d$DURATION" >&2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$3" "$2" | tee "$WORK/$1.out" >&2
  grep '^RESULT' "$WORK/$1.out"
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# One chat request first: the questions are answered, not refused.
CHECK=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"message":"Comment renouveler mon titre de séjour ?","channel":"web"}' "$URL/api/v1/chat" || true)
if [ "$CHECK" != 200 ]; then
  echo "bench-http: a chat request got HTTP $CHECK" >&2
  exit 1
fi

# The answer: one question, the same body every time.
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  echo "wrk.body = [==[{\"message\":\"${BENCH_ANSWER:-Comment renouveler mon titre de séjour ?}\",\"channel\":\"web\"}]==]"
  cat "$WORK/report.lua"
} >"$WORK/answer.lua"

HEALTH=$(run healthz "$URL/healthz" "$WORK/report.lua")
ANSWER=$(run answer "$URL/api/v1/chat" "$WORK/answer.lua")
CHAT=$(run chat "$URL/api/v1/chat" "$WORK/chat.lua")
RSS_AFTER=$(rss_kib)
SESSIONS=$(curl -s "$URL/metrics" | sed -n 's/^accueil_sessions_alive //p')

for r in "$HEALTH" "$ANSWER" "$CHAT"; do
  if [ "$(field "$r" errors)" != 0 ]; then
    echo "bench-http: errors during the run: $r" >&2
    exit 1
  fi
done

H_RPS=$(field "$HEALTH" rps)
A_RPS=$(field "$ANSWER" rps)
C_RPS=$(field "$CHAT" rps)
echo
echo "== results ($(nproc) cores, server log level $LOG_LEVEL, content $CONTENT, $THREADS wrk threads, $CONNECTIONS connections, $DURATION each)"
printf '%-22s %12s %10s %10s\n' "" "req/s" "p50 ms" "p99 ms"
printf '%-22s %12s %10s %10s\n' "GET /healthz" "$H_RPS" "$(field "$HEALTH" p50_ms)" "$(field "$HEALTH" p99_ms)"
printf '%-22s %12s %10s %10s\n' "chat: one answer" "$A_RPS" "$(field "$ANSWER" p50_ms)" "$(field "$ANSWER" p99_ms)"
printf '%-22s %12s %10s %10s\n' "chat: dev.tsv mix" "$C_RPS" "$(field "$CHAT" p50_ms)" "$(field "$CHAT" p99_ms)"
awk -v a="$A_RPS" -v c="$C_RPS" -v h="$H_RPS" 'BEGIN {
  printf "answer / healthz ratio: %.2f (goal: 0.50 or more)\n", a / h
  printf "mix / healthz ratio:    %.2f\n", c / h
}'
echo "server RSS: ${RSS_IDLE} KiB idle, ${RSS_AFTER} KiB after the runs; sessions in the store: ${SESSIONS}"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""
grep -q 'store flushed' "$WORK/server.log" && echo "server stopped cleanly (store flushed)"
