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
