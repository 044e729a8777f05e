using System.Runtime.CompilerServices;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Notices;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>One run of a stored job: the root of its dispatch tree, the node that covers every chunk. It takes
/// the job's lease (<see cref="RunLease"/>: one run at a time, renewed by a heartbeat while it walks), reads which chunks are committed, walks the chunk
/// pass over the rest, and has the job's result written; or, when its deadline came with chunks left and the
/// chain has hops left (MaxHops), hands the job to the next hop (<see cref="RunStarter"/>) instead.</summary>
internal sealed class JobRun(
    IJobStore jobStore, IChunkStore chunkStore, IRunStore runStore, ISignalStore signalStore, TreeWalker walker, ChunkPass chunks, RunPlanner planner,
    JobFinalizer finalizer, RunLease lease, RunStarter starter,
    JobStatusReader status, NoticeHandOff notices, JobIds jobIds, IOptions<FanOutOptions> options, TimeProvider timeProvider, ILogger<JobRun> logger)
{
    /// <summary>Runs the job within <paramref name="deadline"/> and answers its result, or, when the job goes on in
    /// another run (the next hop, or a run that already held it), its status so far.</summary>
    public async Task<Outcome> RunAsync(JobManifest manifest, RunLink link, HopDeadline deadline)
    {
        var outcome = await RunHeldAsync(manifest, link, deadline).ConfigureAwait(false);
        // The notice goes out once the job's lease is let go, from an invocation of its own: its receiver holds up nothing
        // else. (A job found ended before is announced too, if its notice is still owed: its sender died.)
        if (outcome is JobFinished { Job: var result })
        {
            await notices.AnnounceAsync(manifest, result).ConfigureAwait(false);
        }
        return outcome;
    }

    private async Task<Outcome> RunHeldAsync(JobManifest manifest, RunLink link, HopDeadline deadline)
    {
        var jobId = manifest.JobId;
        var earlier = await jobStore.ReadResultAsync(jobId).ConfigureAwait(false);
        if (earlier is { Status: JobStatus.Succeeded })
        {
            return new JobFinished(earlier);
        }
        // A run that finds the job held waits (within half its hop) for the holder's lease to be let go or to expire:
        // the lease of a run that died expires within a term, so a resume after a crash takes the job over.
        var maxWait = deadline.Remaining / 2 < RunLease.MaxWait ? deadline.Remaining / 2 : RunLease.MaxWait;
        // Every call of this run's tree carries a deadline no later than this run's own: from then on none is accepted.
        var until = timeProvider.GetUtcNow() + deadline.Remaining;
        var grant = await lease.TryAcquireAsync(jobId, link.RunId, link.Hop, link.Predecessor, maxWait, until).ConfigureAwait(false);
        if (grant.Take == LeaseTake.Held)
        {
            Log.RunAlreadyHeld(logger, jobId, link.RunId);
            return await LiveAsync(manifest).ConfigureAwait(false);
        }
        // Whether this run's calls are all over: true until it sends, then what its walk says (an exception leaves it false).
        var quiet = new StrongBox<bool>(true);
        try
        {
            // Another run may have finished the job since it was read above: while this run waited for the lease, or just
            // before this run took it (the lease let go between the two reads).
            earlier = await jobStore.ReadResultAsync(jobId).ConfigureAwait(false);
            if (earlier is { Status: JobStatus.Succeeded })
            {
                return new JobFinished(earlier);
            }
            // A purge may have taken the job's blobs since its manifest was read (a purge holds the lease while it works, and
            // lets it go last): the job is gone, or its id belongs to a new job now.
            if (await jobStore.GetManifestAsync(jobId).ConfigureAwait(false) is not { } current)
            {
                return Refusal.UnknownJob(jobId);
            }
            manifest = current;
            await using var heartbeat = lease.Hold(jobId, link.RunId);
            await QuietBeforeAsync(jobId, link.RunId, grant.QuietAt, deadline).ConfigureAwait(false);
            return await WalkAsync(manifest, link, deadline, earlier is not null, quiet).ConfigureAwait(false);
        }
        finally
        {
            // A no-op once a later hop took the lease over.
            await ReleaseAsync(jobId, link.RunId, quiet.Value).ConfigureAwait(false);
        }
    }

    // The run before may still have calls on their way (its tree outlived its root: a node that read its call late, a root that
    // died or that stopped waiting for a child): until its QuietAt, this run sends nothing and reads nothing it would send from.
    private async Task QuietBeforeAsync(string jobId, string runId, DateTimeOffset? quietAt, HopDeadline deadline)
    {
        var wait = quietAt - timeProvider.GetUtcNow();
        if (wait is not { } left || left <= TimeSpan.Zero)
        {
            return;
        }
        Log.RunWaitsForQuiet(logger, jobId, runId, left.TotalMilliseconds);
        try
        {
            await Task.Delay(left, timeProvider, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Token.IsCancellationRequested)
        {
            // Its deadline came first: the walk sends nothing, and the run hands the job over.
        }
    }

    private async Task<Outcome> WalkAsync(JobManifest manifest, RunLink link, HopDeadline deadline, bool hasEarlierResult, StrongBox<bool> isQuiet)
    {
        var (jobId, runId) = (manifest.JobId, link.RunId);
        var start = await RunStart.ReadAsync(chunkStore, runStore, manifest, runId).ConfigureAwait(false);
        // The chunks that failed before are tried again: until they fail again, they are pending.
        await chunkStore.DeleteFailuresAsync(jobId, start.Failed).ConfigureAwait(false);
        // The job's status reads this run's progress log from here on: the chunks committed so far, then its leaves' lines.
        await runStore.AppendProgressAsync(jobId, runId, new ProgressLine { Base = true, Succeeded = start.Succeeded, Items = start.Items })
            .ConfigureAwait(false);
        if (hasEarlierResult)
        {
            // The result of an earlier run would hide this run's progress from the job's status.
            await jobStore.DeleteResultAsync(jobId).ConfigureAwait(false);
        }

        isQuiet.Value = false; // from here on it sends
        var plan = await planner.PlanAsync(manifest, runId, start, deadline).ConfigureAwait(false);
        var walked = await walker.WalkAsync(manifest, NodeWork.Root(runId, manifest, plan.Pending, options.Value, plan.Marks), chunks, deadline)
            .ConfigureAwait(false);
        await chunks.RecordFailuresAsync(jobId, plan.HeldFailures).ConfigureAwait(false);
        var total = plan.Held.Count == 0 ? walked.Tally : chunks.Combine(manifest, [walked.Tally, plan.HeldTally(manifest)]);
        // A cancelled job's dispatchers stopped sending: it ends Cancelled, with what was left pending, and goes on in no next hop.
        var cancelled = total.Unfinished > 0 && await signalStore.ReadCancelAsync(jobId).ConfigureAwait(false) is not null;
        // Every call of its trees answered: nothing of this run sends any more, so the run after it need not wait for its deadline.
        var quiet = walked.Quiet && plan.Quiet;
        isQuiet.Value = quiet;
        if (!cancelled && total.Unfinished > 0 && deadline.IsHalfSpent && link.Hop < options.Value.Dispatch.MaxHops
            && await HandOverAsync(manifest, link, start, total, quiet).ConfigureAwait(false) is { } goesOn)
        {
            return goesOn;
        }
        if (total.Unfinished > 0)
        {
            Log.RunIncomplete(logger, jobId, total.Unfinished, cancelled);
        }
        // Only the run that holds the job writes its result: one that lost it (it stalled past its lease's term, and
        // another run took the job over) answers the status instead of overwriting a newer answer.
        if (!await lease.RenewAsync(jobId, runId, quiet).ConfigureAwait(false))
        {
            Log.RunLostTheJob(logger, jobId, runId);
            return await LiveAsync(manifest).ConfigureAwait(false);
        }
        return new JobFinished(await finalizer.WriteAsync(manifest, total, walked.Levels, cancelled).ConfigureAwait(false));
    }

    // The deadline came with chunks left: the next hop takes the job over (and the lease with it), so no
    // Incomplete result is written. Null when the hand-over failed: this run then ends the job Incomplete.
    private async Task<Outcome?> HandOverAsync(JobManifest manifest, RunLink link, RunStart start, ChunkTally total, bool quiet)
    {
        if (quiet)
        {
            // The next hop may start sending at once (a lease this run lost meanwhile is the next holder's business).
            await lease.RenewAsync(manifest.JobId, link.RunId, quiet: true).ConfigureAwait(false);
        }
        var next = link.Next(jobIds.NewId());
        await WriteHandOverAsync(manifest.JobId, next.RunId, start, total).ConfigureAwait(false);
        Log.RunHandsOver(logger, manifest.JobId, total.Unfinished, next.Hop, options.Value.Dispatch.MaxHops);
        var answer = await starter.StartAsync(manifest.JobId, next.RunId, TimeSpan.Zero, CancellationToken.None, next.Hop, next.Predecessor)
            .ConfigureAwait(false);
        switch (answer)
        {
            case RunReply.Finished { Result: var result }:
                return new JobFinished(result);
            case RunReply.Running:
                return await LiveAsync(manifest).ConfigureAwait(false);
            default:
                Log.HandOverFailed(logger, manifest.JobId, next.Hop, answer is RunReply.Failed { Error: var error } ? error : "The run found no such job.");
                return null;
        }
    }

    // What the next hop starts from (RunStart.HandOver); when there is none to give, or the write fails, the next hop lists the
    // job's committed chunks instead.
    private async Task WriteHandOverAsync(string jobId, string nextRunId, RunStart start, ChunkTally total)
    {
        if (start.HandOver(nextRunId, total) is not { } handOver)
        {
            return;
        }
        try
        {
            await runStore.WriteHandOverAsync(jobId, handOver).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.HandOverNotWritten(logger, jobId, ex.Message);
        }
    }

    private async Task<Outcome> LiveAsync(JobManifest manifest) =>
        new JobRunning(await status.LiveAsync(manifest).ConfigureAwait(false));

    // Best effort: a lease that cannot be let go now expires by itself.
    private async Task ReleaseAsync(string jobId, string runId, bool quiet)
    {
        try
        {
            await lease.ReleaseAsync(jobId, runId, quiet).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.LeaseNotReleased(logger, jobId, ex.Message);
        }
    }
}
