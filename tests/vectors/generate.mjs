// Writes the signature test vectors with the providers' own SDKs, one JSON file per provider beside this script, naming the
// SDK and its version. The tests read the files; run this only to regenerate them:
//
//   cd tests/vectors && npm ci && node generate.mjs
//
// Each case: the secrets the receiver holds, the headers a sender's SDK made, the body as base64 (byte-exact), the receiver's
// clock in Unix seconds, and the result the receiver must give (a SignatureVerificationResult name).
import { readFileSync, writeFileSync } from "node:fs";
import { createHash, createHmac, createPrivateKey, createPublicKey, sign as signWith, verify as verifyWith } from "node:crypto";
import { sign as signGitHub } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import "@shopify/shopify-api/adapters/node";
import { shopifyApi, ApiVersion } from "@shopify/shopify-api";
import { isValidSlackRequest } from "@slack/bolt";
import twilio from "twilio";
import { Paddle } from "@paddle/paddle-node-sdk";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { WebhooksHelper as SquareWebhooks } from "square";
import { verifyKey as verifyDiscord } from "discord-interactions";
import { EventWebhook } from "@sendgrid/eventwebhook";

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

// For providers without an official SDK: the scheme as the provider's documentation gives it, signed here with node:crypto.
function writeDocumented(provider, documentation, cases) {
  const file = new URL(`./${provider}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify({ provider, documentation, cases }, null, 2) + "\n");
  console.log(`${provider}: ${cases.length} cases from its documentation`);
}

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
    { name: "documented example", secrets: [secret], headers: { ...identity, "Content-Type": "text/plain", "X-Hub-Signature-256": hello }, body: b64("Hello, World!"), now, expected: "Valid" },
    { name: "tampered body", secrets: [secret], headers: { ...identity, "X-Hub-Signature-256": signature }, body: b64(tampered(push)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["another secret"], headers: { ...identity, "X-Hub-Signature-256": signature }, body: b64(push), now, expected: "Mismatch" },
    { name: "rotation: old and new secret held", secrets: ["the new secret", secret], headers: { ...identity, "X-Hub-Signature-256": signature }, body: b64(push), now, expected: "Valid" },
    { name: "no signature", secrets: [secret], headers: identity, body: b64(push), now, expected: "Missing" },
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

// ---------------------------------------------------------------------------------------------------------------------------
// The providers whose SDKs only verify: each delivery is signed here as the provider documents, and the provider's own SDK is
// asked about every case; the script stops if the SDK's verdict differs from the case's expected result, so each file records
// what the provider's code decides.

// Runs fn with Date.now() and new Date() at the vectors' clock (SDKs that check a timestamp read the real clock).
async function atNow(fn) {
  const RealDate = Date;
  globalThis.Date = class extends RealDate {
    constructor(...args) { super(...(args.length ? args : [now * 1000])); }
    static now() { return now * 1000; }
  };
  try { return await fn(); } finally { globalThis.Date = RealDate; }
}

async function checked(provider, sdk, cases, verdictOf) {
  for (const c of cases) {
    const verdict = await atNow(() => verdictOf(c));
    if (verdict !== null && verdict !== (c.expected === "Valid")) {
      throw new Error(`${provider} "${c.name}": ${sdk} says ${verdict ? "valid" : "invalid"}, the case expects ${c.expected}`);
    }
  }
  write(provider, sdk, cases);
}

const hmac = (algorithm, key, data, encoding) => createHmac(algorithm, key).update(data).digest(encoding);

// Shopify: X-Shopify-Hmac-Sha256, base64 HMAC-SHA256 of the body with the app's client secret; no timestamp.
{
  const secret = "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";
  const order = JSON.stringify({ id: 820982911946154500, email: "jon@example.com", total_price: "403.00", currency: "EUR", note: "Grüße ✓", line_items: [{ id: 866550311766439000, sku: "IPOD2008PINK", quantity: 1 }] });
  const shopify = shopifyApi({ apiKey: "vectors", apiSecretKey: secret, scopes: ["read_orders"], hostName: "example.com", apiVersion: ApiVersion.October25, isEmbeddedApp: false, logger: { level: 0 } });
  const base = { "Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "X-Shopify-Shop-Domain": "vectors.myshopify.com", "X-Shopify-API-Version": "2025-10", "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5", "X-Shopify-Triggered-At": "2025-12-07T12:00:00.000Z" };
  const headers = (body, key = secret) => ({ ...base, "X-Shopify-Hmac-Sha256": hmac("sha256", key, body, "base64") });
  const unpadded = headers(order);
  unpadded["X-Shopify-Hmac-Sha256"] = unpadded["X-Shopify-Hmac-Sha256"].replace(/=+$/, "");
  await checked("shopify", "@shopify/shopify-api", [
    { name: "valid", secrets: [secret], headers: headers(order), body: b64(order), now, expected: "Valid", read: { id: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", type: "orders/create" } },
    { name: "tampered body", secrets: [secret], headers: headers(order), body: b64(tampered(order)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["shpss_another"], headers: headers(order), body: b64(order), now, expected: "Mismatch" },
    { name: "rotation: old and new secret held", secrets: ["shpss_the_new_one", secret], headers: headers(order), body: b64(order), now, expected: "Valid" },
    { name: "base64 without its padding (Shopify always pads; not what its SDK compares)", secrets: [secret], headers: unpadded, body: b64(order), now, expected: "Valid", sdk: "not asked: the SDK compares the header text" },
    { name: "hex instead of base64", secrets: [secret], headers: { ...base, "X-Shopify-Hmac-Sha256": hmac("sha256", secret, order, "hex") }, body: b64(order), now, expected: "Malformed" },
    { name: "no signature", secrets: [secret], headers: base, body: b64(order), now, expected: "Missing" },
  ], async (c) => {
    if (c.sdk) return null;
    const rawRequest = { headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v])), method: "POST", url: "/webhooks/shopify" };
    const key = c.secrets.length === 1 ? c.secrets[0] : secret;
    const api = key === secret ? shopify : shopifyApi({ apiKey: "vectors", apiSecretKey: key, scopes: [], hostName: "example.com", apiVersion: ApiVersion.October25, isEmbeddedApp: false, logger: { level: 0 } });
    return (await api.webhooks.validate({ rawBody: Buffer.from(c.body, "base64").toString("utf8"), rawRequest, rawResponse: {} })).valid;
  });
}

// Slack: X-Slack-Signature v0=hex of HMAC-SHA256("v0:{timestamp}:{body}"), 5 minutes either way; url_verification answered.
{
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const callback = JSON.stringify({ token: "XXYYZZ", team_id: "T123ABC456", api_app_id: "A123ABC456", type: "event_callback", event_id: "Ev123ABC456", event_time: now,
    event: { type: "app_mention", user: "U123ABC456", text: "<@U0LAN0Z89> is it everything a river should be? ✓", ts: "1515449522.000016", channel: "C123ABC456" } });
  const challenge = JSON.stringify({ token: "Jhj5dZrVaK7ZwHHjRyZWjbDl", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
  const command = "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705&user_id=U2147483697&command=%2Fweather&text=94070+%C3%BCber&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0";
  const headers = (body, timestamp = now, key = secret, type = "application/json") => ({
    "Content-Type": type, "X-Slack-Request-Timestamp": String(timestamp), "X-Slack-Signature": "v0=" + hmac("sha256", key, `v0:${timestamp}:${body}`, "hex"),
  });
  const retried = { ...headers(callback), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" };
  await checked("slack", "@slack/bolt", [
    { name: "event callback", secrets: [secret], headers: headers(callback), body: b64(callback), now, expected: "Valid", read: { id: "Ev123ABC456", type: "app_mention" } },
    { name: "redelivery (X-Slack-Retry-Num): same event id", secrets: [secret], headers: retried, body: b64(callback), now, expected: "Valid", read: { id: "Ev123ABC456", type: "app_mention" } },
    { name: "url_verification challenge", secrets: [secret], headers: headers(challenge), body: b64(challenge), now, expected: "Valid", read: { handshake: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" } },
    { name: "slash command, form-encoded", secrets: [secret], headers: headers(command, now, secret, "application/x-www-form-urlencoded"), body: b64(command), now, expected: "Valid", read: { id: "sha256-" + createHash("sha256").update(command).digest("hex"), type: "slash_command" } },
    { name: "tampered body", secrets: [secret], headers: headers(callback), body: b64(tampered(callback)), now, expected: "Mismatch" },
    { name: "tampered form", secrets: [secret], headers: headers(command, now, secret, "application/x-www-form-urlencoded"), body: b64(command.replace("94070", "94071")), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["another signing secret"], headers: headers(callback), body: b64(callback), now, expected: "Mismatch" },
    { name: "expired (301 s old)", secrets: [secret], headers: headers(callback, now - 301), body: b64(callback), now, expected: "Expired" },
    { name: "from the future (301 s ahead; the SDK checks only the past)", secrets: [secret], headers: headers(callback, now + 301), body: b64(callback), now, expected: "FutureTimestamp", sdk: "not asked: the SDK has no future window" },
    { name: "rotation: old and new secret held", secrets: ["the new signing secret", secret], headers: headers(callback), body: b64(callback), now, expected: "Valid" },
  ], (c) => c.sdk ? null : isValidSlackRequest({
    signingSecret: c.secrets.length === 1 ? c.secrets[0] : secret,
    body: Buffer.from(c.body, "base64").toString("utf8"),
    headers: { "x-slack-signature": c.headers["X-Slack-Signature"], "x-slack-request-timestamp": Number(c.headers["X-Slack-Request-Timestamp"]) },
    logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel() {}, setName() {} },
  }));
}

// Twilio: X-Twilio-Signature, base64 HMAC-SHA1 of the URL and the sorted form parameters; JSON bodies via bodySHA256.
{
  const token = "12345abcdef67890fedcba0987654321";
  const url = "https://example.com/webhooks/twilio?tenant=7";
  const params = { MessageSid: "SM1f0e8ae6ade43cb3c0ce4525424e404f", MessageStatus: "delivered", AccountSid: "AC9a0f8d2e4b6c1a3e5f7d9b0c2e4a6f8d", From: "+14155550100", To: "+31612345678", Body: "Grüße & tot ziens ✓" };
  const form = new URLSearchParams(params).toString();
  const repeated = form + "&Tag=b&Tag=a";
  const repeatedParams = { ...params, Tag: ["b", "a"] };
  const headers = (signature, type = "application/x-www-form-urlencoded") => ({ "Content-Type": type, "X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": "7b2b9c3e-1c9e-4f4e-9c66-5ac0d7c2f3a1" });
  const sig = (u, p, key = token) => twilio.getExpectedTwilioSignature(key, u, p);
  const json = JSON.stringify({ specversion: "1.0", type: "com.twilio.messaging.message.delivered", source: "/2010-04-01/Accounts/AC9a/Messages/SM1f.json", id: "EZ6d0b8f2a4c6e8a0b2d4f6a8c0e2a4b6", data: { messageSid: "SM1f0e8ae6ade43cb3c0ce4525424e404f" } });
  const jsonUrl = `https://example.com/webhooks/twilio?bodySHA256=${twilio.getExpectedBodyHash(json)}`;
  const withPort = "https://example.com:443/webhooks/twilio?tenant=7";
  await checked("twilio", "twilio", [
    { name: "form parameters", secrets: [token], headers: headers(sig(url, params)), body: b64(form), url, now, expected: "Valid", read: { id: "7b2b9c3e-1c9e-4f4e-9c66-5ac0d7c2f3a1", type: "" } },
    { name: "a parameter given twice: values sorted", secrets: [token], headers: headers(sig(url, repeatedParams)), body: b64(repeated), url, now, expected: "Valid" },
    { name: "signed with the default port, received without", secrets: [token], headers: headers(sig(withPort, params)), body: b64(form), url, now, expected: "Valid" },
    { name: "signed without the port, received with it", secrets: [token], headers: headers(sig(url, params)), body: b64(form), url: withPort, now, expected: "Valid" },
    { name: "JSON body bound by bodySHA256", secrets: [token], headers: headers(sig(jsonUrl, {}), "application/json"), body: b64(json), url: jsonUrl, now, expected: "Valid", read: { id: "7b2b9c3e-1c9e-4f4e-9c66-5ac0d7c2f3a1", type: "com.twilio.messaging.message.delivered" } },
    { name: "JSON body changed, URL intact", secrets: [token], headers: headers(sig(jsonUrl, {}), "application/json"), body: b64(tampered(json)), url: jsonUrl, now, expected: "Mismatch" },
    { name: "tampered parameter", secrets: [token], headers: headers(sig(url, params)), body: b64(form.replace("delivered", "failed")), url, now, expected: "Mismatch" },
    { name: "other query string", secrets: [token], headers: headers(sig(url, params)), body: b64(form), url: url.replace("tenant=7", "tenant=8"), now, expected: "Mismatch" },
    { name: "other path", secrets: [token], headers: headers(sig(url, params)), body: b64(form), url: url.replace("/twilio", "/twilio2"), now, expected: "Mismatch" },
    { name: "wrong auth token", secrets: ["another auth token"], headers: headers(sig(url, params)), body: b64(form), url, now, expected: "Mismatch" },
    { name: "rotation: primary and secondary token held", secrets: ["the secondary token", token], headers: headers(sig(url, params)), body: b64(form), url, now, expected: "Valid" },
  ], (c) => {
    const key = c.secrets.length === 1 ? c.secrets[0] : token;
    const body = Buffer.from(c.body, "base64").toString("utf8");
    if (c.url.includes("bodySHA256")) return twilio.validateRequestWithBody(key, c.headers["X-Twilio-Signature"], c.url, body);
    const p = {};
    for (const [k, v] of new URLSearchParams(body)) p[k] = k in p ? [].concat(p[k], v) : v;
    return twilio.validateRequest(key, c.headers["X-Twilio-Signature"], c.url, p);
  });
}

// Paddle Billing: Paddle-Signature ts=…;h1=… over "{ts}:{body}"; its SDK allows 5 seconds.
{
  const secret = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI";
  const event = JSON.stringify({ event_id: "evt_01hv8wt8nffez4p2t6typn4a5j", event_type: "transaction.completed", occurred_at: "2025-12-07T12:00:00.000Z", notification_id: "ntf_01hv8wt8qz0ckq3tk3x9p0q2yb",
    data: { id: "txn_01hv8wptq8987qeep44cyrewp9", status: "completed", currency_code: "EUR", details: { totals: { total: "4200" } } } });
  const header = (timestamp, body = event, key = secret) => `ts=${timestamp};h1=${hmac("sha256", key, `${timestamp}:${body}`, "hex")}`;
  const rotating = `ts=${now};h1=${hmac("sha256", "pdl_ntfset_old", `${now}:${event}`, "hex")};h1=${hmac("sha256", secret, `${now}:${event}`, "hex")}`;
  const paddle = new Paddle("pdl_sdbx_apikey_vectors").webhooks;
  await checked("paddle", "@paddle/paddle-node-sdk", [
    { name: "valid", secrets: [secret], headers: { "Content-Type": "application/json", "Paddle-Signature": header(now) }, body: b64(event), now, expected: "Valid", read: { id: "evt_01hv8wt8nffez4p2t6typn4a5j", type: "transaction.completed" } },
    { name: "tampered body", secrets: [secret], headers: { "Paddle-Signature": header(now) }, body: b64(tampered(event)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["pdl_ntfset_another"], headers: { "Paddle-Signature": header(now) }, body: b64(event), now, expected: "Mismatch" },
    { name: "expired (6 s old, the SDK's 5-second window)", secrets: [secret], headers: { "Paddle-Signature": header(now - 6) }, body: b64(event), now, expected: "Expired" },
    { name: "from the future (6 s ahead; the SDK checks only the past)", secrets: [secret], headers: { "Paddle-Signature": header(now + 6) }, body: b64(event), now, expected: "FutureTimestamp", sdk: "not asked: the SDK has no future window" },
    { name: "rotation: two h1, receiver holds the new secret", secrets: [secret], headers: { "Paddle-Signature": rotating }, body: b64(event), now, expected: "Valid" },
    { name: "no h1", secrets: [secret], headers: { "Paddle-Signature": `ts=${now}` }, body: b64(event), now, expected: "Malformed", sdk: "not asked: the SDK throws" },
  ], (c) => c.sdk ? null : paddle.isSignatureValid(Buffer.from(c.body, "base64").toString("utf8"), c.secrets[0], c.headers["Paddle-Signature"]));
}

// Linear: Linear-Signature, hex HMAC-SHA256 of the body; the body's webhookTimestamp (ms) within 60 seconds.
{
  const secret = "lin_wh_vectors_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  const issue = (timestamp) => JSON.stringify({ action: "create", type: "Issue", createdAt: "2025-12-07T12:00:00.000Z", organizationId: "c6b5a4f3-e2d1-4c0b-9a87-6f5e4d3c2b1a", url: "https://linear.app/acme/issue/ENG-42",
    webhookTimestamp: timestamp, webhookId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", data: { id: "3f2e1d0c-9b8a-4776-8594-a3b2c1d0e9f8", identifier: "ENG-42", title: "Grüße: fix the release ✓" } });
  const headers = (body, key = secret) => ({ "Content-Type": "application/json; charset=utf-8", "Linear-Delivery": "234d1a4e-b617-4388-90fe-adc3633d6b72", "Linear-Event": "Issue", "Linear-Signature": hmac("sha256", key, body, "hex") });
  const fresh = issue(now * 1000);
  await checked("linear", "@linear/sdk", [
    { name: "valid", secrets: [secret], headers: headers(fresh), body: b64(fresh), now, expected: "Valid", read: { id: "234d1a4e-b617-4388-90fe-adc3633d6b72", type: "Issue" } },
    { name: "tampered body", secrets: [secret], headers: headers(fresh), body: b64(tampered(fresh)), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["lin_wh_another"], headers: headers(fresh), body: b64(fresh), now, expected: "Mismatch" },
    { name: "expired (61 s old)", secrets: [secret], headers: headers(issue((now - 61) * 1000)), body: b64(issue((now - 61) * 1000)), now, expected: "Expired" },
    { name: "from the future (61 s ahead)", secrets: [secret], headers: headers(issue((now + 61) * 1000)), body: b64(issue((now + 61) * 1000)), now, expected: "FutureTimestamp" },
    { name: "rotation: old and new secret held", secrets: ["lin_wh_new", secret], headers: headers(fresh), body: b64(fresh), now, expected: "Valid" },
  ], (c) => {
    try { return new LinearWebhookClient(c.secrets.length === 1 ? c.secrets[0] : secret).verify(Buffer.from(c.body, "base64"), c.headers["Linear-Signature"]); } catch { return false; }
  });
}

// Square: x-square-hmacsha256-signature, base64 HMAC-SHA256 of the notification URL followed by the body.
{
  const key = "sq0wss-vectors-Uo4kH2f6QJt1Zb8mN3pR";
  const url = "https://example.com/webhooks/square";
  const event = JSON.stringify({ merchant_id: "6SSW7HV8K2ST5", type: "payment.updated", event_id: "13b867cf-db3d-4b1c-90b6-2f32a9d78124", created_at: "2025-12-07T12:00:00.000Z",
    data: { type: "payment", id: "KkAkhdMsgzn59SM8A89WgKwekxLZY", object: { payment: { id: "KkAkhdMsgzn59SM8A89WgKwekxLZY", amount_money: { amount: 4200, currency: "EUR" }, status: "COMPLETED", note: "Grüße ✓" } } } });
  const headers = (u, body = event, k = key) => ({ "Content-Type": "application/json", "x-square-hmacsha256-signature": hmac("sha256", k, u + body, "base64") });
  await checked("square", "square", [
    { name: "valid", secrets: [key], headers: headers(url), body: b64(event), url, now, expected: "Valid", read: { id: "13b867cf-db3d-4b1c-90b6-2f32a9d78124", type: "payment.updated" } },
    { name: "tampered body", secrets: [key], headers: headers(url), body: b64(tampered(event)), url, now, expected: "Mismatch" },
    { name: "another notification URL", secrets: [key], headers: headers(url), body: b64(event), url: "https://example.com/webhooks/square2", now, expected: "Mismatch" },
    { name: "received behind a proxy, the public URL configured", secrets: [key], headers: headers(url), body: b64(event), url: "http://10.0.0.7:8080/webhooks/square", options: { PublicUrl: url }, now, expected: "Valid", sdk: "the SDK is given the registered URL" },
    { name: "wrong signature key", secrets: ["sq0wss-another"], headers: headers(url), body: b64(event), url, now, expected: "Mismatch" },
    { name: "rotation: old and new key held", secrets: ["sq0wss-new", key], headers: headers(url), body: b64(event), url, now, expected: "Valid" },
  ], (c) => SquareWebhooks.verifySignature({ requestBody: Buffer.from(c.body, "base64").toString("utf8"), signatureHeader: c.headers["x-square-hmacsha256-signature"],
    signatureKey: c.secrets.length === 1 ? c.secrets[0] : key, notificationUrl: c.options?.PublicUrl ?? c.url }));
}

// Discord: Ed25519 over "{X-Signature-Timestamp}{body}" with the application's key; PINGs answered.
{
  const seed = (n) => Buffer.alloc(32, n);
  // Fixed keys, so that the file regenerates byte-identically: PKCS#8 of a fixed seed.
  const pkcs8 = (n) => Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed(n)]);
  const key = (n) => { const privateKey = createPrivateKey({ key: pkcs8(n), format: "der", type: "pkcs8" }); return { privateKey, hex: createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(12).toString("hex") }; };
  const app = key(7), other = key(9);
  const event = JSON.stringify({ version: 1, application_id: "1234560123453231555", type: 1, event: { type: "ENTITLEMENT_CREATE", timestamp: "2025-12-07T12:00:00.000000+00:00", data: { id: "1234567890123456789", sku_id: "9876543210987654321", user_id: "1111111111111111111" } } });
  const ping = JSON.stringify({ version: 1, application_id: "1234560123453231555", type: 0 });
  const interactionPing = JSON.stringify({ id: "1180000000000000000", application_id: "1234560123453231555", type: 1, token: "aW50ZXJhY3Rpb24tdG9rZW4", version: 1 });
  const command = JSON.stringify({ id: "1180000000000000001", application_id: "1234560123453231555", type: 2, token: "aW50ZXJhY3Rpb24tdG9rZW4y", version: 1, data: { id: "771825006014889984", name: "deploy", type: 1 } });
  const headers = (body, timestamp = now, k = app) => ({ "Content-Type": "application/json", "X-Signature-Timestamp": String(timestamp), "X-Signature-Ed25519": signWith(null, Buffer.from(String(timestamp) + body), k.privateKey).toString("hex") });
  await checked("discord", "discord-interactions", [
    { name: "webhook event", secrets: [app.hex], headers: headers(event), body: b64(event), now, expected: "Valid", read: { id: "sha256-" + createHash("sha256").update(event).digest("hex"), type: "ENTITLEMENT_CREATE" } },
    { name: "webhook event PING", secrets: [app.hex], headers: headers(ping), body: b64(ping), now, expected: "Valid", read: { handshake: "" } },
    { name: "interaction PING", secrets: [app.hex], headers: headers(interactionPing), body: b64(interactionPing), now, expected: "Valid", read: { handshake: "{\"type\":1}" } },
    { name: "application command", secrets: [app.hex], headers: headers(command), body: b64(command), now, expected: "Valid", read: { id: "1180000000000000001", type: "interaction.application_command" } },
    { name: "tampered body", secrets: [app.hex], headers: headers(event), body: b64(tampered(event)), now, expected: "Mismatch" },
    { name: "another application's key", secrets: [other.hex], headers: headers(event), body: b64(event), now, expected: "Mismatch" },
    { name: "timestamp changed after signing", secrets: [app.hex], headers: { ...headers(event), "X-Signature-Timestamp": String(now + 1) }, body: b64(event), now, expected: "Mismatch" },
    { name: "expired (301 s old; the SDK checks no window)", secrets: [app.hex], headers: headers(event, now - 301), body: b64(event), now, expected: "Expired", sdk: "not asked: the SDK has no window" },
    { name: "rotation: two public keys held", secrets: [other.hex, app.hex], headers: headers(event), body: b64(event), now, expected: "Valid" },
  ], async (c) => c.sdk ? null : verifyDiscord(Buffer.from(c.body, "base64"), c.headers["X-Signature-Ed25519"], c.headers["X-Signature-Timestamp"], c.secrets.length === 1 ? c.secrets[0] : app.hex));
}

// SendGrid Event Webhook: ECDSA P-256 (SHA-256, DER, base64) over "{timestamp}{body}"; the body is a batch.
{
  // Fixed keys (PKCS#8 of fixed scalars), so that the file regenerates byte-identically.
  const p256 = (d) => createPrivateKey({ key: Buffer.concat([Buffer.from("3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420", "hex"), Buffer.alloc(32, d)]), format: "der", type: "pkcs8" });
  const mine = p256(3), other = p256(5);
  const base64Key = (k) => createPublicKey(k).export({ format: "der", type: "spki" }).toString("base64");
  const batch = JSON.stringify([
    { email: "jon@example.com", timestamp: now - 5, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>", event: "delivered", category: "receipts", sg_event_id: "sg_event_id_delivered", sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0" },
    { email: "jon@example.com", timestamp: now - 2, event: "open", sg_event_id: "sg_event_id_open", sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", useragent: "Mozilla/5.0", ip: "255.255.255.255" },
  ]);
  // ECDSA signatures differ on every run: one the previous file holds for the same message and key is kept, so that the file
  // regenerates byte-identically.
  const previous = new Map();
  try {
    for (const c of JSON.parse(readFileSync(new URL("./sendgrid.json", import.meta.url), "utf8")).cases) {
      previous.set(c.headers["X-Twilio-Email-Event-Webhook-Timestamp"] + Buffer.from(c.body, "base64").toString("utf8"), c.headers["X-Twilio-Email-Event-Webhook-Signature"]);
    }
  } catch { /* first run */ }
  const ecdsaSign = (message, k) => {
    const kept = previous.get(message);
    return kept && verifyWith("sha256", Buffer.from(message), createPublicKey(k), Buffer.from(kept, "base64")) ? kept : signWith("sha256", Buffer.from(message), k).toString("base64");
  };
  const headers = (body, timestamp = now, k = mine) => ({ "Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Timestamp": String(timestamp), "X-Twilio-Email-Event-Webhook-Signature": ecdsaSign(String(timestamp) + body, k) });
  const signed = headers(batch);
  const sdk = new EventWebhook();
  await checked("sendgrid", "@sendgrid/eventwebhook", [
    { name: "batch", secrets: [base64Key(mine)], headers: signed, body: b64(batch), now, expected: "Valid", read: { id: "sha256-" + createHash("sha256").update(batch).digest("hex"), type: "events" } },
    { name: "tampered body", secrets: [base64Key(mine)], headers: signed, body: b64(batch.replace("delivered", "bounce")), now, expected: "Mismatch" },
    { name: "timestamp changed after signing", secrets: [base64Key(mine)], headers: { ...signed, "X-Twilio-Email-Event-Webhook-Timestamp": String(now + 1) }, body: b64(batch), now, expected: "Mismatch" },
    { name: "another account's key", secrets: [base64Key(other)], headers: signed, body: b64(batch), now, expected: "Mismatch" },
    { name: "key given as PEM", secrets: [createPublicKey(mine).export({ format: "pem", type: "spki" })], headers: signed, body: b64(batch), now, expected: "Valid" },
    { name: "rotation: two keys held", secrets: [base64Key(other), base64Key(mine)], headers: signed, body: b64(batch), now, expected: "Valid" },
  ], (c) => {
    const key = c.secrets.length === 1 ? c.secrets[0] : base64Key(mine);
    const pem = key.includes("BEGIN") ? key : `-----BEGIN PUBLIC KEY-----\n${key}\n-----END PUBLIC KEY-----`;
    return sdk.verifySignature(sdk.convertPublicKeyToECDSA(pem), Buffer.from(c.body, "base64").toString("utf8"), c.headers["X-Twilio-Email-Event-Webhook-Signature"], c.headers["X-Twilio-Email-Event-Webhook-Timestamp"]);
  });
}

// Zoom (no signing SDK): x-zm-signature v0=hex of HMAC-SHA256("v0:{x-zm-request-timestamp}:{body}") with the secret token;
// endpoint.url_validation answered with the plainToken and its HMAC in hex.
{
  const secret = "ZmVjdG9yc19zZWNyZXRfdG9rZW4";
  const started = JSON.stringify({ event: "meeting.started", event_ts: now * 1000, payload: { account_id: "AAAAAABBBB", object: { id: "1234567890", uuid: "4444AAAiAAAAAiAiAiiAii==", topic: "Grüße: weekly sync ✓", start_time: "2025-12-07T12:00:00Z" } } });
  const validation = JSON.stringify({ payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: now * 1000, event: "endpoint.url_validation" });
  const headers = (body, timestamp = now, key = secret) => ({ "Content-Type": "application/json; charset=utf-8", "x-zm-request-timestamp": String(timestamp), "x-zm-signature": "v0=" + hmac("sha256", key, `v0:${timestamp}:${body}`, "hex"), "x-zm-trackingid": "v=2.0;clid=us06;rid=WEB_9d3f" });
  writeDocumented("zoom", "https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events", [
    { name: "event", secrets: [secret], headers: headers(started), body: b64(started), now, expected: "Valid", read: { id: "sha256-" + createHash("sha256").update(started).digest("hex"), type: "meeting.started" } },
    { name: "endpoint.url_validation", secrets: [secret], headers: headers(validation), body: b64(validation), now, expected: "Valid", read: { handshake: JSON.stringify({ plainToken: "qgg8vlvZRS6UYooatFL8Aw", encryptedToken: hmac("sha256", secret, "qgg8vlvZRS6UYooatFL8Aw", "hex") }) } },
    { name: "tampered body", secrets: [secret], headers: headers(started), body: b64(tampered(started)), now, expected: "Mismatch" },
    { name: "wrong secret token", secrets: ["another secret token"], headers: headers(started), body: b64(started), now, expected: "Mismatch" },
    { name: "expired (301 s old)", secrets: [secret], headers: headers(started, now - 301), body: b64(started), now, expected: "Expired" },
    { name: "from the future (301 s ahead)", secrets: [secret], headers: headers(started, now + 301), body: b64(started), now, expected: "FutureTimestamp" },
    { name: "rotation: old and new token held", secrets: ["the new secret token", secret], headers: headers(started), body: b64(started), now, expected: "Valid" },
  ]);
}

// Twitch EventSub (no signing SDK): sha256=hex of HMAC-SHA256(message id + timestamp + body); 10 minutes; challenge answered.
{
  const secret = "s3cRe7-vectors-twitch-0123456789";
  const id = "befa7b53-d79d-478f-86b9-120f112b044e";
  const stamp = (seconds) => new Date(seconds * 1000).toISOString().replace(".000Z", ".634234626Z");
  const follow = JSON.stringify({ subscription: { id: "f1c2a387-161a-49f9-a165-0f21d7a4e1c4", status: "enabled", type: "channel.follow", version: "2", condition: { broadcaster_user_id: "1337", moderator_user_id: "1337" }, transport: { method: "webhook", callback: "https://example.com/webhooks/twitch" }, created_at: "2025-12-07T11:00:00.634234626Z", cost: 0 },
    event: { user_id: "1234", user_login: "cool_user", user_name: "Cool_User ✓", broadcaster_user_id: "1337", broadcaster_user_login: "cooler_user", broadcaster_user_name: "Cooler_User", followed_at: "2025-12-07T11:59:58.634234626Z" } });
  const challenge = JSON.stringify({ challenge: "pogchamp-kappa-360noscope-vohiyo", subscription: { id: "f1c2a387-161a-49f9-a165-0f21d7a4e1c4", status: "webhook_callback_verification_pending", type: "channel.follow", version: "2", condition: { broadcaster_user_id: "1337" }, transport: { method: "webhook", callback: "https://example.com/webhooks/twitch" }, created_at: "2025-12-07T11:59:59.634234626Z", cost: 0 } });
  const headers = (body, type = "notification", seconds = now, key = secret) => ({ "Content-Type": "application/json", "Twitch-Eventsub-Message-Id": id, "Twitch-Eventsub-Message-Retry": "0", "Twitch-Eventsub-Message-Type": type,
    "Twitch-Eventsub-Message-Signature": "sha256=" + hmac("sha256", key, id + stamp(seconds) + body, "hex"), "Twitch-Eventsub-Message-Timestamp": stamp(seconds), "Twitch-Eventsub-Subscription-Type": "channel.follow", "Twitch-Eventsub-Subscription-Version": "2" });
  writeDocumented("twitch", "https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message", [
    { name: "notification", secrets: [secret], headers: headers(follow), body: b64(follow), now, expected: "Valid", read: { id, type: "channel.follow" } },
    { name: "webhook_callback_verification", secrets: [secret], headers: headers(challenge, "webhook_callback_verification"), body: b64(challenge), now, expected: "Valid", read: { handshake: "pogchamp-kappa-360noscope-vohiyo" } },
    { name: "tampered body", secrets: [secret], headers: headers(follow), body: b64(tampered(follow)), now, expected: "Mismatch" },
    { name: "other message id", secrets: [secret], headers: { ...headers(follow), "Twitch-Eventsub-Message-Id": "another-id" }, body: b64(follow), now, expected: "Mismatch" },
    { name: "wrong secret", secrets: ["another secret"], headers: headers(follow), body: b64(follow), now, expected: "Mismatch" },
    { name: "expired (601 s old)", secrets: [secret], headers: headers(follow, "notification", now - 601), body: b64(follow), now, expected: "Expired" },
    { name: "from the future (601 s ahead)", secrets: [secret], headers: headers(follow, "notification", now + 601), body: b64(follow), now, expected: "FutureTimestamp" },
    { name: "rotation: old and new secret held", secrets: ["the new secret", secret], headers: headers(follow), body: b64(follow), now, expected: "Valid" },
  ]);
}

// GitLab (no signature): X-Gitlab-Token is the secret token itself, compared in constant time.
{
  const token = "glwt-vectors-8c1f2e3d4c5b6a79";
  const push = JSON.stringify({ object_kind: "push", event_name: "push", before: "95790bf891e76fee5e1747ab589903a6a1f80f22", after: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", ref: "refs/heads/main", user_name: "Jürgen ✓", project_id: 15, project: { id: 15, path_with_namespace: "acme/shop" }, total_commits_count: 1 });
  const headers = (value) => ({ "Content-Type": "application/json", "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "8ca5b1a5-1b2c-4d3e-9f4a-5b6c7d8e9f0a", "X-Gitlab-Webhook-UUID": "2d7a9e51-6f3b-4c8d-a1e2-3f4b5c6d7e8f", "X-Gitlab-Instance": "https://gitlab.com", ...(value === undefined ? {} : { "X-Gitlab-Token": value }) });
  writeDocumented("gitlab", "https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook", [
    { name: "push", secrets: [token], headers: headers(token), body: b64(push), now, expected: "Valid", read: { id: "8ca5b1a5-1b2c-4d3e-9f4a-5b6c7d8e9f0a", type: "push" } },
    { name: "wrong token", secrets: [token], headers: headers("glwt-guess"), body: b64(push), now, expected: "Mismatch" },
    { name: "token with one more character", secrets: [token], headers: headers(token + "x"), body: b64(push), now, expected: "Mismatch" },
    { name: "token in another case", secrets: [token], headers: headers(token.toUpperCase()), body: b64(push), now, expected: "Mismatch" },
    { name: "rotation: old and new token held", secrets: ["glwt-the-new-one", token], headers: headers(token), body: b64(push), now, expected: "Valid" },
    { name: "no token", secrets: [token], headers: headers(undefined), body: b64(push), now, expected: "Missing" },
  ]);
}

// Standard Webhooks v1a (asymmetric; the SDKs sign only v1): Ed25519 over "{id}.{timestamp}.{body}", public keys whpk_…
{
  const seeded = (n) => createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.alloc(32, n)]), format: "der", type: "pkcs8" });
  const whpk = (k) => "whpk_" + createPublicKey(k).export({ format: "der", type: "spki" }).subarray(12).toString("base64");
  const mine = seeded(11), other = seeded(13);
  const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const body = JSON.stringify({ type: "invoice.paid", timestamp: "2025-12-07T12:00:00Z", data: { invoice: "in_1042", amount: 4200, note: "Grüße ✓" } });
  const headers = (timestamp = now, k = mine) => ({ "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": "v1a," + signWith(null, Buffer.from(`${id}.${timestamp}.${body}`), k).toString("base64") });
  const both = headers();
  both["webhook-signature"] = headers(now, other)["webhook-signature"] + " " + both["webhook-signature"];
  writeDocumented("standardwebhooks-v1a", "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#asymmetric-signatures", [
    { name: "valid", secrets: [whpk(mine)], headers: headers(), body: b64(body), now, expected: "Valid", read: { id, type: "invoice.paid" } },
    { name: "tampered body", secrets: [whpk(mine)], headers: headers(), body: b64(tampered(body)), now, expected: "Mismatch" },
    { name: "another sender's key", secrets: [whpk(other)], headers: headers(), body: b64(body), now, expected: "Mismatch" },
    { name: "other message id", secrets: [whpk(mine)], headers: { ...headers(), "webhook-id": "msg_other" }, body: b64(body), now, expected: "Mismatch" },
    { name: "expired (301 s old)", secrets: [whpk(mine)], headers: headers(now - 301), body: b64(body), now, expected: "Expired" },
    { name: "from the future (301 s ahead)", secrets: [whpk(mine)], headers: headers(now + 301), body: b64(body), now, expected: "FutureTimestamp" },
    { name: "rotation: two signatures, receiver holds one key", secrets: [whpk(mine)], headers: both, body: b64(body), now, expected: "Valid" },
    { name: "a v1 signature is not checked with a public key", secrets: [whpk(mine)], headers: { ...headers(), "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=" }, body: b64(body), now, expected: "Mismatch" },
  ]);
}
