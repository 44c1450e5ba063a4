using StackExchange.Redis;
using Webhooks.Redis.Tests;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Tests.DeliveryLog;

namespace Webhooks.Sender.Redis.Tests;

/// <summary>The delivery log contract on a real Redis, each test under its own key prefix.</summary>
[Collection(SenderRedisGroup.Name)]
public sealed class RedisWebhookDeliveryLogTests(RedisServer redis) : WebhookDeliveryLogContract
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";

    protected override IWebhookDeliveryLog CreateLog(TimeSpan retention, int maxAttempts) =>
        new RedisWebhookDeliveryLog(redis.Connection, _prefix, Time, retention, maxAttempts);

    [Fact]
    public async Task TwoProcesses_EachListsWhatTheOtherRecorded()
    {
        IWebhookDeliveryLog one = CreateLog(TimeSpan.FromDays(1), 1000);
        IWebhookDeliveryLog other = new RedisWebhookDeliveryLog(redis.Connection, _prefix, Time, TimeSpan.FromDays(1), 1000);

        WebhookDeliveryAttempt first = await one.RecordAsync(Attempt("msg_1"));
        WebhookDeliveryAttempt second = await other.RecordAsync(Attempt("msg_1") with { Attempt = 2 });

        Assert.Equal([second.Sequence, first.Sequence], (await one.ListAsync("sub_a", "msg_1", null, 10)).Select(a => a.Sequence));
        Assert.Equal([second.Sequence, first.Sequence], (await other.ListAsync(null, "msg_1", null, 10)).Select(a => a.Sequence));
    }

    [Fact]
    public async Task Forgotten_NoKeyLeftBehind()
    {
        IWebhookDeliveryLog log = CreateLog(TimeSpan.FromHours(1), 3);
        for (int i = 0; i < 6; i++)
        {
            await log.RecordAsync(Attempt("msg_" + i));
        }

        Time.Advance(TimeSpan.FromHours(2));
        await log.RecordAsync(Attempt("msg_last"));

        // The counter, the two indexes of every attempt, and the one attempt kept with its subscription's and message's index.
        var keys = new List<string>();
        await foreach (RedisKey key in redis.Connection.GetServers()[0].KeysAsync(pattern: _prefix + "*"))
        {
            keys.Add(key.ToString());
        }

        keys.Sort(StringComparer.Ordinal);
        Assert.Equal(
            new[] { "a:7", "all", "forget", "msg:msg_last", "seq", "sub:sub_a" }.Select(k => _prefix + "{deliveries}:" + k),
            keys);
        IDatabase db = redis.Connection.GetDatabase();
        foreach (string index in new[] { "all", "forget", "msg:msg_last", "sub:sub_a" })
        {
            Assert.Equal(1, await db.SortedSetLengthAsync(_prefix + "{deliveries}:" + index));
        }
    }

    [Fact]
    public void Constructor_PrefixWithABrace_Refused()
    {
        Assert.Throws<ArgumentException>("keyPrefix", () => new RedisWebhookDeliveryLog(redis.Connection, "a{b}:"));
    }

    private WebhookDeliveryAttempt Attempt(string messageId) => new()
    {
        MessageId = messageId,
        SubscriptionId = "sub_a",
        EventType = "invoice.created",
        Attempt = 1,
        StartedAt = Time.GetUtcNow(),
        Outcome = "delivered",
    };
}
