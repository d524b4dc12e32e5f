#!/usr/bin/env bash
# Load test on 127.0.0.1 only, bounded in time: wrk against the fake OpenAI upstream directly,
# through a minimal Hummingbird + AsyncHTTPClient pass-through (the reference), and through the
# gateway (routing and trace writing on), JSON and SSE. Prints requests/s,
# p50/p99 latency and the server process's CPU microseconds per request.
#
#   scripts/loadtest.sh                 # 10 s per run, 64 connections
#   DURATION=20 CONNECTIONS=128 scripts/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
FAKE_PORT=${FAKE_PORT:-19100}
GATEWAY_PORT=${GATEWAY_PORT:-19180}
PROXY_PORT=${PROXY_PORT:-19190}

if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
swift build -c release --product triage >/dev/null
swift build -c release --product fake-upstream >/dev/null
swift build -c release --product minimal-proxy >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat >"$work/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY_PORT}
storage: {sqlite: "$work/triage.db"}
providers:
  fake: {format: openai, base_url: "http://127.0.0.1:$FAKE_PORT/v1", api_key_env: FAKE_KEY}
models:
  - {name: fake-small, provider: fake, tier: small, price: {input: 0.1, output: 0.4}}
  - {name: fake-mid, provider: fake, tier: mid, price: {input: 0.4, output: 1.6}}
  - {name: fake-frontier, provider: fake, tier: frontier, price: {input: 2, output: 8}}
roles: {worker: mid}
default_tier: mid
YAML

body='{"model":"MODEL","messages":[{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"Rename the column user_name to username in the users table and explain the change in one sentence."}],"temperature":0.2,"stream":STREAM}'
for kind in json sse; do
    stream=false
    [ "$kind" = sse ] && stream=true
    for target in fake gateway proxy; do
        model=fake-mid
        [ "$target" = gateway ] && model=triage/auto
        payload=${body/MODEL/$model}
        payload=${payload/STREAM/$stream}
        cat >"$work/$target-$kind.lua" <<LUA
wrk.method = "POST"
wrk.body = '$payload'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-fake"
wrk.headers["X-Triage-Role"] = "worker"
LUA
    done
done

"$bin/fake-upstream" --host 127.0.0.1 --port "$FAKE_PORT" >"$work/fake.log" 2>&1 &
fake_pid=$!
pids+=("$fake_pid")
FAKE_KEY=sk-fake "$bin/triage" serve --config "$work/gateway.yaml" --log-level warning >"$work/gateway.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")

wait_for() {
    for _ in $(seq 1 600); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "loadtest: $1 did not come up within 60 s" >&2
    cat "$work/gateway.log" >&2
    exit 1
}
"$bin/minimal-proxy" "$PROXY_PORT" "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" >"$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")

wait_for "http://127.0.0.1:$FAKE_PORT/v1/models"
wait_for "http://127.0.0.1:$GATEWAY_PORT/health"

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

results=()
run() {
    local name=$1 url=$2 script=$3 pid=$4
    # A short warm-up so connection pools are open before measuring.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$script" "$url" >/dev/null
    local before after
    before=$(cpu_ticks "$pid")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" >"$work/out.txt"
    after=$(cpu_ticks "$pid")
    local rps p50 p99 requests errors cpu_us
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/out.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/out.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/out.txt")
    requests=$(awk '/requests in/ {print $1}' "$work/out.txt")
    errors=$(awk '/Non-2xx/ {print $5}' "$work/out.txt")
    cpu_us=$(awk -v b="$before" -v a="$after" -v t="$ticks" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) * 1000000 / t / n }')
    printf '%-28s %10s req/s  p50 %8s  p99 %8s  %8s µs CPU/req  (%s requests, %s non-2xx)\n' \
        "$name" "$rps" "$p50" "$p99" "$cpu_us" "$requests" "${errors:-0}"
    results+=("$(printf '| %s | %s | %s | %s | %s |' "$name" "$rps" "$p50" "$p99" "$cpu_us")")
}

echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on 127.0.0.1 ($(nproc) cores)"
run "fake upstream, JSON" "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" "$work/fake-json.lua" "$fake_pid"
run "minimal pass-through, JSON" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$work/proxy-json.lua" "$proxy_pid"
run "gateway, JSON" "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$work/gateway-json.lua" "$gateway_pid"
run "fake upstream, SSE" "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" "$work/fake-sse.lua" "$fake_pid"
run "minimal pass-through, SSE" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$work/proxy-sse.lua" "$proxy_pid"
run "gateway, SSE" "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$work/gateway-sse.lua" "$gateway_pid"

sleep 1
traces=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from traces').fetchone()[0])" "$work/triage.db" 2>/dev/null || echo "?")
echo
echo "| run | requests/s | p50 | p99 | CPU µs/request (server process) |"
echo "|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
echo
echo "traces written by the gateway: $traces"
