using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Contracts;

/// <summary>A JSON value a message carries as it stands, never copied: written from the element it holds, or (a chunk's
/// stored items) from compact JSON values one per line, as an array; read by skipping it, the reader of the message then
/// taking the element from the body it read (<see cref="ProcessChunkRequest.WithRawFieldsOf"/>), so that megabytes of
/// items are parsed once, by the endpoint, and never copied into the message.</summary>
[JsonConverter(typeof(RawJsonConverter))]
internal readonly record struct RawJson
{
    /// <summary>The value, when it was read or given as an element.</summary>
    public JsonElement Element { get; init; }

    /// <summary>Compact JSON values, each ending with a newline, written as one array (see <c>ItemLines</c> in Sources).</summary>
    public ReadOnlyMemory<byte> Lines { get; init; }

    /// <summary>The value of an element.</summary>
    public static RawJson Of(JsonElement element) => new() { Element = element };

    /// <summary>An array of the values of <paramref name="lines"/>.</summary>
    public static RawJson OfLines(ReadOnlyMemory<byte> lines) => new() { Lines = lines };
}

/// <summary>Writes a <see cref="RawJson"/> as it stands and skips it when reading.</summary>
internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    /// <inheritdoc/>
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("A raw value must be read from a whole body.");
        }
        return default;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        if (value.Element.ValueKind != JsonValueKind.Undefined)
        {
            value.Element.WriteTo(writer);
            return;
        }
        writer.WriteStartArray();
        for (var rest = value.Lines.Span; !rest.IsEmpty;)
        {
            var end = rest.IndexOf((byte)'\n');
            // The stored lines were written by the app as compact JSON values: no need to check them again.
            writer.WriteRawValue(rest[..end], skipInputValidation: true);
            rest = rest[(end + 1)..];
        }
        writer.WriteEndArray();
    }
}
