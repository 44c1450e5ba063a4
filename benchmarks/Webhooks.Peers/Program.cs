using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Hangfire;
using Hangfire.Redis.StackExchange;
using StackExchange.Redis;
using Webhooks.Peers;
using Webhooks.Signatures;

// The receivers a .NET team would write instead of using the library, measured beside it by benchmarks/http/run.sh (PEERS=1).
// Each reads the body, verifies the GitHub signature with the verifier the library uses, drops a delivery id it has seen
// (SET NX with a three-day expiry), hands the delivery to background work and answers 202; the work parses the push as the
// sample receiver's handler does. Peer:Mode picks the hand-off:
//   hangfire  Hangfire 1.8 on Hangfire.Redis.StackExchange: BackgroundJob.Enqueue with the body as the job's argument.
//   list      LPUSH onto one list, workers on BRPOP. Fast, but a delivery popped by a process that then dies is lost.
// Both run Environment.ProcessorCount × 2 workers, the library's default concurrency. GET /peer/backlog answers
// "<handed off> <processed>", which the benchmark reads to know when a round's deliveries have all been processed.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
string secret = builder.Configuration["Peer:Secret"] ?? "dev-github-secret";
string mode = builder.Configuration["Peer:Mode"] ?? "list";
string redis = builder.Configuration["Peer:Redis"] ?? "127.0.0.1:6379";
int workers = Environment.ProcessorCount * 2;

// Hangfire's client and server call Redis synchronously, each call blocking a pool thread while the reply is read on another:
// under 64 connections the pool starves and the calls time out (RedisTimeoutException after 5 s). The Redis client's documented
// remedy is a higher minimum of pool threads, which is what a team would set; the list peer gets the same.
ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
ThreadPool.SetMinThreads(Math.Max(minWorkers, 256), Math.Max(minIo, 256));

ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false);
builder.Services.AddSingleton(connection);
builder.Services.AddSingleton<PushWork>();
switch (mode)
{
    case "hangfire":
        builder.Services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseRedisStorage(connection, new RedisStorageOptions { Prefix = "hangfire:" }));
        builder.Services.AddHangfireServer(options => options.WorkerCount = workers);
        break;
    case "list":
        builder.Services.AddHostedService(services => new ListWorkersService(redis, workers, services.GetRequiredService<PushWork>(), services.GetRequiredService<ILogger<ListWorkersService>>()));
        break;
    default:
        throw new InvalidOperationException($"Peer:Mode must be 'hangfire' or 'list', not '{mode}'.");
}

var verifier = new GitHubSignatureVerifier(secret);
WebApplication app = builder.Build();
IDatabase database = connection.GetDatabase();
IBackgroundJobClient? jobs = mode == "hangfire" ? app.Services.GetRequiredService<IBackgroundJobClient>() : null;

app.MapPost("/webhooks/github", async (HttpContext context) =>
{
    PipeReader reader = context.Request.BodyReader;
    ReadResult read;
    while (!(read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted)
    {
        reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
    }

    byte[] body = read.Buffer.ToArray();
    reader.AdvanceTo(read.Buffer.End);
    if (verifier.Verify(body, context.Request.Headers["X-Hub-Signature-256"].ToString()) != SignatureVerificationResult.Valid)
    {
        return Results.Json(new { error = "invalid_signature" }, statusCode: StatusCodes.Status401Unauthorized);
    }

    string id = context.Request.Headers["X-GitHub-Delivery"].ToString();
    if (id.Length == 0)
    {
        return Results.Json(new { error = "missing_delivery_id" }, statusCode: StatusCodes.Status400BadRequest);
    }

    if (!await database.StringSetAsync("seen:" + id, 1, TimeSpan.FromDays(3), When.NotExists).ConfigureAwait(false))
    {
        return Results.Json(new { status = "duplicate" }, statusCode: StatusCodes.Status200OK);
    }

    if (jobs is not null)
    {
        string text = Encoding.UTF8.GetString(body);
        jobs.Enqueue<PushWork>(work => work.Handle(id, text));
    }
    else
    {
        await database.ListLeftPushAsync(ListWorkersService.Queue, id + "\n" + Encoding.UTF8.GetString(body)).ConfigureAwait(false);
    }

    Interlocked.Increment(ref Progress.HandedOff);
    return Results.Json(new { status = "queued" }, statusCode: StatusCodes.Status202Accepted);
});
app.MapGet("/peer/backlog", () => $"{Volatile.Read(ref Progress.HandedOff)} {Volatile.Read(ref Progress.Processed)}");

await app.RunAsync().ConfigureAwait(false);
