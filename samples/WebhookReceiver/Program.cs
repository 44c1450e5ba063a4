using Webhooks;
using WebhookReceiver;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// Sources, secrets and limits come from the "Webhooks" configuration section (appsettings.Development.json here).
builder.Services.AddWebhookReceiver()
    .AddGitHub()
    .AddStripe()
    .AddHandler<PushHandler>("github", "push")
    .AddHandler<PaymentSucceededHandler>("stripe", "payment_intent.succeeded");

// The sample's own settings (Sample:WorkDelayMs), read by its handlers.
builder.Services.Configure<SampleOptions>(builder.Configuration.GetSection("Sample"));
builder.Services.AddSingleton<SampleWork>();

WebApplication app = builder.Build();

app.MapWebhooks();       // POST /webhooks/github, POST /webhooks/stripe
app.MapWebhookAdmin();   // GET /webhooks/admin/events…; protect it with .RequireAuthorization() in production

app.Run();
