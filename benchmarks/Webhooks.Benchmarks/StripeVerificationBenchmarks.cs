using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>Stripe <c>Stripe-Signature</c> verification against the raw HMAC floors and a typical implementation.</summary>
public class StripeVerificationBenchmarks : VerificationBenchmark
{
    private const string Secret = "whsec_stripe_benchmark_secret";

    private string _header = "";
    private StripeSignatureVerifier _verifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(BenchmarkData.Now));
        SetupFloors(Encoding.UTF8.GetBytes(Secret), BenchmarkData.Now.ToString(CultureInfo.InvariantCulture) + ".");
        _header = new StripeSigner(Secret, clock).Sign(Body);
        _verifier = new StripeSignatureVerifier([new WebhookSecret(Secret)], null, clock);
        if (_verifier.Verify(Body, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [Benchmark]
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(Body, _header);

    /// <summary>The way most hand-written code does it: Split, LINQ, string concatenation, new HMAC per call.</summary>
    [Benchmark]
    public bool Typical()
    {
        string[][] items = _header.Split(',').Select(item => item.Split('=')).ToArray();
        string timestamp = items.First(item => item[0] == "t")[1];
        string[] signatures = items.Where(item => item[0] == "v1").Select(item => item[1]).ToArray();
        string payload = timestamp + "." + Encoding.UTF8.GetString(Body);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        string expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(payload))).ToLowerInvariant();
        long age = BenchmarkData.Now - long.Parse(timestamp, CultureInfo.InvariantCulture);
        return signatures.Any(signature => signature == expected) && Math.Abs(age) <= 300;
    }
}
