using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Turns what the ledger holds of a job into the job result/status body.</summary>
public sealed class JobStatusBuilder(IOptions<FanOutOptions> options, TimeProvider timeProvider)
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

    /// <summary>The result of a job every chunk of which has finished.</summary>
    public JobResult Finished(JobManifest manifest, long itemsProcessed, IReadOnlyList<ChunkFailure> failures, System.Text.Json.JsonElement result)
    {
        var completedAt = timeProvider.GetUtcNow();
        var failedPercent = manifest.ChunkCount == 0 ? 0 : 100.0 * failures.Count / manifest.ChunkCount;
        return new JobResult
        {
            JobId = manifest.JobId,
            Status = failedPercent <= manifest.ToleratedFailurePercent ? JobStatus.Succeeded : JobStatus.Failed,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            CompletedAt = completedAt,
            Chunks = new ChunkCounts(manifest.ChunkCount, manifest.ChunkCount - failures.Count, failures.Count, 0),
            Items = new ItemCounts(itemsProcessed, failures.Sum(f => ItemsIn(manifest, f.Chunk))),
            DurationMs = (long)(completedAt - manifest.CreatedAt).TotalMilliseconds,
            Result = result,
            Failures = [.. failures.OrderBy(f => f.Chunk).Take(LedgerSnapshot.MaxListedFailures)],
            StatusUrl = StatusUrl(manifest.JobId),
        };
    }

    // Items of a chunk: known for inline items and whole-record chunks, unknown (0) for byte ranges.
    private static long ItemsIn(JobManifest manifest, int chunk) =>
        manifest.ChunkBytes > 0 ? 0 : Math.Min(manifest.ChunkSize, manifest.ItemCount - (long)chunk * manifest.ChunkSize);
}
