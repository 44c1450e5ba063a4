using System.Text.Json.Serialization;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Redis;

/// <summary>How subscriptions and delivery attempts are written in Redis: JSON from generated code (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WebhookSubscription))]
[JsonSerializable(typeof(WebhookDeliveryAttempt))]
internal sealed partial class SenderRedisJsonContext : JsonSerializerContext;
