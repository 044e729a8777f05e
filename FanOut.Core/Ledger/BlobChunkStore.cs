using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary><see cref="IChunkStore"/> in Blob Storage: a chunk's result is committed with If-None-Match: *, so the first commit
/// wins and a duplicate delivery finds the committed one; its item count rides in the blob's metadata, so one listing
/// of the job's chunks gives the snapshot.</summary>
internal sealed class BlobChunkStore(LedgerBlobs blobs) : IChunkStore
{
    private const string ItemsMetadata = "items";

    /// <inheritdoc/>
    public Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var name = LedgerPaths.Chunk(result.JobId, result.Chunk);
            var bytes = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(result, LedgerJsonContext.Default.CommittedChunk));
            var metadata = new Dictionary<string, string> { [ItemsMetadata] = result.Items.ToString(CultureInfo.InvariantCulture) };
            if (await blobs.TryUploadNewAsync(name, bytes, metadata, cancellationToken).ConfigureAwait(false))
            {
                return new ChunkCommit(result, IsDuplicate: false);
            }
            var committed = await blobs.ReadAsync(name, LedgerJsonContext.Default.CommittedChunk, cancellationToken).ConfigureAwait(false);
            return new ChunkCommit(committed!, IsDuplicate: true);
        });

    /// <inheritdoc/>
    public Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Chunk(jobId, index), LedgerJsonContext.Default.CommittedChunk, cancellationToken);

    /// <inheritdoc/>
    public Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var name = LedgerPaths.Output(jobId, index, format);
            await blobs.UploadAsync(name, BinaryData.FromBytes(records), new BlobUploadOptions { HttpHeaders = LedgerBlobs.Ndjson }, cancellationToken)
                .ConfigureAwait(false);
            return name;
        });

    /// <inheritdoc/>
    public Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default) =>
        blobs.WriteAsync(LedgerPaths.Failure(jobId, failure.Chunk), failure, LedgerJsonContext.Default.ChunkFailure, cancellationToken);

    /// <summary>Which chunks have a failure record, from one listing.</summary>
    public Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () => await ListFailedAsync(await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false), jobId, cancellationToken)
            .ConfigureAwait(false));

    /// <summary>The first failure records by chunk index: blob names sort by index, so one listing page holds them.</summary>
    public Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync<IReadOnlyList<ChunkFailure>>(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            var names = new List<string>();
            await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Failures(jobId), cancellationToken)
                .AsPages(pageSizeHint: max).ConfigureAwait(false))
            {
                names.AddRange(page.Values.Select(b => b.Name).Take(max - names.Count));
                if (names.Count >= max)
                {
                    break;
                }
            }
            var failures = await Task.WhenAll(names.Select(n => blobs.ReadAsync(n, LedgerJsonContext.Default.ChunkFailure, cancellationToken))).ConfigureAwait(false);
            return [.. failures.OfType<ChunkFailure>().OrderBy(f => f.Chunk)];
        });

    /// <inheritdoc/>
    public Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, ct) =>
                await container.GetBlobClient(LedgerPaths.Failure(jobId, chunk)).DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false))
                .ConfigureAwait(false);
            return true;
        });

    /// <summary>Which chunks are committed (with their item counts) and which failed, from two listings.</summary>
    public Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            var committed = new Dictionary<int, long>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, LedgerPaths.Chunks(jobId), cancellationToken).ConfigureAwait(false))
            {
                committed[LedgerPaths.IndexOf(blob.Name)] = long.Parse(blob.Metadata[ItemsMetadata], CultureInfo.InvariantCulture);
            }
            var failed = (await ListFailedAsync(container, jobId, cancellationToken).ConfigureAwait(false)).Where(i => !committed.ContainsKey(i)).ToList();
            var failures = new List<ChunkFailure>();
            foreach (var index in failed.Take(LedgerSnapshot.MaxListedFailures))
            {
                if (await blobs.ReadAsync(LedgerPaths.Failure(jobId, index), LedgerJsonContext.Default.ChunkFailure, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    failures.Add(failure);
                }
            }
            return new LedgerSnapshot(committed, failed, failures);
        });

    /// <inheritdoc/>
    public Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        blobs.ReadAsync(LedgerPaths.RangeTally(jobId, first, count), typeInfo, cancellationToken);

    /// <inheritdoc/>
    public Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        blobs.WriteAsync(LedgerPaths.RangeTally(jobId, first, count), tally, typeInfo, cancellationToken);

    private static async Task<IReadOnlyList<int>> ListFailedAsync(BlobContainerClient container, string jobId, CancellationToken cancellationToken)
    {
        var failed = new List<int>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Failures(jobId), cancellationToken).ConfigureAwait(false))
        {
            failed.Add(LedgerPaths.IndexOf(blob.Name));
        }
        failed.Sort();
        return failed;
    }
}
