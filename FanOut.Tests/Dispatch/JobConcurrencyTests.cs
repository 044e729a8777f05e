using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Core.Runs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Dispatch;

/// <summary>maxConcurrency is the job's: however deep its tree, no more than that many chunks are in flight at once,
/// and with enough work exactly that many; the dispatchers waiting on them are bounded by it level by level.</summary>
[Trait("Tier", "Orchestration")]
public sealed class JobConcurrencyTests
{
    [Theory]
    [InlineData(200, 3, 5)]      // five levels
    [InlineData(64, 2, 4)]       // six levels, as many slots as some nodes have children
    [InlineData(600, 4, null)]   // five levels at the default maxConcurrency (FanOut__Dispatch__MaxConcurrency, 32)
    [InlineData(30, 4, 7)]       // slots that do not divide evenly
    public async Task ChunksInFlightAcrossTheTree_PeakAtMaxConcurrency_NeverAbove(int chunks, int width, int? maxConcurrency)
    {
        var levels = DispatchTree.Levels(chunks, width);
        await using var host = OrchestrationHost.Start(fanoutWidth: width, maxDepth: levels + 1);
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(20);
        var items = InlineJobs.Words(chunks, seed: 41);

        var reply = await host.PostAsync(InlineJobs.Start("budget", "count", items, chunkSize: 1, maxConcurrency: maxConcurrency));

        var budget = maxConcurrency ?? 32;
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.True(levels >= 3, $"a tree of {levels} levels");
        Assert.Equal(levels, reply.At("dispatchLevels").GetInt32());
        Assert.Equal(Enumerable.Range(0, chunks), host.Ledger.CommittedChunks("budget"));
        Assert.Equal(Math.Min(budget, chunks), host.Caller.PeakInFlight(BatchActions.ProcessChunk));
        Assert.InRange(host.Caller.PeakInFlight(BatchActions.Dispatch), 1, 1 + budget * (levels - 1));
    }

    [Fact]
    public async Task ADeepTree_HoldsAFewDispatchersOpen_NotAChainPerChunkInFlight()
    {
        // 1,000 chunks, width 10: three levels, as 1,000,000 chunks at the default width of 100. 17 slots (what 4 Flex
        // instances' budget gives a three-level job): narrow lanes of one slot each held 1 + 10 + 17 = 28 dispatchers open.
        await using var host = OrchestrationHost.Start(fanoutWidth: 10, maxDepth: 4);
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(5);

        var reply = await host.PostAsync(InlineJobs.Start("deep", "count", InlineJobs.Words(1000, seed: 42), chunkSize: 1, maxConcurrency: 17));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(3, reply.At("dispatchLevels").GetInt32());
        Assert.Equal(17, host.Caller.PeakInFlight(BatchActions.ProcessChunk));
        // The root, two lanes under it, two under each of those.
        Assert.InRange(host.Caller.PeakInFlight(BatchActions.Dispatch), 3, 1 + 2 + 4);
    }

    [Theory]
    [InlineData(17, 100, 1_000_000L, new[] { 9, 8 })]         // the root of a million chunks: two wide lanes
    [InlineData(9, 100, 10_000L, new[] { 5, 4 })]             // under it: children of 100 chunks, shares of at most half
    [InlineData(400, 100, 10_000L, new[] { 50, 50, 50, 50, 50, 50, 50, 50 })] // slots to spare: shares of half a child
    [InlineData(7, 3, 30L, new[] { 4, 3 })]
    [InlineData(5, 100, 5L, new[] { 1, 1, 1, 1, 1 })]         // a chunk here and there (a resume): a lane per child
    [InlineData(32, 10, 20L, new[] { 4, 4, 3, 3, 3, 3, 3, 3, 3, 3 })] // a chunk or two per child: a lane per child
    [InlineData(1, 1, 1L, new[] { 1 })]
    public void Lanes_ShareTheSlotsExactly_InAFewWideLanes_NoneBelowOne(int slots, int children, long pending, int[] expected)
    {
        var lanes = NodeWork.Lanes(slots, children, pending);

        Assert.Equal(expected, lanes);
        Assert.Equal(slots, lanes.Sum());
    }
}
