using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>Requests that race for one job: one run at a time (the job's lease), each chunk processed once in all,
/// one result written per finish, and a start that loses a job id to a different request leaves nothing behind.</summary>
[Trait("Tier", "Orchestration")]
public sealed class RaceTests
{
    private const int Racers = 20;

    [Fact]
    public async Task TwentyIdenticalStarts_AtOnce_AreOneJobAndOneRun_EachChunkProcessedOnce_OneResultWritten()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(40, seed: 51);
        var start = InlineJobs.Start("same", "wordcount", items, chunkSize: 1);

        var posts = Enumerable.Range(0, Racers).Select(_ => host.PostAsync(start)).ToList();
        await host.AdvanceUntilIdleAsync(Task.WhenAll(posts), maxSeconds: 120);
        var answers = await Task.WhenAll(posts);

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { 200, 202 }));
        await AssertOneRunOnceEachAsync(host, "same", items, chunks: 40, runs: 1);
    }

    [Fact]
    public async Task StartPostedAgainWhileItRuns_FiveTimes_StartsNoSecondRun_EachChunkProcessedOnce()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(20); // 40 chunks, 32 at a time: the job runs while it is posted again
        var items = InlineJobs.Words(40, seed: 52);
        var start = InlineJobs.Start("again", "wordcount", items, chunkSize: 1);

        var first = host.PostAsync(start);
        await host.WaitUntilAsync(() => host.Caller.Calls(BatchActions.ProcessChunk) > 0, "the first run sends chunks");
        var again = new List<Task<JobReply>>();
        for (var i = 0; i < 5; i++)
        {
            again.Add(host.PostAsync(start)); // the README's `curl --retry` pattern
            await Task.Delay(10);
        }
        await host.AdvanceUntilIdleAsync(Task.WhenAll(again.Append(first)), maxSeconds: 120);
        await Task.WhenAll(again.Append(first));

        await AssertOneRunOnceEachAsync(host, "again", items, chunks: 40, runs: 1);
    }

    [Fact]
    public async Task TwentyResumesOfAFailedJob_AtOnce_ProcessTheFailedChunksOnceInAll_AndWriteOneResult()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, maxAttempts: 2);
        var items = InlineJobs.Words(40, seed: 53);
        host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [3, 17, 38]));
        var failed = host.PostAsync(InlineJobs.Start("resumed", "wordcount", items, chunkSize: 1));
        await host.AdvanceUntilIdleAsync(failed, maxSeconds: 120);
        Assert.Equal(JobStatus.Failed, (await failed).JobStatus);
        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resultWrites = host.Ledger.Calls(LedgerOperation.WriteResult);

        var resumes = Enumerable.Range(0, Racers).Select(_ => host.PostAsync(InlineJobs.Resume("resumed"))).ToList();
        await host.AdvanceUntilIdleAsync(Task.WhenAll(resumes), maxSeconds: 120);
        await Task.WhenAll(resumes);

        Assert.Equal([3, 17, 38], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.All(new[] { 3, 17, 38 }, chunk => Assert.Equal(1, host.Caller.Calls(BatchActions.ProcessChunk, chunk)));
        Assert.Equal(resultWrites + 1, host.Ledger.Calls(LedgerOperation.WriteResult));
        var status = await host.StatusAsync("resumed");
        Assert.Equal(JobStatus.Succeeded, status.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(status.At("result")));
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("resumed"));
    }

    [Fact]
    public async Task TwentyDifferentStartsOfOneJobId_AtOnce_OneWins_TheOthersAre409_AndLeaveNoInputBehind()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var bodies = Enumerable.Range(0, Racers).Select(i => InlineJobs.Start("contested", "count", InlineJobs.Words(8 + i, seed: i), chunkSize: 2)).ToList();

        var posts = bodies.Select(host.PostAsync).ToList();
        await host.AdvanceUntilIdleAsync(Task.WhenAll(posts), maxSeconds: 120);
        var answers = await Task.WhenAll(posts);

        var winners = answers.Select((a, i) => (a, i)).Where(p => p.a.Status is 200 or 202).ToList();
        var winner = Assert.Single(winners);
        Assert.All(answers.Where(a => a.Status is not (200 or 202)), a =>
        {
            Assert.Equal(409, a.Status);
            Assert.Equal("urn:fanout:problem:job-id-reused", a.Body.GetProperty("type").GetString());
        });
        var manifest = host.Ledger.Manifest("contested")!;
        Assert.Equal(8 + winner.i, manifest.ItemCount);
        Assert.Equal([manifest.InputBlob], host.Ledger.Names(LedgerPaths.Inputs("contested")));
    }

    // The job ended Succeeded with the oracle's result; each chunk was sent once, by `runs` walking runs (null: not
    // checked); one result written; the leases never overlapped.
    private static async Task AssertOneRunOnceEachAsync(OrchestrationHost host, string jobId, IReadOnlyList<string> items, int chunks, int? runs)
    {
        var status = await host.StatusAsync(jobId);
        Assert.Equal(JobStatus.Succeeded, status.JobStatus);
        Assert.Equal(InlineJobs.WordCount(items), InlineJobs.Canonical(status.At("result")));
        Assert.All(Enumerable.Range(0, chunks), chunk => Assert.Equal(1, host.Caller.Calls(BatchActions.ProcessChunk, chunk)));
        Assert.All(Enumerable.Range(0, chunks), chunk => Assert.Equal(1, host.Ledger.CommitCalls(jobId, chunk)));
        Assert.Equal(1, host.Ledger.Calls(LedgerOperation.WriteResult));
        // A run that walks the job writes its progress log; one that finds the job held, or takes the lease once the
        // holder let it go and finds the job done, walks nothing.
        var walked = host.Ledger.Names(LedgerPaths.Progresses(jobId)).Select(n => n[..n.LastIndexOf('-')]).Distinct().ToList();
        if (runs is { } expected)
        {
            Assert.Equal(expected, walked.Count);
        }
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers(jobId));
    }
}
