using System;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Webhooks.Providers;

/// <summary>
/// Reads a few fields of a verified JSON body in one <see cref="Utf8JsonReader"/> pass, checking the whole document on the way:
/// for the delivery id and type of schemes that carry them in the body. Never throws on the body's content.
/// </summary>
public static class WebhookJsonFields
{
    /// <summary>How deep a body may nest: 256 levels (System.Text.Json's own default for deserializing is 64).</summary>
    public const int MaxDepth = 256;

    private const int MaxPaths = 16;
    private const int MaxPathDepth = 4;

    /// <summary>
    /// Checks that <paramref name="json"/> is one JSON object, that every string and property name is valid UTF-8 (escapes
    /// included), and that no field asked for is given twice; and reads the fields at <paramref name="paths"/>.
    /// </summary>
    /// <param name="json">The body.</param>
    /// <param name="paths">
    /// Up to 16 fields, each a property name or a dotted path through nested objects of at most four names, for example
    /// <c>id</c> or <c>payload.plainToken</c>.
    /// </param>
    /// <param name="values">
    /// Receives, for each path, the field's value: a string's text, a number's or a boolean's JSON text; <see langword="null"/>
    /// when the field is absent, <c>null</c>, an object or an array.
    /// </param>
    /// <returns><see langword="false"/> when the document fails a check.</returns>
    /// <exception cref="ArgumentException">More than 16 paths, or <paramref name="values"/> is shorter than <paramref name="paths"/>.</exception>
    public static bool TryRead(ReadOnlySpan<byte> json, ReadOnlySpan<string> paths, Span<string?> values)
    {
        if (paths.Length > MaxPaths)
        {
            throw new ArgumentException($"At most {MaxPaths} fields can be read in one pass.", nameof(paths));
        }

        if (values.Length < paths.Length)
        {
            throw new ArgumentException("There must be a value slot for every path.", nameof(values));
        }

        values[..paths.Length].Clear();
        return Scan(json, paths, values, objectOnly: true);
    }

    /// <summary>Checks that <paramref name="json"/> is one JSON value (an object, an array, …) whose strings and property names are all valid UTF-8.</summary>
    /// <param name="json">The body.</param>
    /// <returns><see langword="false"/> when it is not.</returns>
    public static bool IsValid(ReadOnlySpan<byte> json) => Scan(json, [], [], objectOnly: false);

    private static bool Scan(ReadOnlySpan<byte> json, ReadOnlySpan<string> paths, Span<string?> values, bool objectOnly)
    {
        // alive[d]: the paths whose first d names match the objects entered so far (bit i for paths[i]).
        Span<int> alive = stackalloc int[MaxPathDepth + 1];
        alive[0] = (1 << paths.Length) - 1;
        int seen = 0;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || (objectOnly && reader.TokenType != JsonTokenType.StartObject))
            {
                return false;
            }

            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                // A single scalar: valid when it is one well-formed value and nothing follows.
                return (reader.TokenType != JsonTokenType.String || IsValidText(ref reader)) && !reader.Read();
            }

            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        if (!IsValidText(ref reader))
                        {
                            return false;
                        }

                        int depth = reader.CurrentDepth;
                        int candidates = depth <= MaxPathDepth ? alive[depth - 1] : 0;
                        if (candidates == 0)
                        {
                            break;
                        }

                        // Which asked-for paths this property ends (a value), and which it continues (an object below).
                        int ends = 0;
                        int continues = 0;
                        for (int i = 0; i < paths.Length; i++)
                        {
                            if ((candidates & (1 << i)) != 0 && Segment(paths[i], depth - 1, out bool last) is { IsEmpty: false } name && reader.ValueTextEquals(name))
                            {
                                if (last)
                                {
                                    ends |= 1 << i;
                                }
                                else
                                {
                                    continues |= 1 << i;
                                }
                            }
                        }

                        if ((ends & seen) != 0)
                        {
                            // A field asked for is given twice: which one counts would depend on the reader.
                            return false;
                        }

                        seen |= ends;
                        if (!reader.Read())
                        {
                            return false;
                        }

                        if (ends != 0 && !ReadValue(ref reader, paths.Length, ends, values))
                        {
                            return false;
                        }

                        if (reader.TokenType == JsonTokenType.StartObject && depth < MaxPathDepth)
                        {
                            alive[depth] = continues;
                        }
                        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && depth < MaxPathDepth)
                        {
                            alive[depth] = 0;
                        }
                        else if (reader.TokenType == JsonTokenType.String && !IsValidText(ref reader))
                        {
                            return false;
                        }

                        break;
                    }

                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth <= MaxPathDepth:
                        // An object inside an array: no path leads into it.
                        alive[reader.CurrentDepth] = 0;
                        break;

                    case JsonTokenType.String when !IsValidText(ref reader):
                        return false;
                }

                if (reader.CurrentDepth == 0 && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    // The document is closed; nothing but white space may follow.
                    return !reader.Read();
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string the reader cannot turn into text (invalid UTF-8 or UTF-16 escapes).
            return false;
        }
    }

    private static bool ReadValue(ref Utf8JsonReader reader, int count, int ends, Span<string?> values)
    {
        string? value;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (!IsValidText(ref reader))
                {
                    return false;
                }

                value = reader.GetString();
                break;
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                value = Encoding.UTF8.GetString(reader.ValueSpan);
                break;
            default:
                value = null;
                break;
        }

        for (int i = 0; i < count; i++)
        {
            if ((ends & (1 << i)) != 0)
            {
                values[i] = value;
            }
        }

        return true;
    }

    /// <summary>The <paramref name="index"/>th dot-separated name of <paramref name="path"/>; empty past its end.</summary>
    private static ReadOnlySpan<char> Segment(string path, int index, out bool last)
    {
        ReadOnlySpan<char> rest = path;
        for (int i = 0; i < index; i++)
        {
            int dot = rest.IndexOf('.');
            if (dot < 0)
            {
                last = false;
                return default;
            }

            rest = rest[(dot + 1)..];
        }

        int end = rest.IndexOf('.');
        last = end < 0;
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>Tells whether the current string or property name is valid text, its escapes included.</summary>
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? default : reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(raw);
        }

        // Unescaped text is never longer than its escaped form.
        byte[]? rented = raw.Length > 512 ? ArrayPool<byte>.Shared.Rent(raw.Length) : null;
        Span<byte> text = rented ?? stackalloc byte[512];
        try
        {
            int length = reader.CopyString(text);
            return Utf8.IsValid(text[..length]);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
