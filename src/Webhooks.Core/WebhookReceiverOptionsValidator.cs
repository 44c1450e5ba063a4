using Microsoft.Extensions.Options;

namespace Webhooks;

/// <summary>Validates the ranges declared on the options, without reflection.</summary>
[OptionsValidator]
internal sealed partial class WebhookReceiverOptionsValidator : IValidateOptions<WebhookReceiverOptions>
{
}
