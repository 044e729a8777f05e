using FanOut.Core.Processing;
using FanOut.Samples.Enrich;

namespace FanOut.Tests.Samples;

/// <summary>samples/Enrich's processor under the processor test kit, as its author would test it: against the
/// downstream stub, without the app.</summary>
public sealed class EnrichProcessorKitTests
{
    [Fact]
    public async Task Enrich_UnderTheKit_EmitsEachRecordWithItsItem_AsksOncePerRecord_AndMergesInAnyGrouping()
    {
        await using var downstream = await ItemsStub.StartAsync(limit: 1000, window: TimeSpan.FromMilliseconds(1), latency: TimeSpan.Zero);
        using var http = new HttpClient { BaseAddress = downstream.BaseUrl };
        string Record(int id) => $$"""{"id":{{id}},"name":"record {{id}}"}""";
        List<List<string>> chunks = [[.. Enumerable.Range(0, 8).Select(Record)], [.. Enumerable.Range(8, 8).Select(Record), "not json"], [], [.. Enumerable.Range(16, 4).Select(Record)]];

        var run = await ProcessorTestKit.RunAsync(new EnrichProcessor(new EnrichClient(http)), chunks);

        Assert.Equal(21, run.Result.Records);
        Assert.Equal(Enumerable.Range(0, 20).Count(ItemsStub.Knows), run.Result.Enriched);
        Assert.Equal(Enumerable.Range(0, 20).Count(id => !ItemsStub.Knows(id)), run.Result.Missing);
        Assert.Equal(20, downstream.Requests);
        string Enriched(int id) => ItemsStub.Knows(id) ? $$"""{"id":{{id}},"name":"record {{id}}","title":"item {{id}}","price":{{id * 3}}}""" : Record(id);
        Assert.Equal([.. Enumerable.Range(0, 8).Select(Enriched)], run.Outputs[0]);
        Assert.Equal([.. Enumerable.Range(8, 8).Select(Enriched), "not json"], run.Outputs[1]);
        Assert.Empty(run.Outputs[2]);
        Assert.Equal([.. Enumerable.Range(16, 4).Select(Enriched)], run.Outputs[3]);
    }
}
