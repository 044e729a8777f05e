using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>The chunk pass's tally of a range: how its chunks ended, and their merged partial result.
/// Unfinished chunks are the ones not seen to an end before a deadline (or whose sub-range's node failed):
/// they may still commit, and the ledger, not this tally, tells; resume finishes them. A tally's size does not
/// grow with its range: counts, the first failures, the processor's merged partial, and at most
/// <see cref="MaxOpenRuns"/> runs of chunks still to send.</summary>
internal sealed record ChunkTally
{
    /// <summary>A range with nothing in it.</summary>
    public static ChunkTally Empty { get; } = new() { Open = [] };

    /// <summary>Chunks with a committed result.</summary>
    public int Succeeded { get; init; }

    /// <summary>Chunks that failed (their failures are in the ledger).</summary>
    public int Failed { get; init; }

    /// <summary>Chunks not seen to an end.</summary>
    public int Unfinished { get; init; }

    /// <summary>Items of the succeeded chunks.</summary>
    public long Items { get; init; }

    /// <summary>Items of the failed chunks, where known.</summary>
    public long FailedItems { get; init; }

    /// <summary>The processor's merged partial result of the succeeded chunks; null when there are none.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The first failures, by chunk index (at most <see cref="LedgerSnapshot.MaxListedFailures"/>).</summary>
    public IReadOnlyList<ChunkFailure> Failures { get; init; } = [];

    /// <summary>Chunks committed by this run's calls (not read as committed before it), and their items: what the run adds to
    /// the job's progress, for its next hop's start.</summary>
    public int NewlySucceeded { get; init; }

    /// <summary>Items of <see cref="NewlySucceeded"/>.</summary>
    public long NewItems { get; init; }

    /// <summary>The chunks still to send, as ascending runs: the unfinished ones that were pending when the run began (a
    /// range whose node did not answer: all its pending chunks), and any the ledger did not have when read. Null when not
    /// known: they were more than <see cref="MaxOpenRuns"/> runs, or a part did not know its own. The run's next hop sends
    /// these, so that it need not list the job's committed chunks to find them.</summary>
    public IReadOnlyList<ChunkSpan>? Open { get; init; }

    /// <summary>The open chunks that may have been committed after all (their call was sent, and no answer came): the next
    /// hop reads each of them before it sends it. Part of <see cref="Open"/>, and known when it is.</summary>
    public IReadOnlyList<ChunkSpan> Unsure { get; init; } = [];

    /// <summary>Most runs of open (or unsure) chunks a tally carries; beyond that it drops them (<see cref="Open"/> is null).</summary>
    public const int MaxOpenRuns = 4096;

    /// <summary>The tally of a range none of whose chunks was seen to an end, <paramref name="pending"/> of them to send; when its
    /// node was <paramref name="sent"/>, they may have been committed.</summary>
    public static ChunkTally Missing(ChunkSpan span, IReadOnlyList<ChunkSpan> pending, bool sent) =>
        new() { Unfinished = span.Count, Open = pending, Unsure = sent ? pending : [] };

    /// <summary>The tally of consecutive parts, in chunk order; <paramref name="merge"/> merges their partial results.</summary>
    public static ChunkTally Combine(IReadOnlyList<ChunkTally> parts, Func<IReadOnlyList<JsonElement>, JsonElement> merge)
    {
        var partials = parts.Where(p => p.Result is not null).Select(p => p.Result!.Value).ToList();
        var open = parts.Any(p => p.Open is null) ? null : JoinRuns(parts.SelectMany(p => p.Open!));
        var unsure = JoinRuns(parts.SelectMany(p => p.Unsure));
        return new ChunkTally
        {
            Succeeded = parts.Sum(p => p.Succeeded),
            Failed = parts.Sum(p => p.Failed),
            Unfinished = parts.Sum(p => p.Unfinished),
            Items = parts.Sum(p => p.Items),
            FailedItems = parts.Sum(p => p.FailedItems),
            Result = partials.Count == 0 ? null : merge(partials),
            Failures = [.. parts.SelectMany(p => p.Failures).OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)],
            NewlySucceeded = parts.Sum(p => p.NewlySucceeded),
            NewItems = parts.Sum(p => p.NewItems),
            Open = unsure is null ? null : open,
            Unsure = unsure ?? [],
        };
    }

    // Ascending runs joined where one ends at the next's first; null once they are more than MaxOpenRuns.
    private static List<ChunkSpan>? JoinRuns(IEnumerable<ChunkSpan> runs)
    {
        var joined = new List<ChunkSpan>();
        foreach (var run in runs.OrderBy(r => r.First))
        {
            if (joined.Count > 0 && joined[^1].End == run.First)
            {
                joined[^1] = joined[^1] with { Count = joined[^1].Count + run.Count };
            }
            else if (joined.Count == MaxOpenRuns)
            {
                return null;
            }
            else
            {
                joined.Add(run);
            }
        }
        return joined;
    }
}
