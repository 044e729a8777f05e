using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary><c>wordcount</c>: exact word frequencies. A word is a maximal run of bytes other than
/// ASCII whitespace (space, \t, \n, \v, \f, \r), which is how <c>LC_ALL=C wc -w</c> and
/// <c>tr -s '[:space:]'</c> split text, valid UTF-8 or not: a word that is not valid UTF-8 is counted by its
/// bytes (<see cref="ByteWords"/>). Case is kept unless <c>options.lowercase</c> is true.</summary>
internal sealed class WordCountProcessor : ChunkProcessor<WordCountOptions, WordCountPartial, WordCountResult>
{
    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\n\v\f\r");

    public override string Name => "wordcount";

    protected override JsonSerializerOptions SerializerOptions => ProcessingJsonContext.Default.Options;

    protected override void Validate(WordCountOptions options, OptionErrors errors)
    {
        if (options.Top is < 0 or > WordCountOptions.MaxTop)
        {
            errors.Add("top", $"Must be between 0 and {WordCountOptions.MaxTop}.");
        }
    }

    protected override WordCountPartial Begin(WordCountOptions options) => new();

    protected override void Add(WordCountPartial partial, ChunkRecord record, ChunkContext<WordCountOptions> chunk)
    {
        if (!Utf8.IsValid(record.Text))
        {
            partial.Total += ByteWords.Count(record.Text, partial, chunk.Options.Lowercase);
            return;
        }
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(record.Text.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(record.Text, chars);
            if (chunk.Options.Lowercase)
            {
                // Lower-casing may not write over its source.
                var lowered = ArrayPool<char>.Shared.Rent(length);
                chars.AsSpan(0, length).ToLowerInvariant(lowered);
                partial.Total += CountWords(lowered.AsSpan(0, length), partial.Words);
                ArrayPool<char>.Shared.Return(lowered);
            }
            else
            {
                partial.Total += CountWords(chars.AsSpan(0, length), partial.Words);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    protected override WordCountPartial Merge(WordCountPartial into, WordCountPartial from)
    {
        into.Total += from.Total;
        foreach (var (word, count) in from.Words)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(into.Words, word, out _) += count;
        }
        foreach (var (bytes, count) in from.ByteWords ?? [])
        {
            CollectionsMarshal.GetValueRefOrAddDefault(into.ByteWords ??= new(StringComparer.Ordinal), bytes, out _) += count;
        }
        return into;
    }

    protected override WordCountResult Finish(WordCountPartial merged, WordCountOptions options)
    {
        var byteWords = merged.ByteWords ?? [];
        var top = merged.Words.Select(w => new WordFrequency(w.Key, w.Value))
            .Concat(byteWords.Select(w => new WordFrequency(ByteWords.Readable(w.Key), w.Value, w.Key)))
            .OrderByDescending(w => w.Count)
            .ThenBy(w => w.Word, StringComparer.Ordinal)
            .ThenBy(w => w.Bytes, StringComparer.Ordinal)
            .Take(options.Top)
            .ToList();
        return new WordCountResult(merged.Total, merged.Words.Count + byteWords.Count, top);
    }

    // Adds each word of the text to its count; answers how many words there were.
    private static long CountWords(ReadOnlySpan<char> text, Dictionary<string, long> words)
    {
        // Look up by span so a word already seen costs no string allocation.
        var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        long total = 0;
        while (true)
        {
            var start = text.IndexOfAnyExcept(Whitespace);
            if (start < 0)
            {
                return total;
            }
            text = text[start..];
            var length = text.IndexOfAny(Whitespace);
            var word = length < 0 ? text : text[..length];
            lookup[word] = lookup.TryGetValue(word, out var count) ? count + 1 : 1;
            total++;
            if (length < 0)
            {
                return total;
            }
            text = text[length..];
        }
    }
}
