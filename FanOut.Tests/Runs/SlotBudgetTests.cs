using System.Globalization;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A job finishes on any slot budget: the platform gives the app B = (PerInstanceConcurrency − waiting callers)
/// × MaximumInstanceCount invocations, and the job's open invocations (its root, the dispatchers under it and its chunks,
/// counted together as the deliveries being handled at once) never exceed it, so it never waits on its own dispatchers.</summary>
[Trait("Tier", "Orchestration")]
public sealed class SlotBudgetTests
{
    [Theory]
    [InlineData(4, 1, 5_000, 0, 1)]     // one instance of 4 slots, no waiting callers: B = 4, L = 2 (root → 50 leaves → chunks)
    [InlineData(8, 1, 5_000, 0, 3)]     // B = 7
    [InlineData(16, 1, 5_000, 0, 6)]    // Flex's 16 slots on one instance, 3 waiting callers: B = 13
    [InlineData(16, 1, 60, 20, 12)]     // a tree of one level under its root: L = 1, S = B − 1; chunks that take a while pile up to S
    [InlineData(1000, 1, 5_000, 0, 32)] // a large budget: maxConcurrency (32) binds (the in-process app is one instance, whose
                                        // invocations that wait for others stay a slot below its own: WaitingInvocations)
    public async Task Job_OnASlotBudget_KeepsItsOpenInvocationsWithinIt_AndSucceeds(int perInstance, int instances, int chunks, int chunkWorkMs, int slots)
    {
        await using var host = OrchestrationHost.Start(settings: new Dictionary<string, string?>
        {
            ["FanOut:Platform:PerInstanceConcurrency"] = perInstance.ToString(CultureInfo.InvariantCulture),
            ["FanOut:Platform:MaximumInstanceCount"] = instances.ToString(CultureInfo.InvariantCulture),
        });
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(chunkWorkMs);
        var budget = new PlatformOptions { PerInstanceConcurrency = perInstance, MaximumInstanceCount = instances }.InvocationBudget;
        var items = InlineJobs.Words(chunks, seed: 61);
        var start = InlineJobs.Start("budgeted", "count", items, chunkSize: 1);

        var plan = await host.PostAsync(start.Replace("\"action\":\"start_fanout\"", "\"action\":\"start_fanout\",\"dryRun\":true", StringComparison.Ordinal));
        var reply = await host.PostAsync(start, TimeSpan.FromMinutes(2));

        Assert.Equal(slots, plan.At("concurrency").GetInt32());
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(chunks, reply.Number("chunks", "succeeded"));
        Assert.Equal(Enumerable.Range(0, chunks), host.Ledger.CommittedChunks("budgeted"));
        var levelsBelowRoot = plan.At("treeLevels").GetArrayLength() - 1;
        Assert.InRange(host.Caller.PeakOpen, 2, Math.Min(budget, 1 + slots * levelsBelowRoot));
        Assert.InRange(host.Caller.PeakInFlight(BatchActions.ProcessChunk), chunkWorkMs > 0 ? slots : 1, slots);
    }
}
