using System;
using Webhooks.Signatures;

namespace Webhooks.Tests.Signatures;

public class TimestampToleranceTests
{
    [Fact]
    public void Constructor_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("past", () => new TimestampTolerance(TimeSpan.FromSeconds(-1), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("future", () => new TimestampTolerance(TimeSpan.Zero, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Default_Is300SecondsEachWay()
    {
        Assert.Equal(new TimestampTolerance(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(300)), TimestampTolerance.Default);
        Assert.Equal(TimestampTolerance.Default, TimestampTolerance.Symmetric(TimeSpan.FromMinutes(5)));
    }
}
