using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.AspNetCore.Endpoints;

namespace Webhooks.AspNetCore.Tests.Endpoints;

public class BodyReaderTests
{
    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 10)]
    [InlineData(100_000, 100_000)]
    [InlineData(1_000_000, 2_000_000)]
    public async Task ReadBodyAsync_WithinLimit_BytesExactInManySegments(int length, long limit)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        PipeReader reader = await WriteInChunksAsync(data);

        (byte[] buffer, int read) = await WebhookEndpointHandler.ReadBodyAsync(reader, limit, CancellationToken.None);
        Assert.Equal(length, read);
        Assert.Equal(data, buffer.AsSpan(0, read).ToArray());
        ArrayPool<byte>.Shared.Return(buffer);
    }

    [Theory]
    [InlineData(11, 10)]
    [InlineData(100_001, 100_000)]
    public async Task ReadBodyAsync_OverLimit_MinusOne(int length, long limit)
    {
        PipeReader reader = await WriteInChunksAsync(new byte[length]);
        (byte[] buffer, int read) = await WebhookEndpointHandler.ReadBodyAsync(reader, limit, CancellationToken.None);
        Assert.Equal(-1, read);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private static async Task<PipeReader> WriteInChunksAsync(byte[] data)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        for (int offset = 0; offset < data.Length; offset += 7_000)
        {
            await pipe.Writer.WriteAsync(data.AsMemory(offset, Math.Min(7_000, data.Length - offset)));
        }

        await pipe.Writer.CompleteAsync();
        return pipe.Reader;
    }
}
