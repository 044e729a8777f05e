namespace FanOut.Contracts;

/// <summary>The states of a job.</summary>
public static class JobStatus
{
    /// <summary>Accepted, no chunk finished yet.</summary>
    public const string Pending = "Pending";
    /// <summary>Some chunks finished, others not.</summary>
    public const string Running = "Running";
    /// <summary>Every chunk finished, failures within tolerance.</summary>
    public const string Succeeded = "Succeeded";
    /// <summary>Every chunk finished, failures beyond tolerance.</summary>
    public const string Failed = "Failed";
    /// <summary>A run ended (its deadline passed) with chunks not seen to an end; resume finishes them.</summary>
    public const string Incomplete = "Incomplete";
    /// <summary>Stopped by a cancel: the chunks in flight then finished, the others are pending; resume runs them.</summary>
    public const string Cancelled = "Cancelled";
}
