using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>Ends a run: turns the root's tally into the job's result and writes it to the ledger.</summary>
internal sealed class JobFinalizer(
    IJobStore jobStore, ISignalStore signalStore, JobThrottle throttle, ChunkProcessors processors, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    /// <summary>Writes and answers the result of a run whose tree used <paramref name="levels"/> levels (of a job that was
    /// <paramref name="cancelled"/>: it ends Cancelled).</summary>
    public async Task<JobResult> WriteAsync(JobManifest manifest, ChunkTally total, int levels, bool cancelled = false)
    {
        var result = Ended(manifest, total, levels, cancelled) with { MaxConcurrency = await LevelAsync(manifest).ConfigureAwait(false) };
        await jobStore.WriteResultAsync(result).ConfigureAwait(false);
        return result;
    }

    // The job's level as the ledger has it (an update may have come within the last second); without the ledger, as this
    // instance last saw it.
    private async Task<int> LevelAsync(JobManifest manifest)
    {
        try
        {
            return (await signalStore.ReadConcurrencyAsync(manifest.JobId).ConfigureAwait(false))?.Level ?? manifest.MaxConcurrency;
        }
        catch (StorageUnavailableException)
        {
            return throttle.LevelOf(manifest.JobId) ?? manifest.MaxConcurrency;
        }
    }

    // Succeeded or Failed when every chunk finished (Failed when the failures exceed the tolerated share or the tolerated
    // count: either), Incomplete (or Cancelled) when some were not seen to an end.
    private JobResult Ended(JobManifest manifest, ChunkTally total, int levels, bool cancelled)
    {
        var processor = processors.For(manifest);
        var processorOptions = manifest.ProcessorOptions();
        var completedAt = timeProvider.GetUtcNow();
        var failedPercent = manifest.ChunkCount == 0 ? 0 : 100.0 * total.Failed / manifest.ChunkCount;
        var finished = total.Unfinished == 0;
        return new JobResult
        {
            JobId = manifest.JobId,
            Status = !finished ? (cancelled ? JobStatus.Cancelled : JobStatus.Incomplete)
                : failedPercent <= manifest.ToleratedFailurePercent && total.Failed <= (manifest.ToleratedFailureCount ?? int.MaxValue)
                    ? JobStatus.Succeeded : JobStatus.Failed,
            Processor = manifest.Processor,
            CreatedAt = manifest.CreatedAt,
            CompletedAt = finished || cancelled ? completedAt : null,
            Chunks = new ChunkCounts(manifest.ChunkCount, total.Succeeded, total.Failed, total.Unfinished),
            Items = new ItemCounts(total.Items, total.FailedItems),
            DurationMs = (long)(completedAt - manifest.CreatedAt).TotalMilliseconds,
            // An incomplete run's aggregate would pass for the job's: it has none until resume finishes it.
            Result = finished ? processor.Finish(total.Result ?? processor.Merge([], processorOptions), processorOptions) : null,
            Failures = total.Failures,
            // Every committed chunk of a processor that emits records has its part (written before the commit).
            Output = finished && processor.OutputFormat is { } format && total.Succeeded > 0
                ? new JobOutput(options.Value.Storage.Container, LedgerPaths.Outputs(manifest.JobId), total.Succeeded, format)
                : null,
            DispatchLevels = levels,
            StatusUrl = options.Value.StatusUrl(manifest.JobId),
        };
    }
}
