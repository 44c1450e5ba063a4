using System;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Webhooks.Benchmarks;

/// <summary>
/// The floors every scheme is measured against, over the same bytes it signs (<c>prefix</c> then body): a keyed HMAC reused across
/// calls (the baseline), and the one-shot <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>.
/// </summary>
public abstract class VerificationBenchmark
{
    private byte[] _prefix = [];
    private byte[] _signedPayload = [];
    private byte[] _key = [];
    private IncrementalHash _keyedHash = null!;

    [Params(1024, 8 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    protected byte[] Body { get; private set; } = [];

    /// <summary>Prepares the floors; <paramref name="prefix"/> is what the scheme signs before the body (empty for GitHub).</summary>
    protected void SetupFloors(byte[] key, string prefix)
    {
        Body = BenchmarkData.Body(Size);
        _key = key;
        _prefix = System.Text.Encoding.UTF8.GetBytes(prefix);
        _signedPayload = BenchmarkData.Concat(prefix, Body);
        _keyedHash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    [GlobalCleanup]
    public void Cleanup() => _keyedHash.Dispose();

    /// <summary>The floor: a keyed HMAC reused across calls, over the same bytes.</summary>
    [Benchmark(Baseline = true)]
    public byte ReusedKeyedHash()
    {
        Span<byte> mac = stackalloc byte[32];
        if (_prefix.Length > 0)
        {
            _keyedHash.AppendData(_prefix);
        }

        _keyedHash.AppendData(Body);
        _keyedHash.GetHashAndReset(mac);
        return mac[0];
    }

    /// <summary>One-shot HMAC into a stack buffer over the signed payload (prepared outside the measurement): re-keys on every call.</summary>
    [Benchmark]
    public byte OneShotHashData()
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, _signedPayload, mac);
        return mac[0];
    }
}
