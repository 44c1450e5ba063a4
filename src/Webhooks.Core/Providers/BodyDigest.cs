using System;
using System.Security.Cryptography;

namespace Webhooks.Providers;

/// <summary>Ids for deliveries that carry none: a digest of the body, the same when the sender retries the same bytes.</summary>
internal static class BodyDigest
{
    /// <summary><c>sha256-</c> and the body's SHA-256 in lowercase hex.</summary>
    public static string Id(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        return "sha256-" + Convert.ToHexStringLower(hash);
    }
}
