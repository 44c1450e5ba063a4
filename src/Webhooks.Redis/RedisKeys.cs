using System;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// The key layout: every key of partition <c>p</c> is <c>{prefix}{pNN}:…</c>, so that one script touches one hash slot.
/// An id's partition is the 32-bit FNV-1a hash of its UTF-8 bytes modulo the partition count: a documented function that never
/// changes between versions, so that every process and every version agrees on where an id lives.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string[] _tags;

    public RedisKeys(string prefix, int partitions)
    {
        Prefix = prefix;
        _tags = new string[partitions];
        for (int p = 0; p < partitions; p++)
        {
            _tags[p] = prefix + "{p" + p.ToString("D2", CultureInfo.InvariantCulture) + "}:";
        }
    }

    public string Prefix { get; }

    public int Partitions => _tags.Length;

    /// <summary>The partition of an id.</summary>
    public int PartitionOf(string id)
    {
        uint hash = 2166136261;
        Span<byte> buffer = id.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(id.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(id.Length)];
        int length = Encoding.UTF8.GetBytes(id, buffer);
        foreach (byte b in buffer[..length])
        {
            hash = (hash ^ b) * 16777619;
        }

        return (int)(hash % (uint)_tags.Length);
    }

    /// <summary>A key of partition <paramref name="partition"/>: <c>{prefix}{pNN}:{name}</c>.</summary>
    public RedisKey Key(int partition, string name) => _tags[partition] + name;
}
