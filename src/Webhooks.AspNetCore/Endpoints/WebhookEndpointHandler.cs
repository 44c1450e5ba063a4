using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Webhooks.Sources;
using Webhooks.AspNetCore.Diagnostics;
using Webhooks.Processing;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Handles <c>POST {prefix}/{source}</c>: reads the raw body into one exact-size array within the source's limit, verifies the signature
/// before anything is parsed, extracts the delivery id and type, saves the delivery, and answers — 202 only once it is saved.
/// </summary>
internal sealed partial class WebhookEndpointHandler(
    WebhookSources sources,
    WebhookPipeline pipeline,
    IOptionsMonitor<WebhookSourceOptions> sourceOptions,
    IOptionsMonitor<WebhookReceiverOptions> receiverOptions,
    TimeProvider timeProvider,
    ILogger<WebhookEndpointHandler>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    // Anyone can send requests that are refused (no signature is needed to make one): these lines are limited per kind.
    private readonly LogLimiter _rejectedLines = LogLimiter.PerRequest(timeProvider);
    private readonly LogLimiter _tooLargeLines = LogLimiter.PerRequest(timeProvider);
    private readonly LogLimiter _unreadableLines = LogLimiter.PerRequest(timeProvider);
    private readonly LogLimiter _storeRefusedLines = LogLimiter.PerRequest(timeProvider);

    /// <summary>Answers one delivery. Never throws: whatever a sender puts in the request, or a fault of the receiver, gets a JSON answer.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender went away; there is no one to answer.
            Log.Aborted(_logger, context.Request.Path.Value ?? "");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A fault of the receiver (or of code it calls), not of the request: logged once, answered 500 so that the sender retries.
            Log.Fault(_logger, ex, context.Request.Path.Value ?? "");
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WebhookJson.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, WebhookErrors.InternalError).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        string name = context.Request.RouteValues["source"] as string ?? "";
        if (!sources.TryGet(name, out WebhookSource? source))
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.UnknownSource).ConfigureAwait(false);
            return;
        }

        WebhookReceiverOptions endpoint = receiverOptions.CurrentValue;
        WebhookSourceOptions settings = sourceOptions.Get(source.Name);
        long limit = settings.MaxBodyBytes ?? endpoint.MaxBodyBytes ?? source.DefaultBodyLimit;
        if (context.Request.ContentLength > limit)
        {
            if (Allowed(_tooLargeLines, 1201))
            {
                Log.TooLarge(_logger, source.Name, limit);
            }

            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, WebhookErrors.PayloadTooLarge).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is enforced below on the content alone: the server's own limit would also count chunk framing.
            sizeFeature.MaxRequestBodySize = null;
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(context.Request.BodyReader, context.Request.ContentLength, limit, pipeline.StoreKeepsBodyArrays, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // Broken framing, a body cut short, or one that arrives too slowly: the sender's fault, answered if still possible.
            bool slow = ex.StatusCode == StatusCodes.Status408RequestTimeout;
            if (Allowed(_unreadableLines, 1205))
            {
                Log.BodyUnreadable(_logger, source.Name, ex.Message);
            }

            await TryWriteErrorAsync(context, slow ? StatusCodes.Status408RequestTimeout : StatusCodes.Status400BadRequest, slow ? WebhookErrors.RequestTimeout : WebhookErrors.InvalidBody).ConfigureAwait(false);
            return;
        }
        catch (IOException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The connection was reset mid-body.
            if (Allowed(_unreadableLines, 1205))
            {
                Log.BodyUnreadable(_logger, source.Name, ex.Message);
            }

            await TryWriteErrorAsync(context, StatusCodes.Status400BadRequest, WebhookErrors.InvalidBody).ConfigureAwait(false);
            return;
        }

        if (body is null)
        {
            if (Allowed(_tooLargeLines, 1201))
            {
                Log.TooLarge(_logger, source.Name, limit);
            }

            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, WebhookErrors.PayloadTooLarge).ConfigureAwait(false);
            return;
        }

        await ReceiveAsync(context, source, settings, body, endpoint).ConfigureAwait(false);
    }

    private static async Task TryWriteErrorAsync(HttpContext context, int status, string error)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await WebhookJson.WriteErrorAsync(context, status, error).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone: nothing more to say.
        }
    }

    private async Task ReceiveAsync(HttpContext context, WebhookSource source, WebhookSourceOptions settings, ReadOnlyMemory<byte> body, WebhookReceiverOptions endpoint)
    {
        IHeaderDictionary headers = context.Request.Headers;
        WebhookSourceVerifier verifier;
        try
        {
            verifier = await sources.GetVerifierAsync(source, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // The secret provider (a vault) failed: nothing can be verified now, so the sender must retry later.
            Log.SecretsUnavailable(_logger, source.Name, ex.Message);
            await WebhookJson.WriteUnavailableAsync(context, endpoint.RetryAfter, WebhookErrors.SecretsUnavailable).ConfigureAwait(false);
            return;
        }

        // The URL is built only for the schemes that sign it.
        string? url = source.Provider.SignsUrl ? PublicUrl(context.Request, settings.PublicUrl) : null;
        Checked check = Check(verifier, new WebhookRequest(body.Span, headers, context.Request.Method, url));
        if (check.Precheck is { } missing)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, DeliveryIdentity.ErrorCode(missing)).ConfigureAwait(false);
            return;
        }

        if (check.Verification != SignatureVerificationResult.Valid)
        {
            if (Allowed(_rejectedLines, 1200))
            {
                Log.Rejected(_logger, source.Name, check.Verification);
            }

            bool expired = check.Verification is SignatureVerificationResult.Expired or SignatureVerificationResult.FutureTimestamp;
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, expired ? WebhookErrors.SignatureExpired : WebhookErrors.InvalidSignature).ConfigureAwait(false);
            return;
        }

        // Only now, with the signature verified, is anything read from the body.
        WebhookReadResult read = check.Read;
        if (read.Handshake is { } handshake)
        {
            // The provider checking the endpoint: answered, never stored.
            Log.Handshake(_logger, source.Name);
            await WebhookJson.WriteHandshakeAsync(context, handshake).ConfigureAwait(false);
            return;
        }

        DeliveryIdentity identity = DeliveryIdentity.Of(read);
        if (identity.Error is { } error)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        WebhookEvent webhookEvent = WebhookEvent.Create(source.Name, identity.DeliveryId!, identity.EventType, new HeaderPairs(headers, source.Provider.SecretHeaders), body, timeProvider.GetUtcNow());
        // A scheme that signs only the body (GitHub's): the same body under a new delivery id is the same delivery sent again.
        bool byBody = source.Provider.DeliveryIdUnsigned && settings.DeduplicateByBody;
        // The receipt's span, to link processing back to: only when it is recorded (a span nobody records is never exported, and
        // its id would be one more string kept with every event).
        string? traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } receiving ? receiving.Id : null;
        if (byBody || traceParent is not null)
        {
            webhookEvent = webhookEvent with { DeduplicateByBody = byBody, TraceParent = traceParent };
        }

        WebhookAcceptResult result;
        try
        {
            ValueTask<WebhookAcceptResult> accepting = pipeline.AcceptAsync(webhookEvent, context.RequestAborted);

            // An in-memory store answers at once. Otherwise wait at most StoreTimeout: a store client that cannot be cancelled
            // may still be writing then; stop waiting and answer 503. If it saves the delivery after all, the sender's retry
            // gets 200 duplicate, and what it saved is the event's own body.
            result = accepting.IsCompleted
                ? await accepting.ConfigureAwait(false)
                : await accepting.AsTask().WaitAsync(endpoint.StoreTimeout, timeProvider, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException && !context.RequestAborted.IsCancellationRequested)
        {
            // Unreachable, too slow or full: the delivery was not saved, so the sender must retry. An expected outcome: one
            // line, no stack trace. (Anything else a store throws is a fault: 500, logged with its stack trace.)
            if (Allowed(_storeRefusedLines, 1204))
            {
                Log.StoreRefused(_logger, webhookEvent.Id, ex.Message);
            }

            TimeSpan retryAfter = (ex as WebhookStoreUnavailableException)?.RetryAfter ?? endpoint.RetryAfter;
            await WebhookJson.WriteUnavailableAsync(context, retryAfter, WebhookErrors.StoreUnavailable).ConfigureAwait(false);
            return;
        }

        if (read.Acknowledgement is { } acknowledgement && result != WebhookAcceptResult.ConflictingDuplicate)
        {
            // Saved (or saved before): answered as the provider needs it.
            await WebhookJson.WriteHandshakeAsync(context, acknowledgement).ConfigureAwait(false);
            return;
        }

        switch (result)
        {
            case WebhookAcceptResult.Queued:
                await WebhookJson.WriteStatusAsync(context, StatusCodes.Status202Accepted, webhookEvent.Id, "queued").ConfigureAwait(false);
                break;
            case WebhookAcceptResult.Duplicate:
                await WebhookJson.WriteStatusAsync(context, StatusCodes.Status200OK, webhookEvent.Id, "duplicate").ConfigureAwait(false);
                break;
            default:
                await WebhookJson.WriteErrorAsync(context, StatusCodes.Status422UnprocessableEntity, WebhookErrors.ConflictingDuplicate).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The precheck, the signature and, when it is valid, what the delivery is: one synchronous pass over the request.</summary>
    private static Checked Check(WebhookSourceVerifier verifier, in WebhookRequest request)
    {
        if (verifier.Precheck(request) is { } missing)
        {
            return new Checked(missing, SignatureVerificationResult.Missing, default);
        }

        SignatureVerificationResult verification = verifier.Verify(request);
        return verification == SignatureVerificationResult.Valid
            ? new Checked(null, verification, verifier.Read(request))
            : new Checked(null, verification, default);
    }

    /// <summary>The URL the sender posted to: the source's <c>PublicUrl</c> with the request's query, or the request's own URL.</summary>
    private static string PublicUrl(HttpRequest request, string? configured) =>
        configured is null ? request.GetEncodedUrl() : configured + request.QueryString.ToUriComponent();

    private readonly record struct Checked(WebhookReadError? Precheck, SignatureVerificationResult Verification, WebhookReadResult Read);

    private bool Allowed(LogLimiter limiter, int eventId)
    {
        if (!limiter.TryEnter(out int suppressed))
        {
            return false;
        }

        if (suppressed > 0)
        {
            Log.Suppressed(_logger, suppressed, eventId);
        }

        return true;
    }

    /// <summary>
    /// Reads the whole body into one exact-size array that the event will own: straight into it when the length is declared,
    /// otherwise through a pooled buffer that is copied once and returned before this method ends, so that no pooled memory ever
    /// reaches a store (a store write may outlive the request). Returns <see langword="null"/> as soon as more than
    /// <paramref name="limit"/> bytes (or more than the declared length) arrive. The array is <paramref name="pinned"/> when the
    /// store keeps it for the event's life (see <see cref="NewBody"/>).
    /// </summary>
    internal static async Task<byte[]?> ReadBodyAsync(PipeReader reader, long? declaredLength, long limit, bool pinned, CancellationToken cancellationToken)
    {
        if (declaredLength is { } declared && declared <= limit)
        {
            return await ReadDeclaredAsync(reader, (int)declared, pinned, cancellationToken).ConfigureAwait(false);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> data = read.Buffer;
                if (length + data.Length > limit)
                {
                    reader.AdvanceTo(data.End);
                    return null;
                }

                int needed = length + (int)data.Length;
                if (needed > buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)buffer.Length * 2), Math.Max(limit, needed)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length = needed;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    byte[] body = NewBody(length, pinned);
                    buffer.AsSpan(0, length).CopyTo(body);
                    return body;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]?> ReadDeclaredAsync(PipeReader reader, int declared, bool pinned, CancellationToken cancellationToken)
    {
        byte[] body = NewBody(declared, pinned);
        int length = 0;
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> data = read.Buffer;
            if (length + data.Length > declared)
            {
                reader.AdvanceTo(data.End);
                return null;
            }

            data.CopyTo(body.AsSpan(length));
            length += (int)data.Length;
            reader.AdvanceTo(data.End);
            if (read.IsCompleted)
            {
                if (length == declared)
                {
                    return body;
                }

                byte[] shorter = NewBody(length, pinned);
                body.AsSpan(0, length).CopyTo(shorter);
                return shorter;
            }
        }
    }

    /// <summary>
    /// An array for a body, to be filled completely by the caller. A body that the store keeps lives as long as its event
    /// (processed events are kept for days), so it is allocated where the garbage collector never moves it: every young-generation
    /// collection would otherwise copy it, twice, on its way to the old generation. A body that the store copies out (to Redis)
    /// dies with the request, so it goes on the ordinary heap, where dying young costs nothing: pinned, it would stay until a full
    /// collection, and under load the pinned heap's garbage made those frequent.
    /// </summary>
    private static byte[] NewBody(int length, bool pinned) => length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length, pinned);

    /// <summary>The request headers as name/value pairs, enumerated straight into the event's dictionary, without those that carry the provider's secret.</summary>
    private readonly struct HeaderPairs(IHeaderDictionary headers, IReadOnlyCollection<string> secret) : IReadOnlyCollection<KeyValuePair<string, string>>
    {
        public int Count => headers.Count;

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            foreach (KeyValuePair<string, StringValues> header in headers)
            {
                if (secret.Count == 0 || !IsSecret(header.Key))
                {
                    yield return new KeyValuePair<string, string>(header.Key, header.Value.ToString());
                }
            }
        }

        private bool IsSecret(string name)
        {
            foreach (string header in secret)
            {
                if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Webhook to source {Source} rejected: signature {Result}.")]
        public static partial void Rejected(ILogger logger, string source, SignatureVerificationResult result);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Webhook to source {Source} rejected: body larger than {Limit} bytes.")]
        public static partial void TooLarge(ILogger logger, string source, long limit);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Webhook request to {Path} failed in the receiver; answered 500 internal_error so that the sender retries.")]
        public static partial void Fault(ILogger logger, Exception exception, string path);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Webhook body for source {Source} could not be read: {Reason}")]
        public static partial void BodyUnreadable(ILogger logger, string source, string reason);

        [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "{Count} more log lines with event id {LogEventId} were left out in the last 10 seconds (at most 5 of each kind are written per 10 seconds).")]
        public static partial void Suppressed(ILogger logger, int count, int logEventId);

        [LoggerMessage(EventId = 1206, Level = LogLevel.Debug, Message = "Webhook request to {Path} ended: the sender went away.")]
        public static partial void Aborted(ILogger logger, string path);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Webhook {EventId} was not saved ({Reason}); answered 503 so that the sender retries.")]
        public static partial void StoreRefused(ILogger logger, string eventId, string reason);

        [LoggerMessage(EventId = 1209, Level = LogLevel.Information, Message = "Webhook source {Source} answered its provider's endpoint check (a handshake; not stored).")]
        public static partial void Handshake(ILogger logger, string source);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Webhook to source {Source} answered 503: its secrets could not be read ({Reason}).")]
        public static partial void SecretsUnavailable(ILogger logger, string source, string reason);
    }
}
