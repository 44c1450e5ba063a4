using System;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>GitHub <c>X-Hub-Signature-256</c> verification against the raw HMAC floors and a typical implementation.</summary>
public class GitHubVerificationBenchmarks
{
    private const string Secret = "gh-benchmark-secret";

    private byte[] _body = [];
    private byte[] _key = [];
    private string _header = "";
    private IncrementalHash _keyedHash = null!;
    private GitHubSignatureVerifier _verifier = null!;

    [Params(1024, 8 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = BenchmarkData.Body(Size);
        _key = Encoding.UTF8.GetBytes(Secret);
        _header = new GitHubSigner(Secret).Sign(_body);
        _keyedHash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _verifier = new GitHubSignatureVerifier(Secret);
        if (_verifier.Verify(_body, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _keyedHash.Dispose();

    /// <summary>The floor: a keyed HMAC reused across calls, over the same bytes.</summary>
    [Benchmark(Baseline = true)]
    public byte ReusedKeyedHash()
    {
        Span<byte> mac = stackalloc byte[32];
        _keyedHash.AppendData(_body);
        _keyedHash.GetHashAndReset(mac);
        return mac[0];
    }

    /// <summary>One-shot HMAC into a stack buffer: re-keys on every call.</summary>
    [Benchmark]
    public byte OneShotHashData()
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, _body, mac);
        return mac[0];
    }

    [Benchmark]
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(_body, _header);

    /// <summary>The way most hand-written code does it: new HMAC per call, body as a string, hex string comparison.</summary>
    [Benchmark]
    public bool Typical()
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        string payload = Encoding.UTF8.GetString(_body);
        byte[] hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(payload));
        string expected = "sha256=" + Convert.ToHexString(hash).ToLowerInvariant();
        return expected == _header;
    }
}
