using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A hop starts from what the run before it handed over (<c>jobs/{id}/handover.json</c>: the chunks it left open,
/// and its counts), not from a listing of every committed chunk: only the first run of a chain lists them. Hop deadline
/// 20 s: the leaves stop at 18.05 s, the root hands over at 19 s.</summary>
[Trait("Tier", "Orchestration")]
public sealed class HandOverTests
{
    [Fact]
    public async Task EachHop_StartsFromTheOpenChunksItWasHanded_OnlyTheFirstRunListsTheCommittedChunks()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(12, seed: 51);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [5, 9]));

        var starting = host.PostAsync(InlineJobs.Start("handed", "wordcount", items, chunkSize: 1));
        await Hops.HeldAsync(host, "handed", 1, answered: 10);
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await Hops.HeldAsync(host, "handed", 2, answered: 10);
        var toHop2 = HandOver(host, "handed");
        var hop2Base = await host.StatusAsync("handed");
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await Hops.HeldAsync(host, "handed", 3, answered: 10);
        var toHop3 = HandOver(host, "handed");
        host.Caller.ClearFaults();
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await starting;
        await host.AdvanceUntilIdleAsync();
        var finished = await host.StatusAsync("handed");

        var runs = Leases.Taken(host.Ledger.DispatchMarkers("handed"));
        Assert.Equal([1, 2, 3, 4], runs.Select(m => m.Hop));
        Assert.Equal(runs[1].RunId, toHop2.RunId);
        Assert.Equal(runs[2].RunId, toHop3.RunId);
        Assert.All(new[] { toHop2, toHop3 }, handOver =>
        {
            Assert.Equal([new ChunkSpan(5, 1), new ChunkSpan(9, 1)], handOver.Pending);
            Assert.Equal(handOver.Pending, handOver.Unsure); // sent, and never answered
            Assert.Equal(10, handOver.Succeeded);
            Assert.Equal(10, handOver.Items);
        });
        Assert.Equal(10, hop2Base.Number("chunks", "succeeded"));
        Assert.Equal(1, host.Ledger.Calls(LedgerOperation.ReadSnapshot)); // hop 1's start; hops 2 to 4 read their hand-over
        Assert.Equal(3, host.Ledger.Calls(LedgerOperation.ReadFailed));
        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal(12, finished.Number("chunks", "succeeded"));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(finished.At("result")));
        Assert.All(Enumerable.Range(0, 12), chunk => Assert.Equal(1, host.Ledger.CommitCalls("handed", chunk)));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task AChunkSentAndNotHeardFromBeforeTheDeadline_IsHandedOverUnsure_TheNextHopReadsItsCommit_AndDoesNotSendItAgain()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 52);
        // Chunk 6 is committed at once, but its answer comes 25 s later: its leaf gives up on it at its deadline. Chunk 2's call
        // is never delivered. Both were sent and not heard from: open, and unsure.
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(25), [6], timesPerChunk: 1));
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [2]));

        var starting = host.PostAsync(InlineJobs.Start("unsure", "count", items, chunkSize: 1));
        await Hops.HeldAsync(host, "unsure", 1, answered: 6);
        host.Caller.ClearFaults();
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await host.AdvanceUntilIdleAsync(starting);
        await starting;
        var finished = await host.StatusAsync("unsure");

        var handOver = HandOver(host, "unsure");
        Assert.Equal([new ChunkSpan(2, 1), new ChunkSpan(6, 1)], handOver.Pending);
        Assert.Equal(handOver.Pending, handOver.Unsure);
        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal([8, 8, 0, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => finished.Number("chunks", n)));
        Assert.Equal(8, finished.Number("items", "processed"));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(finished.At("result")));
        // Hop 2 read both: chunk 6 was committed (not sent again), chunk 2 was not (sent again).
        Assert.Equal(1, host.Caller.Calls(BatchActions.ProcessChunk, 6));
        Assert.Equal(2, host.Caller.Calls(BatchActions.ProcessChunk, 2));
        Assert.All(Enumerable.Range(0, 8), chunk => Assert.Equal(1, host.Ledger.CommitCalls("unsure", chunk)));
        Assert.Equal(1, host.Ledger.Calls(LedgerOperation.ReadSnapshot));
    }

    [Fact]
    public async Task AHandOverThatCannotBeWritten_TheNextHopListsTheCommittedChunks_AndFinishesTheJob()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 53);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [3]));
        host.Ledger.Inject(new StorageFault(LedgerOperation.WriteHandOver));

        var starting = host.PostAsync(InlineJobs.Start("unwritten", "count", items, chunkSize: 1));
        await Hops.HeldAsync(host, "unwritten", 1, dropped: 1, answered: 7);
        host.Caller.ClearFaults();
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await host.AdvanceUntilIdleAsync(starting);
        await starting;
        var finished = await host.StatusAsync("unwritten");

        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(finished.At("result")));
        Assert.Null(host.Ledger.Blob(LedgerPaths.HandOver("unwritten")));
        Assert.Equal(2, host.Ledger.Calls(LedgerOperation.ReadSnapshot)); // hop 2 listed, as a resume does
        Assert.Equal([3], host.Caller.ChunksCalled(BatchActions.ProcessChunk).Where(c => host.Caller.Calls(BatchActions.ProcessChunk, c) > 1));
        Assert.All(Enumerable.Range(0, 8), chunk => Assert.Equal(1, host.Ledger.CommitCalls("unwritten", chunk)));
    }

    [Theory]
    [InlineData("run-2", 100, true)]
    [InlineData("run-3", 100, false)] // names another run: a resume, or a hop that lost the job
    [InlineData("run-2", 20, false)] // runs past the job's chunks
    public void AHandOver_IsAStartOnlyForTheRunItNames_WithinTheJob(string runId, int chunkCount, bool isFor)
    {
        var handOver = new RunHandOver { RunId = "run-2", Succeeded = 70, Items = 700, Pending = [new(10, 5), new(20, 5)] };

        Assert.Equal(isFor, handOver.IsFor(runId, chunkCount));
    }

    [Fact]
    public void AHandOver_WithRunsOutOfOrderOrMoreChunksThanTheJob_IsNoStart()
    {
        Assert.False(new RunHandOver { RunId = "r", Pending = [new(20, 5), new(10, 5)] }.IsFor("r", 100));
        Assert.False(new RunHandOver { RunId = "r", Succeeded = 96, Pending = [new(10, 5)] }.IsFor("r", 100));
        Assert.False(new RunHandOver { RunId = "r", Pending = [new(10, 0)] }.IsFor("r", 100));
    }

    private static RunHandOver HandOver(OrchestrationHost host, string jobId) =>
        JsonSerializer.Deserialize(host.Ledger.Blob(LedgerPaths.HandOver(jobId))!.Content, LedgerJsonContext.Default.RunHandOver)!;
}
