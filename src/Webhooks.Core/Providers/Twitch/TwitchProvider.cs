using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Twitch EventSub: <c>Twitch-Eventsub-Message-Signature: sha256=&lt;hex&gt;</c>, HMAC-SHA256 of the message id, the timestamp
/// (RFC 3339) and the body, keyed with the subscription's secret, within the tolerance (600 seconds unless set, as Twitch asks).
/// Answers <c>webhook_callback_verification</c> with the challenge. Id in <c>Twitch-Eventsub-Message-Id</c>; type the
/// subscription's type (<c>channel.follow</c>), or <c>revocation</c>.
/// </summary>
public sealed class TwitchProvider : WebhookProvider
{
    /// <summary>The message id header.</summary>
    public const string IdHeader = "Twitch-Eventsub-Message-Id";

    /// <summary>The signed timestamp header.</summary>
    public const string TimestampHeader = "Twitch-Eventsub-Message-Timestamp";

    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "Twitch-Eventsub-Message-Signature";

    /// <summary>The message type header: <c>notification</c>, <c>webhook_callback_verification</c> or <c>revocation</c>.</summary>
    public const string MessageTypeHeader = "Twitch-Eventsub-Message-Type";

    private static readonly string[] Fields = ["challenge", "subscription.type"];

    /// <summary>Initializes the provider.</summary>
    public TwitchProvider()
        : base("Twitch")
    {
    }

    /// <inheritdoc/>
    public override TimeSpan DefaultTolerance => TimeSpan.FromMinutes(10);

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [IdHeader, TimestampHeader, SignatureHeader, "Twitch-Eventsub-Message-Retry"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override WebhookReadError? Precheck(in WebhookRequest request) =>
            string.IsNullOrEmpty(request.Header(IdHeader)) ? WebhookReadError.MissingDeliveryId : null;

        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> id = request.Header(IdHeader).AsSpan().Trim();
            ReadOnlySpan<char> timestamp = request.Header(TimestampHeader).AsSpan().Trim();
            ReadOnlySpan<char> header = request.Header(SignatureHeader).AsSpan().Trim();
            if (id.IsEmpty || timestamp.IsEmpty || header.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            if (!header.StartsWith("sha256=", StringComparison.Ordinal) || !TryParseRfc3339(timestamp, out long signedAt))
            {
                return SignatureVerificationResult.Malformed;
            }

            int size = Encoding.UTF8.GetMaxByteCount(id.Length + timestamp.Length);
            byte[]? rented = size > Macs.StackPrefixBytes ? ArrayPool<byte>.Shared.Rent(size) : null;
            Span<byte> prefix = rented ?? stackalloc byte[Macs.StackPrefixBytes];
            int length = Encoding.UTF8.GetBytes(id, prefix);
            length += Encoding.UTF8.GetBytes(timestamp, prefix[length..]);
            SignatureVerificationResult result = Verify(prefix[..length], request.Body, header[7..], MacText.Hex, signedAt);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return result;
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (!request.TryGetSingle(IdHeader, out string id))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
            }

            Span<string?> values = new string?[Fields.Length];
            if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
            }

            return request.Header(MessageTypeHeader) switch
            {
                "webhook_callback_verification" when values[0] is { } challenge => WebhookReadResult.Answer(WebhookHandshake.Text(challenge)),
                "revocation" => WebhookReadResult.Event(id, "revocation"),
                _ => WebhookReadResult.Event(id, values[1] ?? ""),
            };
        }

        /// <summary>
        /// Reads <c>2019-11-16T10:11:12.634234626Z</c> as Unix seconds: the fraction (Twitch sends nanoseconds, more digits than
        /// .NET's parsers take) is dropped; only UTC (<c>Z</c>) is accepted.
        /// </summary>
        private static bool TryParseRfc3339(ReadOnlySpan<char> text, out long seconds)
        {
            seconds = 0;
            if (text.Length < 20 || (text[^1] != 'Z' && text[^1] != 'z'))
            {
                return false;
            }

            ReadOnlySpan<char> fraction = text[19..^1];
            if (!fraction.IsEmpty && (fraction[0] != '.' || fraction.Length == 1 || !TryDigits(fraction[1..Math.Min(fraction.Length, 10)], out _) || fraction.Length > 10))
            {
                return false;
            }

            // yyyy-MM-ddTHH:mm:ss, read digit by digit: the framework's exact parser allocates.
            ReadOnlySpan<char> t = text[..19];
            if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':' ||
                !TryDigits(t[..4], out int year) || !TryDigits(t[5..7], out int month) || !TryDigits(t[8..10], out int day) ||
                !TryDigits(t[11..13], out int hour) || !TryDigits(t[14..16], out int minute) || !TryDigits(t[17..19], out int second) ||
                year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }

            var at = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
            seconds = new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds();
            return true;
        }

        private static bool TryDigits(ReadOnlySpan<char> text, out int value)
        {
            value = 0;
            foreach (char c in text)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            return true;
        }
    }
}
