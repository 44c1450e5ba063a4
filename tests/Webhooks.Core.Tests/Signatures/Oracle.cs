using System;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Tests.Signatures;

/// <summary>Independent, deliberately plain computations of each scheme's expected signature, used to check the library.</summary>
internal static class Oracle
{
    public static string GitHub(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static string StripeV1(string secret, long timestamp, byte[] body)
    {
        byte[] payload = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }

    public static string StandardV1(string secret, string id, long timestamp, byte[] body)
    {
        byte[] key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        byte[] payload = [.. Encoding.UTF8.GetBytes(id + "." + timestamp + "."), .. body];
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, payload));
    }
}
