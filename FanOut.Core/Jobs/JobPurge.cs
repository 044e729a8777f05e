using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Runs;

namespace FanOut.Core.Jobs;

/// <summary><c>DELETE /api/batch/{jobId}</c>: removes every blob of a job that no run holds (cancel a running one first).
/// The purge holds the job's lease while it works (<see cref="RunLease.TryTakeForPurgeAsync"/>), so no run starts on a job
/// whose blobs are going: a run that finds it held waits, and finds the job gone. The manifest goes next to last and the
/// lease last, so a purge cut short (storage failing half-way) is finished by sending it again; once the manifest is gone,
/// the job is unknown (404) and its id free for a new job.</summary>
internal sealed class JobPurge(IJobStore jobStore, RunLease lease, JobIds jobIds)
{
    /// <summary>Purges the job and answers how many blobs it removed.</summary>
    public async Task<Outcome> PurgeAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(jobId))
        {
            return Refusal.Invalid("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.") with { Detail = "Not a valid job id." };
        }
        if (await jobStore.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            return Refusal.UnknownJob(jobId);
        }
        var purgeId = "purge-" + jobIds.NewId();
        if (!await lease.TryTakeForPurgeAsync(jobId, purgeId).ConfigureAwait(false))
        {
            return Refusal.JobRunning(jobId);
        }
        int purged;
        try
        {
            await using var heartbeat = lease.Hold(jobId, purgeId);
            purged = await jobStore.PurgeAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Cut short: the job stays (its manifest goes next to last); let it go, so the purge can be sent again at once.
            await lease.ReleaseAsync(jobId, purgeId, quiet: true).ConfigureAwait(false);
            throw;
        }
        return Answered.Of(new PurgeAnswer(jobId, purged), FanOutJsonContext.Default.PurgeAnswer);
    }
}
