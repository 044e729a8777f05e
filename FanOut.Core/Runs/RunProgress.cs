using FanOut.Core.Ledger;

namespace FanOut.Core.Runs;

/// <summary>A run's progress, from its log (<see cref="ProgressLine"/>): the base line plus the latest line of each
/// leaf's range.</summary>
/// <param name="HasBase">True once the run's root wrote its base line.</param>
/// <param name="Succeeded">Chunks committed: before the run, and by it.</param>
/// <param name="Failed">Chunks that failed in the run.</param>
/// <param name="Items">Items of the succeeded chunks.</param>
/// <param name="FailedItems">Items of the failed chunks, where known.</param>
internal sealed record RunProgress(bool HasBase, int Succeeded, int Failed, long Items, long FailedItems)
{
    /// <summary>Nothing yet: a job no run has started.</summary>
    public static RunProgress None { get; } = new(false, 0, 0, 0, 0);

    /// <summary>The latest line of each leaf's range (a range's leaf may run twice in one run, its dispatch call retried:
    /// its most advanced line stands).</summary>
    public static IReadOnlyList<ProgressLine> Latest(IReadOnlyList<ProgressLine> lines) =>
        [.. lines.Where(l => !l.Base).GroupBy(l => l.First).Select(g => g.MaxBy(l => l.Seen)!).OrderBy(l => l.First)];

    /// <summary>Adds up a run's lines.</summary>
    public static RunProgress Of(IReadOnlyList<ProgressLine> lines)
    {
        var bases = lines.Where(l => l.Base).ToList();
        var baseLine = bases.Count == 0 ? new ProgressLine() : bases.MaxBy(l => l.Succeeded)!;
        var latest = Latest(lines);
        return new RunProgress(
            bases.Count > 0,
            baseLine.Succeeded + latest.Sum(l => l.Succeeded),
            latest.Sum(l => l.Failed),
            baseLine.Items + latest.Sum(l => l.Items),
            latest.Sum(l => l.FailedItems));
    }
}
