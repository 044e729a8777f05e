using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>The job's runs: the dispatch marker (the lease of the run that holds the job), each run's progress logs, what a
/// run hands its next hop, and the watchdog's count of the resumes it started. What one run of the job writes about itself,
/// and what the next run, a status read and the watchdog read of it. <see cref="BlobRunStore"/> keeps it in Blob Storage
/// (layout in <see cref="LedgerPaths"/>); transient failures surface as <see cref="StorageUnavailableException"/>.</summary>
internal interface IRunStore
{
    /// <summary>Replaces the job's dispatch marker only if it did not change meanwhile (a compare-and-swap):
    /// <paramref name="decide"/> sees the stored marker (or null) and answers the one to write, or null to
    /// leave it. Answers the marker written, or null when <paramref name="decide"/> declined; when another
    /// writer got in between, it reads again and asks <paramref name="decide"/> again.</summary>
    Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default);

    /// <summary>The latest dispatch run of the job (its lease), or null.</summary>
    Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Appends a line to the run's progress log of the line's chunks (the log is created on first use).</summary>
    Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default);

    /// <summary>Every line of the run's progress logs, in no particular order: one read per log.</summary>
    Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default);

    /// <summary>Records what a run hands its next hop (replacing the one before).</summary>
    Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default);

    /// <summary>What the job's last run handed its next hop, or null.</summary>
    Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the watchdog's record of the job's resumes only if it did not change meanwhile, as
    /// <see cref="TryUpdateDispatchMarkerAsync"/> does the marker: two watchdogs that find one dead run count it once.</summary>
    Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default);
}
