using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Runs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A status read costs a bounded number of storage calls whatever the job's size: a running job's counts
/// come from its run's progress log (the root's base line, then each leaf's latest line), its failures from one
/// listing; a finished job's from its result. Both sizes below use a tree of three levels (FanoutWidth 16).</summary>
[Trait("Tier", "Orchestration")]
public sealed class StatusReadTests
{
    [Fact]
    public async Task StatusOfARunningJob_CostsTheSameStorageCallsAt300And4096Chunks_AndCountsEveryChunkSeenToAnEnd()
    {
        var small = await ReadWhileRunningAsync(300);
        var large = await ReadWhileRunningAsync(4096);

        Assert.Equal(small.Running, large.Running);
        Assert.InRange(large.Running, 1, 7); // manifest, result, lease, one progress log, the failures' listing, one failure, the level
        Assert.Equal(small.Finished, large.Finished);
        Assert.Equal(2, large.Finished); // manifest, result
    }

    [Fact]
    public async Task Resume_TriesFailedChunksAgain_TheyCountAsPendingUntilTheyEndAgain()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, maxAttempts: 2);
        var items = InlineJobs.Words(12, seed: 7);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [2, 9]));
        await PostAndAdvanceAsync(host, InlineJobs.Start("again", "wordcount", items, chunkSize: 1));
        Assert.Equal(JobStatus.Failed, (await host.StatusAsync("again")).JobStatus);
        Assert.Equal([2, 9], host.Ledger.FailureRecords("again"));

        host.Caller.ClearFaults();
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [9])); // chunk 2 succeeds, chunk 9 is held
        var resuming = host.PostAsync(InlineJobs.Resume("again"));
        await host.WaitUntilAsync(() => host.Caller.Held == 1 && host.Ledger.Committed("again", 2) is not null, "chunk 2 committed, chunk 9 held");
        var status = await StatusWhenAsync(host, "again", s => s.Number("chunks", "succeeded") == 11);

        Assert.Equal(JobStatus.Running, status.JobStatus);
        Assert.Equal([12, 11, 0, 1], new[] { "total", "succeeded", "failed", "pending" }.Select(n => status.Number("chunks", n)));
        Assert.Equal(0, status.At("failures").GetArrayLength());
        Assert.Empty(host.Ledger.FailureRecords("again"));
        host.Caller.ClearFaults();
        await host.AdvanceUntilIdleAsync(resuming, maxSeconds: 120);
        await resuming; // 200, or 202 when the job went on past the call's wait: the status tells
        Assert.Equal(JobStatus.Succeeded, (await host.StatusAsync("again")).JobStatus);
    }

    private static async Task<(int Running, int Finished)> ReadWhileRunningAsync(int chunks)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 16, hopDeadlineSeconds: 20, maxAttempts: 2);
        var items = InlineJobs.Words(chunks, seed: chunks);
        host.Caller.Inject(CallFault.Drop(BatchActions.ProcessChunk, [15]));       // held (its leaf's last): the job keeps running
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [3])); // fails both attempts
        var starting = host.PostAsync(InlineJobs.Start("status", "count", items, chunkSize: 1));
        JobReply status;
        int running;
        try
        {
            await host.WaitUntilAsync(() => host.Caller.Held == 1 && host.Ledger.CommittedChunks("status").Count == chunks - 2
                                             && host.Ledger.Failure("status", 3) is not null, "every chunk but two committed, one failed, one held");
            await StatusWhenAsync(host, "status", s => s.Number("chunks", "succeeded") == chunks - 2);
            var before = host.Ledger.TotalCalls;
            status = await host.StatusAsync("status");
            running = host.Ledger.TotalCalls - before;
        }
        finally
        {
            // Whatever the test found, the job is let go and ends, so the host can stop.
            host.Caller.ClearFaults();
            await host.AdvanceUntilIdleAsync(starting, maxSeconds: 120);
        }

        Assert.Equal(JobStatus.Running, status.JobStatus);
        Assert.Equal([chunks, chunks - 2, 1, 1], new[] { "total", "succeeded", "failed", "pending" }.Select(n => status.Number("chunks", n)));
        Assert.Equal([chunks - 2, 1], new[] { "processed", "failed" }.Select(n => status.Number("items", n)));
        Assert.Equal(3, Assert.Single(status.Failures).Chunk);
        // The next hop tried the held chunk and the failed one again, with the faults cleared.
        var after = host.Ledger.TotalCalls;
        var finished = await host.StatusAsync("status");
        Assert.Equal(JobStatus.Succeeded, finished.JobStatus);
        Assert.Equal([chunks, chunks, 0, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => finished.Number("chunks", n)));
        return (running, host.Ledger.TotalCalls - after);
    }

    // The leaf whose chunk is held writes its line every LeafProgress.Every while it works: the clock moves by that.
    private static async Task<JobReply> StatusWhenAsync(OrchestrationHost host, string jobId, Func<JobReply, bool> condition)
    {
        JobReply status = await host.StatusAsync(jobId);
        for (var tick = 0; tick < 50 && !condition(status); tick++)
        {
            host.Clock.Advance(LeafProgress.Every);
            await Task.Delay(20);
            status = await host.StatusAsync(jobId);
        }
        Assert.True(condition(status), $"The status never came to what the test waited for: {status}");
        return status;
    }

    private static async Task<JobReply> PostAndAdvanceAsync(OrchestrationHost host, string body)
    {
        var posting = host.PostAsync(body);
        await host.AdvanceUntilIdleAsync(posting, maxSeconds: 120);
        return await posting;
    }
}
