using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>The <c>dispatch</c> action. At the top of a job's tree (no range) it runs the stored job: it
/// reads which chunks are committed, sends the rest down the tree (<see cref="DispatchNode"/>), and
/// writes the job's result from the merged answer. With a range it is a node of that tree. Either way it
/// finishes what it started even if its caller went away (it takes no cancellation from the request),
/// and answers before its budget runs out.</summary>
public sealed class JobRunner(
    JobLedger ledger, DispatchNode node, JobStatusBuilder status,
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
        // The caller's clock is already running: so is this one, from the moment the call is read.
        var dispatch = options.Value.Dispatch;
        var budget = request.BudgetMs is { } ms and > 0 && ms <= dispatch.HopDeadlineSeconds * 1000
            ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(dispatch.HopDeadlineSeconds);
        using var deadline = new HopDeadline(budget, timeProvider);
        // Depth comes first: a forged or looping one is refused before anything is read or sent.
        if (request.Depth < 1 || request.Depth >= dispatch.MaxDepth)
        {
            return BatchReply.Problem(Problems.LoopDetected(Math.Max(request.Depth, 0) + 1, dispatch.MaxDepth));
        }
        Validate(request, errors);
        if (!errors.IsEmpty)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        var manifest = await ledger.GetManifestAsync(request.JobId!).ConfigureAwait(false);
        if (manifest is null)
        {
            return BatchReply.Problem(Problems.UnknownJob(request.JobId!));
        }
        var span = request.First is { } first ? new ChunkSpan(first, request.Count!.Value) : new ChunkSpan(0, manifest.ChunkCount);
        if (span.End > manifest.ChunkCount || request.Pending?.Any(run => !Within(run, span)) == true
            || (request.QuoteStates is { } quotes && quotes.Length != span.Count))
        {
            errors.Add("first", $"The range and its pending runs must lie within the job's {manifest.ChunkCount} chunks.");
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        // The range's chunks would arrive this many levels deeper: beyond MaxDepth, nothing is sent.
        var arrivesAt = request.Depth + DispatchTree.Levels(span.Count, dispatch.FanoutWidth);
        if (arrivesAt > dispatch.MaxDepth)
        {
            return BatchReply.Problem(Problems.LoopDetected(arrivesAt, dispatch.MaxDepth));
        }

        if (request.First is null)
        {
            var result = await RunAsync(manifest, request.RunId!, deadline).ConfigureAwait(false);
            return BatchReply.Json(200, result, FanOutJsonContext.Default.JobResult);
        }
        var work = new NodeWork(request.RunId!, span, [.. request.Pending!.Select(run => new ChunkSpan(run[0], run[1]))], request.QuoteStates, request.Depth,
            request.Pass == "quotes");
        var subtree = await node.RunAsync(manifest, work, deadline).ConfigureAwait(false);
        return BatchReply.Json(200, subtree, FanOutJsonContext.Default.SubtreeResult);
    }

    private void Validate(DispatchRequest request, FieldErrors errors)
    {
        if (request.JobId is null || !JobIds.IsValid(request.JobId))
        {
            errors.Add("jobId", "Required: a valid job id.");
        }
        if (string.IsNullOrEmpty(request.RunId) || request.RunId.Length > 64)
        {
            errors.Add("runId", "Required: 1 to 64 characters.");
        }
        if (request.BudgetMs is < 1 || request.BudgetMs > options.Value.Dispatch.HopDeadlineSeconds * 1000)
        {
            errors.Add("budgetMs", $"Must be 1 to {options.Value.Dispatch.HopDeadlineSeconds * 1000} (the hop deadline).");
        }
        if (request.First is null != request.Count is null || request.First is null != request.Pending is null)
        {
            errors.Add("first", "first, count and pending go together: all three for a range, none for the whole job.");
        }
        else if (request.First is < 0 || request.Count is < 1)
        {
            errors.Add("count", "A range starts at 0 or later and holds at least one chunk.");
        }
        if (request.Pending?.Any(run => run is not { Length: 2 }) == true)
        {
            errors.Add("pending", "Each pending run is [first, count].");
        }
        if (request.Pass is not (null or "quotes") || (request.Pass is not null && request.First is null))
        {
            errors.Add("pass", "Only \"quotes\", and only with a range.");
        }
    }

    private static bool Within(int[] run, ChunkSpan span) =>
        run[1] >= 1 && run[0] >= span.First && (long)run[0] + run[1] <= span.End;

    /// <summary>Runs the job within <paramref name="deadline"/>.</summary>
    public async Task<JobResult> RunAsync(JobManifest manifest, string runId, HopDeadline deadline)
    {
        var jobId = manifest.JobId;
        await ledger.MarkDispatchAsync(jobId, new DispatchMarker { RunId = runId, StartedAt = timeProvider.GetUtcNow() }).ConfigureAwait(false);
        switch (await ledger.ReadResultAsync(jobId).ConfigureAwait(false))
        {
            case { Status: JobStatus.Succeeded } done:
                return done;
            case not null:
                // The result of an earlier run would hide this run's progress from the job's status.
                await ledger.DeleteResultAsync(jobId).ConfigureAwait(false);
                break;
        }

        var snapshot = await ledger.ReadSnapshotAsync(jobId).ConfigureAwait(false);
        var all = new ChunkSpan(0, manifest.ChunkCount);
        string? quoteStates = null;
        string?[] quoteErrors = [];
        if (manifest.Source is { Format: "csv" } && manifest.ChunkBytes > 0)
        {
            (quoteStates, quoteErrors) = await QuoteStatesAsync(manifest, runId, deadline).ConfigureAwait(false);
        }
        var pending = Runs(Enumerable.Range(0, manifest.ChunkCount)
            .Where(i => !snapshot.Committed.ContainsKey(i) && quoteStates?[i] is not '-'));

        var total = await node.RunAsync(manifest, new NodeWork(runId, all, pending, quoteStates, 1), deadline).ConfigureAwait(false);
        // Chunks whose quote state is unknown were not sent: failed after a failed count, else unfinished.
        var unknown = Enumerable.Range(0, quoteStates?.Length ?? 0)
            .Where(i => quoteStates![i] == '-' && !snapshot.Committed.ContainsKey(i)).ToList();
        var failed = unknown.Where(i => quoteErrors[i] is not null).Select(i => new ChunkFailure(i, quoteErrors[i]!, 0)).ToList();
        await node.RecordFailuresAsync(jobId, failed).ConfigureAwait(false);
        total.Failed += failed.Count;
        total.FailedItems += failed.Sum(f => JobStatusBuilder.ItemsIn(manifest, f.Chunk));
        total.Unfinished += unknown.Count - failed.Count;
        total.Failures = [.. total.Failures.Concat(failed).OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)];

        if (total.Unfinished > 0)
        {
            Log.RunIncomplete(logger, jobId, total.Unfinished);
        }
        var result = status.Ended(manifest, total);
        await ledger.WriteResultAsync(result).ConfigureAwait(false);
        return result;
    }

    /// <summary>Ascending chunk indices as runs of consecutive ones.</summary>
    public static List<ChunkSpan> Runs(IEnumerable<int> chunks)
    {
        var runs = new List<ChunkSpan>();
        foreach (var chunk in chunks)
        {
            if (runs.Count > 0 && runs[^1].End == chunk)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new ChunkSpan(chunk, 1));
            }
        }
        return runs;
    }

    // CSV cut by bytes: a first pass counts each chunk's quotes, in parallel; the parity of the counts before
    // a chunk (within its blob) says whether it starts inside a quoted field ('1' or '0'). After a chunk whose
    // count failed or did not finish in time, the rest of its blob has no known state ('-'), with the error
    // when the count failed: those chunks are not sent this run, and resume counts again.
    private async Task<(string States, string?[] Errors)> QuoteStatesAsync(JobManifest manifest, string runId, HopDeadline deadline)
    {
        var plan = await ledger.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        // The counts come up the same tree as the chunks will go down, so no dispatcher makes more than FanoutWidth calls.
        var counted = await node.RunAsync(manifest, new NodeWork(runId, new ChunkSpan(0, manifest.ChunkCount), [], null, 1, QuotePass: true), deadline)
            .ConfigureAwait(false);
        var parities = counted.Parities ?? new string('-', manifest.ChunkCount);
        var failures = counted.Failures.ToDictionary(f => f.Chunk, f => f.Error);
        var states = new char[manifest.ChunkCount];
        var errors = new string?[manifest.ChunkCount];
        bool? parity = false;
        string? error = null;
        for (var i = 0; i < states.Length; i++)
        {
            if (i == 0 || plan.Chunks[i].Blob != plan.Chunks[i - 1].Blob)
            {
                (parity, error) = (false, null);
            }
            (states[i], errors[i]) = (parity switch { true => '1', false => '0', null => '-' }, error);
            if (parities[i] is '0' or '1' && parity is { } known)
            {
                parity = known ^ (parities[i] == '1');
            }
            else if (parity is not null)
            {
                parity = null;
                error = parities[i] == 'x'
                    ? $"The quote state at this chunk's start is unknown: counting the quotes of chunk {i} failed ({failures.GetValueOrDefault(i, "see the failures of the quote pass")})."
                    : null;
            }
        }
        return (new string(states), errors);
    }
}
