namespace FanOut.Core.Notices;

/// <summary>What a <c>notify</c> invocation answers: the job, the status its notice announces, and how the notice stands
/// (<see cref="NoticeState"/>).</summary>
internal sealed record NoticeAnswer(string JobId, JobStatus? Status, string State, string? Error = null);

/// <summary>The states a <see cref="NoticeAnswer"/> names.</summary>
internal static class NoticeState
{
    /// <summary>The job asked for no notice, or has no final status to announce.</summary>
    public const string None = "none";

    /// <summary>The receiver acknowledged it (now, or before).</summary>
    public const string Delivered = "delivered";

    /// <summary>Every attempt failed; the notice is given up (and logged).</summary>
    public const string GivenUp = "givenUp";

    /// <summary>Another sender holds the notice's claim.</summary>
    public const string Claimed = "claimed";
}
