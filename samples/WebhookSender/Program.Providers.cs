using System.Globalization;
using System.Security.Cryptography;
using Webhooks.Testing;

namespace WebhookSender;

/// <summary>One delivery of each other provider, signed as that provider signs, with the receiver sample's development secrets.</summary>
internal static partial class Program
{
    // The development keys of the receiver sample: Discord's and SendGrid's are key pairs, the receiver holding the public half.
    private static readonly byte[] DiscordPrivateKey = Enumerable.Repeat((byte)7, 32).ToArray();
    private static readonly byte[] SendGridPrivateScalar = Enumerable.Repeat((byte)3, 32).ToArray();

    private static readonly Dictionary<string, Func<string, HttpRequestMessage>> Providers = new(StringComparer.Ordinal)
    {
        ["shopify"] = url => WebhookRequests.Shopify("dev-shopify-client-secret", "orders/create",
            "{\"id\":" + Number() + ",\"email\":\"jon@example.com\",\"total_price\":\"403.00\",\"currency\":\"EUR\",\"line_items\":[{\"sku\":\"IPOD2008PINK\",\"quantity\":1}]}", path: url),
        ["slack"] = url => WebhookRequests.Slack("dev-slack-signing-secret", WebhookRequests.SlackEvent("app_mention"), path: url),
        ["twilio"] = url => WebhookRequests.Twilio("dev-twilio-auth-token", new Uri(url),
            [new("MessageSid", "SM" + Guid.NewGuid().ToString("N")), new("MessageStatus", "delivered"), new("From", "+14155550100"), new("To", "+31612345678")]),
        ["paddle"] = url => WebhookRequests.Paddle("pdl_ntfset_dev_paddle_secret",
            "{\"event_id\":\"evt_" + Guid.NewGuid().ToString("N")[..26] + "\",\"event_type\":\"transaction.completed\",\"occurred_at\":\"" + Now() + "\",\"data\":{\"status\":\"completed\"}}", path: url),
        ["linear"] = url => WebhookRequests.Linear("lin_wh_dev_linear_secret", "Issue",
            "{\"action\":\"create\",\"type\":\"Issue\",\"webhookTimestamp\":" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ",\"data\":{\"identifier\":\"ENG-42\",\"title\":\"Fix the release\"}}", path: url),
        ["square"] = url => WebhookRequests.Square("dev-square-signature-key", new Uri(url),
            "{\"merchant_id\":\"6SSW7HV8K2ST5\",\"type\":\"payment.updated\",\"event_id\":\"" + Guid.NewGuid() + "\",\"created_at\":\"" + Now() + "\",\"data\":{\"type\":\"payment\"}}"),
        ["zoom"] = url => WebhookRequests.Zoom("dev-zoom-secret-token",
            "{\"event\":\"meeting.started\",\"event_ts\":" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ",\"payload\":{\"object\":{\"id\":\"" + Number() + "\",\"topic\":\"Weekly sync\"}}}", path: url),
        ["twitch"] = url => WebhookRequests.Twitch("dev-twitch-eventsub-secret", "notification",
            "{\"subscription\":{\"type\":\"channel.follow\",\"version\":\"2\"},\"event\":{\"user_login\":\"cool_user\",\"followed_at\":\"" + Now() + "\"}}", path: url),
        ["gitlab"] = url => WebhookRequests.GitLab("dev-gitlab-token", "Push Hook",
            "{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"checkout_sha\":\"" + Guid.NewGuid().ToString("N") + "\",\"project\":{\"path_with_namespace\":\"acme/shop\"}}", path: url),
        ["discord"] = url => WebhookRequests.Discord(DiscordPrivateKey,
            "{\"version\":1,\"application_id\":\"1234560123453231555\",\"type\":1,\"event\":{\"type\":\"ENTITLEMENT_CREATE\",\"timestamp\":\"" + Now() + "\",\"data\":{\"id\":\"" + Number() + "\"}}}", path: url),
        ["sendgrid"] = url =>
        {
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = SendGridPrivateScalar });
            return WebhookRequests.SendGrid(key, "[{\"email\":\"jon@example.com\",\"timestamp\":" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
                + ",\"event\":\"delivered\",\"sg_event_id\":\"" + Guid.NewGuid().ToString("N") + "\"}]", path: url);
        },
    };

    private static string Number() => Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Sends one delivery of another provider and prints the answer.</summary>
    private static async Task<int> SendProviderAsync(string kind, string url)
    {
        using HttpRequestMessage request = Providers[kind](url);
        request.RequestUri = new Uri(url);
        return await SendAsync($"{kind} delivery", request, url);
    }
}
