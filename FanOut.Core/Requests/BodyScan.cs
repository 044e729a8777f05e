using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FanOut.Core.Requests;

/// <summary>One pass of a reader over a request body's bytes, before anything is built from them: the body must be
/// one JSON object, nested at most <see cref="MaxDepth"/> deep, whose every string (names included) is Unicode text
/// (valid UTF-8, no lone surrogate escape such as <c>"\ud800"</c>, which JSON allows but no string can hold), with
/// at most the configured number of inline <c>items</c>. It allocates nothing per token, so it costs the same on any
/// body; every later reader of the body can then take its strings and items as given. It also notes where each
/// top-level <c>items</c> array lies, so that the body can be parsed without them (<see cref="InlineItems"/>).</summary>
internal static class BodyScan
{
    /// <summary>Deepest nesting of a body (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most fields of a body's top-level object: every action knows fewer than twenty, so a body with more
    /// is refused as it is read, before a document of its million fields is built.</summary>
    public const int MaxFields = 64;

    /// <summary>Checks <paramref name="body"/>: a syntax problem is returned (a malformed body), a bad string or too
    /// many items is added to <paramref name="errors"/> by field (e.g. <c>items[3]</c>, <c>source.blob</c>). Each
    /// top-level <c>items</c> array read whole is added to <paramref name="itemArrays"/>: its bytes and its count.</summary>
    public static string? Check(ReadOnlyMemory<byte> body, int maxItems, FieldErrors errors, List<(Range Bytes, int Count)> itemArrays)
    {
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
        var path = new BodyPath(body);
        long items = 0;
        var fields = 0;
        var (arrayStart, arrayItems) = (0, 0);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "The body must be a JSON object.";
            }
            path.Open(0, isArray: false);
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.EndArray when depth == 1 && path.IsItems:
                        itemArrays.Add((arrayStart..((int)reader.TokenStartIndex + 1), arrayItems));
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        continue;
                    case JsonTokenType.PropertyName when depth == 1 && ++fields > MaxFields:
                        errors.Add("$", $"A request has at most {MaxFields} fields; this one has more.");
                        return null;
                    case JsonTokenType.PropertyName:
                        var unicode = IsUnicode(ref reader);
                        path.Name(depth - 1, (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, unicode && depth == 1 && reader.ValueTextEquals("items"u8));
                        if (!unicode)
                        {
                            errors.Add(path.Describe(depth - 1), "The field's name is not Unicode text" + Why);
                        }
                        continue;
                }
                path.Next(depth - 1);
                if (depth == 2 && path.IsItems)
                {
                    arrayItems++;
                    if (++items > maxItems)
                    {
                        errors.Add("items", $"At most {maxItems} inline items (FanOut__Limits__MaxInlineItems).");
                        return null;   // refused; the rest need not be read
                    }
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Open(depth, reader.TokenType == JsonTokenType.StartArray);
                    if (depth == 1 && path.IsItems)
                    {
                        (arrayStart, arrayItems) = ((int)reader.TokenStartIndex, 0);
                    }
                }
                else if (reader.TokenType == JsonTokenType.String && !IsUnicode(ref reader))
                {
                    errors.Add(path.Describe(depth - 1), "Not Unicode text" + Why);
                }
            }
            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    private const string Why = ": it holds a lone surrogate escape (such as \\ud800) or bytes that are not UTF-8.";

    // Valid UTF-8, and every \uD800-\uDBFF escape followed by a \uDC00-\uDFFF one (and no low one alone). The
    // reader has checked the escapes' syntax, so every '\' starts one; escapes are ASCII, so the raw bytes are
    // valid UTF-8 exactly when the text between them is.
    private static bool IsUnicode(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!Utf8.IsValid(raw))
        {
            return false;
        }
        if (!reader.ValueIsEscaped)
        {
            return true;
        }
        var highPending = false;
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i < raw.Length;)
        {
            var unit = raw[i + 1] == (byte)'u' && Utf8Parser.TryParse(raw.Slice(i + 2, 4), out int value, out _, 'X') ? value : -1;
            var isHigh = unit is >= 0xD800 and <= 0xDBFF;
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if (highPending != isLow)
            {
                return false;   // a high one not followed by a low one, or a low one alone
            }
            highPending = isHigh;
            var next = i + (unit >= 0 ? 6 : 2);
            var after = raw[next..].IndexOf((byte)'\\');
            if (highPending && after != 0)
            {
                return false;
            }
            i = after < 0 ? -1 : next + after;
        }
        return !highPending;
    }
}
