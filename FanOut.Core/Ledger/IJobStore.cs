using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>The job as a whole: its manifest and input (written once, when it is admitted), its fan-in result, its entry in the
/// index of jobs, and its purge. One of the four stores of the ledger, split by what a caller works on (as Blob Storage's
/// clients are split by resource), so that a class takes only the part it uses and each part has a small contract
/// (FanOut.Tests' LedgerContract) run against Blob Storage and memory alike. <see cref="BlobJobStore"/> keeps it in Blob
/// Storage (layout in <see cref="LedgerPaths"/>); transient failures surface as <see cref="StorageUnavailableException"/>.</summary>
internal interface IJobStore
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

    /// <summary>A page of the index of jobs, newest first: at most <paramref name="top"/> entries from
    /// <paramref name="continuationToken"/> on (one listing call).</summary>
    Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>The job's fan-in result, or null while there is none.</summary>
    Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Writes (or, after a resume, replaces) the job's fan-in result.</summary>
    Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job's result only if it did not change meanwhile, as <see cref="IRunStore.TryUpdateDispatchMarkerAsync"/>
    /// does the marker: a writer that must not overwrite a result it has not seen (a cancel racing the run's end) decides on it.</summary>
    Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default);

    /// <summary>Removes the job's result (of an earlier run that did not succeed), so its status shows live progress.</summary>
    Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Removes every blob of the job (its index entry first), its manifest next to last and its lease (the purge's) last, so
    /// that a purge cut short can be repeated and a run waiting for the lease finds the job gone; answers how many blobs of the
    /// job's folder it removed (its index entry, outside the folder, is not counted).</summary>
    Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default);
}
