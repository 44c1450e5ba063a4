using System;

namespace Webhooks.Processing;

/// <summary>The handler did not return within the grace period after it was cancelled; it was left running.</summary>
internal sealed class WebhookHandlerStuckException(string handler)
    : Exception($"Handler {handler} did not return after it was cancelled; it was left running and its result is not recorded.");
