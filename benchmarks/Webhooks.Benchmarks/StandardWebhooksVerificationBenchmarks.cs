using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>Standard Webhooks verification against the raw HMAC floors and a typical implementation.</summary>
public class StandardWebhooksVerificationBenchmarks
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";

    private readonly string _timestamp = BenchmarkData.Now.ToString(CultureInfo.InvariantCulture);
    private byte[] _body = [];
    private byte[] _prefix = [];
    private byte[] _signedPayload = [];
    private byte[] _key = [];
    private string _header = "";
    private IncrementalHash _keyedHash = null!;
    private StandardWebhooksSignatureVerifier _verifier = null!;

    [Params(1024, 8 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(BenchmarkData.Now));
        _body = BenchmarkData.Body(Size);
        _prefix = Encoding.UTF8.GetBytes(Id + "." + _timestamp + ".");
        _signedPayload = BenchmarkData.Concat(Id + "." + _timestamp + ".", _body);
        _key = Convert.FromBase64String(Secret["whsec_".Length..]);
        _header = new StandardWebhooksSigner(Secret, clock).Sign(Id, _body);
        _keyedHash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _verifier = new StandardWebhooksSignatureVerifier([new WebhookSecret(Secret)], null, clock);
        if (_verifier.Verify(_body, Id, _timestamp, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _keyedHash.Dispose();

    /// <summary>The floor: a keyed HMAC reused across calls, over the same bytes (<c>{id}.{timestamp}.</c> then the body).</summary>
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
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(_body, Id, _timestamp, _header);

    /// <summary>The way most hand-written code does it: Split, LINQ, string concatenation, new HMAC per call.</summary>
    [Benchmark]
    public bool Typical()
    {
        byte[] key = Convert.FromBase64String(Secret.Split('_')[1]);
        string payload = Id + "." + _timestamp + "." + Encoding.UTF8.GetString(_body);
        using var hmac = new HMACSHA256(key);
        string expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(payload)));
        string[] signatures = _header.Split(' ').Select(part => part.Split(',')).Where(part => part[0] == "v1").Select(part => part[1]).ToArray();
        long age = BenchmarkData.Now - long.Parse(_timestamp, CultureInfo.InvariantCulture);
        return signatures.Any(signature => signature == expected) && Math.Abs(age) <= 300;
    }
}
