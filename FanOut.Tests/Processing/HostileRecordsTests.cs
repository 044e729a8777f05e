using System.Buffers;
using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

/// <summary>Every built-in processor takes every byte sequence as a record without throwing: records that are not
/// text (invalid UTF-8, a lone surrogate escape) are invalid to <c>project</c>, words of bytes to <c>wordcount</c>.</summary>
public sealed class HostileRecordsTests
{
    private static readonly List<HostileCorpus.Record> Corpus = HostileCorpus.Generate(seed: 13, count: 600);

    [Fact]
    public void Project_RecordsThatAreNotText_AreCountedInvalid_AndTheOthersEmittedUnchanged()
    {
        var options = JsonDocument.Parse("""{ "fields": ["id", "name"] }""").RootElement;
        var output = new Lines();

        var partial = Run(new ProjectProcessor(), options, output, Corpus.Select(r => r.Bytes));

        var valid = Corpus.Where(r => r.ValidId is not null).ToList();
        Assert.Equal(Corpus.Count, partial.GetProperty("records").GetInt64());
        Assert.Equal(valid.Count, partial.GetProperty("emitted").GetInt64());
        Assert.Equal(Corpus.Count - valid.Count, partial.GetProperty("invalid").GetInt64());
        // Each emitted line is its record's id and name, the name's text unchanged (no U+FFFD, no lost escape).
        Assert.Equal(valid.Count, output.Written.Count);
        foreach (var (record, line) in valid.Zip(output.Written))
        {
            using var source = JsonDocument.Parse(record.Bytes);
            using var emitted = JsonDocument.Parse(line);
            Assert.Equal(record.ValidId, emitted.RootElement.GetProperty("id").GetInt32());
            Assert.Equal(source.RootElement.GetProperty("name").GetString(), emitted.RootElement.GetProperty("name").GetString());
        }
    }

    [Theory]
    [InlineData("""{"a":"\ud800"}""", false)]
    [InlineData("""{"a":"\udc00x"}""", false)]
    [InlineData("""{"a":"\ud800\u0041"}""", false)]
    [InlineData("""{"\ud800":1}""", false)]
    [InlineData("""{"a":["\ud83d\ude00", "\\ud800", "\u00e9"]}""", true)]
    [InlineData("""{"a":"\uD83D\uDE00"}""", true)]
    public void Project_LoneSurrogateEscapes_AreInvalid_PairsAndEscapedBackslashesAreNot(string record, bool valid)
    {
        var options = JsonDocument.Parse("""{ "fields": ["a"], "where": { "field": "a", "equals": "x" } }""").RootElement;

        var partial = Run(new ProjectProcessor(), options, new Lines(), [Encoding.UTF8.GetBytes(record)]);

        Assert.Equal(valid ? 0 : 1, partial.GetProperty("invalid").GetInt64());
    }

    [Fact]
    public async Task Wordcount_AnyBytes_EqualsTheCoreutilsOracleOverTheRawBytes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fanout-hostile-{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(path, HostileCorpus.Lines(Corpus));
        var options = JsonDocument.Parse("""{ "top": 10000 }""").RootElement;
        var sut = (IChunkProcessor)new WordCountProcessor();
        // Two chunks, merged through their JSON, as the dispatch tree merges them.
        var half = Corpus.Count / 2;
        var partials = new[] { Corpus.Take(half), Corpus.Skip(half) }
            .Select(part => Run(new WordCountProcessor(), options, new Lines(), part.Select(r => r.Bytes))).ToList();

        var result = sut.Finish(sut.Merge(partials, options), options);

        var oracle = await Oracle.WordBytesFrequenciesAsync(path);
        Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
        Assert.Equal(oracle.Count, result.GetProperty("distinct").GetInt32());
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), WordBytes(result).OrderBy(w => w.Key, StringComparer.Ordinal));
        Assert.Contains(result.GetProperty("top").EnumerateArray(), w => w.TryGetProperty("bytes", out _));
        File.Delete(path);
    }

    [Fact]
    public void Wordcount_DistinctInvalidByteStrings_StayDistinctWords_ListedWithTheirBytes()
    {
        var options = JsonDocument.Parse("""{ "lowercase": true }""").RootElement;
        var sut = (IChunkProcessor)new WordCountProcessor();

        var partial = Run(new WordCountProcessor(), options, new Lines(), [[(byte)'A', 0xff, (byte)'b', (byte)' ', (byte)'a', 0xfe, (byte)'B', (byte)' ', (byte)'C']]);
        var result = sut.Finish(sut.Merge([partial], options), options);

        Assert.Equal(3, result.GetProperty("distinct").GetInt32());
        var top = result.GetProperty("top").EnumerateArray()
            .Select(w => $"{w.GetProperty("word").GetString()}|{(w.TryGetProperty("bytes", out var b) ? b.GetString() : "-")}|{w.GetProperty("count").GetInt64()}");
        Assert.Equal(["a\uFFFDb|61fe62|1", "a\uFFFDb|61ff62|1", "c|-|1"], top);
    }

    [Fact]
    public void Count_AnyBytes_CountsEveryRecordAndByte()
    {
        var partial = Run(new CountProcessor(), default, new Lines(), Corpus.Select(r => r.Bytes));

        Assert.Equal(Corpus.Count, partial.GetProperty("records").GetInt64());
        Assert.Equal(Corpus.Sum(r => (long)r.Bytes.Length), partial.GetProperty("bytes").GetInt64());
    }

    /// <summary>Words of a wordcount result by their bytes in hex, as <see cref="Oracle.WordBytesFrequenciesAsync"/> has them.</summary>
    public static Dictionary<string, long> WordBytes(JsonElement result) =>
        result.GetProperty("top").EnumerateArray().ToDictionary(
            w => w.TryGetProperty("bytes", out var bytes) ? bytes.GetString()! : Convert.ToHexStringLower(Encoding.UTF8.GetBytes(w.GetProperty("word").GetString()!)),
            w => w.GetProperty("count").GetInt64(),
            StringComparer.Ordinal);

    private static JsonElement Run(IChunkProcessor processor, JsonElement options, IRecordSink output, IEnumerable<byte[]> records)
    {
        var accumulator = processor.Begin(options, output);
        foreach (var record in records)
        {
            accumulator.Add(new ChunkRecord(record));
        }
        return accumulator.Complete();
    }

    private sealed class Lines : IRecordSink
    {
        public List<byte[]> Written { get; } = [];

        public void Write(ReadOnlySpan<byte> record) => Written.Add(record.ToArray());
    }
}
