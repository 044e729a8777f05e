namespace FanOut.Core.Ledger;

/// <summary>One line of a run's progress log (<see cref="LedgerPaths.Progress"/>), which is what a status read of
/// a running job reads instead of listing every chunk. The run's root writes one <see cref="Base"/> line when it
/// starts: the chunks committed before it. Each leaf of the run's tree writes lines for its range, counting only
/// the chunks it sent: every few seconds while it works, and once when it ends; a later line of a range
/// replaces an earlier one (<see cref="Seen"/> only grows). The lines of a run's leaves are disjoint, so the job's
/// counts are the base plus the latest line of each range.</summary>
internal sealed record ProgressLine
{
    /// <summary>True for the root's line: the chunks committed before the run started.</summary>
    public bool Base { get; init; }

    /// <summary>The first chunk of the leaf's range.</summary>
    public int First { get; init; }

    /// <summary>The chunks in the leaf's range.</summary>
    public int Count { get; init; }

    /// <summary>Chunks of the range the leaf sends (the others were committed before the run, or wait for their quote
    /// state): what the status page needs to place a range's chunks.</summary>
    public int Sent { get; init; }

    /// <summary>Chunks committed (by this run, or, on the base line, before it).</summary>
    public int Succeeded { get; init; }

    /// <summary>Chunks that failed in this run.</summary>
    public int Failed { get; init; }

    /// <summary>Items of the succeeded chunks.</summary>
    public long Items { get; init; }

    /// <summary>Items of the failed chunks, where known.</summary>
    public long FailedItems { get; init; }

    /// <summary>Chunks this line has seen to an end.</summary>
    public int Seen => Succeeded + Failed;
}
