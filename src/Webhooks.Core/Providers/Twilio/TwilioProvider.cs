using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Twilio: <c>X-Twilio-Signature</c>, the base64 HMAC-SHA1 keyed with the auth token of the full URL Twilio posted to, followed,
/// for a form body, by every form parameter's name and value sorted by name; for a JSON body the URL carries
/// <c>bodySHA256</c>, the body's SHA-256 in hex, which must match. As Twilio's SDKs, the URL is tried with and without its
/// default port. The URL is the source's <c>PublicUrl</c> (plus the request's query) when set, for receivers behind a proxy,
/// else the URL the request arrived at. Id in <c>I-Twilio-Idempotency-Token</c> (a digest of the body when absent).
/// </summary>
public sealed class TwilioProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Twilio-Signature";

    /// <summary>The delivery id header.</summary>
    public const string IdHeader = "I-Twilio-Idempotency-Token";

    private const int Sha1Size = 20;

    private static readonly string[] Fields = ["type"];

    /// <summary>Initializes the provider.</summary>
    public TwilioProvider()
        : base("Twilio")
    {
    }

    /// <inheritdoc/>
    public override bool SignsUrl => true;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, IdHeader, "Twilio-Request-Id"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context, HashAlgorithmName.SHA1)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> text = request.Header(SignatureHeader).AsSpan().Trim();
            if (text.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            Span<byte> candidate = stackalloc byte[Macs.MaxSize];
            if (request.Url is not { Length: > 0 } url || !Macs.TryDecode(text, MacText.Base64, Sha1Size, candidate))
            {
                return SignatureVerificationResult.Malformed;
            }

            ReadOnlySpan<char> bodyHash = QueryValue(url, "bodySHA256");
            bool form = bodyHash.IsEmpty && request.IsForm;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(url.Length + 8) + (form ? request.Body.Length : 0));
            Param[]? parameters = null;
            try
            {
                // The sorted parameters, decoded into the buffer after the URL's room.
                int urlRoom = Encoding.UTF8.GetMaxByteCount(url.Length + 8);
                int count = 0;
                if (form)
                {
                    parameters = ArrayPool<Param>.Shared.Rent(CountPairs(request.Body));
                    count = Decode(request.Body, buffer.AsSpan(urlRoom), urlRoom, parameters);
                    HeapSort(parameters.AsSpan(0, count), buffer);
                }

                DateTimeOffset now = TimeProvider.GetUtcNow();
                bool active = false;
                bool matched = false;
                Span<byte> mac = stackalloc byte[Sha1Size];
                foreach (bool withPort in (ReadOnlySpan<bool>)[false, true])
                {
                    int urlLength = WriteUrl(url, withPort, buffer);
                    foreach (HmacKey key in Keys)
                    {
                        if (!key.IsActiveAt(now))
                        {
                            continue;
                        }

                        active = true;
                        IncrementalHash hash = key.Rent();
                        hash.AppendData(buffer, 0, urlLength);
                        Param previous = default;
                        for (int i = 0; i < count; i++)
                        {
                            Param p = parameters![i];
                            if (i > 0 && ParamOrder.Compare(buffer, p, previous) == 0)
                            {
                                // The same name and value twice count once, as Twilio's SDKs sign them.
                                continue;
                            }

                            hash.AppendData(buffer, p.Name, p.NameLength);
                            hash.AppendData(buffer, p.Value, p.ValueLength);
                            previous = p;
                        }

                        hash.GetHashAndReset(mac);
                        key.Return(hash);
                        matched |= CryptographicOperations.FixedTimeEquals(mac, candidate[..Sha1Size]);
                    }
                }

                if (!active)
                {
                    return SignatureVerificationResult.NoActiveSecret;
                }

                if (!matched)
                {
                    return SignatureVerificationResult.Mismatch;
                }

                // A JSON body is bound to the signature by its hash in the signed URL.
                return bodyHash.IsEmpty || BodyMatches(request.Body, bodyHash) ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                if (parameters is not null)
                {
                    ArrayPool<Param>.Shared.Return(parameters);
                }
            }
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (!request.TryGetSingle(IdHeader, out string id))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
            }

            string type = "";
            if (!request.IsForm)
            {
                Span<string?> values = new string?[Fields.Length];
                if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
                {
                    return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
                }

                type = values[0] ?? "";
            }

            return WebhookReadResult.Event(id.Length > 0 ? id : BodyDigest.Id(request.Body), type);
        }

        private static bool BodyMatches(ReadOnlySpan<byte> body, ReadOnlySpan<char> hex)
        {
            Span<byte> expected = stackalloc byte[32];
            Span<byte> actual = stackalloc byte[32];
            SHA256.HashData(body, actual);
            return Macs.TryDecode(hex, MacText.Hex, 32, expected) && CryptographicOperations.FixedTimeEquals(expected, actual);
        }

        /// <summary>
        /// Writes the URL as UTF-8 without its port, or with the scheme's default port when it names none (a URL that names a
        /// port keeps it): the two forms Twilio's SDKs try.
        /// </summary>
        private static int WriteUrl(string url, bool withPort, Span<byte> destination)
        {
            int scheme = url.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                return Encoding.UTF8.GetBytes(url, destination);
            }

            int hostStart = scheme + 3;
            int end = url.AsSpan(hostStart).IndexOfAny('/', '?', '#');
            int authorityEnd = end < 0 ? url.Length : hostStart + end;
            ReadOnlySpan<char> authority = url.AsSpan(hostStart, authorityEnd - hostStart);
            int colon = authority.LastIndexOf(':');
            bool hasPort = colon >= 0 && colon > authority.LastIndexOf(']');
            int hostEnd = hasPort ? hostStart + colon : authorityEnd;

            int written = Encoding.UTF8.GetBytes(url.AsSpan(0, hostEnd), destination);
            if (withPort)
            {
                ReadOnlySpan<char> port = hasPort ? url.AsSpan(hostEnd, authorityEnd - hostEnd)
                    : url.StartsWith("https", StringComparison.OrdinalIgnoreCase) ? ":443" : ":80";
                written += Encoding.UTF8.GetBytes(port, destination[written..]);
            }

            written += Encoding.UTF8.GetBytes(url.AsSpan(authorityEnd), destination[written..]);
            return written;
        }

        /// <summary>The raw value of a query parameter; empty when absent.</summary>
        private static ReadOnlySpan<char> QueryValue(string url, string name)
        {
            int query = url.IndexOf('?', StringComparison.Ordinal);
            if (query < 0)
            {
                return default;
            }

            ReadOnlySpan<char> rest = url.AsSpan(query + 1);
            int fragment = rest.IndexOf('#');
            rest = fragment < 0 ? rest : rest[..fragment];
            foreach (Range part in rest.Split('&'))
            {
                ReadOnlySpan<char> pair = rest[part];
                if (pair.StartsWith(name, StringComparison.Ordinal) && pair.Length > name.Length && pair[name.Length] == '=')
                {
                    return pair[(name.Length + 1)..];
                }
            }

            return default;
        }

        /// <summary>Sorts in place without allocating (the framework's sort boxes its comparer): a hostile form of many pairs stays O(n log n).</summary>
        private static void HeapSort(Span<Param> items, byte[] buffer)
        {
            for (int start = (items.Length / 2) - 1; start >= 0; start--)
            {
                SiftDown(items, start, items.Length, buffer);
            }

            for (int end = items.Length - 1; end > 0; end--)
            {
                (items[0], items[end]) = (items[end], items[0]);
                SiftDown(items, 0, end, buffer);
            }
        }

        private static void SiftDown(Span<Param> items, int root, int length, byte[] buffer)
        {
            while (true)
            {
                int child = (2 * root) + 1;
                if (child >= length)
                {
                    return;
                }

                if (child + 1 < length && ParamOrder.Compare(buffer, items[child + 1], items[child]) > 0)
                {
                    child++;
                }

                if (ParamOrder.Compare(buffer, items[child], items[root]) <= 0)
                {
                    return;
                }

                (items[root], items[child]) = (items[child], items[root]);
                root = child;
            }
        }

        private static int CountPairs(ReadOnlySpan<byte> form) => form.Count((byte)'&') + 1;

        /// <summary>Decodes each <c>name=value</c> pair (<c>+</c> and <c>%XX</c>) into <paramref name="output"/>; returns how many.</summary>
        private static int Decode(ReadOnlySpan<byte> form, Span<byte> output, int offset, Param[] parameters)
        {
            int count = 0;
            int at = 0;
            while (!form.IsEmpty)
            {
                int amp = form.IndexOf((byte)'&');
                ReadOnlySpan<byte> pair = amp < 0 ? form : form[..amp];
                form = amp < 0 ? default : form[(amp + 1)..];
                if (pair.IsEmpty)
                {
                    continue;
                }

                int equals = pair.IndexOf((byte)'=');
                ReadOnlySpan<byte> name = equals < 0 ? pair : pair[..equals];
                ReadOnlySpan<byte> value = equals < 0 ? default : pair[(equals + 1)..];
                int nameAt = at;
                at += Unescape(name, output[at..]);
                int valueAt = at;
                at += Unescape(value, output[at..]);
                parameters[count++] = new Param(offset + nameAt, valueAt - nameAt, offset + valueAt, at - valueAt);
            }

            return count;
        }

        /// <summary>Form decoding: <c>+</c> is a space, <c>%XX</c> a byte; a malformed escape stays as it is.</summary>
        private static int Unescape(ReadOnlySpan<byte> text, Span<byte> output)
        {
            int written = 0;
            for (int i = 0; i < text.Length; i++)
            {
                byte b = text[i];
                if (b == (byte)'+')
                {
                    b = (byte)' ';
                }
                else if (b == (byte)'%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
                {
                    b = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                    i += 2;
                }

                output[written++] = b;
            }

            return written;
        }

        private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

        private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
    }

    /// <summary>Where a decoded parameter's name and value lie in the buffer.</summary>
    private readonly record struct Param(int Name, int NameLength, int Value, int ValueLength);

    /// <summary>Orders parameters by name, then value, byte by byte (the ordinal order Twilio's SDKs sort in).</summary>
    private static class ParamOrder
    {
        public static int Compare(byte[] buffer, Param x, Param y)
        {
            int byName = buffer.AsSpan(x.Name, x.NameLength).SequenceCompareTo(buffer.AsSpan(y.Name, y.NameLength));
            return byName != 0 ? byName : buffer.AsSpan(x.Value, x.ValueLength).SequenceCompareTo(buffer.AsSpan(y.Value, y.ValueLength));
        }
    }
}
