using System.Text;
using System.Text.Json;
using FanOut.Core.Http;
using FanOut.Core.Processing;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Processing;

/// <summary>A processor of the app's own, on the typed base class, registered with AddFanOut(...).AddProcessor and
/// run by the runtime: a standalone process_chunk through the batch endpoint, as another instance would send it.</summary>
public sealed class ChunkProcessorTests
{
    [Fact]
    public async Task ProcessChunk_AppProcessor_RunsOverTheRecords()
    {
        var (status, reply) = await ProcessChunkAsync("""{ "minBytes": 3 }""", """["ab", "abcd", "xyz", "", {"k":1}]""");

        Assert.Equal(200, status);
        Assert.Equal(5, reply.GetProperty("items").GetInt64());
        // An inline item that is not a string is its JSON text.
        Assert.Equal("""{"count":3,"longest":"{\"k\":1}"}""", reply.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task ProcessChunk_AbsentOptions_AreTheDefaults()
    {
        var (status, reply) = await ProcessChunkAsync(null, """["a", ""]""");

        Assert.Equal(200, status);
        Assert.Equal("""{"count":1,"longest":"a"}""", reply.GetProperty("result").GetRawText());
    }

    [Theory]
    [InlineData("""{ "minByte": 3 }""", "options.minByte", "Unknown field; did you mean minBytes?")]
    [InlineData("""{ "minBytes": 3, "colour": "red" }""", "options.colour", "Unknown field. Known fields: minBytes.")]
    [InlineData("""{ "minBytes": "3" }""", "options.minBytes", "Must be an integer.")]
    [InlineData("""{ "minBytes": 2.5 }""", "options.minBytes", "Must be an integer.")]
    [InlineData("""{ "minBytes": -1 }""", "options.minBytes", "Must not be negative.")]
    [InlineData("""[3]""", "options", "Must be a JSON object.")]
    public async Task ProcessChunk_InvalidOptions_Is400NamingTheField(string options, string field, string message)
    {
        var (status, problem) = await ProcessChunkAsync(options, """["abc"]""");

        Assert.Equal(400, status);
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Finish_NoRecords_LeavesNullsOut()
    {
        using var services = TestServices.Build(fanOut: f => f.AddProcessor<LongRecordsProcessor>());
        IChunkProcessor sut = services.GetRequiredService<LongRecordsProcessor>();

        var result = sut.Finish(sut.Merge([], default), default);

        Assert.Equal("""{"count":0}""", result.GetRawText());
    }

    [Fact]
    public void Merge_PartialsRoundTrip_InAnyGrouping()
    {
        IChunkProcessor sut = new LongRecordsProcessor();
        var a = ChunkRun.Partial(sut, default, "abc", "é");
        var b = ChunkRun.Partial(sut, default, "xyz", "q");
        var c = ChunkRun.Partial(sut, default);

        Assert.Equal("""{"count":2,"longest":"abc"}""", a.GetRawText());
        Assert.Equal("""{"count":0}""", c.GetRawText());
        Assert.Equal(a.GetRawText(), sut.Merge([a], default).GetRawText());
        Assert.Equal(c.GetRawText(), sut.Merge([c], default).GetRawText());
        var leftFirst = sut.Merge([sut.Merge([a, b], default), c], default).GetRawText();
        Assert.Equal(leftFirst, sut.Merge([a, sut.Merge([c, b], default)], default).GetRawText());
        Assert.Equal(leftFirst, sut.Merge([b, c, a], default).GetRawText());
        Assert.Equal("""{"count":4,"longest":"abc"}""", leftFirst);
    }

    private static async Task<(int Status, JsonElement Body)> ProcessChunkAsync(string? options, string items)
    {
        var json = $$"""{ "action": "process_chunk", "processor": "longrecords", {{(options is null ? "" : $"\"options\": {options},")}} "items": {{items}} }""";
        using var services = TestServices.Build(fanOut: fanOut => fanOut.AddProcessor<LongRecordsProcessor>());
        using var scope = services.CreateScope();
        var reply = await scope.ServiceProvider.GetRequiredService<BatchEndpoint>().PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), TestKeys.Sign(json));
        return (reply.StatusCode, JsonDocument.Parse(reply.Body).RootElement.Clone());
    }
}
