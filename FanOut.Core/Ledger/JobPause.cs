namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/pause.json</c>: until when every dispatcher of the job holds back, because a
/// self-call of the job was answered 429 or 503 with Retry-After.</summary>
internal sealed record JobPause
{
    /// <summary>No call of the job starts before this moment.</summary>
    public DateTimeOffset Until { get; set; }
}
