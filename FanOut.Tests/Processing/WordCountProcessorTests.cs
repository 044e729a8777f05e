using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

public sealed class WordCountProcessorTests
{
    private static readonly IChunkProcessor Sut = new WordCountProcessor();

    [Fact]
    public void Begin_SplitsOnAsciiWhitespaceOnly_AsWcDoes()
    {
        var partial = Partial(default, "a\tb\nc\vd\fe\rf  g", "é\u00a0é", "", "   ");

        // \u00a0 (no-break space) is not whitespace to LC_ALL=C wc -w: "é\u00a0é" is one word.
        Assert.Equal(8, partial.GetProperty("total").GetInt64());
        Assert.Equal(1, partial.GetProperty("words").GetProperty("é\u00a0é").GetInt64());
    }

    [Fact]
    public void Finish_TopWords_ByCountThenOrdinalWord()
    {
        var options = Options("""{ "top": 3 }""");
        var merged = Sut.Merge([Partial(options, "b a c b"), Partial(options, "a d B")], options);

        var result = Sut.Finish(merged, options);

        Assert.Equal(7, result.GetProperty("total").GetInt64());
        Assert.Equal(5, result.GetProperty("distinct").GetInt32());
        var top = result.GetProperty("top").EnumerateArray().Select(w => $"{w.GetProperty("word").GetString()}={w.GetProperty("count").GetInt64()}");
        Assert.Equal(["a=2", "b=2", "B=1"], top);
    }

    [Fact]
    public void Begin_Lowercase_MergesCases()
    {
        var options = Options("""{ "lowercase": true }""");

        var result = Sut.Finish(Sut.Merge([Partial(options, "The THE the Ünd ünd")], options), options);

        Assert.Equal(2, result.GetProperty("distinct").GetInt32());
        Assert.Equal("the", result.GetProperty("top")[0].GetProperty("word").GetString());
        Assert.Equal(3, result.GetProperty("top")[0].GetProperty("count").GetInt64());
    }

    [Fact]
    public void Finish_DefaultTop_IsTwenty()
    {
        var text = string.Join(' ', Enumerable.Range(0, 50).Select(i => $"w{i}"));

        var result = Sut.Finish(Sut.Merge([Partial(default, text)], default), default);

        Assert.Equal(20, result.GetProperty("top").GetArrayLength());
    }

    [Theory]
    [InlineData("""{ "top": -1 }""", "options.top")]
    [InlineData("""{ "top": "many" }""", "options.top")]
    [InlineData("""{ "lowercase": 1 }""", "options.lowercase")]
    [InlineData("""{ "lowercse": true }""", "options.lowercse")]
    [InlineData("""[1]""", "options")]
    public void ValidateOptions_Invalid_NamesTheField(string json, string field)
    {
        var errors = new FieldErrors();

        Sut.ValidateOptions(Options(json), errors);

        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    private static JsonElement Options(string json) => JsonDocument.Parse(json).RootElement;

    private static JsonElement Partial(JsonElement options, params string[] records) => ChunkRun.Partial(Sut, options, records);
}
