using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

public class AdminEndpointTests
{
    [Fact]
    public async Task ListGetReplay_DeadEvent_ReplayedAfterFix()
    {
        var failing = new ToggleHandlerState { Fail = true };
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s =>
            {
                s.AddSingleton(failing);
                s.AddWebhookReceiver().AddHandler<ToggleHandler>("github", "push");
            },
            c => c["Webhooks:Retry:MaxAttempts"] = "1");
        await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{}", "dead-1"));
        await host.WaitForStatusAsync("github:dead-1", WebhookEventStatus.Dead);

        (int status, JsonElement list) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events?status=dead&limit=50"));
        Assert.Equal(200, status);
        JsonElement item = Assert.Single(list.GetProperty("events").EnumerateArray());
        Assert.Equal("github:dead-1", item.GetProperty("id").GetString());
        Assert.Equal("dead", item.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, list.GetProperty("next").ValueKind);

        (status, JsonElement one) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events/github:dead-1"));
        Assert.Equal(200, status);
        Assert.Equal("github", one.GetProperty("source").GetString());
        Assert.Equal("push", one.GetProperty("type").GetString());
        Assert.Equal(1, one.GetProperty("attempts").GetInt32());
        Assert.Contains("handler is broken", one.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(one.TryGetProperty("receivedAt", out _));

        failing.Fail = false;
        (status, JsonElement replay) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/github:dead-1/replay", null));
        Assert.Equal(202, status);
        Assert.Equal("queued", replay.GetProperty("status").GetString());
        await host.WaitForStatusAsync("github:dead-1", WebhookEventStatus.Processed);

        (status, JsonElement refused) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/github:dead-1/replay", null));
        Assert.Equal(409, status);
        Assert.Equal("already_processed", refused.GetProperty("error").GetString());
        (status, _) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/github:dead-1/replay?force=true", null));
        Assert.Equal(202, status);
    }

    [Fact]
    public async Task UnknownEventAndBadQuery_ClearErrors()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events/github:none"));
        Assert.Equal(404, status);
        Assert.Equal("not_found", body.GetProperty("error").GetString());

        (status, body) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/github:none/replay", null));
        Assert.Equal(404, status);

        foreach (string query in new[] { "?status=sleeping", "?limit=0", "?limit=", "?limit=1&limit=2", "?limit=abc", "?limit=100000", "?cursor=zzz" })
        {
            (status, body) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events" + query));
            Assert.Equal(400, status);
            Assert.Equal("invalid_query", body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task List_Paged_FollowsCursor()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        for (int i = 0; i < 5; i++)
        {
            await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"n\":" + i + "}", "p" + i));
        }

        string? cursor = null;
        int seen = 0;
        do
        {
            (_, JsonElement page) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)));
            seen += page.GetProperty("events").GetArrayLength();
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(5, seen);
    }

    [Fact]
    public async Task Body_RawBytesWithStoredContentType_NeverRunAsAPage()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        byte[] body = Encoding.UTF8.GetBytes("payload=%7B%22zen%22%3A%22%C3%A9%22%7D");
        using HttpRequestMessage request = WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "ping", body, "form-1");
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(request)).StatusCode);

        using HttpResponseMessage read = await host.Client.GetAsync("/webhooks/admin/events/github:form-1/body");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("application/x-www-form-urlencoded", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", Assert.Single(read.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", Assert.Single(read.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        (int status, JsonElement missing) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events/github:none/body"));
        Assert.Equal(404, status);
        Assert.Equal("not_found", missing.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Delete_ForgetsTheEvent_ThenNotFound()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{}", "gone-1"));
        await host.WaitForStatusAsync("github:gone-1", WebhookEventStatus.Processed);

        using HttpResponseMessage deleted = await host.Client.DeleteAsync("/webhooks/admin/events/github:gone-1");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await host.Store.GetAsync("github:gone-1"));

        (int status, JsonElement again) = await ReceiverHost.ReadAsync(await host.Client.DeleteAsync("/webhooks/admin/events/github:gone-1"));
        Assert.Equal(404, status);
        Assert.Equal("not_found", again.GetProperty("error").GetString());
        (status, _) = await ReceiverHost.ReadAsync(await host.Client.GetAsync("/webhooks/admin/events/github:gone-1"));
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task BulkReplay_DeadEvents_AllProcessedAfterFix_LimitRespected()
    {
        var failing = new ToggleHandlerState { Fail = true };
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s =>
            {
                s.AddSingleton(failing);
                s.AddWebhookReceiver().AddHandler<ToggleHandler>("github", "push");
            },
            c => c["Webhooks:Retry:MaxAttempts"] = "1");
        for (int i = 0; i < 5; i++)
        {
            await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"n\":" + i + "}", "bulk-" + i));
        }

        for (int i = 0; i < 5; i++)
        {
            await host.WaitForStatusAsync("github:bulk-" + i, WebhookEventStatus.Dead);
        }

        // A processed event is never part of a bulk replay.
        await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "ping", "{\"ok\":1}", "fine-1"));
        await host.WaitForStatusAsync("github:fine-1", WebhookEventStatus.Processed);

        foreach (string query in new[] { "", "?status=failed", "?status=processed", "?status=dead&limit=0", "?status=dead&limit=x" })
        {
            (int refused, JsonElement error) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/replay" + query, null));
            Assert.Equal(400, refused);
            Assert.Equal("invalid_query", error.GetProperty("error").GetString());
        }

        failing.Fail = false;
        (int status, JsonElement two) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/replay?status=dead&limit=2", null));
        Assert.Equal(202, status);
        Assert.Equal(2, two.GetProperty("replayed").GetInt32());
        Assert.Equal(3, (await host.Store.CountAsync()).Dead);

        (status, JsonElement rest) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/replay?status=dead", null));
        Assert.Equal(202, status);
        Assert.Equal(3, rest.GetProperty("replayed").GetInt32());
        for (int i = 0; i < 5; i++)
        {
            await host.WaitForStatusAsync("github:bulk-" + i, WebhookEventStatus.Processed);
        }

        Assert.Equal(1, host.Calls.For("github:fine-1"));
        (status, JsonElement none) = await ReceiverHost.ReadAsync(await host.Client.PostAsync("/webhooks/admin/events/replay?status=dead", null));
        Assert.Equal(202, status);
        Assert.Equal(0, none.GetProperty("replayed").GetInt32());
    }

    public static TheoryData<string> AdminRequests() => new()
    {
        "GET /webhooks/admin/events",
        "GET /webhooks/admin/events?status=dead",
        "GET /webhooks/admin/events/github:x",
        "GET /webhooks/admin/events/github:x/body",
        "POST /webhooks/admin/events/github:x/replay",
        "POST /webhooks/admin/events/replay?status=dead",
        "DELETE /webhooks/admin/events/github:x",
    };

    [Theory]
    [MemberData(nameof(AdminRequests))]
    public async Task StoreDown_Every_Admin_Request_503_StoreUnavailable_WithRetryAfter(string request)
    {
        var store = new StoreDouble(new InMemoryEventStore()) { ReadFault = new WebhookStoreUnavailableException("down") { RetryAfter = TimeSpan.FromSeconds(7) } };
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddSingleton<IWebhookEventStore>(store));
        string[] parts = request.Split(' ');
        using HttpResponseMessage response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(parts[0]), parts[1]));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(response);
        Assert.Equal(503, status);
        Assert.Equal("store_unavailable", body.GetProperty("error").GetString());
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [MemberData(nameof(AdminRequests))]
    public async Task StoreBug_Every_Admin_Request_500_InternalError_LoggedOnce(string request)
    {
        var logs = new LogCapture();
        var store = new StoreDouble(new InMemoryEventStore()) { ReadFault = new InvalidOperationException("a bug") };
        await using ReceiverHost host = await ReceiverHost.StartAsync(s =>
        {
            s.AddSingleton<IWebhookEventStore>(store);
            s.AddLogging(b => b.AddProvider(logs));
        });
        string[] parts = request.Split(' ');
        using HttpResponseMessage response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(parts[0]), parts[1]));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(response);
        Assert.Equal(500, status);
        Assert.Equal("internal_error", body.GetProperty("error").GetString());
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Routes_Accept_Every_Id_The_Endpoint_Produces()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync();

        // Every printable ASCII character that an id may hold, and the longest id (200 characters).
        string odd = "a.b~!$&'()*+,;=:@[]{}|^\"<>`-_..";
        string[] deliveryIds = [odd, "..", new string('z', 200), "x:y:z"];
        foreach (string deliveryId in deliveryIds)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{\"d\":\"" + deliveryId.Length + deliveryId[0] + "\"}", deliveryId))).StatusCode);
            string id = "github:" + deliveryId;
            await host.WaitForStatusAsync(id, WebhookEventStatus.Processed);
            string path = "/webhooks/admin/events/" + Uri.EscapeDataString(id);

            (int status, JsonElement one) = await ReceiverHost.ReadAsync(await host.Client.GetAsync(path));
            Assert.Equal(200, status);
            Assert.Equal(id, one.GetProperty("id").GetString());
            using (HttpResponseMessage body = await host.Client.GetAsync(path + "/body"))
            {
                Assert.Equal(HttpStatusCode.OK, body.StatusCode);
            }

            (status, JsonElement replay) = await ReceiverHost.ReadAsync(await host.Client.PostAsync(path + "/replay?force=true", null));
            Assert.Equal(202, status);
            Assert.Equal(id, replay.GetProperty("id").GetString());
            await host.WaitForStatusAsync(id, WebhookEventStatus.Processed);
            using HttpResponseMessage deleted = await host.Client.DeleteAsync(path);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
    }

    public sealed class ToggleHandlerState
    {
        private volatile bool _fail;

        public bool Fail { get => _fail; set => _fail = value; }
    }

    public sealed class ToggleHandler(ToggleHandlerState state) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
            state.Fail ? throw new InvalidOperationException("handler is broken") : Task.CompletedTask;
    }
}
