using Webhooks.Processing;

namespace Webhooks.AotTest;

internal sealed class SmokeHandler : IWebhookHandler
{
    private static int s_calls;

    public static int Calls => s_calls;

    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref s_calls);
        return Task.CompletedTask;
    }
}
