using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FanOut.Samples.Enrich;
using FanOut.Tests.Support;
using Xunit.Abstractions;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.Samples;

/// <summary>samples/Enrich, registered into the app as a Program.cs would (<c>AddFanOut(...).AddEnrich(...)</c>), runs
/// a real job over an NDJSON blob in Azurite against a downstream that throttles. The app is served in process (the
/// adapter): the real worker runs FanOut.Functions' own Program.cs, which does not register the sample.</summary>
[Collection(StorageCollection.Name)]
public sealed class EnrichSampleTests(AzuriteFixture storage, ITestOutputHelper log)
{
    private const string Inputs = "inputs";
    private const int Records = 300;

    [Fact]
    public async Task Enrich_ThrottlingDownstream_JobSlowsDownAndEmitsEveryRecordEnrichedOnce()
    {
        // 30 chunks start at once (maxConcurrency 32), each asking for one item at a time: more than 10 at once are
        // throttled (even when a loaded machine spreads their starts over a few windows). A chunk takes ~10 × 50 ms,
        // less than the 1 s the job then pauses, so the chunks let through finish before the refused ones come back.
        // (A stub that answered at once, 20 per 500 ms, would let almost no chunk finish: a refused chunk starts
        // over, and the refused come back together. See the sample's README.)
        await using var downstream = await ItemsStub.StartAsync(limit: 10, window: TimeSpan.FromMilliseconds(40), latency: TimeSpan.FromMilliseconds(50));
        var lines = Enumerable.Range(0, Records).Select(i => $$"""{"id":{{i}},"name":"record {{i}}","tags":["t{{i % 3}}"]}""").ToList();
        var blob = $"enrich-{Guid.NewGuid():N}.ndjson";
        await new JobBlobs(storage.ConnectionString).UploadAsync(Inputs, blob, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        var settings = storage.Settings(new() { ["FanOut:Storage:InputContainers"] = Inputs, ["Enrich:BaseUrl"] = downstream.BaseUrl.AbsoluteUri });
        await using var server = await LocalHostServer.StartAsync(settings, inProcess: true, fanOut: (fanOut, configuration) => fanOut.AddEnrich(configuration));
        var clock = Stopwatch.StartNew();

        var job = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["processor"] = "enrich", ["chunkSize"] = 10,
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "ndjson" },
        });

        clock.Stop();
        var refusedChunks = server.ProcessChunkAnswers.GetValueOrDefault(429);
        log.WriteLine($"{Records} records, 30 chunks: {downstream.Requests} downstream requests, {downstream.Throttled} answered 429; "
                      + $"process_chunk answers {string.Join(", ", server.ProcessChunkAnswers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"))}; {clock.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, job.Status);
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal(30, job.Body.GetProperty("chunks").GetProperty("total").GetInt32());
        Assert.Equal(0, job.Body.GetProperty("chunks").GetProperty("failed").GetInt32());
        // The downstream throttled, and each of its 429s refused one chunk's call (429 to the dispatcher), which
        // was sent again after the job's pause: every chunk was answered 200 once, none failed.
        Assert.True(downstream.Throttled > 0, "the downstream never throttled: the test's numbers no longer make it");
        Assert.Equal(downstream.Throttled, refusedChunks);
        Assert.Equal(30, server.ProcessChunkAnswers.GetValueOrDefault(200));
        Assert.Equal(30 + refusedChunks, server.ProcessChunkRequests);

        // What enrich emits, computed here: the record with the item's fields (id, title, price) merged in.
        var expected = Enumerable.Range(0, Records).Select(i => ItemsStub.Knows(i)
            ? $$"""{"id":{{i}},"name":"record {{i}}","tags":["t{{i % 3}}"],"title":"item {{i}}","price":{{i * 3}}}"""
            : lines[i]).ToList();
        var output = new StringBuilder();
        var blobs = new JobBlobs(storage.ConnectionString);
        var parts = await blobs.ListAsync(job.Body.GetProperty("output").GetProperty("prefix").GetString()!);
        Assert.Equal(job.Body.GetProperty("output").GetProperty("parts").GetInt32(), parts.Count);
        foreach (var part in parts)
        {
            output.Append(await blobs.ReadAsync(part.Name));
        }
        Assert.Equal(expected, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var missing = Enumerable.Range(0, Records).Count(i => !ItemsStub.Knows(i));
        Assert.Equal($$"""{"records":{{Records}},"enriched":{{Records - missing}},"missing":{{missing}}}""", job.Body.GetProperty("result").GetRawText());
    }
}
