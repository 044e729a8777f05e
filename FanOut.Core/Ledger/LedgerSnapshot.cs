using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>What the ledger holds of a job's chunks at one moment.</summary>
/// <param name="Committed">Committed chunks: index → items processed.</param>
/// <param name="Failed">Chunks whose last attempt failed and that have no committed result, ascending.</param>
/// <param name="Failures">Why, for the first of them (at most <see cref="MaxListedFailures"/>).</param>
internal sealed record LedgerSnapshot(IReadOnlyDictionary<int, long> Committed, IReadOnlyList<int> Failed, IReadOnlyList<ChunkFailure> Failures)
{
    /// <summary>At most this many failures are listed in a job's status.</summary>
    public const int MaxListedFailures = 100;
}
