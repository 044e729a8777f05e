using FanOut.Core.Processing;
using FanOut.Core.Sources;

namespace FanOut.Benchmarks;

/// <summary>The lines of a whole text given to an accumulator as a chunk worker gives them (ChunkRecords): in blocks
/// when the accumulator takes them so, else one record at a time.</summary>
internal static class ChunkLines
{
    public static Task<long> ReadAsync(Stream stream, long length, IChunkAccumulator accumulator) =>
        accumulator is ILineBlockAccumulator blocks
            ? LineRecords.ReadBlocksAsync(stream, 0, length, blocks.AddLines)
            : LineRecords.ReadAsync(stream, 0, length, record => accumulator.Add(new ChunkRecord(record)));
}
