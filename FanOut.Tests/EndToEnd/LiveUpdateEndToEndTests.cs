using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Samples.Enrich;
using FanOut.Tests.Samples;
using FanOut.Tests.Support;
using Xunit.Abstractions;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Issue 26's live change, end to end through LocalHost's sockets and Azurite: a job started at
/// <c>maxConcurrency: 2</c> is updated to 16 while it runs, and within 3 s more than 8 calls are in flight at once, then the
/// job ends as it would have. With the sample <c>enrich</c> processor against a downstream stub of 100 ms a call (served in
/// process, the adapter: the real worker runs FanOut.Functions' own Program.cs, which does not register the sample), and with
/// the real worker, whose chunks take 100 ms each.</summary>
[Collection(StorageCollection.Name)]
public sealed class LiveUpdateEndToEndTests(AzuriteFixture storage, ITestOutputHelper log)
{
    private const string Inputs = "inputs";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Enrich_StartedAt2_UpdatedTo16_TheDownstreamSeesMoreThan8CallsAtOnceWithin3s_EveryRecordEnrichedOnce()
    {
        // 300 records in chunks of 3: one dispatcher of 100 chunks, each asking the downstream for one item at a time (300 ms a
        // chunk). 32 slots on the instance leave the job's tree room for 16 chunks in flight (the invocation budget).
        const int records = 300;
        await using var downstream = await ItemsStub.StartAsync(limit: int.MaxValue, window: TimeSpan.FromMilliseconds(1), latency: TimeSpan.FromMilliseconds(100));
        var lines = Enumerable.Range(0, records).Select(i => $$"""{"id":{{i}},"name":"record {{i}}"}""").ToList();
        var blob = $"live-{Guid.NewGuid():N}.ndjson";
        await new JobBlobs(storage.ConnectionString).UploadAsync(Inputs, blob, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        var settings = storage.Settings(new()
        {
            ["FanOut:Storage:InputContainers"] = Inputs, ["Enrich:BaseUrl"] = downstream.BaseUrl.AbsoluteUri, ["FanOut:Platform:PerInstanceConcurrency"] = "32",
        });
        await using var server = await LocalHostServer.StartAsync(settings, inProcess: true, fanOut: (fanOut, configuration) => fanOut.AddEnrich(configuration));
        var jobId = NewJobId();

        var started = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "enrich", ["chunkSize"] = 3, ["maxConcurrency"] = 2, ["waitSeconds"] = 0,
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "ndjson" },
        });
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        await UntilAsync(() => downstream.Requests >= 6, TimeSpan.FromSeconds(30));
        var before = downstream.PeakInFlight;
        var clock = Stopwatch.StartNew();
        var updated = await PostAsync(server, Update(jobId, 16));
        var seen = await UntilAsync(() => downstream.PeakInFlight > 8, Within);
        var after = clock.Elapsed;

        var job = await FinishedAsync(server, jobId);
        log.WriteLine($"peak before the update {before}, after {downstream.PeakInFlight} ({after.TotalMilliseconds:F0} ms after it); "
                      + $"{downstream.Requests} downstream calls; job {job.GetProperty("status").GetString()}");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(16, updated.Body.GetProperty("maxConcurrency").GetInt32());
        Assert.InRange(before, 1, 2);
        Assert.True(seen, $"within {Within.TotalSeconds} s of the update the downstream had at most {downstream.PeakInFlight} calls at once");
        Assert.InRange(downstream.PeakInFlight, 9, 16);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(16, job.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(records, downstream.Requests); // each record asked for once: no chunk ran twice

        var expected = Enumerable.Range(0, records).Select(i => ItemsStub.Knows(i)
            ? $$"""{"id":{{i}},"name":"record {{i}}","title":"item {{i}}","price":{{i * 3}}}"""
            : lines[i]).ToList();
        var output = new StringBuilder();
        var blobs = new JobBlobs(storage.ConnectionString);
        foreach (var part in await blobs.ListAsync(job.GetProperty("output").GetProperty("prefix").GetString()!))
        {
            output.Append(await blobs.ReadAsync(part.Name));
        }
        Assert.Equal(expected, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task TheRealWorker_StartedAt2_UpdatedTo16_HasMoreThan8ChunksInFlightWithin3s_EachChunkCommittedOnce()
    {
        // 100 chunks of 100 ms on one instance of 16 slots: the invocation budget lets the one-level tree have 12 in flight.
        const int chunks = 100;
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromMilliseconds(100));
        var jobId = NewJobId();

        var started = await PostAsync(server, StartBody(jobId, Words(chunks), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2));
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        await UntilAsync(() => server.ProcessChunkRequests >= 6, TimeSpan.FromSeconds(30));
        var before = server.PeakProcessChunkInFlight;
        var updated = await PostAsync(server, Update(jobId, 16));
        var seen = await UntilAsync(() => server.PeakProcessChunkInFlight > 8, Within);

        var job = await FinishedAsync(server, jobId);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.InRange(before, 1, 2);
        Assert.True(seen, $"within {Within.TotalSeconds} s of the update at most {server.PeakProcessChunkInFlight} chunks were in flight at once");
        Assert.InRange(server.PeakProcessChunkInFlight, 9, 12);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(chunks, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(chunks, server.ProcessChunkRequests); // each chunk sent once
    }

    private static JsonObject Update(string jobId, int maxConcurrency) =>
        new() { ["action"] = "update", ["jobId"] = jobId, ["maxConcurrency"] = maxConcurrency };

    // Polls every 20 ms until the condition holds or the time is up: whether it held.
    private static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return false; // the caller asserts, with what it saw
            }
            await Task.Delay(20);
        }
        return true;
    }

    // The job's status once it ended (a minute at most).
    private static async Task<JsonElement> FinishedAsync(LocalHostServer server, string jobId)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (status.GetProperty("status").GetString() is "Succeeded" or "Failed" or "Cancelled" or "Incomplete" || clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                return status;
            }
            await Task.Delay(100);
        }
    }
}
