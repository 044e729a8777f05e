using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>The cancel action's answers: a job no run holds ends Cancelled at once; again is harmless; a job that ended is
/// 409; an unknown one 404; resume runs what was left.</summary>
[Trait("Tier", "Orchestration")]
public sealed class CancelTests
{
    [Fact]
    public async Task CancelOfAStoredJobNoRunHolds_EndsItCancelledAtOnce_AgainIsHarmless_ResumeFinishesIt()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(12, seed: 71);
        await host.StoreOnlyAsync(InlineJobs.Start("stop", "wordcount", items, chunkSize: 1));

        var cancelled = await host.PostAsync(Cancel("stop"));
        var again = await host.PostAsync(Cancel("stop"));
        var status = await host.StatusAsync("stop");

        Assert.Equal(200, cancelled.Status);
        Assert.Equal(JobStatus.Cancelled, cancelled.JobStatus);
        Assert.Equal([12, 0, 0, 12], new[] { "total", "succeeded", "failed", "pending" }.Select(n => cancelled.Number("chunks", n)));
        Assert.Equal(cancelled.Body.ToString(), again.Body.ToString());
        Assert.Equal(JobStatus.Cancelled, status.JobStatus);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));

        var resumed = await host.PostAsync(InlineJobs.Resume("stop"));
        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(resumed.At("result")));
        Assert.Null(host.Ledger.Blob(LedgerPaths.Cancel("stop")));
    }

    [Fact]
    public async Task CancelOfAJobThatEnded_Is409_AndChangesNothing()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var done = await host.PostAsync(InlineJobs.Start("done", "count", InlineJobs.Words(8, seed: 72), chunkSize: 2));
        Assert.Equal(JobStatus.Succeeded, done.JobStatus);

        var refused = await host.PostAsync(Cancel("done"));

        Assert.Equal(409, refused.Status);
        Assert.Equal("urn:fanout:problem:job-ended", refused.At("type").GetString());
        Assert.Null(host.Ledger.Blob(LedgerPaths.Cancel("done")));
        Assert.Equal(done.Body.ToString(), (await host.StatusAsync("done")).Body.ToString());
    }

    [Fact]
    public async Task Cancel_WhenTheRunEndsTheJobBetweenItsReads_KeepsTheSucceededResult_AndIs409()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var done = await host.PostAsync(InlineJobs.Start("race", "count", InlineJobs.Words(8, seed: 73), chunkSize: 2));
        Assert.Equal(JobStatus.Succeeded, done.JobStatus);
        // The job as the cancel first reads it: no result yet, a run holding it...
        var result = host.Ledger.Blob(LedgerPaths.Result("race"));
        host.Ledger.Plant(LedgerPaths.Result("race"), null);
        host.PlantDeadRun("race", "run-1", expiresIn: TimeSpan.FromMinutes(1));
        // ...which, just before the cancel reads the job's lease, writes the job's result and lets the lease go.
        var ended = 0;
        host.Ledger.BeforeCall = operation =>
        {
            if (operation == LedgerOperation.ReadDispatchMarker && Interlocked.Exchange(ref ended, 1) == 0)
            {
                host.Ledger.Plant(LedgerPaths.Result("race"), result);
                host.PlantDeadRun("race", "run-1", expiresIn: TimeSpan.FromSeconds(-1));
            }
        };

        var refused = await host.PostAsync(Cancel("race"));

        Assert.Equal(1, ended);
        Assert.Equal(409, refused.Status);
        Assert.Equal("urn:fanout:problem:job-ended", refused.At("type").GetString());
        Assert.Equal(JobStatus.Succeeded, host.Ledger.Result("race")!.Status);
        Assert.Equal(done.Body.ToString(), (await host.StatusAsync("race")).Body.ToString());
    }

    [Theory]
    [InlineData("no-such-job", 404)]
    [InlineData("bad id", 400)]
    public async Task CancelOfAnUnknownOrInvalidJobId_IsAProblem(string jobId, int status)
    {
        await using var host = OrchestrationHost.Start();

        var refused = await host.PostAsync(Cancel(jobId));

        Assert.Equal(status, refused.Status);
        Assert.StartsWith("urn:fanout:problem:", refused.At("type").GetString());
    }

    [Fact]
    public async Task CancelWhileARunHoldsTheJob_StopsItsSending_TheRunEndsItCancelled_WithExactCounts()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(40, seed: 73);
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(2), [0])); // holds the first leaf's lane
        var starting = host.PostAsync(InlineJobs.Start("busy", "wordcount", items, chunkSize: 1, maxConcurrency: 1));
        await host.WaitUntilAsync(() => host.Caller.Held == 1, "chunk 0 processed, its answer late");

        var cancelling = host.PostAsync(Cancel("busy"));
        await host.AdvanceUntilIdleAsync(Task.WhenAll(cancelling, starting), maxSeconds: 60);
        var cancelled = await cancelling;

        Assert.Equal(JobStatus.Cancelled, cancelled.JobStatus);
        Assert.Equal([0], host.Caller.ChunksCalled(BatchActions.ProcessChunk)); // nothing sent after the cancel
        Assert.Equal([40, 1, 0, 39], new[] { "total", "succeeded", "failed", "pending" }.Select(n => cancelled.Number("chunks", n)));
        Assert.Equal([0], host.Ledger.CommittedChunks("busy"));
    }

    private static string Cancel(string jobId) => JsonSerializer.Serialize(new { action = "cancel", jobId });
}
