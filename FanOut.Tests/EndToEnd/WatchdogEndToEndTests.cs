using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A job survives the loss of the process running its top run with nobody watching: LocalHost (its own process,
/// the real worker, Azurite) replaces the worker that was killed, and the watchdog's timer resumes the job once the dead
/// run's lease lapsed; the client only polls.</summary>
[Collection(StorageCollection.Name)]
public sealed class WatchdogEndToEndTests(AzuriteFixture storage)
{
    private const int Chunks = 2000;

    [Fact]
    public async Task Watchdog_WorkerKilledUnderTheJobsTopRun_IsReplaced_AndTheJobSucceedsWithNoResume_EqualToTheOracle()
    {
        var blobs = new JobBlobs(storage.ConnectionString);
        var log = Path.Combine(Path.GetTempPath(), $"fanout-watchdog-{Guid.NewGuid():N}.log");
        var lines = Enumerable.Range(0, Chunks).Select(i => $"w{i % 97} common x{i % 13}").ToArray();
        var text = Path.Combine(Path.GetTempPath(), $"fanout-watchdog-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(text, lines);
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storage.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            // Every 2 s instead of every minute: the knob is the point (the job waits for its dead run's lease, 15 s, anyway).
            ["FanOut__Watchdog__Schedule"] = "*/2 * * * * *",
            // The resumed run sends nothing before the killed run's deadline (its tree might still be sending): a 30 s hop keeps
            // that wait short.
            ["FanOut__Dispatch__HopDeadlineSeconds"] = "30",
            ["FanOut__Dispatch__AttemptTimeoutSeconds"] = "20",
        };
        var jobId = NewJobId();
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "wordcount", ["chunkSize"] = 1, ["waitSeconds"] = 0, ["maxConcurrency"] = 2,
            ["options"] = new JsonObject { ["top"] = 1000 },
            ["items"] = new JsonArray([.. lines.Select(l => JsonValue.Create(l))]),
        };

        await using var host = await LocalHostProcess.StartAsync(log, environment);
        using var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
        using var started = await client.PostAsJsonAsync("api/batch", body);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        for (var poll = 0; poll < 400 && await blobs.CommittedChunksAsync(jobId) < 200; poll++)
        {
            await Task.Delay(25);
        }
        host.KillWorker(); // SIGKILL, with the job's top run (and every dispatcher and chunk of it) in it
        var committedAtKill = await blobs.CommittedChunksAsync(jobId);
        var newWorker = await CrashAndOutageTests.WorkerReplacedAsync(host, log);
        // The client only polls, 3 minutes at most.
        JsonElement job = default;
        var seen = new List<string>();
        var refused = new List<HttpStatusCode>();
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromMinutes(3) && seen.LastOrDefault() is not ("Succeeded" or "Failed"); await Task.Delay(500))
        {
            using var status = await client.GetAsync($"api/batch/{jobId}");
            if (status.StatusCode == HttpStatusCode.OK)
            {
                job = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.Clone();
                seen.Add(job.GetProperty("status").GetString()!);
            }
            else
            {
                refused.Add(status.StatusCode);
            }
        }

        Assert.InRange(committedAtKill, 1, Chunks - 1);
        Assert.NotEqual(host.WorkerId, newWorker);
        Assert.False(host.Exited.IsCompleted, "the host exited when its worker died");
        Assert.Equal("Succeeded", seen.LastOrDefault());
        Assert.DoesNotContain("Failed", seen);
        Assert.All(refused, code => Assert.Equal(HttpStatusCode.ServiceUnavailable, code)); // only while no worker was ready
        var result = job.GetProperty("result");
        var oracle = await Oracle.WordFrequenciesAsync(text);
        Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
        var counted = result.GetProperty("top").EnumerateArray()
            .ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64(), StringComparer.Ordinal);
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), counted.OrderBy(w => w.Key, StringComparer.Ordinal));
        var chunks = await blobs.ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), chunks.Select(c => c.Name).Order());
        Assert.All(chunks, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified)); // each committed once
        using var resumes = JsonDocument.Parse(await blobs.ReadAsync($"jobs/{jobId}/watchdog.json"));
        Assert.Equal(1, resumes.RootElement.GetProperty("count").GetInt32());
        File.Delete(text);
    }
}
