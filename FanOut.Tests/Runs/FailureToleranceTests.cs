using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A job is Succeeded when its failed share is within toleratedFailurePercent, else Failed; either way
/// its failures are listed (chunk, error, attempts) and its result merges the chunks that succeeded.</summary>
[Trait("Tier", "Orchestration")]
public sealed class FailureToleranceTests
{
    private static readonly int[] Broken = [3, 6]; // 2 of 10 chunks: 20 %

    [Theory]
    [InlineData(0, JobStatus.Failed)]
    [InlineData(19.9, JobStatus.Failed)]
    [InlineData(20, JobStatus.Succeeded)]
    [InlineData(50, JobStatus.Succeeded)]
    public async Task FailedShare_AgainstTheTolerance_DecidesTheStatus(double tolerated, JobStatus status)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 3, maxAttempts: 4);
        var items = InlineJobs.Words(20, seed: 5);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, Broken));

        var reply = await host.PostAsync(InlineJobs.Start("tolerance", "wordcount", items, chunkSize: 2, toleratedFailurePercent: tolerated));

        Assert.Equal(200, reply.Status);
        Assert.Equal(status, reply.JobStatus);
        Assert.Equal([10, 8, 2, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => reply.Number("chunks", n)));
        Assert.Equal([16L, 4L], new[] { "processed", "failed" }.Select(n => reply.Number("items", n)));
        Assert.Equal([(3, 4), (6, 4)], reply.Failures.Select(f => (f.Chunk, f.Attempts)));
        Assert.All(reply.Failures, f => Assert.Equal("HTTP 503: injected 503 for process_chunk", f.Error));
        Assert.Equal(10, host.Caller.Calls(BatchActions.ProcessChunk)); // one call a chunk, the broken ones of 4 attempts
        Assert.Equal(8, host.Caller.Deliveries(BatchActions.ProcessChunk)); // none of those attempts reached the endpoint
        var succeeded = Enumerable.Range(0, 10).Except(Broken);
        Assert.Equal(InlineJobs.WordCount(InlineJobs.ItemsOf(items, 2, succeeded)), InlineJobs.Canonical(reply.At("result")));
        Assert.Equal(Broken, host.Ledger.FailureRecords("tolerance"));
        Assert.Equal(new ChunkFailure(3, "HTTP 503: injected 503 for process_chunk", 4), host.Ledger.Failure("tolerance", 3));
    }

    [Theory]
    [InlineData(1, null, JobStatus.Failed)]
    [InlineData(2, null, JobStatus.Succeeded)]
    [InlineData(5, null, JobStatus.Succeeded)]
    [InlineData(2, 19.9, JobStatus.Failed)]   // the count holds, the share does not: either exceeded fails the job
    [InlineData(1, 50.0, JobStatus.Failed)]   // the share holds, the count does not
    [InlineData(2, 20.0, JobStatus.Succeeded)]
    public async Task FailedCount_AgainstTheToleratedCount_AndTheShareWhenBothAreGiven_DecidesTheStatus(int count, double? percent, JobStatus status)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 3, maxAttempts: 2);
        var items = InlineJobs.Words(20, seed: 5);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, Broken));

        var reply = await host.PostAsync(InlineJobs.Start("counted", "count", items, chunkSize: 2, toleratedFailurePercent: percent, toleratedFailureCount: count));

        Assert.Equal(status, reply.JobStatus);
        Assert.Equal([10, 8, 2, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => reply.Number("chunks", n)));
        Assert.Equal(Broken, reply.Failures.Select(f => f.Chunk));
    }

    [Fact]
    public async Task SucceededWithToleratedFailures_IsFinal_ResumeAnswersItAsItIs()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 3, maxAttempts: 2);
        var items = InlineJobs.Words(10, seed: 9);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, [1]));
        var tolerated = await host.PostAsync(InlineJobs.Start("final", "count", items, chunkSize: 1, toleratedFailurePercent: 10));
        host.Caller.ClearFaults();
        host.Caller.ResetCounts();

        var resumed = await host.PostAsync(InlineJobs.Resume("final"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.Canonical(tolerated.Body), InlineJobs.Canonical(resumed.Body));
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal([1], resumed.Failures.Select(f => f.Chunk));
    }

    [Theory]
    [InlineData(500, 3, "HTTP 500: injected 500 for process_chunk")]
    [InlineData(422, 1, "HTTP 422: injected 422 for process_chunk")] // not transient: one attempt
    [InlineData(0, 3, "HttpRequestException: injected: connection refused before the process_chunk call was sent.")] // 0: no answer
    public async Task FailureKinds_AreListedWithTheirErrorAndAttempts(int statusCode, int attempts, string error)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 3);
        var items = InlineJobs.Words(8, seed: 2);
        host.Caller.Inject(statusCode > 0
            ? CallFault.Status(BatchActions.ProcessChunk, statusCode, [5])
            : CallFault.Transport(BatchActions.ProcessChunk, [5]));

        var reply = await host.PostAsync(InlineJobs.Start("kinds", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Failed, reply.JobStatus);
        Assert.Equal([(5, error, attempts)], reply.Failures);
        Assert.Null(host.Ledger.Committed("kinds", 5));
    }

    [Fact]
    public async Task TransientFailuresWithinTheAttempts_AreRetried_AndLeaveNoFailure()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 3);
        var items = InlineJobs.Words(12, seed: 4);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [0, 5, 11], timesPerChunk: 2));
        // Cut after the endpoint committed: the retry is a duplicate delivery, answered from the ledger.
        host.Caller.Inject(CallFault.Transport(BatchActions.ProcessChunk, [7], timesPerChunk: 2, afterDelivery: true));

        var reply = await host.PostAsync(InlineJobs.Start("retried", "wordcount", items, chunkSize: 1));

        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Empty(reply.Failures);
        Assert.Empty(host.Ledger.FailureRecords("retried"));
        Assert.Equal(3, host.Ledger.CommitCalls("retried", 7)); // committed once, then found committed twice
        Assert.Equal(Enumerable.Range(0, 12), host.Ledger.CommittedChunks("retried"));
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(reply.At("result")));
    }

    [Fact]
    public async Task MoreThanAHundredFailures_TheFirstHundredAreListed_AllAreCounted()
    {
        await using var host = OrchestrationHost.Start(maxAttempts: 1);
        var items = InlineJobs.Words(250, seed: 11);
        var broken = Enumerable.Range(0, 250).Where(i => i % 2 == 1).ToList(); // 125 chunks
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, broken));

        var reply = await host.PostAsync(InlineJobs.Start("many", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Failed, reply.JobStatus);
        Assert.Equal(125, reply.Number("chunks", "failed"));
        Assert.Equal(broken.Take(LedgerSnapshot.MaxListedFailures), reply.Failures.Select(f => f.Chunk));
        Assert.Equal(broken, host.Ledger.FailureRecords("many"));
        Assert.Equal(InlineJobs.Count(InlineJobs.ItemsOf(items, 1, Enumerable.Range(0, 250).Except(broken))), InlineJobs.Canonical(reply.At("result")));
    }
}
