using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>How a dispatcher sends chunks back to the app's own endpoint.</summary>
internal sealed class DispatchOptions
{
    /// <summary>In-flight self-calls per dispatcher, unless a request asks for fewer.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = FanOutDefaults.MaxConcurrency;

    /// <summary>Attempts per self-call, the first included.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = FanOutDefaults.MaxAttempts;

    /// <summary>Time limit of one attempt of a self-call.</summary>
    [Range(1, 229)]
    public int AttemptTimeoutSeconds { get; set; } = FanOutDefaults.AttemptTimeoutSeconds;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    [Range(0, 60_000)]
    public int BaseRetryDelayMilliseconds { get; set; } = FanOutDefaults.BaseRetryDelayMilliseconds;

    /// <summary>Cap of any retry delay, including one asked for by Retry-After.</summary>
    [Range(0, 229)]
    public int MaxRetryDelaySeconds { get; set; } = FanOutDefaults.MaxRetryDelaySeconds;

    /// <summary>Circuit breaker: share of failed self-calls, within the sampling window, that opens it.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = FanOutDefaults.BreakerFailureRatio;

    /// <summary>Circuit breaker: calls the sampling window must hold before it may open.</summary>
    [Range(2, 100_000)]
    public int BreakerMinimumThroughput { get; set; } = FanOutDefaults.BreakerMinimumThroughput;

    /// <summary>Circuit breaker: how long it stays open before it lets a trial call through.</summary>
    [Range(1, 120)]
    public int BreakerBreakSeconds { get; set; } = FanOutDefaults.BreakerBreakSeconds;

    /// <summary>Longest any call between invocations may wait (Azure cuts HTTP calls at 230 s).</summary>
    [Range(2, 229)]
    public int HopDeadlineSeconds { get; set; } = FanOutDefaults.HopDeadlineSeconds;

    /// <summary>Most calls one dispatcher makes: a larger range is split into sub-ranges, each sent to
    /// another dispatcher (the dispatch tree).</summary>
    [Range(2, 1000)]
    public int FanoutWidth { get; set; } = FanOutDefaults.FanoutWidth;

    /// <summary>Deepest chain of internal calls a receiver accepts.</summary>
    [Range(2, 16)]
    public int MaxDepth { get; set; } = FanOutDefaults.MaxDepth;

    /// <summary>Most root runs in a job's chain of hops: a run that meets its deadline with chunks left hands
    /// them to a fresh run, up to this many runs in all; the last one ends the job Incomplete (resume starts a
    /// new chain). 1: no hand-over, every deadline ends the job Incomplete.</summary>
    [Range(1, 1000)]
    public int MaxHops { get; set; } = FanOutDefaults.MaxHops;

    /// <summary>What a dispatch hop of <paramref name="budget"/> keeps back for its answer to travel: 5% of it,
    /// at least half a second. Each level of a job's tree gets what its parent has left after its margin.</summary>
    internal static TimeSpan HopMargin(TimeSpan budget) =>
        TimeSpan.FromMilliseconds(Math.Max(500, budget.TotalMilliseconds * 0.05));
}
