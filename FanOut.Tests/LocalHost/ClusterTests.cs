using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.LocalHost;

/// <summary>LocalHost runs a cluster, as Flex Consumption runs the app: one front, N instances behind it, each the real
/// worker process with its own slots; GET /admin/instances shows them.</summary>
[Collection(StorageCollection.Name)]
public sealed class ClusterTests(AzuriteFixture storage)
{
    // The watchdog's timer once a year: these tests count invocations, and a timer occurrence is one.
    private const string Never = "0 0 0 1 1 *";

    [Fact]
    public async Task AdminInstances_ThreeInstances_ListsEachWorker_CountsItsInvocations_AndChecksTheKey()
    {
        await using var server = await LocalHostServer.StartAsync(
            storage.Settings(new() { ["FanOut:Watchdog:Schedule"] = Never, ["FanOut:FunctionKey"] = "cluster-key" }),
            cluster: new LocalCluster(Instances: 3));
        server.Client.DefaultRequestHeaders.Add("x-functions-key", "cluster-key");

        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };
        using var refused = await anonymous.GetAsync("admin/instances");
        for (var i = 0; i < 3; i++)
        {
            using var unknown = await server.Client.GetAsync($"api/batch/{NewJobId()}");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode); // answered by a worker: an invocation
        }
        using var answer = await server.Client.GetAsync("admin/instances");
        var instances = await server.InstancesAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(["id", "pid", "state", "active", "invocations", "startedAt"],
            body.RootElement.GetProperty("instances")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal([1, 2, 3], instances.Select(i => i.Id));
        Assert.Equal(3, instances.Select(i => i.Pid).Distinct().Count());
        Assert.All(instances, i => Assert.True(Directory.Exists($"/proc/{i.Pid}"), $"instance {i.Id}: no process {i.Pid}"));
        Assert.All(instances, i => Assert.Equal(("ready", 0), (i.State, i.Active)));
        Assert.Equal([1L, 1L, 1L], instances.Select(i => i.Invocations)); // one each: the least busy, equals in turn
        Assert.Equal(server.WorkerProcessId, instances[0].Pid);
    }

    [Fact]
    public async Task Job_OnThreeInstances_RunsOnEveryInstance_EachAtLeastAFifthOfTheInvocations()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Watchdog:Schedule"] = Never }),
            cluster: new LocalCluster(Instances: 3));
        var jobId = NewJobId();

        using var answer = await server.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(600), chunkSize: 1, waitSeconds: 120));
        var job = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        var instances = await server.InstancesAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(600, await new JobBlobs(storage.ConnectionString).CommittedChunksAsync(jobId));
        var total = instances.Sum(i => i.Invocations);
        Assert.True(total >= 601, $"{total} invocations for 600 chunks and the start");
        Assert.All(instances, i => Assert.True(i.Invocations * 5 >= total,
            $"instance {i.Id} ran {i.Invocations} of {total}: {string.Join(", ", instances.Select(x => x.Invocations))}"));
    }

    [Fact]
    public async Task SlotsHeld_PerInstanceConcurrencyTwo_TheNextRequestsWait_AndAFloodBeyondTheQueueIs429WithRetryAfter()
    {
        // The front takes a request's slot before it reads its body, as the Functions host's throttle comes before the
        // invocation: two POSTs whose bodies the test holds back hold both slots of the one instance.
        var (host, client) = await StartBareAsync("--per-instance-concurrency", "2", "--queue-length", "2", "--queue-timeout", "120s");
        await using var _ = host;
        using var __ = client;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = Enumerable.Range(0, 2).Select(_ => client.PostAsync("api/batch", new HeldBody("""{ "items": [1, 2] }""", release.Task))).ToList();
        await UntilAsync(client, view => view.Instances.Single().Active == 2);
        var waiting = Enumerable.Range(0, 2).Select(_ => client.GetAsync($"api/batch/{NewJobId()}")).ToList();
        await UntilAsync(client, view => view.Waiting == 2);
        var flood = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync($"api/batch/{NewJobId()}")));
        var waitedWhileRefused = waiting.All(w => !w.IsCompleted);
        release.SetResult();
        var served = await Task.WhenAll(held.Concat(waiting));

        Assert.True(waitedWhileRefused, "a request that found no free slot did not wait");
        Assert.All(flood, refused =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        });
        var problem = JsonDocument.Parse(await flood[0].Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("urn:fanout:problem:instances-busy", 429), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound], served.Select(s => s.StatusCode));
    }

    [Fact]
    public async Task MaxInstances_UnderLoad_GrowsPastOne_NeverBeyondTheMaximum_AndShrinksBackWhenIdle()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Watchdog:Schedule"] = Never }),
            cluster: new LocalCluster(MaxInstances: 3, PerInstanceConcurrency: 2, IdleTimeout: "2s"));
        var jobId = NewJobId();

        using var started = await server.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(400), chunkSize: 1, waitSeconds: 0, maxConcurrency: 16));
        var counts = new List<int>();
        string? status = null;
        for (var polls = 0; polls < 1200 && status is not ("Succeeded" or "Failed"); polls++, await Task.Delay(100))
        {
            counts.Add((await server.InstancesAsync()).Count);
            using var poll = await server.Client.GetAsync($"api/batch/{jobId}");
            status = poll.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() : status;
        }
        var after = await UntilAsync(server.Client, view => view.Instances.Count == 1);

        Assert.Equal("Succeeded", status);
        Assert.Equal(1, counts[0]);
        Assert.InRange(counts.Max(), 2, 3);
        Assert.Single(after.Instances);
    }

    [Fact]
    public async Task TimerTrigger_OnThreeInstances_RunsOncePerOccurrence_OnOneInstanceEachTime()
    {
        var logs = new ListLoggerProvider();
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Watchdog:Schedule"] = "* * * * * *" }),
            logs: logs, cluster: new LocalCluster(Instances: 3));

        for (var waited = 0; waited < 300 && (await server.InstancesAsync()).Sum(i => i.Invocations) < 6; waited++)
        {
            await Task.Delay(100);
        }
        var instances = await server.InstancesAsync();
        var runs = logs.Entries.Where(e => e.Message.StartsWith("Timer function Watchdog (invocation ", StringComparison.Ordinal)).ToList();
        var occurrences = runs.Where(e => e.Message.Contains("its occurrence of", StringComparison.Ordinal)).Select(e => e["Occurrence"]).ToList();
        var placed = runs.Where(e => e.Message.Contains(" runs on instance ", StringComparison.Ordinal)).Select(e => (int)e["Instance"]!).ToList();

        Assert.Equal(3, instances.Count);
        Assert.True(occurrences.Count >= 6, $"{occurrences.Count} occurrences");
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());       // each occurrence once...
        Assert.InRange(placed.Count, occurrences.Count - 1, occurrences.Count); // ...sent to one instance (the last may be on its way)
        Assert.True(placed.Distinct().Count() >= 2, $"every occurrence ran on instance {placed.FirstOrDefault()}");
        Assert.InRange(instances.Sum(i => i.Invocations), placed.Count - 1L, placed.Count + 1L); // nothing else ran on them
    }

    [Fact]
    public async Task InstanceKilled_WithARequestInFlightOnIt_DropsThatRequestsConnection_AndIsReplaced()
    {
        var (host, client) = await StartBareAsync();
        await using var _ = host;
        using var __ = client;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var doomed = (await InstanceView.ReadAsync(client)).Single();

        var inFlight = client.PostAsync("api/batch", new HeldBody("""{ "items": [1, 2] }""", release.Task));
        await UntilAsync(client, view => view.Instances.Single().Active == 1);
        using (var worker = System.Diagnostics.Process.GetProcessById(doomed.Pid))
        {
            worker.Kill(); // SIGKILL, as the platform loses an instance
        }
        var replaced = await UntilAsync(client, view => view.Instances.Any(i => i.Id != doomed.Id && i.State == "ready"));
        release.SetResult();
        var dropped = await Assert.ThrowsAsync<HttpRequestException>(() => inFlight);
        using var after = await client.PostAsync("api/batch", new StringContent("""{ "items": [1, 2] }""", Encoding.UTF8, "application/json"));

        Assert.NotNull(dropped);                                // not answered (no 503): the connection dropped, as on Azure
        Assert.DoesNotContain(replaced.Instances, i => i.Pid == doomed.Pid);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);      // and its replacement serves
    }

    [Fact]
    public async Task RecycleEvery_KillsAndReplacesARandomInstance_SaysWhichInTheLog_AndAShortJobStillSucceeds()
    {
        var log = Path.Combine(Path.GetTempPath(), $"fanout-recycle-{Guid.NewGuid():N}.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storage.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            // The watchdog resumes a job whose top run was recycled under it (as in Azure, where nobody else would).
            ["FanOut__Watchdog__Schedule"] = "*/2 * * * * *",
            // A resumed run first waits out the dead run's deadline (two runs never overlap): a hop of 40 s, not 200, and
            // room for a few resumes.
            ["FanOut__Dispatch__HopDeadlineSeconds"] = "40",
            ["FanOut__Watchdog__MaxResumes"] = "20",
        };
        await using var host = await LocalHostProcess.StartAsync(log, environment, arguments: ["--instances", "2", "--recycle-every", "3s"]);
        using var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
        var recycled = await LogMatchAsync(log, @"Recycling instance (?<id>\d+) \(worker pid (?<pid>\d+)\) at (?<at>\S+): SIGKILL");
        var replaced = await LogMatchAsync(log, $@"Instance \d+ \(worker pid \d+\) is ready at \S+: it replaces instance {recycled.Groups["id"].Value} \(worker pid {recycled.Groups["pid"].Value}\), which exited");
        var jobId = NewJobId();

        // The client only posts (again, same job, if its connection was dropped with an instance) and polls.
        string? status = null;
        for (var polls = 0; polls < 1000 && status is not ("Succeeded" or "Failed"); polls++, await Task.Delay(300))
        {
            try
            {
                if (polls == 0 || status is null)
                {
                    using var started = await client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(100), chunkSize: 1, waitSeconds: 0));
                }
                using var poll = await client.GetAsync($"api/batch/{jobId}");
                status = poll.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() : status;
            }
            catch (HttpRequestException)
            {
                // its instance was recycled under the call
            }
        }
        var instances = await InstanceView.ReadAsync(client);

        Assert.True(DateTimeOffset.TryParse(recycled.Groups["at"].Value, System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.True(replaced.Success);
        Assert.Equal(2, instances.Count);
        Assert.DoesNotContain(instances, i => i.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) == recycled.Groups["pid"].Value);
        Assert.Equal("Succeeded", status);
        var chunks = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(100, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified)); // each committed once
    }

    // Waits (30 s at most) until the log has a line matching the pattern.
    private static async Task<System.Text.RegularExpressions.Match> LogMatchAsync(string log, string pattern)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            if (System.Text.RegularExpressions.Regex.Match(await File.ReadAllTextAsync(log), pattern) is { Success: true } match)
            {
                return match;
            }
        }
        throw new TimeoutException($"no line of {log} matched {pattern} within 30 s");
    }

    // LocalHost in this process without LocalHostServer's inspecting middleware, which reads every POST's body before the
    // front does (so a held body would hold no slot).
    private async Task<(Microsoft.AspNetCore.Builder.WebApplication Host, HttpClient Client)> StartBareAsync(params string[] flags)
    {
        var host = WorkerHost.Build(
            ["--urls", "http://127.0.0.1:0", .. flags],
            storage.Settings(new() { ["FanOut:SigningKey"] = TestKeys.Signing, ["FanOut:Watchdog:Schedule"] = Never, ["FanOut:Watchdog:MaxResumes"] = "0" }));
        await host.StartAsync();
        await host.WorkerProcessIdAsync();
        return (host, new HttpClient { BaseAddress = new Uri(LocalPaths.CallableUrl(host.Urls.First())), Timeout = TimeSpan.FromMinutes(2) });
    }

    // Polls GET /admin/instances (30 s at most) until the view satisfies the condition.
    private static async Task<ClusterView> UntilAsync(HttpClient client, Func<ClusterView, bool> condition)
    {
        ClusterView? view = null;
        for (var polls = 0; polls < 300; polls++, await Task.Delay(100))
        {
            using var answer = await client.GetAsync("admin/instances");
            using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            var instances = body.RootElement.GetProperty("instances").EnumerateArray()
                .Select(i => new InstanceView(i.GetProperty("id").GetInt32(), i.GetProperty("pid").GetInt32(), i.GetProperty("state").GetString()!,
                    i.GetProperty("active").GetInt32(), i.GetProperty("invocations").GetInt64(), i.GetProperty("startedAt").GetDateTimeOffset()));
            view = new ClusterView([.. instances], body.RootElement.GetProperty("waiting").GetInt32());
            if (condition(view))
            {
                return view;
            }
        }
        throw new TimeoutException($"the cluster did not get there within 30 s: {view}");
    }

    private sealed record ClusterView(IReadOnlyList<InstanceView> Instances, int Waiting);

    // A JSON body whose last byte is sent only once the test releases it.
    private sealed class HeldBody(string json, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length - 1));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(bytes.AsMemory(bytes.Length - 1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
