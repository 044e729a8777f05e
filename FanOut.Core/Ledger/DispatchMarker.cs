namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/dispatch.json</c>: the latest dispatch invocation of a job, written when it
/// starts, so that the caller that handed it the job knows it arrived before answering 202.</summary>
internal sealed record DispatchMarker
{
    /// <summary>The id the caller gave this dispatch run.</summary>
    public required string RunId { get; set; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartedAt { get; set; }
}
