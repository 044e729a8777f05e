using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Jobs through a LocalHost cluster as Flex Consumption runs the app (real workers, Azurite, defaults unless the
/// knob is the point): many instances, few slots, instances lost, a cluster that grows, and callers that wait.</summary>
[Collection(StorageCollection.Name)]
public sealed class ClusterEndToEndTests(AzuriteFixture storage)
{
    [Fact]
    public async Task ThreeInstances_TwentyThousandOneItemChunks_SucceedEachCommittedOnce_AndEveryInstanceRunsAFairShare()
    {
        const int chunks = 20_000;
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), cluster: new LocalCluster(Instances: 3));
        var jobId = NewJobId();

        using var started = await server.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(chunks), chunkSize: 1, waitSeconds: 0));
        var job = await UntilEndedAsync(server.Client, jobId, TimeSpan.FromMinutes(8));
        var instances = await server.InstancesAsync();

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(chunks, job.GetProperty("items").GetProperty("processed").GetInt64());
        await AssertEachCommittedOnceAsync(jobId, chunks);
        var total = instances.Sum(i => i.Invocations);
        Assert.True(total >= chunks, $"{total} invocations for {chunks} chunks");
        Assert.Equal(3, instances.Count);
        Assert.All(instances, i => Assert.True(i.Invocations * 5 >= total,
            $"instance {i.Id} ran {i.Invocations} of {total}: {string.Join(", ", instances.Select(x => x.Invocations))}"));
    }

    [Fact]
    public async Task OneInstanceOfFourSlots_FiveThousandChunksOnDefaults_SucceedInOneRun_NotAtADeadline()
    {
        const int chunks = 5_000;
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), cluster: new LocalCluster(Instances: 1, PerInstanceConcurrency: 4));
        var jobId = NewJobId();
        var clock = Stopwatch.StartNew();

        using var started = await server.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(chunks), chunkSize: 1, waitSeconds: 0));
        var job = await UntilEndedAsync(server.Client, jobId, TimeSpan.FromMinutes(8));
        clock.Stop();

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(chunks, job.GetProperty("items").GetProperty("processed").GetInt64());
        await AssertEachCommittedOnceAsync(jobId, chunks);
        // One run did it all: no root met its deadline and handed over (the default hop is 200 s), and no chunk call was
        // refused for want of a slot.
        var roots = server.DispatchSpans.Where(s => s.IsRoot).Select(s => s.RunId).Distinct().ToList();
        Assert.Single(roots);
        Assert.DoesNotContain(server.ChunkSpans, s => s.StatusCode == StatusCodes429);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(190), $"{chunks} chunks took {clock.Elapsed}: at the deadline");
    }

    [Fact]
    public async Task ThreeInstancesRecycledEveryFiveSeconds_WordcountOverAMultiMiBBlobIn16KiBChunks_ClientOnlyPolls_SucceedsEqualToTheOracle()
    {
        const string inputs = "cluster-inputs";
        var text = Path.Combine(Path.GetTempPath(), $"fanout-recycled-{Guid.NewGuid():N}.txt");
        var random = new Random(23);
        var lines = Enumerable.Range(0, Lines).Select(_ => string.Join(' ', Enumerable.Range(0, 4).Select(_ => $"w{random.Next(400)}")));
        await File.WriteAllLinesAsync(text, lines);
        var bytes = await File.ReadAllBytesAsync(text);
        var blob = $"recycled-{Guid.NewGuid():N}.txt";
        await new JobBlobs(storage.ConnectionString).UploadAsync(inputs, blob, bytes);
        var log = Path.Combine(Path.GetTempPath(), $"fanout-recycled-{Guid.NewGuid():N}.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storage.ConnectionString,
            ["FanOut__Storage__InputContainers"] = inputs,
            ["Logging__LogLevel__Default"] = "Warning",
            // The knobs are the point: the watchdog (nobody else resumes a job whose top run was recycled under it) runs
            // every 2 s instead of every minute and may resume it more often, and a hop of 40 s: a resumed run first waits
            // out the dead run's deadline, so that two runs never overlap.
            ["FanOut__Watchdog__Schedule"] = "*/2 * * * * *",
            ["FanOut__Watchdog__MaxResumes"] = "20",
            ["FanOut__Dispatch__HopDeadlineSeconds"] = "40",
        };
        await using var host = await LocalHostProcess.StartAsync(log, environment, arguments: ["--instances", "3", "--recycle-every", "5s"]);
        using var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
        // The job starts once the recycling has begun.
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30) && !(await File.ReadAllTextAsync(log)).Contains("Recycling instance", StringComparison.Ordinal);)
        {
            await Task.Delay(100);
        }
        var jobId = NewJobId();
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "wordcount", ["chunkSize"] = LinesPerChunk, ["waitSeconds"] = 0,
            ["options"] = new JsonObject { ["top"] = 1000 },
            ["source"] = new JsonObject { ["container"] = inputs, ["blob"] = blob, ["format"] = "lines" },
        };

        // The client posts its job (again, the same job, when an instance was recycled under the call) and then only polls.
        string? status = null;
        JsonElement job = default;
        var started = false;
        var answers = new List<string>();
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromMinutes(6) && status is not ("Succeeded" or "Failed"); await Task.Delay(500))
        {
            try
            {
                if (!started)
                {
                    using var start = await client.PostAsJsonAsync("api/batch", body);
                    started = start.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK;
                    answers.Add($"start {(int)start.StatusCode} {await start.Content.ReadAsStringAsync()}");
                    if ((int)start.StatusCode is >= 400 and < 500)
                    {
                        break;
                    }
                    continue;
                }
                using var poll = await client.GetAsync($"api/batch/{jobId}");
                answers.Add($"poll {(int)poll.StatusCode}");
                if (poll.StatusCode == HttpStatusCode.OK)
                {
                    job = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.Clone();
                    status = job.GetProperty("status").GetString();
                }
            }
            catch (HttpRequestException)
            {
                // the instance serving the call was recycled under it
            }
        }
        var recycled = System.Text.RegularExpressions.Regex.Matches(await File.ReadAllTextAsync(log), @"Recycling instance \d+ \(worker pid \d+\)");

        Assert.True(status == "Succeeded", $"{status}: {string.Join("; ", answers.TakeLast(5))}\n{(job.ValueKind == JsonValueKind.Object ? job.ToString() : "")}");
        Assert.True(recycled.Count >= 2, $"{recycled.Count} instances recycled"); // the first before the job started
        var oracle = await Oracle.WordFrequenciesAsync(text);
        var result = job.GetProperty("result");
        Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
        var counted = result.GetProperty("top").EnumerateArray()
            .ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64(), StringComparer.Ordinal);
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), counted.OrderBy(w => w.Key, StringComparer.Ordinal));
        await AssertEachCommittedOnceAsync(jobId, (Lines + LinesPerChunk - 1) / LinesPerChunk);
        File.Delete(text);
    }

    [Fact]
    public async Task MaxFourInstancesOfFourSlots_AJobGrowsTheClusterPastOne_AndNoFurtherThanFour()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), cluster: new LocalCluster(MaxInstances: 4, PerInstanceConcurrency: 4));
        var jobId = NewJobId();

        using var started = await server.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(3_000), chunkSize: 1, waitSeconds: 0));
        var counts = new List<int>();
        string? status = null;
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromMinutes(5) && status is not ("Succeeded" or "Failed"); await Task.Delay(200))
        {
            counts.Add((await server.InstancesAsync()).Count);
            using var poll = await server.Client.GetAsync($"api/batch/{jobId}");
            status = poll.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() : status;
        }

        Assert.Equal("Succeeded", status);
        Assert.Equal(1, counts[0]);
        Assert.InRange(counts.Max(), 2, 4);
        await AssertEachCommittedOnceAsync(jobId, 3_000);
    }

    [Fact]
    public async Task OneInstanceOnDefaults_ThreeTimesItsSlotsInWaitingStarts_TheRunningJobKeepsCommitting_AndEveryCallerIsAnsweredInTime()
    {
        const int slots = 16; // LocalHost's default, Flex's
        const int waitSeconds = 60;
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var running = NewJobId();
        using var started = await server.Client.PostAsJsonAsync("api/batch", StartBody(running, Words(3_000), chunkSize: 1, waitSeconds: 0));
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60) && server.ChunkSpans.Count(s => s.Chunk > 0) < 100;)
        {
            await Task.Delay(50);
        }

        // Three times the slots in one-item jobs whose callers each wait up to 60 s for their job.
        var callers = await Task.WhenAll(Enumerable.Range(0, 3 * slots).Select(async i =>
        {
            using var client = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(waitSeconds + 30) };
            var clock = Stopwatch.StartNew();
            using var answer = await client.PostAsJsonAsync("api/batch", StartBody(NewJobId(), Words(1), chunkSize: 1, waitSeconds: waitSeconds));
            var body = await answer.Content.ReadAsStringAsync();
            return (answer.StatusCode, Elapsed: clock.Elapsed, Body: body, RetryAfter: answer.Headers.RetryAfter?.Delta);
        }));
        var job = await UntilEndedAsync(server.Client, running, TimeSpan.FromMinutes(5));

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        // Each caller is answered: its job's end (200), its job under way (202: beyond the callers an instance lets wait),
        // or, beyond the invocations an instance lets wait for others, 503 with Retry-After at once, before its job was stored.
        Assert.All(callers, c => Assert.True(c.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted
            || (c.StatusCode == HttpStatusCode.ServiceUnavailable && c.RetryAfter == TimeSpan.FromSeconds(1)), $"{(int)c.StatusCode}: {c.Body}"));
        Assert.Contains(callers, c => c.StatusCode == HttpStatusCode.OK);
        Assert.All(callers, c => Assert.True(c.Elapsed < TimeSpan.FromSeconds(waitSeconds + 5), $"answered after {c.Elapsed}"));
        // The running job's chunks (the one-item jobs have only chunk 0) kept arriving while the callers came and went.
        var arrivals = server.ChunkSpans.Where(s => s.Chunk > 0).Select(s => s.Arrived).Order().ToList();
        var stall = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).Max();
        Assert.True(stall < TimeSpan.FromSeconds(5), $"the running job sent no chunk for {stall}");
    }

    private const int StatusCodes429 = 429;

    // About 16 KiB of the recycled job's lines (20 bytes each): chunkBytes starts at 64 KiB, so its chunks are cut by lines.
    private const int LinesPerChunk = 820;

    // 8 MB of them: about 490 chunks, a job that outlives a few recycles.
    private const int Lines = 400_000;

    // Polls the job's status (a 503 while no instance is ready is waited out) until it ended or the time is up.
    private static async Task<JsonElement> UntilEndedAsync(HttpClient client, string jobId, TimeSpan limit)
    {
        JsonElement job = default;
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < limit; await Task.Delay(1000))
        {
            using var poll = await client.GetAsync($"api/batch/{jobId}");
            if (poll.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            job = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.Clone();
            if (job.GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                return job;
            }
        }
        return job;
    }

    private async Task AssertEachCommittedOnceAsync(string jobId, int chunks)
    {
        var committed = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), committed.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(committed, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified));
    }
}
