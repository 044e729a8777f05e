using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Runs;

/// <summary>One run of a stored job: the root of its dispatch tree, the node that covers every chunk. It
/// reads which chunks are committed, walks the chunk pass over the rest, and has the job's result written.</summary>
internal sealed class JobRun(
    IJobLedger ledger, TreeWalker walker, ChunkPass chunks, CsvStartStates csv, JobFinalizer finalizer,
    TimeProvider timeProvider, ILogger<JobRun> logger)
{
    /// <summary>Runs the job within <paramref name="deadline"/> and answers its result.</summary>
    public async Task<JobResult> RunAsync(JobManifest manifest, string runId, HopDeadline deadline)
    {
        var jobId = manifest.JobId;
        var earlier = await ledger.ReadResultAsync(jobId).ConfigureAwait(false);
        if (earlier is { Status: JobStatus.Succeeded })
        {
            return earlier;
        }
        await ledger.MarkDispatchAsync(jobId, new DispatchMarker { RunId = runId, StartedAt = timeProvider.GetUtcNow() }).ConfigureAwait(false);
        if (earlier is not null)
        {
            // The result of an earlier run would hide this run's progress from the job's status.
            await ledger.DeleteResultAsync(jobId).ConfigureAwait(false);
        }

        var committed = (await ledger.ReadSnapshotAsync(jobId).ConfigureAwait(false)).Committed;
        var states = Enumerable.Repeat(QuoteState.None, manifest.ChunkCount).ToArray();
        var errors = new string?[manifest.ChunkCount];
        if (manifest.Source is { Format: "csv" } && manifest.ChunkBytes > 0)
        {
            (states, errors) = await csv.FindAsync(manifest, runId, deadline).ConfigureAwait(false);
        }
        // A chunk whose quote state is unknown this run is not sent; unless it is committed, the run accounts for it.
        var held = Enumerable.Range(0, manifest.ChunkCount).Where(i => states[i] == QuoteState.Unknown && !committed.ContainsKey(i)).ToList();
        var pending = NodeWork.Runs(Enumerable.Range(0, manifest.ChunkCount).Where(i => !committed.ContainsKey(i) && states[i] != QuoteState.Unknown));
        var marks = states.Any(s => s != QuoteState.None)
            ? QuoteStates.Marks(states.Select((s, i) => committed.ContainsKey(i) && s == QuoteState.Unknown ? QuoteState.Outside : s))
            : null;

        var walked = await walker.WalkAsync(manifest, new NodeWork(runId, new ChunkSpan(0, manifest.ChunkCount), pending, 1, manifest.MaxConcurrency, marks), chunks, deadline)
            .ConfigureAwait(false);
        var failed = held.Where(i => errors[i] is not null).Select(i => new ChunkFailure(i, errors[i]!, 0)).ToList();
        await chunks.RecordFailuresAsync(jobId, failed).ConfigureAwait(false);
        var heldTally = new ChunkTally
        {
            Failed = failed.Count,
            FailedItems = failed.Sum(f => manifest.ItemsIn(f.Chunk)),
            Unfinished = held.Count - failed.Count,
            Failures = failed,
        };
        var total = held.Count == 0 ? walked.Tally : chunks.Combine(manifest, [walked.Tally, heldTally]);
        if (total.Unfinished > 0)
        {
            Log.RunIncomplete(logger, jobId, total.Unfinished);
        }
        return await finalizer.WriteAsync(manifest, total, walked.Levels).ConfigureAwait(false);
    }
}
