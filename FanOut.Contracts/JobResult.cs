using System.Text.Json;

namespace FanOut.Contracts;

/// <summary>The result and status of a job, as start_fanout answers it.</summary>
public sealed record JobResult
{
    /// <summary>The job's id.</summary>
    public required string JobId { get; init; }

    /// <summary>Pending, Running, Succeeded, Failed or Incomplete (see <see cref="JobStatus"/>).</summary>
    public required JobStatus Status { get; init; }

    /// <summary>The processor the job runs.</summary>
    public required string Processor { get; init; }

    /// <summary>When the job was accepted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its last chunk finished; null while it runs.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Chunk counts by state.</summary>
    public required ChunkCounts Chunks { get; init; }

    /// <summary>Item counts.</summary>
    public required ItemCounts Items { get; init; }

    /// <summary>Milliseconds from acceptance to completion (or to now while it runs).</summary>
    public long DurationMs { get; init; }

    /// <summary>The processor's aggregate over every succeeded chunk.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The first failed chunks (at most 100).</summary>
    public IReadOnlyList<ChunkFailure> Failures { get; init; } = [];

    /// <summary>Where the records are, when the processor emits them: one part per committed chunk, under a prefix.</summary>
    public JobOutput? Output { get; init; }

    /// <summary>Levels of the dispatch tree the run used (1: one dispatcher sent every chunk).</summary>
    public int? DispatchLevels { get; init; }

    /// <summary>The job's concurrency level: its <c>maxConcurrency</c> as started, or as <c>update</c> last set it (every
    /// dispatcher of the job follows it within about a second). Null in a result stored before it was reported.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Where the job's status can be read (GET).</summary>
    public string? StatusUrl { get; init; }
}

/// <summary>Where a job's emitted records are: blobs <c>{Prefix}part-{chunk:D6}.{Format}</c> in <paramref name="Container"/>, one
/// per committed chunk; listing the prefix returns them in chunk order.</summary>
/// <param name="Container">The container of the job's ledger.</param>
/// <param name="Prefix">The blob name prefix of the parts.</param>
/// <param name="Parts">How many parts the job's committed chunks wrote.</param>
/// <param name="Format">The parts' format, as the processor names it (e.g. <c>ndjson</c>).</param>
public sealed record JobOutput(string Container, string Prefix, int Parts, string Format);

/// <summary>Chunk counts of a job.</summary>
public sealed record ChunkCounts(int Total, int Succeeded, int Failed, int Pending);

/// <summary>Item counts of a job.</summary>
public sealed record ItemCounts(long Processed, long Failed);

/// <summary>One failed chunk: why, and after how many attempts.</summary>
public sealed record ChunkFailure(int Chunk, string Error, int Attempts);
