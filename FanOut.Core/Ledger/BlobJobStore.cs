using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary><see cref="IJobStore"/> in Blob Storage: the manifest is written with If-None-Match: *, so the first request
/// for a job id stores it and a later one finds it; the index of jobs is one empty blob a job, its summary in its
/// metadata, named so that a listing runs newest first (<see cref="LedgerPaths.IndexEntry"/>).</summary>
internal sealed class BlobJobStore(LedgerBlobs blobs) : IJobStore
{
    /// <inheritdoc/>
    public Task<JobManifest?> GetManifestAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Manifest(jobId), LedgerJsonContext.Default.JobManifest, cancellationToken);

    /// <inheritdoc/>
    public Task<JobManifest> CreateAsync(JobManifest manifest, BinaryData input, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var wroteInput = await blobs.TryUploadNewAsync(manifest.InputBlob, input, null, cancellationToken).ConfigureAwait(false);
            var bytes = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, LedgerJsonContext.Default.JobManifest));
            if (await blobs.TryUploadNewAsync(LedgerPaths.Manifest(manifest.JobId), bytes, null, cancellationToken).ConfigureAwait(false))
            {
                await WriteIndexAsync(JobIndexEntry.Of(manifest), cancellationToken).ConfigureAwait(false);
                return manifest;
            }
            var stored = (await GetManifestAsync(manifest.JobId, cancellationToken).ConfigureAwait(false))!;
            if (wroteInput && stored.InputBlob != manifest.InputBlob)
            {
                // Another request took the job id first: the input this one wrote belongs to no job.
                await (await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(manifest.InputBlob)
                    .DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            return stored;
        });

    /// <inheritdoc/>
    public Task<BinaryData> ReadInputAsync(JobManifest manifest, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () => (await (await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false))
            .GetBlobClient(manifest.InputBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content);

    /// <inheritdoc/>
    public Task<byte[]> ReadInputRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () => (await (await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(blobName)
            .DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken).ConfigureAwait(false))
            .Value.Content.ToArray());

    /// <inheritdoc/>
    public Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var page in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, LedgerPaths.Index, cancellationToken)
                .AsPages(continuationToken, top).ConfigureAwait(false))
            {
                var entries = page.Values.Select(b => JobIndexEntry.FromMetadata(b.Metadata)).OfType<JobIndexEntry>().ToList();
                return new JobIndexPage(entries, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            }
            return new JobIndexPage([], null);
        });

    /// <inheritdoc/>
    public Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, cancellationToken);

    /// <summary>Writes (or, after a resume, replaces) the job's fan-in result, then its index entry's summary.</summary>
    public async Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default)
    {
        await blobs.WriteAsync(LedgerPaths.Result(result.JobId), result, LedgerJsonContext.Default.JobResult, cancellationToken).ConfigureAwait(false);
        await WriteIndexAsync(JobIndexEntry.Of(result), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the job's result as <see cref="IRunStore.TryUpdateDispatchMarkerAsync"/> replaces the marker (then its
    /// index entry's summary): a result written meanwhile is decided on again, never overwritten unseen.</summary>
    public async Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default)
    {
        var written = await blobs.TryUpdateAsync(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, decide, cancellationToken).ConfigureAwait(false);
        if (written is not null)
        {
            await WriteIndexAsync(JobIndexEntry.Of(written), cancellationToken).ConfigureAwait(false);
        }
        return written;
    }

    /// <summary>Removes the job's result, then shows the job active again in the index of jobs.</summary>
    public async Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default)
    {
        await blobs.DeleteAsync(LedgerPaths.Result(jobId), cancellationToken).ConfigureAwait(false);
        if (await GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is { } manifest)
        {
            await WriteIndexAsync(JobIndexEntry.Of(manifest), cancellationToken).ConfigureAwait(false); // active again
        }
    }

    /// <summary>Lists the job's folder and deletes what it holds (16 at a time), the manifest last: until it is gone, the
    /// job exists and a repeated purge goes on.</summary>
    public Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            if (await GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                // First out of the listing of jobs: a purge cut short leaves a job that GET still finds, not a listed ghost.
                await container.GetBlobClient(LedgerPaths.IndexEntry(jobId, stored.CreatedAt)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            var (manifest, lease) = (LedgerPaths.Manifest(jobId), LedgerPaths.DispatchMarker(jobId));
            var names = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, LedgerPaths.Job(jobId), cancellationToken).ConfigureAwait(false))
            {
                if (blob.Name != manifest && blob.Name != lease)
                {
                    names.Add(blob.Name);
                }
            }
            var deleted = 0;
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (name, ct) =>
            {
                if ((await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false)).Value)
                {
                    Interlocked.Increment(ref deleted);
                }
            }).ConfigureAwait(false);
            // The manifest, then the lease (a purge holds it while it works): a run waiting for it finds the job gone.
            foreach (var last in new[] { manifest, lease })
            {
                deleted += (await container.GetBlobClient(last).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value ? 1 : 0;
            }
            return deleted;
        });

    // The job's entry in the index, with its summary in the metadata (an empty blob, replaced whole).
    private Task WriteIndexAsync(JobIndexEntry entry, CancellationToken cancellationToken) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var options = new BlobUploadOptions { Metadata = entry.ToMetadata() };
            await blobs.UploadAsync(LedgerPaths.IndexEntry(entry.JobId, entry.CreatedAt), BinaryData.Empty, options, cancellationToken).ConfigureAwait(false);
            return true;
        });
}
