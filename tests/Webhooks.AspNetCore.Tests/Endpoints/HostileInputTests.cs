using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

/// <summary>What a hostile sender or a careless network can put in a request: each answer is a JSON error, nothing throws.</summary>
public class HostileInputTests
{
    private const string PushBody = "{\"ref\":\"refs/heads/main\"}";

    [Theory]
    [InlineData("{\"id\":\"evt_\\ud800\",\"type\":\"charge.succeeded\"}")]
    [InlineData("{\"id\":\"evt_1\",\"type\":\"charge\\udc00\"}")]
    [InlineData("{\"id\":\"evt_1\",\"data\":{\"name\":\"\\ud800x\"}}")]
    [InlineData("{\"id\":\"evt_1\",\"id\":\"evt_2\"}")]
    [InlineData("{\"type\":\"a\",\"id\":\"evt_1\",\"type\":\"b\"}")]
    public async Task Stripe_SignedBodyWithBadTextOrDuplicatedIdentity_400InvalidJson(string json)
    {
        LogCapture logs = new();
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<ILoggerProvider>(logs));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, json)));
        Assert.Equal(400, status);
        Assert.Equal("invalid_json", body.GetProperty("error").GetString());
        Assert.Equal(0, logs.AtOrAbove(LogLevel.Error));
        Assert.Equal(0, (await host.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task Stripe_InvalidUtf8InId_400InvalidJson()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        byte[] json = [.. "{\"id\":\"evt_"u8, 0xC3, 0x28, .. "\"}"u8];
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, json)));
        Assert.Equal(400, status);
        Assert.Equal("invalid_json", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Stripe_DuplicateKeyBelowTopLevel_Accepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, "{\"id\":\"evt_n\",\"data\":{\"id\":1,\"id\":2}}"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\u001b[31mred")]
    [InlineData("a b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a%2Fb")]
    [InlineData("a\\b")]
    [InlineData("caf\u00e9")]
    public async Task GitHub_MalformedDeliveryId_400InvalidDeliveryId(string id)
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody);
        request.Headers.Remove("X-GitHub-Delivery");
        request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", id);
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));
        Assert.Equal(400, status);
        Assert.Equal("invalid_delivery_id", body.GetProperty("error").GetString());
        Assert.Equal(0, (await host.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task DeliveryIdOf200Characters_Accepted_201Refused()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        HttpResponseMessage longest = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, new string('a', 200)));
        HttpResponseMessage tooLong = await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, "{\"id\":\"" + new string('b', 201) + "\"}"));
        Assert.Equal(HttpStatusCode.Accepted, longest.StatusCode);
        Assert.Equal("invalid_delivery_id", (await ReceiverHost.ReadAsync(tooLong)).Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task IdentityHeaderTwice_DifferentValues400_SameValueAccepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage twoIds = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "a");
        twoIds.Headers.TryAddWithoutValidation("X-GitHub-Delivery", "b");
        using HttpRequestMessage twoTypes = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "c");
        twoTypes.Headers.TryAddWithoutValidation("X-GitHub-Event", "issues");
        using HttpRequestMessage sameTwice = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "d");
        sameTwice.Headers.TryAddWithoutValidation("X-GitHub-Delivery", "d");

        Assert.Equal("invalid_delivery_id", (await ReceiverHost.ReadAsync(await host.Client.SendAsync(twoIds))).Body.GetProperty("error").GetString());
        Assert.Equal("invalid_delivery_id", (await ReceiverHost.ReadAsync(await host.Client.SendAsync(twoTypes))).Body.GetProperty("error").GetString());
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(sameTwice));
        Assert.Equal(202, status);
        Assert.Equal("github:d", body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task StandardWebhooks_MalformedId_400InvalidDeliveryId()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", "{\"type\":\"user.created\"}", "msg/1");
        Assert.Equal("invalid_delivery_id", (await ReceiverHost.ReadAsync(await host.Client.SendAsync(request))).Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GitHub_SignedBodyNotJson_400InvalidJson_FormEncodedAccepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage notJson = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "payload=not-json", "n1");
        using HttpRequestMessage form = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "payload=%7B%7D", "n2");
        form.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");

        Assert.Equal("invalid_json", (await ReceiverHost.ReadAsync(await host.Client.SendAsync(notJson))).Body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(form)).StatusCode);
    }

    [Fact]
    public async Task GitHub_CapturedBodyResentUnderNewIdAndType_200DuplicateProcessedOnce()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "orig"))).StatusCode);
        await host.WaitForStatusAsync("github:orig", WebhookEventStatus.Processed);

        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "issues", PushBody, "replayed")));
        Assert.Equal(200, status);
        Assert.Equal("duplicate", body.GetProperty("status").GetString());
        Assert.Null(await host.Store.GetAsync("github:replayed"));
        Assert.Equal(1, (await host.Store.CountAsync()).Total);
        Assert.Equal(1, host.Calls.For("github:orig"));
    }

    [Fact]
    public async Task GitHub_DeduplicateByBodyOff_SameBodyUnderNewIdAccepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(configuration: c => c["Webhooks:GitHub:DeduplicateByBody"] = "false");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "one"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "two"))).StatusCode);
    }

    [Fact]
    public async Task StoreBug_500InternalErrorLoggedOnce_NotMappedTo503()
    {
        LogCapture logs = new();
        StoreDouble store = new(new InMemoryEventStore()) { BeforeAppend = static (_, _) => throw new InvalidOperationException("a bug") };
        await using ReceiverHost host = await ReceiverHost.StartAsync(s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddSingleton<IWebhookEventStore>(store);
        });
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", PushBody, "bug")));
        Assert.Equal(500, status);
        Assert.Equal("internal_error", body.GetProperty("error").GetString());
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Kestrel_ChunkedBodyJustUnderLimitIn4KiBChunks_Accepted()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(useTestServer: false);
        string json = "{\"id\":\"evt_big\",\"type\":\"t\",\"pad\":\"" + new string('x', (1024 * 1024) - 1024 - 36) + "\"}";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        Assert.True(bytes.Length < 1024 * 1024);
        using HttpRequestMessage signed = WebhookRequests.Stripe(ReceiverHost.StripeSecret, bytes, path: Address(host) + "/webhooks/stripe");
        using var request = new HttpRequestMessage(HttpMethod.Post, signed.RequestUri) { Content = new StreamContent(new ChunkingStream(bytes, 4096), 4096) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var header in signed.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        HttpResponseMessage response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(bytes, (await host.Store.ReadAsync("stripe:evt_big"))!.Body.ToArray());
    }

    [Theory]
    // The request ends where its framing breaks (bytes the server never reads would make its close a reset, which can discard
    // the answer), and the client keeps its side open: a half-closed connection may be seen as the sender going away before
    // the framing is read. The server closes the connection after answering, since the body cannot be skipped.
    [InlineData("Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "invalid_body")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX", 400, "invalid_body")]
    public async Task Kestrel_BrokenChunkFraming_400InvalidBodyAsJson_NoErrorLogged(string framing, int expected, string error)
    {
        LogCapture logs = new();
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<ILoggerProvider>(logs), useTestServer: false);
        string response = await RawAsync(host, "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nX-GitHub-Delivery: raw\r\n" + framing, halfClose: false);
        Assert.StartsWith("HTTP/1.1 " + expected, response, StringComparison.Ordinal);
        Assert.Contains("{\"error\":\"" + error + "\"}", response, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", response, StringComparison.Ordinal);
        Assert.Equal(0, logs.AtOrAbove(LogLevel.Error));
    }

    [Fact]
    public async Task Kestrel_ContentLengthLongerThanBody_ConnectionClosed_NoErrorLogged()
    {
        LogCapture logs = new();
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s => s.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)),
            useTestServer: false);
        await RawAsync(host, "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nX-GitHub-Delivery: cut\r\nContent-Length: 1000\r\n\r\n{\"ref\":", halfClose: true);

        // The sender is gone before its body arrived: nothing is stored, and nothing is logged as an error (wait for the
        // request to have been seen through to its end in the log).
        await logs.WaitForAsync(1205, 1206);

        Assert.Equal(0, logs.AtOrAbove(LogLevel.Error));
        Assert.Equal(0, (await host.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task Development_WithTheDeveloperExceptionPage_EveryAnswerStillJson_NoStackTrace()
    {
        LogCapture logs = new();
        StoreDouble store = new(new InMemoryEventStore()) { BeforeAppend = static (e, _) => e.Id == "github:bug" ? throw new InvalidOperationException("a bug") : ValueTask.CompletedTask };
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s => s.AddSingleton<IWebhookEventStore>(store).AddSingleton<ILoggerProvider>(logs),
            useTestServer: false,
            beforeEndpoints: app => app.UseDeveloperExceptionPage(),
            environment: "Development");
        string address = Address(host);

        string framing = await RawAsync(host, "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nX-GitHub-Delivery: raw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", halfClose: false);
        Assert.StartsWith("HTTP/1.1 400", framing, StringComparison.Ordinal);
        Assert.Contains("{\"error\":\"invalid_body\"}", framing, StringComparison.Ordinal);

        using HttpResponseMessage surrogate = await host.Client.SendAsync(WebhookRequests.Stripe(ReceiverHost.StripeSecret, "{\"id\":\"evt_\\ud800\",\"type\":\"x\"}", path: address + "/webhooks/stripe"));
        using HttpResponseMessage bug = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{}", "bug", address + "/webhooks/github"));
        foreach ((HttpResponseMessage response, int status, string error) in new[] { (surrogate, 400, "invalid_json"), (bug, 500, "internal_error") })
        {
            string text = await response.Content.ReadAsStringAsync();
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("{\"error\":\"" + error + "\"}", text);
        }

        Assert.DoesNotContain("   at ", framing, StringComparison.Ordinal);
        Assert.Single(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private static string Address(ReceiverHost host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static async Task<string> RawAsync(ReceiverHost host, string request, bool halfClose)
    {
        var uri = new Uri(Address(host));
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        using NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (halfClose)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        // Read until the server closes; keep what arrived even if the connection is reset after the answer.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                await received.WriteAsync(buffer.AsMemory(0, n), timeout.Token);
            }
        }
        catch (IOException)
        {
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>A body handed to the client in pieces of a fixed size, so that each becomes one chunk.</summary>
    private sealed class ChunkingStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
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

    [Fact]
    public async Task FloodOfRefusedRequests_WarningLinesLimited_ThenCountedOnce()
    {
        LogCapture logs = new();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        StoreDouble store = StoreDouble.Failing();
        await using ReceiverHost host = await ReceiverHost.StartAsync(s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<IWebhookEventStore>(store);
            s.AddLogging(b => b.AddProvider(logs));
        });

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(WebhookRequests.GitHub("wrong-secret", "push", "{}", "f" + i))).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"n\":" + i + "}", "s" + i))).StatusCode);
        }

        Assert.Equal(5, logs.Entries.Count(e => e.EventId == 1200));
        Assert.Equal(5, logs.Entries.Count(e => e.EventId == 1204));

        clock.Advance(TimeSpan.FromSeconds(10));
        await host.Client.SendAsync(WebhookRequests.GitHub("wrong-secret", "push", "{}", "again"));
        Assert.Equal(6, logs.Entries.Count(e => e.EventId == 1200));
        var summary = Assert.Single(logs.Entries, e => e.EventId == 1208);
        Assert.Contains("95 more log lines with event id 1200", summary.Message, StringComparison.Ordinal);
    }
}
