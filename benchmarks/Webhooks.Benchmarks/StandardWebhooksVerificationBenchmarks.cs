using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>Standard Webhooks verification against the raw HMAC floors and a typical implementation.</summary>
public class StandardWebhooksVerificationBenchmarks : VerificationBenchmark
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";

    private readonly string _timestamp = BenchmarkData.Now.ToString(CultureInfo.InvariantCulture);
    private string _header = "";
    private StandardWebhooksSignatureVerifier _verifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(BenchmarkData.Now));
        SetupFloors(Convert.FromBase64String(Secret["whsec_".Length..]), Id + "." + _timestamp + ".");
        _header = new StandardWebhooksSigner(Secret, clock).Sign(Id, Body);
        _verifier = new StandardWebhooksSignatureVerifier([new WebhookSecret(Secret)], null, clock);
        if (_verifier.Verify(Body, Id, _timestamp, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [Benchmark]
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(Body, Id, _timestamp, _header);

    /// <summary>The way most hand-written code does it: Split, LINQ, string concatenation, new HMAC per call.</summary>
    [Benchmark]
    public bool Typical()
    {
        byte[] key = Convert.FromBase64String(Secret.Split('_')[1]);
        string payload = Id + "." + _timestamp + "." + Encoding.UTF8.GetString(Body);
        using var hmac = new HMACSHA256(key);
        string expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(payload)));
        string[] signatures = _header.Split(' ').Select(part => part.Split(',')).Where(part => part[0] == "v1").Select(part => part[1]).ToArray();
        long age = BenchmarkData.Now - long.Parse(_timestamp, CultureInfo.InvariantCulture);
        return signatures.Any(signature => signature == expected) && Math.Abs(age) <= 300;
    }
}
