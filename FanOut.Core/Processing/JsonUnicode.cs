using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary>Whether JSON text reads as Unicode. JSON may spell a lone surrogate (<c>"\ud800"</c>) and a reader
/// does not check a string's UTF-8, but neither is text: System.Text.Json throws on the first when it unescapes the
/// string, and replaces the second with U+FFFD. Records are checked here first, so that such a record is counted,
/// not a chunk failed or a record changed.</summary>
internal static class JsonUnicode
{
    /// <summary>True when <paramref name="json"/> is valid UTF-8 and none of its strings (values and property
    /// names) escapes a lone surrogate. Its syntax is not checked: the JSON parser does that.</summary>
    public static bool IsValid(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return false;
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                if (EscapesLoneSurrogate(reader))
                {
                    return false;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON from here on: the parser reports it.
        }
        return true;
    }

    /// <summary>True when the reader's current token is a string or property name that escapes a lone surrogate.</summary>
    public static bool EscapesLoneSurrogate(in Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && HasLoneSurrogate(reader.ValueSpan);

    /// <summary>True when <paramref name="text"/> is valid UTF-16 (no lone surrogate), so it can be written as JSON.</summary>
    public static bool IsValid(string text)
    {
        for (var rest = text.AsSpan(); !rest.IsEmpty;)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done)
            {
                return false;
            }
            rest = rest[used..];
        }
        return true;
    }

    /// <summary>True when the escaped contents of a JSON string (between its quotes, escapes well formed) have a
    /// <c>\uD800</c>–<c>\uDBFF</c> escape not followed by a <c>\uDC00</c>–<c>\uDFFF</c> one, or the latter alone.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> escaped)
    {
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != (byte)'\\')
            {
                continue;
            }
            i++; // the escaped character: '\\' itself is not the start of another escape
            if (escaped[i] != (byte)'u')
            {
                continue;
            }
            var unit = CodeUnit(escaped, i + 1);
            i += 4;
            if (char.IsLowSurrogate(unit))
            {
                return true;
            }
            if (char.IsHighSurrogate(unit))
            {
                if (i + 6 >= escaped.Length || escaped[i + 1] != (byte)'\\' || escaped[i + 2] != (byte)'u' || !char.IsLowSurrogate(CodeUnit(escaped, i + 3)))
                {
                    return true;
                }
                i += 6;
            }
        }
        return false;
    }

    // The UTF-16 code unit of the four hex digits at `at`.
    private static char CodeUnit(ReadOnlySpan<byte> escaped, int at) =>
        Utf8Parser.TryParse(escaped.Slice(at, 4), out ushort unit, out _, 'X') ? (char)unit : throw new FormatException("Not a \\u escape.");
}
