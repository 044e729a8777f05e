using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>The callers this instance lets wait for a job at once (start_fanout, resume and cancel with
/// <c>waitSeconds</c> above 0): at most <see cref="PlatformOptions.WaitingCallersPerInstance"/>. A waiting caller holds an
/// invocation slot that the jobs' dispatchers and chunks need, so one beyond the cap is answered at once, exactly as if it
/// had sent <c>waitSeconds: 0</c> (the job's status, 202), never refused. One per worker process (a singleton): the
/// platform counts slots per instance.</summary>
internal sealed class WaitingCallers(IOptions<FanOutOptions> options, ILogger<WaitingCallers> logger)
{
    private int _waiting;

    /// <summary>Callers waiting now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>A turn to wait for <paramref name="jobId"/>: <paramref name="waitSeconds"/>, or none (0 s) when as many
    /// callers wait already as the instance lets wait. Disposing the turn ends the wait.</summary>
    public WaitingTurn Enter(string jobId, int waitSeconds)
    {
        if (waitSeconds <= 0)
        {
            return WaitingTurn.None;
        }
        var cap = options.Value.Platform.WaitingCallersPerInstance;
        for (var now = Volatile.Read(ref _waiting); now < cap; now = Volatile.Read(ref _waiting))
        {
            if (Interlocked.CompareExchange(ref _waiting, now + 1, now) == now)
            {
                return new WaitingTurn(waitSeconds, Leave);
            }
        }
        Log.WaitingCallersFull(logger, jobId, waitSeconds, cap);
        return WaitingTurn.None;
    }

    private void Leave() => Interlocked.Decrement(ref _waiting);
}
