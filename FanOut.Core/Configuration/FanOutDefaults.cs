namespace FanOut.Core.Configuration;

/// <summary>Default values of FanOut's settings and request fields.</summary>
internal static class FanOutDefaults
{
    /// <summary>Items per chunk when a request does not say (the seed's size).</summary>
    public const int ChunkSize = 1000;

    /// <summary>Largest chunk size a request may ask for.</summary>
    public const int MaxChunkSize = 100_000;

    /// <summary>Processor used when a request does not name one.</summary>
    public const string Processor = "count";

    /// <summary>How long start_fanout and resume wait for the job when the request does not say.</summary>
    public const int WaitSeconds = 60;

    /// <summary>Longest wait a request may ask for: below Azure's 230 s limit on an HTTP call.</summary>
    public const int MaxWaitSeconds = 200;

    internal const int HopDeadlineSeconds = 200;
    internal const int MaxConcurrency = 32;
    internal const int MaxAttempts = 5;
    internal const int AttemptTimeoutSeconds = 30;
    internal const int BaseRetryDelayMilliseconds = 200;
    internal const int MaxRetryDelaySeconds = 30;
    internal const double BreakerFailureRatio = 0.5;
    // Above the calls a dispatcher tree has in flight at its start: failures answer faster than successes, so the
    // first few dozen outcomes of a healthy fan-out over-count them, and a small sample trips the breaker (seen at 20).
    internal const int BreakerMinimumThroughput = 100;
    internal const int BreakerBreakSeconds = 5;
    internal const int MaxDepth = 4;

    /// <summary>Root runs in a job's chain of hops: at the default hop deadline, over two and a half hours of work.</summary>
    internal const int MaxHops = 50;
    internal const int FanoutWidth = 100;
    internal const int MaxRequestBytes = 64 * 1024 * 1024;
    internal const int MaxInlineItems = 1_000_000;

    /// <summary>How many times the watchdog resumes one job at most: a job whose run dies three times in a row is left
    /// Incomplete for a person to look at (a client's resume still runs it).</summary>
    internal const int WatchdogMaxResumes = 3;
}
