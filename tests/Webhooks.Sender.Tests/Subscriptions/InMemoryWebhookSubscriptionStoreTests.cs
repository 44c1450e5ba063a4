using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Tests.Subscriptions;

public sealed class InMemoryWebhookSubscriptionStoreTests : WebhookSubscriptionStoreContract
{
    protected override IWebhookSubscriptionStore CreateStore() => new InMemoryWebhookSubscriptionStore();
}
