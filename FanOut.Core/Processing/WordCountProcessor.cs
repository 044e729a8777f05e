using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FanOut.Core.Processing;

/// <summary><c>wordcount</c>: exact word frequencies. A word is a maximal run of bytes other than
/// ASCII whitespace (space, \t, \n, \v, \f, \r), which is how <c>LC_ALL=C wc -w</c> and
/// <c>tr -s '[:space:]'</c> split text, valid UTF-8 or not (<see cref="AsciiWords"/>). Words are counted by their
/// bytes; a word that is not valid UTF-8 is listed by its bytes (<see cref="ByteWords"/>). Case is kept unless
/// <c>options.lowercase</c> is true (<see cref="WordCase"/>).</summary>
internal sealed class WordCountProcessor : ChunkProcessor<WordCountOptions, WordCountPartial, WordCountResult>
{
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
        long total = 0;
        if (chunk.Options.Lowercase)
        {
            foreach (var word in new AsciiWords(record.Text))
            {
                partial.AddLowercase(word);
                total++;
            }
        }
        else
        {
            foreach (var word in new AsciiWords(record.Text))
            {
                partial.Add(word);
                total++;
            }
        }
        partial.Total += total;
    }

    // Lines of text come a block at a time: "\r" and "\n" are whitespace, so a block's words are its lines' words.
    private protected override IChunkAccumulator Accumulate(WordCountPartial partial, ChunkContext<WordCountOptions> chunk) =>
        new LineBlocks(this, partial, chunk);

    protected override WordCountPartial Merge(WordCountPartial into, WordCountPartial from)
    {
        into.Total += from.Total;
        var (words, other) = (into.Words, from.Words);
        for (var i = 0; i < other.Count; i++)
        {
            words.ValueAt(words.IndexOf(other.KeyAt(i), out _)) += other.ValueAt(i);
        }
        return into;
    }

    // Each partial read straight into the merged table, rather than into a table of its own merged after.
    private protected override WordCountPartial MergeAll(IReadOnlyList<JsonElement> partials, JsonElement options)
    {
        var merged = new WordCountPartial();
        foreach (var partial in partials)
        {
            WordCountPartialJson.AddTo(merged, partial);
        }
        return merged;
    }

    protected override WordCountResult Finish(WordCountPartial merged, WordCountOptions options)
    {
        var words = merged.Words;
        // Only words that can make the top need a string: those counted at least as often as the top-th most frequent.
        var threshold = long.MinValue;
        if (words.Count > options.Top && options.Top > 0)
        {
            var counts = new long[words.Count];
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = words.ValueAt(i);
            }
            Array.Sort(counts);
            threshold = counts[^options.Top];
        }
        var candidates = new List<WordFrequency>();
        for (var i = 0; i < words.Count && options.Top > 0; i++)
        {
            if (words.ValueAt(i) >= threshold)
            {
                candidates.Add(Frequency(words.KeyAt(i), words.ValueAt(i)));
            }
        }
        var top = candidates
            .OrderByDescending(w => w.Count)
            .ThenBy(w => w.Word, StringComparer.Ordinal)
            .ThenBy(w => w.Bytes, StringComparer.Ordinal)
            .Take(options.Top)
            .ToList();
        return new WordCountResult(merged.Total, words.Count, top);
    }

    private sealed class LineBlocks(WordCountProcessor processor, WordCountPartial partial, ChunkContext<WordCountOptions> chunk)
        : IChunkAccumulator, ILineBlockAccumulator
    {
        public void Add(ChunkRecord record) => processor.Add(partial, record, chunk);

        public void AddLines(ReadOnlySpan<byte> lines, int count) => processor.Add(partial, new ChunkRecord(lines), chunk);

        public JsonElement Complete() => processor.WritePartial(partial);
    }

    private static WordFrequency Frequency(ReadOnlySpan<byte> word, long count)
    {
        if (Utf8.IsValid(word))
        {
            return new WordFrequency(Encoding.UTF8.GetString(word), count);
        }
        var hex = Convert.ToHexStringLower(word);
        return new WordFrequency(ByteWords.Readable(hex), count, hex);
    }
}
