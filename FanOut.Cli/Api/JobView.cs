namespace FanOut.Cli.Api;

/// <summary>What the CLI reads of a job's status body (the app's answer to start_fanout, resume, cancel and GET
/// /api/batch/{jobId}); the body itself is printed as the app wrote it.</summary>
internal sealed record JobView
{
    public string JobId { get; init; } = "";

    /// <summary>Pending, Running, Incomplete, Succeeded, Failed or Cancelled.</summary>
    public string Status { get; init; } = "";

    public ChunkCountsView? Chunks { get; init; }

    public ItemCountsView? Items { get; init; }

    public IReadOnlyList<FailureView> Failures { get; init; } = [];

    /// <summary>True once the job reached a verdict that waiting longer would not change.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinal => Status is JobStatuses.Succeeded or JobStatuses.Failed or JobStatuses.Cancelled;
}

internal sealed record ChunkCountsView(int Total, int Succeeded, int Failed, int Pending);

internal sealed record ItemCountsView(long Processed, long Failed);

internal sealed record FailureView(int Chunk, string Error, int Attempts);

/// <summary>The job states, as the app names them.</summary>
internal static class JobStatuses
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Incomplete = "Incomplete";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
}
