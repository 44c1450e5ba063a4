using System;
using System.Buffers.Binary;
using System.Text;

namespace Webhooks.Redis;

/// <summary>
/// What an event keeps that never changes and no script reads, as one binary field (<c>m</c>), so that an append writes one
/// value instead of five: the arrival (UTC ticks) and the body's length, eight bytes each, little-endian; then the source, the
/// type and the traceparent, each as a four-byte length and its UTF-8 bytes.
/// </summary>
internal static class RedisEventMeta
{
    public static byte[] Encode(WebhookEvent webhookEvent)
    {
        string trace = webhookEvent.TraceParent ?? "";
        int sourceBytes = Encoding.UTF8.GetByteCount(webhookEvent.Source);
        int typeBytes = Encoding.UTF8.GetByteCount(webhookEvent.EventType);
        int traceBytes = Encoding.UTF8.GetByteCount(trace);
        byte[] meta = new byte[16 + 12 + sourceBytes + typeBytes + traceBytes];
        Span<byte> rest = meta;
        BinaryPrimitives.WriteInt64LittleEndian(rest, webhookEvent.ReceivedAt.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(rest[8..], webhookEvent.Body.Length);
        rest = rest[16..];
        rest = Write(rest, webhookEvent.Source, sourceBytes);
        rest = Write(rest, webhookEvent.EventType, typeBytes);
        Write(rest, trace, traceBytes);
        return meta;
    }

    public static Fields Decode(ReadOnlySpan<byte> meta)
    {
        if (meta.Length < 28)
        {
            throw new FormatException("A stored event's metadata is cut short.");
        }

        long received = BinaryPrimitives.ReadInt64LittleEndian(meta);
        long bodyLength = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]);
        ReadOnlySpan<byte> rest = meta[16..];
        string source = Read(ref rest);
        string type = Read(ref rest);
        string trace = Read(ref rest);
        return new Fields(source, type, new DateTimeOffset(received, TimeSpan.Zero), trace.Length == 0 ? null : trace, bodyLength);
    }

    private static Span<byte> Write(Span<byte> into, string value, int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(into, length);
        Encoding.UTF8.GetBytes(value, into[4..]);
        return into[(4 + length)..];
    }

    private static string Read(ref ReadOnlySpan<byte> rest)
    {
        int length = rest.Length < 4 ? -1 : BinaryPrimitives.ReadInt32LittleEndian(rest);
        if (length < 0 || length > rest.Length - 4)
        {
            throw new FormatException("A stored event's metadata is cut short.");
        }

        string value = Encoding.UTF8.GetString(rest.Slice(4, length));
        rest = rest[(4 + length)..];
        return value;
    }

    /// <summary>The decoded fields.</summary>
    internal readonly record struct Fields(string Source, string EventType, DateTimeOffset ReceivedAt, string? TraceParent, long BodyLength);
}
