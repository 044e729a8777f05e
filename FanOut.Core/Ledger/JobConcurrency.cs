namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/concurrency.json</c>: the job's concurrency level now, in place of the <c>maxConcurrency</c> it
/// was started with. Every dispatcher of the job reads it with the job's pause and cancel (JobThrottle, in Dispatch: at most
/// once a second per job per instance) and scales its share of the job's slots by it. The last write stands.</summary>
internal sealed record JobConcurrency
{
    /// <summary>The job's level: what its <c>maxConcurrency</c> is now (1 to FanOut__Dispatch__MaxConcurrency).</summary>
    public int Level { get; set; }

    /// <summary>When it was set.</summary>
    public DateTimeOffset SetAt { get; set; }

    /// <summary>Who set it: <see cref="ByUpdate"/> (a client's <c>update</c>); an adaptive controller would write its own name.</summary>
    public string By { get; set; } = ByUpdate;

    /// <summary>Set by a client's <c>update</c>.</summary>
    public const string ByUpdate = "update";
}
