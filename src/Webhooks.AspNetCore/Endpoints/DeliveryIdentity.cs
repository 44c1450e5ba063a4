using System;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Webhooks.AspNetCore.Sources;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>The delivery id and event type of a verified delivery, from headers or a <see cref="Utf8JsonReader"/> scan of the body.</summary>
internal readonly record struct DeliveryIdentity(string? DeliveryId, string EventType, string? Error)
{
    public static DeliveryIdentity Extract(WebhookSourceKind kind, IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        switch (kind)
        {
            case WebhookSourceKind.GitHub:
            {
                string id = headers[GitHubSignatureVerifier.DeliveryHeader].ToString().Trim();
                return id.Length == 0
                    ? new DeliveryIdentity(null, "", WebhookErrors.MissingDeliveryId)
                    : new DeliveryIdentity(id, headers[GitHubSignatureVerifier.EventHeader].ToString().Trim(), null);
            }

            case WebhookSourceKind.Stripe:
            {
                if (!TryScan(body, out string? id, out string? type))
                {
                    return new DeliveryIdentity(null, "", WebhookErrors.InvalidJson);
                }

                return string.IsNullOrEmpty(id)
                    ? new DeliveryIdentity(null, "", WebhookErrors.MissingDeliveryId)
                    : new DeliveryIdentity(id, type ?? "", null);
            }

            default:
            {
                string id = headers[StandardWebhooksSignatureVerifier.IdHeader].ToString().Trim();
                if (!TryScan(body, out _, out string? type))
                {
                    return new DeliveryIdentity(null, "", WebhookErrors.InvalidJson);
                }

                return new DeliveryIdentity(id, type ?? "", null);
            }
        }
    }

    /// <summary>Reads the top-level <c>id</c> and <c>type</c> strings of a JSON object, validating the whole document.</summary>
    internal static bool TryScan(ReadOnlySpan<byte> json, out string? id, out string? type)
    {
        id = null;
        type = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isId = reader.ValueTextEquals("id"u8);
                bool isType = !isId && reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else if (isType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            // The object is closed; nothing but white space may follow.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
