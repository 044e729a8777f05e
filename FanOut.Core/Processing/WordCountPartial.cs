namespace FanOut.Core.Processing;

/// <summary>The partial result of <c>wordcount</c>: exact counts of every word, so merging stays exact.</summary>
internal sealed class WordCountPartial
{
    public long Total { get; set; }

    public Dictionary<string, long> Words { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The result of <c>wordcount</c>.</summary>
/// <param name="Total">Words in all, as <c>wc -w</c> counts them.</param>
/// <param name="Distinct">Different words.</param>
/// <param name="Top">The most frequent words, by count descending, then word in ordinal order.</param>
internal sealed record WordCountResult(long Total, int Distinct, IReadOnlyList<WordFrequency> Top);

/// <summary>A word and how often it occurs.</summary>
internal sealed record WordFrequency(string Word, long Count);
