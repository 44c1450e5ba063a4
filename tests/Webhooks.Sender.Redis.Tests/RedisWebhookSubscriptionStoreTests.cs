using Webhooks.Redis.Tests;
using Webhooks.Sender.Subscriptions;
using Webhooks.Sender.Tests.Subscriptions;

namespace Webhooks.Sender.Redis.Tests;

[CollectionDefinition(Name)]
public sealed class SenderRedisGroup : ICollectionFixture<RedisServer>
{
    public const string Name = "Sender on a real redis-server";
}

/// <summary>The subscription store contract on a real Redis, each test under its own key prefix.</summary>
[Collection(SenderRedisGroup.Name)]
public sealed class RedisWebhookSubscriptionStoreTests(RedisServer redis) : WebhookSubscriptionStoreContract
{
    protected override IWebhookSubscriptionStore CreateStore() =>
        new RedisWebhookSubscriptionStore(redis.Connection, "t" + Guid.NewGuid().ToString("N")[..10] + ":");

    [Fact]
    public async Task FindActiveAsync_ChangesMadeByAnotherProcess_SeenByTheNextCall()
    {
        string prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";
        var publishing = new RedisWebhookSubscriptionStore(redis.Connection, prefix);
        var managing = new RedisWebhookSubscriptionStore(redis.Connection, prefix);
        Assert.Empty(await publishing.FindActiveAsync("invoice.paid"));

        WebhookSubscription added = Subscription("sub_a", "invoice.*");
        Assert.True(await managing.AddAsync(added));
        Assert.Equal(["sub_a"], (await publishing.FindActiveAsync("invoice.paid")).Select(s => s.Id));

        WebhookSubscription paused = added with { IsActive = false, Version = 2 };
        Assert.True(await managing.ReplaceAsync(paused, 1));
        Assert.Empty(await publishing.FindActiveAsync("invoice.paid"));

        Assert.True(await managing.ReplaceAsync(paused with { IsActive = true, EventTypes = ["customer.*"], Version = 3 }, 2));
        Assert.Empty(await publishing.FindActiveAsync("invoice.paid"));
        Assert.Equal(["sub_a"], (await publishing.FindActiveAsync("customer.created")).Select(s => s.Id));

        Assert.True(await managing.RemoveAsync("sub_a"));
        Assert.Empty(await publishing.FindActiveAsync("customer.created"));
    }

    [Fact]
    public async Task FindActiveAsync_NothingChanged_SubscriptionsNotReadAgain()
    {
        string prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";
        var store = new RedisWebhookSubscriptionStore(redis.Connection, prefix);
        await store.AddAsync(Subscription("sub_a", "*"));
        Assert.Single(await store.FindActiveAsync("invoice.paid"));

        // Removed behind the store's back (no version counted): the store still answers from what it read at this version.
        await redis.Connection.GetDatabase().KeyDeleteAsync(prefix + "{subscriptions}:s:sub_a");
        Assert.Equal(["sub_a"], (await store.FindActiveAsync("invoice.paid")).Select(s => s.Id));

        // Any change through a store moves the version, and everything is read again.
        await new RedisWebhookSubscriptionStore(redis.Connection, prefix).AddAsync(Subscription("sub_b", "*"));
        Assert.Equal(["sub_b"], (await store.FindActiveAsync("invoice.paid")).Select(s => s.Id));
    }

    [Fact]
    public async Task Stored_EveryFieldReadBack()
    {
        IWebhookSubscriptionStore store = CreateStore();
        DateTimeOffset at = new(2026, 11, 24, 8, 0, 0, TimeSpan.FromHours(1));
        var subscription = new WebhookSubscription
        {
            Id = "sub_full",
            Url = "https://hooks.example.com/in?x=1",
            EventTypes = ["invoice.*", "customer.created"],
            IsActive = false,
            DisabledReason = "failing",
            FailingSince = at.AddDays(-5),
            Description = "billing \u00e9t\u00e9 \"quoted\"",
            Metadata = new Dictionary<string, string> { ["account"] = "acct_9", ["tier"] = "gold" },
            SignatureStyle = WebhookSignatureStyle.GitHub,
            Secrets = [new WebhookSigningSecret("whsec_new", at, null), new WebhookSigningSecret("whsec_old", at.AddDays(-30), at.AddHours(5))],
            CreatedAt = at.AddDays(-30),
            UpdatedAt = at,
            Version = 7,
        };

        Assert.True(await store.AddAsync(subscription));
        WebhookSubscription read = (await store.GetAsync("sub_full"))!;

        Assert.Equal(subscription.Url, read.Url);
        Assert.Equal(subscription.EventTypes, read.EventTypes);
        Assert.Equal((false, "failing", subscription.FailingSince), (read.IsActive, read.DisabledReason, read.FailingSince));
        Assert.Equal(subscription.Description, read.Description);
        Assert.Equal(subscription.Metadata, read.Metadata);
        Assert.Equal(WebhookSignatureStyle.GitHub, read.SignatureStyle);
        Assert.Equal(subscription.Secrets, read.Secrets);
        Assert.Equal((subscription.CreatedAt, subscription.UpdatedAt, 7L), (read.CreatedAt, read.UpdatedAt, read.Version));
    }

    [Fact]
    public void Constructor_PrefixWithABrace_Refused()
    {
        Assert.Throws<ArgumentException>("keyPrefix", () => new RedisWebhookSubscriptionStore(redis.Connection, "a{b}:"));
    }

    private static WebhookSubscription Subscription(string id, params string[] eventTypes) => new()
    {
        Id = id,
        Url = "https://hooks.example.com/in",
        EventTypes = eventTypes,
        Secrets = [new WebhookSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", DateTimeOffset.UnixEpoch, null)],
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
