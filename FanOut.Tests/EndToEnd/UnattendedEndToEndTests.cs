using System.Net;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A job that needs several hops finishes with the client only polling, through LocalHost, the real worker and
/// Azurite: the hop deadline is 6 s, each chunk takes a second (the server holds it), two at a time.</summary>
[Collection(StorageCollection.Name)]
public sealed class UnattendedEndToEndTests(AzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Chunks = 40;

    [Fact]
    public async Task JobNeedingSeveralHops_ClientOnlyPolls_Succeeds_EachChunkCommittedOnce_RunsNeverOverlap()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Dispatch:HopDeadlineSeconds"] = "6",
            ["FanOut:Dispatch:AttemptTimeoutSeconds"] = "5",
            ["FanOut:Dispatch:FanoutWidth"] = "10", // a tree: the root's children send the chunks
        }), chunkDelay: TimeSpan.FromSeconds(1));
        var jobId = NewJobId();
        var body = StartBody(jobId, Words(Chunks), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2);

        var started = await PostAsync(server, body);
        var polls = new List<JsonElement>();
        for (var until = DateTime.UtcNow + TimeSpan.FromMinutes(3); DateTime.UtcNow < until;)
        {
            await Task.Delay(250);
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            polls.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
            if (polls[^1].GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                break;
            }
        }
        var job = polls[^1];
        var roots = server.DispatchSpans.Where(s => s.IsRoot).OrderBy(s => s.Arrived).ToList();
        output.WriteLine($"{polls.Count} polls; {roots.Count} runs; {server.ProcessChunkRequests} process_chunk requests; {job}");

        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(Chunks, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(Chunks, job.GetProperty("items").GetProperty("processed").GetInt64());
        // Progress as the client saw it never went back, across the hand-overs.
        var seen = polls.Select(p => p.GetProperty("chunks").GetProperty("succeeded").GetInt32()).ToList();
        Assert.Equal(seen.Order(), seen);
        Assert.True(seen.Distinct().Count() >= 3, $"progress seen: {string.Join(",", seen)}");
        var committed = await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => $"jobs/{jobId}/chunks/{i:D6}.json"), committed.Select(b => b.Name));
        Assert.All(committed, blob => Assert.Equal(blob.Properties.CreatedOn, blob.Properties.LastModified)); // committed once
        // Each hop after the first started from what the run before handed it, not from a listing of the committed chunks.
        Assert.Single(await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/handover.json"));
        // At least three runs (hops), one after another: the next run sent nothing (no node, no chunk call) before every
        // node of the run before it had answered. Its root may arrive earlier: it waits for the run before to be quiet.
        Assert.True(roots.Count >= 3, $"{roots.Count} runs");
        Assert.Equal(roots.Count, roots.Select(r => r.RunId).Distinct().Count());
        for (var i = 1; i < roots.Count; i++)
        {
            var nodes = server.DispatchSpans.Where(s => !s.IsRoot && s.RunId == roots[i - 1].RunId).ToList();
            Assert.NotEmpty(nodes);
            var firstSent = FirstSent(server, roots[i].RunId);
            Assert.True(firstSent is null || nodes.Max(n => n.Answered) <= firstSent,
                $"run {i} answered its last node at {nodes.Max(n => n.Answered):O}, after run {i + 1} sent its first call at {firstSent:O}");
        }
    }

    private static DateTimeOffset? FirstSent(LocalHostServer server, string? runId) =>
        server.DispatchSpans.Where(s => !s.IsRoot && s.RunId == runId).Select(s => (DateTimeOffset?)s.Arrived)
            .Concat(server.ChunkSpans.Where(s => s.RunId == runId).Select(s => (DateTimeOffset?)s.Arrived))
            .Min();
}
