using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Contracts;

/// <summary>How a source's records are framed. On the wire, as in every request and chunk message before it was a type:
/// <c>lines</c>, <c>ndjson</c>, <c>csv</c>, <c>json</c>, and <c>items</c> (the app's own store of a job's inline items, never a request's).</summary>
[JsonConverter(typeof(SourceFormatConverter))]
internal enum SourceFormat
{
    /// <summary>Text, one record per line (the default).</summary>
    Lines,

    /// <summary>One JSON document per line.</summary>
    Ndjson,

    /// <summary>RFC 4180 CSV: a record per row, rows may span lines inside quoted fields.</summary>
    Csv,

    /// <summary>One JSON array: a record per element (cut by records only).</summary>
    Json,

    /// <summary>A job's inline items as the app stored them: one compact JSON value per line.</summary>
    Items,
}

/// <summary>The wire names of <see cref="SourceFormat"/>.</summary>
internal static class SourceFormats
{
    /// <summary>What a request may name, in the order the docs list them.</summary>
    public static readonly SourceFormat[] Given = [SourceFormat.Lines, SourceFormat.Ndjson, SourceFormat.Csv, SourceFormat.Json];

    /// <summary>The error of a format a request may not name.</summary>
    public static readonly string Expected = $"Must be one of: {string.Join(", ", Given.Select(Name))}.";

    /// <summary>The format's name on the wire.</summary>
    public static string Name(this SourceFormat format) => format switch
    {
        SourceFormat.Lines => "lines",
        SourceFormat.Ndjson => "ndjson",
        SourceFormat.Csv => "csv",
        SourceFormat.Json => "json",
        SourceFormat.Items => "items",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The format of a wire name, or null.</summary>
    public static SourceFormat? Parse(string? name) => name switch
    {
        "lines" => SourceFormat.Lines,
        "ndjson" => SourceFormat.Ndjson,
        "csv" => SourceFormat.Csv,
        "json" => SourceFormat.Json,
        "items" => SourceFormat.Items,
        _ => null,
    };
}

/// <summary>Reads and writes <see cref="SourceFormat"/> by its wire name; an unknown name is the field's error, not a crash.</summary>
internal sealed class SourceFormatConverter : JsonConverter<SourceFormat>
{
    /// <inheritdoc/>
    public override SourceFormat Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && SourceFormats.Parse(reader.GetString()) is { } format
            ? format
            : throw new WireValueException(SourceFormats.Expected);

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, SourceFormat value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name());
}
