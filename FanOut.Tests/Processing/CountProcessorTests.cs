using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Tests.Processing;

public sealed class CountProcessorTests
{
    private static readonly IChunkProcessor Sut = new CountProcessor();

    [Fact]
    public void Merge_CountsRecordsAndUtf8Bytes()
    {
        var first = Sut.Begin(default, RecordSink.Discard);
        first.Add(new ChunkRecord(Encoding.UTF8.GetBytes("héllo")));
        var second = Sut.Begin(default, RecordSink.Discard);
        second.Add(new ChunkRecord([]));
        second.Add(new ChunkRecord("abc"u8));

        var result = Sut.Finish(Sut.Merge([first.Complete(), second.Complete()], default), default);

        Assert.Equal(3, result.GetProperty("records").GetInt64());
        Assert.Equal(9, result.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void ValidateOptions_AnyOption_IsAnError()
    {
        var errors = new FieldErrors();

        Sut.ValidateOptions(JsonDocument.Parse("""{ "top": 3 }""").RootElement, errors);

        Assert.Equal(["options.top"], errors.ToDictionary().Keys);
    }
}
