namespace FanOut.Core.Processing;

/// <summary>What a processor knows of the chunk whose records it is adding.</summary>
/// <typeparam name="TOptions">The processor's options type.</typeparam>
public sealed class ChunkContext<TOptions>
{
    internal ChunkContext(TOptions options, IRecordSink output, string? jobId, int chunk)
    {
        Options = options;
        Output = output;
        JobId = jobId;
        Chunk = chunk;
    }

    /// <summary>The request's options, read and validated.</summary>
    public TOptions Options { get; }

    /// <summary>Where the chunk's output records go: a processor with an output format emits its records here, and
    /// they become the chunk's output part. Records emitted where there is no part (a chunk outside a job) are dropped.</summary>
    public IRecordSink Output { get; }

    /// <summary>The job the chunk belongs to, or null for a chunk sent on its own (<c>process_chunk</c> without a job).</summary>
    public string? JobId { get; }

    /// <summary>The chunk's index in its job, from 0.</summary>
    public int Chunk { get; }
}
