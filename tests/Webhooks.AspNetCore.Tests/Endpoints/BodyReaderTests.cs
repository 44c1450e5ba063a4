using System;
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
    public async Task ReadBodyAsync_ChunkedWithinLimit_ExactSizeArrayBytesExact(int length, long limit)
    {
        byte[] data = RandomBytes(length);
        byte[]? body = await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(data), declaredLength: null, limit, pinned: true, CancellationToken.None);

        // An exact-size array the event owns: never a pooled buffer, whose size would be rounded up and which would be reused.
        Assert.NotNull(body);
        Assert.Equal(length, body.Length);
        Assert.Equal(data, body);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task ReadBodyAsync_DeclaredLength_ExactSizeArrayBytesExact(int length)
    {
        byte[] data = RandomBytes(length);
        byte[]? body = await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(data), length, 1_000_000, pinned: true, CancellationToken.None);
        Assert.NotNull(body);
        Assert.Equal(data, body);
    }

    [Theory]
    [InlineData(1000L, true)]
    [InlineData(1000L, false)]
    [InlineData(null, true)]
    [InlineData(null, false)]
    public async Task ReadBodyAsync_PinnedOnlyWhenAsked(long? declared, bool pinned)
    {
        // Pinned bodies (for a store that keeps the array) are on the pinned heap, which the collector counts as its oldest
        // generation from the start; others are young. No collection may run in between, or a young array could age.
        byte[] data = RandomBytes(1000);
        PipeReader reader = await WriteInChunksAsync(data);
        Assert.True(GC.TryStartNoGCRegion(64 * 1024 * 1024));
        try
        {
            byte[]? body = await WebhookEndpointHandler.ReadBodyAsync(reader, declared, 1_000_000, pinned, CancellationToken.None);
            Assert.Equal(data, body);
            Assert.Equal(pinned, GC.GetGeneration(body!) == GC.MaxGeneration);
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    [Fact]
    public async Task ReadBodyAsync_DeclaredLengthShortBody_ArrayOfWhatArrived()
    {
        byte[] data = RandomBytes(500);
        byte[]? body = await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(data), 1000, 1_000_000, pinned: true, CancellationToken.None);
        Assert.Equal(data, body);
    }

    [Theory]
    [InlineData(11, 10, null)]
    [InlineData(100_001, 100_000, null)]
    [InlineData(101, 1000, 100L)]
    public async Task ReadBodyAsync_OverLimitOrDeclaredLength_Null(int length, long limit, long? declared)
    {
        byte[]? body = await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(new byte[length]), declared, limit, pinned: true, CancellationToken.None);
        Assert.Null(body);
    }

    [Fact]
    public async Task ReadBodyAsync_ResultNotSharedWithLaterReads()
    {
        byte[] first = (await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(RandomBytes(20_000)), null, 1_000_000, pinned: true, CancellationToken.None))!;
        byte[] copy = (byte[])first.Clone();
        for (int i = 0; i < 20; i++)
        {
            byte[] other = RandomBytes(20_000 + i);
            Assert.Equal(other, await WebhookEndpointHandler.ReadBodyAsync(await WriteInChunksAsync(other), null, 1_000_000, pinned: true, CancellationToken.None));
        }

        Assert.Equal(copy, first);
    }

    private static byte[] RandomBytes(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
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
