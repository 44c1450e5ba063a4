using System;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Webhooks.Signatures;

namespace Webhooks.Benchmarks;

/// <summary>GitHub <c>X-Hub-Signature-256</c> verification against the raw HMAC floors and a typical implementation.</summary>
public class GitHubVerificationBenchmarks : VerificationBenchmark
{
    private const string Secret = "gh-benchmark-secret";

    private string _header = "";
    private GitHubSignatureVerifier _verifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetupFloors(Encoding.UTF8.GetBytes(Secret), "");
        _header = new GitHubSigner(Secret).Sign(Body);
        _verifier = new GitHubSignatureVerifier(Secret);
        if (_verifier.Verify(Body, _header) != SignatureVerificationResult.Valid || !Typical())
        {
            throw new InvalidOperationException("The benchmark's signature does not verify.");
        }
    }

    [Benchmark]
    public SignatureVerificationResult WebhooksCore() => _verifier.Verify(Body, _header);

    /// <summary>The way most hand-written code does it: new HMAC per call, body as a string, hex string comparison.</summary>
    [Benchmark]
    public bool Typical()
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        string payload = Encoding.UTF8.GetString(Body);
        byte[] hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(payload));
        string expected = "sha256=" + Convert.ToHexString(hash).ToLowerInvariant();
        return expected == _header;
    }
}
