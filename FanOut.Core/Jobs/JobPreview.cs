using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary><c>dryRun</c>: the plan of a job (<see cref="JobPlanner"/>, as start_fanout would store it), with nothing
/// written and nothing dispatched (a source is read to plan it).</summary>
internal sealed class JobPreview(JobPlanner planner, IOptions<FanOutOptions> options)
{
    /// <summary>The job's plan, or why it would be refused.</summary>
    public async Task<Outcome> PlanAsync(StartFanoutCommand command, CancellationToken cancellationToken)
    {
        var (planned, refusal) = await planner.PlanAsync(command, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        var width = options.Value.Dispatch.FanoutWidth;
        var chunks = planned!.Chunks;
        PlannedChunkSize? largest = null;
        if (planned.Source is { } source && chunks > 0)
        {
            var (index, bytes) = source.Chunks.Select((c, i) => (i, c.End - c.Start)).MaxBy(c => c.Item2);
            largest = new PlannedChunkSize(index, null, bytes);
        }
        else if (chunks > 0)
        {
            largest = new PlannedChunkSize(0, Math.Min(command.ChunkSize, command.Items.Count), null);
        }
        return new JobPlanned(new JobPlan
        {
            JobId = command.JobId,
            Processor = command.Processor.Name,
            Chunks = chunks,
            Items = planned.CutByBytes ? null : planned.Records,
            Source = command.Pinned is { } pinned ? new PlannedSource(pinned.Count, pinned.Sum(b => b.Length)) : null,
            LargestChunk = largest,
            TreeLevels = DispatchTree.Shape(chunks, width),
            Concurrency = DispatchTree.RootSlots(command.MaxConcurrency, chunks, width, options.Value.Platform.InvocationBudget),
            Invocations = planned.Invocations(width),
        });
    }
}
