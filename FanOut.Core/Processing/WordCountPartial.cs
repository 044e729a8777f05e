using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;

namespace FanOut.Core.Processing;

/// <summary>The partial result of <c>wordcount</c>: exact counts of every word, so merging stays exact. Words are
/// counted by their bytes (<see cref="WordTable"/>); only the JSON (<see cref="WordCountPartialJson"/>) tells text
/// from bytes: <c>{"total":n,"words":{word:count,...},"byteWords":{hex:count,...}}</c>, the words that are valid
/// UTF-8 as text, the others (if any) by their bytes in lower-case hex.</summary>
[JsonConverter(typeof(WordCountPartialJson))]
internal sealed class WordCountPartial
{
    public long Total { get; set; }

    /// <summary>Every word's count, by its bytes (lower-cased first when the options say so).</summary>
    public WordTable Words { get; } = new();

    // With `lowercase`: where a word is lowered (grown for a longer one, kept for the next).
    private byte[]? _lowered;

    // With `lowercase`: each spelling that is not ASCII → its lower-cased word's index in Words, so that it is
    // lower-cased once per chunk rather than once per occurrence.
    private WordTable? _spellings;

    /// <summary>Counts one occurrence of <paramref name="word"/>.</summary>
    public void Add(ReadOnlySpan<byte> word) => Words.ValueAt(Words.IndexOf(word, out _))++;

    /// <summary>Counts one occurrence of <paramref name="word"/> lower-cased as <see cref="WordCase.Lower"/> does.</summary>
    public void AddLowercase(ReadOnlySpan<byte> word)
    {
        if (_lowered is null || _lowered.Length < word.Length)
        {
            _lowered = new byte[Math.Max(256, word.Length)];
        }
        if (Ascii.ToLower(word, _lowered, out var length) == OperationStatus.Done)
        {
            Add(_lowered.AsSpan(0, length));
        }
        else
        {
            var spellings = _spellings ??= new WordTable();
            var spelling = spellings.IndexOf(word, out var added);
            if (added)
            {
                spellings.ValueAt(spelling) = Words.IndexOf(WordCase.Lower(word), out _);
            }
            Words.ValueAt((int)spellings.ValueAt(spelling))++;
        }
    }
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
