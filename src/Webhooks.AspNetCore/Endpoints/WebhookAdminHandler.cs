using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>The admin endpoints: list events by status, read one, replay one.</summary>
internal static class WebhookAdminHandler
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    public static async Task ListAsync(HttpContext context, IEventStore store)
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

        int limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
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

    public static async Task GetAsync(HttpContext context, IEventStore store)
    {
        string id = context.Request.RouteValues["id"] as string ?? "";
        WebhookEventSummary? e = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (e is null)
        {
            await WebhookJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, WebhookErrors.NotFound).ConfigureAwait(false);
            return;
        }

        await WebhookJson.WriteAsync(context, StatusCodes.Status200OK, e, WebhookJson.WriteEvent).ConfigureAwait(false);
    }

    public static async Task ReplayAsync(HttpContext context, WebhookPipeline pipeline)
    {
        string id = context.Request.RouteValues["id"] as string ?? "";
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
}
