using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary>What <c>project</c> reads of a record, straight from its bytes with a <see cref="Utf8JsonReader"/>, so a
/// record costs no allocation: whether it is one JSON object, where a property path's value lies, and that value
/// written out as <see cref="JsonElement.WriteTo"/> writes it (names and strings unescaped and escaped again by the
/// writer, numbers as they are). A name that repeats in an object finds its last value, as
/// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> does.</summary>
internal static class JsonFields
{
    /// <summary>True when <paramref name="json"/> is exactly one JSON value, an object (what
    /// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> accepts, and an object), in valid
    /// Unicode: valid UTF-8, and no string or name escaping a lone surrogate (<see cref="JsonUnicode"/>). One pass.</summary>
    public static bool IsTextObject(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return false;
        }
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            // To the end: a second value, or anything else that is not JSON, throws.
            while (reader.Read())
            {
                if (JsonUnicode.EscapesLoneSurrogate(reader))
                {
                    return false;
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The value at <paramref name="path"/> (UTF-8 property names, outermost first) of the object
    /// <paramref name="json"/>, as its bytes; false when a step is missing or not an object.</summary>
    public static bool TryFind(ReadOnlySpan<byte> json, byte[][] path, out ReadOnlySpan<byte> value)
    {
        value = json;
        foreach (var step in path)
        {
            var reader = new Utf8JsonReader(value);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            int start = -1, end = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(step);
                reader.Read();
                var at = (int)reader.TokenStartIndex;
                reader.Skip();
                if (match)
                {
                    (start, end) = (at, (int)reader.BytesConsumed);
                }
            }
            if (start < 0)
            {
                return false;
            }
            value = value[start..end];
        }
        return true;
    }

    /// <summary>Writes the JSON value <paramref name="value"/> to <paramref name="writer"/>, token by token.</summary>
    /// <param name="value">One JSON value.</param>
    /// <param name="writer">Where to write it.</param>
    /// <param name="scratch">Room for unescaped names and strings, grown as needed and kept for the next call.</param>
    public static void Copy(ReadOnlySpan<byte> value, Utf8JsonWriter writer, ref byte[] scratch)
    {
        var reader = new Utf8JsonReader(value);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    writer.WritePropertyName(Unescaped(ref reader, ref scratch));
                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(Unescaped(ref reader, ref scratch));
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    writer.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    writer.WriteBooleanValue(false);
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }
    }

    /// <summary>True when the JSON value <paramref name="value"/> equals <paramref name="expected"/> as
    /// <see cref="JsonElement.DeepEquals"/> has it: strings by their unescaped text, numbers by their value (1, 1.0
    /// and 10e-1 alike). Only an object or array <paramref name="expected"/> parses the value into a document.</summary>
    /// <param name="value">One JSON value.</param>
    /// <param name="expected">The value to compare with.</param>
    /// <param name="expectedUtf8">For a string <paramref name="expected"/>, its unescaped UTF-8; for a number, its text.</param>
    public static bool ValueEquals(ReadOnlySpan<byte> value, JsonElement expected, byte[]? expectedUtf8)
    {
        var reader = new Utf8JsonReader(value);
        reader.Read();
        switch (expected.ValueKind)
        {
            case JsonValueKind.String:
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expectedUtf8);
            case JsonValueKind.Number:
                // A number with an exponent too long to read equals only itself written alike (DeepEquals throws on
                // it, which used to fail the whole chunk).
                return reader.TokenType == JsonTokenType.Number && JsonNumbers.TryAreEqual(reader.ValueSpan, expectedUtf8, out var equal) && equal;
            case JsonValueKind.True:
                return reader.TokenType == JsonTokenType.True;
            case JsonValueKind.False:
                return reader.TokenType == JsonTokenType.False;
            case JsonValueKind.Null:
                return reader.TokenType == JsonTokenType.Null;
            default:
                using (var document = JsonDocument.Parse(value.ToArray()))
                {
                    try
                    {
                        return JsonElement.DeepEquals(document.RootElement, expected);
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        // DeepEquals throws on a number inside whose exponent does not fit an int: such a value equals
                        // only the same text, as a number alone does above.
                        return value.SequenceEqual(Encoding.UTF8.GetBytes(expected.GetRawText()));
                    }
                }
        }
    }

    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader, ref byte[] scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        if (scratch.Length < reader.ValueSpan.Length)
        {
            scratch = new byte[Math.Max(reader.ValueSpan.Length, scratch.Length * 2)];
        }
        return scratch.AsSpan(0, reader.CopyString(scratch));
    }
}
