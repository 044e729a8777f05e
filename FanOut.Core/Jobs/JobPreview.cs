using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary><c>dryRun</c>: the plan of a job, with nothing written and nothing dispatched (a source is read to plan it).</summary>
internal sealed class JobPreview(SourcePlanner sources, IOptions<FanOutOptions> options)
{
    /// <summary>The job's plan, or why it would be refused.</summary>
    public async Task<Outcome> PlanAsync(StartFanoutCommand command, CancellationToken cancellationToken)
    {
        var width = options.Value.Dispatch.FanoutWidth;
        JobPlan plan;
        if (command.Source is { } source)
        {
            SourcePlanner.Planned planned;
            try
            {
                planned = await sources.PlanAsync(source, command.Pinned!, command.ChunkSize, command.ChunkBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                return Refusal.SourceChanged(source);
            }
            var chunks = planned.Plan.Chunks;
            var largest = chunks.Select((c, i) => (Index: i, Bytes: c.End - c.Start)).DefaultIfEmpty().MaxBy(c => c.Bytes);
            var countsQuotes = source.Format == "csv" && command.ChunkBytes > 0;
            plan = new JobPlan
            {
                JobId = command.JobId,
                Processor = command.Processor.Name,
                Chunks = chunks.Count,
                Items = command.ChunkBytes > 0 ? null : planned.Records,
                Source = new PlannedSource(command.Pinned!.Count, command.Pinned.Sum(b => b.Length)),
                LargestChunk = chunks.Count == 0 ? null : new PlannedChunkSize(largest.Index, null, largest.Bytes),
                TreeLevels = DispatchTree.Shape(chunks.Count, width),
                Concurrency = DispatchTree.RootSlots(command.MaxConcurrency, chunks.Count, width, options.Value.Platform.InvocationBudget),
                // The quote pass walks the same tree from the same root: its own nodes below the root, and a count per chunk.
                Invocations = 1L + DispatchTree.Shape(chunks.Count, width).Sum(level => (long)level)
                              + (countsQuotes ? DispatchTree.Shape(chunks.Count, width)[..^1].Sum(level => (long)level) - 1 + chunks.Count : 0),
            };
        }
        else
        {
            var chunks = (int)(((long)command.Items.Count + command.ChunkSize - 1) / command.ChunkSize);
            plan = new JobPlan
            {
                JobId = command.JobId,
                Processor = command.Processor.Name,
                Chunks = chunks,
                Items = command.Items.Count,
                LargestChunk = chunks == 0 ? null : new PlannedChunkSize(0, Math.Min(command.ChunkSize, command.Items.Count), null),
                TreeLevels = DispatchTree.Shape(chunks, width),
                Concurrency = DispatchTree.RootSlots(command.MaxConcurrency, chunks, width, options.Value.Platform.InvocationBudget),
                Invocations = 1L + DispatchTree.Shape(chunks, width).Sum(level => (long)level),
            };
        }
        return TooManyChunks(command, plan.Chunks, options.Value.Dispatch) is { } refusal ? refusal : new JobPlanned(plan);
    }

    /// <summary>A job's process_chunk calls arrive FanoutWidth-ary levels below the top dispatcher (depth 1),
    /// and no deeper than MaxDepth: that bounds its chunks. Refused up front, it costs nothing; found out
    /// mid-run, it would be a 508 and a job that can never finish.</summary>
    public static Refusal? TooManyChunks(StartFanoutCommand command, int chunks, DispatchOptions dispatch)
    {
        var max = DispatchTree.MaxChunks(dispatch.FanoutWidth, dispatch.MaxDepth);
        return chunks <= max ? null : Refusal.Invalid(command.ChunkBytes > 0 ? "chunkBytes" : "chunkSize",
            $"The job would have {chunks} chunks, more than its dispatch tree reaches: {max} (FanoutWidth {dispatch.FanoutWidth} "
            + $"to the power MaxDepth - 1 = {dispatch.MaxDepth - 1}). Use larger chunks.");
    }
}
