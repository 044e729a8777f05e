using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Core.Processing;
using FanOut.Core.Sources;
using FanOut.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The pass that processes a job: a leaf sends each pending chunk as <c>process_chunk</c>, reads
/// the results of the range's committed chunks from the ledger, records failures, and merges the results
/// with the job's processor. A CSV job cut by bytes marks each chunk with its quote state
/// (<see cref="QuoteStates"/>); a chunk marked unknown is neither sent nor read: the run accounts for it. The
/// leaf's progress goes to its run's log as its chunks end (<see cref="LeafProgress"/>).</summary>
internal sealed class ChunkPass(
    IJobStore jobStore, IChunkStore chunkStore, IRunStore runStore, ChunkDispatcher dispatcher, ChunkProcessors processors, JobLevel level, TimeProvider timeProvider,
    IOptions<FanOutOptions> options, ILogger<ChunkPass> logger)
    : IPass<ChunkTally>
{
    /// <summary>The pass's name in a <c>dispatch</c> call.</summary>
    public const string PassName = "chunks";

    /// <inheritdoc/>
    public string Name => PassName;

    /// <inheritdoc/>
    public JsonTypeInfo<ChunkTally> Wire => RunsJsonContext.Default.ChunkTally;

    /// <inheritdoc/>
    public ChunkTally Missing(ChunkSpan span, IReadOnlyList<ChunkSpan> pending, bool sent) => ChunkTally.Missing(span, pending, sent);

    /// <inheritdoc/>
    public ChunkTally Combine(JobManifest manifest, IReadOnlyList<ChunkTally> parts)
    {
        var processor = processors.For(manifest);
        return ChunkTally.Combine(parts, partials => processor.Merge(partials, manifest.ProcessorOptions()));
    }

    /// <inheritdoc/>
    /// <remarks>Only a range with nothing pending (every chunk committed when the run began) can have one. Without it, the
    /// hop after a run's deadline read every committed chunk again to merge its range: a million-chunk job re-read all it
    /// had done at each hop (about 1,000 reads/s on Azurite), until a hop spent its whole deadline re-reading.</remarks>
    public async Task<ChunkTally?> RecallAsync(JobManifest manifest, NodeWork work)
    {
        if (work.Pending.Count > 0 || work.Depth == 1)
        {
            return null;
        }
        try
        {
            // Its chunks were committed before this run: none of them is new to it, nor open.
            return await chunkStore.ReadRangeTallyAsync(manifest.JobId, work.Span.First, work.Span.Count, Wire).ConfigureAwait(false) is { } recalled
                ? recalled with { NewlySucceeded = 0, NewItems = 0, Open = [], Unsure = [] }
                : null;
        }
        catch (StorageUnavailableException ex)
        {
            Log.RangeTallyUnread(logger, manifest.JobId, work.Span.First, work.Span.Count, ex.Message);
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>A range is done for good when every chunk of it succeeded: a committed chunk never changes, so neither does
    /// the range's tally. One write per node of the tree (about one per hundred chunks at the default width); not the
    /// root's, whose tally is the job's result.</remarks>
    public async Task RememberAsync(JobManifest manifest, NodeWork work, ChunkTally tally)
    {
        if (work.Depth == 1 || tally.Succeeded != work.Span.Count)
        {
            return;
        }
        try
        {
            await chunkStore.WriteRangeTallyAsync(manifest.JobId, work.Span.First, work.Span.Count, tally, Wire).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.RangeTallyUnread(logger, manifest.JobId, work.Span.First, work.Span.Count, ex.Message);
        }
    }

    /// <inheritdoc/>
    public async Task<ChunkTally> LeafAsync(JobManifest manifest, NodeWork work, HopDeadline deadline)
    {
        var toSend = work.PendingChunks().ToList();
        var pending = toSend.ToHashSet();
        var toRead = Enumerable.Range(work.Span.First, work.Span.Count)
            .Where(i => !pending.Contains(i) && QuoteStates.At(work, i) != QuoteState.Unknown).ToList();

        IReadOnlyList<ChunkOutcome> outcomes = [];
        var sent = new bool[work.Span.Count];
        if (toSend.Count > 0)
        {
            // The leaf's deadline on its clock, carried by each chunk's call: a chunk read after it is refused, not processed.
            var until = timeProvider.GetUtcNow() + deadline.Remaining;
            var messageOf = await MessagesAsync(manifest, work, toSend, until).ConfigureAwait(false);
            // What the sent chunks came to, in the run's progress log, for the job's status while it runs.
            await using var progress = LeafProgress.Start(runStore, manifest, work, toSend.Count, timeProvider, logger);
            outcomes = await dispatcher.DispatchAsync(manifest.JobId, [.. toSend.Select(i => new ChunkRange(i, 0, 0))],
                chunk =>
                {
                    sent[chunk.Index - work.Span.First] = true; // built as it is sent
                    return JsonSerializer.SerializeToUtf8Bytes(messageOf(chunk.Index), FanOutJsonContext.Default.ProcessChunkRequest);
                }, level.SlotsOf(manifest, work.Slots), deadline.Token, async outcome =>
                {
                    // A failure is recorded as it happens, before the progress counts it: a status that counts it lists it.
                    if (outcome.Succeeded)
                    {
                        FanOutTelemetry.ChunksSucceeded.Add(1);
                    }
                    if (outcome.Failed)
                    {
                        FanOutTelemetry.ChunksFailed.Add(1);
                        await RecordFailuresAsync(manifest.JobId, [new ChunkFailure(outcome.Chunk, outcome.Error!, outcome.Attempts)]).ConfigureAwait(false);
                    }
                    progress.Record(outcome);
                }).ConfigureAwait(false);
        }
        var read = await ReadCommittedAsync(manifest.JobId, toRead, work.Slots).ConfigureAwait(false);

        var failures = outcomes.Where(o => o.Failed).Select(o => new ChunkFailure(o.Chunk, o.Error!, o.Attempts)).ToList();
        var results = outcomes.Where(o => o.Succeeded).Select(o => new Done(o.Chunk, o.Result!.Items, o.Result.Result))
            .Concat(read.OfType<CommittedChunk>().Select(c => new Done(c.Chunk, c.Items, c.Result))).OrderBy(r => r.Chunk).ToList();
        var sentAndDone = outcomes.Where(o => o.Succeeded).ToList();
        var unread = Enumerable.Range(0, read.Length).Where(i => read[i] is null).Select(i => toRead[i]).ToList();
        return new ChunkTally
        {
            Succeeded = results.Count,
            Failed = failures.Count,
            Unfinished = outcomes.Count(o => o.Unfinished) + read.Count(r => r is null),
            NewlySucceeded = sentAndDone.Count,
            NewItems = sentAndDone.Sum(o => o.Result!.Items),
            Open = NodeWork.Runs(outcomes.Where(o => o.Unfinished).Select(o => o.Chunk).Concat(unread).Order()),
            // Sent and not answered: it may have committed. Not read: committed before this run, but not found (or not read).
            Unsure = NodeWork.Runs(outcomes.Where(o => o.Unfinished && sent[o.Chunk - work.Span.First]).Select(o => o.Chunk).Concat(unread).Order()),
            Items = results.Sum(r => r.Items),
            FailedItems = failures.Sum(f => manifest.ItemsIn(f.Chunk)),
            Result = results.Count == 0 ? null : processors.For(manifest).Merge([.. results.Select(r => r.Result)], manifest.ProcessorOptions()),
            Failures = [.. failures.Take(LedgerSnapshot.MaxListedFailures)],
        };
    }

    /// <summary>Records chunk failures in the ledger. One that cannot be written is not lost: the chunk simply
    /// stays pending for resume.</summary>
    public async Task RecordFailuresAsync(string jobId, IEnumerable<ChunkFailure> failures)
    {
        foreach (var failure in failures)
        {
            try
            {
                await chunkStore.RecordFailureAsync(jobId, failure).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                Log.FailureNotRecorded(logger, jobId, failure.Chunk, ex.Message);
            }
        }
    }

    /// <summary>Most bytes of stored items a leaf reads at once to carry them in its chunks' calls; a leaf whose pending
    /// chunks hold more sends each chunk its byte range to read instead.</summary>
    public const int CarriedItemsLimit = 4 * 1024 * 1024;

    // The process_chunk message of each chunk. Inline items: a leaf reads its chunks' offsets and then, when they are small
    // enough, all its pending chunks' lines in one read, and each call carries its chunk's items (the seed's pattern), so
    // a chunk costs its commit and no read of its own; larger ones get their byte range in the job's stored items. A blob
    // source: the byte range it reads. A leaf reads the plan, never the data.
    private async Task<Func<int, ProcessChunkRequest>> MessagesAsync(JobManifest manifest, NodeWork work, IReadOnlyList<int> toSend, DateTimeOffset until)
    {
        var depth = work.Depth + 1;
        if (manifest.Source is null)
        {
            var (offset, length) = ItemLines.OffsetsOf(work.Span.First, work.Span.Count);
            var offsets = ItemLines.ReadOffsets(await jobStore.ReadInputRangeAsync(manifest.InputBlob, offset, length).ConfigureAwait(false));
            long Start(int index) => offsets[index - work.Span.First];
            var (from, to) = (Start(toSend[0]), Start(toSend[^1] + 1));
            if (to - from <= CarriedItemsLimit)
            {
                var lines = await jobStore.ReadInputRangeAsync(manifest.InputBlob, from, (int)(to - from)).ConfigureAwait(false);
                return index => ChunkMessage(manifest, index, depth, work.RunId, until) with
                {
                    Items = RawJson.OfLines(lines.AsMemory((int)(Start(index) - from), (int)(Start(index + 1) - Start(index)))),
                };
            }
            var items = new SourceReference { Container = options.Value.Storage.Container, Blob = manifest.InputBlob, Format = SourceFormat.Items };
            return index => ChunkMessage(manifest, index, depth, work.RunId, until) with { Source = items with { Start = Start(index), End = Start(index + 1) } };
        }
        var plan = await jobStore.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        return index => ChunkMessage(manifest, index, depth, work.RunId, until) with
        {
            Source = SourcePlanner.ChunkReference(manifest.Source, plan, index) with { InQuotes = QuoteStates.At(work, index).InQuotes() },
        };
    }

    // The process_chunk message of one chunk of a stored job, sent by run runId, with its sender's deadline (after it, the
    // chunk is not processed); its data (items or a source range) is added by the caller.
    private static ProcessChunkRequest ChunkMessage(JobManifest manifest, int index, int depth, string runId, DateTimeOffset deadline) => new()
    {
        Action = BatchActions.ProcessChunk,
        JobId = manifest.JobId,
        Chunk = index,
        Processor = manifest.Processor,
        Depth = depth,
        Options = manifest.Options is { ValueKind: not JsonValueKind.Null } options ? RawJson.Of(options) : null,
        RunId = runId,
        Deadline = deadline,
    };

    // A committed chunk that cannot be read stays unfinished (null): the ledger still has it for resume.
    private async Task<CommittedChunk?[]> ReadCommittedAsync(string jobId, List<int> chunks, int concurrency)
    {
        var results = new CommittedChunk?[chunks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            try
            {
                results[i] = await chunkStore.ReadChunkAsync(jobId, chunks[i], ct).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                Log.CommittedChunkUnread(logger, jobId, chunks[i], ex.Message);
            }
        }).ConfigureAwait(false);
        return results;
    }

    // A chunk with a result: answered by this run, or committed before it.
    private readonly record struct Done(int Chunk, long Items, JsonElement Result);
}
