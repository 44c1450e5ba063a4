using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Security;
using Webhooks.Sender.Sending;

namespace Webhooks.Sender.Tests.DependencyInjection;

public sealed class WebhookSenderServiceCollectionExtensionsTests
{
    [Fact]
    public void AddWebhookSender_ConfigurationSection_BoundAndScheduleReplaced()
    {
        using ServiceProvider provider = Provider(new Dictionary<string, string?>
        {
            ["Webhooks:Sender:AttemptTimeout"] = "00:00:20",
            ["Webhooks:Sender:RetrySchedule:0"] = "00:00:01",
            ["Webhooks:Sender:RetrySchedule:1"] = "00:01:00",
            ["Webhooks:Sender:AllowInsecureDevelopmentEndpoints"] = "true",
            ["Webhooks:Sender:Concurrency"] = "4",
        });

        WebhookSenderOptions options = provider.GetRequiredService<IOptions<WebhookSenderOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(20), options.AttemptTimeout);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)], options.RetrySchedule);
        Assert.Equal(4, options.Concurrency);
        Assert.True(provider.GetRequiredService<WebhookUrlPolicy>().AllowInsecureDevelopmentEndpoints);
    }

    [Fact]
    public void AddWebhookSender_Defaults_ScheduleLikeTheBigSenders()
    {
        using ServiceProvider provider = Provider([]);

        WebhookSenderOptions options = provider.GetRequiredService<IOptions<WebhookSenderOptions>>().Value;

        Assert.Equal(
            [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)],
            options.RetrySchedule);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.False(provider.GetRequiredService<WebhookUrlPolicy>().AllowInsecureDevelopmentEndpoints);
    }

    [Theory]
    [InlineData("Webhooks:Sender:Concurrency", "0")]
    [InlineData("Webhooks:Sender:AttemptTimeout", "00:10:00")]
    [InlineData("Webhooks:Sender:RetryJitter", "0.9")]
    [InlineData("Webhooks:Sender:RetrySchedule:0", "8.00:00:00")]
    [InlineData("Webhooks:Sender:Retention", "00:01:00")]
    [InlineData("Webhooks:Sender:ResponseSnippetBytes", "-1")]
    public async Task Start_SettingOutOfRange_FailsNamingTheKey(string key, string value)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddWebhookSender();
        using IHost host = builder.Build();

        OptionsValidationException thrown = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        string expected = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        Assert.Contains(expected, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWebhookSender_Twice_OneSendingService()
    {
        var services = new ServiceCollection();
        services.AddWebhookSender();
        services.AddWebhookSender();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IHostedService>().OfType<WebhookSendingService>());
        Assert.IsType<WebhookPublisher>(provider.GetRequiredService<IWebhookPublisher>());
    }

    [Fact]
    public void AddWebhookSender_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>("services", () => WebhookSenderServiceCollectionExtensions.AddWebhookSender(null!));
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddWebhookSender();
        return services.BuildServiceProvider();
    }
}
