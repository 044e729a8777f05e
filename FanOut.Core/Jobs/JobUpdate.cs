using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;
using FanOut.Core.Runs;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>The <c>update</c> action: changes a job's concurrency level. It records the level (<c>concurrency.json</c>):
/// every dispatcher of the job reads it with the pause and the cancel, within a second, and scales its share of the slots by
/// it (<see cref="JobLevel"/>), its lanes growing or shrinking as its calls end; on this instance it is noted at once. A job
/// that ended (Succeeded, Failed, Cancelled) is a conflict; an Incomplete one takes the level, and its resume runs at it.
/// Answers the job's status, which shows the level.</summary>
internal sealed class JobUpdate(
    IJobStore jobStore, IRunStore runStore, ISignalStore signalStore, JobThrottle throttle, JobStatusReader status, TimeProvider timeProvider,
    IOptions<FanOutOptions> options)
{
    private const string Ended = "its concurrency no longer changes";
    private const string Purging = "there is nothing to change";

    /// <summary>Changes the job's level and answers its status (200), or why not: 400 naming the field (nothing written), 404 for
    /// an unknown job, 409 for one that ended or is being purged.</summary>
    public async Task<Outcome> UpdateAsync(JsonElement body, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.UpdateRequest, errors);
        var most = options.Value.Dispatch.MaxConcurrency;
        if (request is not null && (request.JobId is null || !JobIds.IsValid(request.JobId)))
        {
            errors.Add("jobId", "Required: the id of the job to update (1 to 64 of A-Z, a-z, 0-9, '_', '-').");
        }
        if (request is not null && (request.MaxConcurrency is not { } asked || asked < 1 || asked > most))
        {
            errors.Add("maxConcurrency", $"Required: the job's new concurrency level, between 1 and {most} (FanOut__Dispatch__MaxConcurrency).");
        }
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        var jobId = request!.JobId!;
        var manifest = await jobStore.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return Refusal.UnknownJob(jobId);
        }
        if (await jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false) is { } ended && IsFinal(ended))
        {
            return Refusal.AlreadyEnded(jobId, ended.Status, Ended);
        }
        // A purge holds the job's lease while it deletes the job's blobs: a level written now would outlive the job.
        if (IsPurging(await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false)))
        {
            return Refusal.BeingPurged(jobId, Purging);
        }
        var level = new JobConcurrency { Level = request.MaxConcurrency!.Value, SetAt = timeProvider.GetUtcNow(), By = JobConcurrency.ByUpdate };
        await signalStore.WriteConcurrencyAsync(jobId, level, cancellationToken).ConfigureAwait(false);
        throttle.NoteLevel(jobId, level);
        var marker = await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (IsPurging(marker) || marker is null && await jobStore.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            // A purge began (or ended) since the read above: it may have listed the job's blobs before the level was written.
            await signalStore.DeleteConcurrencyAsync(jobId, cancellationToken).ConfigureAwait(false);
            return Refusal.BeingPurged(jobId, Purging);
        }
        // An Incomplete job's stored status takes the level (only over what was read as Incomplete: a run that ended the job
        // meanwhile keeps its result); a job with no result shows it in its live status.
        JobResult? seen = null;
        var written = await jobStore.TryUpdateResultAsync(jobId, current =>
        {
            seen = current;
            return current is { Status: JobStatus.Incomplete } ? current with { MaxConcurrency = level.Level } : null;
        }, cancellationToken).ConfigureAwait(false);
        return written is not null ? new JobFinished(written)
            : seen is not null && IsFinal(seen) ? Refusal.AlreadyEnded(jobId, seen.Status, Ended)
            : new JobFinished(await status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false));
    }

    private static bool IsFinal(JobResult result) => result.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    private bool IsPurging(DispatchMarker? marker) => marker is { Purging: true } && marker.HoldsAt(timeProvider.GetUtcNow());
}
