using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary><c>dryRun</c>: the plan of a job (<see cref="JobPlanner"/>, as start_fanout would store it), with nothing
/// written and nothing dispatched (a source is read to plan it). <c>estimate</c>: the same plan, with the projection of a
/// sample of its chunks run for real (<see cref="JobEstimator"/>), nothing written either.</summary>
internal sealed class JobPreview(JobPlanner planner, JobEstimator estimator, IOptions<FanOutOptions> options)
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
        var plan = new JobPlan
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
        };
        if (command.EstimateSample is not { } sample)
        {
            return new JobPlanned(plan);
        }
        try
        {
            return new JobPlanned(plan with { Estimate = await estimator.EstimateAsync(command, planned, plan, sample, cancellationToken).ConfigureAwait(false) });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Refusal.Unavailable(
                $"The estimate's sample of {Math.Min(sample, chunks)} chunks did not end within {options.Value.Dispatch.HopDeadlineSeconds} s (FanOut__Dispatch__HopDeadlineSeconds); nothing was written.");
        }
    }
}
