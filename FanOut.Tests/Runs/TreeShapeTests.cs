using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>Inline jobs through the real dispatch tree, in process: the tree the run walks is the one
/// <see cref="DispatchTree"/> plans, every chunk is committed once, and the merged result is the oracle's.</summary>
[Trait("Tier", "Orchestration")]
public sealed class TreeShapeTests
{
    [Theory]
    [InlineData(0, 5, 4, "count", null)]          // no chunks: the root alone
    [InlineData(7, 3, 4, "wordcount", null)]      // 3 chunks: one level
    [InlineData(16, 1, 4, "count", null)]         // exactly width²: two full levels
    [InlineData(17, 1, 4, "wordcount", null)]     // one past width²: a short last range, three levels
    [InlineData(40, 2, 4, "wordcount", null)]     // 20 chunks, three levels
    [InlineData(101, 1, 100, "count", null)]      // the default width, one chunk over
    [InlineData(50, 1, 3, "wordcount", 6)]        // width 3: four levels (MaxDepth raised to reach them)
    [InlineData(64, 1, 2, "count", 8)]            // width 2: six levels
    public async Task InlineJob_WalksThePlannedTree_CommitsEachChunkOnce_AndMergesTheOraclesResult(
        int itemCount, int chunkSize, int width, string processor, int? maxDepth)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: width, maxDepth: maxDepth);
        var items = InlineJobs.Words(itemCount, seed: itemCount);
        var chunks = (itemCount + chunkSize - 1) / chunkSize;

        var reply = await host.PostAsync(InlineJobs.Start("tree", processor, items, chunkSize));

        Assert.Equal(200, reply.Status);
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal([chunks, chunks, 0, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => (int)reply.Number("chunks", n)));
        Assert.Equal([itemCount, 0L], new[] { "processed", "failed" }.Select(n => reply.Number("items", n)));
        Assert.Equal(DispatchTree.Levels(chunks, width), reply.Number("dispatchLevels"));
        var shape = DispatchTree.Shape(chunks, width);
        Assert.Equal(shape[..^1].Sum(), host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal(shape[^1], host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, chunks), host.Ledger.CommittedChunks("tree"));
        Assert.All(Enumerable.Range(0, chunks), chunk => Assert.Equal(1, host.Ledger.CommitCalls("tree", chunk)));
        Assert.Equal(InlineJobs.Expected(processor, items), InlineJobs.Canonical(reply.At("result")));
        Assert.Empty(reply.Failures);
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task StoredResult_RoundTripsThroughTheLedgersJson_AndIsWhatStatusAnswers()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(30);

        var started = await host.PostAsync(InlineJobs.Start("stored", "wordcount", items, 2));
        var status = await host.StatusAsync("stored");

        Assert.Equal(200, status.Status);
        Assert.Equal(InlineJobs.Canonical(started.Body), InlineJobs.Canonical(status.Body));
        Assert.Equal(JobStatus.Succeeded, host.Ledger.Result("stored")!.Status);
        Assert.Equal(15, host.Ledger.Manifest("stored")!.ChunkCount);
        Assert.Equal(2, host.Ledger.Committed("stored", 7)!.Items);
    }

    [Fact]
    public async Task JobDeeperThanMaxDepthAllows_IsRefusedBeforeAnythingIsStoredOrSent()
    {
        // Width 2, MaxDepth 4: chunks arrive at depth 1 + levels, so at most 2³ = 8 chunks.
        await using var host = OrchestrationHost.Start(fanoutWidth: 2, maxDepth: 4);

        var fits = await host.PostAsync(InlineJobs.Start("fits", "count", InlineJobs.Words(8), chunkSize: 1));
        host.Caller.ResetCounts();
        var refused = await host.PostAsync(InlineJobs.Start("deeper", "count", InlineJobs.Words(9), chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, fits.JobStatus);
        Assert.Equal(400, refused.Status);
        Assert.Contains("more than its dispatch tree reaches: 8", refused.At("errors", "chunkSize")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(host.Ledger.Manifest("deeper"));
        Assert.Empty(host.Ledger.Names("jobs/deeper/"));
        Assert.Equal(0, host.Caller.Calls(BatchActions.Dispatch));
    }
}
