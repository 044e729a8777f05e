using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Tests.Processing;

public sealed class ProjectProcessorTests
{
    private static readonly IChunkProcessor Sut = new ProjectProcessor();

    [Fact]
    public void Begin_ProjectsFilteredObjectsAndCountsTheRest()
    {
        var options = Options("""{ "fields": ["id", "user.name", "missing"], "where": { "field": "status", "equals": "ok" } }""");
        var output = new Lines();
        var accumulator = Sut.Begin(options, output);

        foreach (var record in new[]
                 {
                     """{"id":1,"user":{"name":"ann","age":3},"status":"ok"}""",
                     """{"id":2,"user":{"name":"bob"},"status":"bad"}""",
                     """not json""",
                     """[1,2]""",
                     """{"id":3,"status":"ok"}""",
                 })
        {
            accumulator.Add(new ChunkRecord(Encoding.UTF8.GetBytes(record)));
        }
        var result = Sut.Finish(Sut.Merge([accumulator.Complete()], options), options);

        Assert.Equal(["""{"id":1,"user.name":"ann"}""", """{"id":3}"""], output.Records);
        Assert.Equal(5, result.GetProperty("records").GetInt64());
        Assert.Equal(2, result.GetProperty("emitted").GetInt64());
        Assert.Equal(2, result.GetProperty("invalid").GetInt64());
    }

    [Theory]
    [InlineData("""{ }""", "options.fields")]
    [InlineData("""{ "fields": [] }""", "options.fields")]
    [InlineData("""{ "fields": "id" }""", "options.fields")]
    [InlineData("""{ "fields": ["id"], "where": { "field": "x" } }""", "options.where")]
    [InlineData("""{ "fields": ["id"], "select": ["x"] }""", "options.select")]
    public void ValidateOptions_Invalid_NamesTheField(string json, string field)
    {
        var errors = new FieldErrors();

        Sut.ValidateOptions(Options(json), errors);

        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    private static JsonElement Options(string json) => JsonDocument.Parse(json).RootElement;

    private sealed class Lines : IRecordSink
    {
        public List<string> Records { get; } = [];

        public void Write(ReadOnlySpan<byte> record) => Records.Add(Encoding.UTF8.GetString(record));
    }
}
