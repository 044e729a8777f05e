using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>resume sends process_chunk only for the chunks with no committed result, and ends where an
/// uninterrupted run of the same job ends.</summary>
[Trait("Tier", "Orchestration")]
public sealed class ResumeTests
{
    private static readonly int[] Broken = [2, 7, 8];

    [Fact]
    public async Task FailedJob_ResumedAfterTheFaultsAreGone_SendsOnlyItsUncommittedChunks_AndEndsAsAnUninterruptedRun()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 3);
        var items = InlineJobs.Words(24, seed: 7);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, Broken));

        var failed = await host.PostAsync(InlineJobs.Start("job", "wordcount", items, chunkSize: 2));

        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        Assert.Equal([12, 9, 3, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => failed.Number("chunks", n)));
        Assert.Equal(Broken, failed.Failures.Select(f => f.Chunk));
        Assert.Equal(Enumerable.Range(0, 12).Except(Broken), host.Ledger.CommittedChunks("job"));
        Assert.Equal(Broken, host.Ledger.FailureRecords("job"));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("job"));

        Assert.Equal(200, resumed.Status);
        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(Broken, host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(Broken.Length, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, 12), host.Ledger.CommittedChunks("job"));
        Assert.All(Enumerable.Range(0, 12), chunk => Assert.Equal(1, host.Ledger.CommitCalls("job", chunk)));
        Assert.Empty(resumed.Failures);

        var uninterrupted = await host.PostAsync(InlineJobs.Start("clean", "wordcount", items, chunkSize: 2));
        Assert.Equal(InlineJobs.Canonical(uninterrupted.At("result")), InlineJobs.Canonical(resumed.At("result")));
        Assert.Equal(InlineJobs.Canonical(uninterrupted.At("chunks")), InlineJobs.Canonical(resumed.At("chunks")));
        Assert.Equal(InlineJobs.Canonical(uninterrupted.At("items")), InlineJobs.Canonical(resumed.At("items")));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task ResumeOfAFinishedJob_SendsNothing_AndAnswersItsResult()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(10);
        var finished = await host.PostAsync(InlineJobs.Start("done", "count", items, chunkSize: 1));
        host.Caller.ResetCounts();

        var resumed = await host.PostAsync(InlineJobs.Resume("done"));

        Assert.Equal(InlineJobs.Canonical(finished.Body), InlineJobs.Canonical(resumed.Body));
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(1, host.Caller.Calls(BatchActions.Dispatch)); // the hand-off; the root answers the stored result
    }

    [Fact]
    public async Task SameStartAgain_IsTheSameJob_AndSendsOnlyWhatIsUncommitted()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 2);
        var items = InlineJobs.Words(9, seed: 3);
        var start = InlineJobs.Start("again", "count", items, chunkSize: 1);
        host.Caller.Inject(CallFault.Transport(BatchActions.ProcessChunk, [4]));
        var failed = await host.PostAsync(start);
        Assert.Equal([(4, 2)], failed.Failures.Select(f => (f.Chunk, f.Attempts)));
        host.Caller.ClearFaults();
        host.Caller.ResetCounts();

        var again = await host.PostAsync(start);

        Assert.Equal(JobStatus.Succeeded, again.JobStatus);
        Assert.Equal([4], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(again.At("result")));
    }
}
