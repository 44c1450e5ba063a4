using System;

namespace Webhooks.Processing;

/// <summary>The attempt could not run a handler because an earlier attempt still holds that handler's idempotency key.</summary>
internal sealed class WebhookHandlerBusyException(string handler)
    : Exception($"Handler {handler} is still running for this event under an earlier attempt, or its success could not be recorded; the event is retried.");
