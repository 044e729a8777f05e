namespace FanOut.Core.Planning;

/// <summary>Splits a job's items into chunks of a given size, in order.</summary>
internal static class ChunkPlanner
{
    /// <summary>Every item lands in exactly one chunk; chunks keep the items' order; all chunks hold
    /// <paramref name="chunkSize"/> items but the last, which holds the rest.</summary>
    public static IReadOnlyList<ChunkRange> PlanInline(int itemCount, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var chunks = new ChunkRange[(int)(((long)itemCount + chunkSize - 1) / chunkSize)];
        for (var i = 0; i < chunks.Length; i++)
        {
            var start = i * chunkSize;
            chunks[i] = new ChunkRange(i, start, Math.Min(chunkSize, itemCount - start));
        }
        return chunks;
    }
}
