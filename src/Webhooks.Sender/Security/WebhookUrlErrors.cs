namespace Webhooks.Sender.Security;

/// <summary>The error codes of a refused subscriber URL, as the management endpoints return them.</summary>
public static class WebhookUrlErrors
{
    /// <summary>Not an absolute <c>https</c> (or, in development, <c>http</c>) URL with a host, or it carries user information or a fragment.</summary>
    public const string InvalidUrl = "invalid_url";

    /// <summary>An <c>http</c> URL while <see cref="WebhookUrlPolicy.AllowInsecureDevelopmentEndpoints"/> is off.</summary>
    public const string HttpsRequired = "https_required";

    /// <summary>A host written as a number in another form than four decimal parts (<c>2130706433</c>, <c>0x7f.1</c>, <c>017700000001</c>, <c>127.1</c>).</summary>
    public const string NumericHost = "numeric_host";

    /// <summary>
    /// The address written in the URL, or an address its host resolves to, is loopback, private, link-local, shared (CGNAT),
    /// multicast, unspecified, reserved, documentation or a cloud metadata address.
    /// </summary>
    public const string ForbiddenAddress = "forbidden_address";

    /// <summary>The host has no address in DNS.</summary>
    public const string UnresolvableHost = "unresolvable_host";
}
