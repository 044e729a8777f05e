using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using FanOut.Core.Processing;

namespace FanOut.Samples.Enrich;

/// <summary><c>enrich</c>: for each NDJSON record, a JSON object with an <c>id</c>, asks the downstream for the
/// item of that id and emits the record with the item's fields merged in (the item's value wins where both have a
/// field); a record the downstream does not know is emitted as it was. A record that is not an object with an
/// <c>id</c>, or not text (invalid UTF-8, a lone surrogate escape), is emitted unchanged and counted only in
/// <see cref="EnrichCounts.Records"/>.</summary>
public sealed class EnrichProcessor(EnrichClient downstream) : AsyncChunkProcessor<NoOptions, EnrichCounts, EnrichCounts>
{
    /// <inheritdoc/>
    public override string Name => "enrich";

    /// <inheritdoc/>
    protected override string? OutputFormat => "ndjson";

    /// <inheritdoc/>
    protected override EnrichCounts Begin(NoOptions options) => new();

    /// <inheritdoc/>
    protected override async Task AddAsync(EnrichCounts partial, ReadOnlyMemory<byte> record, ChunkContext<NoOptions> chunk, CancellationToken cancellationToken)
    {
        partial.Records++;
        if (ReadObject(record) is not { } input || Id(input) is not { } id)
        {
            chunk.Output.Write(record.Span);
            return;
        }
        if (await downstream.GetItemAsync(id, cancellationToken).ConfigureAwait(false) is { } item)
        {
            foreach (var (name, value) in item)
            {
                input[name] = value?.DeepClone();
            }
            partial.Enriched++;
        }
        else
        {
            partial.Missing++;
        }
        chunk.Output.Write(JsonSerializer.SerializeToUtf8Bytes(input));
    }

    /// <inheritdoc/>
    protected override EnrichCounts Merge(EnrichCounts into, EnrichCounts from)
    {
        into.Records += from.Records;
        into.Enriched += from.Enriched;
        into.Missing += from.Missing;
        return into;
    }

    /// <inheritdoc/>
    protected override EnrichCounts Finish(EnrichCounts merged, NoOptions options) => merged;

    // The record as an object, or null when it is not one, or not text: invalid UTF-8 (which a parser would turn
    // into U+FFFD), or a lone surrogate escape ("\ud800"), which parses but throws once it is read as text.
    private static JsonObject? ReadObject(ReadOnlyMemory<byte> record)
    {
        if (!Utf8.IsValid(record.Span))
        {
            return null;
        }
        try
        {
            var input = JsonNode.Parse(record.Span) as JsonObject;
            _ = input?.ToJsonString(); // reads every name and string now, not after the downstream call
            return input;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    // "id": "a-7" or "id": 7.
    private static string? Id(JsonObject record) => record["id"] is JsonValue id
        ? id.TryGetValue<string>(out var text) ? text : id.ToJsonString()
        : null;
}
