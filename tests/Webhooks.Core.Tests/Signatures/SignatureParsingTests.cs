using System;
using Webhooks.Signatures;

namespace Webhooks.Tests.Signatures;

public class SignatureParsingTests
{
    [Fact]
    public void FixedTimeEquals32_DifferenceInAnyBitOfAnyByte_NotEqual()
    {
        byte[] left = new byte[32];
        new Random(5).NextBytes(left);
        Assert.True(SignatureParsing.FixedTimeEquals32(left, (byte[])left.Clone()));
        for (int i = 0; i < 32; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] right = (byte[])left.Clone();
                right[i] ^= (byte)(1 << bit);
                Assert.False(SignatureParsing.FixedTimeEquals32(left, right));
            }
        }
    }

    [Fact]
    public void HexMatchesAny_CaseFoldsOnlyAtoF()
    {
        byte[] mac = new byte[32];
        new Random(9).NextBytes(mac);
        string expected = Convert.ToHexStringLower(mac);
        string other = new string('0', 64);
        string both = other + expected;

        Assert.True(SignatureParsing.HexMatchesAny(expected, both, 2));
        Assert.True(SignatureParsing.HexMatchesAny(expected.ToUpperInvariant(), both, 2));
        Assert.False(SignatureParsing.HexMatchesAny(expected, both, 1));
        Assert.False(SignatureParsing.HexMatchesAny(expected.AsSpan(0, 63), both, 2));
        for (int i = 0; i < 64; i++)
        {
            char[] chars = expected.ToCharArray();
            chars[i] = chars[i] switch
            {
                >= '0' and <= '9' => (char)(chars[i] - 0x20), // same low bits, not a digit: must not fold
                _ => (char)(chars[i] + 6), // 'a'..'f' become 'g'..'l'
            };
            Assert.False(SignatureParsing.HexMatchesAny(new string(chars), both, 2));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(86)]
    public void FixedTimeEquals_AnyLength_DetectsEveryByte(int length)
    {
        byte[] left = new byte[length];
        new Random(length).NextBytes(left);
        Assert.True(SignatureParsing.FixedTimeEquals(left, (byte[])left.Clone()));
        Assert.False(SignatureParsing.FixedTimeEquals(left, new byte[length + 1]));
        for (int i = 0; i < length; i++)
        {
            byte[] right = (byte[])left.Clone();
            right[i] ^= 0x80;
            Assert.False(SignatureParsing.FixedTimeEquals(left, right));
        }
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1614265330", 1614265330L)]
    [InlineData("999999999999999999", 999_999_999_999_999_999L)]
    public void TryParseUnixSeconds_Digits_Parsed(string text, long expected)
    {
        Assert.True(SignatureParsing.TryParseUnixSeconds(text, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1000000000000000000")] // 19 digits
    [InlineData("9223372036854775807")]
    [InlineData("１２３")] // full-width digits
    public void TryParseUnixSeconds_NotPlainDigits_Rejected(string text)
    {
        Assert.False(SignatureParsing.TryParseUnixSeconds(text, out _));
    }
}
