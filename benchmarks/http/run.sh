#!/usr/bin/env bash
# End-to-end receiving throughput, measured from outside with wrk on loopback: the sample receiver (in-memory stores, its
# handlers running) next to the floor (a bare minimal API on the same host defaults that reads the body, verifies the HMAC and
# answers 202). Both servers run on one core, wrk on the other; they are measured in alternating rounds so that the noise of a
# shared machine falls on both alike, and the medians are compared.
#
#   benchmarks/http/run.sh                         # 60 s warm-up each, then 5 rounds of 10 s each, 64 connections
#   ROUNDS=7 DURATION=15s WARMUP=90s CONNECTIONS=128 benchmarks/http/run.sh   # DURATION in whole seconds
#   REDIS=1 benchmarks/http/run.sh                 # also the sample receiver on Redis (a redis-server on the server core)
#   REDIS=1 REDIS_DRAIN=1800 benchmarks/http/run.sh   # seconds the Redis receiver may take to work off a backlog (900)
#   REDIS=1 PEERS=1 benchmarks/http/run.sh         # also the receivers a team would write instead (benchmarks/Webhooks.Peers):
#                                                  # Hangfire on Redis, and LPUSH with workers on BRPOP, each on its own
#                                                  # redis-server on the server core
#   POSTGRES=1 benchmarks/http/run.sh              # also the sample receiver on PostgreSQL 15 (a cluster on the server core,
#                                                  # fsync and synchronous_commit on); with PEERS=1 also Hangfire on
#                                                  # Hangfire.PostgreSql in its own database of that cluster
#
# The warm-up is long because on one busy core the runtime's tiered compilation finishes late: 20 s into a load the receiver
# was still compiling optimised code (a fifth of its CPU time on Redis), and its first measured rounds ran at half speed.
#
# The deliveries are shaped like GitHub's pushes (about 2 KB, 4,096 distinct bodies, the headers GitHub sends; common.sh). The
# bodies come round again under new delivery ids, so the receivers run with Webhooks:GitHub:DeduplicateByBody off: each
# request is then a new delivery, stored and processed.
#
# Prints every round, then the medians: accepted deliveries per second, for the receivers also the deliveries per second they
# sustain (accepted over the time until all of them were processed), p50/p99 latency, the share of each round's time that the
# server spent paused in garbage collection (read with dotnet-counters, installed as a .NET tool when missing), the ratios
# receiver/floor, the memory the receiver grew by per stored event, and whether every accepted delivery was processed. For the
# Redis receiver also what Redis did per accepted delivery, from arrival until processed: commands (those inside scripts
# included), CPU time, and memory kept.
# Responses other than 202 are counted.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/http/common.sh
source benchmarks/http/common.sh

rounds=${ROUNDS:-5}
floor_url=http://127.0.0.1:5191
receiver_url=http://127.0.0.1:5192
redis_url=http://127.0.0.1:5193
redis_port=6394
hangfire_url=http://127.0.0.1:5195
hangfire_port=6395
list_url=http://127.0.0.1:5196
list_port=6396
with_redis=${REDIS:-0}
with_peers=${PEERS:-0}
with_postgres=${POSTGRES:-0}
postgres_url=http://127.0.0.1:5197
hangfirepg_url=http://127.0.0.1:5198
postgres_port=5437
[ "$with_peers" = 1 ] && [ "$with_postgres" = 0 ] && with_redis=1
redis_drain=${REDIS_DRAIN:-900}  # seconds the Redis receiver may take to work off its backlog

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters >/dev/null
if [ "$with_redis" = 1 ] || [ "$with_peers" = 1 ]; then command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }; fi
if [ "$with_postgres" = 1 ]; then [ -x /usr/lib/postgresql/15/bin/initdb ] || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }; fi
build_servers
[ "$with_peers" = 1 ] && dotnet build -c Release benchmarks/Webhooks.Peers/Webhooks.Peers.csproj >/dev/null
[ "$with_postgres" = 1 ] && dotnet build -c Release samples/WebhookReceiver/WebhookReceiver.csproj >/dev/null

# Waits until a receiver ($1) has nothing queued, in progress or waiting for a retry; "no" if that does not happen within $2
# seconds (120 unless given), or if any is dead.
drained() {
  local deadline=$(( $(date +%s) + ${2:-120} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local busy=0
    for status in queued processing failed; do
      curl -s "$1/webhooks/admin/events?status=$status&limit=1" | grep -q '"events":\[\]' || busy=1
    done
    if [ $busy -eq 0 ]; then
      curl -s "$1/webhooks/admin/events?status=dead&limit=1" | grep -q '"events":\[\]' && echo yes || echo no
      return
    fi
    sleep 0.2
  done
  echo no
}

# Waits until a peer ($1) has processed all it handed off; "no" if that does not happen within $2 seconds.
peer_drained() {
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    curl -s "$1/peer/backlog" | awk '{ exit !($2 >= $1) }' && { echo yes; return; }
    sleep 0.2
  done
  echo no
}

load() { load_on "$load_core" "$1" "$2" "$connections"; }
seconds() { sed -E 's/s$//' <<<"$1"; }
# processed_rps: the round's accepted deliveries ($1, wrk's RESULT line) over the time from the round's start ($2) until the
# receiver had processed all of them (called right after drained, whose looks are 0.2 s apart): what the receiver sustains,
# intake and processing together, where accepted/s is only intake.
processed_rate() {
  awk -v n="$(( $(field requests <<<"$1") - $(field not_202 <<<"$1") ))" -v started="$2" -v ended="$(date +%s.%N)" \
    'BEGIN { printf "processed_rps=%.0f", n / (ended - started) }'
}
# Loads $1 for the round's duration while dotnet-counters samples the server ($2, a pid) once a second: prints wrk's RESULT line
# with gc_pause_pct, the percentage of the sampled seconds the server spent paused in garbage collection.
measured() {
  local csv
  csv=$(mktemp --suffix=.csv)
  # The counters session starts a moment after the load and ends a moment before it, so that every sample is under load.
  (sleep 1; dotnet-counters collect -p "$2" --counters System.Runtime --refresh-interval 1 --format csv -o "$csv" \
    --duration "00:00:00:$(( $(seconds "$duration") - 2 ))" >/dev/null 2>&1) &
  local sampler=$!
  local result
  result=$(load "$1" "$duration")
  wait "$sampler" || true
  local pct
  pct=$(awk -F, '$3 ~ /dotnet.gc.pause.time/ { sum += $5; n++ } END { printf "%.1f", n ? 100 * sum / n : -1 }' "$csv")
  rm -f "$csv"
  echo "$result gc_pause_pct=$pct"
}
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
# What the Redis server has done so far: commands processed (those inside scripts included), CPU seconds (user and system), and
# bytes of memory in use, on one line.
redis_totals() {
  redis-cli -p "${1:-$redis_port}" info all | tr -d '\r' | awk -F: '/^total_commands_processed:/ { c = $2 } /^used_cpu_(sys|user):/ { cpu += $2 }
    /^used_memory:/ { m = $2 } END { printf "%d %.6f %d", c, cpu, m }'
}
# Per accepted delivery of a Redis round ($1, wrk's RESULT line), from the totals before ($2) and after it had all been processed
# ($3): Redis commands, Redis CPU time in microseconds, and Redis memory in bytes (the round's events stay stored, processed).
redis_cost() {
  awk -v n="$(( $(field requests <<<"$1") - $(field not_202 <<<"$1") ))" -v before="$2" -v after="$3" 'BEGIN {
    split(before, b, " "); split(after, a, " ");
    printf "redis_ops=%.1f redis_cpu_us=%.1f redis_bytes=%.0f", (a[1] - b[1]) / n, (a[2] - b[2]) * 1e6 / n, (a[3] - b[3]) / n }'
}

start_floor "$server_core" "$floor_url"
floor=$!
start_receiver "$server_core" "$receiver_url" "${in_memory_sized[@]}"
receiver=$!
# A redis-server on port $1 on the server core (persistence off, as a cache-sized test instance), empty and answering.
start_redis() {
  taskset -c "$server_core" redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  # Daemonized, it returns before it listens: wait for it to answer.
  for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$1" flushall >/dev/null
}
# A peer in mode $1 at URL $2 on the Redis at port $3, on the server core, in the background.
start_peer() {
  (cd benchmarks/Webhooks.Peers && exec taskset -c "$server_core" dotnet bin/Release/net10.0/Webhooks.Peers.dll --environment Production \
    --urls "$2" --Peer:Mode "$1" --Peer:Redis "127.0.0.1:$3" --Peer:Secret "$secret" \
    --Logging:LogLevel:Default Information --Logging:LogLevel:Microsoft.AspNetCore Warning --Logging:LogLevel:Hangfire Warning) &
}
# A PostgreSQL 15 cluster on port $postgres_port on the server core, in a temporary folder (as the postgres user when run as
# root), with its durability as deployed: fsync and synchronous_commit on.
pg_dir=
start_postgres() {
  pg_dir=$(mktemp -d)
  local as=()
  [ "$(id -u)" = 0 ] && { chown postgres "$pg_dir"; as=(runuser -u postgres --); }
  "${as[@]}" /usr/lib/postgresql/15/bin/initdb -D "$pg_dir/data" -U postgres -A trust -E UTF8 >/dev/null
  taskset -c "$server_core" "${as[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_dir/data" -l "$pg_dir/log" -w start \
    -o "-p $postgres_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=512MB" >/dev/null
  psql -h 127.0.0.1 -p "$postgres_port" -U postgres -qc 'CREATE DATABASE hangfire' >/dev/null
}
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
pg_connection="Host=127.0.0.1;Port=$postgres_port;Username=postgres;Database=postgres;Maximum Pool Size=64"
redis_receiver= hangfire= list= postgres_receiver= hangfirepg=
redis_ports=
if [ "$with_redis" = 1 ]; then
  start_redis "$redis_port"
  redis_ports=$redis_port
  start_receiver "$server_core" "$redis_url" --redis "127.0.0.1:$redis_port"
  redis_receiver=$!
fi
if [ "$with_postgres" = 1 ]; then
  start_postgres
  start_receiver "$server_core" "$postgres_url" --postgres "$pg_connection"
  postgres_receiver=$!
  if [ "$with_peers" = 1 ]; then
    (cd benchmarks/Webhooks.Peers && exec taskset -c "$server_core" dotnet bin/Release/net10.0/Webhooks.Peers.dll --environment Production \
      --urls "$hangfirepg_url" --Peer:Mode hangfire-postgres --Peer:PostgreSql "${pg_connection/Database=postgres/Database=hangfire}" \
      --Peer:Secret "$secret" --Logging:LogLevel:Default Information --Logging:LogLevel:Microsoft.AspNetCore Warning --Logging:LogLevel:Hangfire Warning) &
    hangfirepg=$!
  fi
fi
if [ "$with_peers" = 1 ] && [ "$with_redis" = 1 ]; then
  start_redis "$hangfire_port"
  start_redis "$list_port"
  redis_ports="$redis_ports $hangfire_port $list_port"
  start_peer hangfire "$hangfire_url" "$hangfire_port"
  hangfire=$!
  start_peer list "$list_url" "$list_port"
  list=$!
fi
trap 'kill $floor $receiver $redis_receiver $hangfire $list $postgres_receiver $hangfirepg 2>/dev/null || true; wait 2>/dev/null; for p in $redis_ports; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done; stop_postgres' EXIT
wait_ready "$floor_url"
wait_ready "$receiver_url"
receiver_pid=$(pgrep -f "WebhookReceiver.dll --environment Production --urls $receiver_url")
floor_pid=$(pgrep -f "Webhooks.Floor.dll --urls $floor_url")
[ "$with_redis" = 1 ] && wait_ready "$redis_url" && redis_receiver_pid=$(pgrep -f "WebhookReceiver.dll --environment Production --urls $redis_url")
if [ "$with_peers" = 1 ] && [ "$with_redis" = 1 ]; then
  wait_ready "$hangfire_url" && hangfire_pid=$(pgrep -f "Webhooks.Peers.dll --environment Production --urls $hangfire_url")
  wait_ready "$list_url" && list_pid=$(pgrep -f "Webhooks.Peers.dll --environment Production --urls $list_url")
fi
[ "$with_postgres" = 1 ] && wait_ready "$postgres_url" && postgres_pid=$(pgrep -f "WebhookReceiver.dll --environment Production --urls $postgres_url")
[ "$with_postgres" = 1 ] && [ "$with_peers" = 1 ] && wait_ready "$hangfirepg_url" && hangfirepg_pid=$(pgrep -f "Webhooks.Peers.dll --environment Production --urls $hangfirepg_url")

load "$floor_url" "$warmup" >/dev/null  # warm-up (the JIT tiers up the hot paths)
load "$receiver_url" "$warmup" >/dev/null
[ "$with_redis" = 1 ] && load "$redis_url" "$warmup" >/dev/null
if [ "$with_peers" = 1 ] && [ "$with_redis" = 1 ]; then
  load "$hangfire_url" "$warmup" >/dev/null
  load "$list_url" "$warmup" >/dev/null
fi
[ "$with_postgres" = 1 ] && load "$postgres_url" "$warmup" >/dev/null
[ "$with_postgres" = 1 ] && [ "$with_peers" = 1 ] && load "$hangfirepg_url" "$warmup" >/dev/null
processed_all=$(drained "$receiver_url")
# The Redis receiver processes slower than it accepts: its warm-up leaves a backlog, which it works off before the rounds
# start, so that a round's sustained rate counts that round's deliveries only.
[ "$with_redis" = 1 ] && redis_processed_all=$(drained "$redis_url" "$redis_drain")
if [ "$with_peers" = 1 ] && [ "$with_redis" = 1 ]; then
  peer_drained "$hangfire_url" "$redis_drain" >/dev/null
  peer_drained "$list_url" "$redis_drain" >/dev/null
fi
[ "$with_postgres" = 1 ] && postgres_processed_all=$(drained "$postgres_url" "$redis_drain")
[ "$with_postgres" = 1 ] && [ "$with_peers" = 1 ] && peer_drained "$hangfirepg_url" "$redis_drain" >/dev/null

results=$(mktemp)
accepted=0
rss_before=$(rss_kib "$receiver_pid")
for round in $(seq 1 "$rounds"); do
  f=$(measured "$floor_url" "$floor_pid"); echo "round $round floor    $f"; echo "floor $f" >>"$results"
  started=$(date +%s.%N)
  r=$(measured "$receiver_url" "$receiver_pid")
  [ "$(drained "$receiver_url")" = yes ] || processed_all=no
  r="$r $(processed_rate "$r" "$started")"; echo "round $round receiver $r"; echo "receiver $r" >>"$results"
  accepted=$((accepted + $(field requests <<<"$r") - $(field not_202 <<<"$r")))
  if [ "$with_redis" = 1 ]; then
    totals=$(redis_totals)
    started=$(date +%s.%N)
    x=$(measured "$redis_url" "$redis_receiver_pid")
    [ "$(drained "$redis_url" "$redis_drain")" = yes ] || redis_processed_all=no
    x="$x $(processed_rate "$x" "$started") $(redis_cost "$x" "$totals" "$(redis_totals)")"; echo "round $round redis    $x"; echo "redis $x" >>"$results"
  fi
  if [ "$with_postgres" = 1 ]; then
    started=$(date +%s.%N)
    x=$(measured "$postgres_url" "$postgres_pid")
    [ "$(drained "$postgres_url" "$redis_drain")" = yes ] || postgres_processed_all=no
    x="$x $(processed_rate "$x" "$started")"; echo "round $round postgres $x"; echo "postgres $x" >>"$results"
    if [ "$with_peers" = 1 ]; then
      started=$(date +%s.%N)
      x=$(measured "$hangfirepg_url" "$hangfirepg_pid")
      [ "$(peer_drained "$hangfirepg_url" "$redis_drain")" = yes ] || echo "round $round hangfirepg did not process all within ${redis_drain} s" >&2
      x="$x $(processed_rate "$x" "$started")"; echo "round $round hangfirepg $x"; echo "hangfirepg $x" >>"$results"
    fi
  fi
  if [ "$with_peers" = 1 ] && [ "$with_redis" = 1 ]; then
    for peer in hangfire list; do
      url=${peer}_url port=${peer}_port pid=${peer}_pid
      totals=$(redis_totals "${!port}")
      started=$(date +%s.%N)
      x=$(measured "${!url}" "${!pid}")
      [ "$(peer_drained "${!url}" "$redis_drain")" = yes ] || echo "round $round $peer did not process all within ${redis_drain} s" >&2
      x="$x $(processed_rate "$x" "$started") $(redis_cost "$x" "$totals" "$(redis_totals "${!port}")")"
      printf 'round %s %-8s %s\n' "$round" "$peer" "$x"; echo "$peer $x" >>"$results"
    done
  fi
done
rss_after=$(rss_kib "$receiver_pid")

whos="floor receiver"
[ "$with_redis" = 1 ] && whos="floor receiver redis"
[ "$with_peers" = 1 ] && [ "$with_redis" = 1 ] && whos="$whos hangfire list"
[ "$with_postgres" = 1 ] && whos="$whos postgres"
[ "$with_postgres" = 1 ] && [ "$with_peers" = 1 ] && whos="$whos hangfirepg"
for who in $whos; do
  rps=$(grep "^$who " "$results" | field rps | median)
  p50=$(grep "^$who " "$results" | field p50_ms | median)
  p99=$(grep "^$who " "$results" | field p99_ms | median)
  gc=$(grep "^$who " "$results" | field gc_pause_pct | median)
  processed=
  [ "$who" != floor ] && processed=" processed_rps=$(grep "^$who " "$results" | field processed_rps | median)"
  case $who in redis|hangfire|list)
    processed="$processed redis_ops=$(grep "^$who " "$results" | field redis_ops | median) redis_cpu_us=$(grep "^$who " "$results" | field redis_cpu_us | median) redis_bytes=$(grep "^$who " "$results" | field redis_bytes | median)" ;;
  esac
  echo "median $who rps=$rps p50_ms=$p50 p99_ms=$p99 gc_pause_pct=$gc$processed"
  eval "${who}_rps=$rps ${who}_p99=$p99"
done
echo "ratio throughput=$(awk "BEGIN { printf \"%.2f\", $receiver_rps / $floor_rps }") p99=$(awk "BEGIN { printf \"%.2f\", $receiver_p99 / $floor_p99 }")"
if [ "$with_redis" = 1 ]; then
  echo "ratio redis/in-memory throughput=$(awk "BEGIN { printf \"%.2f\", $redis_rps / $receiver_rps }") p99=$(awk "BEGIN { printf \"%.2f\", $redis_p99 / $receiver_p99 }") all_accepted_processed=$redis_processed_all"
fi
if [ "$with_postgres" = 1 ]; then
  echo "ratio postgres/in-memory throughput=$(awk "BEGIN { printf \"%.2f\", $postgres_rps / $receiver_rps }") all_accepted_processed=$postgres_processed_all"
fi
echo "receiver memory_growth_bytes_per_stored_event=$(( (rss_after - rss_before) * 1024 / (accepted > 0 ? accepted : 1) )) accepted=$accepted all_accepted_processed=$processed_all"
rm -f "$results"
