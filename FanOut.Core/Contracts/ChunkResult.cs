using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>The answer of <c>process_chunk</c>: what one chunk produced.</summary>
/// <remarks>Settable properties, not a positional record or init-only ones: System.Text.Json reads those
/// through its slower constructor-parameter path, and one of these is read per chunk.</remarks>
internal sealed record ChunkResult
{
    /// <summary>The job of the chunk, when it has one.</summary>
    public string? JobId { get; set; }

    /// <summary>Index of the chunk.</summary>
    public int Chunk { get; set; }

    /// <summary>The processor that ran.</summary>
    public required string Processor { get; set; }

    /// <summary>Records the chunk held.</summary>
    public long Items { get; set; }

    /// <summary>The processor's partial result, to be merged with the other chunks'.</summary>
    public JsonElement Result { get; set; }

    /// <summary>The blob holding the records the chunk emitted, when its processor emits any.</summary>
    public string? Output { get; set; }
}
