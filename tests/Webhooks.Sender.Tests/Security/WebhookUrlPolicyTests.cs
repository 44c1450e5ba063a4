using System.Net;
using System.Net.Sockets;
using Webhooks.Sender.Security;

namespace Webhooks.Sender.Tests.Security;

public sealed class WebhookUrlPolicyTests
{
    private static readonly IPAddress Public = IPAddress.Parse("93.184.215.14");

    [Theory]
    [InlineData("https://127.0.0.1/hook", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://10.0.0.1/hook", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://172.16.5.4/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://192.168.1.1/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://100.64.0.1/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://100.100.100.200/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://169.254.169.254/latest/meta-data/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://168.63.129.16/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://0.0.0.0/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://224.0.0.1/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://255.255.255.255/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://198.18.0.1/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[::1]/hook", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[::]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[::ffff:10.0.0.1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[::ffff:127.0.0.1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[2002:0a00:0001::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[fe80::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[fd00:ec2::254]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[fc00::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[ff02::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[2001:db8::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://[2001::1]/", WebhookUrlErrors.ForbiddenAddress)]
    [InlineData("https://2130706433/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://0x7f.1/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://017700000001/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://127.1/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://0177.0.0.1/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://0x7f000001/", WebhookUrlErrors.NumericHost)]
    [InlineData("https://example.0x7f/", WebhookUrlErrors.NumericHost)]
    [InlineData("http://example.com/hook", WebhookUrlErrors.HttpsRequired)]
    [InlineData("ftp://example.com/hook", WebhookUrlErrors.InvalidUrl)]
    [InlineData("example.com/hook", WebhookUrlErrors.InvalidUrl)]
    [InlineData("https://user:pass@example.com/hook", WebhookUrlErrors.InvalidUrl)]
    [InlineData("https://example.com@127.0.0.1/hook", WebhookUrlErrors.InvalidUrl)]
    [InlineData("https://example.com/hook#part", WebhookUrlErrors.InvalidUrl)]
    [InlineData("https:///hook", WebhookUrlErrors.InvalidUrl)]
    [InlineData("", WebhookUrlErrors.InvalidUrl)]
    public void CheckUrl_RefusedForm_ItsErrorCode(string url, string expected)
    {
        WebhookUrlCheck check = new WebhookUrlPolicy().CheckUrl(url);

        Assert.False(check.IsAllowed);
        Assert.Equal(expected, check.ErrorCode);
        Assert.False(string.IsNullOrEmpty(check.Detail));
    }

    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("https://example.com:8443/hook?x=1")]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook")]
    [InlineData("https://hooks.example.com./in")]
    public void CheckUrl_PublicForms_Allowed(string url)
    {
        Assert.True(new WebhookUrlPolicy().CheckUrl(url).IsAllowed);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/webhooks/acme")]
    [InlineData("http://[::1]:5000/webhooks/acme")]
    [InlineData("http://localhost:5000/webhooks/acme")]
    public async Task CheckAsync_DevelopmentOption_AllowsHttpAndLoopback(string url)
    {
        var policy = new WebhookUrlPolicy(allowInsecureDevelopmentEndpoints: true, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));

        Assert.True((await policy.CheckAsync(url)).IsAllowed);
    }

    [Theory]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://[::ffff:192.168.0.1]/")]
    public void CheckUrl_DevelopmentOption_StillRefusesPrivateAddresses(string url)
    {
        Assert.Equal(WebhookUrlErrors.ForbiddenAddress, new WebhookUrlPolicy(allowInsecureDevelopmentEndpoints: true).CheckUrl(url).ErrorCode);
    }

    [Fact]
    public async Task CheckAsync_HostResolvingToPrivateAddress_Forbidden()
    {
        var policy = new WebhookUrlPolicy(false, (_, _) => Task.FromResult(new[] { Public, IPAddress.Parse("10.1.2.3") }));

        WebhookUrlCheck check = await policy.CheckAsync("https://internal.example.com/hook");

        Assert.Equal(WebhookUrlErrors.ForbiddenAddress, check.ErrorCode);
        Assert.Contains("10.1.2.3", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_HostWithoutAddress_Unresolvable()
    {
        var policy = new WebhookUrlPolicy(false, (_, _) => throw new SocketException((int)SocketError.HostNotFound));

        Assert.Equal(WebhookUrlErrors.UnresolvableHost, (await policy.CheckAsync("https://nowhere.example.com/")).ErrorCode);
    }

    [Fact]
    public async Task CheckAsync_PublicHost_Allowed()
    {
        var policy = new WebhookUrlPolicy(false, (_, _) => Task.FromResult(new[] { Public }));

        Assert.True((await policy.CheckAsync("https://hooks.example.com/in")).IsAllowed);
    }

    [Fact]
    public async Task Handler_HostRebindsToLoopbackAfterRegistration_RefusedWithoutConnecting()
    {
        // Public when the subscription is checked, 127.0.0.1 when a delivery connects (DNS rebinding).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int lookups = 0;
        var policy = new WebhookUrlPolicy(false, (_, _) => Task.FromResult(new[] { Interlocked.Increment(ref lookups) == 1 ? Public : IPAddress.Loopback }));
        string url = $"https://rebind.example.com:{port}/hook";
        Assert.True((await policy.CheckAsync(url)).IsAllowed);

        using var client = new HttpClient(policy.CreateHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        HttpRequestException thrown = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(url, new ByteArrayContent([1])));

        var refused = Assert.IsType<WebhookEndpointRefusedException>(thrown.InnerException);
        Assert.Equal(WebhookUrlErrors.ForbiddenAddress, refused.ErrorCode);
        Assert.Equal(2, lookups);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Handler_LiteralForbiddenAddress_RefusedWithoutConnecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(new WebhookUrlPolicy().CreateHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        HttpRequestException thrown = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/")));

        Assert.Equal(WebhookUrlErrors.ForbiddenAddress, Assert.IsType<WebhookEndpointRefusedException>(thrown.InnerException).ErrorCode);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Handler_DevelopmentOption_ConnectsToLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string> served = ServeOnceAsync(listener, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var policy = new WebhookUrlPolicy(allowInsecureDevelopmentEndpoints: true, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var client = new HttpClient(policy.CreateHandler());

        using HttpResponseMessage response = await client.PostAsync(new Uri($"http://dev.localhost:{port}/hook"), new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.StartsWith("POST /hook HTTP/1.1", await served, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_Redirect_NotFollowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string> served = ServeOnceAsync(listener, "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        using var client = new HttpClient(new WebhookUrlPolicy(allowInsecureDevelopmentEndpoints: true).CreateHandler());

        using HttpResponseMessage response = await client.PostAsync(new Uri($"http://127.0.0.1:{port}/hook"), new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        await served;
    }

    private static async Task<string> ServeOnceAsync(TcpListener listener, string response)
    {
        using TcpClient accepted = await listener.AcceptTcpClientAsync();
        NetworkStream stream = accepted.GetStream();
        var buffer = new byte[8192];
        int read = await stream.ReadAsync(buffer);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response));
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }
}
