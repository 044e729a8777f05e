using FanOut.Core.Diagnostics;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Runs;

/// <summary>The rule that one job has at most one root run at a time. A run takes the job's lease (its dispatch
/// marker) when nobody holds it, when its holder's lease expired (a run that died), or when the holder is the
/// run's own predecessor handing over; it lets it go when it ends. A lease lasts a short <see cref="Term"/> and
/// its run renews it every <see cref="RenewEvery"/> while it walks (<see cref="Hold"/>), so the lease of a run that
/// died expires within a term; a run that finds the job held waits that long for it (<see cref="TryAcquireAsync"/>).</summary>
internal sealed class RunLease(IRunStore runStore, TimeProvider timeProvider, ILogger<RunLease> logger)
{
    /// <summary>How long a lease holds without renewal: how long the lease of a run that died still holds the job.</summary>
    internal static readonly TimeSpan Term = TimeSpan.FromSeconds(15);

    /// <summary>How often a run renews its lease: a third of the term, so two renewals in a row may fail.</summary>
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(5);

    /// <summary>How often a run that finds the job held reads the lease again.</summary>
    internal static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    /// <summary>The longest a run waits for a held lease: enough for the lease of a run that died to expire.</summary>
    internal static readonly TimeSpan MaxWait = 2 * Term;

    /// <summary>How far the clocks of two instances may differ: a run's <see cref="DispatchMarker.QuietAt"/> is its deadline
    /// plus this, so a receiver whose clock is behind the run's still refuses its calls by then.</summary>
    internal static readonly TimeSpan ClockMargin = TimeSpan.FromSeconds(1);

    /// <summary>Takes the job's lease for <paramref name="runId"/>, whose calls all end by <paramref name="deadline"/>. When
    /// another run holds it, waits (up to <paramref name="maxWait"/>) for it to be let go or to expire, and takes it then;
    /// gives up (Held) as soon as the holder renews it (it is alive), or when the wait is over. A grant says until when the
    /// run before may still have calls accepted (<see cref="DispatchMarker.QuietAt"/>): the new run sends nothing before.</summary>
    public async Task<LeaseGrant> TryAcquireAsync(string jobId, string runId, int hop, string? predecessor, TimeSpan maxWait, DateTimeOffset deadline)
    {
        var started = timeProvider.GetTimestamp();
        DispatchMarker? first = null;
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            var lease = new DispatchMarker
            {
                RunId = runId, Hop = hop, Predecessor = predecessor, StartedAt = now, ExpiresAt = now + Term, QuietAt = deadline + ClockMargin,
            };
            DispatchMarker? held = null;
            DateTimeOffset? before = null;
            var taken = await runStore.TryUpdateDispatchMarkerAsync(jobId, current =>
            {
                if (current is null || !current.HoldsAt(now) || (predecessor is not null && current.RunId == predecessor))
                {
                    // The same run sent again (its root's call retried) is not another run: it does not wait for itself.
                    before = current?.RunId == runId ? null : current?.QuietAt;
                    return lease;
                }
                held = current;
                return null;
            }).ConfigureAwait(false);
            if (taken is not null)
            {
                var waited = timeProvider.GetElapsedTime(started);
                if (first is null)
                {
                    return new LeaseGrant(LeaseTake.Taken, before);
                }
                Log.LeaseTakenAfterWait(logger, jobId, runId, waited);
                return new LeaseGrant(LeaseTake.TakenAfterWait, before);
            }
            first ??= held;
            // A holder that renewed its lease (or a run that took it meanwhile) is alive: this run is not needed.
            if (held is null || held.RunId != first!.RunId || held.ExpiresAt != first.ExpiresAt)
            {
                return new LeaseGrant(LeaseTake.Held, null);
            }
            var left = maxWait - timeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return new LeaseGrant(LeaseTake.Held, null);
            }
            await Task.Delay(left < PollEvery ? left : PollEvery, timeProvider).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the job's lease for a purge (<paramref name="purgeId"/>), only if no run holds it: true when taken. The
    /// purge renews it while it removes the job's blobs (<see cref="Hold"/>) and removes it last, after the manifest.</summary>
    public async Task<bool> TryTakeForPurgeAsync(string jobId, string purgeId)
    {
        var now = timeProvider.GetUtcNow();
        return await runStore.TryUpdateDispatchMarkerAsync(jobId, current =>
            current is null || !current.HoldsAt(now)
                ? new DispatchMarker { RunId = purgeId, Purging = true, StartedAt = now, ExpiresAt = now + Term, QuietAt = current?.QuietAt }
                : null).ConfigureAwait(false) is not null;
    }

    /// <summary>Renews <paramref name="runId"/>'s lease every <see cref="RenewEvery"/> until the returned heartbeat is
    /// disposed, or until the run no longer holds the job (a later hop took it over).</summary>
    public Heartbeat Hold(string jobId, string runId) => new(stop => BeatAsync(jobId, runId, stop));

    private async Task BeatAsync(string jobId, string runId, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(RenewEvery, timeProvider, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (!await RenewAsync(jobId, runId).ConfigureAwait(false))
                {
                    return;
                }
            }
#pragma warning disable CA1031 // A renewal that fails is tried again at the next beat; the term allows two misses.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LeaseNotRenewed(logger, jobId, runId, ex.Message);
            }
        }
    }

    /// <summary>Lets the job go, unless another run took it over meanwhile (a successor, or a taker of an expired lease); with
    /// <paramref name="quiet"/> (none of the run's calls is still under way) the next run need not wait for its deadline.</summary>
    public async Task ReleaseAsync(string jobId, string runId, bool quiet = false)
    {
        var now = timeProvider.GetUtcNow();
        await runStore.TryUpdateDispatchMarkerAsync(jobId, current =>
            current is { EndedAt: null } && current.RunId == runId
                ? current with { EndedAt = now, ExpiresAt = now, QuietAt = QuietFrom(current, now, quiet) }
                : null).ConfigureAwait(false);
    }

    // A run that knows its calls are over moves its QuietAt to now; it never moves it later.
    private static DateTimeOffset? QuietFrom(DispatchMarker current, DateTimeOffset now, bool quiet) =>
        quiet && (current.QuietAt is null || now < current.QuietAt) ? now : current.QuietAt;

    /// <summary>Renews <paramref name="runId"/>'s lease now: true while the marker still names the run (it holds the job for
    /// a full term from now; a lease that lapsed but that nobody took is the run's again), false once another run took it over. A run checks this before it writes the job's
    /// result, so that a run that lost the job (it stalled past its term) never overwrites the answer of the run that
    /// took it over. With <paramref name="quiet"/> (every call of the run's tree was seen to an end) the run's calls are
    /// over from now: a run that takes the job after it need not wait for its deadline.</summary>
    public async Task<bool> RenewAsync(string jobId, string runId, bool quiet = false)
    {
        var now = timeProvider.GetUtcNow();
        return await runStore.TryUpdateDispatchMarkerAsync(jobId, current =>
            current is { EndedAt: null } && current.RunId == runId
                ? current with { ExpiresAt = now + Term, QuietAt = QuietFrom(current, now, quiet) }
                : null).ConfigureAwait(false) is not null;
    }

    /// <summary>The renewals of one run's lease, on the run's clock; a failed renewal is logged and tried again.</summary>
    internal sealed class Heartbeat : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _beating;

        internal Heartbeat(Func<CancellationToken, Task> beat) => _beating = beat(_stop.Token);

        /// <summary>Stops the renewals (before the run lets the lease go).</summary>
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _beating.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}

/// <summary>What <see cref="RunLease.TryAcquireAsync"/> came to, and until when the run before may still have calls
/// accepted (null: no run before, or one that recorded no such time).</summary>
internal readonly record struct LeaseGrant(LeaseTake Take, DateTimeOffset? QuietAt);

/// <summary>How <see cref="RunLease.TryAcquireAsync"/> ended.</summary>
internal enum LeaseTake
{
    /// <summary>Another run holds the job and is alive (or the wait for it ran out).</summary>
    Held,

    /// <summary>Taken at once.</summary>
    Taken,

    /// <summary>Taken after waiting for the holder to let it go or for its lease to expire: the job may have ended meanwhile.</summary>
    TakenAfterWait,
}
