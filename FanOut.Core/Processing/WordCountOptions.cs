namespace FanOut.Core.Processing;

/// <summary>Options of <c>wordcount</c>.</summary>
// Settable, not init: the source generator would set a missing init property to default(T), not to its initializer.
internal sealed record WordCountOptions
{
    /// <summary>Counts words lower-cased (invariant culture), so "The" and "the" are one word.</summary>
    public bool Lowercase { get; set; }

    /// <summary>How many of the most frequent words the result lists.</summary>
    public int Top { get; set; } = DefaultTop;

    public const int DefaultTop = 20;
    public const int MaxTop = 10_000;
}
