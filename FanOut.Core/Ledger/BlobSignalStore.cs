namespace FanOut.Core.Ledger;

/// <summary><see cref="ISignalStore"/> in Blob Storage: the pause, the cancel and the concurrency level are JSON blobs replaced whole; the notice is
/// replaced with If-Match on the ETag it was read with, so that two senders never both claim it.</summary>
internal sealed class BlobSignalStore(LedgerBlobs blobs) : ISignalStore
{
    /// <inheritdoc/>
    public Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default) =>
        blobs.WriteAsync(LedgerPaths.Pause(jobId), pause, LedgerJsonContext.Default.JobPause, cancellationToken);

    /// <inheritdoc/>
    public Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Pause(jobId), LedgerJsonContext.Default.JobPause, cancellationToken);

    /// <inheritdoc/>
    public Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default) =>
        blobs.WriteAsync(LedgerPaths.Cancel(jobId), cancel, LedgerJsonContext.Default.JobCancel, cancellationToken);

    /// <inheritdoc/>
    public Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Cancel(jobId), LedgerJsonContext.Default.JobCancel, cancellationToken);

    /// <inheritdoc/>
    public Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.DeleteAsync(LedgerPaths.Cancel(jobId), cancellationToken);

    /// <inheritdoc/>
    public Task WriteConcurrencyAsync(string jobId, JobConcurrency concurrency, CancellationToken cancellationToken = default) =>
        blobs.WriteAsync(LedgerPaths.Concurrency(jobId), concurrency, LedgerJsonContext.Default.JobConcurrency, cancellationToken);

    /// <inheritdoc/>
    public Task<JobConcurrency?> ReadConcurrencyAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Concurrency(jobId), LedgerJsonContext.Default.JobConcurrency, cancellationToken);

    /// <inheritdoc/>
    public Task DeleteConcurrencyAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.DeleteAsync(LedgerPaths.Concurrency(jobId), cancellationToken);

    /// <inheritdoc/>
    public Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default) =>
        blobs.ReadAsync(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, cancellationToken);

    /// <summary>Replaces the job's notice record as <see cref="IRunStore.TryUpdateDispatchMarkerAsync"/> replaces the marker.</summary>
    public Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default) =>
        blobs.TryUpdateAsync(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, decide, cancellationToken);
}
