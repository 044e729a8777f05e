using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Notices;
using FanOut.Core.Outcomes;
using FanOut.Core.Runs;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>The <c>cancel</c> action. It records the cancel (<c>cancel.json</c>): every dispatcher of the job sees it within
/// a second and sends nothing more, the chunks in flight finish and commit, and the run ends the job <c>Cancelled</c> with
/// exact counts. A job that no run holds (stored but not run, or its run died) is ended at once, from its status. Cancelling
/// again is harmless; cancelling a job that finished is a conflict. <c>resume</c> runs what is left.</summary>
internal sealed class JobCancellation(
    IJobStore jobStore, IRunStore runStore, ISignalStore signalStore, JobThrottle throttle, JobStatusReader status, NoticeHandOff notices, WaitingCallers waiting, JobEnd end, TimeProvider timeProvider,
    IOptions<FanOutOptions> options)
{
    /// <summary>Cancels the job and answers its status: Cancelled when it already ended so, else the status so far (202).</summary>
    public async Task<Outcome> CancelAsync(System.Text.Json.JsonElement body, CancellationToken cancellationToken)
    {
        var (request, manifest, refusal) = await StoredJobRequest.ReadAsync(body, "cancel", jobStore, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        var jobId = manifest!.JobId;
        var ended = await jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (ended is { Status: JobStatus.Cancelled })
        {
            return new JobFinished(ended);
        }
        if (ended is { Status: JobStatus.Succeeded or JobStatus.Failed })
        {
            return Refusal.AlreadyEnded(jobId, ended.Status);
        }
        // A purge holds the job's lease while it deletes the job's blobs: a cancel written now would outlive the job, and wait
        // for a run that never comes.
        if (IsPurging(await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false)))
        {
            return Refusal.BeingPurged(jobId);
        }
        await signalStore.WriteCancelAsync(jobId, new JobCancel { RequestedAt = timeProvider.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        throttle.NoteCancelled(jobId);
        var marker = await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (IsPurging(marker) || marker is null && await jobStore.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            // A purge began (or ended) since the read above: it may have listed the job's blobs before the cancel was written.
            await signalStore.DeleteCancelAsync(jobId, cancellationToken).ConfigureAwait(false);
            return Refusal.BeingPurged(jobId);
        }
        if (marker is not null && marker.HoldsAt(timeProvider.GetUtcNow()))
        {
            // The run holding the job stops sending, lets its chunks in flight finish, and ends the job Cancelled.
            return await WaitForRunAsync(manifest, request!.WaitSeconds ?? 10, cancellationToken).ConfigureAwait(false);
        }
        // Nothing runs the job: it ends now, with what its status counts.
        var live = ended ?? await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false);
        var cancelled = live with
        {
            Status = JobStatus.Cancelled,
            CompletedAt = timeProvider.GetUtcNow(),
            Result = null,
            Output = null,
            StatusUrl = options.Value.StatusUrl(jobId),
        };
        // Written only over what was read as not final: a run that ended the job since (between the reads above) keeps its result.
        var written = await jobStore.TryUpdateResultAsync(jobId, current => current is null or { Status: JobStatus.Incomplete } ? cancelled : null, cancellationToken)
            .ConfigureAwait(false);
        if (written is null)
        {
            var final = await jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false);
            return final is { Status: JobStatus.Succeeded or JobStatus.Failed } ? Refusal.AlreadyEnded(jobId, final.Status)
                : final is not null ? new JobFinished(final)
                : new JobRunning(await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false));
        }
        await notices.AnnounceAsync(manifest, written).ConfigureAwait(false);
        return new JobFinished(written);
    }

    private bool IsPurging(DispatchMarker? marker) => marker is { Purging: true } && marker.HoldsAt(timeProvider.GetUtcNow());

    // Waits (up to waitSeconds, within the instance's waiting callers) until the run has ended the job; answers its status so far if not.
    private async Task<Outcome> WaitForRunAsync(JobManifest manifest, int waitSeconds, CancellationToken cancellationToken)
    {
        using var turn = waiting.Enter(manifest.JobId, waitSeconds);
        return await end.WaitAsync(manifest.JobId, TimeSpan.FromSeconds(turn.Seconds), cancellationToken).ConfigureAwait(false) is { } result
            ? new JobFinished(result)
            : new JobRunning(await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false));
    }
}
