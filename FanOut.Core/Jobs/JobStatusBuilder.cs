using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Turns what the ledger holds of a job into the job result/status body.</summary>
public sealed class JobStatusBuilder(IOptions<FanOutOptions> options, ChunkProcessors processors, TimeProvider timeProvider)
{
    /// <summary>Where a job's status is read: <c>{SelfBaseUrl}/api/batch/{jobId}</c>.</summary>
    public string StatusUrl(string jobId) =>
        new Uri(options.Value.SelfBaseUrl!, $"/api/batch/{jobId}").AbsoluteUri;

    /// <summary>The status of a job that has no result yet: Pending until a chunk finishes, then Running.</summary>
    public JobResult Live(JobManifest manifest, LedgerSnapshot snapshot)
    {
        var succeeded = snapshot.Committed.Count;
        var failed = snapshot.Failed.Count;
        return new JobResult
        {
            JobId = manifest.JobId,
            Status = succeeded + failed == 0 ? JobStatus.Pending : JobStatus.Running,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            Chunks = new ChunkCounts(manifest.ChunkCount, succeeded, failed, manifest.ChunkCount - succeeded - failed),
            Items = new ItemCounts(snapshot.Committed.Values.Sum(), snapshot.Failed.Sum(i => ItemsIn(manifest, i))),
            DurationMs = (long)(timeProvider.GetUtcNow() - manifest.CreatedAt).TotalMilliseconds,
            Failures = snapshot.Failures,
            StatusUrl = StatusUrl(manifest.JobId),
        };
    }

    /// <summary>The result of a run that ended: Succeeded or Failed when every chunk finished (by the
    /// tolerated share of failures), Incomplete when some were not seen to an end.</summary>
    public JobResult Ended(JobManifest manifest, SubtreeResult total)
    {
        var processor = processors.TryGet(manifest.Processor, out var found) ? found
            : throw new InvalidOperationException($"Job {manifest.JobId} needs processor '{manifest.Processor}', which is not registered.");
        var options = manifest.ProcessorOptions();
        var completedAt = timeProvider.GetUtcNow();
        var failedPercent = manifest.ChunkCount == 0 ? 0 : 100.0 * total.Failed / manifest.ChunkCount;
        var finished = total.Unfinished == 0;
        return new JobResult
        {
            JobId = manifest.JobId,
            Status = !finished ? JobStatus.Incomplete
                : failedPercent <= manifest.ToleratedFailurePercent ? JobStatus.Succeeded : JobStatus.Failed,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            CompletedAt = finished ? completedAt : null,
            Chunks = new ChunkCounts(manifest.ChunkCount, total.Succeeded, total.Failed, total.Unfinished),
            Items = new ItemCounts(total.Items, total.FailedItems),
            DurationMs = (long)(completedAt - manifest.CreatedAt).TotalMilliseconds,
            // An incomplete run's aggregate would pass for the job's: it has none until resume finishes it.
            Result = finished ? processor.Finish(total.Result ?? processor.Merge([], options), options) : null,
            Failures = total.Failures,
            Outputs = finished && total.Outputs.Count > 0 ? total.Outputs : null,
            DispatchLevels = total.Levels,
            StatusUrl = StatusUrl(manifest.JobId),
        };
    }

    /// <summary>Items of a chunk: known for inline items and whole-record chunks, unknown (0) for byte ranges.</summary>
    public static long ItemsIn(JobManifest manifest, int chunk) =>
        manifest.ChunkBytes > 0 ? 0 : Math.Min(manifest.ChunkSize, manifest.ItemCount - (long)chunk * manifest.ChunkSize);
}
