using System.Collections.Concurrent;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Runs a stored job (the <c>dispatch</c> action): dispatches every chunk that has no committed
/// result, records the failures, merges all committed results and writes the job's result. It finishes
/// what it started even if its caller went away: it takes no cancellation from the request.</summary>
public sealed class JobRunner(
    JobLedger ledger, ChunkProcessors processors, ChunkDispatcher dispatcher, JobStatusBuilder status,
    TimeProvider timeProvider, IOptions<FanOutOptions> options, ILogger<JobRunner> logger)
{
    /// <summary>Handles a <c>dispatch</c> body.</summary>
    public async Task<BatchReply> HandleAsync(JsonElement body)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.DispatchRequest, errors);
        if (request is null)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        var maxDepth = options.Value.Dispatch.MaxDepth;
        if (request.Depth < 1 || request.Depth > maxDepth)
        {
            return BatchReply.Problem(Problems.LoopDetected(request.Depth, maxDepth));
        }
        if (request.JobId is null || !JobIds.IsValid(request.JobId))
        {
            errors.Add("jobId", "Required: a valid job id.");
        }
        if (string.IsNullOrEmpty(request.RunId))
        {
            errors.Add("runId", "Required.");
        }
        if (!errors.IsEmpty)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        var result = await RunAsync(request.JobId!, request.RunId!).ConfigureAwait(false);
        return result is null
            ? BatchReply.Problem(Problems.UnknownJob(request.JobId!))
            : BatchReply.Json(200, result, FanOutJsonContext.Default.JobResult);
    }

    /// <summary>Runs the job; null when there is no such job.</summary>
    public async Task<JobResult?> RunAsync(string jobId, string runId)
    {
        var manifest = await ledger.GetManifestAsync(jobId).ConfigureAwait(false);
        if (manifest is null)
        {
            return null;
        }
        await ledger.MarkDispatchAsync(jobId, new DispatchMarker { RunId = runId, StartedAt = timeProvider.GetUtcNow() }).ConfigureAwait(false);
        if (await ledger.ReadResultAsync(jobId).ConfigureAwait(false) is { Status: JobStatus.Succeeded } done)
        {
            return done;
        }
        if (!processors.TryGet(manifest.Processor, out var processor))
        {
            throw new InvalidOperationException($"Job {jobId} needs processor '{manifest.Processor}', which is not registered.");
        }

        var snapshot = await ledger.ReadSnapshotAsync(jobId).ConfigureAwait(false);
        var input = await ledger.ReadInputAsync(manifest).ConfigureAwait(false);
        IReadOnlyList<ChunkRange> chunks;
        Func<ChunkRange, byte[]> bodyOf;
        List<ChunkFailure> unknown = [];
        using var inline = manifest.Source is null ? JsonDocument.Parse(input.ToMemory()) : null;
        if (inline is not null)
        {
            chunks = ChunkPlanner.PlanInline((int)manifest.ItemCount, manifest.ChunkSize);
            var items = inline.RootElement.EnumerateArray().ToArray();
            bodyOf = chunk => ChunkBodies.ProcessChunk(manifest, chunk, items);
        }
        else
        {
            // A chunk of a blob source is a byte range: its message carries the reference, never the data.
            chunks = [.. Enumerable.Range(0, manifest.ChunkCount).Select(i => new ChunkRange(i, 0, 0))];
            var plan = JsonSerializer.Deserialize(input.ToMemory().Span, FanOutJsonContext.Default.SourcePlan)!;
            var inQuotes = manifest.Source!.Format == "csv" && manifest.ChunkBytes > 0
                ? await QuoteStatesAsync(manifest, plan, chunks).ConfigureAwait(false)
                : null;
            bodyOf = chunk => ChunkBodies.ProcessSourceChunk(manifest, chunk.Index,
                SourcePlanner.ChunkReference(manifest.Source, plan, chunk.Index) with { InQuotes = inQuotes?[chunk.Index].InQuotes });
            unknown = inQuotes?.Where(q => q.InQuotes is null).Select(q => new ChunkFailure(q.Chunk, q.Error!, 0)).ToList() ?? [];
        }
        var pending = chunks.Where(c => !snapshot.Committed.ContainsKey(c.Index) && unknown.All(u => u.Chunk != c.Index)).ToList();

        var outcomes = await dispatcher.DispatchAsync(jobId, pending, bodyOf, manifest.MaxConcurrency).ConfigureAwait(false);
        var failures = outcomes.Where(o => !o.Succeeded).Select(o => new ChunkFailure(o.Chunk, o.Error!, o.Attempts))
            .Concat(unknown.Where(u => !snapshot.Committed.ContainsKey(u.Chunk))).ToList();
        await RecordAsync(jobId, failures).ConfigureAwait(false);

        var results = outcomes.Where(o => o.Succeeded).Select(o => o.Result!).ToList();
        results.AddRange(await ReadCommittedAsync(jobId, snapshot.Committed.Keys, manifest.MaxConcurrency).ConfigureAwait(false));
        var options = manifest.ProcessorOptions();
        var merged = processor.Merge([.. results.Select(r => r.Result)], options);
        var outputs = results.Where(r => r.Output is not null).OrderBy(r => r.Chunk).Select(r => r.Output!).ToList();
        var result = status.Finished(manifest, results.Sum(r => r.Items), failures, processor.Finish(merged, options))
            with { Outputs = outputs.Count > 0 ? outputs : null };
        await ledger.WriteResultAsync(result).ConfigureAwait(false);
        return result;
    }

    // CSV cut by bytes: a first pass counts each chunk's quotes, in parallel; the parity of the counts before
    // a chunk (within its blob) says whether it starts inside a quoted field. After a chunk whose count
    // failed, the rest of its blob has no known state: those chunks fail this run (resume counts again).
    private async Task<(int Chunk, bool? InQuotes, string? Error)[]> QuoteStatesAsync(JobManifest manifest, SourcePlan plan, IReadOnlyList<ChunkRange> chunks)
    {
        var counts = await dispatcher.DispatchAsync(manifest.JobId, chunks,
            chunk => ChunkBodies.CountQuotes(manifest, chunk.Index, SourcePlanner.ChunkReference(manifest.Source!, plan, chunk.Index)),
            manifest.MaxConcurrency).ConfigureAwait(false);
        var states = new (int, bool?, string?)[chunks.Count];
        bool? parity = false;
        string? error = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == 0 || plan.Chunks[i].Blob != plan.Chunks[i - 1].Blob)
            {
                (parity, error) = (false, null);
            }
            states[i] = (i, parity, error);
            var count = counts[i];
            if (count.Succeeded && parity is { } known)
            {
                parity = known ^ (count.Result!.Items % 2 == 1);
            }
            else
            {
                parity = null;
                error ??= $"The quote state at this chunk's start is unknown: counting the quotes of chunk {i} failed ({count.Error}).";
            }
        }
        return states;
    }

    // A failure record that cannot be written is not lost: the chunk simply stays pending for resume.
    private async Task RecordAsync(string jobId, List<ChunkFailure> failures)
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

    private async Task<List<ChunkResult>> ReadCommittedAsync(string jobId, IEnumerable<int> chunks, int concurrency)
    {
        var results = new ConcurrentBag<ChunkResult>();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (chunk, ct) =>
            results.Add(await ledger.ReadChunkAsync(jobId, chunk, ct).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Chunk {chunk} of job {jobId} was listed but cannot be read."))).ConfigureAwait(false);
        return [.. results];
    }
}
