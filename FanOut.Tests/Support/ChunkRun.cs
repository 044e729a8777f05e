using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;

namespace FanOut.Tests.Support;

/// <summary>Runs a processor over one chunk's records as the chunk worker does, output discarded.</summary>
internal static class ChunkRun
{
    /// <summary>The chunk's partial result.</summary>
    public static JsonElement Partial(IChunkProcessor processor, JsonElement options, params string[] records)
    {
        var accumulator = processor.Begin(options, RecordSink.Discard);
        foreach (var record in records)
        {
            accumulator.Add(new ChunkRecord(Encoding.UTF8.GetBytes(record)));
        }
        return accumulator.Complete();
    }
}
