using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary><see cref="IChunkStore"/> in memory, over <see cref="InMemoryJobLedger"/>'s blobs, as <see cref="BlobChunkStore"/>
/// keeps it in Blob Storage: a commit is added only if the chunk has none (If-None-Match), its item count in its metadata.</summary>
internal sealed class InMemoryChunkStore(InMemoryJobLedger ledger) : IChunkStore
{
    private const string ItemsMetadata = "items";

    public Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.CommitChunk, result.JobId, result.Chunk, cancellationToken, () =>
        {
            var metadata = new Dictionary<string, string> { [ItemsMetadata] = result.Items.ToString(CultureInfo.InvariantCulture) };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(result, LedgerJsonContext.Default.CommittedChunk);
            return ledger.TryAdd(LedgerPaths.Chunk(result.JobId, result.Chunk), new InMemoryJobLedger.StoredBlob(bytes, metadata))
                ? new ChunkCommit(result, IsDuplicate: false)
                : new ChunkCommit(ledger.Committed(result.JobId, result.Chunk)!, IsDuplicate: true);
        });

    public Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadChunk, jobId, index, cancellationToken, () => ledger.Committed(jobId, index));

    public Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteOutput, jobId, index, cancellationToken, () =>
        {
            var name = LedgerPaths.Output(jobId, index, format);
            ledger.Plant(name, new InMemoryJobLedger.StoredBlob(records.ToArray()));
            return name;
        });

    public Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.RecordFailure, jobId, failure.Chunk, cancellationToken, () =>
            ledger.Plant(LedgerPaths.Failure(jobId, failure.Chunk), InMemoryJobLedger.Json(failure, LedgerJsonContext.Default.ChunkFailure)));

    public Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadFailed, null, null, cancellationToken, () => ledger.FailureRecords(jobId));

    public Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default) =>
        ledger.RunAsync<IReadOnlyList<ChunkFailure>>(LedgerOperation.ReadFailures, null, null, cancellationToken, () =>
            [.. ledger.Under(LedgerPaths.Failures(jobId)).Take(max).Select(b => JsonSerializer.Deserialize(b.Blob.Content, LedgerJsonContext.Default.ChunkFailure)!)]);

    public Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.DeleteFailures, null, null, cancellationToken, () =>
        {
            foreach (var chunk in chunks)
            {
                ledger.Remove(LedgerPaths.Failure(jobId, chunk));
            }
        });

    public Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadSnapshot, null, null, cancellationToken, () =>
        {
            var committed = new Dictionary<int, long>();
            foreach (var (name, blob) in ledger.Under(LedgerPaths.Chunks(jobId)))
            {
                committed[LedgerPaths.IndexOf(name)] = long.Parse(blob.Metadata![ItemsMetadata], CultureInfo.InvariantCulture);
            }
            var failed = ledger.FailureRecords(jobId).Where(i => !committed.ContainsKey(i)).ToList();
            var failures = failed.Take(LedgerSnapshot.MaxListedFailures).Select(i => ledger.Failure(jobId, i)).OfType<ChunkFailure>().ToList();
            return new LedgerSnapshot(committed, failed, failures);
        });

    public Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        ledger.RunAsync(LedgerOperation.ReadRangeTally, jobId, null, cancellationToken, () => ledger.Read(LedgerPaths.RangeTally(jobId, first, count), typeInfo));

    public Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        ledger.RunAsync(LedgerOperation.WriteRangeTally, jobId, null, cancellationToken, () =>
            ledger.Plant(LedgerPaths.RangeTally(jobId, first, count), InMemoryJobLedger.Json(tally, typeInfo)));
}
