#!/usr/bin/env bash
# The durable path attacked as a production fleet fails, at scale: three receiver processes (the Webhooks.Chaos program) on one
# redis-server of their own (append-only, fsync always), 30,000 signed GitHub pushes (distinct 2 KB bodies, GitHub's headers)
# sent by 16 senders that send a refused or unanswered delivery again to another receiver, 10 % sent again once acknowledged,
# 20 % of handler runs failing, three receivers killed with SIGKILL (and started again) and Redis stopped for 5 seconds, a
# two-second lease. Each run prints one JSON line: deliveries acknowledged, lost (acknowledged but not stored), dead, not
# processed, processed without an effect, effects made twice, the allowance for them, and the time taken.
#
#   benchmarks/chaos/run.sh                              # 3 runs of 30,000 deliveries, 3 kills, one 5-second outage
#   RUNS=1 DELIVERIES=2000 KILLS=2 OUTAGE_SECONDS=1 benchmarks/chaos/run.sh
#   STORE=postgres benchmarks/chaos/run.sh               # the same on a PostgreSQL 15 cluster (crashed instead of stopped)
#
# On Redis a handler's effect is an INCR in database 1; an effect made twice means its handler ran again after an attempt was
# interrupted (the process killed, or Redis stopped, between the effect and the record of the handler's success). On PostgreSQL
# the effect is a row written in the transaction that records the handler's success, so none may be made twice.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${RUNS:-3}
deliveries=${DELIVERIES:-30000}
kills=${KILLS:-3}
outage_seconds=${OUTAGE_SECONDS:-5}
store=${STORE:-redis}

command -v redis-server >/dev/null || { echo "redis-server is required (apt-get install redis-server)" >&2; exit 1; }
[ "$store" != postgres ] || [ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "PostgreSQL 15 is required (apt-get install postgresql)" >&2; exit 1; }
mkdir -p artifacts
dotnet build tests/Webhooks.Chaos -c Release >/dev/null
for run in $(seq 1 "$runs"); do
  dotnet tests/Webhooks.Chaos/bin/Release/net10.0/Webhooks.Chaos.dll run --store "$store" --deliveries "$deliveries" --receivers 3 --kills "$kills" \
    --outages 1 --outage-seconds "$outage_seconds" --fail-rate 0.2 --resend 0.1 --lease 00:00:02 --concurrency 4 \
    --deadline-seconds 900 2>"artifacts/chaos-$run.log" || true
done
