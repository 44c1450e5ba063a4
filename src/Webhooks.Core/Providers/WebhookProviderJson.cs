using System.Text.Json.Serialization;

namespace Webhooks.Providers;

/// <summary>Source-generated JSON for the handshake answers that echo a sender's text (no reflection; AOT safe).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class WebhookProviderJson : JsonSerializerContext;
