namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/cancel.json</c>: the job was cancelled. Every dispatcher of the job sees it within a second
/// (it is read with the job's pause, by JobThrottle in Dispatch) and sends nothing more; a resume removes it.</summary>
internal sealed record JobCancel
{
    /// <summary>When the cancel was asked for.</summary>
    public DateTimeOffset RequestedAt { get; set; }
}
