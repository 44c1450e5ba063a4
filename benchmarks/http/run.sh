#!/usr/bin/env bash
# End-to-end receiving throughput, measured from outside with wrk on loopback: the sample receiver (in-memory stores, its
# handlers running) next to the floor (a bare minimal API on the same host defaults that reads the body, verifies the HMAC and
# answers 202), one after the other in the same run, each pinned to its own core with wrk on the other.
#
#   benchmarks/http/run.sh                       # 15 s per measurement, 64 connections
#   DURATION=30s CONNECTIONS=128 benchmarks/http/run.sh
#
# Prints one line per server: accepted deliveries per second, p50/p90/p99 latency, responses that were not 202, and for the
# receiver the memory it grew by per stored event and whether every accepted delivery was processed.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-15s}
connections=${CONNECTIONS:-64}
server_core=${SERVER_CORE:-0}
load_core=${LOAD_CORE:-1}
secret=dev-github-secret

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
dotnet build -c Release samples/WebhookReceiver/WebhookReceiver.csproj >/dev/null
dotnet build -c Release benchmarks/Webhooks.Floor/Webhooks.Floor.csproj >/dev/null

# A 1 KB push payload and its signature (the body is the same for every request; each request carries a new delivery id).
WEBHOOK_BODY=$(python3 -c 'import json; print(json.dumps({"ref": "refs/heads/main", "repository": {"full_name": "octo/bench"}, "pad": "x" * 940}, separators=(",", ":")), end="")')
WEBHOOK_SIGNATURE=sha256=$(printf '%s' "$WEBHOOK_BODY" | python3 -c "import hmac, hashlib, sys; print(hmac.new(b'$secret', sys.stdin.buffer.read(), hashlib.sha256).hexdigest())")
export WEBHOOK_BODY WEBHOOK_SIGNATURE

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

wait_ready() {
  for _ in $(seq 1 200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$1/webhooks/github" || true)
    [ "$code" != "000" ] && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2
  return 1
}

measure() { # name url pid
  taskset -c "$load_core" wrk -t1 -c"$connections" -d5s -s benchmarks/http/github.lua "$2" >/dev/null   # warm-up
  local before after line accepted
  before=$(rss_kib "$3")
  line=$(taskset -c "$load_core" wrk -t1 -c"$connections" -d"$duration" --latency -s benchmarks/http/github.lua "$2" | grep '^RESULT')
  after=$(rss_kib "$3")
  accepted=$(sed -E 's/.*requests=([0-9]+).*not_202=([0-9]+).*/\1 \2/' <<<"$line" | awk '{ print $1 - $2 }')
  echo "$1 $line rss_growth_bytes_per_accepted=$(( (after - before) * 1024 / (accepted > 0 ? accepted : 1) ))"
}

# The floor.
port=5191
(cd benchmarks/Webhooks.Floor && exec taskset -c "$server_core" dotnet bin/Release/net10.0/Webhooks.Floor.dll --urls "http://127.0.0.1:$port" --Floor:Secret "$secret") &
floor=$!
wait_ready "http://127.0.0.1:$port"
measure floor "http://127.0.0.1:$port" "$floor"
kill "$floor"; wait "$floor" 2>/dev/null || true

# The sample receiver as deployed: Production, its secrets given on the command line, Information logging, its handlers running.
# The in-memory store is sized for the run (a minute at full speed) instead of its 100,000-event default.
port=5192
(cd samples/WebhookReceiver && exec taskset -c "$server_core" dotnet bin/Release/net10.0/WebhookReceiver.dll --environment Production --urls "http://127.0.0.1:$port" \
  --Webhooks:GitHub:Secret "$secret" --Webhooks:Stripe:Secret whsec_dev_stripe_secret \
  --Webhooks:InMemory:MaxEvents 2000000 --Webhooks:InMemory:MaxBytes 8589934592) &
receiver=$!
wait_ready "http://127.0.0.1:$port"
measure receiver "http://127.0.0.1:$port" "$receiver"

# Every accepted delivery must be processed: wait until nothing is queued, in progress or waiting for a retry, and none is dead.
pending=1
for _ in $(seq 1 300); do
  pending=0
  for status in queued processing failed dead; do
    curl -s "http://127.0.0.1:$port/webhooks/admin/events?status=$status&limit=1" | grep -q '"events":\[\]' || pending=1
  done
  [ $pending -eq 0 ] && break
  sleep 0.2
done
echo "receiver all_accepted_processed=$([ $pending -eq 0 ] && echo yes || echo NO)"
kill "$receiver"; wait "$receiver" 2>/dev/null || true
