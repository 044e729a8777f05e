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

/// <summary>The two dispatch messages: <c>dispatch</c> (<see cref="RunJobRequest"/>) is the root of a job's tree, one
/// <see cref="JobRun"/>; <c>dispatch_node</c> (<see cref="TreeNodeRequest"/>) is a node, walking its pass over its range.
/// Either way it finishes what it started even if its caller went away (it takes no cancellation from the request), and
/// answers before its budget runs out.</summary>
internal sealed class DispatchHandler(
    IJobStore jobStore, JobRun run, TreeWalker walker, ChunkPass chunks, QuotePass quotes, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    /// <summary>Handles a <c>dispatch</c> body: runs the job.</summary>
    public async Task<Outcome> RunAsync(JsonElement body)
    {
        using var activity = FanOutTelemetry.Start("dispatch");
        var dispatch = options.Value.Dispatch;
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, RunsJsonContext.Default.RunJobRequest, errors);
        if (request is null)
        {
            return Refusal.Invalid(errors);
        }
        activity?.SetTag(FanOutTelemetry.JobTag, request.JobId).SetTag("fanout.depth", request.Depth);
        using var deadline = Deadline(request.BudgetMs, request.Deadline);
        // Depth comes first: a forged or looping one is refused before anything is read or sent.
        if (DispatchDepth.Beyond(request.Depth, levelsBelow: 1, dispatch) is { } forged)
        {
            return Refusal.LoopDetected(forged, dispatch.MaxDepth);
        }
        request.Validate(errors, dispatch);
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        if (await jobStore.GetManifestAsync(request.JobId!).ConfigureAwait(false) is not { } manifest)
        {
            return Refusal.UnknownJob(request.JobId!);
        }
        if (DispatchDepth.Beyond(request.Depth, DispatchTree.Levels(manifest.ChunkCount, dispatch.FanoutWidth), dispatch) is { } arrivesAt)
        {
            return Refusal.LoopDetected(arrivesAt, dispatch.MaxDepth);
        }
        return await run.RunAsync(manifest, new RunLink(request.RunId!, request.Hop ?? 1, request.Predecessor), deadline).ConfigureAwait(false);
    }

    /// <summary>Handles a <c>dispatch_node</c> body: walks the node's pass over its range.</summary>
    public async Task<Outcome> NodeAsync(JsonElement body)
    {
        using var activity = FanOutTelemetry.Start("dispatch");
        var dispatch = options.Value.Dispatch;
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, RunsJsonContext.Default.TreeNodeRequest, errors);
        if (request is null)
        {
            return Refusal.Invalid(errors);
        }
        activity?.SetTag(FanOutTelemetry.JobTag, request.JobId).SetTag("fanout.depth", request.Depth)
            .SetTag("fanout.first", request.First).SetTag("fanout.count", request.Count).SetTag("fanout.pass", request.Pass);
        using var deadline = Deadline(request.BudgetMs, request.Deadline);
        if (DispatchDepth.Beyond(request.Depth, levelsBelow: 1, dispatch) is { } forged)
        {
            return Refusal.LoopDetected(forged, dispatch.MaxDepth);
        }
        request.Validate(errors, dispatch);
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        if (await jobStore.GetManifestAsync(request.JobId!).ConfigureAwait(false) is not { } manifest)
        {
            return Refusal.UnknownJob(request.JobId!);
        }
        var span = request.Span;
        if (span.End > manifest.ChunkCount)
        {
            return Refusal.Invalid("first", $"The range must lie within the job's {manifest.ChunkCount} chunks.");
        }
        // The range's chunks would arrive this many levels deeper: beyond MaxDepth, nothing is sent.
        if (DispatchDepth.Beyond(request.Depth, DispatchTree.Levels(span.Count, dispatch.FanoutWidth), dispatch) is { } arrivesAt)
        {
            return Refusal.LoopDetected(arrivesAt, dispatch.MaxDepth);
        }
        if (request.Slots > manifest.MaxConcurrency)
        {
            return Refusal.Invalid("slots", $"Must be between 1 and the job's maxConcurrency ({manifest.MaxConcurrency}).");
        }
        var work = new NodeWork(request.RunId!, span, [.. request.Pending!.Select(r => new ChunkSpan(r[0], r[1]))], request.Depth,
            request.Slots ?? manifest.MaxConcurrency, request.Marks);
        return request.Pass == QuotePass.PassName
            ? Answered.Of(await walker.WalkAsync(manifest, work, quotes, deadline).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerQuoteTally)
            : Answered.Of(await walker.WalkAsync(manifest, work, chunks, deadline).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerChunkTally);
    }

    // The caller's clock is already running: so is this one, from the moment the call is read. Read late (queued on its way
    // in, or a retried attempt), the caller stops waiting at its deadline all the same, so this call has only what is left,
    // and sends nothing when nothing is.
    private HopDeadline Deadline(int? budgetMs, DateTimeOffset? until)
    {
        var hop = options.Value.Dispatch.HopDeadlineSeconds;
        var budget = budgetMs is { } ms and > 0 && ms <= hop * 1000 ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(hop);
        if (until is { } by && by - timeProvider.GetUtcNow() is var left && left < budget)
        {
            budget = left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        return new HopDeadline(budget, timeProvider);
    }
}
