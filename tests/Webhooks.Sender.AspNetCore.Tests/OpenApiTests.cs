using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.Sender.AspNetCore.Tests;

/// <summary>The subscription endpoints as an application's OpenAPI document describes them: every operation, with its responses.</summary>
public sealed class OpenApiTests
{
    public static TheoryData<string, string, string, int[]> Operations => new()
    {
        { "/webhooks/subscriptions", "post", "CreateWebhookSubscription", [201, 400, 413, 500, 503] },
        { "/webhooks/subscriptions", "get", "ListWebhookSubscriptions", [200, 400, 500, 503] },
        { "/webhooks/subscriptions/{id}", "get", "GetWebhookSubscription", [200, 404, 500, 503] },
        { "/webhooks/subscriptions/{id}", "patch", "UpdateWebhookSubscription", [200, 400, 404, 413, 500, 503] },
        { "/webhooks/subscriptions/{id}", "delete", "DeleteWebhookSubscription", [204, 404, 500, 503] },
        { "/webhooks/subscriptions/{id}/rotate-secret", "post", "RotateWebhookSubscriptionSecret", [200, 400, 404, 500, 503] },
        { "/webhooks/subscriptions/{id}/deliveries", "get", "ListWebhookSubscriptionDeliveries", [200, 400, 404, 500, 503] },
        { "/webhooks/subscriptions/messages/{messageId}/deliveries", "get", "ListWebhookMessageDeliveries", [200, 400, 500, 503] },
        { "/webhooks/subscriptions/{id}/deliveries/{messageId}/resend", "post", "ResendWebhookDelivery", [202, 404, 409, 500, 503] },
        { "/webhooks/subscriptions/{id}/test", "post", "SendWebhookTestEvent", [202, 404, 409, 500, 503] },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_InTheDocument_WithEveryResponse(string path, string method, string operationId, int[] statuses)
    {
        JsonElement document = await ReadDocumentAsync();
        JsonElement operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal("Webhook subscriptions", operation.GetProperty("tags")[0].GetString());
        int[] documented = [.. operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, CultureInfo.InvariantCulture)).Order()];
        Assert.Equal(statuses, documented);
    }

    [Fact]
    public async Task Document_DescribesTheRequestBody_AndTheSubscription_WithoutSecretValues()
    {
        JsonElement document = await ReadDocumentAsync();
        JsonElement create = document.GetProperty("paths").GetProperty("/webhooks/subscriptions").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        JsonElement schemas = document.GetProperty("components").GetProperty("schemas");
        HashSet<string> body = [.. schemas.GetProperty("SubscriptionRequestBody").GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["active", "description", "eventTypes", "metadata", "secret", "signatureStyle", "url"], body.Order());
        HashSet<string> subscription = [.. schemas.GetProperty("SubscriptionResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Superset(new HashSet<string> { "id", "url", "eventTypes", "active", "secrets", "version" }, subscription);
    }

    private static async Task<JsonElement> ReadDocumentAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOpenApi();
        builder.Services.AddWebhookSender();
        await using WebApplication app = builder.Build();
        app.MapOpenApi();
        app.MapWebhookSubscriptions();
        await app.StartAsync();
        using HttpClient client = app.GetTestClient();
        string text = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        await app.StopAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
