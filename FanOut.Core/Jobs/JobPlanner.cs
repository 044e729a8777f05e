using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>The one planner of a job: <c>start_fanout</c> stores what it answers, <c>dryRun</c> shows it. Inline items are
/// cut by count; a blob source is cut by bytes, or scanned once into whole records (<see cref="SourcePlanner"/>). A job
/// whose chunks would arrive deeper than MaxDepth (<see cref="DispatchDepth"/>) is refused here, before anything is stored.</summary>
internal sealed class JobPlanner(SourcePlanner sources, IOptions<FanOutOptions> options)
{
    /// <summary>The job's plan, or why it cannot have one: its source changed while it was read, or it has too many chunks.</summary>
    public async Task<(PlannedJob? Plan, Refusal? Refusal)> PlanAsync(StartFanoutCommand command, CancellationToken cancellationToken)
    {
        PlannedJob plan;
        if (command.Source is { } source)
        {
            SourcePlanner.Planned planned;
            try
            {
                planned = await sources.PlanAsync(source, command.Pinned!, command.ChunkSize, command.ChunkBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                return (null, Refusal.SourceChanged(source));
            }
            catch (InvalidDataException ex)
            {
                return (null, Refusal.Invalid("source", ex.Message));
            }
            plan = new PlannedJob(planned.Plan.Chunks.Count, planned.Records, command.ChunkBytes > 0, planned.Plan,
                ChunkPlanner.CountsQuotes(source.Format, command.ChunkBytes));
        }
        else
        {
            plan = new PlannedJob(ChunkPlanner.ChunkCount(command.Items.Count, command.ChunkSize), command.Items.Count, false, null, false);
        }
        var dispatch = options.Value.Dispatch;
        if (DispatchDepth.BeyondForJob(plan.Chunks, dispatch) is null)
        {
            return (plan, null);
        }
        var max = DispatchDepth.MaxChunks(dispatch);
        // Refused up front, it costs nothing; found out mid-run, it would be a 508 and a job that can never finish.
        return (null, Refusal.Invalid(command.ChunkBytes > 0 ? "chunkBytes" : "chunkSize",
            $"The job would have {plan.Chunks} chunks, more than its dispatch tree reaches: {max} (FanoutWidth {dispatch.FanoutWidth} "
            + $"to the power MaxDepth - 1 = {dispatch.MaxDepth - 1}). Use larger chunks."));
    }
}

/// <summary>A job's plan.</summary>
/// <param name="Chunks">How many chunks.</param>
/// <param name="Records">Its records (0 when cut by bytes: never scanned).</param>
/// <param name="CutByBytes">Whether a blob source is cut by bytes, its records unknown.</param>
/// <param name="Source">For a blob source: its pinned blobs and each chunk's range.</param>
/// <param name="CountsQuotes">Whether its runs make the quote pass before the chunks (<see cref="ChunkPlanner.CountsQuotes"/>).</param>
internal sealed record PlannedJob(int Chunks, long Records, bool CutByBytes, SourcePlan? Source, bool CountsQuotes)
{
    /// <summary>Function invocations a run of it takes: its root, every dispatcher and chunk of the tree, and, with the
    /// quote pass, the pass's own nodes below the root and a count per chunk (it walks the same tree).</summary>
    public long Invocations(int width)
    {
        var shape = DispatchTree.Shape(Chunks, width);
        var chunkPass = 1L + shape.Sum(level => (long)level);
        return CountsQuotes ? chunkPass + shape[..^1].Sum(level => (long)level) - 1 + Chunks : chunkPass;
    }
}
