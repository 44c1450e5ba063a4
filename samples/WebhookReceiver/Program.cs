using Webhooks;
using WebhookReceiver;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// Sources, secrets and limits come from the "Webhooks" configuration section (appsettings.Development.json here). The Standard
// Webhooks source "acme" needs no code: it is configured under Webhooks:Sources:acme.
builder.Services.AddWebhookReceiver()
    .AddGitHub()
    .AddStripe()
    .AddHandler<PushHandler>("github", "push")
    .AddHandler<PaymentSucceededHandler>("stripe", "payment_intent.succeeded")
    .AddHandler<AcmeEventHandler>("acme", "*");

// The sample's own settings (Sample:WorkDelayMs, Sample:FailRate), read by its handlers.
builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection("Sample"));
builder.Services.AddSingleton<SampleWork>();

WebApplication app = builder.Build();

app.MapWebhooks();       // POST /webhooks/github, /webhooks/stripe, /webhooks/acme
app.MapWebhookAdmin();   // GET /webhooks/admin/events…; protect it with .RequireAuthorization() in production

app.Run();
