namespace FanOut.LocalHost.Cluster;

/// <summary>One of an instance's slots, held by one request until it is answered: disposing gives it back (once), and
/// the router hands it to the request that waited longest.</summary>
internal sealed class Slot(SlotRouter router, Instance instance) : IDisposable
{
    private int _released;

    /// <summary>The instance the request runs on.</summary>
    public Instance Instance { get; } = instance;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            router.Release(this);
        }
    }
}
