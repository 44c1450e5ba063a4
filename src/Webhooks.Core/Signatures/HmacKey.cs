using System;
using System.Security.Cryptography;
using System.Threading;

namespace Webhooks.Signatures;

/// <summary>
/// A prepared HMAC-SHA256 key: the key bytes, its validity window, and a small lock-free pool of keyed
/// <see cref="IncrementalHash"/> instances so that each verification reuses native HMAC state instead of
/// building it again (the one-shot API re-initialises the key on every call).
/// </summary>
internal sealed class HmacKey
{
    /// <summary>The size of an HMAC-SHA256, the MAC of most schemes.</summary>
    public const int MacSize = 32;

    private readonly byte[] _key;
    private readonly HashAlgorithmName _algorithm;
    private readonly IncrementalHash?[] _pool;

    public HmacKey(byte[] key, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
        : this(key, notBefore, notAfter, HashAlgorithmName.SHA256)
    {
    }

    /// <summary>A key for another hash: SHA-1 for the schemes that still use it (Twilio).</summary>
    public HmacKey(byte[] key, DateTimeOffset? notBefore, DateTimeOffset? notAfter, HashAlgorithmName algorithm)
    {
        _key = key;
        _algorithm = algorithm;
        Size = algorithm == HashAlgorithmName.SHA1 ? 20 : MacSize;
        NotBefore = notBefore;
        NotAfter = notAfter;
        _pool = new IncrementalHash?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64)];
    }

    public DateTimeOffset? NotBefore { get; }

    public DateTimeOffset? NotAfter { get; }

    /// <summary>The size of this key's MAC in bytes.</summary>
    public int Size { get; }

    public bool HasWindow => NotBefore.HasValue || NotAfter.HasValue;

    public bool IsActiveAt(DateTimeOffset now) =>
        (NotBefore is not { } from || now >= from) && (NotAfter is not { } to || now <= to);

    /// <summary>Computes HMAC-SHA256 over <paramref name="prefix"/> followed by <paramref name="body"/>.</summary>
    public void Compute(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        IncrementalHash hash = Rent();
        if (!prefix.IsEmpty)
        {
            hash.AppendData(prefix);
        }

        hash.AppendData(body);
        hash.GetHashAndReset(destination);
        Return(hash);
    }

    /// <summary>A keyed hash to feed a message in several parts; give it back with <see cref="Return"/> after <c>GetHashAndReset</c>.</summary>
    public IncrementalHash Rent()
    {
        IncrementalHash?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            IncrementalHash? hash = Interlocked.Exchange(ref pool[i], null);
            if (hash is not null)
            {
                return hash;
            }
        }

        return IncrementalHash.CreateHMAC(_algorithm, _key);
    }

    public void Return(IncrementalHash hash)
    {
        IncrementalHash?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref pool[i], hash, null) is null)
            {
                return;
            }
        }

        hash.Dispose();
    }
}
