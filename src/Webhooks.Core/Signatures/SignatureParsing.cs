using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Webhooks.Signatures;

/// <summary>Allocation-free helpers shared by the verifiers.</summary>
internal static class SignatureParsing
{
    /// <summary>Longest timestamp accepted, in digits: 18 digits always fit in a 64-bit integer.</summary>
    public const int MaxTimestampDigits = 18;

    /// <summary>Parses a non-negative count of Unix seconds made of ASCII digits only; no sign, no spaces, no overflow.</summary>
    public static bool TryParseUnixSeconds(ReadOnlySpan<char> digits, out long seconds)
    {
        seconds = 0;
        if (digits.IsEmpty || digits.Length > MaxTimestampDigits)
        {
            return false;
        }

        long value = 0;
        foreach (char c in digits)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        seconds = value;
        return true;
    }

    /// <summary>Hex digits in either case.</summary>
    public static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The length of a MAC in hex digits.</summary>
    public const int HexMacLength = HmacKey.MacSize * 2;

    /// <summary>Writes each of the <paramref name="count"/> MACs as lowercase hex, one after another.</summary>
    public static void EncodeHex(ReadOnlySpan<byte> macs, int count, Span<char> destination)
    {
        for (int i = 0; i < count; i++)
        {
            Convert.TryToHexStringLower(macs.Slice(i * HmacKey.MacSize, HmacKey.MacSize), destination.Slice(i * HexMacLength, HexMacLength), out _);
        }
    }

    /// <summary>
    /// Compares a hex candidate with each expected lowercase-hex MAC in constant time per comparison. Uppercase <c>A</c>–<c>F</c> in
    /// the candidate count as their lowercase form; any other character must match exactly.
    /// </summary>
    public static bool HexMatchesAny(ReadOnlySpan<char> candidate, ReadOnlySpan<char> expected, int count)
    {
        if (candidate.Length != HexMacLength)
        {
            return false;
        }

        bool matched = false;
        for (int i = 0; i < count; i++)
        {
            matched |= HexEqualsFixedTime(candidate, expected.Slice(i * HexMacLength, HexMacLength));
        }

        return matched;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool HexEqualsFixedTime(ReadOnlySpan<char> candidate, ReadOnlySpan<char> expectedLower)
    {
        ref ushort c = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(candidate));
        ref ushort e = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(expectedLower));
        Vector128<ushort> upperA = Vector128.Create((ushort)'A');
        Vector128<ushort> five = Vector128.Create((ushort)5);
        Vector128<ushort> caseBit = Vector128.Create((ushort)0x20);
        Vector128<ushort> difference = Vector128<ushort>.Zero;
        for (nuint i = 0; i < HexMacLength; i += (nuint)Vector128<ushort>.Count)
        {
            Vector128<ushort> chars = Vector128.LoadUnsafe(ref c, i);

            // 'A'..'F' (unsigned: chars - 'A' <= 5) get the lowercase bit; nothing else changes.
            Vector128<ushort> folded = chars | (Vector128.LessThanOrEqual(chars - upperA, five) & caseBit);
            difference |= folded ^ Vector128.LoadUnsafe(ref e, i);
        }

        return difference == Vector128<ushort>.Zero;
    }

    /// <summary>Compares <paramref name="candidate"/> with each expected MAC in constant time per comparison.</summary>
    public static bool MatchesAny(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> macs, int count)
    {
        bool matched = false;
        for (int i = 0; i < count; i++)
        {
            matched |= FixedTimeEquals32(candidate, macs.Slice(i * HmacKey.MacSize, HmacKey.MacSize));
        }

        return matched;
    }

    /// <summary>Constant-time equality of two spans of the same (public) length: every byte is always combined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        int words = left.Length / sizeof(ulong);
        ReadOnlySpan<ulong> a = MemoryMarshal.Cast<byte, ulong>(left[..(words * sizeof(ulong))]);
        ReadOnlySpan<ulong> b = MemoryMarshal.Cast<byte, ulong>(right[..(words * sizeof(ulong))]);
        ulong difference = 0;
        for (int i = 0; i < a.Length; i++)
        {
            difference |= a[i] ^ b[i];
        }

        for (int i = words * sizeof(ulong); i < left.Length; i++)
        {
            difference |= (uint)(left[i] ^ right[i]);
        }

        return difference == 0;
    }

    /// <summary>
    /// Constant-time equality of two 32-byte MACs: every byte is always combined, with no data-dependent branch.
    /// </summary>
    /// <remarks>
    /// Same guarantee as <c>CryptographicOperations.FixedTimeEquals</c>, which is compiled without optimisation
    /// (<c>MethodImplOptions.NoOptimization</c>) and so costs a noticeable share of a small body's verification.
    /// Here the difference of the four 64-bit words is OR-ed together and tested once.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool FixedTimeEquals32(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        ReadOnlySpan<ulong> a = MemoryMarshal.Cast<byte, ulong>(left[..HmacKey.MacSize]);
        ReadOnlySpan<ulong> b = MemoryMarshal.Cast<byte, ulong>(right[..HmacKey.MacSize]);
        ulong difference = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]);
        return difference == 0;
    }

    /// <summary>Writes the ASCII digits of <paramref name="digits"/> (already validated) as bytes.</summary>
    public static int WriteAscii(ReadOnlySpan<char> digits, Span<byte> destination)
    {
        for (int i = 0; i < digits.Length; i++)
        {
            destination[i] = (byte)digits[i];
        }

        return digits.Length;
    }
}
