using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.LocalHost;

/// <summary>LocalHost runs the app as Azure does: the built FanOut.Functions.dll in a worker process of its own,
/// behind the host's HTTP front and host.json's throttles.</summary>
[Collection(StorageCollection.Name)]
public sealed class RealWorkerTests(AzuriteFixture storage)
{
    private const string InvocationIdHeader = "X-FanOut-Invocation-Id";

    [Fact]
    public async Task LocalHost_AnswersFromTheBuiltFunctionsWorkerProcess_ThroughTheMiddlewareItsProgramRegisters()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        await using var adapter = await LocalHostServer.StartAsync(storage.Settings(), inProcess: true);

        using var answer = await server.Client.PostAsync("api/batch", Json("""{ "items": [1, 2, 3] }"""));
        using var adapted = await adapter.Client.PostAsync("api/batch", Json("""{ "items": [1, 2, 3] }"""));

        // The worker is another process, running the dll that FanOut.Functions builds...
        Assert.NotEqual(Environment.ProcessId, server.WorkerProcessId);
        var commandLine = (await File.ReadAllTextAsync($"/proc/{server.WorkerProcessId}/cmdline")).Split('\0');
        var dll = Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Functions", "bin");
        Assert.Contains(commandLine, a => a.StartsWith(dll, StringComparison.Ordinal) && a.EndsWith("/FanOut.Functions.dll", StringComparison.Ordinal));
        // ...and the answer went through the middleware that only FanOut.Functions/Program.cs registers (in the
        // worker's pipeline, which the in-process adapter does not run): same body, plus the invocation's id.
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(await adapted.Content.ReadAsStringAsync(), await answer.Content.ReadAsStringAsync());
        Assert.True(Guid.TryParse(answer.Headers.GetValues(InvocationIdHeader).Single(), out _));
        Assert.False(adapted.Headers.Contains(InvocationIdHeader));
    }

    // One instance that runs 2 invocations at once and holds 4 requests at most, as host.json can say.
    private static readonly HostJson Tight = new("api", MaxConcurrentRequests: 2, MaxOutstandingRequests: 4, FunctionTimeout: null);

    [Fact]
    public async Task Burst_PastMaxOutstandingRequests_Gets429BeforeReachingTheWorker()
    {
        // The front's queue holds what maxOutstandingRequests leaves beyond the running ones (2 here); its wait bound (10 s
        // by default, ClusterTests shows it) is set out of the way: the held calls' jobs meet 429s for longer than that.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), hostJson: Tight, cluster: new LocalCluster(QueueTimeout: "5m"));

        // Ten start_fanout calls at once, each holding its place while it waits for its job: 2 run, 2 wait their
        // turn, the other 6 are refused 429 by the host before they reach the worker. (The 4 held ones are
        // answered by the app: their jobs are stored; a dispatch call that met only 429s is a 503 naming resume.)
        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            server.Client.PostAsJsonAsync("api/batch", StartBody(NewJobId(), Words(4), chunkSize: 2, waitSeconds: 1))));
        Assert.Equal(6, burst.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        var held = burst.Where(a => a.StatusCode != HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(4, held.Count);
        Assert.True(held.All(a => a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable
                                  && a.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json"),
            string.Join("\n", await Task.WhenAll(held.Select(async a => $"{(int)a.StatusCode} {await a.Content.ReadAsStringAsync()}"))));

    }

    [Fact]
    public async Task FanOut_UnderTightHostLimits_FitsItsTreeInThem_AndCommitsEveryChunkOnce()
    {
        // host.json's limits are the instance's slots (two running places): LocalHost tells the worker so
        // (FanOut__Platform__PerInstanceConcurrency), and the job narrows its tree to them (its root and one chunk at a
        // time), so it finishes however few they are. (Before the slot budget, its dispatcher's chunks met the host's 429s.)
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), hostJson: Tight);
        var jobId = NewJobId();
        using var started = await PostUntilHeldAsync(server, StartBody(jobId, Words(40), chunkSize: 2, waitSeconds: 0));
        var job = await WaitForFinishAsync(server, jobId);

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(40, job.GetProperty("items").GetProperty("processed").GetInt64());
        var chunks = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(20, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified));
    }

    // A client of a throttled instance retries its 429s, as curl --retry does.
    private static async Task<HttpResponseMessage> PostUntilHeldAsync(LocalHostServer server, JsonObject body)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await server.Client.PostAsJsonAsync("api/batch", body);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 50)
            {
                return response;
            }
            response.Dispose();
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> WaitForFinishAsync(LocalHostServer server, string jobId)
    {
        for (var poll = 0; poll < 600; poll++)
        {
            using var status = await server.Client.GetAsync($"api/batch/{jobId}");
            if (status.StatusCode == HttpStatusCode.OK)
            {
                var job = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.Clone();
                if (job.GetProperty("status").GetString() is "Succeeded" or "Failed" or "Incomplete")
                {
                    return job;
                }
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"job {jobId} did not finish within 2 minutes");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
