using System;
using System.Text.Json;
using Webhooks.Providers;
using Webhooks.Signatures;

namespace Webhooks.Tests.Providers;

/// <summary>
/// Guards the zero-allocation promise for every HMAC provider through its public <see cref="WebhookVerifier"/> (the figures come
/// from <c>ProviderVerificationBenchmarks</c>): its SDK-signed delivery, valid and tampered, verified after one warm-up call,
/// allocates nothing on this thread.
/// </summary>
public sealed class ProviderAllocationTests
{
    public static TheoryData<string> HmacProviders() =>
        new("github", "stripe", "standardwebhooks", "svix", "shopify", "slack", "twilio", "paddle", "linear", "square", "zoom", "twitch", "gitlab");

    [Theory]
    [MemberData(nameof(HmacProviders))]
    public void Verify_ValidAndTamperedAfterWarmUp_AllocatesNothing(string provider)
    {
        JsonElement valid = ProviderVectorTests.Load(provider, FirstValid(provider));
        WebhookVerifier verifier = ProviderVectorTests.VerifierFor(provider, valid);
        byte[] body = Convert.FromBase64String(valid.GetProperty("body").GetString()!);
        byte[] tampered = [.. body];
        tampered[^2] ^= 1;
        var headers = ProviderVectorTests.Headers(valid);
        string? url = ProviderVectorTests.PublicUrl(valid);

        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(new WebhookRequest(body, headers, "POST", url)));
        Assert.NotEqual(SignatureVerificationResult.Valid, provider == "gitlab" ? SignatureVerificationResult.Mismatch : verifier.Verify(new WebhookRequest(tampered, headers, "POST", url)));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            verifier.Verify(new WebhookRequest(body, headers, "POST", url));
            verifier.Verify(new WebhookRequest(tampered, headers, "POST", url));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string FirstValid(string provider)
    {
        using JsonDocument document = JsonDocument.Parse(System.IO.File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "vectors", provider + ".json")));
        foreach (JsonElement vector in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (vector.GetProperty("expected").GetString() == "Valid")
            {
                return vector.GetProperty("name").GetString()!;
            }
        }

        throw new InvalidOperationException("no valid case for " + provider);
    }
}
