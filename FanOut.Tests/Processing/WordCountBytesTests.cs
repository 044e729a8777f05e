using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsCheck;
using FanOut.Core.Processing;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

/// <summary>wordcount on bytes: its words and counts against coreutils over random bytes (every whitespace byte,
/// invalid UTF-8, words across the splitter's 32-byte blocks), its <c>lowercase</c> against the string-based
/// definition it had before, and its partials' JSON against the dictionary it used to be.</summary>
public sealed class WordCountBytesTests
{
    // Pieces that records are made of: every ASCII whitespace byte ('\n' ends the record), other controls, letters
    // of both cases, multi-byte characters (with case: Ä, Σ, İ, the Kelvin sign, Deseret 𐐀) and invalid UTF-8.
    private static readonly byte[][] Pieces =
    [
        " "u8.ToArray(), "\t"u8.ToArray(), "\v"u8.ToArray(), "\f"u8.ToArray(), "\r"u8.ToArray(), "  \t "u8.ToArray(),
        [0x00], [0x01], [0x1f], [0x7f], "a"u8.ToArray(), "B"u8.ToArray(), "word"u8.ToArray(), "WORD"u8.ToArray(), "x"u8.ToArray(),
        "Ä"u8.ToArray(), "ä"u8.ToArray(), "Σ"u8.ToArray(), "İ"u8.ToArray(), "\u212a"u8.ToArray(), "𐐀"u8.ToArray(), "東京"u8.ToArray(),
        [0xff], [0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0xc3],
    ];

    private static readonly Gen<byte[]> Record = Gen.OneOf(
        Gen.Int[0, Pieces.Length - 1].Array[0, 40].Select(picks => picks.SelectMany(p => Pieces[p]).ToArray()),
        Gen.Byte.Array[0, 120].Select(bytes => bytes.Select(b => b == (byte)'\n' ? (byte)' ' : b).ToArray()),
        Gen.Int[28, 70].Select(n => Enumerable.Repeat((byte)'q', n).ToArray()));

    [Fact]
    public void AsciiWords_AnyBytes_AreTheRunsOfNonWhitespace()
    {
        Gen.OneOf(Record, Gen.Int[0, 5].Array[0, 200].Select(picks => picks.Select(p => " \ta\rb\xff"[p]).Select(c => (byte)c).ToArray()))
            .Sample(bytes => Assert.Equal(NaiveWords(bytes), Words(bytes)), iter: 5000);
    }

    [Fact]
    public async Task Wordcount_RandomBytes_EqualsTheCoreutilsOracle_InThreeMergedChunks()
    {
        var records = Record.Array[3000].Generate(new PCG(16), null, out _);
        var path = Path.Combine(Path.GetTempPath(), $"fanout-bytes-{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(path, [.. records.SelectMany(r => r.Append((byte)'\n'))]);
        var options = JsonDocument.Parse("""{ "top": 10000 }""").RootElement;
        IChunkProcessor sut = new WordCountProcessor();
        var partials = records.Chunk(1000).Select(part => Partial(options, part)).ToList();

        var result = sut.Finish(sut.Merge(partials, options), options);

        var oracle = await Oracle.WordBytesFrequenciesAsync(path);
        File.Delete(path);
        Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
        Assert.Equal(oracle.Count, result.GetProperty("distinct").GetInt32());
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), HostileRecordsTests.WordBytes(result).OrderBy(w => w.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Wordcount_RandomBytes_SameResultAsWordsAsStrings(bool lowercase)
    {
        var options = JsonDocument.Parse($$"""{ "top": 10000, "lowercase": {{(lowercase ? "true" : "false")}} }""").RootElement;
        IChunkProcessor sut = new WordCountProcessor();
        Record.Array[1, 30].Sample(records =>
        {
            var result = sut.Finish(sut.Merge([Partial(options, records)], options), options);

            var (total, expected) = AsStrings(records, lowercase);
            Assert.Equal(total, result.GetProperty("total").GetInt64());
            Assert.Equal(expected.Count, result.GetProperty("distinct").GetInt32());
            var actual = result.GetProperty("top").EnumerateArray().Select(w => (Key: w.TryGetProperty("bytes", out var b) ? "bytes:" + b.GetString() : w.GetProperty("word").GetString()!, Count: w.GetProperty("count").GetInt64()));
            Assert.Equal(expected.OrderBy(w => w.Key, StringComparer.Ordinal), actual.Select(w => new KeyValuePair<string, long>(w.Key, w.Count)).OrderBy(w => w.Key, StringComparer.Ordinal));
        }, iter: 300);
    }

    [Theory]
    [InlineData("İ", "İ")]           // the invariant culture's simple mapping keeps the dotted capital I
    [InlineData("\u212a", "k")]      // the Kelvin sign lowers to an ASCII k: one word with "k"
    [InlineData("𐐀Ä", "𐐨ä")]         // a surrogate pair, and Latin-1
    [InlineData("ABC", "abc")]
    public void Lowercase_AWord_AsToLowerInvariantHasIt(string word, string lowered)
    {
        var options = JsonDocument.Parse("""{ "lowercase": true }""").RootElement;

        var partial = Partial(options, [Encoding.UTF8.GetBytes(word)]);

        Assert.Equal(lowered, word.ToLowerInvariant());
        Assert.Equal(1, partial.GetProperty("words").GetProperty(lowered).GetInt64());
    }

    [Fact]
    public void Partial_TextWords_WrittenAsTheDictionaryOfStringsWas()
    {
        string[] words = ["plain", "café", "东京", "𝄞", "quo\"te", "back\\slash", "<tag>", "a&b", "1+1", "`x`", "ctl\u0001", "del\u007f", "\u2028"];
        var records = new[] { string.Join(' ', words), string.Join(' ', words.Reverse()), "plain" };

        var partial = ChunkRun.Partial(new WordCountProcessor(), default, records);

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var word in records.SelectMany(r => r.Split(' ')))
        {
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }
        Assert.Equal($$"""{"total":{{counts.Values.Sum()}},"words":{{JsonSerializer.Serialize(counts)}}}""", partial.GetRawText());
    }

    [Fact]
    public void Merge_PartialsOfAnEarlierBuild_ReadAsTheyWereWritten()
    {
        var options = JsonDocument.Parse("""{ "lowercase": true }""").RootElement;
        IChunkProcessor sut = new WordCountProcessor();
        var earlier = JsonDocument.Parse("""{"total":5,"words":{"\u00FCnd":2,"caf\u00e9":1},"byteWords":{"61fe62":2}}""").RootElement;

        var merged = sut.Merge([earlier, Partial(options, [[.. "ÜND a"u8, 0xfe, (byte)'B']])], options);

        Assert.Equal("""{"total":7,"words":{"\u00FCnd":3,"caf\u00E9":1},"byteWords":{"61fe62":3}}""", merged.GetRawText());
    }

    private static JsonElement Partial(JsonElement options, IEnumerable<byte[]> records)
    {
        var accumulator = ((IChunkProcessor)new WordCountProcessor()).Begin(options, RecordSink.Discard);
        foreach (var record in records)
        {
            accumulator.Add(new ChunkRecord(record));
        }
        return accumulator.Complete();
    }

    private static List<string> Words(byte[] bytes)
    {
        var words = new List<string>();
        foreach (var word in new AsciiWords(bytes))
        {
            words.Add(Convert.ToHexString(word));
        }
        return words;
    }

    private static List<string> NaiveWords(byte[] bytes) =>
        [.. bytes.Select(b => b is (byte)' ' or (>= 9 and <= 13) ? (byte?)null : b)
            .Aggregate(new List<List<byte>> { new() }, (runs, b) =>
            {
                if (b is null) { runs.Add([]); } else { runs[^1].Add(b.Value); }
                return runs;
            })
            .Where(run => run.Count > 0).Select(run => Convert.ToHexString([.. run]))];

    // wordcount as it was when words were strings: a valid record decoded, lower-cased as text and split on
    // whitespace characters; the words of an invalid record split on bytes, each valid one lower-cased as a string,
    // each invalid one lower-cased rune by rune (invalid bytes kept) and keyed by its bytes.
    private static (long Total, Dictionary<string, long> Counts) AsStrings(byte[][] records, bool lowercase)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var record in records)
        {
            if (Utf8.IsValid(record))
            {
                var text = Encoding.UTF8.GetString(record);
                foreach (var word in (lowercase ? text.ToLowerInvariant() : text).Split([' ', '\t', '\n', '\v', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries))
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                    total++;
                }
                continue;
            }
            foreach (var range in record.AsSpan().SplitAny(" \t\n\v\f\r"u8))
            {
                var word = record.AsSpan(range);
                if (word.IsEmpty)
                {
                    continue;
                }
                total++;
                var key = Utf8.IsValid(word)
                    ? (lowercase ? Encoding.UTF8.GetString(word).ToLowerInvariant() : Encoding.UTF8.GetString(word))
                    : "bytes:" + Convert.ToHexStringLower(lowercase ? RuneLowercase(word) : word);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        return (total, counts);
    }

    private static byte[] RuneLowercase(ReadOnlySpan<byte> word)
    {
        var lowered = new List<byte>();
        Span<byte> rune = stackalloc byte[4];
        while (!word.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(word, out var value, out var used) == OperationStatus.Done)
            {
                lowered.AddRange(rune[..Rune.ToLowerInvariant(value).EncodeToUtf8(rune)]);
            }
            else
            {
                lowered.AddRange(word[..used]);
            }
            word = word[used..];
        }
        return [.. lowered];
    }
}
