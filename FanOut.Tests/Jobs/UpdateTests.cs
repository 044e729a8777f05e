using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary><c>update</c> changes a running job's concurrency level: every dispatcher of its tree follows it (a leaf's lanes
/// grow and shrink as its calls end, and once a second while they run), the status shows it, and the job's result is what
/// it would have been without the change. The chunks here stay in flight until the test lets them end (<see cref="ChunkGate"/>),
/// so the counts in flight are exact, with no clock.</summary>
[Trait("Tier", "Orchestration")]
public sealed class UpdateTests
{
    [Fact]
    public async Task ALeaf_UpdatedFrom2To16_Has16InFlight_NeverMore_ThenTo1_HasOne_AndEndsWithTheResultOfAJobLeftAlone()
    {
        await using var host = OrchestrationHost.Start();
        var gate = new ChunkGate();
        host.Caller.Gate = gate;
        var items = InlineJobs.Words(60, seed: 26);

        var running = host.PostAsync(InlineJobs.Start("live", "wordcount", items, chunkSize: 1, maxConcurrency: 2));
        await host.WaitUntilAsync(() => gate.Waiting == 2, "two chunks in flight, the job's maxConcurrency");
        Assert.Equal(2, (await host.StatusAsync("live")).Number("maxConcurrency"));

        var up = await host.PostAsync(Update("live", 16));

        Assert.Equal(200, up.Status);
        Assert.Equal(16, up.Number("maxConcurrency"));
        Assert.Equal(JobStatus.Pending, up.JobStatus); // no chunk has ended yet
        Assert.Equal(16, (await host.StatusAsync("live")).Number("maxConcurrency"));
        gate.Let(1); // a call ends: its lane finds the new level and starts the lanes it allows
        await host.WaitUntilAsync(() => gate.Waiting == 16, "16 chunks in flight after the update");
        Assert.Equal(16, host.Caller.InFlight(BatchActions.ProcessChunk));

        var down = await host.PostAsync(Update("live", 1));
        Assert.Equal(1, down.Number("maxConcurrency"));
        gate.Let(16); // every call in flight ends: the lanes above the level stop, one sends on
        // 17 answered (1 + 16), one sent on and held.
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 17 && gate.Waiting == 1 && host.Caller.InFlight(BatchActions.ProcessChunk) == 1,
            "17 chunks answered, one in flight after the update to 1");
        host.Caller.ResetPeaks();
        for (var answered = 17; answered < 22; answered++)
        {
            var ended = answered + 1;
            gate.Let(1);
            await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == ended && gate.Waiting == 1, $"chunk {ended} answered, the next held");
        }
        Assert.Equal(1, host.Caller.PeakInFlight(BatchActions.ProcessChunk));
        gate.Open();
        var updated = await running;

        Assert.Equal(JobStatus.Succeeded, updated.JobStatus);
        Assert.Equal(1, updated.Number("maxConcurrency"));
        Assert.Equal(1, (await host.StatusAsync("live")).Number("maxConcurrency"));
        Assert.Equal(60, host.Caller.Calls(BatchActions.ProcessChunk)); // each chunk sent once
        Assert.Equal(Enumerable.Range(0, 60), host.Ledger.CommittedChunks("live"));
        var alone = await host.PostAsync(InlineJobs.Start("alone", "wordcount", items, chunkSize: 1, maxConcurrency: 2));
        Assert.Equal(2, alone.Number("maxConcurrency"));
        Assert.Equal(alone.At("result").GetRawText(), updated.At("result").GetRawText());
        Assert.Equal(alone.At("chunks").GetRawText(), updated.At("chunks").GetRawText());
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(updated.At("result")));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task ATree_UpdatedFrom2To16_EachOpenLeafGrowsOnTheNextRefresh_16InFlight_NeverMore()
    {
        // 60 chunks at width 10: the root runs six leaves in two lanes of one slot each. At 16, each leaf's share is 8.
        await using var host = OrchestrationHost.Start(fanoutWidth: 10);
        var gate = new ChunkGate();
        host.Caller.Gate = gate;
        var items = InlineJobs.Words(60, seed: 27);

        var running = host.PostAsync(InlineJobs.Start("tree", "count", items, chunkSize: 1, maxConcurrency: 2));
        await host.WaitUntilAsync(() => gate.Waiting == 2, "two chunks in flight, one per open leaf");
        await host.PostAsync(Update("tree", 16));
        // No call ends: the leaves see the level on their once-a-second look (the clock moves only when the test moves it).
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await host.WaitUntilAsync(() => gate.Waiting == 16, "16 chunks in flight, 8 in each open leaf");
        gate.Open();
        var updated = await running;

        Assert.Equal(JobStatus.Succeeded, updated.JobStatus);
        Assert.Equal(2, updated.Number("dispatchLevels"));
        Assert.Equal(16, updated.Number("maxConcurrency"));
        Assert.Equal(16, host.Caller.PeakInFlight(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, 60), host.Ledger.CommittedChunks("tree"));
        Assert.Equal(60, host.Caller.Calls(BatchActions.ProcessChunk));
        var alone = await host.PostAsync(InlineJobs.Start("alone", "count", items, chunkSize: 1, maxConcurrency: 2));
        Assert.Equal(alone.At("result").GetRawText(), updated.At("result").GetRawText());
        Assert.Equal(alone.At("chunks").GetRawText(), updated.At("chunks").GetRawText());
    }

    [Fact]
    public async Task AnIncompleteJob_TakesTheLevel_ItsStatusShowsIt_AndItsResumeRunsAtIt()
    {
        // 40 chunks at width 25: two leaves, one slot each. Hop 20 s, one hop: chunks 5 and 30 never answer, and past the leaves'
        // deadline the job is Incomplete with 30 chunks pending.
        await using var host = OrchestrationHost.Start(fanoutWidth: 25, hopDeadlineSeconds: 20, maxHops: 1);
        var items = InlineJobs.Words(40, seed: 28);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [5, 30]));
        var starting = host.PostAsync(InlineJobs.Start("later", "wordcount", items, chunkSize: 1, maxConcurrency: 2));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 10 && host.Caller.Held == 2, "10 chunks answered, 2 held");
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        Assert.Equal(JobStatus.Incomplete, (await starting).JobStatus);
        host.Caller.ClearFaults();
        await host.Caller.WhenIdleAsync();

        var updated = await host.PostAsync(Update("later", 8));

        Assert.Equal(200, updated.Status);
        Assert.Equal(JobStatus.Incomplete, updated.JobStatus);
        Assert.Equal(8, updated.Number("maxConcurrency"));
        Assert.Equal(8, (await host.StatusAsync("later")).Number("maxConcurrency"));
        host.Caller.ResetCounts();
        host.Caller.ResetPeaks();
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(20);
        var resumed = await host.PostAsync(InlineJobs.Resume("later"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(8, resumed.Number("maxConcurrency"));
        Assert.Equal(8, host.Caller.PeakInFlight(BatchActions.ProcessChunk)); // the two leaves' shares of 1, scaled to 4 each
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
    }

    [Theory]
    [InlineData("""{"action":"update","jobId":"held"}""", "maxConcurrency")]
    [InlineData("""{"action":"update","jobId":"held","maxConcurrency":0}""", "maxConcurrency")]
    [InlineData("""{"action":"update","jobId":"held","maxConcurrency":33}""", "maxConcurrency")] // FanOut__Dispatch__MaxConcurrency: 32
    [InlineData("""{"action":"update","jobId":"held","maxConcurrency":"auto"}""", "maxConcurrency")]
    [InlineData("""{"action":"update","jobId":"held","maxConcurrency":2.5}""", "maxConcurrency")]
    [InlineData("""{"action":"update","jobId":"held","maxConcurency":4}""", "maxConcurency")]
    [InlineData("""{"action":"update","maxConcurrency":4}""", "jobId")]
    [InlineData("""{"action":"update","jobId":"no/such id","maxConcurrency":4}""", "jobId")]
    public async Task AnInvalidUpdate_Is400NamingTheField_AndWritesNothing(string body, string field)
    {
        await using var host = OrchestrationHost.Start();
        await host.StoreOnlyAsync(InlineJobs.Start("held", "count", InlineJobs.Words(4, seed: 29), chunkSize: 1, maxConcurrency: 3));
        var before = host.Ledger.Names("jobs/held/");

        var refused = await host.PostAsync(body);

        Assert.Equal(400, refused.Status);
        Assert.True(refused.At("errors").TryGetProperty(field, out _), refused.ToString());
        Assert.Equal(before, host.Ledger.Names("jobs/held/"));
        Assert.Null(host.Ledger.Blob(LedgerPaths.Concurrency("held")));
        Assert.Equal(3, (await host.StatusAsync("held")).Number("maxConcurrency"));
    }

    [Fact]
    public async Task AnUnknownJob_Is404()
    {
        await using var host = OrchestrationHost.Start();

        var refused = await host.PostAsync(Update("nobody", 4));

        Assert.Equal(404, refused.Status);
        Assert.Null(host.Ledger.Blob(LedgerPaths.Concurrency("nobody")));
    }

    [Fact]
    public async Task AJobThatEnded_Succeeded_OrCancelled_Is409_AndKeepsItsLevel()
    {
        await using var host = OrchestrationHost.Start();
        var done = await host.PostAsync(InlineJobs.Start("done", "count", InlineJobs.Words(3, seed: 30), chunkSize: 1, maxConcurrency: 2));
        Assert.Equal(JobStatus.Succeeded, done.JobStatus);
        await host.StoreOnlyAsync(InlineJobs.Start("stopped", "count", InlineJobs.Words(3, seed: 31), chunkSize: 1));
        Assert.Equal(JobStatus.Cancelled, (await host.PostAsync("""{"action":"cancel","jobId":"stopped"}""")).JobStatus);

        var succeeded = await host.PostAsync(Update("done", 8));
        var cancelled = await host.PostAsync(Update("stopped", 8));

        Assert.Equal([409, 409], new[] { succeeded.Status, cancelled.Status });
        Assert.Equal("urn:fanout:problem:job-ended", succeeded.At("type").GetString());
        Assert.Contains("has ended Succeeded", succeeded.At("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("has ended Cancelled", cancelled.At("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(host.Ledger.Blob(LedgerPaths.Concurrency("done")));
        Assert.Null(host.Ledger.Blob(LedgerPaths.Concurrency("stopped")));
        Assert.Equal(2, (await host.StatusAsync("done")).Number("maxConcurrency"));
    }

    private static string Update(string jobId, int maxConcurrency) =>
        $$"""{"action":"update","jobId":"{{jobId}}","maxConcurrency":{{maxConcurrency}}}""";
}
