using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace FanOut.Core.Ledger;

/// <summary><see cref="IRunStore"/> in Blob Storage: the dispatch marker and the watchdog's count are replaced with If-Match on
/// the ETag they were read with (If-None-Match: * when there was none), so that of two writers deciding on the same record
/// only one writes; a progress log is an append blob, one block a line, so concurrent leaves never lose a line.</summary>
internal sealed class BlobRunStore(LedgerBlobs blobs) : IRunStore
{
    /// <summary>Replaces the dispatch marker with If-Match on the ETag it was read with (If-None-Match: * when
    /// there was none), so that of two runs deciding on the same marker only one writes.</summary>
    public Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default) =>
        blobs.TryUpdateAsync(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker, decide, cancellationToken);

    /// <inheritdoc/>
    public Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker, cancellationToken);

    /// <summary>Appends one line (one append block, atomic) to the run's progress log, creating the log on first use.</summary>
    public Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync(async () =>
        {
            var log = (await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false))
                .GetAppendBlobClient(LedgerPaths.Progress(jobId, runId, line.First / LedgerPaths.ProgressShardChunks));
            var bytes = JsonSerializer.SerializeToUtf8Bytes(line, LedgerJsonContext.Default.ProgressLine);
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = (byte)'\n';
            try
            {
                await AppendAsync(log, bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                await log.CreateIfNotExistsAsync(new AppendBlobCreateOptions { HttpHeaders = LedgerBlobs.Ndjson }, cancellationToken).ConfigureAwait(false);
                await AppendAsync(log, bytes, cancellationToken).ConfigureAwait(false);
            }
            return true;
        });

    /// <summary>Reads the run's logs (at most one per 100,000 chunks) side by side; a log not written yet has no lines.</summary>
    public Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default) =>
        LedgerBlobs.GuardAsync<IReadOnlyList<ProgressLine>>(async () =>
        {
            var container = await blobs.ContainerAsync(cancellationToken).ConfigureAwait(false);
            var logs = await Task.WhenAll(Enumerable.Range(0, LedgerPaths.ProgressShards(chunkCount)).Select(async shard =>
            {
                try
                {
                    return (await container.GetBlobClient(LedgerPaths.Progress(jobId, runId, shard)).DownloadContentAsync(cancellationToken)
                        .ConfigureAwait(false)).Value.Content.ToMemory();
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return ReadOnlyMemory<byte>.Empty;
                }
            })).ConfigureAwait(false);
            return [.. logs.SelectMany(ProgressLines.Parse)];
        });

    /// <inheritdoc/>
    public Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default) =>
        blobs.WriteAsync(LedgerPaths.HandOver(jobId), handOver, LedgerJsonContext.Default.RunHandOver, cancellationToken);

    /// <inheritdoc/>
    public Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.HandOver(jobId), LedgerJsonContext.Default.RunHandOver, cancellationToken);

    /// <summary>Replaces the watchdog's record of the job's resumes as <see cref="TryUpdateDispatchMarkerAsync"/> replaces the marker.</summary>
    public Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default) =>
        blobs.TryUpdateAsync(LedgerPaths.WatchdogResumes(jobId), LedgerJsonContext.Default.WatchdogResumes, decide, cancellationToken);

    private static async Task AppendAsync(AppendBlobClient log, byte[] bytes, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        await log.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
