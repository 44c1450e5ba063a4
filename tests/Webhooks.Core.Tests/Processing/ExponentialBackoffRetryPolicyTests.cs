using System;
using Webhooks.Processing;

namespace Webhooks.Tests.Processing;

public class ExponentialBackoffRetryPolicyTests
{
    private static readonly InvalidOperationException Failure = new("boom");

    [Fact]
    public void GetDelayCap_GrowsByFactorUpToMaxDelay()
    {
        var policy = new ExponentialBackoffRetryPolicy(new RetryOptions { BaseDelay = TimeSpan.FromSeconds(10), Factor = 2, MaxDelay = TimeSpan.FromSeconds(60), MaxAttempts = 20 });
        Assert.Equal(TimeSpan.FromSeconds(10), policy.GetDelayCap(1));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.GetDelayCap(2));
        Assert.Equal(TimeSpan.FromSeconds(40), policy.GetDelayCap(3));
        Assert.Equal(TimeSpan.FromSeconds(60), policy.GetDelayCap(4));
        Assert.Equal(TimeSpan.FromSeconds(60), policy.GetDelayCap(19));
    }

    [Fact]
    public void GetRetryDelay_FullJitter_WithinZeroAndCapAndSpread()
    {
        var policy = new ExponentialBackoffRetryPolicy(new RetryOptions { MaxAttempts = 10 }, new Random(42));
        double min = double.MaxValue, max = 0;
        for (int i = 0; i < 1000; i++)
        {
            TimeSpan delay = policy.GetRetryDelay(3, Failure)!.Value;
            Assert.InRange(delay, TimeSpan.Zero, policy.GetDelayCap(3));
            min = Math.Min(min, delay.TotalSeconds);
            max = Math.Max(max, delay.TotalSeconds);
        }

        Assert.True(min < 5 && max > 35, $"jitter did not spread: {min}..{max}");
    }

    [Fact]
    public void GetRetryDelay_SameSeed_SameDelays()
    {
        var a = new ExponentialBackoffRetryPolicy(new RetryOptions(), new Random(7));
        var b = new ExponentialBackoffRetryPolicy(new RetryOptions(), new Random(7));
        for (int attempt = 1; attempt < 8; attempt++)
        {
            Assert.Equal(a.GetRetryDelay(attempt, Failure), b.GetRetryDelay(attempt, Failure));
        }
    }

    [Fact]
    public void GetRetryDelay_NoJitter_ExactlyTheCap()
    {
        var policy = new ExponentialBackoffRetryPolicy(new RetryOptions { UseJitter = false });
        Assert.Equal(TimeSpan.FromSeconds(20), policy.GetRetryDelay(2, Failure));
    }

    [Fact]
    public void GetRetryDelay_MaxAttemptsReached_Null()
    {
        var policy = new ExponentialBackoffRetryPolicy(new RetryOptions { MaxAttempts = 3 });
        Assert.NotNull(policy.GetRetryDelay(2, Failure));
        Assert.Null(policy.GetRetryDelay(3, Failure));
    }

    [Fact]
    public void GetRetryDelay_PermanentFailure_Null()
    {
        Assert.Null(new ExponentialBackoffRetryPolicy(new RetryOptions()).GetRetryDelay(1, new WebhookPermanentFailureException("no such order")));
    }

    [Fact]
    public void Defaults_AreTheDocumentedSchedule()
    {
        var options = new RetryOptions();
        Assert.Equal(8, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(10), options.BaseDelay);
        Assert.Equal(TimeSpan.FromMinutes(30), options.MaxDelay);
        Assert.Equal(2.0, options.Factor);
        Assert.True(options.UseJitter);
    }

    [Fact]
    public void Arguments_Validated()
    {
        var policy = new ExponentialBackoffRetryPolicy(new RetryOptions());
        Assert.Throws<ArgumentNullException>("options", () => new ExponentialBackoffRetryPolicy((RetryOptions)null!));
        Assert.Throws<ArgumentOutOfRangeException>("attempts", () => policy.GetRetryDelay(0, Failure));
        Assert.Throws<ArgumentNullException>("exception", () => policy.GetRetryDelay(1, null!));
    }
}
