using Microsoft.Extensions.Time.Testing;
using Webhooks.Sender.DeliveryLog;

namespace Webhooks.Sender.Tests.DeliveryLog;

/// <summary>What every <see cref="IWebhookDeliveryLog"/> must do; each log's tests derive from this class.</summary>
public abstract class WebhookDeliveryLogContract
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Creates an empty log on <see cref="Time"/>.</summary>
    protected abstract IWebhookDeliveryLog CreateLog(TimeSpan retention, int maxAttempts);

    private IWebhookDeliveryLog CreateLog() => CreateLog(TimeSpan.FromDays(30), 100_000);

    [Fact]
    public async Task RecordAsync_SequenceNumbersIncrease()
    {
        IWebhookDeliveryLog log = CreateLog();

        WebhookDeliveryAttempt first = await log.RecordAsync(Attempt("sub_a", "msg_1"));
        WebhookDeliveryAttempt second = await log.RecordAsync(Attempt("sub_a", "msg_2"));
        WebhookDeliveryAttempt third = await log.RecordAsync(Attempt("sub_b", "msg_1"));

        Assert.True(first.Sequence > 0);
        Assert.True(second.Sequence > first.Sequence);
        Assert.True(third.Sequence > second.Sequence);
    }

    [Fact]
    public async Task ListAsync_EveryFieldAsRecorded()
    {
        IWebhookDeliveryLog log = CreateLog();
        WebhookDeliveryAttempt failed = Attempt("sub_a", "msg_1") with
        {
            EventType = "invoice.paid",
            Attempt = 3,
            Duration = TimeSpan.FromMilliseconds(1234.5),
            StatusCode = 503,
            Outcome = "failed",
            Error = "503: \"busy\" \u00e9t\u00e9",
            ResponseSnippet = "{\"error\":\"\u00fcberlastet\"}\n",
        };
        WebhookDeliveryAttempt timedOut = Attempt("sub_a", "msg_1") with { Attempt = 4, StatusCode = null, Outcome = "failed", Error = "No answer within 10 s." };

        WebhookDeliveryAttempt recordedFailed = await log.RecordAsync(failed);
        WebhookDeliveryAttempt recordedTimeout = await log.RecordAsync(timedOut);

        IReadOnlyList<WebhookDeliveryAttempt> listed = await log.ListAsync("sub_a", null, null, 10);
        Assert.Equal([recordedTimeout, recordedFailed], listed);
        Assert.Equal(failed with { Sequence = recordedFailed.Sequence }, listed[1]);
        Assert.Null(listed[0].StatusCode);
        Assert.Null(listed[0].ResponseSnippet);
    }

    [Fact]
    public async Task ListAsync_NewestFirst_UpToTheLimit()
    {
        IWebhookDeliveryLog log = CreateLog();
        var recorded = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            recorded.Add((await log.RecordAsync(Attempt("sub_a", "msg_" + i))).Sequence);
        }

        IReadOnlyList<WebhookDeliveryAttempt> listed = await log.ListAsync(null, null, null, 3);

        Assert.Equal([recorded[4], recorded[3], recorded[2]], Sequences(listed));
    }

    [Fact]
    public async Task ListAsync_BySubscription_ByMessage_ByBoth()
    {
        IWebhookDeliveryLog log = CreateLog();
        long a1 = (await log.RecordAsync(Attempt("sub_a", "msg_1"))).Sequence;
        long b1 = (await log.RecordAsync(Attempt("sub_b", "msg_1"))).Sequence;
        long a2 = (await log.RecordAsync(Attempt("sub_a", "msg_2"))).Sequence;
        long a1Again = (await log.RecordAsync(Attempt("sub_a", "msg_1") with { Attempt = 2 })).Sequence;

        Assert.Equal([a1Again, a2, a1], Sequences(await log.ListAsync("sub_a", null, null, 10)));
        Assert.Equal([b1], Sequences(await log.ListAsync("sub_b", null, null, 10)));
        Assert.Equal([a1Again, b1, a1], Sequences(await log.ListAsync(null, "msg_1", null, 10)));
        Assert.Equal([a1Again, a1], Sequences(await log.ListAsync("sub_a", "msg_1", null, 10)));
        Assert.Equal([a1Again, a2, b1, a1], Sequences(await log.ListAsync(null, null, null, 10)));
        Assert.Empty(await log.ListAsync("sub_missing", null, null, 10));
        Assert.Empty(await log.ListAsync(null, "msg_missing", null, 10));
        Assert.Empty(await log.ListAsync("sub_b", "msg_2", null, 10));
    }

    [Fact]
    public async Task ListAsync_PagedByCursor_EveryAttemptOnceInOrder()
    {
        IWebhookDeliveryLog log = CreateLog();
        var expected = new List<long>();
        for (int i = 0; i < 40; i++)
        {
            // Another subscription's attempts lie between this one's, so a filtered page must look past them.
            WebhookDeliveryAttempt recorded = await log.RecordAsync(Attempt(i % 3 == 0 ? "sub_a" : "sub_b", "msg_" + (i % 7)));
            if (recorded.SubscriptionId == "sub_a")
            {
                expected.Insert(0, recorded.Sequence);
            }
        }

        var seen = new List<long>();
        long? before = null;
        while (true)
        {
            IReadOnlyList<WebhookDeliveryAttempt> page = await log.ListAsync("sub_a", null, before, 4);
            Assert.InRange(page.Count, 0, 4);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(Sequences(page));
            before = page[^1].Sequence;
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ListAsync_BeforeTheFirst_Empty()
    {
        IWebhookDeliveryLog log = CreateLog();
        long first = (await log.RecordAsync(Attempt("sub_a", "msg_1"))).Sequence;

        Assert.Empty(await log.ListAsync(null, null, first, 10));
        Assert.Empty(await log.ListAsync("sub_a", "msg_1", first, 10));
    }

    [Fact]
    public async Task ListAsync_OlderThanTheRetention_NotListed()
    {
        IWebhookDeliveryLog log = CreateLog(TimeSpan.FromHours(1), 100_000);
        await log.RecordAsync(Attempt("sub_a", "msg_old"));
        Time.Advance(TimeSpan.FromMinutes(40));
        long young = (await log.RecordAsync(Attempt("sub_a", "msg_young"))).Sequence;

        Time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal([young], Sequences(await log.ListAsync("sub_a", null, null, 10)));
        Assert.Equal([young], Sequences(await log.ListAsync(null, null, null, 10)));
        Assert.Empty(await log.ListAsync(null, "msg_old", null, 10));
    }

    [Fact]
    public async Task RecordAsync_AfterTheRetention_OldAttemptsForgotten_NewOnesKept()
    {
        IWebhookDeliveryLog log = CreateLog(TimeSpan.FromHours(1), 100_000);
        for (int i = 0; i < 10; i++)
        {
            await log.RecordAsync(Attempt("sub_a", "msg_" + i));
        }

        Time.Advance(TimeSpan.FromHours(2));
        long kept = (await log.RecordAsync(Attempt("sub_a", "msg_new"))).Sequence;

        Assert.Equal([kept], Sequences(await log.ListAsync(null, null, null, 100)));
        Assert.Equal([kept], Sequences(await log.ListAsync("sub_a", null, null, 100)));
    }

    [Fact]
    public async Task RecordAsync_BeyondTheMostKept_OldestForgotten()
    {
        IWebhookDeliveryLog log = CreateLog(TimeSpan.FromDays(30), 5);
        var recorded = new List<long>();
        for (int i = 0; i < 8; i++)
        {
            recorded.Add((await log.RecordAsync(Attempt("sub_a", "msg_" + i))).Sequence);
        }

        Assert.Equal([recorded[7], recorded[6], recorded[5], recorded[4], recorded[3]], Sequences(await log.ListAsync(null, null, null, 100)));
        Assert.Equal([recorded[7], recorded[6], recorded[5], recorded[4], recorded[3]], Sequences(await log.ListAsync("sub_a", null, null, 100)));
        Assert.Empty(await log.ListAsync(null, "msg_0", null, 100));
    }

    [Fact]
    public async Task RecordAsync_ManyWritersAtOnce_EveryAttemptKeptUnderItsOwnNumber()
    {
        IWebhookDeliveryLog log = CreateLog();
        const int Writers = 16;
        const int Each = 50;

        WebhookDeliveryAttempt[][] recorded = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var mine = new WebhookDeliveryAttempt[Each];
            for (int i = 0; i < Each; i++)
            {
                mine[i] = await log.RecordAsync(Attempt("sub_" + w, "msg_" + w + "_" + i));
            }

            return mine;
        })));

        long[] sequences = recorded.SelectMany(r => r).Select(r => r.Sequence).ToArray();
        Assert.Equal(Writers * Each, sequences.Distinct().Count());
        IReadOnlyList<WebhookDeliveryAttempt> listed = await log.ListAsync(null, null, null, Writers * Each + 10);
        Assert.Equal(sequences.OrderDescending(), Sequences(listed));
        for (int w = 0; w < Writers; w++)
        {
            Assert.Equal(Each, (await log.ListAsync("sub_" + w, null, null, Each + 10)).Count);
        }
    }

    [Fact]
    public async Task ListAsync_LimitBelowOne_Refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", async () => await CreateLog().ListAsync(null, null, null, 0));
    }

    private WebhookDeliveryAttempt Attempt(string subscriptionId, string messageId) => new()
    {
        MessageId = messageId,
        SubscriptionId = subscriptionId,
        EventType = "invoice.created",
        Attempt = 1,
        StartedAt = Time.GetUtcNow(),
        Duration = TimeSpan.FromMilliseconds(12),
        StatusCode = 200,
        Outcome = "delivered",
    };

    private static long[] Sequences(IReadOnlyList<WebhookDeliveryAttempt> attempts) => attempts.Select(a => a.Sequence).ToArray();
}
