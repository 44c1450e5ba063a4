using System;
using System.Globalization;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The admin endpoints as typed minimal-API handlers on one route group: list events by status, read one (summary or raw
/// body), replay one or every dead one, delete one. Their responses are declared as endpoint metadata, so they appear in the
/// application's OpenAPI document; the JSON is written through a source-generated context (no reflection, AOT-clean). A store
/// that is down answers 503 <c>store_unavailable</c> with <c>Retry-After</c>, a fault 500 <c>internal_error</c> (a group filter).
/// </summary>
internal sealed partial class WebhookAdminEndpoints(
    IWebhookEventStore store,
    WebhookPipeline pipeline,
    IOptionsMonitor<WebhookReceiverOptions> receiverOptions,
    ILogger<WebhookAdminEndpoints>? logger = null)
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private const int DefaultReplayLimit = 100;
    private const int MaxReplayLimit = 10_000;
    private const string Tag = "Webhooks admin";

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Maps the endpoints on a group under <paramref name="prefix"/> and returns the group.</summary>
    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(RunAsync)
            .WithTags(Tag)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(WebhookErrorResponse), [WebhookJson.ContentType]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status500InternalServerError, typeof(WebhookErrorResponse), [WebhookJson.ContentType]));

        group.MapGet("/events", (string? status, string? limit, string? cursor, CancellationToken cancellationToken) => ListAsync(status, limit, cursor, cancellationToken))
            .WithName("ListWebhookEvents")
            .WithSummary("Lists stored events, newest first, without their bodies.")
            .WithDisplayName("Webhooks admin: list events")
            .Produces<WebhookEventPageResponse>(StatusCodes.Status200OK, WebhookJson.ContentType)
            .Produces<WebhookErrorResponse>(StatusCodes.Status400BadRequest, WebhookJson.ContentType);
        group.MapPost("/events/replay", (string? status, string? limit, CancellationToken cancellationToken) => ReplayDeadAsync(status, limit, cancellationToken))
            .WithName("ReplayDeadWebhookEvents")
            .WithSummary("Queues dead events again, newest first; each runs the handlers that have not succeeded.")
            .WithDisplayName("Webhooks admin: replay dead events")
            .Produces<WebhookReplayedResponse>(StatusCodes.Status202Accepted, WebhookJson.ContentType)
            .Produces<WebhookErrorResponse>(StatusCodes.Status400BadRequest, WebhookJson.ContentType);
        group.MapGet("/events/{id}", (string id, CancellationToken cancellationToken) => GetAsync(id, cancellationToken))
            .WithName("GetWebhookEvent")
            .WithSummary("Reads one event's summary.")
            .WithDisplayName("Webhooks admin: get event")
            .Produces<WebhookEventResponse>(StatusCodes.Status200OK, WebhookJson.ContentType)
            .Produces<WebhookErrorResponse>(StatusCodes.Status404NotFound, WebhookJson.ContentType);
        group.MapGet("/events/{id}/body", (string id, HttpResponse response, CancellationToken cancellationToken) => GetBodyAsync(id, response, cancellationToken))
            .WithName("GetWebhookEventBody")
            .WithSummary("Reads one event's body, the bytes as received, with the stored Content-Type.")
            .WithDisplayName("Webhooks admin: get event body")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces<WebhookErrorResponse>(StatusCodes.Status404NotFound, WebhookJson.ContentType);
        group.MapPost("/events/{id}/replay", (string id, string? force, CancellationToken cancellationToken) => ReplayAsync(id, force, cancellationToken))
            .WithName("ReplayWebhookEvent")
            .WithSummary("Queues one event again; a processed one only with force=true.")
            .WithDisplayName("Webhooks admin: replay event")
            .Produces<WebhookStatusResponse>(StatusCodes.Status202Accepted, WebhookJson.ContentType)
            .Produces<WebhookErrorResponse>(StatusCodes.Status404NotFound, WebhookJson.ContentType)
            .Produces<WebhookErrorResponse>(StatusCodes.Status409Conflict, WebhookJson.ContentType);
        group.MapDelete("/events/{id}", (string id, CancellationToken cancellationToken) => DeleteAsync(id, cancellationToken))
            .WithName("DeleteWebhookEvent")
            .WithSummary("Forgets one event.")
            .WithDisplayName("Webhooks admin: delete event")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<WebhookErrorResponse>(StatusCodes.Status404NotFound, WebhookJson.ContentType);
        return group;
    }

    /// <summary>Runs one admin request and turns what a store or a fault throws into a JSON answer: nothing escapes.</summary>
    private async ValueTask<object?> RunAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        HttpContext context = invocation.HttpContext;
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
            return Results.Empty;
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException)
        {
            Log.StoreUnavailable(_logger, context.Request.Path.Value ?? "", ex.Message);
            TimeSpan retryAfter = (ex as WebhookStoreUnavailableException)?.RetryAfter ?? receiverOptions.CurrentValue.RetryAfter;
            WebhookJson.SetRetryAfter(context.Response, retryAfter);
            return Error(StatusCodes.Status503ServiceUnavailable, WebhookErrors.StoreUnavailable);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Fault(_logger, ex, context.Request.Path.Value ?? "");
            return Error(StatusCodes.Status500InternalServerError, WebhookErrors.InternalError);
        }
    }

    private async Task<IResult> ListAsync(string? status, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        WebhookEventStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!WebhookJson.TryParseStatus(status, out WebhookEventStatus parsed))
            {
                return Error(StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery);
            }

            wanted = parsed;
        }

        if (!TryReadLimit(limit, DefaultLimit, MaxLimit, out int count))
        {
            return Error(StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery);
        }

        WebhookEventPage page;
        try
        {
            page = await store.ListAsync(wanted, count, string.IsNullOrEmpty(cursor) ? null : cursor, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // A cursor this store did not write.
            return Error(StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery);
        }

        var events = new WebhookEventResponse[page.Items.Count];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = WebhookEventResponse.From(page.Items[i]);
        }

        return TypedResults.Json(new WebhookEventPageResponse(events, page.Cursor), WebhookAdminJson.Default.WebhookEventPageResponse, WebhookJson.ContentType);
    }

    private async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        WebhookEventSummary? summary = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return summary is null
            ? Error(StatusCodes.Status404NotFound, WebhookErrors.NotFound)
            : TypedResults.Json(WebhookEventResponse.From(summary), WebhookAdminJson.Default.WebhookEventResponse, WebhookJson.ContentType);
    }

    private async Task<IResult> GetBodyAsync(string id, HttpResponse response, CancellationToken cancellationToken)
    {
        WebhookEvent? stored = await store.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return Error(StatusCodes.Status404NotFound, WebhookErrors.NotFound);
        }

        // The bytes are what a sender chose: a browser must neither guess their type nor run them as a page of this site.
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        response.Headers.CacheControl = "no-store";
        string contentType = stored.Headers.TryGetValue("Content-Type", out string? stated) && !string.IsNullOrEmpty(stated) ? stated : "application/octet-stream";
        return TypedResults.Bytes(stored.Body, contentType);
    }

    private async Task<IResult> ReplayAsync(string id, string? force, CancellationToken cancellationToken)
    {
        bool forced = string.Equals(force, "true", StringComparison.OrdinalIgnoreCase);
        return await pipeline.ReplayAsync(id, forced, cancellationToken).ConfigureAwait(false) switch
        {
            WebhookReplayResult.Queued => TypedResults.Json(new WebhookStatusResponse(id, "queued"), WebhookAdminJson.Default.WebhookStatusResponse, WebhookJson.ContentType, StatusCodes.Status202Accepted),
            WebhookReplayResult.NotFound => Error(StatusCodes.Status404NotFound, WebhookErrors.NotFound),
            WebhookReplayResult.AlreadyProcessed => Error(StatusCodes.Status409Conflict, WebhookErrors.AlreadyProcessed),
            _ => Error(StatusCodes.Status409Conflict, WebhookErrors.AlreadyPending),
        };
    }

    private async Task<IResult> ReplayDeadAsync(string? status, string? limit, CancellationToken cancellationToken)
    {
        // Only dead events are replayed in bulk: queued and failed ones are on their way already, processed ones need a
        // deliberate forced replay one by one.
        if (!string.Equals(status, "dead", StringComparison.OrdinalIgnoreCase) || !TryReadLimit(limit, DefaultReplayLimit, MaxReplayLimit, out int count))
        {
            return Error(StatusCodes.Status400BadRequest, WebhookErrors.InvalidQuery);
        }

        int replayed = await pipeline.ReplayDeadAsync(count, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new WebhookReplayedResponse(replayed), WebhookAdminJson.Default.WebhookReplayedResponse, WebhookJson.ContentType, StatusCodes.Status202Accepted);
    }

    private async Task<IResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return Error(StatusCodes.Status404NotFound, WebhookErrors.NotFound);
        }

        Log.Deleted(_logger, id);
        return TypedResults.NoContent();
    }

    private static JsonHttpResult<WebhookErrorResponse> Error(int status, string error) =>
        TypedResults.Json(new WebhookErrorResponse(error), WebhookAdminJson.Default.WebhookErrorResponse, WebhookJson.ContentType, status);

    /// <summary>Reads <c>limit</c>: absent gives the default; otherwise digits only, from 1 to <paramref name="maxLimit"/>.</summary>
    private static bool TryReadLimit(string? text, int defaultLimit, int maxLimit, out int limit)
    {
        limit = defaultLimit;
        return text is null
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= maxLimit);
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

    /// <summary>An error answer: <c>{"error":"not_found"}</c>, its code one of <see cref="WebhookErrors"/>.</summary>
    /// <param name="Error">The stable error code.</param>
    internal sealed record WebhookErrorResponse(string Error);

    /// <summary>The answer to a replay: <c>{"id":…,"status":"queued"}</c>.</summary>
    /// <param name="Id">The event's id.</param>
    /// <param name="Status">Always <c>queued</c>.</param>
    internal sealed record WebhookStatusResponse(string Id, string Status);

    /// <summary>The answer to a bulk replay: how many dead events were queued again.</summary>
    /// <param name="Replayed">The number of events queued again.</param>
    internal sealed record WebhookReplayedResponse(int Replayed);

    /// <summary>A page of events and the cursor of the next page (<see langword="null"/> on the last).</summary>
    /// <param name="Events">The events, newest first.</param>
    /// <param name="Next">The cursor of the following page, or <see langword="null"/>.</param>
    internal sealed record WebhookEventPageResponse(WebhookEventResponse[] Events, string? Next);

    /// <summary>One event as the admin endpoints show it (never its body or headers).</summary>
    internal sealed class WebhookEventResponse
    {
        public required string Id { get; init; }

        public required string Source { get; init; }

        public required string Type { get; init; }

        /// <summary>Gets the status: <c>queued</c>, <c>processing</c>, <c>processed</c>, <c>failed</c> or <c>dead</c>.</summary>
        public required string Status { get; init; }

        public int Attempts { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        /// <summary>Gets the last failure (exception type and message), <see langword="null"/> when none; always present.</summary>
        public string? LastError { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public DateTimeOffset? NextAttemptAt { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public DateTimeOffset? CompletedAt { get; init; }

        public int ReplayCount { get; init; }

        public bool Unhandled { get; init; }

        public static WebhookEventResponse From(WebhookEventSummary e) => new()
        {
            Id = e.Id,
            Source = e.Source,
            Type = e.EventType,
            Status = WebhookJson.StatusName(e.Status),
            Attempts = e.Attempts,
            ReceivedAt = e.ReceivedAt,
            LastError = e.LastError,
            NextAttemptAt = e.NextAttemptAt,
            CompletedAt = e.CompletedAt,
            ReplayCount = e.ReplayCount,
            Unhandled = e.Unhandled,
        };
    }

    /// <summary>The admin endpoints' JSON, generated at build time.</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(WebhookErrorResponse))]
    [JsonSerializable(typeof(WebhookStatusResponse))]
    [JsonSerializable(typeof(WebhookReplayedResponse))]
    [JsonSerializable(typeof(WebhookEventPageResponse))]
    [JsonSerializable(typeof(WebhookEventResponse))]
    internal sealed partial class WebhookAdminJson : JsonSerializerContext;
}
