using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Signatures;

/// <summary>
/// Signs a body the way Stripe does, producing the value of <c>Stripe-Signature</c> (<c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>).
/// For tests, samples and senders that imitate Stripe. Thread-safe.
/// </summary>
public sealed class StripeSigner
{
    /// <summary>The longest value <see cref="TrySign"/> writes: <c>t=</c>, up to 19 digits, <c>,v1=</c> and 64 hex digits.</summary>
    public const int MaxSignatureLength = 2 + 19 + 4 + (HmacKey.MacSize * 2);

    private readonly HmacKey _key;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a signer.</summary>
    /// <param name="secret">The endpoint secret (<c>whsec_…</c>); its UTF-8 bytes are the key, prefix included.</param>
    /// <param name="timeProvider">The clock used by <see cref="Sign(ReadOnlySpan{byte})"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or white space.</exception>
    public StripeSigner(string secret, TimeProvider? timeProvider = null)
    {
        _key = new HmacKey(Encoding.UTF8.GetBytes(new WebhookSecret(secret).Value), null, null);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Writes the <c>Stripe-Signature</c> value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <param name="timestamp">The signing time in Unix seconds; zero or more.</param>
    /// <param name="destination">Where to write; <see cref="MaxSignatureLength"/> characters always suffice.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is negative.</exception>
    public bool TrySign(ReadOnlySpan<byte> body, long timestamp, Span<char> destination, out int charsWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        charsWritten = 0;

        Span<char> digits = stackalloc char[20];
        timestamp.TryFormat(digits, out int digitCount, default, CultureInfo.InvariantCulture);
        int length = 2 + digitCount + 4 + (HmacKey.MacSize * 2);
        if (destination.Length < length)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[21];
        int prefixLength = SignatureParsing.WriteAscii(digits[..digitCount], prefix);
        prefix[prefixLength++] = (byte)'.';

        Span<byte> mac = stackalloc byte[HmacKey.MacSize];
        _key.Compute(prefix[..prefixLength], body, mac);

        "t=".CopyTo(destination);
        digits[..digitCount].CopyTo(destination[2..]);
        ",v1=".CopyTo(destination[(2 + digitCount)..]);
        Convert.TryToHexStringLower(mac, destination[(6 + digitCount)..], out _);
        CryptographicOperations.ZeroMemory(mac);
        charsWritten = length;
        return true;
    }

    /// <summary>Returns the <c>Stripe-Signature</c> value for <paramref name="body"/> signed now.</summary>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <returns>The header value.</returns>
    public string Sign(ReadOnlySpan<byte> body) => Sign(body, _timeProvider.GetUtcNow());

    /// <summary>Returns the <c>Stripe-Signature</c> value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <param name="timestamp">The signing time; not before 1970.</param>
    /// <returns>The header value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is before the Unix epoch.</exception>
    public string Sign(ReadOnlySpan<byte> body, DateTimeOffset timestamp)
    {
        Span<char> buffer = stackalloc char[MaxSignatureLength];
        TrySign(body, timestamp.ToUnixTimeSeconds(), buffer, out int written);
        return new string(buffer[..written]);
    }
}
