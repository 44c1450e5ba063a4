using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Signatures;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

public class ReceiveEndpointTests
{
    private const string PushBody = "{\"ref\":\"refs/heads/main\"}";

    [Fact]
    public async Task GitHub_NewDelivery_202QueuedThenProcessed()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d-1");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));

        Assert.Equal(202, status);
        Assert.Equal("github:d-1", body.GetProperty("id").GetString());
        Assert.Equal("queued", body.GetProperty("status").GetString());
        WebhookEventSummary stored = await host.WaitForStatusAsync("github:d-1", WebhookEventStatus.Processed);
        Assert.Equal("push", stored.EventType);
        Assert.Equal(1, host.Calls.For("github:d-1"));
    }

    [Fact]
    public async Task Accepted_AnswerIsExactJsonWithTypeAndLength()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d-exact");
        using HttpResponseMessage response = await host.Client.SendAsync(request);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        string expected = "{\"id\":\"github:d-exact\",\"status\":\"queued\"}";
        Assert.Equal(expected.Length, response.Content.Headers.ContentLength);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Duplicate_SameBody_200Duplicate()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d-1"));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d-1")));

        Assert.Equal(200, status);
        Assert.Equal("github:d-1", body.GetProperty("id").GetString());
        Assert.Equal("duplicate", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Duplicate_DifferentBody_422AndStoredUnchangedAndNotProcessedAgain()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d-1"));
        await host.WaitForStatusAsync("github:d-1", WebhookEventStatus.Processed);
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"ref\":\"other\"}", "d-1")));

        Assert.Equal(422, status);
        Assert.Equal("conflicting_duplicate", body.GetProperty("error").GetString());
        Assert.Equal(PushBody, Encoding.UTF8.GetString((await host.Store.ReadAsync("github:d-1"))!.Body.Span));
        Assert.Equal(1, host.Calls.For("github:d-1"));
    }

    [Fact]
    public async Task FiftyConcurrentDuplicates_One202FortyNine200OneHandlerRun()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "same"))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        await host.WaitForStatusAsync("github:same", WebhookEventStatus.Processed);

        // Processed is final (only a replay queues it again), and nothing else was stored: no further run can follow.
        Assert.Equal(1, host.Calls.For("github:same"));
        WebhookEventCounts counts = await host.Store.CountAsync();
        Assert.Equal(1, counts.Total);
        Assert.Equal(1, counts.Processed);
    }

    [Fact]
    public async Task RawBytes_StoredExactlyAsSent()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        byte[] bytes = Encoding.UTF8.GetBytes("{\r\n  \"zen\": \"Ünïcødé ✓ 日本\",\r\n  \"n\": 1.50\r\n}  \r\n  ");
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", bytes, "raw");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "never-stored");
        request.Headers.Add("Cookie", "session=never-stored");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(request)).StatusCode);

        WebhookEvent stored = (await host.Store.ReadAsync("github:raw"))!;
        Assert.Equal(bytes, stored.Body.ToArray());
        Assert.False(stored.Headers.ContainsKey("Authorization"));
        Assert.False(stored.Headers.ContainsKey("Cookie"));
        Assert.Equal(new GitHubSigner(ReceiverHost.GitHubSecret).Sign(bytes), stored.Headers["X-Hub-Signature-256"]);
    }

    [Fact]
    public async Task WrongOrMissingSignature_401InvalidSignatureAndNothingStored()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage wrong = WebhookRequests.GitHub("another-secret", "push", PushBody, "w");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(wrong));
        Assert.Equal(401, status);
        Assert.Equal("invalid_signature", body.GetProperty("error").GetString());

        using HttpRequestMessage missing = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "m");
        missing.Headers.Remove("X-Hub-Signature-256");
        (status, body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(missing));
        Assert.Equal(401, status);
        Assert.Equal("invalid_signature", body.GetProperty("error").GetString());
        Assert.Null(await host.Store.GetAsync("github:w"));
        Assert.Null(await host.Store.GetAsync("github:m"));
    }

    [Fact]
    public async Task NoContentType_StillVerifiedAndAnswered()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage signed = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "ct");
        signed.Content!.Headers.ContentType = null;
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(signed)).StatusCode);

        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent("x", null, "text/plain") };
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(unsigned));
        Assert.Equal(401, status);
        Assert.Equal("invalid_signature", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Stripe_ValidEvent_202WithIdFromBody()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        string json = WebhookRequests.StripeEvent("payment_intent.succeeded", "evt_123", "{\"id\":\"pi_1\",\"amount\":2000}");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, json)));

        Assert.Equal(202, status);
        Assert.Equal("stripe:evt_123", body.GetProperty("id").GetString());
        Assert.Equal("payment_intent.succeeded", (await host.Store.GetAsync("stripe:evt_123"))!.EventType);
    }

    [Fact]
    public async Task Stripe_OldTimestamp_401SignatureExpired()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        string json = WebhookRequests.StripeEvent("charge.succeeded", "evt_old");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, json, DateTimeOffset.UtcNow.AddMinutes(-6))));
        Assert.Equal(401, status);
        Assert.Equal("signature_expired", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Stripe_SignedButNotJson_400InvalidJson()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        foreach (string text in new[] { "not json", "[1,2]", "{\"id\":\"evt_1\"", "{\"id\":\"evt_1\"} trailing" })
        {
            (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, text)));
            Assert.Equal(400, status);
            Assert.Equal("invalid_json", body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task MissingDeliveryId_400ForEachScheme()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage github = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody);
        github.Headers.Remove("X-GitHub-Delivery");
        using HttpRequestMessage stripe = WebhookRequests.Stripe(ReceiverHost.StripeSecret, "{\"type\":\"charge.succeeded\"}");
        using HttpRequestMessage acme = WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", "{\"type\":\"user.created\"}");
        acme.Headers.Remove("webhook-id");

        foreach (HttpRequestMessage request in new[] { github, stripe, acme })
        {
            (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));
            Assert.Equal(400, status);
            Assert.Equal("missing_delivery_id", body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task StandardWebhooks_ValidMessage_202WithSourcePrefixedId()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", "{\"type\":\"user.created\",\"data\":{}}", "msg_42");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));
        Assert.Equal(202, status);
        Assert.Equal("acme:msg_42", body.GetProperty("id").GetString());
        Assert.Equal("user.created", (await host.Store.GetAsync("acme:msg_42"))!.EventType);
    }

    [Fact]
    public async Task UnknownSource_404()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/gitlab", new StringContent("{}")));
        Assert.Equal(404, status);
        Assert.Equal("unknown_source", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GitHub26MiB_413WithoutReadingItAll()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        var stream = new CountingStream(26L * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StreamContent(stream) };
        request.Content.Headers.ContentLength = 26L * 1024 * 1024;
        request.Headers.Add("X-GitHub-Delivery", "big");
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));

        Assert.Equal(413, status);
        Assert.Equal("payload_too_large", body.GetProperty("error").GetString());
        Assert.True(stream.BytesRead < 26L * 1024 * 1024, $"read {stream.BytesRead} bytes");
    }

    [Fact]
    public async Task Stripe2MiBChunked_413()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        var stream = new CountingStream(2L * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StreamContent(stream) };
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));
        Assert.Equal(413, status);
        Assert.Equal("payload_too_large", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ChunkedBodyWithinLimit_Accepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        byte[] body = Encoding.UTF8.GetBytes("{\"ref\":\"" + new string('x', 100_000) + "\"}");
        using HttpRequestMessage signed = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", body, "chunked");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StreamContent(new ForwardOnlyStream(body)) };
        foreach (var header in signed.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        Assert.Null(request.Content.Headers.ContentLength); // no length known: sent chunked
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(request)).StatusCode);
        Assert.Equal(body, (await host.Store.ReadAsync("github:chunked"))!.Body.ToArray());
    }

    [Fact]
    public async Task ContentLengthOverLimit_413BeforeReading()
    {
        var served = new BodyReadCounter();
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            configuration: c => c["Webhooks:Stripe:MaxBodyBytes"] = "100",
            beforeEndpoints: app => app.Use((HttpContext context, RequestDelegate next) =>
            {
                context.Request.Body = served.Wrap(context.Request.Body);
                return next(context);
            }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StreamContent(new CountingStream(101)) };
        request.Content.Headers.ContentLength = 101;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.Client.SendAsync(request)).StatusCode);
        Assert.Equal(0, served.BytesRead);

        // The counter does see what a within-limit body makes the endpoint read.
        using var small = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StreamContent(new CountingStream(50)) };
        small.Content.Headers.ContentLength = 50;
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(small)).StatusCode);
        Assert.Equal(50, served.BytesRead);
    }

    [Fact]
    public async Task StoreThrows_503WithRetryAfterAndNo2xx()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<IWebhookEventStore>(StoreDouble.Failing()));
        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "x"));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(response);
        Assert.Equal(503, status);
        Assert.Equal("store_unavailable", body.GetProperty("error").GetString());
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task StoreTooSlow_503()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s => s.AddSingleton<IWebhookEventStore>(StoreDouble.Hanging()),
            c => c["Webhooks:StoreTimeout"] = "00:00:00.200");
        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "slow"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task StoreIgnoresCancellation_503AtTimeoutAndTheStoredBodyIsTheEventsOwn()
    {
        // A store whose client cannot be cancelled keeps the event (and reads its body) after the endpoint gave up on it.
        var stillWriting = new TaskCompletionSource();
        StoreDouble store = new(new InMemoryEventStore());
        int calls = 0;
        store.BeforeAppend = (_, _) => Interlocked.Increment(ref calls) == 1 ? new ValueTask(stillWriting.Task) : ValueTask.CompletedTask;
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<IWebhookEventStore>(store), c => c["Webhooks:StoreTimeout"] = "00:00:00.200");

        string first = "{\"ref\":\"" + new string('a', 3000) + "\"}";
        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", first, "slow"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        // Later requests reuse whatever buffers the server has; none of them may show up in the first event's body.
        for (int i = 0; i < 20; i++)
        {
            string other = "{\"ref\":\"" + new string((char)('b' + i), 3000 + i) + "\"}";
            Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", other, "d" + i))).StatusCode);
        }

        WebhookEvent held = store.Appended[0];
        Assert.Equal(first, Encoding.UTF8.GetString(held.Body.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(held.Body, out ArraySegment<byte> segment));
        Assert.Equal((0, first.Length), (segment.Offset, segment.Array!.Length));

        // The store finishes late: the delivery is saved, and the sender's retry is answered as a duplicate.
        stillWriting.SetResult();
        await host.WaitForStatusAsync("github:slow", WebhookEventStatus.Processed);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", first, "slow"))).StatusCode);
    }

    [Fact]
    public async Task BodyArrays_PinnedForAStoreThatKeepsThem_OrdinaryForOthers()
    {
        // The in-memory store keeps the array the endpoint read the body into, for the event's life: it is on the pinned heap
        // (which the collector counts as its oldest generation from the start). A store that copies bodies out gets ordinary ones.
        await using (ReceiverHost host = await ReceiverHost.StartAsync())
        {
            Assert.True(host.Services.GetRequiredService<Webhooks.Processing.WebhookPipeline>().StoreKeepsBodyArrays);
            Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "kept"))).StatusCode);
            WebhookEvent stored = (await host.Store.ReadAsync("github:kept"))!;
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored.Body, out ArraySegment<byte> segment));
            Assert.Equal(GC.MaxGeneration, GC.GetGeneration(segment.Array!));
        }

        await using (ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<IWebhookEventStore>(new StoreDouble(new InMemoryEventStore()))))
        {
            Assert.False(host.Services.GetRequiredService<Webhooks.Processing.WebhookPipeline>().StoreKeepsBodyArrays);
        }
    }

    [Fact]
    public async Task InMemoryStoreFull_503StoreUnavailable()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(configuration: c => c["Webhooks:InMemory:MaxEvents"] = "1");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "a"))).StatusCode);
        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody + " ", "b"));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(response);
        Assert.Equal((503, "store_unavailable"), (status, body.GetProperty("error").GetString()));
        Assert.True(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task SecretRotatedInConfiguration_NewSecretUsedWithoutRestart()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        configuration["Webhooks:GitHub:Secret"] = "rotated-secret";
        configuration.Reload();

        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("rotated-secret", "push", PushBody, "r1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "r2"))).StatusCode);
    }

    [Fact]
    public async Task SecretsArray_EitherSecretAccepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(configuration: c =>
        {
            c.Remove("Webhooks:GitHub:Secret");
            c["Webhooks:GitHub:Secrets:0"] = "old";
            c["Webhooks:GitHub:Secrets:1"] = "new";
        });
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("old", "push", PushBody, "a"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("new", "push", "{\"ref\":\"refs/heads/other\"}", "b"))).StatusCode);
    }

    [Fact]
    public async Task Kestrel_RealServerOnLoopback_202()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(useTestServer: false);
        var server = host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        string address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "kestrel")));
        Assert.Equal(202, status);
        Assert.Equal("github:kestrel", body.GetProperty("id").GetString());

        var big = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StreamContent(new CountingStream(2L * 1024 * 1024)) };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(big)).StatusCode);
        await host.WaitForStatusAsync("github:kestrel", WebhookEventStatus.Processed);
    }

    /// <summary>A body whose length the client cannot know in advance.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 4096));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A body of zeros that counts how much of it was read.</summary>
    /// <remarks>Not seekable, so the client streams it; set Content-Length on the request to announce the size.</remarks>
    private sealed class CountingStream(long length) : Stream
    {
        private long _position;

        public long BytesRead => _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

}
