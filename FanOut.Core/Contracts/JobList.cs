namespace FanOut.Core.Contracts;

/// <summary>A page of <c>GET /api/batch</c>: jobs newest first, and the token of the next page (absent on the last).</summary>
internal sealed record JobList(IReadOnlyList<JobSummary> Jobs, string? ContinuationToken);

/// <summary>A job in a list: its status without its result.</summary>
internal sealed record JobSummary(
    string JobId, JobStatus Status, string Processor, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, ChunkCounts Chunks, string? StatusUrl);
