namespace FanOut.Core.Processing;

/// <summary>What a processor knows of the chunk whose records it is adding.</summary>
/// <typeparam name="TOptions">The processor's options type.</typeparam>
public sealed class ChunkContext<TOptions>
{
    internal ChunkContext(TOptions options, IRecordSink output)
    {
        Options = options;
        Output = output;
    }

    /// <summary>The request's options, read and validated.</summary>
    public TOptions Options { get; }

    /// <summary>Where the chunk's output records go: a processor with an output format emits its records here, and
    /// they become the chunk's output part. Records emitted where there is no part (a chunk outside a job) are dropped.</summary>
    public IRecordSink Output { get; }
}
