using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;

namespace FanOut.Core.Jobs;

/// <summary><c>DELETE /api/batch/{jobId}</c>: removes every blob of a job that no run holds (cancel a running one first).
/// The manifest goes last, so a purge cut short (storage failing half-way) is finished by sending it again; once it is
/// gone, the job is unknown (404) and its id free for a new job.</summary>
internal sealed class JobPurge(IJobLedger ledger, TimeProvider timeProvider)
{
    /// <summary>Purges the job and answers how many blobs it removed.</summary>
    public async Task<Outcome> PurgeAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(jobId))
        {
            return Refusal.Invalid("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.") with { Detail = "Not a valid job id." };
        }
        if (await ledger.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false) is null)
        {
            return Refusal.UnknownJob(jobId);
        }
        if (await ledger.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false) is { } run && run.HoldsAt(timeProvider.GetUtcNow()))
        {
            return Refusal.JobRunning(jobId);
        }
        var purged = await ledger.PurgeAsync(jobId, cancellationToken).ConfigureAwait(false);
        return Answered.Of(new PurgeAnswer(jobId, purged), FanOutJsonContext.Default.PurgeAnswer);
    }
}
