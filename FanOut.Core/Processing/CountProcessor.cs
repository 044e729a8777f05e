using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary><c>count</c>: how many records, and how many bytes of UTF-8 text they hold.</summary>
internal sealed class CountProcessor : IChunkProcessor
{
    public string Name => "count";

    public void ValidateOptions(JsonElement options, FieldErrors errors) =>
        ProcessorOptions.RejectAny(options, errors);

    public IChunkAccumulator Begin(JsonElement options, IRecordSink output) => new Accumulator();

    public JsonElement Merge(IReadOnlyList<JsonElement> partials, JsonElement options)
    {
        var sum = new CountPartial(0, 0);
        foreach (var partial in partials)
        {
            var part = partial.Deserialize(ProcessingJsonContext.Default.CountPartial)!;
            sum = new CountPartial(sum.Records + part.Records, sum.Bytes + part.Bytes);
        }
        return JsonSerializer.SerializeToElement(sum, ProcessingJsonContext.Default.CountPartial);
    }

    public JsonElement Finish(JsonElement merged, JsonElement options) => merged;

    private sealed class Accumulator : IChunkAccumulator
    {
        private long _records;
        private long _bytes;

        public void Add(ChunkRecord record)
        {
            _records++;
            _bytes += record.Text.Length;
        }

        public JsonElement Complete() =>
            JsonSerializer.SerializeToElement(new CountPartial(_records, _bytes), ProcessingJsonContext.Default.CountPartial);
    }
}

/// <summary>The partial and final result of <c>count</c>.</summary>
internal sealed record CountPartial(long Records, long Bytes);
