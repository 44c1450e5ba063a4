using Webhooks;
using WebhookReceiver;

// "events …" is the operator's command line (list, show, replay, resend, delete) against the configured store.
if (args.Length > 0 && string.Equals(args[0], "events", StringComparison.Ordinal))
{
    return await EventsCommand.RunAsync(args);
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// --redis host:port is short for --Webhooks:Redis:Configuration host:port; --postgres "<connection string>" for
// --Webhooks:PostgreSql:ConnectionString.
builder.Configuration.AddCommandLine(args, EventsCommand.StoreSwitches);
bool redis = !string.IsNullOrEmpty(builder.Configuration["Webhooks:Redis:Configuration"]);
bool postgres = !string.IsNullOrEmpty(builder.Configuration["Webhooks:PostgreSql:ConnectionString"]);

// Sources, secrets and limits come from the "Webhooks" configuration section (appsettings.Development.json here): each provider
// reads Webhooks:<Provider>. The Standard Webhooks source "acme" needs no code: it is configured under Webhooks:Sources:acme.
IWebhookReceiverBuilder receiver = builder.Services.AddWebhookReceiver().AddGitHub().AddStripe();
if (postgres)
{
    // On PostgreSQL each payment is first recorded in sample_payments, exactly once (PaymentLedgerHandler).
    receiver.UsePostgreSql().AddHandler<PaymentLedgerHandler>("stripe", "payment_intent.succeeded");
    builder.Services.AddHostedService<SamplePaymentsTable>();
}

receiver
    .AddHandler<PushHandler>("github", "push")
    .AddHandler<PaymentSucceededHandler>("stripe", "payment_intent.succeeded")
    .AddHandler<AcmeEventHandler>("acme", "*");

// Every other provider is received when its section is configured (the development settings configure them all); their
// events are logged by one handler.
(string Section, Func<IWebhookReceiverBuilder, IWebhookReceiverBuilder> Add)[] providers =
[
    ("Shopify", r => r.AddShopify()), ("Slack", r => r.AddSlack()), ("Twilio", r => r.AddTwilio()), ("Paddle", r => r.AddPaddle()),
    ("Linear", r => r.AddLinear()), ("Square", r => r.AddSquare()), ("Zoom", r => r.AddZoom()), ("Twitch", r => r.AddTwitch()),
    ("GitLab", r => r.AddGitLab()), ("Discord", r => r.AddDiscord()), ("SendGrid", r => r.AddSendGrid()),
];
foreach ((string section, Func<IWebhookReceiverBuilder, IWebhookReceiverBuilder> add) in providers)
{
    if (builder.Configuration.GetSection("Webhooks:" + section).Exists())
    {
        add(receiver).AddHandler<ProviderEventHandler>(section.ToLowerInvariant(), "*");
    }
}

// In-memory stores by default; Redis (or PostgreSQL, above) when configured, shared by every receiver process started the same way.
if (redis)
{
    receiver.UseRedis();
}

// /health: Unhealthy when the store does not answer or the dispatcher stopped; Degraded while dead events wait or processing lags.
IHealthChecksBuilder health = builder.Services.AddHealthChecks().AddWebhookReceiver();
if (redis)
{
    health.AddWebhookRedis();
}
else if (postgres)
{
    health.AddWebhookPostgreSql();
}

// The sample's own settings (Sample:WorkDelayMs, Sample:FailRate), read by its handlers.
builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection("Sample"));
builder.Services.AddSingleton<SampleWork>();

WebApplication app = builder.Build();

app.MapWebhooks();       // POST /webhooks/github, /webhooks/stripe, /webhooks/shopify, …, /webhooks/acme
app.MapHealthChecks("/health");
app.MapWebhookAdmin();   // GET /webhooks/admin/events…; protect it with .RequireAuthorization() in production

await app.RunAsync();
return 0;
