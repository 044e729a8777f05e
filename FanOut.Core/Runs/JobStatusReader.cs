using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The status of a job that has no result yet, in a few storage calls whatever its size: the job's
/// lease names its current run, whose progress log holds its counts (<see cref="RunProgress"/>), and the first
/// failures are one listing away. A job that ended has its result instead, exact. A job whose run is gone (its lease
/// lapsed, or was let go, with no result written: the process running it died) is <c>Incomplete</c>: nothing runs it,
/// and <c>resume</c> finishes it.</summary>
internal sealed class JobStatusReader(
    IJobStore jobStore, IChunkStore chunkStore, IRunStore runStore, ISignalStore signalStore, IOptions<FanOutOptions> options, TimeProvider timeProvider)
{
    /// <summary>Pending until a chunk finishes, then Running. With the job's concurrency level (one read more: the level an
    /// <c>update</c> set, else the job's <c>maxConcurrency</c>).</summary>
    public async Task<JobResult> LiveAsync(JobManifest manifest, CancellationToken cancellationToken = default)
    {
        var (progress, ownerGone) = await ProgressAsync(manifest, cancellationToken).ConfigureAwait(false);
        if (ownerGone && await jobStore.ReadResultAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is { } result)
        {
            return result; // the run ended (and let the job go) since the caller looked for a result
        }
        var failures = progress.Failed > 0
            ? await chunkStore.ReadFailuresAsync(manifest.JobId, LedgerSnapshot.MaxListedFailures, cancellationToken).ConfigureAwait(false)
            : [];
        var level = await signalStore.ReadConcurrencyAsync(manifest.JobId, cancellationToken).ConfigureAwait(false);
        var succeeded = Math.Min(progress.Succeeded, manifest.ChunkCount);
        var failed = Math.Min(progress.Failed, manifest.ChunkCount - succeeded);
        return new JobResult
        {
            JobId = manifest.JobId,
            // A run that is gone (its lease lapsed with no result: its process died) runs nothing: resume finishes the job.
            Status = ownerGone ? JobStatus.Incomplete : succeeded + failed == 0 ? JobStatus.Pending : JobStatus.Running,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            Chunks = new ChunkCounts(manifest.ChunkCount, succeeded, failed, manifest.ChunkCount - succeeded - failed),
            Items = new ItemCounts(progress.Items, progress.FailedItems),
            DurationMs = (long)(timeProvider.GetUtcNow() - manifest.CreatedAt).TotalMilliseconds,
            Failures = failures,
            MaxConcurrency = level?.Level ?? manifest.MaxConcurrency,
            StatusUrl = options.Value.StatusUrl(manifest.JobId),
        };
    }

    /// <summary>The grid of the status page: the job's chunks by state, from its current (or last) run's progress log;
    /// one read more than a status read.</summary>
    public async Task<IReadOnlyList<GridCell>> GridAsync(JobManifest manifest, JobResult job, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ProgressLine> lines = [];
        if (job.Status != JobStatus.Succeeded && await runStore.ReadDispatchMarkerAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is { } run)
        {
            lines = RunProgress.Latest(await runStore.ReadProgressAsync(manifest.JobId, run.RunId, manifest.ChunkCount, cancellationToken).ConfigureAwait(false));
        }
        return ChunkGrid.Of(job, lines);
    }

    // The current run's progress; until its root has written its base line (it lists the committed chunks
    // first), the progress its predecessor left. The owner is gone when the run's lease lapsed or was let go.
    private async Task<(RunProgress Progress, bool OwnerGone)> ProgressAsync(JobManifest manifest, CancellationToken cancellationToken)
    {
        if (await runStore.ReadDispatchMarkerAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return (RunProgress.None, false);
        }
        var ownerGone = !run.HoldsAt(timeProvider.GetUtcNow());
        var progress = RunProgress.Of(await runStore.ReadProgressAsync(manifest.JobId, run.RunId, manifest.ChunkCount, cancellationToken).ConfigureAwait(false));
        return progress.HasBase || run.Predecessor is not { } predecessor
            ? (progress, ownerGone)
            : (RunProgress.Of(await runStore.ReadProgressAsync(manifest.JobId, predecessor, manifest.ChunkCount, cancellationToken).ConfigureAwait(false)), ownerGone);
    }
}
