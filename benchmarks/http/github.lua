-- wrk script: signed GitHub push deliveries shaped like GitHub's (about 2 KB, distinct bodies, the headers GitHub sends: 12 with
-- the Host and Content-Length that wrk adds),
-- each under a new X-GitHub-Delivery id. The bodies and their signatures come from the file WEBHOOK_PAYLOADS names (common.sh
-- makes it), one "sha256=<hex> sha1=<hex> <body>" per line; each thread starts at its own place in them.
-- Every response that is not 202 is counted and printed, so a run that was not all "accepted, new" shows it.

local threads = {}

function setup(thread)
  thread:set("prefix", string.format("bench-%d-%d-", os.time(), #threads))
  thread:set("offset", #threads * 997)
  table.insert(threads, thread)
end

function init(args)
  payloads = {}
  for line in io.lines(os.getenv("WEBHOOK_PAYLOADS")) do
    local sig256, sig1, body = line:match("^(%S+) (%S+) (.*)$")
    table.insert(payloads, { sig256 = sig256, sig1 = "sha1=" .. sig1:sub(6), body = body })
  end
  counter = 0
  not_accepted = 0
end

function request()
  counter = counter + 1
  local p = payloads[((counter + offset) % #payloads) + 1]
  local headers = {
    ["Accept"] = "*/*",
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/5e6e8d1",
    ["X-GitHub-Delivery"] = prefix .. counter,
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Hook-ID"] = "292430182",
    ["X-GitHub-Hook-Installation-Target-ID"] = "79929171",
    ["X-GitHub-Hook-Installation-Target-Type"] = "repository",
    ["X-Hub-Signature"] = p.sig1,
    ["X-Hub-Signature-256"] = p.sig256,
  }
  return wrk.format("POST", "/webhooks/github", headers, p.body)
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
