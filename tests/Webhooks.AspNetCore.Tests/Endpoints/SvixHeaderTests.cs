using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

/// <summary>
/// Svix-hosted senders send Standard Webhooks under <c>svix-id</c>, <c>svix-timestamp</c> and <c>svix-signature</c>: deliveries made
/// by Svix's own SDK (tests/vectors/svix.json) are taken by a Standard Webhooks source, and refused as the scheme says.
/// </summary>
public sealed class SvixHeaderTests
{
    [Theory]
    [InlineData("valid", HttpStatusCode.Accepted)]
    [InlineData("rotation: two signatures, receiver holds one", HttpStatusCode.Accepted)]
    [InlineData("tampered body", HttpStatusCode.Unauthorized)]
    [InlineData("other message id", HttpStatusCode.Unauthorized)]
    [InlineData("expired (301 s old)", HttpStatusCode.Unauthorized)]
    public async Task SvixSdkDelivery_AnsweredAsTheSchemeSays(string name, HttpStatusCode expected)
    {
        JsonElement vector = Vector(name);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(vector.GetProperty("now").GetInt64()));
        await using ReceiverHost host = await ReceiverHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(time));

        using HttpResponseMessage response = await host.Client.SendAsync(Request(vector));
        (int status, JsonElement body) = await ReceiverHost.ReadAsync(response);

        Assert.Equal((int)expected, status);
        if (expected == HttpStatusCode.Accepted)
        {
            Assert.Equal("acme:msg_p5jXN8AQM9LWM0D4loKWxJek", body.GetProperty("id").GetString());
            using HttpResponseMessage again = await host.Client.SendAsync(Request(vector));
            Assert.Equal("duplicate", (await ReceiverHost.ReadAsync(again)).Body.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task NeitherIdHeader_MissingDeliveryId()
    {
        JsonElement vector = Vector("valid");
        await using ReceiverHost host = await ReceiverHost.StartAsync();
        using HttpRequestMessage request = Request(vector);
        request.Headers.Remove("svix-id");

        (int status, JsonElement body) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(request));

        Assert.Equal(400, status);
        Assert.Equal("missing_delivery_id", body.GetProperty("error").GetString());
    }

    private static HttpRequestMessage Request(JsonElement vector)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/acme")
        {
            Content = new ByteArrayContent(Convert.FromBase64String(vector.GetProperty("body").GetString()!)),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (JsonProperty header in vector.GetProperty("headers").EnumerateObject())
        {
            request.Headers.Add(header.Name, header.Value.GetString());
        }

        return request;
    }

    private static JsonElement Vector(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "vectors", "svix.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }
}
