namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/notice.json</c>: the last final status of the job that its notify URL acknowledged, so that a
/// job that ends again (after a resume) is announced again only if its status changed.</summary>
internal sealed record JobNotice
{
    /// <summary>The status announced.</summary>
    public required string Status { get; set; }

    /// <summary>When the receiver acknowledged it.</summary>
    public DateTimeOffset NotifiedAt { get; set; }
}
