using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Runs;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Hands a stored job to a <c>dispatch</c> invocation (through <see cref="RunStarter"/>) and waits up to
/// <c>waitSeconds</c> for it: the job finished in time, or it is still running (and its status so far), by this
/// run, by the later hops it handed the job to, or by another run that already held the job. A caller whose run
/// found the job held waits for the job's end all the same (<see cref="JobEnd"/>). Only so many callers wait at
/// once (<see cref="WaitingCallers"/>); the others are answered as if they had sent <c>waitSeconds: 0</c>. It never
/// dispatches chunks itself.</summary>
internal sealed class JobHandOff(
    RunStarter starter, JobStatusReader status, IJobStore jobStore, JobIds jobIds, WaitingCallers waiting, JobEnd end, TimeProvider timeProvider,
    IOptions<FanOutOptions> options)
{
    /// <summary>Runs the job (a job that succeeded answers its result at once) and answers how far it got.</summary>
    public async Task<Outcome> RunAsync(JobManifest manifest, int waitSeconds, CancellationToken cancellationToken)
    {
        using var turn = waiting.Enter(manifest.JobId, waitSeconds);
        // Stop waiting a moment before the hop's own timeout, which would otherwise retry the hand-off.
        var waitFor = TimeSpan.FromSeconds(Math.Min(turn.Seconds, options.Value.Dispatch.HopDeadlineSeconds - 1));
        var started = timeProvider.GetTimestamp();
        var answer = await starter.StartAsync(manifest.JobId, jobIds.NewId(), waitFor, cancellationToken).ConfigureAwait(false);
        if (answer is RunReply.Gone && await jobStore.GetManifestAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is { } again)
        {
            // The run found no job, and there is one now: a purge took the job between this call's read and its run, and
            // an identical start (the same id takes only the same request) stored it again. That one is handed off too.
            manifest = again;
            answer = await starter.StartAsync(manifest.JobId, jobIds.NewId(), waitFor, cancellationToken).ConfigureAwait(false);
        }
        if (answer is RunReply.Finished { Result: var result })
        {
            return new JobFinished(result);
        }
        if (answer is RunReply.Running)
        {
            // Under way: this run, the hop it handed over to, or a run that already held the job. The caller waits for the
            // job's end as long as it asked to, whichever run carries it.
            var left = waitFor - timeProvider.GetElapsedTime(started);
            if (left > TimeSpan.Zero && await end.WaitAsync(manifest.JobId, left, cancellationToken).ConfigureAwait(false) is { } ended)
            {
                return new JobFinished(ended);
            }
            return new JobRunning(await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false));
        }
        // "Stored, send resume" only while it is true: a job purged meanwhile (a DELETE racing this call) is unknown now.
        return await jobStore.GetManifestAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is null
            ? Refusal.UnknownJob(manifest.JobId)
            : Refusal.DispatchFailed(manifest.JobId, answer is RunReply.Failed { Error: var error } ? error : "The run found no such job.");
    }
}
