using System;
using System.Collections.Generic;

namespace Webhooks.Sender;

/// <summary>How webhooks are sent, bound from <c>Webhooks:Sender</c> and validated at start-up.</summary>
public sealed class WebhookSenderOptions
{
    /// <summary>Gets or sets a value indicating whether <c>http</c> URLs and loopback addresses are accepted (<c>Webhooks:Sender:AllowInsecureDevelopmentEndpoints</c>); for development only.</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool AllowInsecureDevelopmentEndpoints { get; set; }

    /// <summary>Gets or sets how long one attempt may take, from connecting to the end of the response headers (<c>Webhooks:Sender:AttemptTimeout</c>).</summary>
    /// <value>1 second to 5 minutes; 10 seconds by default.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the delays before each retry (<c>Webhooks:Sender:RetrySchedule</c>): the first attempt is made at once, the second after
    /// the first delay, and so on; when they are used up the delivery is dead. Each delay is spread by <see cref="RetryJitter"/>.
    /// </summary>
    /// <value>1 to 50 delays of 0 to 7 days; by default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about a day and a half).</value>
    public IList<TimeSpan> RetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Gets or sets how much each retry delay is spread at random, as a fraction (<c>Webhooks:Sender:RetryJitter</c>): 0.1 makes a delay of 5 min anything from 4.5 to 5.5 min.</summary>
    /// <value>0 to 0.5; 0.1 by default.</value>
    public double RetryJitter { get; set; } = 0.1;

    /// <summary>Gets or sets the longest <c>Retry-After</c> honoured (<c>Webhooks:Sender:MaxRetryAfter</c>); a longer one is cut to this.</summary>
    /// <value>1 second to 1 day; 1 hour by default.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many bytes of a response body are kept in the delivery log (<c>Webhooks:Sender:ResponseSnippetBytes</c>).</summary>
    /// <value>0 to 65536; 1024 by default.</value>
    public int ResponseSnippetBytes { get; set; } = 1024;

    /// <summary>Gets or sets how long delivered messages and the delivery log are kept (<c>Webhooks:Sender:Retention</c>).</summary>
    /// <value>1 hour to 365 days; 30 days by default.</value>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Gets or sets how long an endpoint may fail without one success before its subscription is disabled
    /// (<c>Webhooks:Sender:DisableAfterFailingFor</c>); <see cref="IWebhookEndpointObserver"/>s are told.
    /// </summary>
    /// <value>1 hour to 90 days; 5 days by default.</value>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Gets or sets how many deliveries are sent at once by this process (<c>Webhooks:Sender:Concurrency</c>).</summary>
    /// <value>1 to 1024; 16 by default.</value>
    public int Concurrency { get; set; } = 16;

    /// <summary>Gets or sets how often the outbox is looked at for deliveries that fall due (<c>Webhooks:Sender:PollInterval</c>).</summary>
    /// <value>10 milliseconds to 1 minute; 1 second by default.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
