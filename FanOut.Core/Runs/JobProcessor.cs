using FanOut.Core.Ledger;
using FanOut.Core.Processing;

namespace FanOut.Core.Runs;

/// <summary>The processor a stored job runs.</summary>
internal static class JobProcessor
{
    /// <summary>The job's processor; a job stored by an app that had a processor this one lacks cannot run here.</summary>
    public static IChunkProcessor For(this ChunkProcessors processors, JobManifest manifest) =>
        processors.TryGet(manifest.Processor, out var processor) ? processor
            : throw new InvalidOperationException($"Job {manifest.JobId} needs processor '{manifest.Processor}', which is not registered.");
}
