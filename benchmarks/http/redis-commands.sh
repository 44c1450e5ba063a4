#!/usr/bin/env bash
# What Redis does for one delivery to the sample receiver on Redis, command by command: the receiver (and its redis-server) on
# one core, wrk on the other, a warm-up whose backlog is worked off, then one measured load of DURATION, after which the backlog
# is worked off again; Redis's INFO commandstats over that load and its processing, divided by the accepted deliveries.
# EVALSHA's time includes the commands its scripts run, which are also listed on their own lines.
#
#   benchmarks/http/redis-commands.sh              # 30 s warm-up, 10 s measured, 64 connections
#   WARMUP=60s DURATION=20s benchmarks/http/redis-commands.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/http/common.sh
source benchmarks/http/common.sh
warmup=${WARMUP:-30s}
port=6397
url=http://127.0.0.1:5197

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
build_servers

taskset -c "$server_core" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" flushall >/dev/null
start_receiver "$server_core" "$url" --redis "127.0.0.1:$port" >/dev/null 2>&1
receiver=$!
trap 'kill $receiver 2>/dev/null || true; wait 2>/dev/null; redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
wait_ready "$url"

# Nothing queued, in progress or waiting for a retry.
idle() {
  local status
  for status in queued processing failed; do
    curl -s "$url/webhooks/admin/events?status=$status&limit=1" | grep -q '"events":\[\]' || return 1
  done
}

load_on "$load_core" "$url" "$warmup" "$connections" >/dev/null
until idle; do sleep 0.5; done
redis-cli -p "$port" config resetstat >/dev/null
result=$(load_on "$load_core" "$url" "$duration" "$connections")
echo "$result"
until idle; do sleep 0.5; done
accepted=$(( $(field requests <<<"$result") - $(field not_202 <<<"$result") ))
printf '%-22s %10s %12s %10s\n' command calls/deliv "µs/delivery" "µs/call"
redis-cli -p "$port" info commandstats | tr -d '\r' | awk -F'[:=,]' -v n="$accepted" '/^cmdstat_/ {
    sub(/^cmdstat_/, "", $1); if ($3 / n >= 0.005) printf "%-22s %10.2f %12.1f %10.2f\n", $1, $3 / n, $5 / n, $7 }' | sort -k3 -nr
redis-cli -p "$port" info stats | tr -d '\r' | awk -F: -v n="$accepted" '/^total_commands_processed:/ { printf "all commands per delivery: %.1f\n", $2 / n }'
