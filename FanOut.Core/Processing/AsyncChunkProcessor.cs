using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary>The base of a chunk processor that waits on something for each record, such as a call to a downstream
/// HTTP API: <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/> with <see cref="AddAsync"/> in place of
/// <c>Add</c>. The runtime reads the chunk's records first (copied, so a chunk of an async processor holds its
/// records in memory, as it holds its output), then awaits <see cref="AddAsync"/> once per record, in order.
/// To slow the whole job down when the downstream refuses, throw <see cref="DownstreamThrottledException"/>; any
/// other exception fails the chunk's attempt, which is retried.</summary>
/// <example>A processor whose typed HttpClient looks each record up:
/// <code>
/// public sealed class Lookup(ItemsClient items) : AsyncChunkProcessor&lt;NoOptions, Tally, Tally&gt;
/// {
///     public override string Name =&gt; "lookup";
///     protected override Tally Begin(NoOptions options) =&gt; new();
///     protected override async Task AddAsync(Tally partial, ReadOnlyMemory&lt;byte&gt; record, ChunkContext&lt;NoOptions&gt; chunk, CancellationToken cancellationToken)
///     {
///         if (await items.ExistsAsync(Encoding.UTF8.GetString(record.Span), cancellationToken)) partial.Found++;
///     }
///     protected override Tally Merge(Tally into, Tally from) { into.Found += from.Found; return into; }
///     protected override Tally Finish(Tally merged, NoOptions options) =&gt; merged;
/// }
/// </code>
/// A complete one, with its client and registration: <c>samples/Enrich</c>.</example>
/// <typeparam name="TOptions">As for <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/>.</typeparam>
/// <typeparam name="TPartial">As for <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/>.</typeparam>
/// <typeparam name="TResult">As for <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/>.</typeparam>
public abstract class AsyncChunkProcessor<TOptions, TPartial, TResult> : ChunkProcessor<TOptions, TPartial, TResult>
    where TOptions : class, new()
    where TPartial : class
{
    /// <summary>Adds one record of a chunk to the chunk's partial. The next record is added when the returned
    /// task completes.</summary>
    /// <param name="partial">The chunk's partial, from <c>Begin</c>.</param>
    /// <param name="record">The record's UTF-8 text (as <see cref="ChunkRecord"/> describes it), valid until the chunk ends.</param>
    /// <param name="chunk">The options, and where to emit output records.</param>
    /// <param name="cancellationToken">Cancelled when the chunk's call is given up (its caller went away: an attempt
    /// timeout, a hop deadline, the host's function timeout). Nothing of the chunk is committed then; it is sent again.</param>
    protected abstract Task AddAsync(TPartial partial, ReadOnlyMemory<byte> record, ChunkContext<TOptions> chunk, CancellationToken cancellationToken);

    /// <summary>Not called: the records of an async processor are added by <see cref="AddAsync"/>.</summary>
    /// <param name="partial">Unused.</param>
    /// <param name="record">Unused.</param>
    /// <param name="chunk">Unused.</param>
    protected sealed override void Add(TPartial partial, ChunkRecord record, ChunkContext<TOptions> chunk) =>
        throw new NotSupportedException($"Processor '{Name}' adds its records with AddAsync.");

    private protected sealed override IChunkAccumulator Accumulate(TPartial partial, ChunkContext<TOptions> chunk) =>
        new AsyncAccumulator(this, partial, chunk);

    private sealed class AsyncAccumulator(AsyncChunkProcessor<TOptions, TPartial, TResult> processor, TPartial partial, ChunkContext<TOptions> chunk)
        : IAsyncChunkAccumulator
    {
        public Task AddAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
            processor.AddAsync(partial, record, chunk, cancellationToken);

        public void Add(ChunkRecord record) => throw new NotSupportedException($"Processor '{processor.Name}' adds its records with AddAsync.");

        public JsonElement Complete() => processor.WritePartial(partial);
    }
}
