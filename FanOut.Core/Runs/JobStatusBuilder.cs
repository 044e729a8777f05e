using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The status of a job that has no result yet, from what the ledger holds of it.</summary>
internal sealed class JobStatusBuilder(IOptions<FanOutOptions> options, TimeProvider timeProvider)
{
    /// <summary>Pending until a chunk finishes, then Running.</summary>
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
            Items = new ItemCounts(snapshot.Committed.Values.Sum(), snapshot.Failed.Sum(manifest.ItemsIn)),
            DurationMs = (long)(timeProvider.GetUtcNow() - manifest.CreatedAt).TotalMilliseconds,
            Failures = snapshot.Failures,
            StatusUrl = options.Value.StatusUrl(manifest.JobId),
        };
    }
}
