namespace FanOut.Core.Contracts;

/// <summary>The answer of <c>count_quotes</c> (internal): how many quote characters a chunk's exact byte range holds.</summary>
internal sealed record QuoteCount
{
    /// <summary>Index of the chunk.</summary>
    public int Chunk { get; set; }

    /// <summary>Quote characters in its range.</summary>
    public long Quotes { get; set; }
}
