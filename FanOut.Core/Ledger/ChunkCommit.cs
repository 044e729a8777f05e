namespace FanOut.Core.Ledger;

/// <summary>The result that stands committed for a chunk, and whether this delivery committed it.</summary>
internal sealed record ChunkCommit(CommittedChunk Result, bool IsDuplicate);
