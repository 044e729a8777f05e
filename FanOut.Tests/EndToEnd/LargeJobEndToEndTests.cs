using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A job of 100,000 chunks through LocalHost and its own Azurite: the dispatch tree at scale.</summary>
[Collection(LargeStorageCollection.Name)]
public sealed class LargeJobEndToEndTests(InMemoryAzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Chunks = 100_000;

    [Fact]
    public async Task StartFanout_100000TinyChunks_CompleteThroughATreeAtMostThreeDeep_EachChunkCommittedOnce()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var deliveries = new int[Chunks];
        server.OnChunk = chunk => Interlocked.Increment(ref deliveries[chunk]);
        var jobId = NewJobId();
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 1,
            ["waitSeconds"] = 200, ["items"] = new JsonArray([.. Enumerable.Range(0, Chunks).Select(i => JsonValue.Create(i))]),
        };

        // Every setting at its default: the call waits (up to 200 s), then the client only polls. A job that needs
        // more than one hop goes on in the next without a resume.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var started = await PostAsync(server, body);
        var job = started.Status == HttpStatusCode.OK ? started.Body : await WaitForEndAsync(server, jobId, TimeSpan.FromMinutes(12));

        output.WriteLine($"{Chunks} chunks: {job.GetProperty("status")} in {clock.Elapsed.TotalSeconds:F0} s, "
                         + $"{server.DispatchRequests} dispatch and {server.ProcessChunkRequests} process_chunk requests");
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(Chunks, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(Chunks, job.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(3, job.GetProperty("dispatchLevels").GetInt32());
        Assert.InRange(server.DeepestDispatch, 1, 3);
        Assert.Equal(4, server.DeepestChunk);
        Assert.All(deliveries, count => Assert.True(count >= 1));
        var committed = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), committed.Select(b => b.Name));
        Assert.All(committed, blob => Assert.Equal(blob.Properties.CreatedOn, blob.Properties.LastModified)); // committed once
    }

    private static async Task<JsonElement> WaitForEndAsync(LocalHostServer server, string jobId, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            // A poller goes on through a 503 (storage slow to answer on a loaded machine: Retry-After), as the CLI does;
            // any other failure is one.
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
            if (!response.IsSuccessStatusCode)
            {
                continue;
            }
            if (body.GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                return body;
            }
        }
        throw new TimeoutException($"Job {jobId} did not end within {limit}.");
    }
}
