#!/usr/bin/env bash
# What one accepted delivery costs each server, from outside: the floor and the in-memory sample receiver (as run.sh starts
# them, on one core, wrk on the other), each warmed up, then loaded while `perf stat` counts the server's CPU time, context
# switches and page faults; divided by the deliveries accepted meanwhile. The receiver at 0.8x the floor's throughput would
# have 1.25x the floor's CPU time per delivery to spend (the server's core is saturated in both cases): the script prints that
# budget beside what the receiver spends. With PROFILE=1 it also samples the receiver's stacks with `perf record` during one
# more round and prints the share of its CPU spent in page faults (`exc_page_fault`, mostly the first touch of new memory for
# the events it keeps) and in the endpoint, the dispatcher and the stores.
#
#   benchmarks/http/cost.sh                        # 60 s warm-up, then 3 rounds of 10 s each, 64 connections
#   ROUNDS=5 WARMUP=90s PROFILE=1 benchmarks/http/cost.sh
#   RECEIVER_ARGS="--Webhooks:ProcessedRetention 00:01:00" WARMUP=100s benchmarks/http/cost.sh
#
# RECEIVER_ARGS adds configuration to the receiver's command line; with a retention shorter than the warm-up, processed events
# are removed as fast as new ones arrive, so the rounds measure a receiver whose memory is reused rather than newly touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/http/common.sh
source benchmarks/http/common.sh

rounds=${ROUNDS:-3}
profile=${PROFILE:-0}
read -r -a receiver_args <<<"${RECEIVER_ARGS:-}"
receiver_config=("${in_memory_sized[@]}" "${receiver_args[@]}")
url=http://127.0.0.1:5194

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
build_servers

seconds=${duration%s}
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

# One round against the server $1 (a pid): perf stat over the load's middle, then the counts per accepted delivery.
round() {
  perf stat -e task-clock,context-switches,page-faults -x, -o "$work/stat" -p "$1" -- sleep $((seconds - 2)) &
  local stat=$!
  local result
  result=$(load_on "$load_core" "$url" "$duration" "$connections")
  wait "$stat"
  awk -F, -v rps="$(field rps <<<"$result")" -v s=$((seconds - 2)) '
    /task-clock/ { ms = $1 } /context-switches/ { cs = $1 } /page-faults/ { pf = $1 }
    END { n = rps * s; printf "rps=%.0f cpu_us=%.2f switches=%.3f faults=%.3f\n", rps, 1000 * ms / n, cs / n, pf / n }' "$work/stat"
}

# perf's share of the receiver's samples (inclusive) whose stacks pass through a symbol matching $1.
share() { awk -v pattern="$1" 'index($0, pattern) { sum += $1 } END { printf "%.1f", sum }' "$work/report"; }

for who in floor receiver; do
  # The servers' own output is not shown: only the figures.
  if [ "$who" = floor ]; then start_floor "$server_core" "$url" >/dev/null; else start_receiver "$server_core" "$url" "${receiver_config[@]}" >/dev/null; fi
  server=$!
  wait_ready "$url"
  pid=$(pgrep -f -- "--urls $url" | head -1)
  load_on "$load_core" "$url" "$warmup" "$connections" >/dev/null
  for r in $(seq 1 "$rounds"); do
    line=$(round "$pid")
    echo "round $r $who $line"
    echo "$who $line" >>"$work/results"
  done
  if [ "$who" = receiver ] && [ "$profile" = 1 ]; then
    kill "$server"; wait "$server" 2>/dev/null || true
    # Again with the runtime writing a map of its compiled code, so that perf can name managed frames.
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 start_receiver "$server_core" "$url" "${receiver_config[@]}" >/dev/null
    server=$!
    wait_ready "$url"
    pid=$(pgrep -f -- "--urls $url" | head -1)
    load_on "$load_core" "$url" "$warmup" "$connections" >/dev/null
    perf record -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep $((seconds - 2)) >/dev/null 2>&1 &
    recorder=$!
    load_on "$load_core" "$url" "$duration" "$connections" >/dev/null
    wait "$recorder"
    perf report -i "$work/perf.data" --children --sort sym -g none --stdio 2>/dev/null | grep -v '^#' | sed -E 's/^ *([0-9.]+)% +[0-9.]+% +/\1 /' >"$work/report"
    echo "receiver profile: page faults $(share '[k] exc_page_fault')%, of which zeroing new pages $(share '[k] clear_page_erms')%;" \
      "endpoint $(share 'WebhookEndpointHandler+<HandleAsync>')% (reading the body $(share 'WebhookEndpointHandler+<ReadBodyAsync>')%);" \
      "dispatcher $(share 'WebhookDispatcher::RunAttemptAsync')%"
  fi
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
done

for who in floor receiver; do
  for f in rps cpu_us switches faults; do
    eval "${who}_$f=$(grep "^$who " "$work/results" | field "$f" | median)"
  done
  echo "median $who rps=$(eval echo "\$${who}_rps") cpu_us=$(eval echo "\$${who}_cpu_us") switches=$(eval echo "\$${who}_switches") faults=$(eval echo "\$${who}_faults")"
done
awk -v f="$floor_cpu_us" -v r="$receiver_cpu_us" -v fr="$floor_rps" -v rr="$receiver_rps" 'BEGIN {
  printf "receiver/floor throughput=%.2f cpu_per_delivery=%.2fx; the receiver spends %.1f us per delivery beyond the floor, 0.8x the floor leaves it %.1f us\n",
    rr / fr, r / f, r - f, f / 0.8 - f }'
