using Webhooks.Sender.DeliveryLog;

namespace Webhooks.Sender.Tests.DeliveryLog;

public sealed class InMemoryWebhookDeliveryLogTests : WebhookDeliveryLogContract
{
    protected override IWebhookDeliveryLog CreateLog(TimeSpan retention, int maxAttempts) => new InMemoryWebhookDeliveryLog(Time, retention, maxAttempts);
}
