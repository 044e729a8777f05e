using System.Text.Json;
using System.Text.Json.Serialization;
using FanOut.Core.Contracts;

namespace FanOut.Core.Runs;

/// <summary>How the count of one chunk's quote characters came out.</summary>
internal enum QuoteParity
{
    /// <summary>An even count.</summary>
    Even,
    /// <summary>An odd count.</summary>
    Odd,
    /// <summary>The count failed (listed in the tally's failures).</summary>
    Failed,
    /// <summary>Not counted in time.</summary>
    Unknown,
}

/// <summary>The quote pass's tally of a range: the parity of each chunk's quote count, in chunk order.</summary>
internal sealed record QuoteTally
{
    /// <summary>One parity per chunk of the range.</summary>
    [JsonConverter(typeof(ParitiesConverter))]
    public required IReadOnlyList<QuoteParity> Parities { get; init; }

    /// <summary>The failed counts, by chunk index.</summary>
    public IReadOnlyList<ChunkFailure> Failures { get; init; } = [];

    // On the wire one character per chunk ('0' even, '1' odd, 'x' failed, '-' unknown): a node of a
    // million-chunk tree answers a megabyte, not a JSON array of a million strings.
    internal sealed class ParitiesConverter : JsonConverter<IReadOnlyList<QuoteParity>>
    {
        public override IReadOnlyList<QuoteParity> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            [.. (reader.GetString() ?? "").Select(c => c switch
            {
                '0' => QuoteParity.Even,
                '1' => QuoteParity.Odd,
                'x' => QuoteParity.Failed,
                '-' => QuoteParity.Unknown,
                _ => throw new JsonException($"'{c}' is not a quote parity."),
            })];

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<QuoteParity> value, JsonSerializerOptions options) =>
            writer.WriteStringValue(string.Concat(value.Select(p => p switch
            {
                QuoteParity.Even => '0',
                QuoteParity.Odd => '1',
                QuoteParity.Failed => 'x',
                _ => '-',
            })));
    }
}
