using FanOut.Core.Contracts;

namespace FanOut.Core.Planning;

/// <summary>The arithmetic of a job's chunks: how many, which items each holds, and which pass goes before them.</summary>
internal static class ChunkPlanner
{
    /// <summary>Chunks of <paramref name="chunkSize"/> items that hold <paramref name="itemCount"/> items: the last one may
    /// hold fewer, none is empty.</summary>
    public static int ChunkCount(long itemCount, int chunkSize) => (int)((itemCount + chunkSize - 1) / chunkSize);

    /// <summary>Whether a job's runs count the quotes of its chunks before they send them: a CSV source cut by bytes, whose
    /// chunks cannot know by themselves whether they start inside a quoted field.</summary>
    public static bool CountsQuotes(SourceFormat? format, long chunkBytes) => format == SourceFormat.Csv && chunkBytes > 0;

    /// <summary>Every item lands in exactly one chunk; chunks keep the items' order; all chunks hold
    /// <paramref name="chunkSize"/> items but the last, which holds the rest.</summary>
    public static IReadOnlyList<ChunkRange> PlanInline(int itemCount, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var chunks = new ChunkRange[ChunkCount(itemCount, chunkSize)];
        for (var i = 0; i < chunks.Length; i++)
        {
            var start = i * chunkSize;
            chunks[i] = new ChunkRange(i, start, Math.Min(chunkSize, itemCount - start));
        }
        return chunks;
    }
}
