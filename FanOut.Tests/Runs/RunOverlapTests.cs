using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>Two runs of one job never overlap: a run's calls are over before the next run of the job sends anything. The
/// calls of a run can outlive its root in two ways, both seen under CPU starvation, and each is closed here: a call that
/// reaches its receiver after its run's deadline (queued on its way in, or its receiver starved) is refused, nothing
/// processed; and a run whose root stopped hearing from a node (the node may still be sending) holds the next run back
/// until its deadline has passed. Hop deadline 20 s: a root stops at 19 s, a node it calls at once at 18.05 s.</summary>
[Trait("Tier", "Orchestration")]
public sealed class RunOverlapTests
{
    [Fact]
    public async Task ChunkCallReadAfterItsRunsDeadline_WhileTheNextHopHoldsTheJob_IsRefused_NotProcessedBesideIt()
    {
        await using var host = OrchestrationHost.Start(hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(4, seed: 61);
        // Hop 1 sends chunk 3 at once, but the call reaches its receiver 25 s later: long after hop 1 gave up on it at its
        // deadline (19 s) and handed the job to hop 2, which sent chunk 3 again and committed it.
        host.Caller.Inject(CallFault.Queued(BatchActions.ProcessChunk, TimeSpan.FromSeconds(25), [3], timesPerChunk: 1));

        var starting = host.PostAsync(InlineJobs.Start("queued", "wordcount", items, chunkSize: 1));
        await host.AdvanceUntilIdleAsync(starting);
        await starting;
        var finished = await host.StatusAsync("queued");

        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(finished.At("result")));
        Assert.Equal([1, 2], Leases.Taken(host.Ledger.DispatchMarkers("queued")).Select(m => m.Hop));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("queued"));
        Assert.Equal(2, host.Caller.Deliveries(BatchActions.ProcessChunk) - 3); // chunk 3 reached a receiver twice ...
        Assert.All(Enumerable.Range(0, 4), chunk => Assert.Equal(1, host.Ledger.CommitCalls("queued", chunk))); // ... and was processed once
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task NodeStillSendingAfterItsRootStoppedHearingFromIt_TheNextRunSendsNothingUntilTheRunsDeadline()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 2, hopDeadlineSeconds: 20, maxAttempts: 1);
        var items = InlineJobs.Words(4, seed: 62);
        // The root's call to the node of chunks 2-3 is cut at once while the node runs on; the node's chunk 2 is answered
        // 5 s late, so the node, one chunk at a time, sends chunk 3 at 5 s: in its time, but after its root, which saw the
        // node fail, ended the run Incomplete and let the job go.
        host.Caller.Inject(CallFault.CutWhileRunning(BatchActions.Dispatch, [2], timesPerChunk: 1));
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(5), [2]));

        var first = await host.PostAsync(InlineJobs.Start("cut", "wordcount", items, chunkSize: 1, maxConcurrency: 2));
        await host.WaitUntilAsync(() => host.Caller.Held == 1, "the cut node's chunk 2 answered late");
        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resuming = host.PostAsync(InlineJobs.Resume("cut"));
        await host.AdvanceUntilIdleAsync(resuming);
        await resuming;
        var resumed = await host.StatusAsync("cut");

        Assert.Equal(JobStatus.Incomplete, first.JobStatus);
        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
        // The only chunk sent after the resume is the first run's chunk 3: the resumed run waited for the first run's
        // deadline, then found every chunk committed; no chunk was sent by two runs at once, nor processed twice.
        Assert.Equal([3], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(1, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.All(Enumerable.Range(0, 4), chunk => Assert.Equal(1, host.Ledger.CommitCalls("cut", chunk)));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("cut"));
        Assert.Empty(host.Caller.ServerErrors);
    }
}
