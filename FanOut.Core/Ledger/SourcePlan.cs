namespace FanOut.Core.Ledger;

/// <summary>The chunks of a blob source cut into whole records: where each chunk starts (bytes).</summary>
public sealed record SourcePlan
{
    /// <summary>Byte offset of each chunk's first record, ascending.</summary>
    public IReadOnlyList<long> ChunkStarts { get; set; } = [];
}
