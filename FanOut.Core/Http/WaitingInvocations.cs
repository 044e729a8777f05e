using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Http;

/// <summary>The invocations running on this instance that wait for other invocations, in two pools: callers
/// (<c>start_fanout</c>, <c>resume</c>, <c>cancel</c>, which hand a job to a run and wait for it to show, or for its end)
/// and dispatchers (<c>dispatch</c>, a job's run, and <c>dispatch_node</c>, every node of its tree). With C slots and W waiting callers per
/// instance (<see cref="PlatformOptions"/>), at most K = max(1, 2W) callers (the W that wait for their job's end, and as many
/// handing a job to its run) and max(1, C − 1 − K) dispatchers run at once; another is answered 503 with Retry-After at once, before it reads or writes anything. So, from 4 slots up, an
/// instance always has a slot that only work that waits for nothing (chunks, quote counts) can hold, however many jobs
/// and callers arrive at once; and a caller never waits for a run that cannot get a place, since the runs have their
/// own. One per worker process (a singleton): the platform counts slots per instance.</summary>
internal sealed class WaitingInvocations(IOptions<FanOutOptions> options)
{
    private int _callers;
    private int _dispatchers;

    /// <summary>Whether <paramref name="action"/> is one that waits for other invocations.</summary>
    public static bool Waits(string? action) =>
        IsDispatcher(action) || action is BatchActions.StartFanout or BatchActions.Resume or BatchActions.Cancel;

    /// <summary>Whether <paramref name="action"/> is a dispatcher's: a job's run or a node of its tree.</summary>
    public static bool IsDispatcher(string? action) => action is BatchActions.Dispatch or BatchActions.DispatchNode;

    /// <summary>Most callers at once on this instance.</summary>
    public int CallerLimit => Math.Max(1, 2 * options.Value.Platform.WaitingCallersPerInstance);

    /// <summary>Most dispatchers at once on this instance.</summary>
    public int DispatcherLimit => Math.Max(1, options.Value.Platform.PerInstanceConcurrency - 1 - CallerLimit);

    /// <summary>The limit of <paramref name="action"/>'s pool.</summary>
    public int LimitOf(string action) => IsDispatcher(action) ? DispatcherLimit : CallerLimit;

    /// <summary>A place for one invocation of <paramref name="action"/>, or null when its pool is full (answer 503).</summary>
    public Place? TryEnter(string action)
    {
        var dispatcher = IsDispatcher(action);
        ref var running = ref dispatcher ? ref _dispatchers : ref _callers;
        if (Interlocked.Increment(ref running) > LimitOf(action))
        {
            Interlocked.Decrement(ref running);
            return null;
        }
        return new Place(this, dispatcher);
    }

    /// <summary>One invocation's place, given back when it is disposed.</summary>
    public sealed class Place(WaitingInvocations owner, bool dispatcher) : IDisposable
    {
        private int _disposed;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref dispatcher ? ref owner._dispatchers : ref owner._callers);
            }
        }
    }
}
