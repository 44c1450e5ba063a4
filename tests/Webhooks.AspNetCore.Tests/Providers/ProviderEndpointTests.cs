using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Webhooks.AspNetCore.Tests.Providers;

/// <summary>
/// Every SDK-signed vector sent over HTTP to a receiver with that provider's source: valid deliveries are saved (202, the event id
/// made of the source and the id the provider's SDK put there) or their handshake answered exactly, and every refused one gets
/// 401 with the contract's error code.
/// </summary>
public sealed class ProviderEndpointTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach ((string provider, JsonElement vector) in ProviderVectors.All())
        {
            data.Add(provider, vector.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SdkSignedDelivery_AnsweredAsTheContractSays(string provider, string name)
    {
        JsonElement vector = ProviderVectors.Load(provider, name);
        (IHost host, HttpClient client) = await ProviderVectors.StartAsync(provider, vector);
        using (host)
        {
            using HttpRequestMessage request = ProviderVectors.Request(provider, vector);
            using HttpResponseMessage response = await client.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            int status = (int)response.StatusCode;
            switch (vector.GetProperty("expected").GetString())
            {
                case "Valid" when vector.TryGetProperty("read", out JsonElement read) && read.TryGetProperty("handshake", out JsonElement answer):
                    Assert.InRange(status, 200, 299);
                    Assert.Equal(answer.GetString(), text);
                    break;
                case "Valid" when vector.TryGetProperty("read", out JsonElement read):
                    using (JsonDocument json = JsonDocument.Parse(text))
                    {
                        if (json.RootElement.TryGetProperty("id", out JsonElement id))
                        {
                            Assert.Equal(202, status);
                            Assert.Equal(provider + ":" + read.GetProperty("id").GetString(), id.GetString());
                        }
                        else
                        {
                            // An acknowledgement the provider asks for (a Discord interaction is deferred).
                            Assert.Equal(200, status);
                            Assert.Equal(5, json.RootElement.GetProperty("type").GetInt32());
                        }
                    }

                    break;
                case "Valid":
                    Assert.Equal(202, status);
                    break;
                case "Expired" or "FutureTimestamp":
                    Assert.Equal(401, status);
                    Assert.Contains("\"signature_expired\"", text, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Equal(401, status);
                    Assert.Contains("\"invalid_signature\"", text, StringComparison.Ordinal);
                    break;
            }

            await host.StopAsync();
        }
    }
}
