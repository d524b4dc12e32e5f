#!/usr/bin/env bash
# Load test on 127.0.0.1 only, bounded in time: wrk against the fake OpenAI upstream directly,
# through a minimal Hummingbird + AsyncHTTPClient pass-through (the reference, when the package
# has the `minimal-proxy` product) and through the gateway (routing and trace writing on), each
# with `"stream": false` and `"stream": true`. For every run it prints requests/s, p50 and p99
# latency and the CPU microseconds per request of the server process under test (and of the
# fake upstream behind it), then a summary table. The gateway is also measured translating: OpenAI
# chat in → Anthropic out, and Anthropic Messages in → Anthropic out (both codecs), against a
# fake Anthropic upstream, and OpenAI chat in → Gemini out against a fake Gemini upstream
# (SKIP_TRANSLATED=1 leaves these out).
#
#   scripts/loadtest.sh                          # 10 s per run, 64 connections, 2 wrk threads
#   DURATION=20 CONNECTIONS=128 scripts/loadtest.sh
#   STREAM_CHUNKS=50 scripts/loadtest.sh         # longer streams (content chunks per reply)
#   FAKE_ONLY=1 scripts/loadtest.sh              # only the fake upstream
#   SKIP_BUILD=1 scripts/loadtest.sh             # reuse .build/release binaries
#   SCRATCH_PATH=.build-bench scripts/loadtest.sh  # build and run from another scratch path
#   ROUNDS=5 DURATION=4 scripts/loadtest.sh      # every run 5 times, interleaved; the table gives
#                                                # medians (for machines whose speed drifts)
#   PAIRS=8 DURATION=3 WARMUP=1 scripts/loadtest.sh
#                                                # instead of the rounds, each comparison (gateway
#                                                # against the pass-through, translated against
#                                                # same-format) as 8 back-to-back pairs of runs,
#                                                # alternating which goes first; the summary gives
#                                                # the median of the per-pair ratios, which a
#                                                # drifting machine moves far less than medians
#   MOCK=nginx scripts/loadtest.sh               # the usual proxy reference setup instead: nginx answers
#                                                # every call with the fake upstream's own JSON or SSE
#                                                # bytes (captured from it at start), so the upstream
#                                                # costs a few µs and the two cores go to the server
#                                                # under test; measures that mock directly, nginx
#                                                # `proxy_pass` in front of it, the minimal
#                                                # pass-through and the gateway (with PAIRS, the
#                                                # gateway against the pass-through)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
STREAM_CHUNKS=${STREAM_CHUNKS:-}
FAKE_ONLY=${FAKE_ONLY:-}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}
ROUNDS=${ROUNDS:-1}
PAIRS=${PAIRS:-0}
MOCK=${MOCK:-fake}
case $MOCK in fake | nginx) ;; *) echo "loadtest: MOCK must be fake or nginx" >&2; exit 2 ;; esac

results=()  # one summary table row per measured run
say() { echo "loadtest: $*" >&2; }
# die MESSAGE: stop, with the table of what was measured so far.
die() {
    say "$*"
    if [ ${#results[@]} -gt 0 ]; then summary; fi
    exit 1
}

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] || die "wrk is not installed (apt-get install wrk)"
    say "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk </dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ "$MOCK" = nginx ] && [ ! -x "$nginx_bin" ]; then
    [ "$(id -u)" = 0 ] || die "nginx is not installed (apt-get install nginx-light)"
    say "installing nginx"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light </dev/null
fi
command -v curl >/dev/null || die "curl is not installed"
command -v python3 >/dev/null || die "python3 is not installed (used to pick free ports)"

# --- processes, cleaned up on any exit ---------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/triage-loadtest.XXXXXX")
pids=()     # servers started here
current=    # the wrk or swift build running in the foreground
cleanup() {
    local pid
    if [ -n "$current" ]; then kill "$current" 2>/dev/null || true; fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run COMMAND...: runs a long command in the background and waits for it, so that INT and TERM
# stop the script at once (bash runs traps only between foreground commands).
run() {
    local status=0
    "$@" &
    current=$!
    wait "$current" || status=$?
    current=
    return "$status"
}

# --- build (one product at a time) -------------------------------------------------------------
scratch=()
[ -n "${SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SCRATCH_PATH")
with_proxy=
grep -q '"minimal-proxy"' Package.swift && with_proxy=1
if [ -z "${SKIP_BUILD:-}" ]; then
    # build PRODUCT: a release build, its output kept out of the way unless it fails.
    build() {
        say "building $1 (release)"
        run swift build -c release "${scratch[@]}" --product "$1" >"$work/build-$1.log" 2>&1 && return 0
        grep -E 'error:' "$work/build-$1.log" | head -n 20 >&2 || tail -n 20 "$work/build-$1.log" >&2
        return 1
    }
    build fake-upstream || die "building fake-upstream failed"
    if [ -z "$FAKE_ONLY" ]; then
        build triage || die "building triage failed (FAKE_ONLY=1 measures the fake alone)"
        if [ -n "$with_proxy" ] && ! build minimal-proxy; then
            say "building minimal-proxy failed; skipping the pass-through reference"
            with_proxy=
        fi
    fi
fi
bin=$(swift build -c release "${scratch[@]}" --show-bin-path)
[ -x "$bin/fake-upstream" ] || die "$bin/fake-upstream is missing"
[ -n "$FAKE_ONLY" ] || [ -x "$bin/triage" ] || die "$bin/triage is missing"
if [ -n "$with_proxy" ] && [ ! -x "$bin/minimal-proxy" ]; then with_proxy=; fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for URL PID NAME LOG: until URL answers 2xx, PID dies, or HEALTH_TIMEOUT seconds pass.
wait_for() {
    local url=$1 pid=$2 name=$3 log=$4 deadline=$((SECONDS + HEALTH_TIMEOUT))
    while [ $SECONDS -lt $deadline ]; do
        curl -fsS -o /dev/null --max-time 2 -H 'Authorization: Bearer sk-fake' "$url" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$log" >&2
            die "$name exited before answering $url (its log is above)"
        fi
        sleep 0.2
    done
    tail -n 40 "$log" >&2
    die "$name did not answer $url within ${HEALTH_TIMEOUT} s (its log is above)"
}

# trace_count DB: the rows of DB's traces table, or "?".
trace_count() {
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from traces").fetchone()[0])' "$1" 2>/dev/null || echo "?"
}

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime
ticks_per_second=$(getconf CLK_TCK)

# write_request NAME MODEL STREAM: NAME.json, one chat completion body, and NAME.lua, a wrk
# script POSTing it.
write_request() {
    printf '%s' '{"model":"'"$2"'","messages":[{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"Rename the column user_name to username in the users table and explain the change in one sentence."}],"temperature":0.2,"stream":'"$3"'}' \
        >"$work/$1.json"
    cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-fake"
wrk.headers["X-Triage-Role"] = "worker"
wrk.body = [[$(cat "$work/$1.json")]]
LUA
}

# write_messages_request NAME MODEL STREAM: the same call as an Anthropic Messages body.
write_messages_request() {
    printf '%s' '{"model":"'"$2"'","max_tokens":256,"system":"You are a careful assistant.","messages":[{"role":"user","content":"Rename the column user_name to username in the users table and explain the change in one sentence."}],"temperature":0.2,"stream":'"$3"'}' \
        >"$work/$1.json"
    cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "sk-fake"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = [[$(cat "$work/$1.json")]]
LUA
}

# check NAME URL REQUEST [EXPECTED]: one request by hand first, so a broken target fails loudly
# instead of being measured answering errors.
check() {
    local name=$1 url=$2 request=$3 status
    status=$(curl -sS -o "$work/check.out" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
        -H 'Authorization: Bearer sk-fake' -H 'x-api-key: sk-fake' -H 'anthropic-version: 2023-06-01' -H 'X-Triage-Role: worker' \
        --data-binary @"$work/$request.json" "$url" 2>&1) || true
    local expected='"object":"chat.completion"'
    case $request in *-true) expected='data: [DONE]' ;; esac
    [ -n "${4:-}" ] && expected=$4
    if [ "$status" != 200 ] || ! grep -qF "$expected" "$work/check.out"; then
        head -c 2000 "$work/check.out" >&2
        echo >&2
        die "$name: a single request failed (status $status; the response is above)"
    fi
}

# measure NAME URL LUA PID [UPSTREAM_PID]
measure() {
    local name=$1 url=$2 script=$3 pid=$4 upstream_pid=${5:-}
    run wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$url" >/dev/null
    local before after upstream_before=0 upstream_after=0
    before=$(cpu_ticks "$pid")
    [ -n "$upstream_pid" ] && upstream_before=$(cpu_ticks "$upstream_pid")
    run wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" >"$work/wrk.txt"
    kill -0 "$pid" 2>/dev/null || die "$name: the server process died during the run (logs in $work are removed on exit)"
    after=$(cpu_ticks "$pid")
    [ -n "$upstream_pid" ] && upstream_after=$(cpu_ticks "$upstream_pid")
    local rps p50 p99 requests non2xx socket_errors cpu upstream_cpu="-"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    requests=$(awk '/ requests in / {print $1}' "$work/wrk.txt")
    non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$work/wrk.txt")
    socket_errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.txt")
    [ "${requests:-0}" -gt 0 ] || { cat "$work/wrk.txt" >&2; die "$name: no request completed"; }
    cpu=$(awk -v a="$after" -v b="$before" -v t="$ticks_per_second" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) * 1e6 / t / n }')
    [ -n "$upstream_pid" ] && upstream_cpu=$(awk -v a="$upstream_after" -v b="$upstream_before" -v t="$ticks_per_second" -v n="$requests" \
        'BEGIN { printf "%.1f", (a - b) * 1e6 / t / n }')
    printf '%-28s %10s req/s   p50 %9s   p99 %9s   CPU %8s µs/req (upstream %s)   %s requests, %s non-2xx, %s socket errors\n' \
        "$name" "$rps" "$p50" "$p99" "$cpu" "$upstream_cpu" "$requests" "${non2xx:-0}" "${socket_errors:-0}"
    results+=("| $name | $rps | $p50 | $p99 | $cpu | $upstream_cpu | ${non2xx:-0} |")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rps" "$p50" "$p99" "$cpu" "$upstream_cpu" "${non2xx:-0}" >>"$work/rows.tsv"
    [ -n "$comparing" ] && printf '%s\t%s\t%s\t%s\n' "$comparing" "$name" "$rps" "$cpu" >>"$work/pairs.tsv"
    return 0
}

# plan NAME URL LUA PID [UPSTREAM_PID]: a run for run_plan, which measures every planned run
# ROUNDS times, interleaved, once all servers are up.
planned=()
declare -A planned_by_name=()
plan() {
    local IFS=$'\x1f'
    planned+=("$*")
    planned_by_name[$1]="$*"
}

# compare BASELINE OTHER: a comparison for run_pairs (both must be planned runs).
comparisons=()
comparing=
compare() { comparisons+=("$1"$'\x1e'"$2"); }

# measure_planned NAME: the planned run NAME, once.
measure_planned() {
    local IFS=$'\x1f'
    # shellcheck disable=SC2086
    set -- ${planned_by_name[$1]}
    unset IFS
    measure "$@"
}

run_pairs() {
    local comparison baseline other pair
    for comparison in "${comparisons[@]}"; do
        baseline=${comparison%%$'\x1e'*}
        other=${comparison##*$'\x1e'}
        [ -n "${planned_by_name[$baseline]:-}" ] && [ -n "${planned_by_name[$other]:-}" ] || continue
        say "$PAIRS pairs: $other against $baseline"
        comparing=$comparison
        for pair in $(seq 1 "$PAIRS"); do
            if [ $((pair % 2)) = 1 ]; then
                measure_planned "$baseline"
                measure_planned "$other"
            else
                measure_planned "$other"
                measure_planned "$baseline"
            fi
        done
        comparing=
    done
}

run_plan() {
    local round entry
    for round in $(seq 1 "$ROUNDS"); do
        [ "$ROUNDS" -gt 1 ] && say "round $round of $ROUNDS"
        for entry in "${planned[@]}"; do
            local IFS=$'\x1f'
            # shellcheck disable=SC2086
            set -- $entry
            unset IFS
            measure "$@"
        done
    done
}

summary() {
    echo
    echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on 127.0.0.1, $(nproc) cores; CPU = utime + stime of the process under test / requests"
    echo
    if [ "$PAIRS" -gt 0 ] && [ -s "$work/pairs.tsv" ]; then
        echo "$PAIRS back-to-back pairs per comparison; ratio = the other run / the baseline, median over the pairs (every pair's requests/s ratio in the last column)"
        echo
        echo "| run | against | requests/s ratio | CPU µs/request ratio | median requests/s | median CPU µs/request | every pair |"
        echo "|---|---|---|---|---|---|---|"
        python3 - "$work/pairs.tsv" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    comparison, name, rps, cpu = line.rstrip("\n").split("\t")
    baseline, other = comparison.split("\x1e")
    sides = runs.setdefault((baseline, other), {baseline: [], other: []})
    sides[name].append((float(rps), float(cpu)))
for (baseline, other), sides in runs.items():
    pairs = list(zip(sides[baseline], sides[other]))
    rps_ratios = [b[0] / a[0] for a, b in pairs]
    cpu_ratios = [b[1] / a[1] for a, b in pairs]
    print(f"| {other} | {baseline} | {statistics.median(rps_ratios):.3f} | {statistics.median(cpu_ratios):.3f} | "
          f"{statistics.median(b[0] for _, b in pairs):.0f} vs {statistics.median(a[0] for a, _ in pairs):.0f} | "
          f"{statistics.median(b[1] for _, b in pairs):.1f} vs {statistics.median(a[1] for a, _ in pairs):.1f} | "
          f"{' '.join(f'{r:.2f}' for r in rps_ratios)} |")
PY
        return
    fi
    if [ "$ROUNDS" -gt 1 ] && [ -s "$work/rows.tsv" ]; then
        echo "medians of $ROUNDS interleaved rounds (requests/s of every round in the last column)"
        echo
        echo "| run | requests/s | p50 | p99 | CPU µs/request | upstream CPU µs/request | non-2xx | every round |"
        echo "|---|---|---|---|---|---|---|---|"
        python3 - "$work/rows.tsv" <<'PY'
import statistics, sys
def seconds(text):
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float("nan")
def shown(value):
    return f"{value * 1e3:.2f}ms"
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, cpu, upstream, non2xx = line.rstrip("\n").split("\t")
    rows.setdefault(name, []).append((float(rps), seconds(p50), seconds(p99), float(cpu), upstream, int(non2xx)))
for name, runs in rows.items():
    median = lambda index: statistics.median(run[index] for run in runs)
    upstream = [float(run[4]) for run in runs if run[4] != "-"]
    print(f"| {name} | {median(0):.2f} | {shown(median(1))} | {shown(median(2))} | {median(3):.1f} | "
          f"{statistics.median(upstream):.1f} | " if upstream else f"| {name} | {median(0):.2f} | {shown(median(1))} | {shown(median(2))} | {median(3):.1f} | - | ", end="")
    print(f"{sum(run[5] for run in runs)} | {' '.join(f'{run[0]:.0f}' for run in runs)} |")
PY
        return
    fi
    echo "| run | requests/s | p50 | p99 | CPU µs/request | upstream CPU µs/request | non-2xx |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${results[@]}"
}

# start_minimal_proxy NAME UPSTREAM_URL: the pass-through on a free port, relaying to
# UPSTREAM_URL; sets started_url and started_pid.
start_minimal_proxy() {
    local port deadline
    port=$(free_port)
    "$bin/minimal-proxy" "$port" "$2" >"$work/$1.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    # Any HTTP answer means it is up (it has no health endpoint).
    deadline=$((SECONDS + HEALTH_TIMEOUT))
    until curl -sS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null; do
        kill -0 "$started_pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || { tail -n 40 "$work/$1.log" >&2; die "minimal-proxy did not start"; }
        sleep 0.2
    done
    started_url="http://127.0.0.1:$port/v1/chat/completions"
}

# tier_models PROVIDER: the gateway config's three OpenAI-format models (small, mid, frontier)
# served by PROVIDER, as YAML list entries.
tier_models() {
    printf '  - {name: fake-small, provider: %s, tier: small, price: {input: 0.1, output: 0.4}}\n' "$1"
    printf '  - {name: fake-mid, provider: %s, tier: mid, price: {input: 0.4, output: 1.6}}\n' "$1"
    printf '  - {name: fake-frontier, provider: %s, tier: frontier, price: {input: 2, output: 8}}\n' "$1"
}

# start_gateway NAME: `triage serve` with $work/NAME.yaml on a free port (the file's own port is
# overridden); sets started_port, started_url and started_pid.
start_gateway() {
    started_port=$(free_port)
    FAKE_KEY=sk-fake "$bin/triage" serve --config "$work/$1.yaml" --host 127.0.0.1 --port "$started_port" --log-level warning \
        >"$work/$1.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    wait_for "http://127.0.0.1:$started_port/health" "$started_pid" "triage serve" "$work/$1.log"
    started_url="http://127.0.0.1:$started_port/v1/chat/completions"
}

# --- the fake upstream alone -------------------------------------------------------------------
fake_port=$(free_port)
fake_args=(--host 127.0.0.1 --port "$fake_port")
[ -n "$STREAM_CHUNKS" ] && fake_args+=(--stream-chunks "$STREAM_CHUNKS")
"$bin/fake-upstream" "${fake_args[@]}" >"$work/fake.log" 2>&1 &
fake_pid=$!
pids+=("$fake_pid")
wait_for "http://127.0.0.1:$fake_port/v1/models" "$fake_pid" fake-upstream "$work/fake.log"

for stream in false true; do
    write_request "fake-$stream" fake-mid "$stream"
    write_request "gateway-$stream" triage/auto "$stream"
done
fake_url="http://127.0.0.1:$fake_port/v1/chat/completions"

echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after a ${WARMUP} s warm-up) on 127.0.0.1, $(nproc) cores"
check "fake upstream" "$fake_url" fake-false
check "fake upstream" "$fake_url" fake-true

# --- MOCK=nginx: the reference setup -----------------------------------------------------------
# start_nginx NAME: nginx with $work/NAME.conf (one worker, in the foreground); sets
# started_pid to its worker's pid, the process that does the work.
start_nginx() {
    local master deadline
    mkdir -p "$work/$1"
    "$nginx_bin" -e "$work/$1.err" -p "$work/$1/" -c "$work/$1.conf" >"$work/$1.log" 2>&1 &
    master=$!
    pids+=("$master")
    deadline=$((SECONDS + HEALTH_TIMEOUT))
    until started_pid=$(pgrep -P "$master" | head -n 1) && [ -n "$started_pid" ]; do
        kill -0 "$master" 2>/dev/null && [ $SECONDS -lt $deadline ] || { cat "$work/$1.err" "$work/$1.log" >&2 2>/dev/null; die "nginx ($1) did not start"; }
        sleep 0.2
    done
}

# nginx_reference: nginx answers every call with the fake upstream's bytes; the mock itself,
# nginx `proxy_pass`, the minimal pass-through and the gateway are measured in front of it.
nginx_reference() {
    local stream mock_pid
    declare -A mock_port proxy_port
    # The answers: what the fake upstream sends for these requests (the stream asks for the
    # usage chunk, as the gateway does upstream).
    printf '%s' '{"model":"fake-mid","messages":[{"role":"user","content":"Rename the column."}],"stream":true,"stream_options":{"include_usage":true}}' \
        >"$work/usage-true.json"
    for stream in false true; do
        local request=$work/fake-false.json
        [ "$stream" = true ] && request=$work/usage-true.json
        curl -fsS -o "$work/answer-$stream" -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-fake' \
            --data-binary @"$request" "$fake_url" || die "the fake upstream did not answer the request to copy"
        mock_port[$stream]=$(free_port)
        proxy_port[$stream]=$(free_port)
    done
    python3 - "$work" "${mock_port[false]}" "${mock_port[true]}" "${proxy_port[false]}" "${proxy_port[true]}" <<'PY'
import sys
work, mock_json, mock_sse, proxy_json, proxy_sse = sys.argv[1:]
def quoted(path):  # an nginx string literal of the file's bytes
    return "'" + open(path).read().replace("\\", "\\\\").replace("'", "\\'") + "'"
common = "worker_processes 1;\ndaemon off;\npid {work}/{name}.pid;\nevents {{ worker_connections 4096; }}\n"
mock = f"""http {{
    access_log off;
    keepalive_requests 100000000;
    server {{ listen 127.0.0.1:{mock_json}; location / {{ default_type application/json; return 200 {quoted(work + '/answer-false')}; }} }}
    server {{ listen 127.0.0.1:{mock_sse}; location / {{ default_type text/event-stream; return 200 {quoted(work + '/answer-true')}; }} }}
}}
"""
proxy = f"""http {{
    access_log off;
    keepalive_requests 100000000;
    upstream json {{ server 127.0.0.1:{mock_json}; keepalive 128; }}
    upstream sse {{ server 127.0.0.1:{mock_sse}; keepalive 128; }}
    server {{ listen 127.0.0.1:{proxy_json}; location / {{ proxy_pass http://json; proxy_http_version 1.1; proxy_set_header Connection ""; }} }}
    server {{ listen 127.0.0.1:{proxy_sse}; location / {{ proxy_pass http://sse; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }} }}
}}
"""
for name, text in (("nginx-mock", mock), ("nginx-proxy", proxy)):
    open(f"{work}/{name}.conf", "w").write(common.format(work=work, name=name) + text)
PY
    start_nginx nginx-mock
    mock_pid=$started_pid
    start_nginx nginx-proxy
    local nginx_proxy_pid=$started_pid
    for stream in false true; do
        local kind=JSON
        [ "$stream" = true ] && kind=SSE
        local mock_url="http://127.0.0.1:${mock_port[$stream]}/v1/chat/completions"
        local nginx_url="http://127.0.0.1:${proxy_port[$stream]}/v1/chat/completions"
        check "nginx mock" "$mock_url" "fake-$stream"
        check "nginx proxy_pass" "$nginx_url" "fake-$stream"
        plan "nginx mock, $kind" "$mock_url" "$work/fake-$stream.lua" "$mock_pid"
        plan "nginx proxy_pass, $kind" "$nginx_url" "$work/fake-$stream.lua" "$nginx_proxy_pid" "$mock_pid"
        if [ -n "$with_proxy" ]; then
            start_minimal_proxy "proxy-$stream" "$mock_url"
            check "minimal pass-through" "$started_url" "fake-$stream"
            plan "minimal pass-through, $kind" "$started_url" "$work/fake-$stream.lua" "$started_pid" "$mock_pid"
        fi
        cat >"$work/gateway-$stream.yaml" <<YAML
server: {host: 127.0.0.1, port: 8080}
storage: {sqlite: "$work/triage-$stream.db"}
providers:
  mock: {format: openai, base_url: "http://127.0.0.1:${mock_port[$stream]}/v1", api_key_env: FAKE_KEY}
models:
$(tier_models mock)
roles: {worker: mid}
default_tier: mid
YAML
        start_gateway "gateway-$stream"
        check gateway "$started_url" "gateway-$stream"
        plan "gateway, $kind" "$started_url" "$work/gateway-$stream.lua" "$started_pid" "$mock_pid"
    done
    if [ "$PAIRS" -gt 0 ]; then
        for stream in JSON SSE; do
            measure_planned "nginx mock, $stream"
            measure_planned "nginx proxy_pass, $stream"
        done
        compare "minimal pass-through, JSON" "gateway, JSON"
        compare "minimal pass-through, SSE" "gateway, SSE"
        run_pairs
    else
        run_plan
    fi
    summary
    sleep 1  # let the trace writers flush their last batch
    echo
    echo "traces written by the gateway: $(trace_count "$work/triage-false.db") (JSON), $(trace_count "$work/triage-true.db") (SSE)"
}

if [ "$MOCK" = nginx ]; then
    nginx_reference
    exit 0
fi

plan "fake upstream, JSON" "$fake_url" "$work/fake-false.lua" "$fake_pid"
plan "fake upstream, SSE" "$fake_url" "$work/fake-true.lua" "$fake_pid"
if [ -n "$FAKE_ONLY" ]; then
    run_plan
    summary
    exit 0
fi

# --- the pass-through reference ----------------------------------------------------------------
if [ -n "$with_proxy" ]; then
    start_minimal_proxy proxy "$fake_url"
    proxy_url=$started_url
    proxy_pid=$started_pid
    check "minimal pass-through" "$proxy_url" fake-false
    plan "minimal pass-through, JSON" "$proxy_url" "$work/fake-false.lua" "$proxy_pid" "$fake_pid"
    plan "minimal pass-through, SSE" "$proxy_url" "$work/fake-true.lua" "$proxy_pid" "$fake_pid"
fi

# --- fake Anthropic and Gemini upstreams, for the translated runs -------------------------------
# start_fake FORMAT: a fake upstream of FORMAT on a free port; sets fake_format_port and
# fake_format_pid.
start_fake() {
    local format=$1 args deadline
    fake_format_port=$(free_port)
    args=(--format "$format" --host 127.0.0.1 --port "$fake_format_port")
    [ -n "$STREAM_CHUNKS" ] && args+=(--stream-chunks "$STREAM_CHUNKS")
    "$bin/fake-upstream" "${args[@]}" >"$work/fake-$format.log" 2>&1 &
    fake_format_pid=$!
    pids+=("$fake_format_pid")
    deadline=$((SECONDS + HEALTH_TIMEOUT))
    until grep -q "listening" "$work/fake-$format.log" 2>/dev/null; do
        kill -0 "$fake_format_pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || { tail -n 40 "$work/fake-$format.log" >&2; die "the fake $format upstream did not start"; }
        sleep 0.2
    done
}
anthropic_port=
gemini_port=
if [ -z "${SKIP_TRANSLATED:-}" ]; then
    start_fake anthropic
    anthropic_port=$fake_format_port
    anthropic_pid=$fake_format_pid
    start_fake gemini
    gemini_port=$fake_format_port
    gemini_pid=$fake_format_pid
fi

# --- the gateway -------------------------------------------------------------------------------
cat >"$work/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: 8080}
storage: {sqlite: "$work/triage.db"}
providers:
  fake: {format: openai, base_url: "http://127.0.0.1:$fake_port/v1", api_key_env: FAKE_KEY}
  anthropic: {format: anthropic, base_url: "http://127.0.0.1:${anthropic_port:-9}/v1", api_key_env: FAKE_KEY}
  gemini: {format: gemini, base_url: "http://127.0.0.1:${gemini_port:-9}/v1beta", api_key_env: FAKE_KEY}
models:
  - {name: fake-anthropic, provider: anthropic, tier: frontier, price: {input: 3, output: 15, cached_input: 0.3, cache_write: 3.75}}
  - {name: fake-gemini, provider: gemini, tier: frontier, price: {input: 0.3, output: 2.5, cached_input: 0.03}}
$(tier_models fake)
roles: {worker: mid}
default_tier: mid
YAML
start_gateway gateway
gateway_pid=$started_pid
gateway_url=$started_url
check gateway "$gateway_url" gateway-false
check gateway "$gateway_url" gateway-true
plan "gateway, JSON" "$gateway_url" "$work/gateway-false.lua" "$gateway_pid" "$fake_pid"
plan "gateway, SSE" "$gateway_url" "$work/gateway-true.lua" "$gateway_pid" "$fake_pid"

if [ -n "$anthropic_port" ]; then
    messages_url="http://127.0.0.1:$started_port/v1/messages"
    for stream in false true; do
        write_request "chat-anthropic-$stream" fake-anthropic "$stream"
        write_messages_request "messages-anthropic-$stream" fake-anthropic "$stream"
    done
    check "chat → Anthropic" "$gateway_url" chat-anthropic-false
    check "chat → Anthropic" "$gateway_url" chat-anthropic-true
    check "Messages → Anthropic" "$messages_url" messages-anthropic-false '"type":"message"'
    check "Messages → Anthropic" "$messages_url" messages-anthropic-true 'event: message_stop'
    plan "gateway, chat → Anthropic, JSON" "$gateway_url" "$work/chat-anthropic-false.lua" "$gateway_pid" "$anthropic_pid"
    plan "gateway, chat → Anthropic, SSE" "$gateway_url" "$work/chat-anthropic-true.lua" "$gateway_pid" "$anthropic_pid"
    plan "gateway, Messages → Anthropic, JSON" "$messages_url" "$work/messages-anthropic-false.lua" "$gateway_pid" "$anthropic_pid"
    plan "gateway, Messages → Anthropic, SSE" "$messages_url" "$work/messages-anthropic-true.lua" "$gateway_pid" "$anthropic_pid"
    for stream in false true; do write_request "chat-gemini-$stream" fake-gemini "$stream"; done
    check "chat → Gemini" "$gateway_url" chat-gemini-false
    check "chat → Gemini" "$gateway_url" chat-gemini-true
    plan "gateway, chat → Gemini, JSON" "$gateway_url" "$work/chat-gemini-false.lua" "$gateway_pid" "$gemini_pid"
    plan "gateway, chat → Gemini, SSE" "$gateway_url" "$work/chat-gemini-true.lua" "$gateway_pid" "$gemini_pid"
fi

if [ "$PAIRS" -gt 0 ]; then
    compare "minimal pass-through, JSON" "gateway, JSON"
    compare "minimal pass-through, SSE" "gateway, SSE"
    compare "gateway, JSON" "gateway, chat → Anthropic, JSON"
    compare "gateway, SSE" "gateway, chat → Anthropic, SSE"
    compare "gateway, JSON" "gateway, Messages → Anthropic, JSON"
    compare "gateway, SSE" "gateway, Messages → Anthropic, SSE"
    compare "gateway, JSON" "gateway, chat → Gemini, JSON"
    compare "gateway, SSE" "gateway, chat → Gemini, SSE"
    run_pairs
else
    run_plan
fi
summary
sleep 1  # let the trace writer flush its last batch
echo
echo "traces written by the gateway: $(trace_count "$work/triage.db")"
