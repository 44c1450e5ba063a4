using System.Net;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Sender.Security;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Tests.Subscriptions;

public sealed class WebhookSubscriptionsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryWebhookSubscriptionStore _store = new();
    private readonly Dictionary<string, IPAddress> _dns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hooks.example.com"] = IPAddress.Parse("93.184.215.14"),
        ["internal.example.com"] = IPAddress.Parse("10.0.0.7"),
    };

    [Fact]
    public async Task CreateAsync_Valid_StoredWithAGeneratedSecretReturnedOnce()
    {
        WebhookSubscriptionCreated created = await Subscriptions().CreateAsync(Request());

        Assert.Matches("^sub_[0-9a-hjkmnp-tv-z]{26}$", created.Subscription.Id);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(created.Secret["whsec_".Length..]).Length);
        Assert.DoesNotContain(created.Secret, created.ToString(), StringComparison.Ordinal);
        WebhookSubscription stored = (await _store.GetAsync(created.Subscription.Id))!;
        Assert.Equal(created.Secret, Assert.Single(stored.Secrets).Value);
        Assert.Equal(_clock.GetUtcNow(), stored.CreatedAt);
        Assert.True(stored.IsActive);
    }

    [Fact]
    public async Task CreateAsync_TwoSubscriptions_DifferentSecretsAndIdsInCreationOrder()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated first = await subscriptions.CreateAsync(Request());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        WebhookSubscriptionCreated second = await subscriptions.CreateAsync(Request());

        Assert.NotEqual(first.Secret, second.Secret);
        Assert.True(string.CompareOrdinal(first.Subscription.Id, second.Subscription.Id) < 0);
        Assert.Equal([first.Subscription.Id, second.Subscription.Id], (await subscriptions.ListAsync()).Subscriptions.Select(s => s.Id));
    }

    [Theory]
    [InlineData("https://internal.example.com/hook", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://10.0.0.1/hook", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("http://hooks.example.com/hook", WebhookUrlErrors.HttpsRequired)]
    [InlineData("https://0x7f.1/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://nowhere.example.com/", WebhookUrlErrors.UnresolvableHost)]
    [InlineData("not a url", WebhookUrlErrors.InvalidUrl)]
    public async Task CreateAsync_RefusedUrl_ErrorCodeAndNothingStored(string url, string code)
    {
        WebhookSubscriptionException thrown = await Assert.ThrowsAsync<WebhookSubscriptionException>(() => Subscriptions().CreateAsync(Request() with { Url = url }).AsTask());

        Assert.Equal(code, thrown.ErrorCode);
        Assert.Empty((await _store.ListAsync(null, 10)).Subscriptions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("caf\u00e9")]
    public async Task CreateAsync_InvalidEventType_InvalidEventTypes(string eventType)
    {
        WebhookSubscriptionException thrown = await Assert.ThrowsAsync<WebhookSubscriptionException>(() => Subscriptions().CreateAsync(Request() with { EventTypes = [eventType] }).AsTask());

        Assert.Equal("invalid_event_types", thrown.ErrorCode);
    }

    [Fact]
    public async Task CreateAsync_GivenSecret_KeptAndReturned()
    {
        const string Moved = "whsec_ZGV2LWFjbWUtc3RhbmRhcmQtd2ViaG9va3Mta2V5ISE=";

        WebhookSubscriptionCreated created = await Subscriptions().CreateAsync(Request() with { Secret = Moved });

        Assert.Equal(Moved, created.Secret);
        Assert.Equal(Moved, Assert.Single((await _store.GetAsync(created.Subscription.Id))!.Secrets).Value);
    }

    [Theory]
    [InlineData("ZGV2LWFjbWUtc3RhbmRhcmQtd2ViaG9va3Mta2V5ISE=")]
    [InlineData("whsec_not base64")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("whsec_")]
    public async Task CreateAsync_InvalidGivenSecret_InvalidSecret(string secret)
    {
        WebhookSubscriptionException thrown = await Assert.ThrowsAsync<WebhookSubscriptionException>(() => Subscriptions().CreateAsync(Request() with { Secret = secret }).AsTask());

        Assert.Equal("invalid_secret", thrown.ErrorCode);
        Assert.DoesNotContain(secret.Length > 6 ? secret[6..] : "never", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_NoEventTypes_InvalidEventTypes()
    {
        WebhookSubscriptionException thrown = await Assert.ThrowsAsync<WebhookSubscriptionException>(() => Subscriptions().CreateAsync(Request() with { EventTypes = [] }).AsTask());

        Assert.Equal("invalid_event_types", thrown.ErrorCode);
    }

    [Fact]
    public async Task UpdateAsync_NewUrlCheckedAgain_RefusedAndUnchanged()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());

        WebhookSubscriptionException thrown = await Assert.ThrowsAsync<WebhookSubscriptionException>(
            () => subscriptions.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionChange { Url = "https://internal.example.com/x" }).AsTask());

        Assert.Equal(WebhookUrlErrors.ForbiddenAddress, thrown.ErrorCode);
        Assert.Equal("https://hooks.example.com/in", (await subscriptions.GetAsync(created.Subscription.Id))!.Url);
    }

    [Fact]
    public async Task UpdateAsync_Fields_ChangedAndVersionUp()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());
        _clock.Advance(TimeSpan.FromMinutes(1));

        WebhookSubscription? updated = await subscriptions.UpdateAsync(
            created.Subscription.Id,
            new WebhookSubscriptionChange { EventTypes = ["customer.*"], IsActive = false, Description = "paused" });

        Assert.NotNull(updated);
        Assert.Equal(["customer.*"], updated.EventTypes);
        Assert.False(updated.IsActive);
        Assert.Equal("paused", updated.Description);
        Assert.Equal(2, updated.Version);
        Assert.Equal(_clock.GetUtcNow(), updated.UpdatedAt);
        Assert.Equal(created.Subscription.Secrets, updated.Secrets);
    }

    [Fact]
    public async Task UpdateAsync_Unknown_Null()
    {
        Assert.Null(await Subscriptions().UpdateAsync("sub_missing", new WebhookSubscriptionChange { IsActive = false }));
    }

    [Fact]
    public async Task RotateSecretAsync_OldSecretSignsUntilTheOverlapEnds()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());

        WebhookSubscriptionCreated? rotated = await subscriptions.RotateSecretAsync(created.Subscription.Id, TimeSpan.FromHours(2));

        Assert.NotNull(rotated);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Equal([rotated.Secret, created.Secret], rotated.Subscription.Secrets.Select(s => s.Value));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(2), rotated.Subscription.Secrets[1].ExpiresAt);
        Assert.Equal(2, WebhookSubscriptions.SigningSecrets(rotated.Subscription, _clock.GetUtcNow() + TimeSpan.FromHours(2) - TimeSpan.FromTicks(1)).Count);
        Assert.Equal(rotated.Secret, Assert.Single(WebhookSubscriptions.SigningSecrets(rotated.Subscription, _clock.GetUtcNow() + TimeSpan.FromHours(2))).Value);
    }

    [Fact]
    public async Task RotateSecretAsync_ZeroOverlap_OldSecretDroppedAtOnce()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());

        WebhookSubscriptionCreated? rotated = await subscriptions.RotateSecretAsync(created.Subscription.Id, TimeSpan.Zero);

        Assert.Equal(rotated!.Secret, Assert.Single(rotated.Subscription.Secrets).Value);
    }

    [Fact]
    public async Task RotateSecretAsync_ManyTimesWithinTheOverlap_AtMostFiveSecrets()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());
        WebhookSubscriptionCreated? rotated = null;
        for (int i = 0; i < 8; i++)
        {
            rotated = await subscriptions.RotateSecretAsync(created.Subscription.Id);
        }

        Assert.Equal(5, rotated!.Subscription.Secrets.Count);
        Assert.Equal(rotated.Secret, rotated.Subscription.Secrets[0].Value);
        Assert.Null(rotated.Subscription.Secrets[0].ExpiresAt);
    }

    [Fact]
    public async Task RotateSecretAsync_NegativeOverlap_Throws()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("overlap", () => subscriptions.RotateSecretAsync(created.Subscription.Id, TimeSpan.FromSeconds(-1)).AsTask());
    }

    [Fact]
    public async Task UpdatesAndRotationsAtOnce_NoChangeLost()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());
        string id = created.Subscription.Id;

        // 8 tasks each make 25 changes of their own metadata key while others rotate the secret: every change is kept.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                if (t % 2 == 0)
                {
                    await subscriptions.RotateSecretAsync(id);
                }
                else
                {
                    await subscriptions.UpdateAsync(id, new WebhookSubscriptionChange { Description = $"{t}:{i}" });
                }
            }
        })));

        WebhookSubscription final = (await subscriptions.GetAsync(id))!;
        Assert.Equal(1 + 200, final.Version);
        Assert.Equal(5, final.Secrets.Count);
    }

    [Fact]
    public async Task DeleteAsync_Existing_GoneThenFalse()
    {
        WebhookSubscriptions subscriptions = Subscriptions();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(Request());

        Assert.True(await subscriptions.DeleteAsync(created.Subscription.Id));
        Assert.False(await subscriptions.DeleteAsync(created.Subscription.Id));
        Assert.Null(await subscriptions.GetAsync(created.Subscription.Id));
    }

    [Theory]
    [InlineData("*", "invoice.paid", true)]
    [InlineData("invoice.*", "invoice.paid", true)]
    [InlineData("invoice.*", "invoice.", true)]
    [InlineData("invoice.*", "invoices.paid", false)]
    [InlineData("*.paid", "invoice.paid", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("invoice.paid", "invoice.paid", true)]
    [InlineData("invoice.paid", "Invoice.paid", false)]
    public void Matches_Patterns(string pattern, string eventType, bool expected)
    {
        var subscription = new WebhookSubscription { Id = "sub_1", Url = "https://x.example.com/", EventTypes = [pattern], Secrets = [] };

        Assert.Equal(expected, subscription.Matches(eventType));
    }

    private WebhookSubscriptions Subscriptions() => new(
        _store,
        new WebhookUrlPolicy(false, (host, _) => _dns.TryGetValue(host, out IPAddress? address)
            ? Task.FromResult(new[] { address })
            : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound)),
        _clock);

    private static WebhookSubscriptionRequest Request() => new() { Url = "https://hooks.example.com/in", EventTypes = ["invoice.*"] };
}
