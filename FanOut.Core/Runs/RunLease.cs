using FanOut.Core.Configuration;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>The rule that one job has at most one root run at a time. A run takes the job's lease (its dispatch
/// marker) when nobody holds it, when its holder's lease expired (a run that died), or when the holder is the
/// run's own predecessor handing over; it lets it go when it ends.</summary>
internal sealed class RunLease(IJobLedger ledger, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    /// <summary>Kept on top of the hop deadline: a run may still be handing over, or writing its result, after it.</summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    /// <summary>Takes the job's lease for <paramref name="runId"/>; false when another run holds it.</summary>
    public async Task<bool> TryAcquireAsync(string jobId, string runId, int hop, string? predecessor)
    {
        var now = timeProvider.GetUtcNow();
        var lease = new DispatchMarker
        {
            RunId = runId,
            Hop = hop,
            StartedAt = now,
            ExpiresAt = now + TimeSpan.FromSeconds(options.Value.Dispatch.HopDeadlineSeconds) + Margin,
        };
        var taken = await ledger.TryUpdateDispatchMarkerAsync(jobId, current =>
            current is null || !current.HoldsAt(now) || (predecessor is not null && current.RunId == predecessor) ? lease : null).ConfigureAwait(false);
        return taken is not null;
    }

    /// <summary>Lets the job go, unless another run took it over meanwhile (a successor, or a taker of an expired lease).</summary>
    public async Task ReleaseAsync(string jobId, string runId)
    {
        var now = timeProvider.GetUtcNow();
        await ledger.TryUpdateDispatchMarkerAsync(jobId, current =>
            current is { EndedAt: null } && current.RunId == runId ? current with { EndedAt = now, ExpiresAt = now } : null).ConfigureAwait(false);
    }
}
