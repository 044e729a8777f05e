using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>Who may answer for a job: only the run that holds its lease writes the result, and a job whose run is gone
/// (its lease lapsed with no result: the process died) reads Incomplete, so a poller knows to resume.</summary>
[Trait("Tier", "Orchestration")]
public sealed class RunOwnershipTests
{
    [Fact]
    public async Task RunThatLostTheJobToAnotherRun_WritesNoResult_AndAnswersTheStatus()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 61);
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, TimeSpan.FromSeconds(3), [6])); // the run stalls on chunk 6
        var starting = host.PostAsync(InlineJobs.Start("taken", "count", items, chunkSize: 1));
        await host.WaitUntilAsync(() => host.Caller.Answered(BatchActions.ProcessChunk) == 7 && host.Caller.Held == 1, "7 chunks answered, 1 late");
        // Meanwhile its lease lapsed and another run took the job over (as after a stall longer than a term).
        var now = host.Clock.GetUtcNow();
        host.Ledger.PlantDispatchMarker("taken", new DispatchMarker { RunId = "newer-run", StartedAt = now, ExpiresAt = now.AddSeconds(60) });

        host.Clock.Advance(TimeSpan.FromSeconds(3));
        await host.Caller.WhenIdleAsync();
        // The caller waits for the job's end (newer-run carries it) as long as it asked to, then answers its status.
        await host.AdvanceUntilIdleAsync(starting);
        var answer = await starting;

        Assert.Equal(8, host.Ledger.CommittedChunks("taken").Count);
        Assert.Null(host.Ledger.Result("taken"));
        Assert.Equal(0, host.Ledger.Calls(LedgerOperation.WriteResult));
        Assert.Equal(JobStatus.Pending, (await host.StatusAsync("taken")).JobStatus); // newer-run holds it, and has counted nothing yet
        Assert.Equal(202, answer.Status);
    }

    [Fact]
    public async Task JobWhoseRunDied_ReadsRunningWhileItsLeaseHolds_ThenIncomplete_AndResumeFinishesIt()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 62);
        await host.StoreOnlyAsync(InlineJobs.Start("orphaned", "count", items, chunkSize: 1));
        // A run took the job, counted 3 chunks committed before it, and died: its lease runs out in 8 s and is never renewed.
        host.PlantDeadRun("orphaned", "dead-run", expiresIn: TimeSpan.FromSeconds(8), startedAgo: TimeSpan.FromSeconds(7));
        await host.Ledger.Runs.AppendProgressAsync("orphaned", "dead-run", new ProgressLine { Base = true, Succeeded = 3, Items = 3 });

        var whileHeld = await host.StatusAsync("orphaned");
        host.Clock.Advance(TimeSpan.FromSeconds(8));
        var afterwards = await host.StatusAsync("orphaned");
        var resumed = await host.PostAsync(InlineJobs.Resume("orphaned"));

        Assert.Equal(JobStatus.Running, whileHeld.JobStatus);
        Assert.Equal(JobStatus.Incomplete, afterwards.JobStatus);
        Assert.Equal([8, 3, 0, 5], new[] { "total", "succeeded", "failed", "pending" }.Select(n => afterwards.Number("chunks", n)));
        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
    }
}
