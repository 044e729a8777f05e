namespace FanOut.Core.Planning;

/// <summary>The shape of a job's dispatch tree. A dispatcher of at most <c>width</c> chunks POSTs them
/// as <c>process_chunk</c>; a larger one splits its range into sub-ranges of <c>width^k</c> chunks (the
/// smallest power that needs at most <c>width</c> of them) and POSTs each as <c>dispatch</c>. Sub-ranges
/// are aligned to their size, so every level but the last is full, and the tree has the fewest
/// dispatchers and levels the width allows.</summary>
internal static class DispatchTree
{
    /// <summary>Dispatch levels a job of <paramref name="chunks"/> chunks needs: 1 up to <c>width</c>
    /// chunks, 2 up to <c>width²</c>, and so on.</summary>
    public static int Levels(int chunks, int width)
    {
        var levels = 1;
        for (long reach = width; reach < chunks; reach *= width)
        {
            levels++;
        }
        return levels;
    }

    /// <summary>The root's slots: the job's <paramref name="maxConcurrency"/>, narrowed so that its open invocations fit
    /// the app's <paramref name="invocationBudget"/> B. Below the root, <see cref="Levels"/> levels hold invocations (the
    /// dispatchers under it and the chunks); a node never has more children open than it has slots and hands each its
    /// share, so each of those levels has at most S open: open(job) ≤ 1 + S·L ≤ B with S = ⌊(B − 1) / L⌋, at least 1.</summary>
    public static int RootSlots(int maxConcurrency, int chunks, int width, long invocationBudget)
    {
        var below = Levels(chunks, width);
        return (int)Math.Clamp((invocationBudget - 1) / below, 1, Math.Max(1, maxConcurrency));
    }

    /// <summary>A node's share of the job's slots at the job's concurrency level now. Shares are handed down the tree as parts of
    /// the root's slots at the job's start (<paramref name="startSlots"/>: <see cref="RootSlots"/> of its <c>maxConcurrency</c>);
    /// each node scales its own by the root's slots at the level now (<paramref name="levelSlots"/>: <see cref="RootSlots"/> of
    /// the level, within the same invocation budget), rounding down, and never below 1. Rounding down keeps the scaled shares
    /// of the nodes open at once within <paramref name="levelSlots"/>, as the shares were within <paramref name="startSlots"/>;
    /// only the floor of 1 can take them above it (more nodes open than the level has slots), until the lanes above them
    /// shrink too.</summary>
    public static int Scaled(int share, int startSlots, int levelSlots) =>
        (int)Math.Clamp((long)share * levelSlots / Math.Max(1, startSlots), 1, int.MaxValue);

    /// <summary>Most chunks a job may have so that its process_chunk calls arrive at depth at most
    /// <paramref name="maxDepth"/> (the top dispatcher is at depth 1, each level adds one).</summary>
    public static long MaxChunks(int width, int maxDepth)
    {
        long reach = 1;
        for (var level = 1; level < maxDepth && reach <= int.MaxValue; level++)
        {
            reach *= width;
        }
        return Math.Min(reach, int.MaxValue);
    }

    /// <summary>Invocations per level, from the top: the dispatchers of each level, then the chunks at
    /// the deepest level (a short last range can become a dispatcher of chunks a level early).</summary>
    public static int[] Shape(int chunks, int width)
    {
        var shape = new List<int>();
        List<ChunkSpan> level = [new ChunkSpan(0, chunks)];
        while (level.Count > 0)
        {
            shape.Add(level.Count);
            level = [.. level.SelectMany(span => Split(span, width))];
        }
        shape.Add(chunks);
        return [.. shape];
    }

    /// <summary>The sub-ranges a dispatcher of <paramref name="span"/> sends on as <c>dispatch</c>; empty
    /// when the span is small enough to send its chunks itself.</summary>
    public static IEnumerable<ChunkSpan> Split(ChunkSpan span, int width)
    {
        if (span.Count <= width)
        {
            yield break;
        }
        long size = 1;
        while (size * width < span.Count)
        {
            size *= width;
        }
        for (long first = span.First; first < span.End; first += size)
        {
            yield return new ChunkSpan((int)first, (int)Math.Min(size, span.End - first));
        }
    }
}

/// <summary>Chunk indices <c>[First, First + Count)</c>.</summary>
internal readonly record struct ChunkSpan(int First, int Count)
{
    /// <summary>One past the last index.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int End => First + Count;

    /// <summary>True when <paramref name="chunk"/> lies in the span.</summary>
    public bool Contains(int chunk) => chunk >= First && chunk < End;
}
