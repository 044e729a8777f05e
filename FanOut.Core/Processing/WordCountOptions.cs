namespace FanOut.Core.Processing;

/// <summary>Options of <c>wordcount</c>.</summary>
internal sealed record WordCountOptions
{
    /// <summary>Counts words lower-cased (invariant culture), so "The" and "the" are one word.</summary>
    public bool Lowercase { get; init; }

    /// <summary>How many of the most frequent words the result lists.</summary>
    public int Top { get; init; } = DefaultTop;

    public const int DefaultTop = 20;
    public const int MaxTop = 10_000;
}
