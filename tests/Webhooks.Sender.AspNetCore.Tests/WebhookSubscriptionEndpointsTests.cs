using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Sender.Sending;
using Webhooks.Storage;

namespace Webhooks.Sender.AspNetCore.Tests;

public sealed class WebhookSubscriptionEndpointsTests : IAsyncLifetime
{
    private IHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await SubscriptionsTestHost.StartAsync();
        _client = _host.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Create_Valid_201WithTheSecretOnlyThere()
    {
        using HttpResponseMessage created = await PostAsync("/admin/subscriptions", """{"url":"http://127.0.0.1:9/hook","eventTypes":["invoice.*"],"description":"billing","metadata":{"account":"a1"},"signatureStyle":"github"}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement body = await JsonAsync(created);
        string id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", body.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.Equal("/admin/subscriptions/" + id, created.Headers.Location!.OriginalString);
        Assert.Equal("github", body.GetProperty("signatureStyle").GetString());
        Assert.Equal("a1", body.GetProperty("metadata").GetProperty("account").GetString());
        Assert.True(body.GetProperty("active").GetBoolean());

        using HttpResponseMessage read = await _client.GetAsync(new Uri("/admin/subscriptions/" + id, UriKind.Relative));
        JsonElement stored = await JsonAsync(read);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.False(stored.TryGetProperty("secret", out _));
        Assert.Equal(1, stored.GetProperty("secrets").GetInt32());
    }

    [Theory]
    [InlineData("""{"url":"https://10.0.0.1/hook","eventTypes":["*"]}""", "forbidden_address")]
    [InlineData("""{"url":"https://0x7f.1/hook","eventTypes":["*"]}""", "numeric_host")]
    [InlineData("""{"url":"https://[::ffff:169.254.169.254]/","eventTypes":["*"]}""", "forbidden_address")]
    [InlineData("""{"eventTypes":["*"]}""", "invalid_url")]
    [InlineData("""{"url":"http://127.0.0.1:9/"}""", "invalid_event_types")]
    [InlineData("""{"url":"http://127.0.0.1:9/","eventTypes":"*"}""", "invalid_event_types")]
    [InlineData("""{"url":"http://127.0.0.1:9/","eventTypes":["*"],"signatureStyle":"svix"}""", "invalid_signature_style")]
    [InlineData("""{"url":"http://127.0.0.1:9/","eventTypes":["*"],"metadata":{"n":1}}""", "invalid_metadata")]
    [InlineData("""{"url":42,"eventTypes":["*"]}""", "invalid_request")]
    [InlineData("""{"url":""", "invalid_json")]
    [InlineData("""[1,2]""", "invalid_json")]
    public async Task Create_Invalid_400WithItsCode(string json, string code)
    {
        using HttpResponseMessage response = await PostAsync("/admin/subscriptions", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await JsonAsync(response)).GetProperty("error").GetString());
        Assert.Empty((await JsonAsync(await _client.GetAsync(new Uri("/admin/subscriptions", UriKind.Relative)))).GetProperty("subscriptions").EnumerateArray());
    }

    [Fact]
    public async Task Create_BodyOver64KB_413()
    {
        using HttpResponseMessage response = await PostAsync("/admin/subscriptions", "{\"description\":\"" + new string('x', 70_000) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task List_PagesByCursor()
    {
        for (int i = 0; i < 3; i++)
        {
            (await PostAsync("/admin/subscriptions", """{"url":"http://127.0.0.1:9/","eventTypes":["*"]}""")).Dispose();
        }

        JsonElement first = await JsonAsync(await _client.GetAsync(new Uri("/admin/subscriptions?limit=2", UriKind.Relative)));
        string next = first.GetProperty("next").GetString()!;
        JsonElement second = await JsonAsync(await _client.GetAsync(new Uri("/admin/subscriptions?limit=2&after=" + next, UriKind.Relative)));

        Assert.Equal(2, first.GetProperty("subscriptions").GetArrayLength());
        Assert.Equal(1, second.GetProperty("subscriptions").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync(new Uri("/admin/subscriptions?limit=0", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Update_UrlCheckedAgainAndFieldsChanged()
    {
        string id = await CreateAsync();

        using HttpResponseMessage refused = await PatchAsync("/admin/subscriptions/" + id, """{"url":"https://192.168.1.10/"}""");
        using HttpResponseMessage changed = await PatchAsync("/admin/subscriptions/" + id, """{"active":false,"eventTypes":["customer.*"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("forbidden_address", (await JsonAsync(refused)).GetProperty("error").GetString());
        JsonElement body = await JsonAsync(changed);
        Assert.False(body.GetProperty("active").GetBoolean());
        Assert.Equal("customer.*", body.GetProperty("eventTypes")[0].GetString());
        Assert.Equal("http://127.0.0.1:9/", body.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await PatchAsync("/admin/subscriptions/sub_missing", "{}")).StatusCode);
    }

    [Fact]
    public async Task Delete_ThenGone()
    {
        string id = await CreateAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync(new Uri("/admin/subscriptions/" + id, UriKind.Relative))).StatusCode);
        using HttpResponseMessage again = await _client.GetAsync(new Uri("/admin/subscriptions/" + id, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("not_found", (await JsonAsync(again)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync(new Uri("/admin/subscriptions/" + id, UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task RotateSecret_NewSecretAndTwoInUse()
    {
        string id = await CreateAsync();

        using HttpResponseMessage rotated = await PostAsync($"/admin/subscriptions/{id}/rotate-secret?overlapSeconds=3600", "");
        JsonElement body = await JsonAsync(rotated);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.StartsWith("whsec_", body.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, body.GetProperty("secrets").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync($"/admin/subscriptions/{id}/rotate-secret?overlapSeconds=-5", "")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/admin/subscriptions/sub_missing/rotate-secret", "")).StatusCode);
    }

    [Fact]
    public async Task TestEvent_QueuedForThatSubscriptionOnly()
    {
        string id = await CreateAsync();
        string other = await CreateAsync();

        using HttpResponseMessage response = await PostAsync($"/admin/subscriptions/{id}/test", "");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        string messageId = (await JsonAsync(response)).GetProperty("id").GetString()!;
        IWebhookEventStore outbox = _host.Services.GetRequiredService<WebhookOutbox>().Store;
        WebhookEventSummary? delivery = await outbox.GetAsync(WebhookOutbox.DeliveryId(id, messageId));
        Assert.Equal("webhook.test", delivery?.EventType);
        Assert.Null(await outbox.GetAsync(WebhookOutbox.DeliveryId(other, messageId)));
    }

    [Fact]
    public async Task Deliveries_UnknownSubscription404_KnownEmptyList()
    {
        string id = await CreateAsync();

        JsonElement empty = await JsonAsync(await _client.GetAsync(new Uri($"/admin/subscriptions/{id}/deliveries", UriKind.Relative)));

        Assert.Equal(0, empty.GetProperty("deliveries").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(new Uri("/admin/subscriptions/sub_missing/deliveries", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/admin/subscriptions/messages/msg_x/deliveries", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync(new Uri($"/admin/subscriptions/{id}/deliveries?before=x", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Resend_UnknownDelivery_404()
    {
        string id = await CreateAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/admin/subscriptions/{id}/deliveries/msg_never/resend", "")).StatusCode);
    }

    [Fact]
    public void Map_WithoutAddWebhookSender_ThrowsNamingTheCall()
    {
        WebApplication app = WebApplication.CreateBuilder().Build();

        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() => app.MapWebhookSubscriptions());

        Assert.Contains("AddWebhookSender", thrown.Message, StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync()
    {
        using HttpResponseMessage created = await PostAsync("/admin/subscriptions", """{"url":"http://127.0.0.1:9/","eventTypes":["*"]}""");
        return (await JsonAsync(created)).GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        _client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PatchAsync(string path, string json) =>
        _client.PatchAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => SubscriptionsTestHost.JsonAsync(response);
}
