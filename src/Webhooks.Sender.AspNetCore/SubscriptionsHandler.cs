using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.AspNetCore.Endpoints;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.AspNetCore;

/// <summary>
/// The management endpoints of subscriptions. Every answer is JSON; secrets appear only in the answers to create and rotate;
/// invalid input is 400 with an error code, an unknown id 404 <c>not_found</c>, a store that is down 503, a fault 500.
/// </summary>
internal sealed partial class SubscriptionsHandler(
    WebhookSubscriptions subscriptions,
    WebhookPublisher publisher,
    IWebhookDeliveryLog log,
    ILogger<SubscriptionsHandler>? logger = null)
{
    private const int MaxRequestBytes = 64 * 1024;
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task CreateAsync(HttpContext context) => RunAsync(context, CreateCoreAsync);

    public Task ListAsync(HttpContext context) => RunAsync(context, ListCoreAsync);

    public Task GetAsync(HttpContext context) => RunAsync(context, GetCoreAsync);

    public Task UpdateAsync(HttpContext context) => RunAsync(context, UpdateCoreAsync);

    public Task DeleteAsync(HttpContext context) => RunAsync(context, DeleteCoreAsync);

    public Task RotateAsync(HttpContext context) => RunAsync(context, RotateCoreAsync);

    public Task DeliveriesAsync(HttpContext context) => RunAsync(context, c => DeliveriesCoreAsync(c, bySubscription: true));

    public Task MessageDeliveriesAsync(HttpContext context) => RunAsync(context, c => DeliveriesCoreAsync(c, bySubscription: false));

    public Task ResendAsync(HttpContext context) => RunAsync(context, ResendCoreAsync);

    public Task TestAsync(HttpContext context) => RunAsync(context, TestCoreAsync);

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
        catch (WebhookSubscriptionException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (BadRequestException ex)
        {
            await WriteErrorAsync(context, ex.Status, ex.Code, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                // When to try again: the store's own estimate when it gave one, or 5 s.
                TimeSpan retryAfter = (ex as WebhookStoreUnavailableException)?.RetryAfter ?? TimeSpan.FromSeconds(5);
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

    private async Task CreateCoreAsync(HttpContext context)
    {
        using JsonDocument document = await ReadJsonAsync(context).ConfigureAwait(false);
        JsonElement root = document.RootElement;
        var request = new WebhookSubscriptionRequest
        {
            Url = String(root, "url") ?? throw new BadRequestException("invalid_url", "A url is required."),
            EventTypes = Strings(root, "eventTypes") ?? throw new BadRequestException("invalid_event_types", "eventTypes is required: an array of strings."),
            Description = String(root, "description"),
            Metadata = Map(root, "metadata"),
            SignatureStyle = Style(root) ?? WebhookSignatureStyle.StandardWebhooks,
            IsActive = Bool(root, "active") ?? true,
            Secret = String(root, "secret"),
        };
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(request, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = context.Request.Path.Value?.TrimEnd('/') + "/" + Uri.EscapeDataString(created.Subscription.Id);
        await WebhookJson.WriteAsync(context, StatusCodes.Status201Created, created, static (writer, c) =>
        {
            WriteSubscription(writer, c.Subscription);
            writer.WriteString("secret", c.Secret);
        }).ConfigureAwait(false);
    }

    private async Task ListCoreAsync(HttpContext context)
    {
        int limit = Limit(context);
        string? after = context.Request.Query["after"];
        WebhookSubscriptionPage page = await subscriptions.ListAsync(string.IsNullOrEmpty(after) ? null : after, limit, context.RequestAborted).ConfigureAwait(false);
        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, page, static (writer, p) =>
        {
            writer.WriteStartArray("subscriptions");
            foreach (WebhookSubscription subscription in p.Subscriptions)
            {
                writer.WriteStartObject();
                WriteSubscription(writer, subscription);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("next", p.NextCursor);
        }).ConfigureAwait(false);
    }

    private async Task GetCoreAsync(HttpContext context)
    {
        WebhookSubscription subscription = await subscriptions.GetAsync(Id(context), context.RequestAborted).ConfigureAwait(false) ?? throw NotFound();
        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, subscription, WriteSubscription).ConfigureAwait(false);
    }

    private async Task UpdateCoreAsync(HttpContext context)
    {
        using JsonDocument document = await ReadJsonAsync(context).ConfigureAwait(false);
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
        WebhookSubscription subscription = await subscriptions.UpdateAsync(Id(context), change, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound();
        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, subscription, WriteSubscription).ConfigureAwait(false);
    }

    private async Task DeleteCoreAsync(HttpContext context)
    {
        if (!await subscriptions.DeleteAsync(Id(context), context.RequestAborted).ConfigureAwait(false))
        {
            throw NotFound();
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task RotateCoreAsync(HttpContext context)
    {
        TimeSpan? overlap = null;
        if (context.Request.Query["overlapSeconds"] is { Count: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 30 * 24 * 3600)
            {
                throw new BadRequestException("invalid_overlap", "overlapSeconds must be a whole number of seconds from 0 to 2592000 (30 days).");
            }

            overlap = TimeSpan.FromSeconds(seconds);
        }

        WebhookSubscriptionCreated rotated = await subscriptions.RotateSecretAsync(Id(context), overlap, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound();
        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, rotated, static (writer, c) =>
        {
            WriteSubscription(writer, c.Subscription);
            writer.WriteString("secret", c.Secret);
        }).ConfigureAwait(false);
    }

    private async Task DeliveriesCoreAsync(HttpContext context, bool bySubscription)
    {
        string id = Id(context);
        int limit = Limit(context);
        long? before = null;
        if (context.Request.Query["before"] is { Count: > 0 } text)
        {
            before = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long sequence) ? sequence : throw new BadRequestException("invalid_cursor", "before must be a sequence number from a previous page.");
        }

        if (bySubscription && await subscriptions.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw NotFound();
        }

        IReadOnlyList<WebhookDeliveryAttempt> attempts = await log.ListAsync(bySubscription ? id : null, bySubscription ? null : id, before, limit, context.RequestAborted).ConfigureAwait(false);
        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, (attempts, limit), static (writer, state) =>
        {
            writer.WriteStartArray("deliveries");
            foreach (WebhookDeliveryAttempt attempt in state.attempts)
            {
                writer.WriteStartObject();
                writer.WriteNumber("sequence", attempt.Sequence);
                writer.WriteString("messageId", attempt.MessageId);
                writer.WriteString("subscriptionId", attempt.SubscriptionId);
                writer.WriteString("type", attempt.EventType);
                writer.WriteNumber("attempt", attempt.Attempt);
                writer.WriteString("startedAt", attempt.StartedAt);
                writer.WriteNumber("durationMs", Math.Round(attempt.Duration.TotalMilliseconds, 3));
                if (attempt.StatusCode is { } status)
                {
                    writer.WriteNumber("statusCode", status);
                }
                else
                {
                    writer.WriteNull("statusCode");
                }

                writer.WriteString("outcome", attempt.Outcome);
                writer.WriteString("error", attempt.Error);
                writer.WriteString("responseSnippet", attempt.ResponseSnippet);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (state.attempts.Count == state.limit)
            {
                writer.WriteString("next", state.attempts[^1].Sequence.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNull("next");
            }
        }).ConfigureAwait(false);
    }

    private async Task ResendCoreAsync(HttpContext context)
    {
        string messageId = (string?)context.Request.RouteValues["messageId"] ?? "";
        WebhookReplayResult result = await publisher.ResendAsync(Id(context), messageId, context.RequestAborted).ConfigureAwait(false);
        switch (result)
        {
            case WebhookReplayResult.Queued:
                await WebhookJson.WriteStatusAsync(context, StatusCodes.Status202Accepted, messageId, "queued").ConfigureAwait(false);
                break;
            case WebhookReplayResult.AlreadyPending:
                await WriteErrorAsync(context, StatusCodes.Status409Conflict, "already_pending", "The delivery is queued or being sent already.").ConfigureAwait(false);
                break;
            default:
                throw NotFound();
        }
    }

    private async Task TestCoreAsync(HttpContext context)
    {
        WebhookSubscription subscription = await subscriptions.GetAsync(Id(context), context.RequestAborted).ConfigureAwait(false) ?? throw NotFound();
        if (!subscription.IsActive)
        {
            throw new BadRequestException("subscription_inactive", "The subscription is not active; activate it before sending a test event.", StatusCodes.Status409Conflict);
        }

        WebhookPublishResult published = await publisher.PublishToAsync(subscription, "webhook.test", """{"test":true}"""u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        await WebhookJson.WriteStatusAsync(context, StatusCodes.Status202Accepted, published.MessageId, "queued").ConfigureAwait(false);
    }

    private static void WriteSubscription(Utf8JsonWriter writer, WebhookSubscription s)
    {
        writer.WriteString("id", s.Id);
        writer.WriteString("url", s.Url);
        writer.WriteStartArray("eventTypes");
        foreach (string type in s.EventTypes)
        {
            writer.WriteStringValue(type);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("active", s.IsActive);
        writer.WriteString("disabledReason", s.DisabledReason);
        writer.WriteString("description", s.Description);
        writer.WriteStartObject("metadata");
        foreach (KeyValuePair<string, string> entry in s.Metadata)
        {
            writer.WriteString(entry.Key, entry.Value);
        }

        writer.WriteEndObject();
        writer.WriteString("signatureStyle", s.SignatureStyle == WebhookSignatureStyle.GitHub ? "github" : "standard-webhooks");
        writer.WriteNumber("secrets", s.Secrets.Count);
        writer.WriteString("createdAt", s.CreatedAt);
        writer.WriteString("updatedAt", s.UpdatedAt);
        if (s.FailingSince is { } since)
        {
            writer.WriteString("failingSince", since);
        }
        else
        {
            writer.WriteNull("failingSince");
        }

        writer.WriteNumber("version", s.Version);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxRequestBytes)
        {
            throw new BadRequestException("body_too_large", $"The request body is larger than {MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            Memory<byte> free = buffer.GetMemory(4096);
            int read = await context.Request.Body.ReadAsync(free, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxRequestBytes)
            {
                throw new BadRequestException("body_too_large", $"The request body is larger than {MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        try
        {
            JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new BadRequestException("invalid_json", "The body must be a JSON object.");
            }

            return document;
        }
        catch (JsonException)
        {
            throw new BadRequestException("invalid_json", "The body is not valid JSON.");
        }
    }

    private static string? String(JsonElement root, string name) => root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new BadRequestException("invalid_request", $"{name} must be a string.")
        : null;

    private static bool? Bool(JsonElement root, string name) => root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
        ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new BadRequestException("invalid_request", $"{name} must be true or false.")
        : null;

    private static string[]? Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("invalid_event_types", $"{name} must be an array of strings.");
        }

        var items = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new BadRequestException("invalid_event_types", $"{name} must be an array of strings."));
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
            throw new BadRequestException("invalid_metadata", "metadata must be an object of strings.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw new BadRequestException("invalid_metadata", "metadata must be an object of strings.");
        }

        return map;
    }

    private static WebhookSignatureStyle? Style(JsonElement root) => String(root, "signatureStyle") switch
    {
        null => null,
        "standard-webhooks" => WebhookSignatureStyle.StandardWebhooks,
        "github" => WebhookSignatureStyle.GitHub,
        _ => throw new BadRequestException("invalid_signature_style", "signatureStyle must be \"standard-webhooks\" or \"github\"."),
    };

    private static int Limit(HttpContext context)
    {
        if (context.Request.Query["limit"] is not { Count: > 0 } text)
        {
            return DefaultLimit;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit is >= 1 and <= MaxLimit
            ? limit
            : throw new BadRequestException("invalid_limit", $"limit must be from 1 to {MaxLimit}.");
    }

    private static string Id(HttpContext context) => (string?)context.Request.RouteValues["id"] ?? "";

    private static BadRequestException NotFound() => new("not_found", "No such subscription or delivery.", StatusCodes.Status404NotFound);

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string detail)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        return WebhookJson.WriteAsync(context, status, (code, detail), static (writer, e) =>
        {
            writer.WriteString("error", e.code);
            writer.WriteString("detail", e.detail);
        });
    }

    private sealed class BadRequestException(string code, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
    {
        public string Code { get; } = code;

        public int Status { get; } = status;
    }

    private static partial class Log
    {
        [LoggerMessage(1510, LogLevel.Error, "The subscription endpoint {Path} failed.")]
        public static partial void Fault(ILogger logger, Exception exception, string path);
    }
}
