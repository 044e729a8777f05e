using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>What is signalled to a job from outside its run: a pause (back-pressure every dispatcher honours), a cancel,
/// its concurrency level, and the notice of its final status to its notify URL. Small records, each replaced whole, read often.
/// <see cref="BlobSignalStore"/> keeps them in Blob Storage (layout in <see cref="LedgerPaths"/>); transient failures
/// surface as <see cref="StorageUnavailableException"/>.</summary>
internal interface ISignalStore
{
    /// <summary>Records until when every dispatcher of the job holds back (job-wide back-pressure).</summary>
    Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default);

    /// <summary>The job's recorded pause, if any.</summary>
    Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Records that the job is cancelled (again: harmless).</summary>
    Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default);

    /// <summary>The job's cancel, if it has one.</summary>
    Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's cancel (a resume runs it again).</summary>
    Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Records the job's concurrency level (replaced whole: the last write stands).</summary>
    Task WriteConcurrencyAsync(string jobId, JobConcurrency concurrency, CancellationToken cancellationToken = default);

    /// <summary>The job's concurrency level, if it was changed since its start.</summary>
    Task<JobConcurrency?> ReadConcurrencyAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's concurrency level (an update that raced a purge takes back what it wrote).</summary>
    Task DeleteConcurrencyAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The last final status the job's notify URL acknowledged, or null.</summary>
    Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job's notice record only if it did not change meanwhile, as
    /// <see cref="IRunStore.TryUpdateDispatchMarkerAsync"/> does the marker: the claim of a notice's sender, then how it ended.</summary>
    Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default);
}
