namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/notice.json</c>: the notice of the job's last final status. A sender claims it (<see cref="ClaimedUntil"/>)
/// before it sends, and records how it ended: acknowledged (<see cref="NotifiedAt"/>) or given up (<see cref="Error"/>). A job that
/// ends again (after a resume) is announced again only if its status changed; a claim whose sender died lapses, and the next
/// reader of the job's status hands the notice to a new sender. (A record of an older version holds only Status and NotifiedAt:
/// an acknowledged notice.)</summary>
internal sealed record JobNotice
{
    /// <summary>The final status the notice announces.</summary>
    public required JobStatus Status { get; set; }

    /// <summary>When the receiver acknowledged it; null until then.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>A sender is on it until then (its attempts and their back-off fit well within).</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>Why the last attempt failed, once every attempt did: the notice is given up, and logged.</summary>
    public string? Error { get; set; }

    /// <summary>True when nothing more is to be done for <paramref name="status"/>: acknowledged, given up, or claimed by a sender
    /// whose claim holds at <paramref name="now"/>.</summary>
    public bool Settles(JobStatus status, DateTimeOffset now) =>
        Status == status && (NotifiedAt is not null || Error is not null || ClaimedUntil > now);
}
