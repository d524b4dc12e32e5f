#!/usr/bin/env bash
# Measures the time-to-first-token cost of validating streams, on 127.0.0.1 only: a fake
# upstream that streams CHUNKS words DELAY_MS apart (a model generating), the gateway in front,
# and ROUNDS streamed calls each without validators (live relay) and with `X-Triage-Validate:
# json` (held until complete and valid, then replayed). Prints the median time to the first
# content byte and to the end of the stream for both.
#
#   scripts/validation-ttft.sh
#   CHUNKS=40 DELAY_MS=20 ROUNDS=20 scripts/validation-ttft.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CHUNKS=${CHUNKS:-20}
DELAY_MS=${DELAY_MS:-25}
ROUNDS=${ROUNDS:-10}
FAKE_PORT=${FAKE_PORT:-19181}
GATEWAY_PORT=${GATEWAY_PORT:-19180}

swift build -c release --product triage >/dev/null
swift build -c release --product fake-upstream >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

# The reply is a JSON object of CHUNKS words, so it passes the `json` validator and is replayed,
# not escalated.
reply='{"answer": "'$(for i in $(seq 3 "$CHUNKS"); do printf 'w%s ' "$i"; done)'end"}'
"$bin/fake-upstream" --port "$FAKE_PORT" --reply "$reply" --chunk-delay-ms "$DELAY_MS" >"$work/fake.log" &
pids+=($!)
cat >"$work/triage.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY_PORT}
storage: {sqlite: $work/triage.db}
providers:
  fake: {base_url: "http://127.0.0.1:$FAKE_PORT/v1", api_key_env: FAKE_KEY}
models:
  - {name: small, provider: fake, tier: small, price: {input: 0.1, output: 0.4}}
  - {name: mid, provider: fake, tier: mid, price: {input: 1, output: 4}}
roles: {formatter: small}
stickiness: {enabled: false}
YAML
FAKE_KEY=unused "$bin/triage" serve --config "$work/triage.yaml" >"$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$GATEWAY_PORT/health" >/dev/null && break; sleep 0.1; done

python3 - "$GATEWAY_PORT" "$ROUNDS" "$CHUNKS" "$DELAY_MS" <<'PY'
import http.client, json, statistics, sys, time
port, rounds, chunks, delay = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = json.dumps({"model": "triage/auto", "stream": True, "messages": [{"role": "user", "content": "Answer as JSON."}]})

def call(validate):
    headers = {"content-type": "application/json", "X-Triage-Role": "formatter"}
    if validate: headers["X-Triage-Validate"] = "json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request("POST", "/v1/chat/completions", body=body, headers=headers)
    response = connection.getresponse()
    first = None
    for line in response:
        if first is None and line.startswith(b"data: {") and b'"content":"' in line and b'"content":""' not in line:
            first = time.perf_counter() - start
    end = time.perf_counter() - start
    connection.close()
    return first * 1000, end * 1000, response.getheader("x-triage-validation")

for validate in (False, True):
    call(validate)  # warm-up
    results = [call(validate) for _ in range(rounds)]
    label = "held + validated (json)" if validate else "live relay (no validator)"
    print(f"{label:28s} TTFT p50 {statistics.median(r[0] for r in results):7.1f} ms   total p50 {statistics.median(r[1] for r in results):7.1f} ms   validation: {results[-1][2]}")
print(f"({chunks} chunks, {delay} ms apart, {rounds} calls each)")
PY
