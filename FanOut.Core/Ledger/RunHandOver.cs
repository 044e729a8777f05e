using FanOut.Core.Planning;

namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/handover.json</c>: what a run whose deadline came hands its next hop (<see cref="RunId"/>), so that
/// the hop starts from it instead of listing every committed chunk of the job. Its <see cref="Pending"/> runs hold every chunk
/// the run did not see committed or failed (a straggler may commit one meanwhile: the hop sends it, and gets the commit back);
/// the failed ones are listed anew. Any other run (a resume, a hop that finds none naming it) lists the job's chunks.</summary>
internal sealed record RunHandOver
{
    /// <summary>The run it is for: the next hop's.</summary>
    public required string RunId { get; init; }

    /// <summary>Chunks the run saw committed.</summary>
    public int Succeeded { get; init; }

    /// <summary>Items of those chunks.</summary>
    public long Items { get; init; }

    /// <summary>The chunks neither seen committed nor failed, as ascending runs.</summary>
    public IReadOnlyList<ChunkSpan> Pending { get; init; } = [];

    /// <summary>The pending chunks that may have been committed after all (sent, and no answer came), as ascending runs: the
    /// hop reads each of them first.</summary>
    public IReadOnlyList<ChunkSpan> Unsure { get; init; } = [];

    /// <summary>Most unsure chunks a hand-over leaves to be read one by one; a run with more hands over none (its next hop lists
    /// the committed chunks, as a resume does).</summary>
    public const int MaxUnsure = 2000;

    /// <summary>True when it can be a start for <paramref name="runId"/> in a job of <paramref name="chunkCount"/> chunks: it names
    /// the run, its runs are ascending and within the job, and its counts add up to no more than the job's chunks.</summary>
    public bool IsFor(string runId, int chunkCount) =>
        RunId == runId && Ascending(Pending, chunkCount) && Ascending(Unsure, chunkCount) && Unsure.Sum(run => (long)run.Count) <= MaxUnsure
        && Succeeded >= 0 && Items >= 0 && Succeeded + Pending.Sum(run => (long)run.Count) <= chunkCount;

    private static bool Ascending(IReadOnlyList<ChunkSpan> runs, int chunkCount)
    {
        var end = 0;
        foreach (var run in runs)
        {
            if (run.First < end || run.Count <= 0 || run.End > chunkCount)
            {
                return false;
            }
            end = run.End;
        }
        return true;
    }
}
