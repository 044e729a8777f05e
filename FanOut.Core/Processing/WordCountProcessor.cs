using System.Buffers;
using System.Text;
using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary><c>wordcount</c>: exact word frequencies. A word is a maximal run of characters other than
/// ASCII whitespace (space, \t, \n, \v, \f, \r), which is how <c>LC_ALL=C wc -w</c> and
/// <c>tr -s '[:space:]'</c> split text. Case is kept unless <c>options.lowercase</c> is true.</summary>
internal sealed class WordCountProcessor : IChunkProcessor
{
    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\n\v\f\r");

    public string Name => "wordcount";

    public void ValidateOptions(JsonElement options, FieldErrors errors)
    {
        if (options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }
        var parsed = JsonRequest.Read(options, ProcessingJsonContext.Default.WordCountOptions, errors, "options.");
        if (parsed is not null && parsed.Top is < 0 or > WordCountOptions.MaxTop)
        {
            errors.Add("options.top", $"Must be between 0 and {WordCountOptions.MaxTop}.");
        }
    }

    public IChunkAccumulator Begin(JsonElement options, IRecordSink output) => new Accumulator(Parse(options).Lowercase);

    public JsonElement Merge(IReadOnlyList<JsonElement> partials, JsonElement options)
    {
        var words = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var element in partials)
        {
            var partial = element.Deserialize(ProcessingJsonContext.Default.WordCountPartial)!;
            total += partial.Total;
            foreach (var (word, count) in partial.Words)
            {
                words[word] = words.GetValueOrDefault(word) + count;
            }
        }
        return JsonSerializer.SerializeToElement(new WordCountPartial(total, words), ProcessingJsonContext.Default.WordCountPartial);
    }

    public JsonElement Finish(JsonElement merged, JsonElement options)
    {
        var partial = merged.Deserialize(ProcessingJsonContext.Default.WordCountPartial)!;
        var top = partial.Words
            .OrderByDescending(w => w.Value)
            .ThenBy(w => w.Key, StringComparer.Ordinal)
            .Take(Parse(options).Top)
            .Select(w => new WordFrequency(w.Key, w.Value))
            .ToList();
        var result = new WordCountResult(partial.Total, partial.Words.Count, top);
        return JsonSerializer.SerializeToElement(result, ProcessingJsonContext.Default.WordCountResult);
    }

    private static WordCountOptions Parse(JsonElement options) =>
        options.ValueKind == JsonValueKind.Object
            ? options.Deserialize(ProcessingJsonContext.Default.WordCountOptions) ?? new()
            : new();

    private sealed class Accumulator(bool lowercase) : IChunkAccumulator
    {
        private readonly Dictionary<string, long> _words = new(StringComparer.Ordinal);
        private long _total;

        public void Add(ChunkRecord record)
        {
            var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(record.Text.Length));
            try
            {
                var length = Encoding.UTF8.GetChars(record.Text, chars);
                if (lowercase)
                {
                    // Lower-casing may not write over its source.
                    var lowered = ArrayPool<char>.Shared.Rent(length);
                    chars.AsSpan(0, length).ToLowerInvariant(lowered);
                    CountWords(lowered.AsSpan(0, length));
                    ArrayPool<char>.Shared.Return(lowered);
                }
                else
                {
                    CountWords(chars.AsSpan(0, length));
                }
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        private void CountWords(ReadOnlySpan<char> text)
        {
            // Look up by span so a word already seen costs no string allocation.
            var lookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
            while (true)
            {
                var start = text.IndexOfAnyExcept(Whitespace);
                if (start < 0)
                {
                    return;
                }
                text = text[start..];
                var length = text.IndexOfAny(Whitespace);
                var word = length < 0 ? text : text[..length];
                lookup[word] = lookup.TryGetValue(word, out var count) ? count + 1 : 1;
                _total++;
                if (length < 0)
                {
                    return;
                }
                text = text[length..];
            }
        }

        public JsonElement Complete() =>
            JsonSerializer.SerializeToElement(new WordCountPartial(_total, _words), ProcessingJsonContext.Default.WordCountPartial);
    }
}
