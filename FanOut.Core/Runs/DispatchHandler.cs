using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The <c>dispatch</c> action. Without a range it is the root of a job's tree: one
/// <see cref="JobRun"/>. With one it is a node, walking its pass over the range. Either way it finishes what
/// it started even if its caller went away (it takes no cancellation from the request), and answers
/// before its budget runs out.</summary>
internal sealed class DispatchHandler(
    IJobStore jobStore, JobRun run, TreeWalker walker, ChunkPass chunks, QuotePass quotes, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    /// <summary>Handles a <c>dispatch</c> body.</summary>
    public async Task<Outcome> HandleAsync(JsonElement body)
    {
        using var activity = FanOutTelemetry.Start("dispatch");
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.DispatchRequest, errors);
        if (request is null)
        {
            return Refusal.Invalid(errors);
        }
        activity?.SetTag(FanOutTelemetry.JobTag, request.JobId).SetTag("fanout.depth", request.Depth)
            .SetTag("fanout.first", request.First).SetTag("fanout.count", request.Count).SetTag("fanout.pass", request.Pass);
        // The caller's clock is already running: so is this one, from the moment the call is read.
        var dispatch = options.Value.Dispatch;
        var budget = request.BudgetMs is { } ms and > 0 && ms <= dispatch.HopDeadlineSeconds * 1000
            ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(dispatch.HopDeadlineSeconds);
        if (request.Deadline is { } until && until - timeProvider.GetUtcNow() is var left && left < budget)
        {
            // Read late (queued on its way in, or a retried attempt): the caller stops waiting at its deadline all the
            // same, so this node has only what is left, and sends nothing when nothing is.
            budget = left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        using var deadline = new HopDeadline(budget, timeProvider);
        // Depth comes first: a forged or looping one is refused before anything is read or sent.
        if (request.Depth < 1 || request.Depth >= dispatch.MaxDepth)
        {
            return Refusal.LoopDetected(Math.Max(request.Depth, 0) + 1, dispatch.MaxDepth);
        }
        Validate(request, errors);
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        var manifest = await jobStore.GetManifestAsync(request.JobId!).ConfigureAwait(false);
        if (manifest is null)
        {
            return Refusal.UnknownJob(request.JobId!);
        }
        var span = request.First is { } first ? new ChunkSpan(first, request.Count!.Value) : new ChunkSpan(0, manifest.ChunkCount);
        if (span.End > manifest.ChunkCount || request.Pending?.Any(r => !Within(r, span)) == true || request.Marks?.Length is { } marks && marks != span.Count)
        {
            return Refusal.Invalid("first", $"The range, its pending runs and its marks must lie within the job's {manifest.ChunkCount} chunks.");
        }
        // The range's chunks would arrive this many levels deeper: beyond MaxDepth, nothing is sent.
        var arrivesAt = request.Depth + DispatchTree.Levels(span.Count, dispatch.FanoutWidth);
        if (arrivesAt > dispatch.MaxDepth)
        {
            return Refusal.LoopDetected(arrivesAt, dispatch.MaxDepth);
        }

        if (request.First is null)
        {
            return await run.RunAsync(manifest, new RunLink(request.RunId!, request.Hop ?? 1, request.Predecessor), deadline).ConfigureAwait(false);
        }
        if (request.Slots is < 1 || request.Slots > manifest.MaxConcurrency)
        {
            return Refusal.Invalid("slots", $"Must be between 1 and the job's maxConcurrency ({manifest.MaxConcurrency}).");
        }
        var work = new NodeWork(request.RunId!, span, [.. request.Pending!.Select(r => new ChunkSpan(r[0], r[1]))], request.Depth,
            request.Slots ?? manifest.MaxConcurrency, request.Marks);
        return request.Pass == QuotePass.PassName
            ? Answered.Of(await walker.WalkAsync(manifest, work, quotes, deadline).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerQuoteTally)
            : Answered.Of(await walker.WalkAsync(manifest, work, chunks, deadline).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerChunkTally);
    }

    private void Validate(DispatchRequest request, FieldErrors errors)
    {
        if (request.JobId is null || !JobIds.IsValid(request.JobId))
        {
            errors.Add("jobId", "Required: a valid job id.");
        }
        if (request.RunId is null || !JobIds.IsValid(request.RunId))
        {
            errors.Add("runId", "Required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-' (it names the run's progress log).");
        }
        if (request.BudgetMs is < 1 || request.BudgetMs > options.Value.Dispatch.HopDeadlineSeconds * 1000)
        {
            errors.Add("budgetMs", $"Must be 1 to {options.Value.Dispatch.HopDeadlineSeconds * 1000} (the hop deadline).");
        }
        if (request.Hop is < 1 || request.Hop > options.Value.Dispatch.MaxHops || (request.Hop is not null && request.First is not null))
        {
            errors.Add("hop", $"Only at the top of a tree: 1 to MaxHops ({options.Value.Dispatch.MaxHops}).");
        }
        if (request.Predecessor is { } predecessor && (!JobIds.IsValid(predecessor) || request.Hop is null or 1))
        {
            errors.Add("predecessor", "Only with a hop after the first: the run id of the run that handed the job over.");
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
        if (request.Pass is not (null or ChunkPass.PassName or QuotePass.PassName) || (request.Pass is not null && request.First is null))
        {
            errors.Add("pass", $"\"{ChunkPass.PassName}\" or \"{QuotePass.PassName}\", and only with a range.");
        }
        if (request.Marks is { } marks && (request.First is null || !QuoteStates.AreValid(marks)))
        {
            errors.Add("marks", "Only with a range: one of '0', '1' or '-' per chunk of it.");
        }
    }

    private static bool Within(int[] run, ChunkSpan span) =>
        run[1] >= 1 && run[0] >= span.First && (long)run[0] + run[1] <= span.End;
}
