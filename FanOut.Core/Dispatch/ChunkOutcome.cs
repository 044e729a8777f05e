using FanOut.Core.Contracts;

namespace FanOut.Core.Dispatch;

/// <summary>How one dispatched chunk ended: its committed result, the error it failed with, or neither
/// (unfinished: its dispatcher's deadline came first).</summary>
internal sealed record ChunkOutcome(int Chunk, ChunkResult? Result, string? Error, int Attempts)
{
    /// <summary>True when the chunk produced a result.</summary>
    public bool Succeeded => Result is not null;

    /// <summary>True when the chunk failed.</summary>
    public bool Failed => Error is not null;

    /// <summary>True when the chunk was not seen to an end.</summary>
    public bool Unfinished => Result is null && Error is null;
}
