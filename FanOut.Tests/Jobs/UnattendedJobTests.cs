using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>A job that needs many hops finishes with no resume: a root run that meets its deadline with chunks left
/// hands them to the next hop, up to MaxHops; one run holds the job at a time (its lease, the dispatch marker, renewed
/// every 5 s), and a resume or start that finds it held waits for it: it takes over a lease that expires (a run that
/// died), and once it sees the holder renew it, its caller waits for the job's end as the first caller does. Hop deadline 20 s: the root stops at 19 s, the leaves at 18.05 s;
/// each hop is one move of the host's clock past the leaves' deadline, once the hop's dropped chunks are held.</summary>
[Trait("Tier", "Orchestration")]
public sealed class UnattendedJobTests
{
    [Fact]
    public async Task JobNeedingThreeHops_FinishesWithTheClientOnlyPolling_EachChunkCommittedOnce_LeasesNeverOverlap()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(12, seed: 41);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [5, 9]));

        var starting = host.PostAsync(InlineJobs.Start("hops", "wordcount", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 10 && host.Caller.Held == 2, "hop 1: 10 chunks answered, 2 held");
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await Hops.HeldAsync(host, "hops", 2);
        host.Caller.ClearFaults();
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        var started = await starting;
        var finished = await PollUntilEndedAsync(host, "hops");

        Assert.Equal(202, started.Status);
        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(finished.At("result")));
        Assert.All(Enumerable.Range(0, 12), chunk => Assert.Equal(1, host.Ledger.CommitCalls("hops", chunk)));
        Assert.Equal([1, 2, 3], Leases.Taken(host.Ledger.DispatchMarkers("hops")).Select(m => m.Hop));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("hops"));
        Assert.Equal(3, host.Caller.Calls(BatchActions.ProcessChunk, 5)); // dropped twice, then sent by hop 3
        // Chunks 0 to 3 (a leaf's range) were all done in hop 1: hops 2 and 3 take the range's recorded tally and read none of
        // them; chunk 4's range was not done, so each later hop reads it to merge its range.
        Assert.All(Enumerable.Range(0, 4), chunk => Assert.Equal(0, host.Ledger.ChunkReads("hops", chunk)));
        Assert.Equal(2, host.Ledger.ChunkReads("hops", 4));
        Assert.NotNull(host.Ledger.Blob(LedgerPaths.RangeTally("hops", 0, 4)));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task MaxHopsReached_TheLastHopEndsIncomplete_ResumeStartsANewChainAndFinishes()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, maxHops: 2);
        var items = InlineJobs.Words(12, seed: 42);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [5, 9])); // a job that can never finish

        var starting = host.PostAsync(InlineJobs.Start("bounded", "wordcount", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 10 && host.Caller.Held == 2, "hop 1: 10 chunks answered, 2 held");
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        await Hops.HeldAsync(host, "bounded", 2);
        host.Clock.Advance(Hops.PastTheLeavesDeadline);
        Assert.Equal(202, (await starting).Status);
        var incomplete = await PollUntilEndedAsync(host, "bounded");

        Assert.Equal(JobStatus.Incomplete, incomplete.JobStatus);
        Assert.Equal([12, 10, 0, 2], new[] { "total", "succeeded", "failed", "pending" }.Select(n => incomplete.Number("chunks", n)));
        Assert.Equal([1, 2], Leases.Taken(host.Ledger.DispatchMarkers("bounded")).Select(m => m.Hop));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("bounded"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([5, 9], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.Equal([1, 2, 1], Leases.Taken(host.Ledger.DispatchMarkers("bounded")).Select(m => m.Hop));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("bounded"));
    }

    [Fact]
    public async Task ResumeAndStartAgain_WhileARunHoldsTheJob_WaitForTheJobsEnd_AndOnlyThatRunWalks()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(12, seed: 43);
        var start = InlineJobs.Start("held", "wordcount", items, chunkSize: 1);
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(12), [5])); // the holder ends the job 12 s on

        var starting = host.PostAsync(start);
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 11 && host.Caller.Held == 1, "11 chunks answered, 1 late");
        // Each one's run waits for the holder's lease until it sees the holder renew it (a heartbeat every 5 s), then its caller
        // waits for the job's end, as the first caller does, within its own waitSeconds.
        var (answers, waited) = await AdvanceUntilDoneAsync(host, Task.WhenAll(host.PostAsync(InlineJobs.Resume("held")), host.PostAsync(start), starting));

        Assert.InRange(waited, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(19));
        Assert.All(answers, answer => Assert.Equal(200, answer.Status));
        Assert.All(answers, answer => Assert.Equal(JobStatus.Succeeded, answer.JobStatus));
        Assert.All(answers, answer => Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(answer.At("result"))));
        Assert.Single(Leases.Taken(host.Ledger.DispatchMarkers("held")));
        Assert.Equal(1, host.Caller.Calls(BatchActions.ProcessChunk, 5));
        Assert.Equal(12, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.All(Enumerable.Range(0, 12), chunk => Assert.Equal(1, host.Ledger.CommitCalls("held", chunk)));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("held"));
    }

    [Fact]
    public async Task LeaseOfARunThatDied_ExpiresWithinItsTerm_TheNextResumeWaitsForIt_TakesItOver_AndFinishesTheJob()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 45);
        await host.StoreOnlyAsync(InlineJobs.Start("crashed", "count", items, chunkSize: 1));
        // The run died 7 s ago, right after renewing its lease: the lease has 8 s of its term left and is never renewed again.
        host.PlantDeadRun("crashed", "killed-run", expiresIn: TimeSpan.FromSeconds(8), startedAgo: TimeSpan.FromSeconds(60));

        var (resumed, waited) = await AdvanceUntilDoneAsync(host, host.PostAsync(InlineJobs.Resume("crashed")));

        Assert.Equal(200, resumed.Status);
        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.InRange(waited, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8) + TimeSpan.FromSeconds(3)); // within the lease's term, a poll or two after it expired
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));
        var taken = Assert.Single(Leases.Taken(host.Ledger.DispatchMarkers("crashed")));
        Assert.NotEqual("killed-run", taken.RunId);
    }

    [Fact]
    public async Task LeaseThatOutlastsTheWait_ResumeAnswers202_ThenTakesItOverOnceItExpired()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 44);
        await host.StoreOnlyAsync(InlineJobs.Start("died", "count", items, chunkSize: 1));
        // A lease far longer than a term (a marker written before leases were renewed): a root waits half its hop at most.
        host.PlantDeadRun("died", "dead-run", expiresIn: TimeSpan.FromSeconds(50));

        var (held, waited) = await AdvanceUntilDoneAsync(host, host.PostAsync(InlineJobs.Resume("died")));

        Assert.Equal(202, held.Status);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));

        host.Clock.Advance(TimeSpan.FromSeconds(50) - waited);
        var resumed = await host.PostAsync(InlineJobs.Resume("died"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));
        var taken = Assert.Single(Leases.Taken(host.Ledger.DispatchMarkers("died")));
        Assert.NotEqual("dead-run", taken.RunId);
    }

    // Moves the host's clock a second at a time (letting the runs poll and renew in between) until the task ends; answers
    // its result and how far the clock moved.
    private static async Task<(T Result, TimeSpan Advanced)> AdvanceUntilDoneAsync<T>(OrchestrationHost host, Task<T> task)
    {
        var advanced = TimeSpan.Zero;
        for (var step = 0; step < 120 && !task.IsCompleted; step++)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(100)));
            if (!task.IsCompleted)
            {
                host.Clock.Advance(TimeSpan.FromSeconds(1));
                advanced += TimeSpan.FromSeconds(1);
            }
        }
        return (await task, advanced);
    }

    // What a client does instead of resume: reads the job's status until it ends.
    private static async Task<JobReply> PollUntilEndedAsync(OrchestrationHost host, string jobId)
    {
        JobReply? status = null;
        await host.WaitUntilAsync(() =>
        {
            status = host.StatusAsync(jobId).GetAwaiter().GetResult();
            return status.JobStatus is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Incomplete;
        }, $"job {jobId} ended");
        return status!;
    }
}
