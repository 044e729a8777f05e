using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>Where every job's state lives: its manifest and input, each chunk's commit or failure, its
/// result and its run markers. <see cref="JobLedger"/> keeps it in Blob Storage; the orchestration's unit
/// tests keep it in memory. Transient failures surface as <see cref="StorageUnavailableException"/>.</summary>
internal interface IJobLedger
{
    /// <summary>The job's manifest, or null when there is no such job.</summary>
    Task<JobManifest?> GetManifestAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Stores a new job: its input (<see cref="JobManifest.InputBlob"/>), then its manifest (the
    /// commit point). When a manifest already exists for the job id, nothing is replaced, the input this call
    /// wrote is removed (unless it is the stored job's own: the same request), and the existing manifest is returned.</summary>
    Task<JobManifest> CreateAsync(JobManifest manifest, BinaryData input, CancellationToken cancellationToken = default);

    /// <summary>The job's whole stored input.</summary>
    Task<BinaryData> ReadInputAsync(JobManifest manifest, CancellationToken cancellationToken = default);

    /// <summary>Bytes [offset, offset + length) of a job's stored input.</summary>
    Task<byte[]> ReadInputRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken = default);

    /// <summary>Commits a chunk's result unless one is committed already, and returns the one that stands.</summary>
    Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default);

    /// <summary>Writes (or rewrites, with the same records) a chunk's output part; returns its name.</summary>
    Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default);

    /// <summary>The tally recorded for a range of the job's tree whose chunks were all committed
    /// (<see cref="LedgerPaths.RangeTally"/>), or null when none was.</summary>
    Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) where T : class;

    /// <summary>Records the tally of a range whose chunks are all committed (it never changes: a chunk's first commit stands).</summary>
    Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) where T : class;

    /// <summary>A chunk's committed result, or null.</summary>
    Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default);

    /// <summary>Records why a chunk failed (replacing an earlier record of it).</summary>
    Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default);

    /// <summary>Which chunks are committed (with their item counts) and which failed.</summary>
    Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Which chunks have a failure record, ascending: one listing of the failures alone (a failed chunk committed
    /// since is listed too).</summary>
    Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>What the job's last run handed its next hop, or null.</summary>
    Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Records what a run hands its next hop (replacing the one before).</summary>
    Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="max"/> failure records of the job, by chunk index: one listing and a read of each.</summary>
    Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default);

    /// <summary>Removes the failure records of <paramref name="chunks"/> (a new run tries them again).</summary>
    Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default);

    /// <summary>Appends a line to the run's progress log of the line's chunks (the log is created on first use).</summary>
    Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default);

    /// <summary>Every line of the run's progress logs, in no particular order: one read per log.</summary>
    Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default);

    /// <summary>A page of the index of jobs, newest first: at most <paramref name="top"/> entries from
    /// <paramref name="continuationToken"/> on (one listing call).</summary>
    Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Removes every blob of the job (its index entry first), its manifest next to last and its lease (the purge's) last, so
    /// that a purge cut short can be repeated and a run waiting for the lease finds the job gone; answers how many it removed.</summary>
    Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The job's fan-in result, or null while there is none.</summary>
    Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Writes (or, after a resume, replaces) the job's fan-in result.</summary>
    Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job's result only if it did not change meanwhile, as <see cref="TryUpdateDispatchMarkerAsync"/>
    /// does the marker: a writer that must not overwrite a result it has not seen (a cancel racing the run's end) decides on it.</summary>
    Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's result (of an earlier run that did not succeed), so its status shows live progress.</summary>
    Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Records until when every dispatcher of the job holds back (job-wide back-pressure).</summary>
    Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default);

    /// <summary>The last final status the job's notify URL acknowledged, or null.</summary>
    Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job's notice record only if it did not change meanwhile, as
    /// <see cref="TryUpdateDispatchMarkerAsync"/> does the marker: the claim of a notice's sender, then how it ended.</summary>
    Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default);

    /// <summary>Replaces the watchdog's record of the job's resumes only if it did not change meanwhile, as
    /// <see cref="TryUpdateDispatchMarkerAsync"/> does the marker: two watchdogs that find one dead run count it once.</summary>
    Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default);

    /// <summary>Records that the job is cancelled (again: harmless).</summary>
    Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default);

    /// <summary>The job's cancel, if it has one.</summary>
    Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's cancel (a resume runs it again).</summary>
    Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The job's recorded pause, if any.</summary>
    Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job's dispatch marker only if it did not change meanwhile (a compare-and-swap):
    /// <paramref name="decide"/> sees the stored marker (or null) and answers the one to write, or null to
    /// leave it. Answers the marker written, or null when <paramref name="decide"/> declined; when another
    /// writer got in between, it reads again and asks <paramref name="decide"/> again.</summary>
    Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default);

    /// <summary>The latest dispatch run of the job (its lease), or null.</summary>
    Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default);
}
