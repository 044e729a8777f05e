using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Tests.Support;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Runs;

/// <summary>Each dispatch level keeps a margin (5 % of its budget, at least 0.5 s) and gives the rest to the level below,
/// so a hop deadline must leave the deepest dispatchers MaxDepth allows some time, or their chunks are never sent.</summary>
[Trait("Tier", "Orchestration")]
public sealed class HopBudgetTests
{
    [Theory]
    [InlineData(2, 5)] // dispatchers at depth 4 would get 2 - 4 × 0.5 = 0 s
    [InlineData(2, 6)]
    [InlineData(5, 12)]
    public void HopTooShortForItsMaxDepth_IsRefusedAtStartUp(int hopDeadlineSeconds, int maxDepth)
    {
        var error = Assert.Throws<OptionsValidationException>(() => OrchestrationHost.Start(hopDeadlineSeconds: hopDeadlineSeconds, maxDepth: maxDepth));

        Assert.Contains("HopDeadlineSeconds", error.Message);
        Assert.Contains("MaxDepth", error.Message);
    }

    [Fact]
    public async Task HopJustLongEnoughForItsMaxDepth_TheDeepestDispatchersStillSendTheirChunks()
    {
        // Hop 2 s, MaxDepth 4: the dispatchers at depth 3 keep 0.5 s, and 8 chunks at width 2 reach them.
        await using var host = OrchestrationHost.Start(fanoutWidth: 2, hopDeadlineSeconds: 2, maxDepth: 4);
        var items = InlineJobs.Words(8, seed: 8);

        var reply = await host.PostAsync(InlineJobs.Start("deepest", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(DispatchTree.Levels(8, 2), reply.Number("dispatchLevels"));
        Assert.Equal(3, reply.Number("dispatchLevels"));
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(reply.At("result")));
    }
}
