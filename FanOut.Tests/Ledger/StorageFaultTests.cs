using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Planning;
using FanOut.Tests.Support;

namespace FanOut.Tests.Ledger;

/// <summary>A transient storage failure loses no chunk: the endpoint answers it 503 with Retry-After, the caller
/// sends the call again (a refusal, not a spent attempt), and what outlasts that leaves the chunk failed or
/// pending for resume, never committed twice or counted twice.</summary>
[Trait("Tier", "Orchestration")]
public sealed class StorageFaultTests
{
    [Fact]
    public async Task CommitRefusedOnce_ChunkIsSentAgain_AndCommittedOnce()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(10, seed: 21);
        host.Ledger.Inject(new StorageFault(LedgerOperation.CommitChunk, Chunk: 3));

        var reply = await host.PostAsync(InlineJobs.Start("refused", "wordcount", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Empty(reply.Failures);
        Assert.Equal(1, host.Ledger.InjectedFailures);
        Assert.Equal(2, host.Ledger.CommitCalls("refused", 3));
        Assert.Equal(11, host.Caller.Deliveries(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, 10), host.Ledger.CommittedChunks("refused"));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(reply.At("result")));
    }

    [Fact]
    public async Task CommitLandsButItsAnswerIsLost_TheRetryFindsItCommitted_AndItIsCountedOnce()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(10, seed: 22);
        host.Ledger.Inject(new StorageFault(LedgerOperation.CommitChunk, Chunk: 6, AfterWrite: true));

        var reply = await host.PostAsync(InlineJobs.Start("landed", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(2, host.Ledger.CommitCalls("landed", 6));
        Assert.Equal(10, reply.Number("items", "processed"));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(reply.At("result")));
    }

    [Fact]
    public async Task StorageDownLongerThanTheRetries_ChunkFailsThisRun_ResumeCommitsIt()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 3);
        var items = InlineJobs.Words(8, seed: 23);
        host.Ledger.Inject(new StorageFault(LedgerOperation.CommitChunk, Chunk: 2, Times: int.MaxValue));

        var failed = await host.PostAsync(InlineJobs.Start("outage", "wordcount", items, chunkSize: 1));

        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        var failure = Assert.Single(failed.Failures);
        Assert.Equal((2, 3), (failure.Chunk, failure.Attempts));
        Assert.Equal("HTTP 503: Blob Storage failed: injected fault in CommitChunk of chunk 2.", failure.Error);
        Assert.Equal(3 * BackPressureHandler.MaxRefusals, host.Ledger.CommitCalls("outage", 2)); // 50 refusals an attempt
        Assert.Null(host.Ledger.Committed("outage", 2));

        host.Ledger.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("outage"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([2], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task CommittedChunkUnreadableOnResume_RunIsIncomplete_NextResumeFinishes()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 2);
        var items = InlineJobs.Words(12, seed: 24);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, [1]));
        Assert.Equal(JobStatus.Failed, (await host.PostAsync(InlineJobs.Start("unread", "wordcount", items, chunkSize: 1))).JobStatus);
        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        host.Ledger.Inject(new StorageFault(LedgerOperation.ReadChunk, Chunk: 0));

        var incomplete = await host.PostAsync(InlineJobs.Resume("unread"));

        Assert.Equal(JobStatus.Incomplete, incomplete.JobStatus);
        Assert.Equal([12, 11, 0, 1], new[] { "total", "succeeded", "failed", "pending" }.Select(n => incomplete.Number("chunks", n)));
        Assert.False(incomplete.Body.TryGetProperty("result", out _));
        Assert.Equal([1], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(Enumerable.Range(0, 12), host.Ledger.CommittedChunks("unread")); // chunk 0 is safe in the ledger

        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("unread"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.All(Enumerable.Range(0, 12), chunk => Assert.Equal(1, host.Ledger.CommitCalls("unread", chunk)));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task SnapshotUnreadableAtTheRoot_TheRootIsSentAgain_AndTheRunGoesOn()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(20, seed: 25);
        host.Ledger.Inject(new StorageFault(LedgerOperation.ReadSnapshot));

        var reply = await host.PostAsync(InlineJobs.Start("snapshot", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        var dispatchers = DispatchTree.Shape(20, 4)[..^1].Sum();
        Assert.Equal(dispatchers, host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal(dispatchers + 1, host.Caller.Deliveries(BatchActions.Dispatch));
        Assert.Equal(3, host.Ledger.Calls(LedgerOperation.MarkDispatch)); // the lease, taken again by the root sent again, renewed before the result
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(reply.At("result")));
    }

    [Fact]
    public async Task InputUnreadableInALeaf_TheLeafIsSentAgain_AndNoChunkIsSentTwice()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(16, seed: 26);
        // The first read of the stored input is a leaf's read of its chunks' offsets (chunks read theirs only once sent);
        // a later one might be a chunk's own read.
        host.Ledger.Inject(new StorageFault(LedgerOperation.ReadInput, FromCall: 1));

        var reply = await host.PostAsync(InlineJobs.Start("input", "wordcount", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(5, host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal(6, host.Caller.Deliveries(BatchActions.Dispatch));
        Assert.Equal(16, host.Caller.Deliveries(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(reply.At("result")));
    }

    [Fact]
    public async Task FailureRecordUnwritable_TheRunStillListsIt_AndResumeStillSendsTheChunk()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 1);
        var items = InlineJobs.Words(6, seed: 27);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, [4]));
        host.Ledger.Inject(new StorageFault(LedgerOperation.RecordFailure, Chunk: 4));

        var failed = await host.PostAsync(InlineJobs.Start("unrecorded", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        Assert.Equal([4], failed.Failures.Select(f => f.Chunk));
        Assert.Empty(host.Ledger.FailureRecords("unrecorded"));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("unrecorded"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([4], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
    }
}
