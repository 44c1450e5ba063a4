using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.AspNetCore.Endpoints;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.AspNetCore;

/// <summary>
/// The management endpoints of subscriptions as typed minimal-API handlers on one route group, described for the application's
/// OpenAPI document (tag <c>Webhook subscriptions</c>) and written through a source-generated JSON context. Every answer is
/// JSON; secrets appear only in the answers to create and rotate; invalid input is 400 with an error code, an unknown id 404
/// <c>not_found</c>, a store that is down 503, a fault 500 (a group filter).
/// </summary>
internal sealed partial class WebhookSubscriptionEndpoints(
    WebhookSubscriptions subscriptions,
    IWebhookPublisher publisher,
    WebhookTestEvents testEvents,
    IWebhookDeliveryLog log,
    ILogger<WebhookSubscriptionEndpoints>? logger = null)
{
    private const int MaxRequestBytes = 64 * 1024;
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private const string ContentType = "application/json; charset=utf-8";
    private const string Tag = "Webhook subscriptions";

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Maps the endpoints on a group under <paramref name="prefix"/> and returns the group.</summary>
    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(RunAsync)
            .WithTags(Tag)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(SubscriptionErrorResponse), [ContentType]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status500InternalServerError, typeof(SubscriptionErrorResponse), [ContentType]));

        group.MapPost("/", (HttpRequest request, CancellationToken cancellationToken) => CreateAsync(request, cancellationToken))
            .WithName("CreateWebhookSubscription")
            .WithSummary("Creates a subscription; its secret is in this answer and the rotation's only.")
            .WithDisplayName("Webhook subscriptions: create")
            .Accepts<SubscriptionRequestBody>("application/json")
            .Produces<SubscriptionResponse>(StatusCodes.Status201Created, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status413PayloadTooLarge, ContentType);
        group.MapGet("/", (HttpRequest request, CancellationToken cancellationToken) => ListAsync(request, cancellationToken))
            .WithName("ListWebhookSubscriptions")
            .WithSummary("Lists subscriptions in the order they were created, a page at a time (after, limit).")
            .WithDisplayName("Webhook subscriptions: list")
            .Produces<SubscriptionPageResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType);
        group.MapGet("/messages/{messageId}/deliveries", (string messageId, HttpRequest request, CancellationToken cancellationToken) => DeliveriesAsync(messageId, bySubscription: false, request, cancellationToken))
            .WithName("ListWebhookMessageDeliveries")
            .WithSummary("Lists the attempts to deliver one message, newest first (before, limit).")
            .WithDisplayName("Webhook subscriptions: deliveries of a message")
            .Produces<DeliveryPageResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType);
        group.MapGet("/{id}", (string id, CancellationToken cancellationToken) => GetAsync(id, cancellationToken))
            .WithName("GetWebhookSubscription")
            .WithSummary("Reads one subscription (never its secrets).")
            .WithDisplayName("Webhook subscriptions: get")
            .Produces<SubscriptionResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType);
        group.MapPatch("/{id}", (string id, HttpRequest request, CancellationToken cancellationToken) => UpdateAsync(id, request, cancellationToken))
            .WithName("UpdateWebhookSubscription")
            .WithSummary("Changes the fields given; a new URL is checked again.")
            .WithDisplayName("Webhook subscriptions: update")
            .Accepts<SubscriptionRequestBody>("application/json")
            .Produces<SubscriptionResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status413PayloadTooLarge, ContentType);
        group.MapDelete("/{id}", (string id, CancellationToken cancellationToken) => DeleteAsync(id, cancellationToken))
            .WithName("DeleteWebhookSubscription")
            .WithSummary("Deletes a subscription.")
            .WithDisplayName("Webhook subscriptions: delete")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType);
        group.MapPost("/{id}/rotate-secret", (string id, HttpRequest request, CancellationToken cancellationToken) => RotateAsync(id, request, cancellationToken))
            .WithName("RotateWebhookSubscriptionSecret")
            .WithSummary("Makes a new secret; the old ones keep signing for overlapSeconds (86400 by default).")
            .WithDisplayName("Webhook subscriptions: rotate secret")
            .Produces<SubscriptionResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType);
        group.MapGet("/{id}/deliveries", (string id, HttpRequest request, CancellationToken cancellationToken) => DeliveriesAsync(id, bySubscription: true, request, cancellationToken))
            .WithName("ListWebhookSubscriptionDeliveries")
            .WithSummary("Lists the attempts to deliver to one subscription, newest first (before, limit).")
            .WithDisplayName("Webhook subscriptions: deliveries")
            .Produces<DeliveryPageResponse>(StatusCodes.Status200OK, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status400BadRequest, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType);
        group.MapPost("/{id}/deliveries/{messageId}/resend", (string id, string messageId, CancellationToken cancellationToken) => ResendAsync(id, messageId, cancellationToken))
            .WithName("ResendWebhookDelivery")
            .WithSummary("Sends one message to the subscription again, delivered or dead (same id and bytes, new signatures).")
            .WithDisplayName("Webhook subscriptions: resend a delivery")
            .Produces<SubscriptionStatusResponse>(StatusCodes.Status202Accepted, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status409Conflict, ContentType);
        group.MapPost("/{id}/test", (string id, CancellationToken cancellationToken) => TestAsync(id, cancellationToken))
            .WithName("SendWebhookTestEvent")
            .WithSummary("Sends a webhook.test event {\"test\":true} to this subscription only.")
            .WithDisplayName("Webhook subscriptions: send a test event")
            .Produces<SubscriptionStatusResponse>(StatusCodes.Status202Accepted, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status404NotFound, ContentType)
            .Produces<SubscriptionErrorResponse>(StatusCodes.Status409Conflict, ContentType);
        return group;
    }

    /// <summary>Turns refused input, a store that is down and faults into JSON answers: nothing escapes.</summary>
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
        catch (WebhookSubscriptionException ex)
        {
            return Error(StatusCodes.Status400BadRequest, ex.ErrorCode, ex.Message);
        }
        catch (RefusedException ex)
        {
            return Error(ex.Status, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException)
        {
            // When to try again: the store's own estimate when it gave one, or 5 s.
            TimeSpan retryAfter = (ex as WebhookStoreUnavailableException)?.RetryAfter ?? TimeSpan.FromSeconds(5);
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status503ServiceUnavailable, WebhookErrors.StoreUnavailable, detail: null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Fault(_logger, ex, context.Request.Path.Value ?? "");
            return Error(StatusCodes.Status500InternalServerError, WebhookErrors.InternalError, detail: null);
        }
    }

    private async Task<IResult> CreateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using JsonDocument document = await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false);
        JsonElement root = document.RootElement;
        var subscription = new WebhookSubscriptionRequest
        {
            Url = String(root, "url") ?? throw new RefusedException("invalid_url", "A url is required."),
            EventTypes = Strings(root, "eventTypes") ?? throw new RefusedException("invalid_event_types", "eventTypes is required: an array of strings."),
            Description = String(root, "description"),
            Metadata = Map(root, "metadata"),
            SignatureStyle = Style(root) ?? WebhookSignatureStyle.StandardWebhooks,
            IsActive = Bool(root, "active") ?? true,
            Secret = String(root, "secret"),
        };
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(subscription, cancellationToken).ConfigureAwait(false);
        string location = request.Path.Value?.TrimEnd('/') + "/" + Uri.EscapeDataString(created.Subscription.Id);
        request.HttpContext.Response.Headers.Location = location;
        return Json(SubscriptionResponse.From(created.Subscription, created.Secret), SubscriptionJson.Default.SubscriptionResponse, StatusCodes.Status201Created);
    }

    private async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        int limit = Limit(request);
        string? after = request.Query["after"];
        WebhookSubscriptionPage page = await subscriptions.ListAsync(string.IsNullOrEmpty(after) ? null : after, limit, cancellationToken).ConfigureAwait(false);
        var items = new SubscriptionResponse[page.Subscriptions.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = SubscriptionResponse.From(page.Subscriptions[i], secret: null);
        }

        return Json(new SubscriptionPageResponse(items, page.NextCursor), SubscriptionJson.Default.SubscriptionPageResponse);
    }

    private async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        WebhookSubscription subscription = await subscriptions.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound();
        return Json(SubscriptionResponse.From(subscription, secret: null), SubscriptionJson.Default.SubscriptionResponse);
    }

    private async Task<IResult> UpdateAsync(string id, HttpRequest request, CancellationToken cancellationToken)
    {
        using JsonDocument document = await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false);
        JsonElement root = document.RootElement;
        var change = new WebhookSubscriptionChange
        {
            Url = String(root, "url"),
            EventTypes = Strings(root, "eventTypes"),
            Description = String(root, "description"),
            Metadata = Map(root, "metadata"),
            SignatureStyle = Style(root),
            IsActive = Bool(root, "active"),
        };
        WebhookSubscription subscription = await subscriptions.UpdateAsync(id, change, cancellationToken).ConfigureAwait(false) ?? throw NotFound();
        return Json(SubscriptionResponse.From(subscription, secret: null), SubscriptionJson.Default.SubscriptionResponse);
    }

    private async Task<IResult> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await subscriptions.DeleteAsync(id, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : throw NotFound();

    private async Task<IResult> RotateAsync(string id, HttpRequest request, CancellationToken cancellationToken)
    {
        TimeSpan? overlap = null;
        if (request.Query["overlapSeconds"] is { Count: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 30 * 24 * 3600)
            {
                throw new RefusedException("invalid_overlap", "overlapSeconds must be a whole number of seconds from 0 to 2592000 (30 days).");
            }

            overlap = TimeSpan.FromSeconds(seconds);
        }

        WebhookSubscriptionCreated rotated = await subscriptions.RotateSecretAsync(id, overlap, cancellationToken).ConfigureAwait(false) ?? throw NotFound();
        return Json(SubscriptionResponse.From(rotated.Subscription, rotated.Secret), SubscriptionJson.Default.SubscriptionResponse);
    }

    private async Task<IResult> DeliveriesAsync(string id, bool bySubscription, HttpRequest request, CancellationToken cancellationToken)
    {
        int limit = Limit(request);
        long? before = null;
        if (request.Query["before"] is { Count: > 0 } text)
        {
            before = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)
                ? sequence
                : throw new RefusedException("invalid_cursor", "before must be a sequence number from a previous page.");
        }

        if (bySubscription && await subscriptions.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            throw NotFound();
        }

        IReadOnlyList<WebhookDeliveryAttempt> attempts = await log.ListAsync(bySubscription ? id : null, bySubscription ? null : id, before, limit, cancellationToken).ConfigureAwait(false);
        var items = new DeliveryResponse[attempts.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = DeliveryResponse.From(attempts[i]);
        }

        // A full page may have a next one: its cursor is the last attempt's sequence number.
        string? next = attempts.Count == limit ? attempts[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return Json(new DeliveryPageResponse(items, next), SubscriptionJson.Default.DeliveryPageResponse);
    }

    private async Task<IResult> ResendAsync(string id, string messageId, CancellationToken cancellationToken) =>
        await publisher.ResendAsync(id, messageId, cancellationToken).ConfigureAwait(false) switch
        {
            WebhookReplayResult.Queued => Json(new SubscriptionStatusResponse(messageId, "queued"), SubscriptionJson.Default.SubscriptionStatusResponse, StatusCodes.Status202Accepted),
            WebhookReplayResult.AlreadyPending => Error(StatusCodes.Status409Conflict, "already_pending", "The delivery is queued or being sent already."),
            _ => throw NotFound(),
        };

    private async Task<IResult> TestAsync(string id, CancellationToken cancellationToken)
    {
        WebhookSubscription subscription = await subscriptions.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound();
        if (!subscription.IsActive)
        {
            throw new RefusedException("subscription_inactive", "The subscription is not active; activate it before sending a test event.", StatusCodes.Status409Conflict);
        }

        WebhookPublishResult published = await testEvents.SendAsync(subscription, cancellationToken).ConfigureAwait(false);
        return Json(new SubscriptionStatusResponse(published.MessageId, "queued"), SubscriptionJson.Default.SubscriptionStatusResponse, StatusCodes.Status202Accepted);
    }

    private static JsonHttpResult<T> Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, typeInfo, ContentType, status);

    private static JsonHttpResult<SubscriptionErrorResponse> Error(int status, string code, string? detail) =>
        Json(new SubscriptionErrorResponse(code, detail), SubscriptionJson.Default.SubscriptionErrorResponse, status);

    private static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxRequestBytes)
        {
            throw new RefusedException("body_too_large", $"The request body is larger than {MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            Memory<byte> free = buffer.GetMemory(4096);
            int read = await request.Body.ReadAsync(free, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxRequestBytes)
            {
                throw new RefusedException("body_too_large", $"The request body is larger than {MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        try
        {
            JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new RefusedException("invalid_json", "The body must be a JSON object.");
            }

            return document;
        }
        catch (JsonException)
        {
            throw new RefusedException("invalid_json", "The body is not valid JSON.");
        }
    }

    private static string? String(JsonElement root, string name) => root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new RefusedException("invalid_request", $"{name} must be a string.")
        : null;

    private static bool? Bool(JsonElement root, string name) => root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
        ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new RefusedException("invalid_request", $"{name} must be true or false.")
        : null;

    private static string[]? Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new RefusedException("invalid_event_types", $"{name} must be an array of strings.");
        }

        var items = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new RefusedException("invalid_event_types", $"{name} must be an array of strings."));
        }

        return [.. items];
    }

    private static Dictionary<string, string>? Map(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new RefusedException("invalid_metadata", "metadata must be an object of strings.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw new RefusedException("invalid_metadata", "metadata must be an object of strings.");
        }

        return map;
    }

    private static WebhookSignatureStyle? Style(JsonElement root) => String(root, "signatureStyle") switch
    {
        null => null,
        "standard-webhooks" => WebhookSignatureStyle.StandardWebhooks,
        "github" => WebhookSignatureStyle.GitHub,
        _ => throw new RefusedException("invalid_signature_style", "signatureStyle must be \"standard-webhooks\" or \"github\"."),
    };

    private static int Limit(HttpRequest request)
    {
        if (request.Query["limit"] is not { Count: > 0 } text)
        {
            return DefaultLimit;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit is >= 1 and <= MaxLimit
            ? limit
            : throw new RefusedException("invalid_limit", $"limit must be from 1 to {MaxLimit}.");
    }

    private static RefusedException NotFound() => new("not_found", "No such subscription or delivery.", StatusCodes.Status404NotFound);

    /// <summary>Input refused with a status and an error code; turned into the answer by the group's filter.</summary>
    private sealed class RefusedException(string code, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
    {
        public string Code { get; } = code;

        public int Status { get; } = status;
    }

    private static partial class Log
    {
        [LoggerMessage(1510, LogLevel.Error, "The subscription endpoint {Path} failed.")]
        public static partial void Fault(ILogger logger, Exception exception, string path);
    }

    /// <summary>An error answer: <c>{"error":code,"detail":sentence}</c> (503 and 500 carry the code only).</summary>
    /// <param name="Error">The stable error code.</param>
    /// <param name="Detail">What was refused, in a sentence.</param>
    internal sealed record SubscriptionErrorResponse(
        string Error,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail);

    /// <summary>The answer to a resend or a test event: <c>{"id":messageId,"status":"queued"}</c>.</summary>
    /// <param name="Id">The message id.</param>
    /// <param name="Status">Always <c>queued</c>.</param>
    internal sealed record SubscriptionStatusResponse(string Id, string Status);

    /// <summary>A page of subscriptions and the cursor of the next (<see langword="null"/> on the last).</summary>
    /// <param name="Subscriptions">The subscriptions, in the order they were created.</param>
    /// <param name="Next">The cursor of the following page, or <see langword="null"/>.</param>
    internal sealed record SubscriptionPageResponse(SubscriptionResponse[] Subscriptions, string? Next);

    /// <summary>A page of delivery attempts, newest first, and the cursor of the next.</summary>
    /// <param name="Deliveries">The attempts.</param>
    /// <param name="Next">The <c>before</c> of the following page, or <see langword="null"/>.</param>
    internal sealed record DeliveryPageResponse(DeliveryResponse[] Deliveries, string? Next);

    /// <summary>The body of create and update: every field optional on update.</summary>
    internal sealed class SubscriptionRequestBody
    {
        public string? Url { get; init; }

        public string[]? EventTypes { get; init; }

        public string? Description { get; init; }

        public Dictionary<string, string>? Metadata { get; init; }

        /// <summary>Gets <c>standard-webhooks</c> (the default) or <c>github</c>.</summary>
        public string? SignatureStyle { get; init; }

        public bool? Active { get; init; }

        /// <summary>Gets a secret to keep instead of a generated one (create only).</summary>
        public string? Secret { get; init; }
    }

    /// <summary>A subscription as the endpoints show it: how many secrets it uses, never their values (except <see cref="Secret"/>).</summary>
    internal sealed class SubscriptionResponse
    {
        public required string Id { get; init; }

        public required string Url { get; init; }

        public required IReadOnlyList<string> EventTypes { get; init; }

        public bool Active { get; init; }

        public string? DisabledReason { get; init; }

        public string? Description { get; init; }

        public required IReadOnlyDictionary<string, string> Metadata { get; init; }

        public required string SignatureStyle { get; init; }

        public int Secrets { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset UpdatedAt { get; init; }

        public DateTimeOffset? FailingSince { get; init; }

        public long Version { get; init; }

        /// <summary>Gets the new secret: only in the answers to create and rotate.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Secret { get; init; }

        public static SubscriptionResponse From(WebhookSubscription s, string? secret) => new()
        {
            Id = s.Id,
            Url = s.Url,
            EventTypes = s.EventTypes,
            Active = s.IsActive,
            DisabledReason = s.DisabledReason,
            Description = s.Description,
            Metadata = s.Metadata,
            SignatureStyle = s.SignatureStyle == WebhookSignatureStyle.GitHub ? "github" : "standard-webhooks",
            Secrets = s.Secrets.Count,
            CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt,
            FailingSince = s.FailingSince,
            Version = s.Version,
            Secret = secret,
        };
    }

    /// <summary>One attempt from the delivery log.</summary>
    internal sealed class DeliveryResponse
    {
        public long Sequence { get; init; }

        public required string MessageId { get; init; }

        public required string SubscriptionId { get; init; }

        public required string Type { get; init; }

        public int Attempt { get; init; }

        public DateTimeOffset StartedAt { get; init; }

        public double DurationMs { get; init; }

        public int? StatusCode { get; init; }

        /// <summary>Gets <c>delivered</c>, <c>failed</c>, <c>rejected</c> or <c>interrupted</c>.</summary>
        public required string Outcome { get; init; }

        public string? Error { get; init; }

        public string? ResponseSnippet { get; init; }

        public static DeliveryResponse From(WebhookDeliveryAttempt attempt) => new()
        {
            Sequence = attempt.Sequence,
            MessageId = attempt.MessageId,
            SubscriptionId = attempt.SubscriptionId,
            Type = attempt.EventType,
            Attempt = attempt.Attempt,
            StartedAt = attempt.StartedAt,
            DurationMs = Math.Round(attempt.Duration.TotalMilliseconds, 3),
            StatusCode = attempt.StatusCode,
            Outcome = attempt.Outcome,
            Error = attempt.Error,
            ResponseSnippet = attempt.ResponseSnippet,
        };
    }

    /// <summary>The subscription endpoints' JSON, generated at build time.</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(SubscriptionErrorResponse))]
    [JsonSerializable(typeof(SubscriptionStatusResponse))]
    [JsonSerializable(typeof(SubscriptionPageResponse))]
    [JsonSerializable(typeof(DeliveryPageResponse))]
    [JsonSerializable(typeof(SubscriptionResponse))]
    [JsonSerializable(typeof(SubscriptionRequestBody))]
    internal sealed partial class SubscriptionJson : JsonSerializerContext;
}
