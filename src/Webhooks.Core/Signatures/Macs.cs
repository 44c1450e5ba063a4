using System;
using System.Buffers;
using System.Security.Cryptography;

namespace Webhooks.Signatures;

/// <summary>
/// The HMAC schemes' shared steps, allocation-free: every active key's MAC of a prefix and the body, a candidate decoded from
/// its header text, and a constant-time comparison with each MAC.
/// </summary>
internal static class Macs
{
    /// <summary>The most bytes a MAC takes (SHA-256).</summary>
    public const int MaxSize = HmacKey.MacSize;

    /// <summary>A prefix of at most this many bytes is written on the stack; a longer one (a long URL) in a pooled buffer.</summary>
    public const int StackPrefixBytes = 512;

    /// <summary>
    /// Writes the MAC of <paramref name="prefix"/> + <paramref name="body"/> under every key active at <paramref name="now"/>, one after
    /// another (each <see cref="HmacKey.Size"/> bytes); returns how many. Every HMAC verifier computes its MACs here.
    /// </summary>
    public static int Compute(HmacKey[] keys, DateTimeOffset now, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, Span<byte> macs)
    {
        int count = 0;
        foreach (HmacKey key in keys)
        {
            if (key.IsActiveAt(now))
            {
                key.Compute(prefix, body, macs.Slice(count * key.Size, key.Size));
                count++;
            }
        }

        return count;
    }

    /// <summary>Decodes a candidate MAC of <paramref name="size"/> bytes from its header text; <see langword="false"/> when it is not one.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, MacText encoding, int size, Span<byte> candidate)
    {
        if (encoding == MacText.Hex)
        {
            return text.Length == 2 * size &&
                Convert.FromHexString(text, candidate[..size], out _, out int bytes) == OperationStatus.Done && bytes == size;
        }

        // Base64 of the MAC, with or without its padding: at most 4 characters per 3 bytes, and nothing longer.
        int padded = (size + 2) / 3 * 4;
        if (text.Length > padded || text.Length < padded - 2)
        {
            return false;
        }

        Span<char> full = stackalloc char[64];
        text.CopyTo(full);
        for (int i = text.Length; i < padded; i++)
        {
            full[i] = '=';
        }

        // Only the canonical encoding counts: a candidate whose unused low bits differ decodes to the same bytes but is another text.
        Span<byte> decoded = stackalloc byte[48];
        Span<char> canonical = stackalloc char[64];
        return Convert.TryFromBase64Chars(full[..padded], decoded, out int length) && length == size &&
            Convert.TryToBase64Chars(decoded[..size], canonical, out int written) && canonical[..written].SequenceEqual(full[..padded]) &&
            decoded[..size].TryCopyTo(candidate);
    }

    /// <summary>
    /// Decodes padded base64 only in its canonical form: a text whose unused low bits are set decodes to the same bytes, and so
    /// is refused, so that one signature has one text.
    /// </summary>
    public static bool TryFromCanonicalBase64(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        Span<char> canonical = stackalloc char[128];
        return Convert.TryFromBase64Chars(text, destination, out written) && written <= 96 &&
            Convert.TryToBase64Chars(destination[..written], canonical, out int length) && canonical[..length].SequenceEqual(text);
    }

    /// <summary>Compares a decoded candidate with each of <paramref name="count"/> MACs, every one in constant time.</summary>
    public static bool Matches(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> macs, int count, int size)
    {
        bool matched = false;
        for (int i = 0; i < count; i++)
        {
            matched |= CryptographicOperations.FixedTimeEquals(candidate[..size], macs.Slice(i * size, size));
        }

        return matched;
    }

    /// <summary>
    /// The whole check for a scheme with one MAC in its header: <see cref="SignatureVerificationResult.Malformed"/> when the text is
    /// not a MAC, <see cref="SignatureVerificationResult.NoActiveSecret"/> when no key is active, else whether one matches.
    /// </summary>
    public static SignatureVerificationResult Verify(HmacKey[] keys, DateTimeOffset now, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, ReadOnlySpan<char> text, MacText encoding)
    {
        int size = keys[0].Size;
        Span<byte> candidate = stackalloc byte[MaxSize];
        if (!TryDecode(text, encoding, size, candidate))
        {
            return SignatureVerificationResult.Malformed;
        }

        Span<byte> macs = stackalloc byte[MaxSize * keys.Length];
        int count = Compute(keys, now, prefix, body, macs);
        if (count == 0)
        {
            return SignatureVerificationResult.NoActiveSecret;
        }

        bool matched = Matches(candidate, macs, count, size);
        CryptographicOperations.ZeroMemory(macs);
        return matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
    }

    /// <summary>Writes ASCII text as bytes; returns the count, or -1 when a character is not ASCII or it does not fit.</summary>
    public static int WriteAscii(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length > destination.Length)
        {
            return -1;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return -1;
            }

            destination[i] = (byte)text[i];
        }

        return text.Length;
    }
}
