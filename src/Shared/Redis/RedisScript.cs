using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// A Lua script run by its SHA-1 (<c>EVALSHA</c>), computed once. Passing the text instead makes the client look the script up by
/// its text on every call, hashing some kilobytes each time; a server that does not hold the script yet is sent its text once.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // Redis names a script by its SHA-1; nothing here relies on it for security.
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>
    /// Lua functions every store script may begin with: <c>int(n)</c>, a number as integer text (a Lua number passed to a command
    /// is formatted with printf's <c>%.17g</c>, which costs Redis 7.0 noticeably more), and <c>clock(given)</c>, the time in
    /// milliseconds: <c>given</c> when it is 0 or more (a test's clock), else the server's (<c>TIME</c>).
    /// </summary>
    public const string Functions = """
        local function int(n) return string.format('%d', n) end
        local function clock(given)
          local now = tonumber(given)
          if now >= 0 then return now end
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        """ + "\n";

    /// <summary>Gets the script's text.</summary>
    public string Text { get; }

    /// <summary>Gets the script's SHA-1, as the server names it.</summary>
    public byte[] Hash { get; }

    /// <summary>Runs the script with these keys and values (arrays only: no named parameters, no reflection).</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Hash, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The server does not hold it: first use, a restart, a failover, or another node of a cluster. The text stores it there.
            return await database.ScriptEvaluateAsync(Text, keys, values).ConfigureAwait(false);
        }
    }
}
