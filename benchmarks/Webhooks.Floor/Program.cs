using System.Buffers;
using System.IO.Pipelines;
using Webhooks.Signatures;

// The floor of the end-to-end measurement: a bare minimal API that reads the body, verifies the GitHub signature with the same
// verifier the receiver uses, and answers 202. No identity checks, no store, no processing: what any receiver must at least do.
// The host is built as the sample receiver's is (WebApplication.CreateBuilder, default logging), so the difference between the
// two is what the library does.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
string secret = builder.Configuration["Floor:Secret"] ?? "dev-github-secret";
var verifier = new GitHubSignatureVerifier(secret);

WebApplication app = builder.Build();
app.MapPost("/webhooks/github", async (HttpContext context) =>
{
    PipeReader reader = context.Request.BodyReader;
    ReadResult read;
    while (!(read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted)
    {
        reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
    }

    byte[] body = ArrayPool<byte>.Shared.Rent((int)read.Buffer.Length);
    int length = (int)read.Buffer.Length;
    read.Buffer.CopyTo(body);
    reader.AdvanceTo(read.Buffer.End);
    SignatureVerificationResult result = verifier.Verify(body.AsSpan(0, length), context.Request.Headers["X-Hub-Signature-256"].ToString());
    ArrayPool<byte>.Shared.Return(body);

    context.Response.StatusCode = result == SignatureVerificationResult.Valid ? StatusCodes.Status202Accepted : StatusCodes.Status401Unauthorized;
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.WriteAsync(result == SignatureVerificationResult.Valid ? "{\"status\":\"queued\"}" : "{\"error\":\"invalid_signature\"}").ConfigureAwait(false);
});

app.Run();
