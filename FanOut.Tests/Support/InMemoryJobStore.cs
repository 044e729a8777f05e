using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary><see cref="IJobStore"/> in memory, over <see cref="InMemoryJobLedger"/>'s blobs, as <see cref="BlobJobStore"/>
/// keeps it in Blob Storage.</summary>
internal sealed class InMemoryJobStore(InMemoryJobLedger ledger) : IJobStore
{
    public Task<JobManifest?> GetManifestAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.GetManifest, null, null, cancellationToken, () => ledger.Manifest(jobId));

    public Task<JobManifest> CreateAsync(JobManifest manifest, BinaryData input, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.Create, null, null, cancellationToken, () =>
        {
            var wroteInput = ledger.TryAdd(manifest.InputBlob, new InMemoryJobLedger.StoredBlob(input.ToArray()));
            if (ledger.TryAdd(LedgerPaths.Manifest(manifest.JobId), InMemoryJobLedger.Json(manifest, LedgerJsonContext.Default.JobManifest)))
            {
                ledger.WriteIndex(JobIndexEntry.Of(manifest));
                return manifest;
            }
            var stored = ledger.Manifest(manifest.JobId)!;
            if (wroteInput && stored.InputBlob != manifest.InputBlob)
            {
                ledger.Remove(manifest.InputBlob);
            }
            return stored;
        });

    public Task<BinaryData> ReadInputAsync(JobManifest manifest, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadInput, null, null, cancellationToken, () => BinaryData.FromBytes(ledger.Input(manifest.InputBlob)));

    public Task<byte[]> ReadInputRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadInput, null, null, cancellationToken, () => ledger.Input(blobName).AsSpan((int)offset, length).ToArray());

    // The index of jobs: names sort newest first; a continuation token is the last name of the page before.
    public Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ListJobs, null, null, cancellationToken, () =>
        {
            var names = ledger.Under(LedgerPaths.Index).Where(b => continuationToken is null || string.CompareOrdinal(b.Name, continuationToken) > 0).ToList();
            var page = names.Take(top).ToList();
            return new JobIndexPage([.. page.Select(b => JobIndexEntry.FromMetadata(b.Blob.Metadata!.ToDictionary())!)],
                names.Count > top ? page[^1].Name : null);
        });

    public Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadResult, null, null, cancellationToken, () => ledger.Result(jobId));

    public Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteResult, null, null, cancellationToken, () =>
        {
            lock (ledger.UpdateLock)
            {
                ledger.Plant(LedgerPaths.Result(result.JobId), InMemoryJobLedger.Json(result, LedgerJsonContext.Default.JobResult));
            }
            ledger.WriteIndex(JobIndexEntry.Of(result));
        });

    public Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteResult, null, null, cancellationToken, () =>
        {
            var written = ledger.Update(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, decide);
            if (written is not null)
            {
                ledger.WriteIndex(JobIndexEntry.Of(written));
            }
            return written;
        });

    public Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.DeleteResult, null, null, cancellationToken, () =>
        {
            ledger.Remove(LedgerPaths.Result(jobId));
            if (ledger.Manifest(jobId) is { } manifest)
            {
                ledger.WriteIndex(JobIndexEntry.Of(manifest));
            }
        });

    // One counted call per blob deleted (PurgeBlob), so a test can cut a purge short: the index entry first (not counted in
    // the answer, as Blob Storage's purge does not count it), the manifest, then the lease, last.
    public async Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (ledger.Manifest(jobId) is { } stored)
        {
            var index = LedgerPaths.IndexEntry(jobId, stored.CreatedAt);
            await ledger.RunAsync(LedgerOperation.PurgeBlob, jobId, null, cancellationToken, () => ledger.Remove(index));
        }
        var (manifest, lease) = (LedgerPaths.Manifest(jobId), LedgerPaths.DispatchMarker(jobId));
        var deleted = 0;
        foreach (var name in ledger.Names(LedgerPaths.Job(jobId)).Where(n => n != manifest && n != lease).Append(manifest).Append(lease))
        {
            deleted += await ledger.RunAsync(LedgerOperation.PurgeBlob, jobId, null, cancellationToken, () => ledger.Remove(name) ? 1 : 0);
        }
        return deleted;
    }
}
