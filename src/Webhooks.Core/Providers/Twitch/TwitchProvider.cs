using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
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
            if (!fraction.IsEmpty && (fraction[0] != '.' || fraction.Length == 1 || fraction[1..].ContainsAnyExceptInRange('0', '9')))
            {
                return false;
            }

            if (!DateTime.TryParseExact(text[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime at))
            {
                return false;
            }

            seconds = new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds();
            return true;
        }
    }
}
