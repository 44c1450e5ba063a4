using System.Text.Json.Serialization;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Redis;

/// <summary>How a subscription is written in Redis: JSON from generated code (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WebhookSubscription))]
internal sealed partial class SubscriptionJsonContext : JsonSerializerContext;
