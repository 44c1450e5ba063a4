# Shared by the HTTP benchmarks (sourced, run from the repository's root): the load's settings, the signed payload, the two
# servers, readiness.

secret=dev-github-secret

# The load, alike in every HTTP benchmark unless set: each round's DURATION (whole seconds), each server's WARMUP, wrk's
# CONNECTIONS, and the cores of the server and of wrk.
duration=${DURATION:-10s}
warmup=${WARMUP:-60s}
connections=${CONNECTIONS:-64}
server_core=${SERVER_CORE:-0}
load_core=${LOAD_CORE:-1}

# A 1 KB push payload and its signature (the body is the same for every request; each request carries a new delivery id).
WEBHOOK_BODY=$(python3 -c 'import json; print(json.dumps({"ref": "refs/heads/main", "repository": {"full_name": "octo/bench"}, "pad": "x" * 940}, separators=(",", ":")), end="")')
WEBHOOK_SIGNATURE=sha256=$(printf '%s' "$WEBHOOK_BODY" | python3 -c "import hmac, hashlib, sys; print(hmac.new(b'$secret', sys.stdin.buffer.read(), hashlib.sha256).hexdigest())")
export WEBHOOK_BODY WEBHOOK_SIGNATURE

build_servers() {
  dotnet build -c Release samples/WebhookReceiver/WebhookReceiver.csproj >/dev/null
  dotnet build -c Release benchmarks/Webhooks.Floor/Webhooks.Floor.csproj >/dev/null
}

# The floor on core $1 at URL $2, in the background; it logs as the sample does (Information, ASP.NET Core's own categories at
# Warning).
start_floor() {
  (cd benchmarks/Webhooks.Floor && exec taskset -c "$1" dotnet bin/Release/net10.0/Webhooks.Floor.dll --urls "$2" --Floor:Secret "$secret" \
    --Logging:LogLevel:Default Information --Logging:LogLevel:Microsoft.AspNetCore Warning) &
}

# The sample receiver as deployed on core $1 at URL $2, in the background: Production, its secrets on the command line,
# Information logging, its handlers running; further arguments are passed on. Every request of the benchmarks carries the same
# body, so deduplication by body is off: each request is a new delivery.
start_receiver() {
  local core=$1 url=$2
  shift 2
  (cd samples/WebhookReceiver && exec taskset -c "$core" dotnet bin/Release/net10.0/WebhookReceiver.dll --environment Production --urls "$url" \
    --Webhooks:GitHub:Secret "$secret" --Webhooks:Stripe:Secret whsec_dev_stripe_secret --Webhooks:GitHub:DeduplicateByBody false "$@") &
}

# The in-memory stores sized for a benchmark instead of their defaults (100,000 events, 400,000 idempotency keys).
in_memory_sized=(--Webhooks:InMemory:MaxEvents 10000000 --Webhooks:InMemory:MaxBytes 34359738368 --Webhooks:InMemory:MaxIdempotencyKeys 20000000)

wait_ready() {
  for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$1/webhooks/github" || true)" != "000" ] && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2
  return 1
}

# wrk on core $1 against $2 for $3 with $4 connections: prints the script's RESULT line.
load_on() { taskset -c "$1" wrk -t1 -c"$4" -d"$3" --latency -s benchmarks/http/github.lua "$2" | grep '^RESULT'; }
field() { sed -E "s/.* $1=([-0-9.]+).*/\1/"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
