using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Tests.Subscriptions;

/// <summary>What every <see cref="IWebhookSubscriptionStore"/> must do; each store's tests derive from this class.</summary>
public abstract class WebhookSubscriptionStoreContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    protected abstract IWebhookSubscriptionStore CreateStore();

    [Fact]
    public async Task AddAsync_NewId_StoredAsGiven()
    {
        IWebhookSubscriptionStore store = CreateStore();
        WebhookSubscription subscription = Subscription("sub_01", "invoice.*") with
        {
            Description = "billing",
            Metadata = new Dictionary<string, string> { ["account"] = "acct_9" },
            SignatureStyle = WebhookSignatureStyle.GitHub,
        };

        Assert.True(await store.AddAsync(subscription));

        WebhookSubscription? read = await store.GetAsync("sub_01");
        Assert.NotNull(read);
        Assert.Equal("https://hooks.example.com/in", read.Url);
        Assert.Equal(["invoice.*"], read.EventTypes);
        Assert.Equal("billing", read.Description);
        Assert.Equal("acct_9", read.Metadata["account"]);
        Assert.Equal(WebhookSignatureStyle.GitHub, read.SignatureStyle);
        Assert.Equal(subscription.Secrets, read.Secrets);
        Assert.Equal(Now, read.CreatedAt);
        Assert.Equal(1, read.Version);
    }

    [Fact]
    public async Task AddAsync_ExistingId_FalseAndUnchanged()
    {
        IWebhookSubscriptionStore store = CreateStore();
        await store.AddAsync(Subscription("sub_01", "a"));

        Assert.False(await store.AddAsync(Subscription("sub_01", "b")));

        Assert.Equal(["a"], (await store.GetAsync("sub_01"))!.EventTypes);
    }

    [Fact]
    public async Task GetAsync_Unknown_Null()
    {
        Assert.Null(await CreateStore().GetAsync("sub_missing"));
    }

    [Fact]
    public async Task ReplaceAsync_AtTheVersionRead_Replaced()
    {
        IWebhookSubscriptionStore store = CreateStore();
        WebhookSubscription first = Subscription("sub_01", "a");
        await store.AddAsync(first);

        Assert.True(await store.ReplaceAsync(first with { Url = "https://other.example.com/", Version = 2 }, expectedVersion: 1));

        WebhookSubscription read = (await store.GetAsync("sub_01"))!;
        Assert.Equal("https://other.example.com/", read.Url);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task ReplaceAsync_StaleVersion_FalseAndUnchanged()
    {
        IWebhookSubscriptionStore store = CreateStore();
        WebhookSubscription first = Subscription("sub_01", "a");
        await store.AddAsync(first);
        await store.ReplaceAsync(first with { IsActive = false, Version = 2 }, 1);

        Assert.False(await store.ReplaceAsync(first with { Url = "https://stale.example.com/", Version = 2 }, expectedVersion: 1));

        WebhookSubscription read = (await store.GetAsync("sub_01"))!;
        Assert.Equal("https://hooks.example.com/in", read.Url);
        Assert.False(read.IsActive);
    }

    [Fact]
    public async Task ReplaceAsync_Removed_False()
    {
        IWebhookSubscriptionStore store = CreateStore();
        WebhookSubscription first = Subscription("sub_01", "a");
        await store.AddAsync(first);
        await store.RemoveAsync("sub_01");

        Assert.False(await store.ReplaceAsync(first with { Version = 2 }, 1));
        Assert.Null(await store.GetAsync("sub_01"));
    }

    [Fact]
    public async Task ReplaceAsync_ManyWritersAtOnce_EachVersionWonOnce()
    {
        IWebhookSubscriptionStore store = CreateStore();
        await store.AddAsync(Subscription("sub_01", "a"));
        int wins = 0;

        // 16 writers, 50 changes each: every change reads, then replaces at the version read; a lost race reads again.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                while (true)
                {
                    WebhookSubscription current = (await store.GetAsync("sub_01"))!;
                    var counted = int.Parse(current.Metadata.GetValueOrDefault("n", "0"), System.Globalization.CultureInfo.InvariantCulture);
                    var next = current with
                    {
                        Metadata = new Dictionary<string, string> { ["n"] = (counted + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        Version = current.Version + 1,
                    };
                    if (await store.ReplaceAsync(next, current.Version))
                    {
                        Interlocked.Increment(ref wins);
                        break;
                    }
                }
            }
        })));

        WebhookSubscription final = (await store.GetAsync("sub_01"))!;
        Assert.Equal(800, wins);
        Assert.Equal("800", final.Metadata["n"]);
        Assert.Equal(801, final.Version);
    }

    [Fact]
    public async Task RemoveAsync_ExistingThenAgain_TrueThenFalse()
    {
        IWebhookSubscriptionStore store = CreateStore();
        await store.AddAsync(Subscription("sub_01", "a"));

        Assert.True(await store.RemoveAsync("sub_01"));
        Assert.False(await store.RemoveAsync("sub_01"));
        Assert.Null(await store.GetAsync("sub_01"));
    }

    [Fact]
    public async Task ListAsync_PagesByCursor_EachOnceInIdOrder()
    {
        IWebhookSubscriptionStore store = CreateStore();
        for (int i = 24; i >= 0; i--)
        {
            await store.AddAsync(Subscription($"sub_{i:D2}", "a"));
        }

        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            WebhookSubscriptionPage page = await store.ListAsync(cursor, 10);
            Assert.True(page.Subscriptions.Count <= 10);
            seen.AddRange(page.Subscriptions.Select(s => s.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"sub_{i:D2}"), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListAsync_ExactlyOnePageFull_NoEmptyPageAfter()
    {
        IWebhookSubscriptionStore store = CreateStore();
        for (int i = 0; i < 3; i++)
        {
            await store.AddAsync(Subscription($"sub_{i}", "a"));
        }

        WebhookSubscriptionPage page = await store.ListAsync(null, 3);

        Assert.Equal(3, page.Subscriptions.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task FindActiveAsync_MatchingActiveOnly()
    {
        IWebhookSubscriptionStore store = CreateStore();
        await store.AddAsync(Subscription("sub_1", "invoice.*"));
        await store.AddAsync(Subscription("sub_2", "*"));
        await store.AddAsync(Subscription("sub_3", "invoice.paid") with { IsActive = false });
        await store.AddAsync(Subscription("sub_4", "customer.created"));
        await store.AddAsync(Subscription("sub_5", "invoice.paid", "customer.*"));

        IReadOnlyList<WebhookSubscription> found = await store.FindActiveAsync("invoice.paid");

        Assert.Equal(["sub_1", "sub_2", "sub_5"], found.Select(s => s.Id));
    }

    private static WebhookSubscription Subscription(string id, params string[] eventTypes) => new()
    {
        Id = id,
        Url = "https://hooks.example.com/in",
        EventTypes = eventTypes,
        Secrets = [new WebhookSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Now, null)],
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}
