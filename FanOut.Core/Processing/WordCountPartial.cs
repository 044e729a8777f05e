using System.Text.Json.Serialization;

namespace FanOut.Core.Processing;

/// <summary>The partial result of <c>wordcount</c>: exact counts of every word, so merging stays exact.</summary>
internal sealed class WordCountPartial
{
    public long Total { get; set; }

    /// <summary>The words that are valid UTF-8, as text.</summary>
    public Dictionary<string, long> Words { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The words that are not valid UTF-8, by their bytes in lower-case hex (none: null, left out of
    /// the JSON). No word is in both: a byte string is valid UTF-8 or not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, long>? ByteWords { get; set; }
}

/// <summary>The result of <c>wordcount</c>.</summary>
/// <param name="Total">Words in all, as <c>wc -w</c> counts them.</param>
/// <param name="Distinct">Different words (different byte strings).</param>
/// <param name="Top">The most frequent words, by count descending, then word in ordinal order, then bytes.</param>
internal sealed record WordCountResult(long Total, int Distinct, IReadOnlyList<WordFrequency> Top);

/// <summary>A word and how often it occurs.</summary>
/// <param name="Word">The word as text; for a word that is not valid UTF-8, with U+FFFD for each invalid sequence
/// (so two such words may read alike: <paramref name="Bytes"/> tells them apart).</param>
/// <param name="Count">Its occurrences.</param>
/// <param name="Bytes">Only for a word that is not valid UTF-8: its exact bytes in lower-case hex.</param>
internal sealed record WordFrequency(
    string Word,
    long Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Bytes = null);
