namespace Webhooks.Signatures;

/// <summary>How a scheme writes its MAC in a header.</summary>
internal enum MacText
{
    /// <summary>Hex digits, either case.</summary>
    Hex,

    /// <summary>Standard base64, padded or not.</summary>
    Base64,
}
