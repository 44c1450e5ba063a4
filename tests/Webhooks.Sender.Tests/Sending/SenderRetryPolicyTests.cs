using Webhooks.Sender.Sending;

namespace Webhooks.Sender.Tests.Sending;

public sealed class SenderRetryPolicyTests
{
    [Fact]
    public void GetRetryDelay_ScheduleWithJitterBounds()
    {
        var options = new WebhookSenderOptions();

        Assert.Equal(TimeSpan.FromSeconds(4.5), new SenderRetryPolicy(options, () => 0).GetRetryDelay(1, new InvalidOperationException()));
        Assert.Equal(TimeSpan.FromMinutes(5.5), new SenderRetryPolicy(options, () => 1).GetRetryDelay(2, new InvalidOperationException()));
        Assert.Null(new SenderRetryPolicy(options).GetRetryDelay(8, new InvalidOperationException()));
    }

    [Fact]
    public void GetRetryDelay_RetryAfterBoundedByMaxRetryAfter()
    {
        var policy = new SenderRetryPolicy(new WebhookSenderOptions { MaxRetryAfter = TimeSpan.FromMinutes(10) });

        Assert.Equal(TimeSpan.FromSeconds(7), policy.GetRetryDelay(1, new WebhookDeliveryFailedException("429", TimeSpan.FromSeconds(7))));
        Assert.Equal(TimeSpan.FromMinutes(10), policy.GetRetryDelay(1, new WebhookDeliveryFailedException("503", TimeSpan.FromHours(3))));
    }
}
