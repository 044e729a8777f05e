using System.Text.Json;

namespace FanOut.Core.Contracts;

/// <summary>What a node of the dispatch tree answers: its range's chunks, merged. Unfinished chunks are
/// the ones it could not see to an end before its deadline (or whose sub-range's dispatcher failed):
/// they may still commit, and the ledger, not this answer, tells; resume finishes them.</summary>
/// <remarks>Settable properties: read once per tree node, through System.Text.Json's fast path.</remarks>
public sealed record SubtreeResult
{
    /// <summary>Chunks with a committed result.</summary>
    public int Succeeded { get; set; }

    /// <summary>Chunks that failed (their failures are in the ledger).</summary>
    public int Failed { get; set; }

    /// <summary>Chunks not seen to an end.</summary>
    public int Unfinished { get; set; }

    /// <summary>Items of the succeeded chunks.</summary>
    public long Items { get; set; }

    /// <summary>Items of the failed chunks, where known.</summary>
    public long FailedItems { get; set; }

    /// <summary>The processor's merged partial result of the succeeded chunks; null when there are none.</summary>
    public JsonElement? Result { get; set; }

    /// <summary>The first failures, by chunk index (at most 100).</summary>
    public List<ChunkFailure> Failures { get; set; } = [];

    /// <summary>Output parts of the succeeded chunks, in chunk order.</summary>
    public List<string> Outputs { get; set; } = [];

    /// <summary>The quote pass: the parity of each chunk's quote count, one character per chunk of the range:
    /// '0' even, '1' odd, 'x' the count failed (listed in <see cref="Failures"/>), '-' not counted in time.</summary>
    public string? Parities { get; set; }

    /// <summary>Dispatch levels at and below this node.</summary>
    public int Levels { get; set; }
}
