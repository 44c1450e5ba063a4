using System.Threading;
using System.Threading.Tasks;
using Webhooks.Processing;

namespace Webhooks.Benchmarks;

/// <summary>Counts the events it is given; completes the waiting batch when its count is reached.</summary>
internal sealed class CountingHandler(CountingHandler.Counter counter) : IWebhookHandler
{
    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        counter.Add();
        return Task.CompletedTask;
    }

    internal sealed class Counter
    {
        private TaskCompletionSource? _done;
        private int _remaining;

        public void Expect(int count, TaskCompletionSource done)
        {
            _done = done;
            Volatile.Write(ref _remaining, count);
        }

        public void Add()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done!.TrySetResult();
            }
        }
    }
}
