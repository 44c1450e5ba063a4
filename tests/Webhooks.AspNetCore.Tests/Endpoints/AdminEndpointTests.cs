using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Processing;
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

        foreach (string query in new[] { "?status=sleeping", "?limit=0", "?limit=abc", "?limit=100000", "?cursor=zzz" })
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
