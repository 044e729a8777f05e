using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
        var (request, manifest, deadline, refusal) = await AdmitAsync(body, RunsJsonContext.Default.RunJobRequest).ConfigureAwait(false);
        using (deadline)
        {
            activity?.SetTag(FanOutTelemetry.JobTag, request?.JobId).SetTag("fanout.depth", request?.Depth);
            if (refusal is not null)
            {
                return refusal;
            }
            if (Beyond(request!.Depth, manifest!.ChunkCount) is { } tooDeep)
            {
                return tooDeep;
            }
            return await run.RunAsync(manifest, new RunLink(request.RunId!, request.Hop ?? 1, request.Predecessor), deadline!).ConfigureAwait(false);
        }
    }

    /// <summary>Handles a <c>dispatch_node</c> body: walks the node's pass over its range.</summary>
    public async Task<Outcome> NodeAsync(JsonElement body)
    {
        using var activity = FanOutTelemetry.Start("dispatch");
        var (request, manifest, deadline, refusal) = await AdmitAsync(body, RunsJsonContext.Default.TreeNodeRequest).ConfigureAwait(false);
        using (deadline)
        {
            activity?.SetTag(FanOutTelemetry.JobTag, request?.JobId).SetTag("fanout.depth", request?.Depth)
                .SetTag("fanout.first", request?.First).SetTag("fanout.count", request?.Count).SetTag("fanout.pass", request?.Pass);
            if (refusal is not null)
            {
                return refusal;
            }
            var span = request!.Span;
            if (span.End > manifest!.ChunkCount)
            {
                return Refusal.Invalid("first", $"The range must lie within the job's {manifest.ChunkCount} chunks.");
            }
            // The range's chunks would arrive this many levels deeper: beyond MaxDepth, nothing is sent.
            if (Beyond(request.Depth, span.Count) is { } tooDeep)
            {
                return tooDeep;
            }
            if (request.Slots > manifest.MaxConcurrency)
            {
                return Refusal.Invalid("slots", $"Must be between 1 and the job's maxConcurrency ({manifest.MaxConcurrency}).");
            }
            var work = new NodeWork(request.RunId!, span, [.. request.Pending!.Select(r => new ChunkSpan(r[0], r[1]))], request.Depth,
                request.Slots ?? manifest.MaxConcurrency, request.Marks);
            return request.Pass == QuotePass.PassName
                ? Answered.Of(await walker.WalkAsync(manifest, work, quotes, deadline!).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerQuoteTally)
                : Answered.Of(await walker.WalkAsync(manifest, work, chunks, deadline!).ConfigureAwait(false), RunsJsonContext.Default.NodeAnswerChunkTally);
        }
    }

    // What both messages go through, in order: read strictly; the caller's deadline starts; the depth, before anything is
    // read or sent (a forged or looping one); the message's own rules; the job's manifest.
    private async Task<(T? Request, JobManifest? Manifest, HopDeadline? Deadline, Refusal? Refusal)> AdmitAsync<T>(
        JsonElement body, JsonTypeInfo<T> typeInfo) where T : class, IDispatchMessage
    {
        var dispatch = options.Value.Dispatch;
        var errors = new FieldErrors();
        if (JsonRequest.Read(body, typeInfo, errors) is not { } request)
        {
            return (null, null, null, Refusal.Invalid(errors));
        }
        var deadline = Deadline(request.BudgetMs, request.Deadline);
        if (DispatchDepth.Beyond(request.Depth, levelsBelow: 1, dispatch) is { } forged)
        {
            return (request, null, deadline, Refusal.LoopDetected(forged, dispatch.MaxDepth));
        }
        request.Validate(errors, dispatch);
        if (!errors.IsEmpty)
        {
            return (request, null, deadline, Refusal.Invalid(errors));
        }
        return await jobStore.GetManifestAsync(request.JobId!).ConfigureAwait(false) is { } manifest
            ? (request, manifest, deadline, null)
            : (request, null, deadline, Refusal.UnknownJob(request.JobId!));
    }

    // A call at `depth` over `chunks` chunks whose deepest call would arrive beyond MaxDepth sends nothing.
    private Refusal? Beyond(int depth, int chunks)
    {
        var dispatch = options.Value.Dispatch;
        return DispatchDepth.Beyond(depth, DispatchTree.Levels(chunks, dispatch.FanoutWidth), dispatch) is { } arrivesAt
            ? Refusal.LoopDetected(arrivesAt, dispatch.MaxDepth)
            : null;
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
