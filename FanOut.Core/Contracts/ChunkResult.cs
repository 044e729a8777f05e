using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>The answer of <c>process_chunk</c>: what one chunk produced.</summary>
/// <param name="JobId">The job of the chunk, when it has one.</param>
/// <param name="Chunk">Index of the chunk.</param>
/// <param name="Processor">The processor that ran.</param>
/// <param name="Items">Records the chunk held.</param>
/// <param name="Result">The processor's partial result, to be merged with the other chunks'.</param>
public sealed record ChunkResult(string? JobId, int Chunk, string Processor, long Items, JsonElement Result);
