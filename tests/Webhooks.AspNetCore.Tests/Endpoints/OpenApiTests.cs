using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.AspNetCore.Tests.Endpoints;

/// <summary>The admin endpoints as an application's OpenAPI document describes them: every operation, with its responses.</summary>
public sealed class OpenApiTests
{
    public static TheoryData<string, string, string, int[]> Operations => new()
    {
        { "/webhooks/admin/events", "get", "ListWebhookEvents", [200, 400, 500, 503] },
        { "/webhooks/admin/events/replay", "post", "ReplayDeadWebhookEvents", [202, 400, 500, 503] },
        { "/webhooks/admin/events/{id}", "get", "GetWebhookEvent", [200, 404, 500, 503] },
        { "/webhooks/admin/events/{id}/body", "get", "GetWebhookEventBody", [200, 404, 500, 503] },
        { "/webhooks/admin/events/{id}/replay", "post", "ReplayWebhookEvent", [202, 404, 409, 500, 503] },
        { "/webhooks/admin/events/{id}", "delete", "DeleteWebhookEvent", [204, 404, 500, 503] },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task AdminOperation_InTheDocument_WithEveryResponse(string path, string method, string operationId, int[] statuses)
    {
        JsonElement document = await ReadDocumentAsync();
        JsonElement operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal("Webhooks admin", operation.GetProperty("tags")[0].GetString());
        int[] documented = [.. operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).Order()];
        Assert.Equal(statuses, documented);
    }

    [Fact]
    public async Task Document_DescribesTheEventPage_AndTheErrorBody()
    {
        JsonElement document = await ReadDocumentAsync();
        JsonElement schemas = document.GetProperty("components").GetProperty("schemas");
        HashSet<string> page = [.. schemas.GetProperty("WebhookEventPageResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["events", "next"], page.Order());
        HashSet<string> error = [.. schemas.GetProperty("WebhookErrorResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["error"], error);
        HashSet<string> summary = [.. schemas.GetProperty("WebhookEventResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Superset(new HashSet<string> { "id", "source", "type", "status", "attempts", "receivedAt", "lastError", "replayCount", "unhandled" }, summary);
    }

    private static async Task<JsonElement> ReadDocumentAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:GitHub:Secret"] = "s" });
        builder.Services.AddOpenApi();
        builder.Services.AddWebhookReceiver().AddGitHub();
        await using WebApplication app = builder.Build();
        app.MapOpenApi();
        app.MapWebhooks();
        app.MapWebhookAdmin();
        await app.StartAsync();
        using HttpClient client = app.GetTestClient();
        string text = await client.GetStringAsync(new System.Uri("/openapi/v1.json", System.UriKind.Relative));
        await app.StopAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
