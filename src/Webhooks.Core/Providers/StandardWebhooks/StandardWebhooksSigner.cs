using System;
using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Signatures;

/// <summary>
/// Signs a message the way Standard Webhooks senders do, producing the value of <c>webhook-signature</c> (<c>v1,&lt;base64&gt;</c>).
/// For tests, samples and senders. Thread-safe.
/// </summary>
public sealed class StandardWebhooksSigner
{
    /// <summary>The length in characters of a signature value: <c>v1,</c> plus 44 base64 characters.</summary>
    public const int SignatureLength = 3 + 44;

    private readonly HmacKey _key;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a signer.</summary>
    /// <param name="secret">The secret, <c>whsec_</c> followed by base64 (the prefix may be omitted).</param>
    /// <param name="timeProvider">The clock used by <see cref="Sign(ReadOnlySpan{char}, ReadOnlySpan{byte})"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or not valid base64.</exception>
    public StandardWebhooksSigner(string secret, TimeProvider? timeProvider = null)
    {
        _key = new HmacKey(SecretKeys.DecodeStandardWebhooksSecret(new WebhookSecret(secret).Value, nameof(secret)), null, null);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Writes the <c>webhook-signature</c> value for a message.</summary>
    /// <param name="id">The message id sent as <c>webhook-id</c>; not empty.</param>
    /// <param name="timestamp">The signing time in Unix seconds sent as <c>webhook-timestamp</c>; zero or more.</param>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <param name="destination">Where to write; needs <see cref="SignatureLength"/> characters.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is negative.</exception>
    public bool TrySign(ReadOnlySpan<char> id, long timestamp, ReadOnlySpan<byte> body, Span<char> destination, out int charsWritten)
    {
        if (id.IsEmpty)
        {
            throw new ArgumentException("The message id must not be empty.", nameof(id));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        charsWritten = 0;
        if (destination.Length < SignatureLength)
        {
            return false;
        }

        int prefixLength = Encoding.UTF8.GetByteCount(id) + 22;
        byte[] rented = ArrayPool<byte>.Shared.Rent(prefixLength);
        int written = Encoding.UTF8.GetBytes(id, rented);
        rented[written++] = (byte)'.';
        timestamp.TryFormat(rented.AsSpan(written), out int digits, default, CultureInfo.InvariantCulture);
        written += digits;
        rented[written++] = (byte)'.';

        Span<byte> mac = stackalloc byte[HmacKey.MacSize];
        _key.Compute(rented.AsSpan(0, written), body, mac);
        ArrayPool<byte>.Shared.Return(rented);

        "v1,".CopyTo(destination);
        Convert.TryToBase64Chars(mac, destination[3..], out _);
        CryptographicOperations.ZeroMemory(mac);
        charsWritten = SignatureLength;
        return true;
    }

    /// <summary>Returns the <c>webhook-signature</c> value for a message signed now; use the same time for <c>webhook-timestamp</c>.</summary>
    /// <param name="id">The message id; not empty.</param>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <returns>The header value.</returns>
    public string Sign(ReadOnlySpan<char> id, ReadOnlySpan<byte> body) => Sign(id, _timeProvider.GetUtcNow(), body);

    /// <summary>Returns the <c>webhook-signature</c> value for a message signed at <paramref name="timestamp"/>.</summary>
    /// <param name="id">The message id; not empty.</param>
    /// <param name="timestamp">The signing time; not before 1970. Send its Unix seconds as <c>webhook-timestamp</c>.</param>
    /// <param name="body">The exact bytes that will be sent.</param>
    /// <returns>The header value.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is before the Unix epoch.</exception>
    public string Sign(ReadOnlySpan<char> id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        Span<char> buffer = stackalloc char[SignatureLength];
        TrySign(id, timestamp.ToUnixTimeSeconds(), body, buffer, out int written);
        return new string(buffer[..written]);
    }
}
