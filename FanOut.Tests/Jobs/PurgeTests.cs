using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>DELETE /api/batch/{jobId}: every blob of the job goes, the manifest and the purge's own lease last; not while a run holds it, and no run starts while it works; a purge
/// cut short is finished by sending it again; afterwards the job is unknown and its id free. A cancel meeting a purge is refused, and leaves nothing behind.</summary>
[Trait("Tier", "Orchestration")]
public sealed class PurgeTests
{
    [Fact]
    public async Task PurgeOfAFinishedJob_RemovesEveryBlob_ThenItIsUnknown_AndItsIdStartsANewJob()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var done = await host.PostAsync(InlineJobs.Start("gone", "count", InlineJobs.Words(12, seed: 81), chunkSize: 2));
        Assert.Equal(JobStatus.Succeeded, done.JobStatus);
        var blobs = host.Ledger.Names(LedgerPaths.Job("gone")).Count; // its entry in the index of jobs goes too, uncounted (as in Blob Storage)

        var purged = await host.DeleteAsync("gone");

        Assert.Equal(200, purged.Status);
        Assert.Equal(blobs, purged.At("purgedBlobs").GetInt32());
        Assert.Empty(host.Ledger.Names(LedgerPaths.Job("gone")));
        Assert.Empty(host.Ledger.Names(LedgerPaths.Index));
        Assert.Equal(404, (await host.StatusAsync("gone")).Status);
        Assert.Equal(404, (await host.DeleteAsync("gone")).Status);
        var again = await host.PostAsync(InlineJobs.Start("gone", "wordcount", InlineJobs.Words(5, seed: 82), chunkSize: 1)); // another request, same id
        Assert.Equal(JobStatus.Succeeded, again.JobStatus);
    }

    [Fact]
    public async Task PurgeWhileARunHoldsTheJob_Is409_AndRemovesNothing()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        await host.StoreOnlyAsync(InlineJobs.Start("held", "count", InlineJobs.Words(8, seed: 83), chunkSize: 1));
        host.PlantDeadRun("held", "live-run", expiresIn: TimeSpan.FromSeconds(15)); // held for 15 s more
        var before = host.Ledger.Names(LedgerPaths.Job("held"));

        var refused = await host.DeleteAsync("held");

        Assert.Equal(409, refused.Status);
        Assert.Equal("urn:fanout:problem:job-running", refused.At("type").GetString());
        Assert.Equal(before, host.Ledger.Names(LedgerPaths.Job("held")));
    }

    [Fact]
    public async Task PurgeCutShortByStorage_Is503_KeepsTheManifest_AndFinishesWhenSentAgain()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        Assert.Equal(JobStatus.Succeeded, (await host.PostAsync(InlineJobs.Start("cut", "count", InlineJobs.Words(12, seed: 84), chunkSize: 2))).JobStatus);
        var blobs = host.Ledger.Names(LedgerPaths.Job("cut")).Count + 1; // and its entry in the index of jobs
        host.Ledger.Inject(new StorageFault(LedgerOperation.PurgeBlob, FromCall: 4));

        var cut = await host.DeleteAsync("cut");
        var left = host.Ledger.Names(LedgerPaths.Job("cut"));
        host.Ledger.ClearFaults();
        var finished = await host.DeleteAsync("cut");

        Assert.Equal(503, cut.Status);
        Assert.Equal(blobs - 3, left.Count); // the index entry went first
        Assert.Contains(LedgerPaths.Manifest("cut"), left);
        Assert.Equal(200, finished.Status);
        Assert.Equal(blobs - 3, finished.At("purgedBlobs").GetInt32());
        Assert.Empty(host.Ledger.Names(LedgerPaths.Job("cut")));
        Assert.Empty(host.Ledger.Names(LedgerPaths.Index));
        Assert.Equal(404, (await host.StatusAsync("cut")).Status);
    }

    [Fact]
    public async Task APurgeDoneBetweenARunReadingTheManifestAndTakingTheLease_LeavesThatRunNothingToSend_AndTheStartRunsItAfresh()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var body = InlineJobs.Start("between", "count", InlineJobs.Words(8, seed: 86), chunkSize: 1);
        await host.StoreOnlyAsync(body);
        var purged = 0;
        host.Ledger.BeforeCall = operation =>
        {
            // The run read the manifest and is about to take the lease: the whole purge happens now (its own lease included).
            if (operation == LedgerOperation.MarkDispatch && Interlocked.Exchange(ref purged, 1) == 0)
            {
                Assert.Equal(200, host.DeleteAsync("between").GetAwaiter().GetResult().Status);
            }
        };

        var answer = await host.PostAsync(body);

        // The run found the job gone and sent nothing; the start, whole, stored the job afresh and ran it once.
        Assert.Equal(1, purged);
        Assert.Equal(JobStatus.Succeeded, answer.JobStatus);
        Assert.Equal(8, answer.Number("items", "processed"));
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));
    }

    [Fact]
    public async Task ARunThatFoundTheJobGone_WhileAnIdenticalStartStoredItAgain_IsHandedOffAgain_NotAnsweredStoredSendResume()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 16); // one level: the job's run is the only dispatch call
        var body = InlineJobs.Start("again", "count", InlineJobs.Words(8, seed: 87), chunkSize: 1);
        // The job's run answers 404 (the job was purged under it) while a manifest of the job is there (an identical start
        // stored it again since): a start racing a purge and another start, as PurgeRaceEndToEndTests runs it for real.
        host.Caller.Inject(CallFault.Status(BatchActions.Dispatch, 404, timesPerChunk: 1));

        var answer = await host.PostAsync(body);

        Assert.Equal(JobStatus.Succeeded, answer.JobStatus);
        Assert.Equal(8, answer.Number("items", "processed"));
    }

    [Fact]
    public async Task APurge_HoldsTheJobsLeaseWhileItWorks_AndRemovesItLast()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        Assert.Equal(JobStatus.Succeeded, (await host.PostAsync(InlineJobs.Start("locked", "count", InlineJobs.Words(6, seed: 87), chunkSize: 2))).JobStatus);
        var leaseWhilePurging = new List<DispatchMarker?>();
        host.Ledger.BeforeCall = operation =>
        {
            if (operation == LedgerOperation.PurgeBlob)
            {
                leaseWhilePurging.Add(host.Ledger.DispatchMarkers("locked")[^1]);
            }
        };

        Assert.Equal(200, (await host.DeleteAsync("locked")).Status);

        Assert.NotEmpty(leaseWhilePurging);
        Assert.All(leaseWhilePurging, lease => Assert.True(lease is { Purging: true, EndedAt: null }, $"{lease}"));
        Assert.Empty(host.Ledger.Names(LedgerPaths.Job("locked")));
    }

    [Fact]
    public async Task CancelWhileAPurgeHoldsTheJob_Is409JobPurging_AtOnce_AndWritesNothing()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        await host.StoreOnlyAsync(InlineJobs.Start("purging", "count", InlineJobs.Words(8, seed: 88), chunkSize: 1));
        var now = host.Clock.GetUtcNow();
        host.Ledger.PlantDispatchMarker("purging", new DispatchMarker { RunId = "purge-1", Purging = true, StartedAt = now, ExpiresAt = now.AddSeconds(15) });
        var before = host.Ledger.Names(LedgerPaths.Job("purging"));

        var refused = await host.PostAsync(Cancel("purging", waitSeconds: 30)); // answered at once, not after waiting for a run

        Assert.Equal(409, refused.Status);
        Assert.Equal("urn:fanout:problem:job-purging", refused.At("type").GetString());
        Assert.Equal(before, host.Ledger.Names(LedgerPaths.Job("purging")));
        Assert.Equal(0, host.Ledger.Calls(LedgerOperation.WriteCancel));
    }

    [Fact]
    public async Task APurgeDoneWhileACancelIsWritten_LeavesNoCancelBehind_AndTheCancelIs409()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        await host.StoreOnlyAsync(InlineJobs.Start("racing", "count", InlineJobs.Words(8, seed: 89), chunkSize: 1));
        var purged = 0;
        host.Ledger.BeforeCall = operation =>
        {
            // The cancel found no purge, and is about to write: the whole purge happens now.
            if (operation == LedgerOperation.WriteCancel && Interlocked.Exchange(ref purged, 1) == 0)
            {
                Assert.Equal(200, host.DeleteAsync("racing").GetAwaiter().GetResult().Status);
            }
        };

        var refused = await host.PostAsync(Cancel("racing", waitSeconds: 30));

        Assert.Equal(1, purged);
        Assert.Equal(409, refused.Status);
        Assert.Equal("urn:fanout:problem:job-purging", refused.At("type").GetString());
        Assert.Empty(host.Ledger.Names(LedgerPaths.Job("racing"))); // no cancel.json, no result.json outliving the job
    }

    private static string Cancel(string jobId, int waitSeconds) => System.Text.Json.JsonSerializer.Serialize(new { action = "cancel", jobId, waitSeconds });
}
