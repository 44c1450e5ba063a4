using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.Processing;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Diagnostics;
using Webhooks.Sender.Security;
using Webhooks.Sender.Signing;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Sending;

/// <summary>
/// Makes one attempt to deliver an outbox event to its subscriber: signs the stored bytes for this attempt's time, posts them
/// (no redirect followed, the per-attempt timeout), records the attempt in the delivery log, and ends it the way the dispatcher
/// understands: returning for a 2xx, <see cref="WebhookDeliveryFailedException"/> for what is worth retrying, and
/// <see cref="WebhookPermanentFailureException"/> for what is not (a 4xx other than 408, 409, 425 and 429; a 410, which also
/// disables the subscription; a refused address; a subscription deleted or disabled meanwhile).
/// </summary>
internal sealed partial class WebhookDeliverySender : IWebhookHandler
{
    /// <summary>The name of the <see cref="HttpClient"/> deliveries are sent with.</summary>
    public const string HttpClientName = "Webhooks.Sender";

    private static readonly ProductInfoHeaderValue UserAgent = new("Webhooks.Sender", "0.1");
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly WebhookSubscriptions _subscriptions;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IWebhookDeliveryLog _log;
    private readonly WebhookSenderOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IWebhookEndpointObserver[] _observers;
    private readonly SenderDiagnostics _diagnostics;
    private readonly ILogger _logger;

    public WebhookDeliverySender(
        WebhookSubscriptions subscriptions,
        IHttpClientFactory httpClientFactory,
        IWebhookDeliveryLog log,
        WebhookSenderOptions options,
        TimeProvider timeProvider,
        IEnumerable<IWebhookEndpointObserver> observers,
        SenderDiagnostics diagnostics,
        ILogger<WebhookDeliverySender>? logger = null)
    {
        _subscriptions = subscriptions;
        _httpClientFactory = httpClientFactory;
        _log = log;
        _options = options;
        _timeProvider = timeProvider;
        _observers = [.. observers];
        _diagnostics = diagnostics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        string messageId = WebhookOutbox.MessageIdOf(webhookEvent);
        WebhookSubscription? subscription = await _subscriptions.GetAsync(webhookEvent.Source, cancellationToken).ConfigureAwait(false);
        if (subscription is null || !subscription.IsActive)
        {
            throw new WebhookPermanentFailureException(subscription is null
                ? "The subscription was deleted."
                : $"The subscription is disabled ({subscription.DisabledReason ?? "by the application"}); resend the delivery once it is active again.");
        }

        using Activity? activity = SenderDiagnostics.ActivitySource.StartActivity("webhook.send", ActivityKind.Client);
        activity?.SetTag("webhook.subscription_id", subscription.Id);
        activity?.SetTag("webhook.message_id", messageId);
        activity?.SetTag("webhook.event_type", webhookEvent.EventType);
        activity?.SetTag("webhook.attempt", webhookEvent.Attempts);
        DateTimeOffset started = _timeProvider.GetUtcNow();
        long startedTicks = _timeProvider.GetTimestamp();
        var attempt = new WebhookDeliveryAttempt
        {
            MessageId = messageId,
            SubscriptionId = subscription.Id,
            EventType = webhookEvent.EventType,
            Attempt = webhookEvent.Attempts,
            StartedAt = started,
            Outcome = "failed",
        };

        if (webhookEvent.Interruptions > 0)
        {
            // The attempt before this one ended with its process (or lost the outbox store): whether it reached the endpoint is
            // unknown. It is not counted; the log says so, so that an operator sees why the same attempt number comes twice.
            await RecordAsync(
                attempt,
                startedTicks,
                null,
                "interrupted",
                "The sending process stopped, or lost the outbox store, before this attempt ended; it is made again, not counted.",
                null).ConfigureAwait(false);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url);
        request.Content = new ReadOnlyMemoryContent(webhookEvent.Body);
        request.Content.Headers.ContentType = Json;
        request.Headers.UserAgent.Add(UserAgent);
        OutgoingSignature.Apply(request, subscription, messageId, webhookEvent.EventType, webhookEvent.Body.Span, started);

        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpClient client = _httpClientFactory.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await RecordAsync(attempt, startedTicks, null, "failed", $"No answer within {_options.AttemptTimeout.TotalSeconds:0.###} s.", null).ConfigureAwait(false);
            await FailingAsync(subscription, started).ConfigureAwait(false);
            throw new WebhookDeliveryFailedException($"The endpoint did not answer within {_options.AttemptTimeout.TotalSeconds:0.###} s.", inner: ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookEndpointRefusedException refused)
        {
            await RecordAsync(attempt, startedTicks, null, "rejected", refused.ErrorCode + ": " + refused.Message, null).ConfigureAwait(false);
            Log.Refused(_logger, subscription.Id, refused.ErrorCode);
            throw new WebhookPermanentFailureException($"{refused.ErrorCode}: {refused.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            await RecordAsync(attempt, startedTicks, null, "failed", "Connection failed: " + ex.Message, null).ConfigureAwait(false);
            await FailingAsync(subscription, started).ConfigureAwait(false);
            throw new WebhookDeliveryFailedException("Connection failed: " + ex.Message, inner: ex);
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            string? snippet = await ReadSnippetAsync(response, linked.Token).ConfigureAwait(false);
            if (status is >= 200 and <= 299)
            {
                await RecordAsync(attempt, startedTicks, status, "delivered", null, snippet).ConfigureAwait(false);
                if (subscription.FailingSince is not null)
                {
                    await EndStreakAsync(subscription.Id, started).ConfigureAwait(false);
                }

                return;
            }

            if (status == 410)
            {
                await RecordAsync(attempt, startedTicks, status, "rejected", "410 Gone: the subscription is disabled.", snippet).ConfigureAwait(false);
                await DisableAsync(subscription.Id, "gone").ConfigureAwait(false);
                throw new WebhookPermanentFailureException("The endpoint answered 410 Gone; the subscription is disabled.");
            }

            if (status is (>= 400 and <= 499) and not (408 or 409 or 425 or 429))
            {
                await RecordAsync(attempt, startedTicks, status, "rejected", $"{status}: not retried.", snippet).ConfigureAwait(false);
                await FailingAsync(subscription, started).ConfigureAwait(false);
                throw new WebhookPermanentFailureException($"The endpoint answered {status}, which is not retried.");
            }

            TimeSpan? retryAfter = RetryAfter(response, _timeProvider.GetUtcNow());
            string error = status is >= 300 and <= 399 ? $"{status}: a redirect, not followed." : $"{status}.";
            await RecordAsync(attempt, startedTicks, status, "failed", error, snippet).ConfigureAwait(false);
            await FailingAsync(subscription, started).ConfigureAwait(false);
            throw new WebhookDeliveryFailedException($"The endpoint answered {error}", retryAfter);
        }
    }

    /// <summary>Counts a failed attempt in the endpoint's failure streak, and disables the subscription when the streak is long enough.</summary>
    private async Task FailingAsync(WebhookSubscription subscription, DateTimeOffset at)
    {
        try
        {
            WebhookSubscription? current = subscription.FailingSince is null
                ? await _subscriptions.RecordOutcomeAsync(subscription.Id, succeeded: false, at, CancellationToken.None).ConfigureAwait(false)
                : subscription;
            if (current is { IsActive: true, FailingSince: { } since } && at - since >= _options.DisableAfterFailingFor)
            {
                await DisableAsync(subscription.Id, "failing").ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The streak is bookkeeping: the attempt's own outcome stands, and the next failure tries again.
            Log.StreakNotRecorded(_logger, ex, subscription.Id);
        }
    }

    /// <summary>Ends the endpoint's failure streak after a success; a store that fails leaves it for the next success.</summary>
    private async Task EndStreakAsync(string subscriptionId, DateTimeOffset at)
    {
        try
        {
            await _subscriptions.RecordOutcomeAsync(subscriptionId, succeeded: true, at, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The delivery succeeded, and that stands: failing here would send it again.
            Log.StreakNotRecorded(_logger, ex, subscriptionId);
        }
    }

    /// <summary>Disables the subscription (once, whichever attempt gets there first), logs it and tells the observers.</summary>
    private async Task DisableAsync(string subscriptionId, string reason)
    {
        WebhookSubscription? disabled;
        try
        {
            disabled = await _subscriptions.DisableAsync(subscriptionId, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The attempt's outcome stands; a 410 is seen again by the next delivery, a failure streak by the next failure.
            Log.StreakNotRecorded(_logger, ex, subscriptionId);
            return;
        }

        if (disabled is null)
        {
            return;
        }

        Log.Disabled(_logger, subscriptionId, reason);
        _diagnostics.EndpointsDisabled.Add(1, new KeyValuePair<string, object?>("webhook.reason", reason));
        foreach (IWebhookEndpointObserver observer in _observers)
        {
            try
            {
                await observer.OnEndpointDisabledAsync(disabled, reason, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().FullName ?? observer.GetType().Name, subscriptionId);
            }
        }
    }

    /// <summary><c>Retry-After</c> as seconds or as an HTTP date; <see langword="null"/> when absent or unreadable.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private async Task<string?> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (_options.ResponseSnippetBytes == 0)
        {
            return null;
        }

        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                byte[] buffer = new byte[_options.ResponseSnippetBytes];
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status decides the outcome; a body that cannot be read only leaves the snippet out.
            return null;
        }
    }

    private async Task RecordAsync(WebhookDeliveryAttempt attempt, long startedTicks, int? status, string outcome, string? error, string? snippet)
    {
        TimeSpan duration = _timeProvider.GetElapsedTime(startedTicks);
        _diagnostics.Attempted(outcome, duration);
        if (Activity.Current is { } activity && activity.Source == SenderDiagnostics.ActivitySource)
        {
            activity.SetTag("webhook.outcome", outcome);
            if (status is { } code)
            {
                activity.SetTag("http.response.status_code", code);
            }

            if (!string.Equals(outcome, "delivered", StringComparison.Ordinal))
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        try
        {
            await _log.RecordAsync(
                attempt with
                {
                    Duration = duration,
                    StatusCode = status,
                    Outcome = outcome,
                    Error = error,
                    ResponseSnippet = snippet,
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The log is a record, not the state: a failure to write it does not change the delivery's outcome.
            Log.LogWriteFailed(_logger, ex, attempt.SubscriptionId, attempt.MessageId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1500, LogLevel.Warning, "Subscription {SubscriptionId} is disabled: {Reason}.")]
        public static partial void Disabled(ILogger logger, string subscriptionId, string reason);

        [LoggerMessage(1501, LogLevel.Warning, "A delivery to subscription {SubscriptionId} was refused before connecting: {ErrorCode}.")]
        public static partial void Refused(ILogger logger, string subscriptionId, string errorCode);

        [LoggerMessage(1502, LogLevel.Warning, "The delivery log could not record an attempt to subscription {SubscriptionId} of message {MessageId}.")]
        public static partial void LogWriteFailed(ILogger logger, Exception exception, string subscriptionId, string messageId);

        [LoggerMessage(1503, LogLevel.Warning, "The failure streak or disabling of subscription {SubscriptionId} could not be recorded.")]
        public static partial void StreakNotRecorded(ILogger logger, Exception exception, string subscriptionId);

        [LoggerMessage(1504, LogLevel.Error, "Endpoint observer {Observer} failed for subscription {SubscriptionId}.")]
        public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, string subscriptionId);
    }
}
