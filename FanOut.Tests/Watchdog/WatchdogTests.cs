using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Watchdog;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Watchdog;

/// <summary>The watchdog's pass (<see cref="JobWatchdog"/>): a job whose run died (its lease lapsed with no result) is
/// resumed with nobody calling resume, and finishes; a job whose run holds it, or that ended, is left alone; a job is
/// resumed at most MaxResumes times; and two passes at once start one run.</summary>
[Trait("Tier", "Orchestration")]
public sealed class WatchdogTests
{
    [Fact]
    public async Task RunPass_JobWhoseRunDied_IsResumedAndFinishes_WithEveryChunkCommittedOnce()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 71);
        await host.StoreOnlyAsync(InlineJobs.Start("died", "count", items, chunkSize: 1));
        // Its run committed nothing and died a minute ago: its lease lapsed a second ago.
        host.PlantDeadRun("died", "dead-run", expiresIn: TimeSpan.FromSeconds(-1), startedAgo: TimeSpan.FromMinutes(1));

        var resumed = await Watchdog(host).RunPassAsync();
        await host.Caller.WhenIdleAsync();
        var status = await host.StatusAsync("died");

        Assert.Equal(1, resumed);
        Assert.Equal(JobStatus.Succeeded, status.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(status.At("result")));
        Assert.All(Enumerable.Range(0, 8), chunk => Assert.Equal(1, host.Ledger.CommitCalls("died", chunk)));
        var taken = Assert.Single(Leases.Taken(host.Ledger.DispatchMarkers("died")));
        Assert.NotEqual("dead-run", taken.RunId);
        Assert.Equal(new WatchdogResumes { Count = 1, FromRunId = "dead-run", At = host.Clock.GetUtcNow() }, host.Ledger.WatchdogResumes("died"));
    }

    [Fact]
    public async Task RunPass_JobsThatAreHeldEndedOrJustStored_AreLeftAlone()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var ended = await host.PostAsync(InlineJobs.Start("ended", "count", InlineJobs.Words(4, seed: 72), chunkSize: 1));
        await host.StoreOnlyAsync(InlineJobs.Start("held", "count", InlineJobs.Words(4, seed: 73), chunkSize: 1));
        host.PlantDeadRun("held", "live-run", expiresIn: TimeSpan.FromSeconds(10)); // its run renewed the lease 5 s ago
        await host.StoreOnlyAsync(InlineJobs.Start("fresh", "count", InlineJobs.Words(4, seed: 74), chunkSize: 1)); // no run took it yet
        var dispatches = host.Caller.Calls(BatchActions.Dispatch);

        var resumed = await Watchdog(host).RunPassAsync();
        await host.Caller.WhenIdleAsync();

        Assert.Equal(JobStatus.Succeeded, ended.JobStatus);
        Assert.Equal(0, resumed);
        Assert.Equal(dispatches, host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal("live-run", (await host.Ledger.Runs.ReadDispatchMarkerAsync("held"))!.RunId);
        Assert.Null(await host.Ledger.Runs.ReadDispatchMarkerAsync("fresh"));
        Assert.All(new[] { "ended", "held", "fresh" }, job => Assert.Null(host.Ledger.WatchdogResumes(job)));
        Assert.Equal(JobStatus.Succeeded, (await host.StatusAsync("ended")).JobStatus);
    }

    [Fact]
    public async Task RunPass_JobThatNoRunEverTook_IsResumedOnceItsStartHadTimeToArrive()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(6, seed: 75);
        await host.StoreOnlyAsync(InlineJobs.Start("stranded", "count", items, chunkSize: 1)); // its dispatch never arrived

        var early = await Watchdog(host).RunPassAsync();
        host.Clock.Advance(JobWatchdog.NeverRunGrace + TimeSpan.FromSeconds(1));
        var late = await Watchdog(host).RunPassAsync();
        await host.Caller.WhenIdleAsync();
        var status = await host.StatusAsync("stranded");

        Assert.Equal((0, 1), (early, late));
        Assert.Equal(JobStatus.Succeeded, status.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(status.At("result")));
        Assert.Equal(WatchdogResumes.NoRun, host.Ledger.WatchdogResumes("stranded")!.FromRunId);
    }

    [Fact]
    public async Task RunPass_AfterMaxResumes_LeavesTheJobIncomplete()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, settings: new Dictionary<string, string?>
        {
            ["FanOut:Watchdog:MaxResumes"] = "2",
        });
        var items = InlineJobs.Words(4, seed: 76);
        await host.StoreOnlyAsync(InlineJobs.Start("doomed", "count", items, chunkSize: 1));
        host.PlantDeadRun("doomed", "dead-run", expiresIn: TimeSpan.FromSeconds(-1), startedAgo: TimeSpan.FromMinutes(1));
        // Every run the watchdog starts fails to start (as on an instance that keeps dying).
        host.Caller.Inject(CallFault.Status(BatchActions.Dispatch, 503));

        var passes = new List<int>();
        for (var pass = 0; pass < 4; pass++)
        {
            passes.Add(await Watchdog(host).RunPassAsync());
            host.Clock.Advance(JobWatchdog.RetryAfter + TimeSpan.FromSeconds(1));
        }
        var dispatched = host.Caller.Calls(BatchActions.Dispatch);
        host.Caller.ClearFaults();
        var afterwards = await Watchdog(host).RunPassAsync();
        await host.Caller.WhenIdleAsync();

        Assert.Equal([0, 0, 0, 0], passes); // none of them took
        Assert.Equal(2, dispatched - 1); // two resumes sent (after the start's own dispatch), then no more
        Assert.Equal(0, afterwards);
        Assert.Equal(2, host.Ledger.WatchdogResumes("doomed")!.Count);
        Assert.Equal(JobStatus.Incomplete, (await host.StatusAsync("doomed")).JobStatus);
        Assert.Empty(host.Ledger.CommittedChunks("doomed"));
    }

    [Fact]
    public async Task RunPass_TwoPassesAtOnce_StartOneRun()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20);
        var items = InlineJobs.Words(8, seed: 77);
        await host.StoreOnlyAsync(InlineJobs.Start("twice", "count", items, chunkSize: 1));
        host.PlantDeadRun("twice", "dead-run", expiresIn: TimeSpan.FromSeconds(-1), startedAgo: TimeSpan.FromMinutes(1));
        // Both passes found the dead run and count their resume at the same moment.
        using var together = new Barrier(2);
        var counts = 0;
        host.Ledger.BeforeCall = operation =>
        {
            if (operation == LedgerOperation.WriteWatchdogResumes && Interlocked.Increment(ref counts) <= 2)
            {
                together.SignalAndWait(TimeSpan.FromSeconds(20));
            }
        };

        var resumed = await Task.WhenAll(Task.Run(() => Watchdog(host).RunPassAsync()), Task.Run(() => Watchdog(host).RunPassAsync()));
        await host.Caller.WhenIdleAsync();
        var status = await host.StatusAsync("twice");

        Assert.Equal(2, counts);
        Assert.Equal(1, resumed.Sum());
        var taken = Assert.Single(Leases.Taken(host.Ledger.DispatchMarkers("twice")));
        Assert.NotEqual("dead-run", taken.RunId);
        Leases.AssertNeverOverlap(host.Ledger.DispatchMarkers("twice"));
        Assert.Equal(1, host.Ledger.WatchdogResumes("twice")!.Count);
        Assert.Equal(JobStatus.Succeeded, status.JobStatus);
        Assert.Equal(InlineJobs.Count(items), InlineJobs.Canonical(status.At("result")));
        Assert.All(Enumerable.Range(0, 8), chunk => Assert.Equal(1, host.Ledger.CommitCalls("twice", chunk)));
    }

    [Fact]
    public async Task RunPass_WithMaxResumesZero_ReadsNothing()
    {
        await using var host = OrchestrationHost.Start(settings: new Dictionary<string, string?> { ["FanOut:Watchdog:MaxResumes"] = "0" });
        await host.StoreOnlyAsync(InlineJobs.Start("off", "count", InlineJobs.Words(2, seed: 78), chunkSize: 1));
        host.PlantDeadRun("off", "dead-run", expiresIn: TimeSpan.FromSeconds(-1));
        var calls = host.Ledger.TotalCalls;

        var resumed = await Watchdog(host).RunPassAsync();

        Assert.Equal(0, resumed);
        Assert.Equal(calls, host.Ledger.TotalCalls);
        Assert.Equal(JobStatus.Incomplete, (await host.StatusAsync("off")).JobStatus);
    }

    private static JobWatchdog Watchdog(OrchestrationHost host) => host.Services.GetRequiredService<JobWatchdog>();
}
