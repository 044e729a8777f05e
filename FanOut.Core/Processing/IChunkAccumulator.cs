using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary>Takes the records of one chunk, one at a time, and yields the chunk's partial result.</summary>
internal interface IChunkAccumulator
{
    /// <summary>Adds one record.</summary>
    void Add(ChunkRecord record);

    /// <summary>The chunk's partial result; it must be mergeable by the processor's <see cref="IChunkProcessor.Merge"/>.</summary>
    JsonElement Complete();
}
