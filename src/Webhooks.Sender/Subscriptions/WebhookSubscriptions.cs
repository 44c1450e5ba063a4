using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Sender.Security;

namespace Webhooks.Sender.Subscriptions;

/// <summary>
/// Creates, changes and removes subscriptions: checks each URL against the <see cref="WebhookUrlPolicy"/> (its form and its
/// addresses), generates secrets (returned only at creation and rotation), and rotates them with an overlap during which the old
/// secret still signs beside the new one (at most five secrets at a time). Changes are compare-and-set on the subscription's version, retried when another writer
/// changed it first.
/// </summary>
public sealed class WebhookSubscriptions
{
    /// <summary>The overlap of a rotation when none is given: 24 hours.</summary>
    public static readonly TimeSpan DefaultRotationOverlap = TimeSpan.FromHours(24);

    private const int MaxEventTypes = 100;
    private const int MaxDescriptionLength = 500;
    private const int MaxMetadataEntries = 50;
    private const int MaxSecrets = 5;
    /// <summary>Crockford's base32 alphabet, lowercase: the characters of generated ids.</summary>
    internal const string Crockford = "0123456789abcdefghjkmnpqrstvwxyz";

    private readonly IWebhookSubscriptionStore _store;
    private readonly WebhookUrlPolicy _policy;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where subscriptions live.</param>
    /// <param name="policy">The guard URLs are checked against.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="policy"/> is <see langword="null"/>.</exception>
    public WebhookSubscriptions(IWebhookSubscriptionStore store, WebhookUrlPolicy policy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        _store = store;
        _policy = policy;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a subscription with a new secret.</summary>
    /// <param name="request">What to create.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription and its secret, which is not handed out again.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebhookSubscriptionException">The URL is refused or another field is invalid; its error code says which.</exception>
    public async ValueTask<WebhookSubscriptionCreated> CreateAsync(WebhookSubscriptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<string> eventTypes = CheckEventTypes(request.EventTypes);
        CheckDescription(request.Description);
        Dictionary<string, string> metadata = CheckMetadata(request.Metadata);
        CheckStyle(request.SignatureStyle);
        CheckSecret(request.Secret);
        await CheckUrlAsync(request.Url, cancellationToken).ConfigureAwait(false);

        DateTimeOffset now = _timeProvider.GetUtcNow();
        string secret = request.Secret ?? NewSecret();
        while (true)
        {
            var subscription = new WebhookSubscription
            {
                Id = NewId(now),
                Url = request.Url,
                EventTypes = eventTypes,
                IsActive = request.IsActive,
                Description = request.Description,
                Metadata = metadata,
                SignatureStyle = request.SignatureStyle,
                Secrets = [new WebhookSigningSecret(secret, now, null)],
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            if (await _store.AddAsync(subscription, cancellationToken).ConfigureAwait(false))
            {
                return new WebhookSubscriptionCreated(subscription, secret);
            }
        }
    }

    /// <summary>Reads a subscription.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _store.GetAsync(id, cancellationToken);
    }

    /// <summary>Lists subscriptions in the order they were created.</summary>
    /// <param name="after">The previous page's cursor, or <see langword="null"/>.</param>
    /// <param name="limit">1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    public ValueTask<WebhookSubscriptionPage> ListAsync(string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        return _store.ListAsync(after, limit, cancellationToken);
    }

    /// <summary>Changes a subscription; a new URL is checked again.</summary>
    /// <param name="id">The id.</param>
    /// <param name="change">What to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription as stored, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="change"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebhookSubscriptionException">The URL is refused or another field is invalid.</exception>
    public async ValueTask<WebhookSubscription?> UpdateAsync(string id, WebhookSubscriptionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        IReadOnlyList<string>? eventTypes = change.EventTypes is null ? null : CheckEventTypes(change.EventTypes);
        CheckDescription(change.Description);
        Dictionary<string, string>? metadata = change.Metadata is null ? null : CheckMetadata(change.Metadata);
        if (change.SignatureStyle is { } style)
        {
            CheckStyle(style);
        }

        if (change.Url is not null)
        {
            await CheckUrlAsync(change.Url, cancellationToken).ConfigureAwait(false);
        }

        return await ChangeAsync(
            id,
            current => current with
            {
                Url = change.Url ?? current.Url,
                EventTypes = eventTypes ?? current.EventTypes,
                IsActive = change.IsActive ?? current.IsActive,
                DisabledReason = change.IsActive == true ? null : current.DisabledReason,
                FailingSince = change.IsActive == true ? null : current.FailingSince,
                Description = change.Description ?? current.Description,
                Metadata = metadata ?? current.Metadata,
                SignatureStyle = change.SignatureStyle ?? current.SignatureStyle,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives a subscription a new secret. The secrets it had keep signing beside the new one until <paramref name="overlap"/> has
    /// passed (or until their own earlier end), so that the subscriber can switch without losing a delivery; zero drops them at once.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <param name="overlap">How long the old secret keeps signing; <see cref="DefaultRotationOverlap"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription and its new secret, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="overlap"/> is negative or more than 30 days.</exception>
    public async ValueTask<WebhookSubscriptionCreated?> RotateSecretAsync(string id, TimeSpan? overlap = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        TimeSpan keep = overlap ?? DefaultRotationOverlap;
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, TimeSpan.Zero, nameof(overlap));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keep, TimeSpan.FromDays(30), nameof(overlap));
        string secret = NewSecret();
        WebhookSubscription? rotated = await ChangeAsync(
            id,
            current =>
            {
                DateTimeOffset now = _timeProvider.GetUtcNow();
                DateTimeOffset end = now + keep;
                var secrets = new List<WebhookSigningSecret>(current.Secrets.Count + 1) { new(secret, now, null) };
                foreach (WebhookSigningSecret old in current.Secrets)
                {
                    DateTimeOffset oldEnd = old.ExpiresAt is { } expires && expires < end ? expires : end;
                    if (oldEnd > now && secrets.Count < MaxSecrets)
                    {
                        secrets.Add(old with { ExpiresAt = oldEnd });
                    }
                }

                return current with { Secrets = secrets };
            },
            cancellationToken).ConfigureAwait(false);
        return rotated is null ? null : new WebhookSubscriptionCreated(rotated, secret);
    }

    /// <summary>Removes a subscription.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when there was none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _store.RemoveAsync(id, cancellationToken);
    }

    /// <summary>
    /// Disables a subscription for a reason of the sender's (<c>gone</c> after a 410, <c>failing</c>); the subscription as disabled,
    /// or <see langword="null"/> when it is gone or was disabled already (by this call's loser of a race, too).
    /// </summary>
    internal async ValueTask<WebhookSubscription?> DisableAsync(string id, string reason, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebhookSubscription? current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is not { IsActive: true })
            {
                return null;
            }

            WebhookSubscription disabled = current with { IsActive = false, DisabledReason = reason, Version = current.Version + 1, UpdatedAt = _timeProvider.GetUtcNow() };
            if (await _store.ReplaceAsync(disabled, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return disabled;
            }
        }
    }

    /// <summary>
    /// Records an attempt's result on the subscription's failure streak: a success clears <see cref="WebhookSubscription.FailingSince"/>,
    /// a failure sets it when it is not set. Writes only when that changes. Returns the subscription as it is afterwards.
    /// </summary>
    internal async ValueTask<WebhookSubscription?> RecordOutcomeAsync(string id, bool succeeded, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebhookSubscription? current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null || (succeeded ? current.FailingSince is null : current.FailingSince is not null))
            {
                return current;
            }

            WebhookSubscription changed = current with { FailingSince = succeeded ? null : at, Version = current.Version + 1, UpdatedAt = _timeProvider.GetUtcNow() };
            if (await _store.ReplaceAsync(changed, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return changed;
            }
        }
    }

    /// <summary>The secrets that sign a delivery made at <paramref name="now"/>: the subscription's secrets whose overlap has not ended, newest first.</summary>
    internal static List<WebhookSigningSecret> SigningSecrets(WebhookSubscription subscription, DateTimeOffset now)
    {
        var secrets = new List<WebhookSigningSecret>(subscription.Secrets.Count);
        foreach (WebhookSigningSecret secret in subscription.Secrets)
        {
            if (secret.ExpiresAt is not { } expires || expires > now)
            {
                secrets.Add(secret);
            }
        }

        return secrets;
    }

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    internal static string NewSecret()
    {
        Span<byte> key = stackalloc byte[32];
        RandomNumberGenerator.Fill(key);
        string secret = "whsec_" + Convert.ToBase64String(key);
        CryptographicOperations.ZeroMemory(key);
        return secret;
    }

    /// <summary>A new id: <c>sub_</c>, 10 characters of the time in milliseconds and 16 random ones (Crockford base32, lowercase), so ids sort by creation.</summary>
    internal static string NewId(DateTimeOffset now) => string.Create(30, now.ToUnixTimeMilliseconds(), static (chars, milliseconds) =>
    {
        "sub_".CopyTo(chars);
        for (int i = 13; i >= 4; i--)
        {
            chars[i] = Crockford[(int)(milliseconds & 31)];
            milliseconds >>= 5;
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (int i = 0; i < 16; i++)
        {
            chars[14 + i] = Crockford[random[i] & 31];
        }
    });

    private async ValueTask<WebhookSubscription?> ChangeAsync(string id, Func<WebhookSubscription, WebhookSubscription> apply, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebhookSubscription? current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            WebhookSubscription changed = apply(current) with { Version = current.Version + 1, UpdatedAt = _timeProvider.GetUtcNow() };
            if (await _store.ReplaceAsync(changed, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return changed;
            }
        }
    }

    private async ValueTask CheckUrlAsync(string? url, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            throw new WebhookSubscriptionException(WebhookUrlErrors.InvalidUrl, "A URL is required.");
        }

        WebhookUrlCheck check = await _policy.CheckAsync(url, cancellationToken).ConfigureAwait(false);
        if (!check.IsAllowed)
        {
            throw new WebhookSubscriptionException(check.ErrorCode!, check.Detail!);
        }
    }

    private static string[] CheckEventTypes(IReadOnlyList<string>? eventTypes)
    {
        if (eventTypes is null || eventTypes.Count is 0 or > MaxEventTypes)
        {
            throw new WebhookSubscriptionException("invalid_event_types", $"Give 1 to {MaxEventTypes} event types.");
        }

        var copy = new string[eventTypes.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            if (!EventTypePattern.IsValid(eventTypes[i]))
            {
                throw new WebhookSubscriptionException("invalid_event_types", $"Event type {i + 1} is empty, longer than {EventTypePattern.MaxLength} characters, or holds a space or a character outside printable ASCII.");
            }

            copy[i] = eventTypes[i];
        }

        return copy;
    }

    private static void CheckDescription(string? description)
    {
        if (description is { Length: > MaxDescriptionLength })
        {
            throw new WebhookSubscriptionException("invalid_description", $"The description is longer than {MaxDescriptionLength} characters.");
        }
    }

    private static void CheckSecret(string? secret)
    {
        if (secret is null)
        {
            return;
        }

        Span<byte> key = stackalloc byte[64];
        bool valid = secret.StartsWith("whsec_", StringComparison.Ordinal) && secret.Length <= 6 + 88 &&
            Convert.TryFromBase64String(secret[6..], key, out int length) && length is >= 24 and <= 64;
        CryptographicOperations.ZeroMemory(key);
        if (!valid)
        {
            throw new WebhookSubscriptionException("invalid_secret", "A given secret must be whsec_ followed by the base64 of 24 to 64 bytes.");
        }
    }

    private static void CheckStyle(WebhookSignatureStyle style)
    {
        if (style is not (WebhookSignatureStyle.StandardWebhooks or WebhookSignatureStyle.GitHub))
        {
            throw new WebhookSubscriptionException("invalid_signature_style", "The signature style is neither StandardWebhooks nor GitHub.");
        }
    }

    private static Dictionary<string, string> CheckMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return copy;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new WebhookSubscriptionException("invalid_metadata", $"Metadata holds more than {MaxMetadataEntries} entries.");
        }

        foreach (KeyValuePair<string, string> entry in metadata)
        {
            if (string.IsNullOrEmpty(entry.Key) || entry.Key.Length > 100 || entry.Value is null || entry.Value.Length > 1000)
            {
                throw new WebhookSubscriptionException("invalid_metadata", "Metadata keys must be 1 to 100 characters and values at most 1000 (not null).");
            }

            copy[entry.Key] = entry.Value;
        }

        return copy;
    }
}
