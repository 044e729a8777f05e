using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Nothing is lost when the app or its storage goes away in the middle of a job.</summary>
[Collection(StorageCollection.Name)]
public sealed class CrashAndOutageTests(AzuriteFixture storage)
{
    [Theory]
    [InlineData(Crash.Host)]
    [InlineData(Crash.Worker)]
    public async Task Resume_AfterAProcessIsKilledMidJob_FinishesWithTheResultOfAnUninterruptedRun(Crash crash)
    {
        var blobs = new JobBlobs(storage.ConnectionString);
        var log = Path.Combine(Path.GetTempPath(), $"fanout-crash-{Guid.NewGuid():N}.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storage.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            // Nobody but the client resumes the job here (WatchdogEndToEndTests has the watchdog do it).
            ["FanOut__Watchdog__MaxResumes"] = "0",
            // The resumed run sends nothing before the killed run's deadline (its tree might still be sending): a 30 s hop
            // keeps that wait within the resume's waitSeconds.
            ["FanOut__Dispatch__HopDeadlineSeconds"] = "30",
            ["FanOut__Dispatch__AttemptTimeoutSeconds"] = "20",
        };
        var items = Words(2000);
        var jobId = NewJobId();
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(3) };

        var host = await LocalHostProcess.StartAsync(log, environment);
        try
        {
            client.BaseAddress = host.Url;
            using var started = await client.PostAsJsonAsync("api/batch", StartBody(jobId, items.DeepClone().AsArray(), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2));
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            for (var poll = 0; poll < 400 && await blobs.CommittedChunksAsync(jobId) < 200; poll++)
            {
                await Task.Delay(25);
            }
        }
        finally
        {
            await KillAsync(host, crash, log); // SIGKILL, in the middle of the job
        }
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        var committedAtCrash = await blobs.CommittedChunksAsync(jobId);
        Assert.InRange(committedAtCrash, 1, 1999);

        await using var restarted = await LocalHostProcess.StartAsync(log, environment);
        using var again = new HttpClient { BaseAddress = restarted.Url, Timeout = TimeSpan.FromMinutes(3) };
        // Nothing runs the job now: its status says so (Incomplete) once the dead run's lease has lapsed (a term, 15 s),
        // never Running for longer.
        var seen = new List<string>();
        while (seen.LastOrDefault() != "Incomplete" && killedAt.Elapsed < LeaseTerm + StatusMargin)
        {
            await Task.Delay(500);
            var status = JsonDocument.Parse(await again.GetStringAsync($"api/batch/{jobId}")).RootElement;
            seen.Add(status.GetProperty("status").GetString()!);
        }
        Assert.Equal("Incomplete", seen[^1]);
        Assert.All(seen[..^1], s => Assert.Contains(s, new[] { "Pending", "Running" }));
        using var resumed = await again.PostAsJsonAsync("api/batch", new JsonObject { ["action"] = "resume", ["jobId"] = jobId, ["waitSeconds"] = 150 });
        var job = JsonDocument.Parse(await resumed.Content.ReadAsStringAsync()).RootElement;
        // The resumed run first waits out the killed run's deadline (its tree might still be sending), so it may hand the
        // rest to a next hop and answer 202: the job then finishes by itself, and the client polls.
        for (var polled = System.Diagnostics.Stopwatch.StartNew();
             job.GetProperty("status").GetString() is "Pending" or "Running" && polled.Elapsed < TimeSpan.FromMinutes(3);)
        {
            await Task.Delay(500);
            job = JsonDocument.Parse(await again.GetStringAsync($"api/batch/{jobId}")).RootElement;
        }
        using var reference = await again.PostAsJsonAsync("api/batch", StartBody(NewJobId(), items.DeepClone().AsArray(), chunkSize: 1, waitSeconds: 150));
        var uninterrupted = JsonDocument.Parse(await reference.Content.ReadAsStringAsync()).RootElement;

        Assert.Contains(resumed.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(uninterrupted.GetProperty("result").ToString(), job.GetProperty("result").ToString());
        Assert.Equal(2000, job.GetProperty("items").GetProperty("processed").GetInt64());
        var chunks = await blobs.ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), chunks.Select(c => c.Name).Order());
        Assert.All(chunks, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified)); // each committed once
    }

    private static readonly TimeSpan LeaseTerm = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StatusMargin = TimeSpan.FromSeconds(15);

    public enum Crash
    {
        Host,
        Worker,
    }

    // SIGKILL the host: its worker must not outlive it. SIGKILL the worker: the host says so and starts a new worker (as
    // the platform replaces a lost instance); then the host goes too, so that the job is left to the restarted host.
    private static async Task KillAsync(LocalHostProcess host, Crash crash, string log)
    {
        if (crash == Crash.Host)
        {
            await host.KillAsync();
            await host.Exited;
            Assert.True(await GoneAsync(host.WorkerId, TimeSpan.FromSeconds(5)), $"worker {host.WorkerId} outlived its host by 5 s");
            return;
        }
        host.KillWorker();
        await WorkerReplacedAsync(host, log);
        Assert.False(host.Exited.IsCompleted, "the host exited when its worker died");
        await host.KillAsync();
    }

    /// <summary>Waits (30 s at most) until the host's log says its worker died with SIGKILL and a new one is ready; answers the new pid.</summary>
    internal static async Task<int> WorkerReplacedAsync(LocalHostProcess host, string log)
    {
        var replaced = new System.Text.RegularExpressions.Regex($@"Instance \d+ \(worker pid (?<pid>\d+)\) is ready at \S+: it replaces instance \d+ \(worker pid {host.WorkerId}\), which exited");
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            var text = await File.ReadAllTextAsync(log);
            if (replaced.Match(text) is { Success: true } match)
            {
                Assert.Matches($@"Instance \d+'s worker \(pid {host.WorkerId}\) exited with code 137 at \S+; its invocations in flight are lost", text);
                return int.Parse(match.Groups["pid"].Value);
            }
        }
        throw new TimeoutException($"the host did not replace its worker (pid {host.WorkerId}) within 30 s; see {log}");
    }

    private static async Task<bool> GoneAsync(int pid, TimeSpan within)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < within; await Task.Delay(100))
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
            {
                return true;
            }
        }
        return false;
    }

    [Fact]
    public async Task StartFanout_StorageStoppedMidJobAndStartedAgain_ChunksAre503WhileDownAndTheJobCompletes()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var blobs = new JobBlobs(azurite.ConnectionString);
        await using var server = await LocalHostServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["FanOut:Storage:ConnectionString"] = azurite.ConnectionString,
                ["FanOut:Dispatch:MaxAttempts"] = "12",
                ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "100",
                ["FanOut:Dispatch:MaxRetryDelaySeconds"] = "2",
            },
            chunkDelay: TimeSpan.FromMilliseconds(5));
        var jobId = NewJobId();

        var job = PostAsync(server, StartBody(jobId, Words(1500), chunkSize: 1, waitSeconds: 180, maxConcurrency: 4));
        for (var poll = 0; poll < 400 && await blobs.CommittedChunksAsync(jobId) < 100; poll++)
        {
            await Task.Delay(25);
        }
        await azurite.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await azurite.StartAgainAsync();
        var finished = await job;

        Assert.True(server.ProcessChunkAnswers.GetValueOrDefault(503) > 0, "no chunk was answered 503 while storage was down");
        Assert.Equal(HttpStatusCode.OK, finished.Status);
        Assert.Equal("Succeeded", finished.Body.GetProperty("status").GetString());
        Assert.Equal(1500, finished.Body.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(3000, finished.Body.GetProperty("result").GetProperty("total").GetInt64());
        Assert.Equal(1500, await blobs.CommittedChunksAsync(jobId));
    }
}
