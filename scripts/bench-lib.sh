# Shared by the load benchmarks (bench-http.sh, bench-stores.sh): wrk's Lua
# scripts. Sourced, not run.

# write_chat_lua QUESTIONS OUT: wrk's chat script. Questions from the TSV
# (first column, header skipped) in long brackets, so no quoting is needed
# on the Lua side; half the turns in sessions opened earlier in the run.
write_chat_lua() {
{
  echo 'local questions = {'
  awk -F '\t' 'NR > 1 && $1 != "" { printf "  [==[%s]==],\n", $1 }' "$1"
  cat <<'LUA'
}
local counter = 0
local sessions = {}
local MAX_SESSIONS = 256

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local function escape(s)
  return (s:gsub('\\', '\\\\'):gsub('"', '\\"'))
end

-- Threads start at different questions (setup runs in the main state).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("start", threads * 97)
end

function init(args)
  counter = start or 0
end

function request()
  counter = counter + 1
  local q = escape(questions[(counter % #questions) + 1])
  local channel = (counter % 5 == 0) and "kiosk" or "web"
  local body
  if #sessions > 0 and counter % 2 == 0 then
    local s = sessions[(counter % #sessions) + 1]
    body = '{"session":"' .. s .. '","message":"' .. q .. '","channel":"' .. channel .. '"}'
  else
    body = '{"message":"' .. q .. '","channel":"' .. channel .. '"}'
  end
  return wrk.format(nil, "/api/v1/chat", nil, body)
end

function response(status, headers, body)
  if #sessions < MAX_SESSIONS then
    local s = body:match('"session":"(%x+)"')
    if s then
      sessions[#sessions + 1] = s
    end
  end
end
LUA
} >"$2"
}

# write_report_lua OUT: the one RESULT line wrk prints at the end.
write_report_lua() {
cat >"$1" <<'LUA'
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA
}

