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

# Deliveries shaped like GitHub's pushes: 4,096 distinct bodies of about 2 KB (a push of three commits), each with its
# X-Hub-Signature-256 and X-Hub-Signature, one per line in a file the wrk script reads; each request takes the next and a new
# delivery id, and carries the 12 headers GitHub sends.
WEBHOOK_PAYLOADS=$(mktemp --suffix=.payloads)
python3 - "$secret" "$WEBHOOK_PAYLOADS" <<'PY'
import hashlib, hmac, json, sys
secret, path = sys.argv[1].encode(), sys.argv[2]
with open(path, "w") as out:
    for i in range(4096):
        sha = hashlib.sha1(str(i).encode()).hexdigest()
        commits = [{"id": sha, "tree_id": sha, "distinct": True,
                    "message": f"Change {i}.{c}: update the README with the new build steps and fix the links",
                    "timestamp": "2026-12-07T12:00:00Z", "url": f"https://github.com/octo/bench/commit/{sha}",
                    "author": {"name": "Monalisa Octocat", "email": "support@github.com", "username": "octocat"},
                    "added": [], "removed": [], "modified": ["README.md", "docs/build.md"]} for c in range(3)]
        body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": sha,
                           "repository": {"id": 1296269, "name": "bench", "full_name": "octo/bench", "private": False,
                                          "owner": {"login": "octo", "id": 1, "type": "User"},
                                          "html_url": "https://github.com/octo/bench", "default_branch": "main",
                                          "pushed_at": 1700000000 + i},
                           "pusher": {"name": "octocat", "email": "octocat@github.com"},
                           "sender": {"login": "octocat", "id": 1, "type": "User"},
                           "created": False, "deleted": False, "forced": False,
                           "compare": f"https://github.com/octo/bench/compare/{sha[:12]}",
                           "commits": commits, "head_commit": commits[-1]}, separators=(",", ":"))
        sig256 = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        sig1 = hmac.new(secret, body.encode(), hashlib.sha1).hexdigest()
        out.write(f"sha256={sig256} sha1={sig1} {body}\n")
PY
export WEBHOOK_PAYLOADS

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
# Information logging, its handlers running; further arguments are passed on. The 4,096 bodies come round again under new
# delivery ids, so deduplication by body is off: each request is a new delivery.
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
