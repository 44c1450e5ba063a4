using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Processing;
using Webhooks.Signatures;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

public class WebhookPipelineTests
{
    [Fact]
    public async Task AcceptAsync_SameDeliveryTwice_DuplicateAndProcessedOnce()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        Assert.Equal(WebhookAcceptResult.Queued, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1")));
        Assert.Equal(WebhookAcceptResult.Duplicate, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1")));
        await h.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:d1"))!.Status);

        Assert.Equal(WebhookAcceptResult.Duplicate, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1")));
        await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task AcceptAsync_SameIdDifferentBody_ConflictingAndNeverProcessed()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync(start: false);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1", body: "{\"a\":1}"));
        Assert.Equal(WebhookAcceptResult.ConflictingDuplicate, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1", body: "{\"a\":2}")));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await h.Store.ReadAsync("github:d1"))!.Body.Span));
    }

    [Fact]
    public async Task AcceptAsync_StoreFull_ThrowsAndNothingStored()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync(configure: o => o.InMemory.MaxEvents = 1, start: false);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("a"));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await h.Pipeline.AcceptAsync(PipelineHarness.Event("b")));
        Assert.Null(await h.Store.GetAsync("github:b"));
    }

    [Fact]
    public async Task ReplayDeadAsync_ManyPages_EveryDeadEventRunsAgainOnce_OthersUntouched()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new InvalidOperationException("broken") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, retryPolicy: new ListRetryPolicy());
        for (int i = 0; i < 250; i++)
        {
            await h.Pipeline.AcceptAsync(PipelineHarness.Event("dead-" + i, body: "{\"n\":" + i + "}"));
        }

        await h.RunUntilIdleAsync();
        Assert.Equal(250, (await h.Store.CountAsync()).Dead);
        script.Behaviour = (_, _, _) => Task.CompletedTask;
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("fine", body: "{\"fine\":1}"));
        await h.RunUntilIdleAsync();

        Assert.Equal(120, await h.Pipeline.ReplayDeadAsync(120));
        Assert.Equal(130, (await h.Store.CountAsync()).Dead);
        Assert.Equal(130, await h.Pipeline.ReplayDeadAsync(10_000));
        Assert.Equal(0, await h.Pipeline.ReplayDeadAsync(10_000));
        await h.RunUntilIdleAsync();

        WebhookEventCounts counts = await h.Store.CountAsync();
        Assert.Equal(251, counts.Processed);
        for (int i = 0; i < 250; i++)
        {
            Assert.Equal(2, h.Script.CallsFor("github:dead-" + i));
        }

        Assert.Equal(1, h.Script.CallsFor("github:fine"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await h.Pipeline.ReplayDeadAsync(0));
    }

    [Fact]
    public async Task ReplayAsync_ProcessedWithoutForce_RefusedWithForce_RunsAgain()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();

        Assert.Equal(WebhookReplayResult.AlreadyProcessed, await h.Pipeline.ReplayAsync("github:d1"));
        await h.RunUntilIdleAsync();
        Assert.Equal(1, h.Script.CallsFor("github:d1"));

        Assert.Equal(WebhookReplayResult.Queued, await h.Pipeline.ReplayAsync("github:d1", force: true));
        await h.RunUntilIdleAsync();
        Assert.Equal((WebhookEventStatus.Processed, 1), ((await h.Store.GetAsync("github:d1"))!.Status, (await h.Store.GetAsync("github:d1"))!.ReplayCount));
        Assert.Equal(2, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task ReplayAsync_UnknownOrPending_Refused()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync(start: false);
        Assert.Equal(WebhookReplayResult.NotFound, await h.Pipeline.ReplayAsync("github:none"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        Assert.Equal(WebhookReplayResult.AlreadyPending, await h.Pipeline.ReplayAsync("github:d1"));
    }

    [Fact]
    public async Task ResendAsync_RawBytesAndHeadersUnchanged_SignatureStillVerifies()
    {
        const string secret = "resend-secret";
        byte[] body = Encoding.UTF8.GetBytes("{\"zen\":\"x\"}\r\n  é");
        var headers = new Dictionary<string, string>
        {
            ["X-Hub-Signature-256"] = new GitHubSigner(secret).Sign(body),
            ["X-GitHub-Event"] = "push",
            ["X-GitHub-Delivery"] = "d1",
            ["Content-Type"] = "application/json",
            ["Authorization"] = "Bearer never-stored",
            ["Host"] = "original.example",
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(start: false);
        await h.Pipeline.AcceptAsync(WebhookEvent.Create("github", "d1", "push", headers, body, h.Clock.GetUtcNow()));

        var capture = new CapturingHandler();
        using var client = new HttpClient(capture);
        using HttpResponseMessage? response = await h.Pipeline.ResendAsync("github:d1", new Uri("http://127.0.0.1:5999/webhooks/github"), client);

        Assert.Equal(HttpStatusCode.Accepted, response!.StatusCode);
        Assert.Equal(body, capture.Body);
        Assert.Equal(headers["X-Hub-Signature-256"], capture.Headers["X-Hub-Signature-256"]);
        Assert.Equal("application/json", capture.Headers["Content-Type"]);
        Assert.False(capture.Headers.ContainsKey("Authorization"));
        Assert.Equal(SignatureVerificationResult.Valid, new GitHubSignatureVerifier(secret).Verify(capture.Body, capture.Headers["X-Hub-Signature-256"]));

        Assert.Null(await h.Pipeline.ResendAsync("github:none", new Uri("http://127.0.0.1:5999/"), client));
        await Assert.ThrowsAsync<ArgumentException>("target", async () => await h.Pipeline.ResendAsync("github:d1", new Uri("ftp://x/"), client));
    }

    [Fact]
    public void Create_DropsCredentialHeadersAndBuildsId()
    {
        WebhookEvent e = WebhookEvent.Create("stripe", "evt_1", "charge.succeeded",
            new Dictionary<string, string> { ["authorization"] = "x", ["COOKIE"] = "y", ["Stripe-Signature"] = "t=1,v1=2" }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);
        Assert.Equal("stripe:evt_1", e.Id);
        Assert.Equal(["Stripe-Signature"], e.Headers.Keys.ToArray());
        Assert.Equal("t=1,v1=2", e.Headers["stripe-signature"]);
        Assert.Throws<ArgumentException>("deliveryId", () => WebhookEvent.Create("github", "", "push", [], default, default));
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public byte[] Body { get; private set; } = [];

        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            foreach (var header in request.Headers.Concat(request.Content.Headers))
            {
                Headers[header.Key] = string.Join(", ", header.Value);
            }

            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }
    }
}
