using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using IConnectionMultiplexer = StackExchange.Redis.IConnectionMultiplexer;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using Webhooks;
using Webhooks.Sender;
using Webhooks.Sender.Redis;
using Webhooks.Storage;
using Webhooks.AotTest;
using Webhooks.Testing;

const string Secret = "aot-smoke-secret";
const string AcmeSecret = "whsec_YW90LXNtb2tlLXN0YW5kYXJkLXdlYmhvb2tzLWtleSE=";

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration["Webhooks:GitHub:Secret"] = Secret;
builder.Configuration["Webhooks:Processing:PollInterval"] = "00:00:00.050";
builder.Configuration["Webhooks:Sources:acme:Secret"] = AcmeSecret;

// A provider on Ed25519 (libsodium through NSec, beside the binary) and one on ECDSA P-256, with keys made here.
byte[] discordKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
using var sendGridKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
builder.Configuration["Webhooks:Discord:Secret"] = Convert.ToHexString(WebhookRequests.Ed25519PublicKey(discordKey));
builder.Configuration["Webhooks:SendGrid:Secret"] = Convert.ToBase64String(sendGridKey.ExportSubjectPublicKeyInfo());
builder.Configuration["Webhooks:Sender:AllowInsecureDevelopmentEndpoints"] = "true";
builder.Configuration["Webhooks:Sender:PollInterval"] = "00:00:00.050";
IWebhookReceiverBuilder receiver = builder.Services.AddWebhookReceiver().AddGitHub().AddDiscord().AddSendGrid().AddHandler<SmokeHandler>("github", "push");
IWebhookSenderBuilder sender = builder.Services.AddWebhookSender();

// With --redis host:port the same delivery goes through the Redis stores: their scripts, compiled ahead of time.
int redisAt = Array.IndexOf(args, "--redis");
if (redisAt >= 0 && redisAt + 1 < args.Length)
{
    receiver.UseRedis(o =>
    {
        o.Configuration = args[redisAt + 1];
        o.KeyPrefix = "aot" + Environment.ProcessId + ":";
    });

    // The sender's subscriptions, outbox and delivery log in Redis too.
    IConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(args[redisAt + 1]);
    sender.UseRedis(o => { o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection); o.KeyPrefix = "aot" + Environment.ProcessId + ":sender:"; });
}

// Wakes the waits below whenever the receiver or the sender records an outcome, instead of looking on a timer.
using var outcomes = new Outcomes();
await using WebApplication app = builder.Build();
app.MapWebhooks();
app.MapWebhookAdmin();
app.MapWebhookSubscriptions();
await app.StartAsync();

string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var client = new HttpClient { BaseAddress = new Uri(address) };
using HttpResponseMessage response = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", "{\"ref\":\"main\"}", "aot-1"));
Console.WriteLine($"POST /webhooks/github -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

// Ed25519 and ECDSA, verified in the published binary: a Discord event and its PING, a SendGrid batch, and a forgery of each.
using HttpResponseMessage discord = await client.SendAsync(WebhookRequests.Discord(discordKey, "{\"version\":1,\"application_id\":\"1\",\"type\":1,\"event\":{\"type\":\"ENTITLEMENT_CREATE\",\"data\":{}}}"));
using HttpResponseMessage discordPing = await client.SendAsync(WebhookRequests.Discord(discordKey, "{\"id\":\"9\",\"application_id\":\"1\",\"type\":1,\"token\":\"t\",\"version\":1}"));
string pong = await discordPing.Content.ReadAsStringAsync();
using HttpResponseMessage discordForged = await client.SendAsync(WebhookRequests.Discord(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), "{\"version\":1,\"type\":1,\"event\":{\"type\":\"X\"}}"));
using HttpResponseMessage sendGrid = await client.SendAsync(WebhookRequests.SendGrid(sendGridKey, "[{\"email\":\"a@example.com\",\"event\":\"delivered\"}]"));
using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
using HttpResponseMessage sendGridForged = await client.SendAsync(WebhookRequests.SendGrid(otherKey, "[{\"event\":\"open\"}]"));
bool asymmetric = (int)discord.StatusCode == 202 && pong == "{\"type\":1}" && (int)discordForged.StatusCode == 401
    && (int)sendGrid.StatusCode == 202 && (int)sendGridForged.StatusCode == 401;
Console.WriteLine($"Discord (Ed25519) {(int)discord.StatusCode}, PING {pong}, forged {(int)discordForged.StatusCode}; SendGrid (ECDSA) {(int)sendGrid.StatusCode}, forged {(int)sendGridForged.StatusCode}");

IWebhookEventStore store = app.Services.GetRequiredService<IWebhookEventStore>();
WebhookEventSummary? stored = null;
await outcomes.WaitUntilAsync(async () => (stored = await store.GetAsync("github:aot-1")) is { Status: WebhookEventStatus.Processed });

using HttpResponseMessage admin = await client.GetAsync("/webhooks/admin/events/github:aot-1");
Console.WriteLine($"GET /webhooks/admin/events/github:aot-1 -> {(int)admin.StatusCode} {await admin.Content.ReadAsStringAsync()}");

// The sender: a subscription made through the management endpoint, on this receiver's acme source, and one event published.
using var subscribe = new StringContent(
    "{\"url\":\"" + address + "/webhooks/acme\",\"eventTypes\":[\"invoice.*\"],\"secret\":\"" + AcmeSecret + "\"}",
    System.Text.Encoding.UTF8,
    "application/json");
using HttpResponseMessage subscribed = await client.PostAsync("/webhooks/subscriptions", subscribe);
Console.WriteLine($"POST /webhooks/subscriptions -> {(int)subscribed.StatusCode}");
Webhooks.Sender.Publishing.WebhookPublishResult published = await app.Services.GetRequiredService<Webhooks.Sender.Publishing.IWebhookPublisher>()
    .PublishJsonAsync("invoice.paid", "{\"invoice\":\"in_aot\"}"u8.ToArray());
WebhookEventSummary? sent = null;
await outcomes.WaitUntilAsync(async () => (sent = await store.GetAsync("acme:" + published.MessageId)) is { Status: WebhookEventStatus.Processed });

Console.WriteLine($"published {published.MessageId} to {published.Deliveries} subscription(s) -> received as {sent?.Status.ToString() ?? "nothing"}");

// The delivery log, read back through the management endpoint (the sender records the attempt once the answer is in).
string subscriptionId = JsonDocument.Parse(await subscribed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
string deliveries = "";
bool logged = await outcomes.WaitUntilAsync(async () =>
{
    deliveries = await client.GetStringAsync("/webhooks/subscriptions/" + subscriptionId + "/deliveries");
    return JsonDocument.Parse(deliveries).RootElement.GetProperty("deliveries") is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() == 1
        && list[0].GetProperty("outcome").GetString() == "delivered" && list[0].GetProperty("messageId").GetString() == published.MessageId;
});

Console.WriteLine($"GET /webhooks/subscriptions/{subscriptionId}/deliveries -> {deliveries}");
await app.StopAsync();

bool ok = response.StatusCode == System.Net.HttpStatusCode.Accepted && stored?.Status == WebhookEventStatus.Processed && SmokeHandler.Calls == 1
    && subscribed.StatusCode == System.Net.HttpStatusCode.Created && sent?.Status == WebhookEventStatus.Processed && logged && asymmetric;
Console.WriteLine(ok ? "AOT smoke: passed" : "AOT smoke: FAILED");
return ok ? 0 : 1;
