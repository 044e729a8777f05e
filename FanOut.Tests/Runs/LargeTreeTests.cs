using System.Diagnostics;
using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Tests.Support;
using Xunit.Abstractions;

namespace FanOut.Tests.Runs;

[Trait("Tier", "Orchestration")]
public sealed class LargeTreeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TenThousandChunks_AtTheDefaultWidth_CommitEachOnce_AndMergeTheOraclesResult()
    {
        await using var host = OrchestrationHost.Start();
        const int chunks = 10_000;
        var items = InlineJobs.Words(chunks, seed: 10_000);
        var body = InlineJobs.Start("large", "wordcount", items, chunkSize: 1);

        var clock = Stopwatch.StartNew();
        var reply = await host.PostAsync(body);
        clock.Stop();
        output.WriteLine($"{chunks} chunks at width {host.Dispatch.FanoutWidth} in process: {clock.ElapsedMilliseconds} ms "
                         + $"({host.Caller.Calls(BatchActions.Dispatch)} dispatch calls, {host.Caller.Calls(BatchActions.ProcessChunk)} process_chunk calls)");

        Assert.Equal(200, reply.Status);
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(chunks, reply.Number("chunks", "succeeded"));
        Assert.Equal(chunks, reply.Number("items", "processed"));
        Assert.Equal(DispatchTree.Levels(chunks, host.Dispatch.FanoutWidth), reply.Number("dispatchLevels"));
        var shape = DispatchTree.Shape(chunks, host.Dispatch.FanoutWidth);
        Assert.Equal(shape[..^1].Sum(), host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal(chunks, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, chunks), host.Ledger.CommittedChunks("large"));
        Assert.All(Enumerable.Range(0, chunks), chunk => Assert.Equal(1, host.Ledger.CommitCalls("large", chunk)));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(reply.At("result")));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task InlineItems_TravelInTheChunkCalls_EachLeafReadsItsChunksItemsOnce()
    {
        await using var host = OrchestrationHost.Start();
        const int chunks = 1_000;
        var items = InlineJobs.Words(chunks, seed: 1_000);

        var reply = await host.PostAsync(InlineJobs.Start("carried", "wordcount", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(reply.At("result")));
        // Ten leaves of 100 chunks: each reads its offsets and its chunks' lines, and no chunk reads storage (before: a
        // read per chunk, 1,010 in all).
        var leaves = DispatchTree.Shape(chunks, host.Dispatch.FanoutWidth)[^2];
        Assert.Equal(10, leaves);
        Assert.Equal(2 * leaves, host.Ledger.Calls(LedgerOperation.ReadInput));
        Assert.All(Enumerable.Range(0, chunks), chunk => Assert.Equal(1, host.Ledger.CommitCalls("carried", chunk)));
    }
}
