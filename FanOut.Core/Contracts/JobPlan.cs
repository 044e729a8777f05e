namespace FanOut.Core.Contracts;

/// <summary>The answer of a <c>dryRun</c> start_fanout: what the job would do, with nothing written and
/// nothing dispatched.</summary>
internal sealed record JobPlan
{
    /// <summary>Always true: this is a plan, not a job.</summary>
    public bool DryRun { get; init; } = true;

    /// <summary>The job id the job would have.</summary>
    public required string JobId { get; init; }

    /// <summary>The processor it would run.</summary>
    public required string Processor { get; init; }

    /// <summary>How many chunks.</summary>
    public int Chunks { get; init; }

    /// <summary>Items (records) in all; null when unknown (a blob source cut by bytes is never scanned).</summary>
    public long? Items { get; init; }

    /// <summary>For a blob source: how many blobs and bytes.</summary>
    public PlannedSource? Source { get; init; }

    /// <summary>The largest chunk, by items for inline data and by bytes for a blob source.</summary>
    public PlannedChunkSize? LargestChunk { get; init; }

    /// <summary>Invocations per level of the dispatch tree, from the top: the dispatchers of each level
    /// (one at the top; at most FanoutWidth calls each), then the chunks.</summary>
    public IReadOnlyList<int> TreeLevels { get; init; } = [];

    /// <summary>Chunks in flight at most: the job's <c>maxConcurrency</c>, narrowed so that its open invocations (the
    /// root, the dispatchers under it and the chunks) fit the app's invocation budget (<c>FanOut__Platform__*</c>).</summary>
    public int Concurrency { get; init; }

    /// <summary>Function invocations the job would take: start_fanout, every dispatcher, every chunk (and,
    /// for CSV cut by bytes, every count_quotes).</summary>
    public long Invocations { get; init; }

    /// <summary>With <c>estimate</c>: the projection of the run from a sample of its chunks.</summary>
    public JobEstimate? Estimate { get; init; }
}

/// <summary>The blobs a plan would read.</summary>
internal sealed record PlannedSource(int Blobs, long Bytes);

/// <summary>One chunk's size in a plan: items (inline) or bytes (blob source).</summary>
internal sealed record PlannedChunkSize(int Chunk, long? Items, long? Bytes);
