using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>The dispatch tree, its depth budget and its per-hop deadline, through LocalHost and Azurite.</summary>
[Collection(StorageCollection.Name)]
public sealed class DispatchTreeEndToEndTests(AzuriteFixture storage)
{
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    [Fact]
    public async Task StartFanout_BeyondFanoutWidth_RunsATreeOfTheExpectedShapeAndCountsEveryChunkOnce()
    {
        // Width 3 over 50 chunks: 4 dispatch levels (1, 2, 6 and 17 dispatchers), chunks at depth 5.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Dispatch:FanoutWidth"] = "3", ["FanOut:Dispatch:MaxDepth"] = "5",
        }));
        var jobId = NewJobId();
        var dryRun = StartBody(jobId, Words(50), chunkSize: 1);
        dryRun["dryRun"] = true;

        var plan = await PostAsync(server, dryRun);
        var job = await PostAsync(server, StartBody(jobId, Words(50), chunkSize: 1));

        Assert.Equal([1, 2, 6, 17, 50], plan.Body.GetProperty("treeLevels").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(1 + 26 + 50, plan.Body.GetProperty("invocations").GetInt64());   // start_fanout, dispatchers, chunks
        Assert.Equal(HttpStatusCode.OK, job.Status);
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal(4, job.Body.GetProperty("dispatchLevels").GetInt32());
        Assert.Equal(1 + 2 + 6 + 17, server.DispatchRequests);
        Assert.Equal(4, server.DeepestDispatch);
        Assert.Equal(5, server.DeepestChunk);
        Assert.Equal(50, server.ProcessChunkRequests);
        Assert.Equal(ExpectedWordCount(50), job.Body.GetProperty("result").ToString());
        Assert.Equal(50, job.Body.GetProperty("items").GetProperty("processed").GetInt64());
        await AssertEachChunkCommittedOnceAsync(jobId, 50);
    }

    [Fact]
    public async Task Resume_InATree_SendsOnlyTheFailedChunkAndMergesTheCommittedOnesUpTheTree()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Dispatch:FanoutWidth"] = "4" }));
        server.RejectChunk = chunk => chunk == 37;
        var jobId = NewJobId();

        var failed = await PostAsync(server, StartBody(jobId, Words(60), chunkSize: 1));
        server.RejectChunk = null;
        var before = server.ProcessChunkRequests;
        var resumed = await PostAsync(server, new JsonObject { ["action"] = "resume", ["jobId"] = jobId });

        Assert.Equal("Failed", failed.Body.GetProperty("status").GetString());
        Assert.Equal(37, Assert.Single(failed.Body.GetProperty("failures").EnumerateArray()).GetProperty("chunk").GetInt32());
        Assert.Equal("Succeeded", resumed.Body.GetProperty("status").GetString());
        Assert.Equal(1, server.ProcessChunkRequests - before);
        Assert.Equal(ExpectedWordCount(60), resumed.Body.GetProperty("result").ToString());
        Assert.Equal(60, resumed.Body.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(3, resumed.Body.GetProperty("dispatchLevels").GetInt32());
        await AssertEachChunkCommittedOnceAsync(jobId, 60);
    }

    [Theory]
    [InlineData(9, 0, 10)]   // a depth beyond MaxDepth
    [InlineData(4, 0, 10)]   // at MaxDepth, a dispatcher could send nothing deeper
    [InlineData(3, 0, 101)]  // 101 chunks need two levels below depth 3: they would arrive at depth 5
    [InlineData(0, 0, 10)]   // no depth at all: not an internal call
    public async Task DispatchNode_WithAForgedOrLoopingDepth_Is508AndSendsAndWritesNothing(int depth, int first, int count)
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var prepared = await PostAsync(server, StartBody(jobId, Words(200), chunkSize: 1, waitSeconds: 30) is var body
            ? Rejecting(server, body) : null!);
        var blobs = (await _blobs.ListAsync($"jobs/{jobId}/")).Select(b => (b.Name, b.Properties.ETag)).ToList();
        var (chunks, dispatches) = (server.ProcessChunkRequests, server.DispatchRequests);

        var forged = $$"""{"action":"dispatch_node","jobId":"{{jobId}}","runId":"forged","depth":{{depth}},"first":{{first}},"count":{{count}},"pending":[[{{first}},{{count}}]]}""";
        using var response = await server.PostInternalAsync(forged);   // signed: the depth itself is refused
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("Failed", prepared.Body.GetProperty("status").GetString());
        Assert.Equal((HttpStatusCode)508, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:fanout:problem:loop-detected", problem.GetProperty("type").GetString());
        Assert.Equal(chunks, server.ProcessChunkRequests);              // nothing sent on
        Assert.Equal(dispatches + 1, server.DispatchRequests);          // ours only
        Assert.Equal(blobs, (await _blobs.ListAsync($"jobs/{jobId}/")).Select(b => (b.Name, b.Properties.ETag)).ToList());
    }

    [Fact]
    public async Task ProcessChunk_WithADepthBeyondMaxDepth_Is508AndCommitsNothing()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var forged = $$"""{"action":"process_chunk","jobId":"{{jobId}}","chunk":0,"processor":"count","depth":5,"items":[1]}""";

        using var response = await server.PostInternalAsync(forged);   // signed: the depth itself is refused

        Assert.Equal((HttpStatusCode)508, response.StatusCode);
        Assert.Empty(await _blobs.ListAsync($"jobs/{jobId}/"));
    }

    [Fact]
    public async Task StartFanout_WhenTheHopDeadlinePasses_AnswersIncompleteProgress_AndResumeFinishesWithTheSameResult()
    {
        // A 3 s hop over 200 chunks of 100 ms, 4 in flight: the run cannot finish in time.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Dispatch:HopDeadlineSeconds"] = "3", ["FanOut:Dispatch:AttemptTimeoutSeconds"] = "2",
            ["FanOut:Dispatch:FanoutWidth"] = "10", ["FanOut:Dispatch:MaxHops"] = "1", // no hand-over: the deadline ends the run
        }), chunkDelay: TimeSpan.FromMilliseconds(100));
        var jobId = NewJobId();

        var started = await PostAsync(server, StartBody(jobId, Words(200), chunkSize: 1, waitSeconds: 30, maxConcurrency: 2));
        // The hand-off waits less than a hop (2 s here), so the answer is the run's own (200) or a 202 to poll.
        var incomplete = started.Status == HttpStatusCode.OK
            ? started
            : await PollUntilAsync(server, jobId, status => status != "Pending" && status != "Running");
        var runs = new List<string>();
        Answer finished = incomplete;
        for (var run = 0; run < 20 && finished.Body.GetProperty("status").GetString() != "Succeeded"; run++)
        {
            finished = await PostAsync(server, new JsonObject { ["action"] = "resume", ["jobId"] = jobId, ["waitSeconds"] = 30 });
            if (finished.Status == HttpStatusCode.Accepted)
            {
                finished = await PollUntilAsync(server, jobId, status => status != "Pending" && status != "Running");
            }
            runs.Add(finished.Body.GetProperty("status").GetString()!);
        }

        Assert.Equal("Incomplete", incomplete.Body.GetProperty("status").GetString());
        var chunks = incomplete.Body.GetProperty("chunks");
        Assert.InRange(chunks.GetProperty("pending").GetInt32(), 1, 200);
        Assert.Equal(200, chunks.GetProperty("succeeded").GetInt32() + chunks.GetProperty("pending").GetInt32());
        Assert.False(incomplete.Body.TryGetProperty("result", out _));  // no aggregate passes for the job's
        Assert.Equal("Succeeded", finished.Body.GetProperty("status").GetString());
        Assert.Equal(ExpectedWordCount(200), finished.Body.GetProperty("result").ToString());
        Assert.Equal(200, finished.Body.GetProperty("items").GetProperty("processed").GetInt64());
        await AssertEachChunkCommittedOnceAsync(jobId, 200);
    }

    // Every chunk of the job has exactly one committed blob, written once and never replaced.
    private async Task AssertEachChunkCommittedOnceAsync(string jobId, int chunks)
    {
        var committed = await _blobs.ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), committed.Select(b => b.Name));
        Assert.All(committed, blob => Assert.Equal(blob.Properties.CreatedOn, blob.Properties.LastModified));
    }

    // The wordcount result of Words(n), counted here independently of the processor: the total, the
    // distinct words, and every word with its count, most frequent first.
    private static string ExpectedWordCount(int items)
    {
        var words = Enumerable.Range(0, items).SelectMany(i => new[] { $"word{i % 7}", "common" })
            .GroupBy(w => w).Select(g => (Word: g.Key, Count: g.Count()))
            .OrderByDescending(w => w.Count).ThenBy(w => w.Word, StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["total"] = 2 * items,
            ["distinct"] = words.Count,
            ["top"] = new JsonArray([.. words.Select(w => (JsonNode)new JsonObject { ["word"] = w.Word, ["count"] = w.Count })]),
        }.ToJsonString();
    }

    private static JsonObject Rejecting(LocalHostServer server, JsonObject body)
    {
        server.RejectChunk = _ => true;
        return body;
    }

    private static async Task<Answer> PollUntilAsync(LocalHostServer server, string jobId, Func<string, bool> done)
    {
        for (var poll = 0; poll < 400; poll++)
        {
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (done(body.GetProperty("status").GetString()!))
            {
                return new Answer(response.StatusCode, body, null, 0);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {jobId} did not reach the awaited status.");
    }
}
