using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Core.Runs;

/// <summary>The chunk pass's tally of a range: how its chunks ended, and their merged partial result.
/// Unfinished chunks are the ones not seen to an end before a deadline (or whose sub-range's node failed):
/// they may still commit, and the ledger, not this tally, tells; resume finishes them. A tally's size does not
/// grow with its range: counts, the first failures, and the processor's merged partial.</summary>
internal sealed record ChunkTally
{
    /// <summary>A range with nothing in it.</summary>
    public static ChunkTally Empty { get; } = new();

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

    /// <summary>The tally of consecutive parts, in chunk order; <paramref name="merge"/> merges their partial results.</summary>
    public static ChunkTally Combine(IReadOnlyList<ChunkTally> parts, Func<IReadOnlyList<JsonElement>, JsonElement> merge)
    {
        var partials = parts.Where(p => p.Result is not null).Select(p => p.Result!.Value).ToList();
        return new ChunkTally
        {
            Succeeded = parts.Sum(p => p.Succeeded),
            Failed = parts.Sum(p => p.Failed),
            Unfinished = parts.Sum(p => p.Unfinished),
            Items = parts.Sum(p => p.Items),
            FailedItems = parts.Sum(p => p.FailedItems),
            Result = partials.Count == 0 ? null : merge(partials),
            Failures = [.. parts.SelectMany(p => p.Failures).OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)],
        };
    }
}
