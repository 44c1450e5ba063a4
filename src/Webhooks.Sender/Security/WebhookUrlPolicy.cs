using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.Security;

/// <summary>
/// The guard against server-side request forgery: which subscriber URLs are accepted, and which addresses a delivery may connect
/// to. A URL is checked when a subscription is created or changed (its form, and every address its host resolves to then), and
/// again on every connection: <see cref="CreateHandler"/> resolves the host itself and connects only to a permitted address, so a
/// name that later resolves elsewhere (DNS rebinding) is refused before any byte is sent.
/// </summary>
/// <remarks>
/// Refused: any scheme but <c>https</c>; user information or a fragment; a host written as a number in another form than four
/// decimal parts; and addresses that are loopback, private, link-local, shared (CGNAT), multicast, unspecified, reserved,
/// documentation or cloud metadata, in IPv4 and IPv6, including IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4). With
/// <see cref="AllowInsecureDevelopmentEndpoints"/>, <c>http</c> and loopback are accepted too (for a receiver on the same machine).
/// </remarks>
public sealed class WebhookUrlPolicy
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Creates a policy.</summary>
    /// <param name="allowInsecureDevelopmentEndpoints">Whether <c>http</c> URLs and loopback addresses are accepted; for development only.</param>
    public WebhookUrlPolicy(bool allowInsecureDevelopmentEndpoints = false)
        : this(allowInsecureDevelopmentEndpoints, static (host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken))
    {
    }

    internal WebhookUrlPolicy(bool allowInsecureDevelopmentEndpoints, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        AllowInsecureDevelopmentEndpoints = allowInsecureDevelopmentEndpoints;
        _resolve = resolve;
    }

    /// <summary>Gets a value indicating whether <c>http</c> URLs and loopback addresses are accepted.</summary>
    public bool AllowInsecureDevelopmentEndpoints { get; }

    /// <summary>Checks a URL's form and the address written in it, without resolving its host.</summary>
    /// <param name="url">The subscriber's URL.</param>
    /// <returns>Allowed, or the reason it is refused.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="url"/> is <see langword="null"/>.</exception>
    public WebhookUrlCheck CheckUrl(string url) => Parse(url, out _, out _);

    /// <summary>Checks a URL's form, then every address its host resolves to now.</summary>
    /// <param name="url">The subscriber's URL.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    /// <returns>Allowed, or the reason it is refused.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="url"/> is <see langword="null"/>.</exception>
    public async ValueTask<WebhookUrlCheck> CheckAsync(string url, CancellationToken cancellationToken = default)
    {
        WebhookUrlCheck form = Parse(url, out string? host, out IPAddress? literal);
        if (!form.IsAllowed || literal is not null)
        {
            return form;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(host!, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            return WebhookUrlCheck.Refused(WebhookUrlErrors.UnresolvableHost, $"The host '{host}' has no address.");
        }

        foreach (IPAddress address in addresses)
        {
            if (!IsPermitted(address))
            {
                return WebhookUrlCheck.Refused(WebhookUrlErrors.ForbiddenAddress, $"The host '{host}' resolves to {address}, which is not a public address.");
            }
        }

        return WebhookUrlCheck.Allowed;
    }

    /// <summary>
    /// Creates the primary handler for deliveries: it resolves each host itself and connects only to a permitted address (a refused
    /// connection fails with a <see cref="WebhookEndpointRefusedException"/> inside the <see cref="HttpRequestException"/>), uses no
    /// proxy (a proxy would connect on its behalf, unchecked), and follows no redirect.
    /// </summary>
    /// <returns>A new handler; the caller owns it.</returns>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = ConnectAsync,
    };

    /// <summary>Whether a delivery may connect to <paramref name="address"/> under this policy.</summary>
    internal bool IsPermitted(IPAddress address) => AddressRanges.Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback => AllowInsecureDevelopmentEndpoints,
        _ => false,
    };

    private async ValueTask<System.IO.Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false);

        Exception? lastFailure = null;
        bool anyPermitted = false;
        foreach (IPAddress address in addresses)
        {
            if (!IsPermitted(address))
            {
                continue;
            }

            anyPermitted = true;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                lastFailure = ex;
            }
        }

        if (!anyPermitted)
        {
            throw new WebhookEndpointRefusedException(
                addresses.Length == 0 ? WebhookUrlErrors.UnresolvableHost : WebhookUrlErrors.ForbiddenAddress,
                addresses.Length == 0 ? $"The host '{host}' has no address." : $"The host '{host}' resolves only to addresses that are not public; no connection was made.");
        }

        throw lastFailure!;
    }

    private WebhookUrlCheck Parse(string url, out string? host, out IPAddress? literal)
    {
        ArgumentNullException.ThrowIfNull(url);
        host = null;
        literal = null;
        ReadOnlySpan<char> text = url.AsSpan();
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || url.Length > 2048)
        {
            return Invalid("The URL must be absolute, like https://example.com/webhooks, and at most 2048 characters.");
        }

        ReadOnlySpan<char> scheme = text[..schemeEnd];
        bool https = scheme.Equals("https", StringComparison.OrdinalIgnoreCase);
        bool http = scheme.Equals("http", StringComparison.OrdinalIgnoreCase);
        if (!https && !http)
        {
            return Invalid("The URL's scheme must be https.");
        }

        if (http && !AllowInsecureDevelopmentEndpoints)
        {
            return WebhookUrlCheck.Refused(WebhookUrlErrors.HttpsRequired, "The URL must use https.");
        }

        if (text.Contains('#'))
        {
            return Invalid("The URL must not have a fragment.");
        }

        // The authority as written, before any normalisation: Uri would turn 0x7f.1 into 127.0.0.1 and hide how it was written.
        ReadOnlySpan<char> rest = text[(schemeEnd + 3)..];
        int authorityEnd = rest.IndexOfAny('/', '?');
        ReadOnlySpan<char> authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        if (authority.Contains('@') || authority.Contains('\\'))
        {
            return Invalid("The URL must not carry user information.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.IsFile || uri.HostNameType == UriHostNameType.Unknown || uri.Host.Length == 0)
        {
            return Invalid("The URL is not a valid absolute URL with a host.");
        }

        ReadOnlySpan<char> writtenHost = authority;
        if (writtenHost.StartsWith('['))
        {
            int close = writtenHost.IndexOf(']');
            writtenHost = close < 0 ? writtenHost : writtenHost[1..close];
        }
        else
        {
            int colon = writtenHost.LastIndexOf(':');
            writtenHost = colon < 0 ? writtenHost : writtenHost[..colon];
        }

        if (uri.HostNameType == UriHostNameType.IPv4 && !IsDottedQuad(writtenHost))
        {
            return WebhookUrlCheck.Refused(WebhookUrlErrors.NumericHost, $"The host '{writtenHost.ToString()}' is a number in an unusual form; write an IPv4 address as four decimal parts, or use a name.");
        }

        if (uri.HostNameType == UriHostNameType.Dns && LastLabelIsNumeric(writtenHost))
        {
            return WebhookUrlCheck.Refused(WebhookUrlErrors.NumericHost, $"The host '{writtenHost.ToString()}' ends in a number and would be read as an address.");
        }

        host = uri.IdnHost;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            literal = IPAddress.Parse(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host);
            if (!IsPermitted(literal))
            {
                return WebhookUrlCheck.Refused(WebhookUrlErrors.ForbiddenAddress, $"The address {literal} is not a public address.");
            }
        }

        return WebhookUrlCheck.Allowed;
    }

    private static WebhookUrlCheck Invalid(string detail) => WebhookUrlCheck.Refused(WebhookUrlErrors.InvalidUrl, detail);

    /// <summary>Four decimal parts of 0 to 255, without leading zeros: the one way an IPv4 address may be written.</summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> host)
    {
        int parts = 0;
        foreach (Range range in host.Split('.'))
        {
            ReadOnlySpan<char> part = host[range];
            parts++;
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    /// <summary>Whether the last label (after a trailing dot) is a decimal, octal or hexadecimal number, which URL parsers read as IPv4.</summary>
    private static bool LastLabelIsNumeric(ReadOnlySpan<char> host)
    {
        host = host.TrimEnd('.');
        int dot = host.LastIndexOf('.');
        ReadOnlySpan<char> label = dot < 0 ? host : host[(dot + 1)..];
        if (label.Length == 0)
        {
            return false;
        }

        if (label.Length >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X'))
        {
            foreach (char c in label[2..])
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (char c in label)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
