using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

public class TracingTests
{
    [Fact]
    public async Task ReceivingRequestTraceParent_StoredWithTheEvent_AndTheProcessSpanLinksToIt()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using ReceiverHost host = await ReceiverHost.StartAsync();

        // The sender's own trace: the receiving request's span is its child, so it carries the same trace id.
        const string SenderTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"traced\":true}", "traced-1");
        request.Headers.Add("traceparent", "00-" + SenderTraceId + "-00f067aa0ba902b7-01");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(request)).StatusCode);
        await host.WaitForStatusAsync("github:traced-1", WebhookEventStatus.Processed);

        WebhookEvent stored = (await host.Store.ReadAsync("github:traced-1"))!;
        Assert.NotNull(stored.TraceParent);
        Assert.True(ActivityContext.TryParse(stored.TraceParent, null, out ActivityContext received));
        Assert.Equal(SenderTraceId, received.TraceId.ToHexString());
        Assert.NotEqual("00f067aa0ba902b7", received.SpanId.ToHexString());

        Activity process = await WaitForAsync(() => stopped.FirstOrDefault(a => a.OperationName == "webhook.process" && Equals(a.GetTagItem("webhook.id"), "github:traced-1")));
        ActivityLink link = Assert.Single(process.Links);
        Assert.Equal(received.TraceId, link.Context.TraceId);
        Assert.Equal(received.SpanId, link.Context.SpanId);
        Assert.NotEqual(received.TraceId, process.TraceId);
    }

    [Fact]
    public async Task ReceivingRequestNotRecorded_NoTraceParentStored()
    {
        // The receiving request gets a span that is created but not recorded (the other test of this class, whose listener
        // records everything, never runs at the same time): nothing exports it, so the event carries no trace context.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(listener);
        string? seen = null;
        await using ReceiverHost host = await ReceiverHost.StartAsync(beforeEndpoints: app => app.Use(next => context =>
        {
            seen = Activity.Current is { IdFormat: ActivityIdFormat.W3C } span ? span.Id : null;
            return next(context);
        }));
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"traced\":false}", "untraced-1");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(request)).StatusCode);

        WebhookEvent stored = (await host.Store.ReadAsync("github:untraced-1"))!;
        Assert.NotNull(seen); // the request did have a W3C span
        Assert.Null(stored.TraceParent);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> find)
        where T : class
    {
        for (int i = 0; i < 2000; i++)
        {
            if (find() is { } found)
            {
                return found;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("never happened");
    }
}
