using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary>Checks on the history of a job's dispatch markers (<see cref="InMemoryJobLedger.DispatchMarkers"/>).</summary>
internal static class Leases
{
    /// <summary>The leases taken, in order (the markers written without EndedAt, a run's renewals left out).</summary>
    public static IReadOnlyList<DispatchMarker> Taken(IReadOnlyList<DispatchMarker> history) =>
        [.. history.Where(m => m.EndedAt is null).DistinctBy(m => m.RunId)];

    /// <summary>No two runs held the job at once: a run of hop 1 took the lease only once the one before let it go, and a
    /// run of a later hop took it only from its predecessor, the run of the hop before; each let-go and renewal is of the holder.</summary>
    public static void AssertNeverOverlap(IReadOnlyList<DispatchMarker> history)
    {
        DispatchMarker? holder = null;
        foreach (var marker in history)
        {
            if (marker.EndedAt is not null)
            {
                Assert.True(holder?.RunId == marker.RunId, $"run {marker.RunId} let go a lease that {holder?.RunId ?? "nobody"} held");
                holder = null;
            }
            else if (holder is not null && holder.RunId == marker.RunId)
            {
                Assert.True(marker.ExpiresAt >= holder.ExpiresAt, $"run {marker.RunId} shortened its lease");
                holder = marker; // a renewal
            }
            else if (marker.Hop == 1)
            {
                Assert.True(holder is null, $"run {marker.RunId} took the job while run {holder?.RunId} held it");
                holder = marker;
            }
            else
            {
                Assert.True(holder is not null && holder.Hop == marker.Hop - 1, $"run {marker.RunId} (hop {marker.Hop}) took over from {holder?.RunId ?? "nobody"}");
                holder = marker;
            }
        }
    }
}
