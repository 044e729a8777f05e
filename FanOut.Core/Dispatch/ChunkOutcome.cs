using FanOut.Core.Contracts;

namespace FanOut.Core.Dispatch;

/// <summary>How one dispatched chunk ended: its committed result, or the error it failed with.</summary>
public sealed record ChunkOutcome(int Chunk, ChunkResult? Result, string? Error, int Attempts)
{
    /// <summary>True when the chunk produced a result.</summary>
    public bool Succeeded => Result is not null;
}
