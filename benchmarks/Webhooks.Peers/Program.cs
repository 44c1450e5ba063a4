using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Redis.StackExchange;
using Npgsql;
using StackExchange.Redis;
using Webhooks.Peers;
using Webhooks.Signatures;

// The receivers a .NET team would write instead of using the library, measured beside it by benchmarks/http/run.sh (PEERS=1).
// Each reads the body, verifies the GitHub signature with the verifier the library uses, drops a delivery id it has seen
// (SET NX with a three-day expiry), hands the delivery to background work and answers 202; the work parses the push as the
// sample receiver's handler does. Peer:Mode picks the hand-off:
//   hangfire  Hangfire 1.8 on Hangfire.Redis.StackExchange: BackgroundJob.Enqueue with the body as the job's argument.
//   list      LPUSH onto one list, workers on BRPOP. Fast, but a delivery popped by a process that then dies is lost.
//   hangfire-postgres  Hangfire 1.8 on Hangfire.PostgreSql (Peer:PostgreSql, a connection string); the seen ids in a
//             PostgreSQL table (INSERT … ON CONFLICT DO NOTHING) instead of Redis.
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

string? postgres = builder.Configuration["Peer:PostgreSql"];
ConnectionMultiplexer? connection = mode == "hangfire-postgres" ? null : await ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false);
NpgsqlDataSource? seenTable = null;
if (connection is not null)
{
    builder.Services.AddSingleton(connection);
}
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
    case "hangfire-postgres":
        seenTable = NpgsqlDataSource.Create(postgres ?? throw new InvalidOperationException("Peer:PostgreSql is required."));
        using (NpgsqlCommand create = seenTable.CreateCommand("CREATE TABLE IF NOT EXISTS peer_seen (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        builder.Services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(options => options.UseNpgsqlConnection(postgres)));
        builder.Services.AddHangfireServer(options => options.WorkerCount = workers);
        break;
    case "list":
        builder.Services.AddHostedService(services => new ListWorkersService(redis, workers, services.GetRequiredService<PushWork>(), services.GetRequiredService<ILogger<ListWorkersService>>()));
        break;
    default:
        throw new InvalidOperationException($"Peer:Mode must be 'hangfire', 'hangfire-postgres' or 'list', not '{mode}'.");
}

var verifier = new GitHubSignatureVerifier(secret);
WebApplication app = builder.Build();
IDatabase? database = connection?.GetDatabase();
IBackgroundJobClient? jobs = mode is "hangfire" or "hangfire-postgres" ? app.Services.GetRequiredService<IBackgroundJobClient>() : null;

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

    if (!await SeenFirstAsync(id).ConfigureAwait(false))
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
        await database!.ListLeftPushAsync(ListWorkersService.Queue, id + "\n" + Encoding.UTF8.GetString(body)).ConfigureAwait(false);
    }

    Interlocked.Increment(ref Progress.HandedOff);
    return Results.Json(new { status = "queued" }, statusCode: StatusCodes.Status202Accepted);
});
app.MapGet("/peer/backlog", () => $"{Volatile.Read(ref Progress.HandedOff)} {Volatile.Read(ref Progress.Processed)}");

await app.RunAsync().ConfigureAwait(false);

// The first time a delivery id is seen: SET NX with a three-day expiry in Redis, or a row in PostgreSQL.
async Task<bool> SeenFirstAsync(string id)
{
    if (seenTable is null)
    {
        return await database!.StringSetAsync("seen:" + id, 1, TimeSpan.FromDays(3), When.NotExists).ConfigureAwait(false);
    }

    using NpgsqlCommand insert = seenTable.CreateCommand("INSERT INTO peer_seen (id) VALUES ($1) ON CONFLICT DO NOTHING");
    insert.Parameters.Add(new NpgsqlParameter { Value = id });
    return await insert.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
}
