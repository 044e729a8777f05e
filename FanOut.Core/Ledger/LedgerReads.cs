using System.Text.Json;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>Reads built on the ledger's own.</summary>
internal static class LedgerReads
{
    /// <summary>The stored plan of a job with a blob source: its blobs' versions and each chunk's byte range.</summary>
    public static async Task<SourcePlan> ReadSourcePlanAsync(this IJobStore jobs, JobManifest manifest, CancellationToken cancellationToken = default)
    {
        var input = await jobs.ReadInputAsync(manifest, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(input.ToMemory().Span, LedgerJsonContext.Default.SourcePlan)
               ?? throw new InvalidOperationException($"Job {manifest.JobId} has no source plan.");
    }
}
