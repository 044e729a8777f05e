using System.Text.Json;

namespace FanOut.Core.Ledger;

/// <summary>A chunk's committed result: <c>jobs/{jobId}/chunks/{index:D6}.json</c>, written once (the first
/// commit wins). The ledger's own record, apart from the <c>process_chunk</c> answer that carries it.</summary>
/// <remarks>Settable properties: read once per committed chunk, through System.Text.Json's fast path.</remarks>
internal sealed record CommittedChunk
{
    /// <summary>The chunk's job.</summary>
    public required string JobId { get; set; }

    /// <summary>Index of the chunk.</summary>
    public int Chunk { get; set; }

    /// <summary>The processor that ran.</summary>
    public required string Processor { get; set; }

    /// <summary>Records the chunk held.</summary>
    public long Items { get; set; }

    /// <summary>The processor's partial result.</summary>
    public JsonElement Result { get; set; }

    /// <summary>The chunk's output part, when its processor emits records.</summary>
    public string? Output { get; set; }
}
