using System;

namespace Webhooks.Signatures;

/// <summary>
/// How far a signed timestamp may lie from the current time: <see cref="Past"/> for deliveries signed earlier
/// (network delay, sender retries reuse the timestamp they signed with) and <see cref="Future"/> for clocks that run ahead.
/// </summary>
public readonly record struct TimestampTolerance
{
    /// <summary>The default of each side: 300 seconds, as Stripe and the Standard Webhooks libraries use.</summary>
    public static readonly TimeSpan DefaultSkew = TimeSpan.FromSeconds(300);

    /// <summary>Creates a tolerance.</summary>
    /// <param name="past">How old a timestamp may be; zero or more.</param>
    /// <param name="future">How far ahead a timestamp may be; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative.</exception>
    public TimestampTolerance(TimeSpan past, TimeSpan future)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(past, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(future, TimeSpan.Zero);
        Past = past;
        Future = future;
    }

    /// <summary>Gets the default tolerance: 300 seconds into the past and 300 seconds into the future.</summary>
    public static TimestampTolerance Default => new(DefaultSkew, DefaultSkew);

    /// <summary>Gets how old a signed timestamp may be.</summary>
    /// <value>Zero or more; 300 seconds by default.</value>
    public TimeSpan Past { get; }

    /// <summary>Gets how far in the future a signed timestamp may be.</summary>
    /// <value>Zero or more; 300 seconds by default.</value>
    public TimeSpan Future { get; }

    /// <summary>Creates a tolerance that is the same on both sides.</summary>
    /// <param name="skew">The allowed distance from the current time; zero or more.</param>
    /// <returns>The tolerance.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="skew"/> is negative.</exception>
    public static TimestampTolerance Symmetric(TimeSpan skew) => new(skew, skew);

    internal SignatureVerificationResult Check(long signedUnixSeconds, DateTimeOffset now)
    {
        // Both values are below 10^18 (the parser rejects longer timestamps), so the difference cannot overflow.
        long age = now.ToUnixTimeSeconds() - signedUnixSeconds;
        if (age > (long)Past.TotalSeconds)
        {
            return SignatureVerificationResult.Expired;
        }

        if (-age > (long)Future.TotalSeconds)
        {
            return SignatureVerificationResult.FutureTimestamp;
        }

        return SignatureVerificationResult.Valid;
    }
}
