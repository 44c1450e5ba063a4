namespace Webhooks.Sender.Security;

/// <summary>The outcome of checking a subscriber's URL: allowed, or refused with a stable error code.</summary>
/// <param name="ErrorCode">
/// <see langword="null"/> when the URL is allowed; otherwise one of <c>invalid_url</c>, <c>https_required</c>, <c>numeric_host</c>,
/// <c>forbidden_address</c> or <c>unresolvable_host</c> (see <see cref="WebhookUrlErrors"/>).
/// </param>
/// <param name="Detail">A sentence naming the problem, for people; <see langword="null"/> when allowed.</param>
public readonly record struct WebhookUrlCheck(string? ErrorCode, string? Detail)
{
    /// <summary>Gets an allowed outcome.</summary>
    public static WebhookUrlCheck Allowed => default;

    /// <summary>Gets a value indicating whether the URL may be used.</summary>
    public bool IsAllowed => ErrorCode is null;

    internal static WebhookUrlCheck Refused(string code, string detail) => new(code, detail);
}
