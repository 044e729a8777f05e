using System.Text;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Chunks;

/// <summary>Delivery is at least once; the ledger makes it count once: concurrent runs of one job, a commit whose
/// every answer was lost, and a processor that writes output parts all end with each chunk committed (and each
/// part written) once, and with the result of an uninterrupted run.</summary>
[Trait("Tier", "Orchestration")]
public sealed class DuplicateDeliveryTests
{
    [Fact]
    public async Task TwoResumesOfOneJobAtOnce_OneRunHoldsTheJob_EachChunkCommittedOnce_AndTheyAgree()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(40, seed: 31);
        await host.StoreOnlyAsync(InlineJobs.Start("twice", "wordcount", items, chunkSize: 1));
        host.Caller.ResetCounts();

        // A run that finds the job held waits for the lease on the host's clock: once the holder let it go, it takes it,
        // finds the result, and ends.
        var both = Task.WhenAll(host.PostAsync(InlineJobs.Resume("twice")), host.PostAsync(InlineJobs.Resume("twice")));
        await host.AdvanceUntilIdleAsync(both);
        var runs = await both;

        // The run that holds the job answers its result; one that found it held answers 202 and its status so far.
        Assert.Contains(runs, run => run.JobStatus == JobStatus.Succeeded);
        Assert.All(runs.Where(run => run.Status != 202), run => Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(run.At("result"))));
        Assert.All(runs.Where(run => run.Status == 202), run => Assert.Contains(run.JobStatus, new JobStatus?[] { JobStatus.Pending, JobStatus.Running }));
        Assert.Equal(Enumerable.Range(0, 40), host.Ledger.CommittedChunks("twice"));
        Assert.All(Enumerable.Range(0, 40), chunk => Assert.Equal(1, host.Ledger.CommitCalls("twice", chunk)));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("twice"));
        Assert.Equal(JobStatus.Succeeded, host.Ledger.Result("twice")!.Status);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical((await host.StatusAsync("twice")).At("result")));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task CommitLandedButEveryAnswerWasLost_ChunkFailsThisRun_ResumeReadsItInsteadOfSendingIt()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 2);
        var items = InlineJobs.Words(8, seed: 32);
        host.Caller.Inject(CallFault.Transport(BatchActions.ProcessChunk, [3], timesPerChunk: 1, afterDelivery: true));
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 500, [3]));

        var failed = await host.PostAsync(InlineJobs.Start("lost", "count", items, chunkSize: 1));

        Assert.Equal(JobStatus.Failed, failed.JobStatus); // as far as this run could tell
        Assert.Equal([3], failed.Failures.Select(f => f.Chunk));
        Assert.NotNull(host.Ledger.Committed("lost", 3)); // but the ledger has it
        Assert.Equal(7, failed.Number("items", "processed"));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("lost"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Equal(1, host.Ledger.CommitCalls("lost", 3));
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task ProjectJob_ThroughDuplicatesFailuresAndResume_WritesEachPartOnceUnderTheOutputPrefix()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 3, maxAttempts: 2);
        var records = Enumerable.Range(0, 30).Select(i => new { id = i, kind = i % 3 == 0 ? "a" : "b", note = $"n{i}" }).ToList();
        var body = JsonSerializer.Serialize(new
        {
            action = "start_fanout", jobId = "parts", processor = "project", chunkSize = 4, items = records,
            options = new { fields = new[] { "id", "note" }, where = new { field = "kind", equals = "a" } },
        });
        host.Caller.Inject(CallFault.Transport(BatchActions.ProcessChunk, [2], timesPerChunk: 1, afterDelivery: true)); // a duplicate
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [5]));                                      // a failure

        var failed = await host.PostAsync(body);
        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        Assert.Equal(7, failed.At("output").GetProperty("parts").GetInt32());
        Assert.Equal(LedgerPaths.Outputs("parts"), failed.At("output").GetProperty("prefix").GetString());
        Assert.Equal(Enumerable.Range(0, 8).Except([5]).Select(chunk => LedgerPaths.Output("parts", chunk, "ndjson")),
            host.Ledger.Names(LedgerPaths.Outputs("parts"))); // the failed chunk has no part
        host.Caller.ClearFaults();
        var resumed = await host.PostAsync(InlineJobs.Resume("parts"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        var parts = Enumerable.Range(0, 8).Select(chunk => LedgerPaths.Output("parts", chunk, "ndjson")).ToList();
        Assert.Equal(8, resumed.At("output").GetProperty("parts").GetInt32());
        Assert.Equal(parts, host.Ledger.Names(LedgerPaths.Outputs("parts")));
        Assert.All(Enumerable.Range(0, 8), chunk =>
        {
            var expected = string.Concat(records.Skip(chunk * 4).Take(4).Where(r => r.kind == "a").Select(r => $"{{\"id\":{r.id},\"note\":\"{r.note}\"}}\n"));
            Assert.Equal(expected, Encoding.UTF8.GetString(host.Ledger.Blob(parts[chunk])!.Content));
            Assert.Equal(1, host.Ledger.CommitCalls("parts", chunk));
        });
        // Chunk 2's duplicate delivery found it committed (its 2nd read) and was answered from the ledger: one commit, one part.
        // (The resumed run reads it no more: chunks 0 to 2 were all committed, so it takes their range's recorded tally.)
        Assert.Equal(2, host.Ledger.ChunkReads("parts", 2)); // first delivery, duplicate delivery
        Assert.NotNull(host.Ledger.Blob(LedgerPaths.RangeTally("parts", 0, 3)));
        var expectedResult = JsonSerializer.SerializeToElement(new { records = 30L, emitted = 10L, invalid = 0L });
        Assert.Equal(InlineJobs.Canonical(expectedResult), InlineJobs.Canonical(resumed.At("result")));
    }
}
