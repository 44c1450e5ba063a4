// Writes the signature test vectors with the providers' own SDKs, one JSON file per provider beside this script, naming the
// SDK and its version. The tests read the files; run this only to regenerate them:
//
//   cd tests/vectors && npm ci && node generate.mjs
//
// Each case: the secrets the receiver holds, the headers a sender's SDK made, the body as base64 (byte-exact), the receiver's
// clock in Unix seconds, and the result the receiver must give (a SignatureVerificationResult name).
import { readFileSync, writeFileSync } from "node:fs";
import { sign as signGitHub } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";

// The installed version, read from node_modules (some packages do not export their package.json).
const versionOf = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

const now = 1765108800; // 2025-12-07T12:00:00Z, the receiver's clock in every case
const push = JSON.stringify({
  ref: "refs/heads/main",
  after: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
  repository: { id: 1296269, full_name: "octo/bench" },
  head_commit: { message: "Grüße: update the README ✓", author: { name: "Monalisa Octocat" } },
});
// Changes one signed byte: the first property name gets an x.
const tampered = (text) => "{\"x" + text.slice(2);
const b64 = (text) => Buffer.from(text, "utf8").toString("base64");

function write(provider, sdk, cases) {
  const file = new URL(`./${provider}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify({ provider, sdk, version: versionOf(sdk), cases }, null, 2) + "\n");
  console.log(`${provider}: ${cases.length} cases from ${sdk} ${versionOf(sdk)}`);
}

// GitHub: X-Hub-Signature-256 over the body; no timestamp.
{
  const secret = "It's a Secret to Everybody";
  const signature = await signGitHub(secret, push);
  const hello = await signGitHub(secret, "Hello, World!");
  const identity = { "X-GitHub-Event": "push", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "Content-Type": "application/json" };
  write("github", "@octokit/webhooks-methods", [
    { name: "valid", secrets: [secret], headers: { ...identity, "X-Hub-Signature-256": signature }, body: b64(push), now, expected: "Valid", read: { id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", type: "push" } },
    { name: "documented example", secrets: [secret], headers: { "X-Hub-Signature-256": hello }, body: b64("Hello, World!"), now, expected: "Valid" },
    { name: "tampered body", secrets: [secret], headers: { "X-Hub-Signature-256": signature }, body: b64(tampered(push)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["another secret"], headers: { "X-Hub-Signature-256": signature }, body: b64(push), now, expected: "Mismatch" },
    { name: "rotation: old and new secret held", secrets: ["the new secret", secret], headers: { "X-Hub-Signature-256": signature }, body: b64(push), now, expected: "Valid" },
    { name: "no signature", secrets: [secret], headers: {}, body: b64(push), now, expected: "Missing" },
  ]);
}

// Stripe: Stripe-Signature t=…,v1=… over "{t}.{body}", keyed with the whole whsec_ string; 300 s either way.
{
  const stripe = new Stripe("sk_test_vectors");
  const push = JSON.stringify({
    id: "evt_1QvectorsStripe0001", object: "event", api_version: "2024-06-20", created: now, type: "payment_intent.succeeded", livemode: false,
    data: { object: { id: "pi_3QvectorsStripe", object: "payment_intent", amount: 2000, currency: "eur", status: "succeeded" } },
  });
  const secret = "whsec_vectors_0a1b2c3d4e5f";
  const header = (timestamp, key = secret) => stripe.webhooks.generateTestHeaderString({ payload: push, secret: key, timestamp });
  const rolled = header(now, "whsec_vectors_new") + "," + header(now).split(",").filter((p) => p.startsWith("v1=")).join(",");
  write("stripe", "stripe", [
    { name: "valid", secrets: [secret], headers: { "Stripe-Signature": header(now) }, body: b64(push), now, expected: "Valid", read: { id: "evt_1QvectorsStripe0001", type: "payment_intent.succeeded" } },
    { name: "tampered body", secrets: [secret], headers: { "Stripe-Signature": header(now) }, body: b64(tampered(push)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["whsec_vectors_other"], headers: { "Stripe-Signature": header(now) }, body: b64(push), now, expected: "Mismatch" },
    { name: "expired (301 s old)", secrets: [secret], headers: { "Stripe-Signature": header(now - 301) }, body: b64(push), now, expected: "Expired" },
    { name: "from the future (301 s ahead)", secrets: [secret], headers: { "Stripe-Signature": header(now + 301) }, body: b64(push), now, expected: "FutureTimestamp" },
    { name: "rotation: signed with both, receiver holds the old", secrets: [secret], headers: { "Stripe-Signature": rolled }, body: b64(push), now, expected: "Valid" },
  ]);
}

// Standard Webhooks and Svix: "{id}.{timestamp}.{body}", keyed with base64 after whsec_; 300 s either way. Svix sends the same
// scheme under svix-* header names.
for (const [provider, sdk, Webhook, prefix] of [
  ["standardwebhooks", "standardwebhooks", StandardWebhook, "webhook"],
  ["svix", "svix", SvixWebhook, "svix"],
]) {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const other = "whsec_" + Buffer.from("another key of twenty-four").toString("base64");
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const push = JSON.stringify({ type: "invoice.paid", timestamp: "2025-12-07T12:00:00Z", data: { invoice: "in_1042", amount: 4200, note: "Grüße ✓" } });
  const headers = (timestamp, key = secret) => ({
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: new Webhook(key).sign(id, new Date(timestamp * 1000), push),
  });
  const both = headers(now);
  both[`${prefix}-signature`] = new Webhook(other).sign(id, new Date(now * 1000), push) + " " + both[`${prefix}-signature`];
  write(provider, sdk, [
    { name: "valid", secrets: [secret], headers: headers(now), body: b64(push), now, expected: "Valid", read: { id, type: "invoice.paid" } },
    { name: "tampered body", secrets: [secret], headers: headers(now), body: b64(tampered(push)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: [other], headers: headers(now), body: b64(push), now, expected: "Mismatch" },
    { name: "other message id", secrets: [secret], headers: { ...headers(now), [`${prefix}-id`]: "msg_other" }, body: b64(push), now, expected: "Mismatch" },
    { name: "expired (301 s old)", secrets: [secret], headers: headers(now - 301), body: b64(push), now, expected: "Expired" },
    { name: "from the future (301 s ahead)", secrets: [secret], headers: headers(now + 301), body: b64(push), now, expected: "FutureTimestamp" },
    { name: "rotation: two signatures, receiver holds one", secrets: [secret], headers: both, body: b64(push), now, expected: "Valid" },
  ]);
}
