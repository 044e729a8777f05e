using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The status of a job that has no result yet, in a few storage calls whatever its size: the job's
/// lease names its current run, whose progress log holds its counts (<see cref="RunProgress"/>), and the first
/// failures are one listing away. A job that ended has its result instead, exact.</summary>
internal sealed class JobStatusReader(IJobLedger ledger, IOptions<FanOutOptions> options, TimeProvider timeProvider)
{
    /// <summary>Pending until a chunk finishes, then Running.</summary>
    public async Task<JobResult> LiveAsync(JobManifest manifest, CancellationToken cancellationToken = default)
    {
        var progress = await ProgressAsync(manifest, cancellationToken).ConfigureAwait(false);
        var failures = progress.Failed > 0
            ? await ledger.ReadFailuresAsync(manifest.JobId, LedgerSnapshot.MaxListedFailures, cancellationToken).ConfigureAwait(false)
            : [];
        var succeeded = Math.Min(progress.Succeeded, manifest.ChunkCount);
        var failed = Math.Min(progress.Failed, manifest.ChunkCount - succeeded);
        return new JobResult
        {
            JobId = manifest.JobId,
            Status = succeeded + failed == 0 ? JobStatus.Pending : JobStatus.Running,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            Chunks = new ChunkCounts(manifest.ChunkCount, succeeded, failed, manifest.ChunkCount - succeeded - failed),
            Items = new ItemCounts(progress.Items, progress.FailedItems),
            DurationMs = (long)(timeProvider.GetUtcNow() - manifest.CreatedAt).TotalMilliseconds,
            Failures = failures,
            StatusUrl = options.Value.StatusUrl(manifest.JobId),
        };
    }

    // The current run's progress; until its root has written its base line (it lists the committed chunks
    // first), the progress its predecessor left.
    private async Task<RunProgress> ProgressAsync(JobManifest manifest, CancellationToken cancellationToken)
    {
        if (await ledger.ReadDispatchMarkerAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return RunProgress.None;
        }
        var progress = RunProgress.Of(await ledger.ReadProgressAsync(manifest.JobId, run.RunId, manifest.ChunkCount, cancellationToken).ConfigureAwait(false));
        return progress.HasBase || run.Predecessor is not { } predecessor
            ? progress
            : RunProgress.Of(await ledger.ReadProgressAsync(manifest.JobId, predecessor, manifest.ChunkCount, cancellationToken).ConfigureAwait(false));
    }
}
