using System.Net;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Two runs of one job never overlap, even with the worker starved of CPU (a busy loop per core, the worker's
/// threads at nice 10): through LocalHost, the real worker and Azurite, a job that needs several hops (hop deadline 6 s,
/// each chunk held a second by the server, two at a time, so calls are in flight at every deadline) hands over from run
/// to run, and every chunk call a run had accepted arrived before the next run sent anything. A call that reached the
/// worker after its run's deadline is answered 410 and processed by nobody but the next run.</summary>
[Collection(StorageCollection.Name)]
public sealed class StarvedHandOverEndToEndTests(AzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Chunks = 20;

    // The whole test stays within a minute: the busy loops end by themselves after this, and the job must end before.
    private static readonly TimeSpan StarvedFor = TimeSpan.FromSeconds(50);
    private static readonly TimeSpan JobLimit = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task JobHandedOverUnderCpuStarvation_RunsNeverOverlap_EachChunkCommittedOnce()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Dispatch:HopDeadlineSeconds"] = "6",
            ["FanOut:Dispatch:AttemptTimeoutSeconds"] = "5",
            ["FanOut:Dispatch:FanoutWidth"] = "10", // a tree: the root's children send the chunks
        }), chunkDelay: TimeSpan.FromSeconds(1));
        // The worker's code paths compiled before it is starved, so that the starved job spends its time in hand-overs.
        var warm = await PostAsync(server, StartBody(NewJobId(), Words(4), chunkSize: 1, waitSeconds: 30));
        Assert.Equal("Succeeded", warm.Body.GetProperty("status").GetString());
        await server.QuietAsync();
        var (dispatchesBefore, chunksBefore) = (server.DispatchSpans.Count, server.ChunkSpans.Count);

        var jobId = NewJobId();
        JsonElement job;
        int reniced;
        await using (var starvation = CpuStarvation.Start(server.WorkerProcessId, StarvedFor))
        {
            var started = await PostAsync(server, StartBody(jobId, Words(Chunks), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2));
            Assert.Equal(HttpStatusCode.Accepted, started.Status);
            job = await PollUntilEndedAsync(server, jobId);
            reniced = starvation.Reniced;
        }
        await server.QuietAsync();
        var dispatches = server.DispatchSpans.Skip(dispatchesBefore).ToList();
        var chunkCalls = server.ChunkSpans.Skip(chunksBefore).ToList();
        var runs = dispatches.Where(s => s.IsRoot).OrderBy(s => s.Arrived).Select(s => s.RunId!).Distinct().ToList();
        output.WriteLine($"{reniced} worker threads at nice 10; {runs.Count} runs; {chunkCalls.Count} chunk calls "
                         + $"({chunkCalls.Count(c => c.StatusCode == 410)} refused late); {job}");

        Assert.True(reniced > 0, "the worker's threads were not lowered");
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(Chunks, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        var committed = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), committed.Select(b => b.Name));
        Assert.All(committed, blob => Assert.Equal(blob.Properties.CreatedOn, blob.Properties.LastModified)); // committed once
        Assert.True(runs.Count >= 2, $"{runs.Count} runs: no hand-over happened");
        // Every chunk call names the run that sent it, and belongs to one of the job's runs.
        Assert.All(chunkCalls, c => Assert.Contains(c.RunId, runs));
        for (var i = 1; i < runs.Count; i++)
        {
            // What run i-1 had accepted (processed, 200) arrived before run i sent its first call, node or chunk.
            var accepted = chunkCalls.Where(c => c.RunId == runs[i - 1] && c.StatusCode == 200).ToList();
            var sent = dispatches.Where(d => d.RunId == runs[i] && !d.IsRoot).Select(d => d.Arrived)
                .Concat(chunkCalls.Where(c => c.RunId == runs[i]).Select(c => c.Arrived)).ToList();
            if (accepted.Count == 0 || sent.Count == 0)
            {
                continue;
            }
            var last = accepted.MaxBy(c => c.Arrived)!;
            Assert.True(last.Arrived < sent.Min(),
                $"run {i} (of {runs.Count}) had chunk {last.Chunk} accepted, arrived at {last.Arrived:O}, after run {i + 1} sent its first call at {sent.Min():O}");
        }
    }

    private static async Task<JsonElement> PollUntilEndedAsync(LocalHostServer server, string jobId)
    {
        var status = default(JsonElement);
        for (var until = DateTime.UtcNow + JobLimit; DateTime.UtcNow < until;)
        {
            await Task.Delay(250);
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (status.GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                break;
            }
        }
        return status;
    }
}
