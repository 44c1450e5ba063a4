#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs what the tests need, builds, tests, and prints a summary line.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1 \
  || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  # The Redis and PostgreSQL tests run against real servers that their fixtures start on loopback ports (never skipped).
  apt-get update -qq && apt-get install -y -qq curl python3 redis-server postgresql >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is required (dotnet was not found on PATH)." >&2
  exit 1
fi

results=artifacts/test-results
rm -rf "$results"

dotnet build Webhooks.Core.sln -c Release
status=0
dotnet test Webhooks.Core.sln -c Release --no-build --logger trx --results-directory "$results" || status=$?

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p))
  failed=$((failed + f))
done

# Packages: pack them, then build throwaway apps that reference the packages (not the projects) and hold the C# snippets of
# the README and docs/, so that a missing dependency or a snippet that does not compile fails here.
pack_check() {
  local version="0.1.0-check.$(date +%s)"
  local packages="$PWD/artifacts/packages"
  local consumer="$PWD/artifacts/consumer"
  rm -rf "$packages" "$consumer"
  dotnet pack Webhooks.Core.sln -c Release --no-build -o "$packages" -p:Version="$version" >/dev/null || { echo "pack failed"; return 1; }
  for id in Webhooks.Core Webhooks.AspNetCore Webhooks.Redis Webhooks.PostgreSql Webhooks.Testing Webhooks.Sender Webhooks.Sender.AspNetCore Webhooks.Sender.Redis; do
    [ -f "$packages/$id.$version.nupkg" ] && [ -f "$packages/$id.$version.snupkg" ] || { echo "missing package $id"; return 1; }
    python3 - "$packages/$id.$version.nupkg" "$id" <<'PY' || return 1
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["README.md", f"lib/net10.0/{sys.argv[2]}.dll", f"lib/net10.0/{sys.argv[2]}.xml"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"{sys.argv[2]} package lacks {missing}")
PY
  done

  # Two outside applications: the receiver's Program.cs on Webhooks.AspNetCore and Webhooks.Testing, the sender's on
  # Webhooks.Sender.AspNetCore and Webhooks.Sender.Redis (which bring Webhooks.Sender, Webhooks.Core and Webhooks.Redis).
  consumer_check "$consumer/receiver" README.md program "Webhooks.AspNetCore Webhooks.Testing" || return 1
  consumer_check "$consumer/sender" docs/sending.md sender-program "Webhooks.Sender.AspNetCore Webhooks.Sender.Redis" || return 1

  # No shipped package reads another's internals: InternalsVisibleTo names test projects only.
  local leaks
  leaks=$(grep -ho 'InternalsVisibleTo Include="[^"]*"' src/*/*.csproj | grep -v '\.Tests"' || true)
  [ -z "$leaks" ] || { echo "a shipped package opens its internals to another: $leaks"; return 1; }

  # Every other C# snippet of the docs, as a program of its own on all the packages; and no C# block outside a snippet.
  local page name all="Webhooks.AspNetCore Webhooks.Redis Webhooks.PostgreSql Webhooks.Testing Webhooks.Sender.AspNetCore Webhooks.Sender.Redis"
  for page in README.md docs/*.md; do
    [ "$(grep -c '^ *```csharp' "$page")" -eq "$(grep -c '^<!-- snippet: ' "$page")" ] || { echo "$page has a C# block outside a snippet"; return 1; }
    for name in $(sed -n 's/^<!-- snippet: \([a-z0-9-]*\).*/\1/p' "$page"); do
      [ "$name" = program ] || [ "$name" = sender-program ] && continue
      consumer_check "$consumer/$name" "$page" "$name" "$all" || return 1
    done
  done
}

# Builds the snippet $3 of the page $2 as Program.cs of an app in $1 that references the packages $4 (version $version from
# $packages).
consumer_check() {
  local dir=$1 page=$2 snippet=$3 references="" id
  mkdir -p "$dir"
  # Stop MSBuild from importing this repository's props: the consumer is an outside application.
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$dir/$f"; done
  echo 'root = true' > "$dir/.editorconfig"
  cat > "$dir/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-check" value="$packages" />
  </packageSources>
</configuration>
XML
  for id in $4; do references="$references    <PackageReference Include=\"$id\" Version=\"$version\" />
"; done
  cat > "$dir/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
$references  </ItemGroup>
</Project>
XML
  sed -n "/<!-- snippet: $snippet[ >]/,/<!-- \/snippet -->/p" "$page" | sed '1d;$d' | sed '/^```/d' > "$dir/Program.cs"
  [ -s "$dir/Program.cs" ] || { echo "$page has no $snippet snippet"; return 1; }
  dotnet build "$dir/Consumer.csproj" -c Release >"$dir/build.log" 2>&1 || { echo "the $snippet snippet of $page does not build on the packages:"; tail -30 "$dir/build.log"; return 1; }
}

# One delivery of each other provider from the sample sender, signed as that provider signs: each must be saved.
send_providers() {
  local provider
  for provider in shopify slack twilio paddle linear square zoom twitch gitlab discord sendgrid; do
    dotnet run --no-build -c Release --project samples/WebhookSender -- "$provider" --url "$1/webhooks/$provider" | tee -a artifacts/sender.log | grep -q '"status":"queued"' \
      || { echo "the sample sender's $provider delivery was not saved"; return 1; }
  done
}

# The samples as a user runs them: the receiver on loopback, signed deliveries from the sender (a GitHub push both as JSON and
# form-encoded, and one of each other provider), then the admin endpoint: all fourteen sources processed, none failed or dead.
sample_check() {
  local url="http://127.0.0.1:5091"
  dotnet run --no-build -c Release --project samples/WebhookReceiver -- --urls "$url" --environment Development >artifacts/receiver.log 2>&1 &
  local pid=$!
  local ok=1
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$url/webhooks/admin/events" && { ok=0; break; }
    sleep 0.2
  done
  if [ $ok -eq 0 ]; then
    ok=1
    dotnet run --no-build -c Release --project samples/WebhookSender -- github --url "$url/webhooks/github" | tee artifacts/sender.log | grep -q '"status":"queued"' \
      && dotnet run --no-build -c Release --project samples/WebhookSender -- github --form --url "$url/webhooks/github" | grep -q '"status":"queued"' \
      && dotnet run --no-build -c Release --project samples/WebhookSender -- stripe --url "$url/webhooks/stripe" | grep -q '"status":"queued"' \
      && dotnet run --no-build -c Release --project samples/WebhookSender -- acme --url "$url/webhooks/acme" | grep -q '"status":"queued"' \
      && send_providers "$url" \
      && dotnet run --no-build -c Release --project samples/WebhookSender -- publish --url "$url/webhooks/acme" --count 3 | tee artifacts/publish.log | grep -q '^3 of 3 delivered$' \
      && sleep 1 \
      && curl -s "$url/webhooks/admin/events?status=processed" | grep -q '"type":"payment_intent.succeeded"' \
      && curl -s "$url/webhooks/admin/events?status=processed" | grep -q '"type":"invoice.paid"' \
      && curl -s "$url/webhooks/admin/events?status=processed&limit=100" | grep -o '"source":"[a-z]*"' | sort -u | wc -l | grep -qx 14 \
      && curl -s "$url/webhooks/admin/events?status=failed" | grep -q '"events":\[\]' \
      && curl -s "$url/webhooks/admin/events?status=dead" | grep -q '"events":\[\]' \
      && curl -s "$url/health" | grep -q '^Healthy$' \
      && ok=0
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ $ok -eq 0 ] || { echo "sample check failed"; tail -20 artifacts/receiver.log; return 1; }

  # The same receiver on Redis (--redis host:port): a delivery accepted, processed, and its keys in Redis.
  local redis_port=6391
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  dotnet run --no-build -c Release --project samples/WebhookReceiver -- --urls "$url" --environment Development --redis "127.0.0.1:$redis_port" >artifacts/receiver-redis.log 2>&1 &
  pid=$!
  ok=1
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$url/webhooks/admin/events" && { ok=0; break; }
    sleep 0.2
  done
  if [ $ok -eq 0 ]; then
    ok=1
    dotnet run --no-build -c Release --project samples/WebhookSender -- github --url "$url/webhooks/github" | grep -q '"status":"queued"' \
      && dotnet run --no-build -c Release --project samples/WebhookSender -- github --url "$url/webhooks/github" --repeat-id | grep -q '"status":"duplicate"' \
      && sleep 1 \
      && curl -s "$url/webhooks/admin/events?status=processed" | grep -q '"type":"push"' \
      && [ "$(redis-cli -p "$redis_port" --scan --pattern 'webhooks:{p*}:evt:github:*' | wc -l)" -ge 1 ] \
      && listed=$(dotnet run --no-build -c Release --project samples/WebhookReceiver -- events list --status processed --redis "127.0.0.1:$redis_port") \
      && grep -q $'\tprocessed\tpush\t' <<<"$listed" \
      && refused=$(dotnet run --no-build -c Release --project samples/WebhookReceiver -- events list 2>&1 || true) \
      && grep -q 'cannot reach them' <<<"$refused" \
      && ok=0
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  [ $ok -eq 0 ] || { echo "sample check on Redis failed"; tail -20 artifacts/receiver-redis.log; return 1; }
}

# Native AOT: publishing fails on any trimming or AOT warning in the libraries; the binary then receives one signed delivery.
aot_check() {
  dotnet publish tests/Webhooks.AotTest -c Release -r linux-x64 -o artifacts/aot >artifacts/aot-publish.log 2>&1 || { grep -E "warning|error" artifacts/aot-publish.log | tail -20; return 1; }
  ./artifacts/aot/Webhooks.AotTest || return 1
  local redis_port=6392
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  local status=0
  ./artifacts/aot/Webhooks.AotTest --redis "127.0.0.1:$redis_port" || status=$?
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  return $status
}

checks=0
if pack_check; then checks=$((checks + 1)); echo "Packages and doc snippets: passed"; else failed=$((failed + 1)); echo "Packages and doc snippets: FAILED"; fi
if sample_check; then checks=$((checks + 1)); echo "Samples: passed"; else failed=$((failed + 1)); echo "Samples: FAILED"; fi
if aot_check; then checks=$((checks + 1)); echo "Native AOT: passed"; else failed=$((failed + 1)); echo "Native AOT: FAILED"; fi
passed=$((passed + checks))

echo "Tests: ${passed} passed, ${failed} failed"

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
