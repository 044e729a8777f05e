using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>The body of <c>start_fanout</c>, as sent by a user.</summary>
public sealed record StartFanoutRequest
{
    /// <summary>Always <c>start_fanout</c>.</summary>
    public string? Action { get; init; }

    /// <summary>Idempotency key of the job; generated when absent.</summary>
    public string? JobId { get; init; }

    /// <summary>Name of a registered chunk processor.</summary>
    public string? Processor { get; init; }

    /// <summary>Inline data: a JSON array of any JSON values.</summary>
    public JsonElement? Items { get; init; }

    /// <summary>Items per chunk.</summary>
    public int? ChunkSize { get; init; }

    /// <summary>In-flight self-calls of this job's dispatcher, at most the configured maximum.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Processor-specific settings.</summary>
    public JsonElement? Options { get; init; }
}
