using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Core.Jobs;

/// <summary>Waits for a job run by another invocation to end: its result is written and no run holds it any more (a
/// result read while a run still holds the job is an earlier run's, which the holder replaces, or the holder's own a moment
/// before it lets the job go).</summary>
internal sealed class JobEnd(IJobStore jobStore, IRunStore runStore, TimeProvider timeProvider)
{
    /// <summary>How often the ledger is read while waiting: one result read a second per waiting caller.</summary>
    internal static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    /// <summary>The job's result once it ended, or null when it had not ended within <paramref name="maxWait"/>.</summary>
    public async Task<JobResult?> WaitAsync(string jobId, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            if (await jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false) is { } result
                && await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false) is var run
                && (run is null || !run.HoldsAt(timeProvider.GetUtcNow())))
            {
                return result;
            }
            var left = maxWait - timeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return null;
            }
            await Task.Delay(left < PollEvery ? left : PollEvery, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
