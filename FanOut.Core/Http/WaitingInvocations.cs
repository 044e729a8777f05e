using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Http;

/// <summary>The invocations running on this instance that wait for other invocations: <c>dispatch</c> (a job's run and
/// every node of its tree), <c>start_fanout</c>, <c>resume</c> and <c>cancel</c> (which hand a job to a run and wait for
/// it). At most one slot fewer than the instance has (<see cref="PlatformOptions.PerInstanceConcurrency"/>, at least
/// one) run at once; another is answered 503 with Retry-After at once, before it reads or writes anything, so that
/// every instance always has a slot for the work they wait for (chunks, quote counts): however many jobs, dispatchers
/// and callers arrive at once, a waiting invocation never waits on work that cannot get a slot. One per worker process
/// (a singleton): the platform counts slots per instance.</summary>
internal sealed class WaitingInvocations(IOptions<FanOutOptions> options)
{
    private int _running;

    /// <summary>Whether <paramref name="action"/> is one that waits for other invocations.</summary>
    public static bool Waits(string? action) =>
        action is BatchActions.Dispatch or BatchActions.StartFanout or BatchActions.Resume or BatchActions.Cancel;

    /// <summary>Most such invocations at once on this instance.</summary>
    public int Limit => Math.Max(1, options.Value.Platform.PerInstanceConcurrency - 1);

    /// <summary>A place for one, or null when as many run already as the instance lets run (answer 503).</summary>
    public Place? TryEnter()
    {
        if (Interlocked.Increment(ref _running) > Limit)
        {
            Interlocked.Decrement(ref _running);
            return null;
        }
        return new Place(this);
    }

    /// <summary>One invocation's place, given back when it is disposed.</summary>
    public sealed class Place(WaitingInvocations owner) : IDisposable
    {
        private int _disposed;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._running);
            }
        }
    }
}
