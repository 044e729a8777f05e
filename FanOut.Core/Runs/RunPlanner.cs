using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>What a run's chunk pass sends: the chunks not done before it, after the job's pre-pass if its plan has one
/// (<see cref="ChunkPlanner.CountsQuotes"/>: the quote pass, <see cref="CsvStartStates"/>). The pre-pass hands the run its
/// plan; the run's root only walks it, hands over and finalizes.</summary>
internal sealed class RunPlanner(CsvStartStates csv)
{
    /// <summary>The run's plan, from <paramref name="start"/> (what was done before it). Runs the pre-pass within
    /// <paramref name="deadline"/> if the job has one.</summary>
    public async Task<RunPlan> PlanAsync(JobManifest manifest, string runId, RunStart start, HopDeadline deadline)
    {
        var undone = Enumerable.Range(0, manifest.ChunkCount).Where(i => !start.IsDone(i));
        if (!ChunkPlanner.CountsQuotes(manifest.Source?.Format, manifest.ChunkBytes))
        {
            return new RunPlan(NodeWork.Runs(undone), null, [], [], Quiet: true);
        }
        var (states, errors, quiet) = await csv.FindAsync(manifest, runId, deadline).ConfigureAwait(false);
        // A chunk whose quote state is unknown this run is not sent; unless it is committed, the run accounts for it.
        var held = undone.Where(i => states[i] == QuoteState.Unknown).ToList();
        var marks = states.Length == 0 ? null : QuoteStates.Marks(states.Select((s, i) => start.IsDone(i) && s == QuoteState.Unknown ? QuoteState.Outside : s));
        var failed = held.Where(i => errors[i] is not null).Select(i => new ChunkFailure(i, errors[i]!, 0)).ToList();
        return new RunPlan(NodeWork.Runs(undone.Where(i => states[i] != QuoteState.Unknown)), marks, held, failed, quiet);
    }
}

/// <summary>A run's plan for its chunk pass.</summary>
/// <param name="Pending">The chunks it sends, as runs.</param>
/// <param name="Marks">What the chunk pass needs to know of each chunk (<see cref="NodeWork.Marks"/>), or null.</param>
/// <param name="Held">Chunks it holds back, not done and not sent (their start is unknown this run).</param>
/// <param name="HeldFailures">Those of them that failed, and why.</param>
/// <param name="Quiet">Whether every call of the pre-pass was seen to an end.</param>
internal sealed record RunPlan(IReadOnlyList<ChunkSpan> Pending, string? Marks, IReadOnlyList<int> Held, IReadOnlyList<ChunkFailure> HeldFailures, bool Quiet)
{
    /// <summary>The tally of the held chunks: failed, or unfinished (open again for the next run).</summary>
    public ChunkTally HeldTally(JobManifest manifest)
    {
        var failed = HeldFailures.Select(f => f.Chunk).ToHashSet();
        return new ChunkTally
        {
            Failed = HeldFailures.Count,
            FailedItems = HeldFailures.Sum(f => manifest.ItemsIn(f.Chunk)),
            Unfinished = Held.Count - HeldFailures.Count,
            Open = NodeWork.Runs(Held.Where(i => !failed.Contains(i))),
            Failures = [.. HeldFailures],
        };
    }
}
