using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A run that meets a deadline with no hop left (MaxHops 1 here; see UnattendedJobTests for the chain of hops) ends Incomplete, with the chunks it did not see to an end pending and no
/// aggregate; resume finishes it with the oracle's result. The host's clock moves only when a test moves it, so
/// each test waits until every call but the held ones has been answered, then moves the clock past the deadline
/// it means and short of the others (see <see cref="HopDeadline"/>'s margin and JobHandOff's wait).</summary>
[Trait("Tier", "Orchestration")]
public sealed class DeadlineTests
{
    [Fact]
    public async Task DroppedChunks_PastTheLeavesDeadline_RunIsIncomplete_ResumeSendsOnlyThem()
    {
        // Hop 20 s: the root stops at 19 s (margin 1 s), the start_fanout hand-off at 19 s, each leaf (budget 19 s) at 18.05 s.
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, maxHops: 1);
        var items = InlineJobs.Words(12, seed: 12);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [5, 9]));

        var starting = host.PostAsync(InlineJobs.Start("leaves", "wordcount", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 10 && host.Caller.Held == 2, "10 chunks answered, 2 held");
        host.Clock.Advance(TimeSpan.FromSeconds(18.5));
        var incomplete = await starting;

        Assert.Equal(200, incomplete.Status);
        Assert.Equal(JobStatus.Incomplete, incomplete.JobStatus);
        Assert.Equal([12, 10, 0, 2], new[] { "total", "succeeded", "failed", "pending" }.Select(n => incomplete.Number("chunks", n)));
        Assert.False(incomplete.Body.TryGetProperty("result", out _), "an incomplete run has no aggregate");
        Assert.False(incomplete.Body.TryGetProperty("completedAt", out _));
        Assert.Equal(2, incomplete.Number("dispatchLevels"));
        Assert.Equal(JobStatus.Incomplete, (await host.StatusAsync("leaves")).JobStatus);
        Assert.Equal(Enumerable.Range(0, 12).Except([5, 9]), host.Ledger.CommittedChunks("leaves"));
        Assert.Empty(host.Ledger.FailureRecords("leaves")); // unfinished is not failed

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("leaves"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([5, 9], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task DroppedSubtree_PastTheRootsDeadline_ItsWholeRangeIsPending_ResumeSendsOnlyIt()
    {
        // Hop 40 s: the root stops at 38 s (margin 2 s), before the hand-off gives up at 39 s.
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 40, maxHops: 1);
        var items = InlineJobs.Words(12, seed: 13);
        host.Caller.Inject(CallFault.Drop(BatchActions.Dispatch, [4])); // the node of chunks 4..7

        var starting = host.PostAsync(InlineJobs.Start("subtree", "count", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.Dispatch) == 2 && host.Caller.Held == 1, "2 nodes answered, 1 held");
        host.Clock.Advance(TimeSpan.FromSeconds(38.5));
        var incomplete = await starting;

        Assert.Equal(JobStatus.Incomplete, incomplete.JobStatus);
        Assert.Equal([12, 8, 0, 4], new[] { "total", "succeeded", "failed", "pending" }.Select(n => incomplete.Number("chunks", n)));
        Assert.False(incomplete.Body.TryGetProperty("result", out _));
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        // The root never heard from that node, which may still be sending: the resumed run sends nothing before the first
        // run's deadline has passed (39 s: 38 s and a second for the clocks), so the clock is moved on for it.
        var resuming = host.PostAsync(InlineJobs.Resume("subtree"));
        await host.AdvanceUntilIdleAsync(resuming);
        var resumed = await resuming;

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([4, 5, 6, 7], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task LateAnswer_PastTheRootsDeadline_HandOffAnswers202_RunEndsIncomplete_ResumeFindsTheChunkCommitted()
    {
        // Hop 2 s: the hand-off stops waiting at 1 s, the root (a leaf: 4 chunks, width 4) at 1.5 s.
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 2, maxHops: 1);
        var items = InlineJobs.Words(4, seed: 14);
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(10), [3])); // processed at once, answered late

        var starting = host.PostAsync(InlineJobs.Start("late", "wordcount", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 3 && host.Caller.Held == 1, "3 chunks answered, 1 late");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var running = await starting;

        Assert.Equal(202, running.Status);
        Assert.Equal("/api/batch/late", running.Headers["Location"]);
        Assert.Equal(JobStatus.Running, running.JobStatus);

        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await host.Caller.WhenIdleAsync();
        var incomplete = await host.StatusAsync("late");

        Assert.Equal(JobStatus.Incomplete, incomplete.JobStatus);
        Assert.Equal([4, 3, 0, 1], new[] { "total", "succeeded", "failed", "pending" }.Select(n => incomplete.Number("chunks", n)));
        Assert.False(incomplete.Body.TryGetProperty("result", out _));
        Assert.Equal([0, 1, 2, 3], host.Ledger.CommittedChunks("late")); // the late chunk committed all the same

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("late"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(1, host.Ledger.CommitCalls("late", 3));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
    }
}
