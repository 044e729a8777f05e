using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Core.Runs;

/// <summary>The chunks of a job by state, in at most <see cref="MaxCells"/> cells of consecutive chunks. A job that
/// succeeded is all green but for its listed failures. Otherwise each range's counts come from its leaf's latest line
/// in the run's progress log (chunks it did not send were committed before the run); the listed failures are placed
/// exactly; a range no leaf has reported yet is Unreported (the totals above the grid count it).</summary>
internal static class ChunkGrid
{
    /// <summary>The most cells a grid has: a larger job groups its chunks into ranges.</summary>
    public const int MaxCells = 200;

    private const byte Unreported = 0, Succeeded = 1, Failed = 2, Pending = 3;

    /// <summary>The grid of <paramref name="job"/>, given the latest line of each range of its run (none for a job that succeeded).</summary>
    public static IReadOnlyList<GridCell> Of(JobResult job, IReadOnlyList<ProgressLine> ranges)
    {
        var total = job.Chunks.Total;
        var states = new byte[total];
        if (job.Status == JobStatus.Succeeded)
        {
            Array.Fill(states, Succeeded);
        }
        // The listed failures are placed exactly; within a range only the counts of the rest are known (those committed
        // before the run, then succeeded, failed, pending), so they fill the range's other chunks in that order.
        var listed = job.Failures.Select(f => f.Chunk).Where(c => c >= 0 && c < total).ToHashSet();
        foreach (var range in ranges.Where(r => !r.Base && r.First >= 0 && r.Count > 0 && r.First + r.Count <= total))
        {
            var succeeded = Math.Max(0, range.Count - range.Sent) + range.Succeeded;
            var failed = range.Failed - Enumerable.Range(range.First, range.Count).Count(listed.Contains);
            var placed = 0;
            for (var chunk = range.First; chunk < range.First + range.Count; chunk++)
            {
                if (!listed.Contains(chunk))
                {
                    states[chunk] = placed < succeeded ? Succeeded : placed < succeeded + failed ? Failed : Pending;
                    placed++;
                }
            }
        }
        foreach (var chunk in listed)
        {
            states[chunk] = Failed;
        }
        var size = Math.Max(1, (total + MaxCells - 1) / MaxCells);
        var cells = new List<GridCell>();
        for (var first = 0; first < total; first += size)
        {
            var span = states.AsSpan(first, Math.Min(size, total - first));
            cells.Add(new GridCell(first, span.Length, span.Count(Succeeded), span.Count(Failed), span.Count(Pending), span.Count(Unreported)));
        }
        return cells;
    }
}
