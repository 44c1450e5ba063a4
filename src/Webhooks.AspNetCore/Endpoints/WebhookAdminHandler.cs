using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The admin endpoints: list events by status, read one (summary or raw body), replay one or every dead one, delete one.
/// Every answer is JSON (except the raw body); a store that is down gives 503 <c>store_unavailable</c>, a fault 500.
/// </summary>
internal sealed partial class WebhookAdminHandler(
    IEventStore store,
    WebhookPipeline pipeline,
    IOptionsMonitor<WebhookReceiverOptions> receiverOptions,
    ILogger<WebhookAdminHandler>? logger = null)
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private const int DefaultReplayLimit = 100;
    private const int MaxReplayLimit = 10_000;

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task ListAsync(HttpContext context) => RunAsync(context, ListCoreAsync);

    public Task GetAsync(HttpContext context) => RunAsync(context, GetCoreAsync);

    public Task GetBodyAsync(HttpContext context) => RunAsync(context, GetBodyCoreAsync);

    public Task ReplayAsync(HttpContext context) => RunAsync(context, ReplayCoreAsync);

    public Task ReplayDeadAsync(HttpContext context) => RunAsync(context, ReplayDeadCoreAsync);

    public Task DeleteAsync(HttpContext context) => RunAsync(context, DeleteCoreAsync);

    /// <summary>Runs one admin request and turns what a store or a fault throws into a JSON answer: nothing escapes.</summary>
    private async Task RunAsync(HttpContext context, Func<HttpContext, Task> handle)
    {
        try
        {
            await handle(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException)
        {
            Log.StoreUnavailable(_logger, context.Request.Path.Value ?? "", ex.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                TimeSpan retryAfter = (ex as WebhookStoreUnavailableException)?.RetryAfter ?? receiverOptions.CurrentValue.RetryAfter;
                await WebhookJson.WriteUnavailableAsync(context, retryAfter, WebhookErrors.StoreUnavailable).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Fault(_logger, ex, context.Request.Path.Value ?? "");
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WebhookJson.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, WebhookErrors.InternalError).ConfigureAwait(false);
            }
        }
    }

    private async Task ListCoreAsync(HttpContext context)
    {
        IQueryCollection query = context.Request.Query;
        WebhookEventStatus? status = null;
        if (query.TryGetValue("status", out var statusText) && !string.IsNullOrEmpty(statusText))
        {
            if (!WebhookJson.TryParseStatus(statusText, out WebhookEventStatus parsed))
            {
                await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery).ConfigureAwait(false);
                return;
            }

            status = parsed;
        }

        if (!TryReadLimit(query, DefaultLimit, MaxLimit, out int limit))
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery).ConfigureAwait(false);
            return;
        }

        string? cursor = query.TryGetValue("cursor", out var cursorText) && !string.IsNullOrEmpty(cursorText) ? cursorText.ToString() : null;
        WebhookEventPage page;
        try
        {
            page = await store.ListAsync(status, limit, cursor, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery).ConfigureAwait(false);
            return;
        }

        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, page, static (writer, page) =>
        {
            writer.WriteStartArray("events");
            foreach (WebhookEventSummary e in page.Items)
            {
                writer.WriteStartObject();
                WebhookJson.WriteEvent(writer, e);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (page.Cursor is null)
            {
                writer.WriteNull("next");
            }
            else
            {
                writer.WriteString("next", page.Cursor);
            }
        }).ConfigureAwait(false);
    }

    private async Task GetCoreAsync(HttpContext context)
    {
        WebhookEventSummary? e = await store.GetAsync(RouteId(context), context.RequestAborted).ConfigureAwait(false);
        if (e is null)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.NotFound).ConfigureAwait(false);
            return;
        }

        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, e, WebhookJson.WriteEvent).ConfigureAwait(false);
    }

    private async Task GetBodyCoreAsync(HttpContext context)
    {
        WebhookEvent? e = await store.ReadAsync(RouteId(context), context.RequestAborted).ConfigureAwait(false);
        if (e is null)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.NotFound).ConfigureAwait(false);
            return;
        }

        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = e.Headers.TryGetValue("Content-Type", out string? contentType) && !string.IsNullOrEmpty(contentType)
            ? contentType
            : "application/octet-stream";
        response.ContentLength = e.Body.Length;

        // The bytes are what a sender chose: a browser must neither guess their type nor run them as a page of this site.
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(e.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task ReplayCoreAsync(HttpContext context)
    {
        string id = RouteId(context);
        bool force = string.Equals(context.Request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        WebhookReplayResult result = await pipeline.ReplayAsync(id, force, context.RequestAborted).ConfigureAwait(false);
        Task write = result switch
        {
            WebhookReplayResult.Queued => WebhookJson.WriteStatusAsync(context, StatusCodes.Status202Accepted, id, "queued"),
            WebhookReplayResult.NotFound => WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.NotFound),
            WebhookReplayResult.AlreadyProcessed => WebhookJson.WriteErrorAsync(context, StatusCodes.Status409Conflict, WebhookErrors.AlreadyProcessed),
            _ => WebhookJson.WriteErrorAsync(context, StatusCodes.Status409Conflict, WebhookErrors.AlreadyPending),
        };
        await write.ConfigureAwait(false);
    }

    private async Task ReplayDeadCoreAsync(HttpContext context)
    {
        IQueryCollection query = context.Request.Query;

        // Only dead events are replayed in bulk: queued and failed ones are on their way already, processed ones need a
        // deliberate forced replay one by one.
        if (!string.Equals(query["status"], "dead", StringComparison.OrdinalIgnoreCase)
            || !TryReadLimit(query, DefaultReplayLimit, MaxReplayLimit, out int limit))
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery).ConfigureAwait(false);
            return;
        }

        int replayed = await pipeline.ReplayDeadAsync(limit, context.RequestAborted).ConfigureAwait(false);
        await WebhookJson.WriteAsync(context, StatusCodes.Status202Accepted, replayed, static (writer, n) => writer.WriteNumber("replayed", n)).ConfigureAwait(false);
    }

    private async Task DeleteCoreAsync(HttpContext context)
    {
        string id = RouteId(context);
        if (!await store.DeleteAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.NotFound).ConfigureAwait(false);
            return;
        }

        Log.Deleted(_logger, id);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string RouteId(HttpContext context) => context.Request.RouteValues["id"] as string ?? "";

    private static bool TryReadLimit(IQueryCollection query, int defaultLimit, int maxLimit, out int limit)
    {
        limit = defaultLimit;
        return !query.TryGetValue("limit", out var limitText)
            || (int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= maxLimit);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Webhook admin request to {Path} answered 503: the store is unavailable ({Reason}).")]
        public static partial void StoreUnavailable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Webhook admin request to {Path} failed; answered 500 internal_error.")]
        public static partial void Fault(ILogger logger, Exception exception, string path);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Webhook {EventId} deleted through the admin endpoint.")]
        public static partial void Deleted(ILogger logger, string eventId);
    }
}
