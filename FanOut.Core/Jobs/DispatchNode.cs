using System.Collections.Concurrent;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Core.Processing;
using FanOut.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>What one node of a job's dispatch tree is asked to do.</summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="Span">Its range of chunks.</param>
/// <param name="Pending">The runs of the range with no committed result, ascending.</param>
/// <param name="QuoteStates">CSV cut by bytes: each chunk's quote state at its start ('1', '0', '-').</param>
/// <param name="Depth">Its depth: 1 at the top; what it sends goes one deeper.</param>
/// <param name="QuotePass">The first pass of a CSV job cut by bytes: count the range's quotes instead.</param>
public sealed record NodeWork(string RunId, ChunkSpan Span, IReadOnlyList<ChunkSpan> Pending, string? QuoteStates, int Depth, bool QuotePass = false);

/// <summary>A node of a job's dispatch tree. A range of at most FanoutWidth chunks is sent as one
/// <c>process_chunk</c> per pending chunk, and its committed chunks are read from the ledger; a larger
/// one is split (<see cref="DispatchTree.Split"/>) and each sub-range POSTed as <c>dispatch</c>. Either
/// way the range's results are merged on the way up, so no node holds more than its children's answers.
/// When its deadline passes it stops sending and waiting and answers what it has; the rest is unfinished.</summary>
public sealed class DispatchNode(
    JobLedger ledger, ChunkProcessors processors, ChunkDispatcher dispatcher, SelfClient self,
    IOptions<FanOutOptions> options, ILogger<DispatchNode> logger)
{
    /// <summary>Runs the node and answers its range's merged result.</summary>
    public async Task<SubtreeResult> RunAsync(JobManifest manifest, NodeWork work, HopDeadline deadline)
    {
        if (!processors.TryGet(manifest.Processor, out var processor))
        {
            throw new InvalidOperationException($"Job {manifest.JobId} needs processor '{manifest.Processor}', which is not registered.");
        }
        var children = DispatchTree.Split(work.Span, options.Value.Dispatch.FanoutWidth).ToList();
        return children.Count > 0 ? await SendSubtreesAsync(manifest, processor, work, children, deadline).ConfigureAwait(false)
            : work.QuotePass ? await CountQuotesAsync(manifest, work, deadline).ConfigureAwait(false)
            : await SendChunksAsync(manifest, processor, work, deadline).ConfigureAwait(false);
    }

    // The quote pass at a leaf: one count_quotes per chunk of the range, answered as parities.
    private async Task<SubtreeResult> CountQuotesAsync(JobManifest manifest, NodeWork work, HopDeadline deadline)
    {
        var plan = await ledger.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        var counts = await dispatcher.DispatchAsync(manifest.JobId, [.. Enumerable.Range(work.Span.First, work.Span.Count).Select(i => new ChunkRange(i, 0, 0))],
            chunk => ChunkBodies.CountQuotes(manifest, chunk.Index, SourcePlanner.ChunkReference(manifest.Source!, plan, chunk.Index), work.Depth + 1),
            manifest.MaxConcurrency, deadline.Token).ConfigureAwait(false);
        return new SubtreeResult
        {
            Parities = new string([.. counts.Select(c => c.Succeeded ? (c.Result!.Items % 2 == 1 ? '1' : '0') : c.Failed ? 'x' : '-')]),
            Failures = [.. counts.Where(c => c.Failed).Select(c => new ChunkFailure(c.Chunk, c.Error!, c.Attempts)).Take(LedgerSnapshot.MaxListedFailures)],
            Levels = 1,
        };
    }

    private async Task<SubtreeResult> SendChunksAsync(JobManifest manifest, IChunkProcessor processor, NodeWork work, HopDeadline deadline)
    {
        var pending = work.Pending.SelectMany(run => Enumerable.Range(run.First, run.Count)).ToHashSet();
        var toSend = Enumerable.Range(work.Span.First, work.Span.Count).Where(pending.Contains).ToList();
        var committed = Enumerable.Range(work.Span.First, work.Span.Count).Where(i => !pending.Contains(i)).ToList();

        IReadOnlyList<ChunkOutcome> outcomes = [];
        if (toSend.Count > 0)
        {
            var bodyOf = await BodiesAsync(manifest, work).ConfigureAwait(false);
            outcomes = await dispatcher.DispatchAsync(manifest.JobId, [.. toSend.Select(i => new ChunkRange(i, 0, 0))],
                chunk => bodyOf(chunk.Index), manifest.MaxConcurrency, deadline.Token).ConfigureAwait(false);
        }
        var read = await ReadCommittedAsync(manifest.JobId, committed, manifest.MaxConcurrency).ConfigureAwait(false);

        var failures = outcomes.Where(o => o.Failed).Select(o => new ChunkFailure(o.Chunk, o.Error!, o.Attempts)).ToList();
        await RecordFailuresAsync(manifest.JobId, failures).ConfigureAwait(false);
        var results = outcomes.Where(o => o.Succeeded).Select(o => o.Result!).Concat(read.OfType<ChunkResult>()).OrderBy(r => r.Chunk).ToList();
        var options = manifest.ProcessorOptions();
        return new SubtreeResult
        {
            Succeeded = results.Count,
            Failed = failures.Count,
            Unfinished = outcomes.Count(o => o.Unfinished) + read.Count(r => r is null),
            Items = results.Sum(r => r.Items),
            FailedItems = failures.Sum(f => JobStatusBuilder.ItemsIn(manifest, f.Chunk)),
            Result = results.Count == 0 ? null : processor.Merge([.. results.Select(r => r.Result)], options),
            Failures = [.. failures.Take(LedgerSnapshot.MaxListedFailures)],
            Outputs = [.. results.Where(r => r.Output is not null).Select(r => r.Output!)],
            Levels = 1,
        };
    }

    private async Task<SubtreeResult> SendSubtreesAsync(
        JobManifest manifest, IChunkProcessor processor, NodeWork work, List<ChunkSpan> children, HopDeadline deadline)
    {
        var answers = new ConcurrentBag<(ChunkSpan Span, SubtreeResult? Result)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = manifest.MaxConcurrency };
        await Parallel.ForEachAsync(children, parallel, async (child, _) =>
            answers.Add((child, await SendSubtreeAsync(manifest, work, child, deadline).ConfigureAwait(false)))).ConfigureAwait(false);

        var ordered = answers.OrderBy(a => a.Span.First).ToList();
        var done = ordered.Where(a => a.Result is not null).Select(a => a.Result!).ToList();
        var partials = done.Where(r => r.Result is not null).Select(r => r.Result!.Value).ToList();
        return new SubtreeResult
        {
            Succeeded = done.Sum(r => r.Succeeded),
            Failed = done.Sum(r => r.Failed),
            Unfinished = done.Sum(r => r.Unfinished) + ordered.Where(a => a.Result is null).Sum(a => a.Span.Count),
            Items = done.Sum(r => r.Items),
            FailedItems = done.Sum(r => r.FailedItems),
            Result = partials.Count == 0 ? null : processor.Merge(partials, manifest.ProcessorOptions()),
            Failures = [.. done.SelectMany(r => r.Failures).OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)],
            Outputs = [.. done.SelectMany(r => r.Outputs)],
            Parities = work.QuotePass ? string.Concat(ordered.Select(a => a.Result?.Parities ?? new string('-', a.Span.Count))) : null,
            Levels = 1 + done.Select(r => r.Levels).DefaultIfEmpty(0).Max(),
        };
    }

    // One sub-range's answer; null when it did not come in time or was not a result (its chunks are unfinished).
    private async Task<SubtreeResult?> SendSubtreeAsync(JobManifest manifest, NodeWork work, ChunkSpan child, HopDeadline deadline)
    {
        var budget = deadline.Remaining;
        if (deadline.Token.IsCancellationRequested || budget <= TimeSpan.Zero)
        {
            return null;
        }
        var pending = Slice(work.Pending, child);
        var quotes = work.QuoteStates?.Substring(child.First - work.Span.First, child.Count);
        var body = ChunkBodies.Subtree(manifest.JobId, work.RunId, child, pending, quotes, work.QuotePass, work.Depth + 1, budget);
        try
        {
            var call = await self.PostBatchAsync(body, $"{manifest.JobId}/dispatch/{child.First}", deadline.Token, budget, manifest.JobId).ConfigureAwait(false);
            if (call.StatusCode == 200)
            {
                return JsonSerializer.Deserialize(call.Body, FanOutJsonContext.Default.SubtreeResult);
            }
            Log.SubtreeFailed(logger, manifest.JobId, child.First, child.Count, call.StatusCode, call.Error ?? "");
            return null;
        }
        catch (OperationCanceledException) when (deadline.Token.IsCancellationRequested)
        {
            return null;
        }
        catch (JsonException ex)
        {
            Log.SubtreeFailed(logger, manifest.JobId, child.First, child.Count, 200, ex.Message);
            return null;
        }
    }

    /// <summary>The runs of <paramref name="pending"/> that lie in <paramref name="span"/>, clipped to it.</summary>
    public static List<ChunkSpan> Slice(IReadOnlyList<ChunkSpan> pending, ChunkSpan span)
    {
        var slice = new List<ChunkSpan>();
        foreach (var run in pending)
        {
            var first = Math.Max(run.First, span.First);
            var end = Math.Min(run.End, span.End);
            if (first < end)
            {
                slice.Add(new ChunkSpan(first, end - first));
            }
        }
        return slice;
    }

    // The process_chunk body of each chunk, from the job's stored input: its items, or its byte range.
    private async Task<Func<int, byte[]>> BodiesAsync(JobManifest manifest, NodeWork work)
    {
        var depth = work.Depth + 1;
        if (manifest.Source is null)
        {
            var input = await ledger.ReadInputAsync(manifest).ConfigureAwait(false);
            var ranges = ChunkPlanner.PlanInline((int)manifest.ItemCount, manifest.ChunkSize);
            using var inline = JsonDocument.Parse(input.ToMemory());
            // Only the node's own items are kept (cloned out of the parsed input, which is let go).
            var items = inline.RootElement.EnumerateArray().ToArray();
            var first = ranges[work.Span.First].Start;
            var last = ranges[work.Span.End - 1];
            var mine = items[first..(last.Start + last.Count)].Select(item => item.Clone()).ToArray();
            return index =>
            {
                var range = ranges[index];
                return ChunkBodies.ProcessChunk(manifest, range with { Start = range.Start - first }, mine, depth);
            };
        }
        var plan = await ledger.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        return index => ChunkBodies.ProcessSourceChunk(manifest, index,
            SourcePlanner.ChunkReference(manifest.Source, plan, index) with { InQuotes = QuoteState(work, index) }, depth);
    }

    private static bool? QuoteState(NodeWork work, int index) =>
        work.QuoteStates?[index - work.Span.First] switch { '1' => true, '0' => false, _ => null };

    // A committed chunk that cannot be read stays unfinished (null): the ledger still has it for resume.
    private async Task<ChunkResult?[]> ReadCommittedAsync(string jobId, List<int> chunks, int concurrency)
    {
        var results = new ChunkResult?[chunks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            try
            {
                results[i] = await ledger.ReadChunkAsync(jobId, chunks[i], ct).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                Log.CommittedChunkUnread(logger, jobId, chunks[i], ex.Message);
            }
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Records chunk failures in the ledger. One that cannot be written is not lost: the chunk simply
    /// stays pending for resume.</summary>
    internal async Task RecordFailuresAsync(string jobId, IEnumerable<ChunkFailure> failures)
    {
        foreach (var failure in failures)
        {
            try
            {
                await ledger.RecordFailureAsync(jobId, failure).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                Log.FailureNotRecorded(logger, jobId, failure.Chunk, ex.Message);
            }
        }
    }
}
