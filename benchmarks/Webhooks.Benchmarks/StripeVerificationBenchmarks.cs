using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>Stripe <c>Stripe-Signature</c> verification against the raw HMAC floors and a typical implementation.</summary>
public class StripeVerificationBenchmarks
{
    private const string Secret = "whsec_stripe_benchmark_secret";

    private byte[] _body = [];
    private byte[] _prefix = [];
    private byte[] _signedPayload = [];
    private byte[] _key = [];
    private string _header = "";
    private IncrementalHash _keyedHash = null!;
    private StripeSignatureVerifier _verifier = null!;

    [Params(1024, 8 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(BenchmarkData.Now));
        _body = BenchmarkData.Body(Size);
        _prefix = Encoding.ASCII.GetBytes(BenchmarkData.Now.ToString(CultureInfo.InvariantCulture) + ".");
        _signedPayload = BenchmarkData.Concat(BenchmarkData.Now.ToString(CultureInfo.InvariantCulture) + ".", _body);
        _key = Encoding.UTF8.GetBytes(Secret);
        _header = new StripeSigner(Secret, clock).Sign(_body);
        _keyedHash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _verifier = new StripeSignatureVerifier([new WebhookSecret(Secret)], null, clock);
        if (_verifier.Verify(_body, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _keyedHash.Dispose();

    /// <summary>The floor: a keyed HMAC reused across calls, over the same bytes (<c>{t}.</c> then the body).</summary>
    [Benchmark(Baseline = true)]
    public byte ReusedKeyedHash()
    {
        Span<byte> mac = stackalloc byte[32];
        _keyedHash.AppendData(_prefix);
        _keyedHash.AppendData(_body);
        _keyedHash.GetHashAndReset(mac);
        return mac[0];
    }

    /// <summary>One-shot HMAC into a stack buffer over the signed payload (prepared outside the measurement).</summary>
    [Benchmark]
    public byte OneShotHashData()
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, _signedPayload, mac);
        return mac[0];
    }

    [Benchmark]
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(_body, _header);

    /// <summary>The way most hand-written code does it: Split, LINQ, string concatenation, new HMAC per call.</summary>
    [Benchmark]
    public bool Typical()
    {
        string[][] items = _header.Split(',').Select(item => item.Split('=')).ToArray();
        string timestamp = items.First(item => item[0] == "t")[1];
        string[] signatures = items.Where(item => item[0] == "v1").Select(item => item[1]).ToArray();
        string payload = timestamp + "." + Encoding.UTF8.GetString(_body);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        string expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(payload))).ToLowerInvariant();
        long age = BenchmarkData.Now - long.Parse(timestamp, CultureInfo.InvariantCulture);
        return signatures.Any(signature => signature == expected) && Math.Abs(age) <= 300;
    }
}
