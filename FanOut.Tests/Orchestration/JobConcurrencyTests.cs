using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Core.Runs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Orchestration;

/// <summary>maxConcurrency is the job's: however deep its tree, no more than that many chunks are in flight at once,
/// and with enough work exactly that many; the dispatchers waiting on them are bounded by it level by level.</summary>
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

    [Theory]
    [InlineData(32, 10, new[] { 4, 4, 3, 3, 3, 3, 3, 3, 3, 3 })]
    [InlineData(5, 100, new[] { 1, 1, 1, 1, 1 })]
    [InlineData(7, 3, new[] { 3, 2, 2 })]
    [InlineData(1, 1, new[] { 1 })]
    public void Lanes_ShareTheSlotsExactly_NoneBelowOne(int slots, int children, int[] expected)
    {
        var lanes = NodeWork.Lanes(slots, children);

        Assert.Equal(expected, lanes);
        Assert.Equal(slots, lanes.Sum());
    }
}
