using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>The job's chunks: each one's commit (the first stands), its output part, its failure record, the snapshot of
/// which are committed or failed, and the tallies of ranges whose chunks are all committed. What a chunk's worker and a
/// run's leaves write and read, many at once. <see cref="BlobChunkStore"/> keeps it in Blob Storage (layout in
/// <see cref="LedgerPaths"/>); transient failures surface as <see cref="StorageUnavailableException"/>.</summary>
internal interface IChunkStore
{
    /// <summary>Commits a chunk's result unless one is committed already, and returns the one that stands.</summary>
    Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default);

    /// <summary>A chunk's committed result, or null.</summary>
    Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default);

    /// <summary>Writes (or rewrites, with the same records) a chunk's output part; returns its name.</summary>
    Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default);

    /// <summary>Records why a chunk failed (replacing an earlier record of it).</summary>
    Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default);

    /// <summary>Which chunks have a failure record, ascending: one listing of the failures alone (a failed chunk committed
    /// since is listed too).</summary>
    Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="max"/> failure records of the job, by chunk index: one listing and a read of each.</summary>
    Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default);

    /// <summary>Removes the failure records of <paramref name="chunks"/> (a new run tries them again).</summary>
    Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default);

    /// <summary>Which chunks are committed (with their item counts) and which failed.</summary>
    Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The tally recorded for a range of the job's tree whose chunks were all committed
    /// (<see cref="LedgerPaths.RangeTally"/>), or null when none was.</summary>
    Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) where T : class;

    /// <summary>Records the tally of a range whose chunks are all committed (it never changes: a chunk's first commit stands).</summary>
    Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) where T : class;
}
