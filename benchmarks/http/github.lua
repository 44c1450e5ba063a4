-- wrk script: 1 KB signed GitHub push deliveries, each under a new X-GitHub-Delivery id.
-- The body and its X-Hub-Signature-256 come from the environment (WEBHOOK_BODY, WEBHOOK_SIGNATURE; run.sh computes them).
-- Every response that is not 202 is counted and printed, so a run that was not all "accepted, new" shows it.

local threads = {}

function setup(thread)
  thread:set("prefix", string.format("bench-%d-%d-", os.time(), #threads))
  table.insert(threads, thread)
end

function init(args)
  body = os.getenv("WEBHOOK_BODY")
  signature = os.getenv("WEBHOOK_SIGNATURE")
  counter = 0
  not_accepted = 0
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = prefix .. counter,
    ["X-Hub-Signature-256"] = signature,
  }
  return wrk.format("POST", "/webhooks/github", headers, body)
end

function response(status, headers, body)
  if status ~= 202 then
    not_accepted = not_accepted + 1
  end
end

function done(summary, latency, requests)
  local missed = 0
  for _, thread in ipairs(threads) do
    missed = missed + thread:get("not_accepted")
  end

  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f not_202=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, missed))
end
