namespace FanOut.LocalHost.Worker;

/// <summary>host.json's HTTP throttles, as the Functions host applies them to one instance: at most
/// <c>maxOutstandingRequests</c> requests held at once (the next is answered 429), of which at most
/// <c>maxConcurrentRequests</c> run while the rest wait their turn.</summary>
internal sealed class HttpThrottle(int? maxConcurrentRequests, int? maxOutstandingRequests)
{
    private readonly SemaphoreSlim? _running = maxConcurrentRequests is { } n ? new SemaphoreSlim(n, n) : null;
    private int _outstanding;

    /// <summary>Requests held now, running or waiting.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Takes a place for one request, or null when the host holds as many as it may (answer 429).</summary>
    public Place? TryEnter()
    {
        if (Interlocked.Increment(ref _outstanding) > (maxOutstandingRequests ?? int.MaxValue))
        {
            Interlocked.Decrement(ref _outstanding);
            return null;
        }
        return new Place(this);
    }

    /// <summary>A request's place: wait for a turn to run, then dispose when answered.</summary>
    public sealed class Place(HttpThrottle throttle) : IDisposable
    {
        private bool _running;
        private bool _disposed;

        /// <summary>Waits until fewer than maxConcurrentRequests invocations run.</summary>
        public async Task WaitTurnAsync(CancellationToken cancellationToken)
        {
            if (throttle._running is { } running)
            {
                await running.WaitAsync(cancellationToken);
                _running = true;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_running)
            {
                throttle._running!.Release();
            }
            Interlocked.Decrement(ref throttle._outstanding);
        }
    }
}
