using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>The body of <c>process_chunk</c>: one chunk of a job, sent by the app to itself
/// (or by a user, as the seed allowed, with the action left out).</summary>
public sealed record ProcessChunkRequest
{
    /// <summary><c>process_chunk</c>, or absent.</summary>
    public string? Action { get; init; }

    /// <summary>The job the chunk belongs to; absent for a standalone chunk.</summary>
    public string? JobId { get; init; }

    /// <summary>Index of the chunk in its job.</summary>
    public int Chunk { get; init; }

    /// <summary>Name of a registered chunk processor.</summary>
    public string? Processor { get; init; }

    /// <summary>Processor-specific settings.</summary>
    public JsonElement? Options { get; init; }

    /// <summary>The chunk's items.</summary>
    public JsonElement? Items { get; init; }

    /// <summary>Hops of internal calls that led here; 0 for a call from outside.</summary>
    public int Depth { get; init; }
}
