using System;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Signatures;

/// <summary>
/// Signs a body the way GitHub does, producing the value of <c>X-Hub-Signature-256</c> (<c>sha256=</c> and 64 lowercase hex digits).
/// For tests, samples and senders that imitate GitHub. Thread-safe.
/// </summary>
public sealed class GitHubSigner
{
    /// <summary>The length in characters of a signature header value: <c>sha256=</c> plus 64 hex digits.</summary>
    public const int SignatureLength = 7 + (HmacKey.MacSize * 2);

    private readonly HmacKey _key;

    /// <summary>Creates a signer.</summary>
    /// <param name="secret">The webhook secret.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or white space.</exception>
    public GitHubSigner(string secret)
    {
        _key = new HmacKey(Encoding.UTF8.GetBytes(new WebhookSecret(secret).Value), null, null);
    }

    /// <summary>Writes the <c>X-Hub-Signature-256</c> value for <paramref name="body"/> into <paramref name="destination"/>.</summary>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <param name="destination">Where to write; needs <see cref="SignatureLength"/> characters.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TrySign(ReadOnlySpan<byte> body, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (destination.Length < SignatureLength)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HmacKey.MacSize];
        _key.Compute(default, body, mac);
        "sha256=".CopyTo(destination);
        Convert.TryToHexStringLower(mac, destination[7..], out _);
        CryptographicOperations.ZeroMemory(mac);
        charsWritten = SignatureLength;
        return true;
    }

    /// <summary>Returns the <c>X-Hub-Signature-256</c> value for <paramref name="body"/>.</summary>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <returns>The header value, <c>sha256=&lt;hex&gt;</c>.</returns>
    public string Sign(ReadOnlySpan<byte> body)
    {
        Span<char> buffer = stackalloc char[SignatureLength];
        TrySign(body, buffer, out int written);
        return new string(buffer[..written]);
    }
}
