using FanOut.Core.Ledger;

namespace FanOut.Tests.Ledger;

/// <summary>The run store's and the signal store's cases of the contract.</summary>
public abstract partial class LedgerContract
{
    [Fact]
    public async Task TryUpdateDispatchMarker_ConcurrentTakers_ExactlyOneTakesTheLease()
    {
        var taken = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() =>
            Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, m => m is null || !m.HoldsAt(Epoch) ? Marker($"run-{i}") : null))));

        var winner = Assert.Single(taken, m => m is not null)!;
        Assert.Equal(winner.RunId, (await Stores.Runs.ReadDispatchMarkerAsync(_jobId))!.RunId);
    }

    [Fact]
    public async Task TryUpdateDispatchMarker_ConcurrentIncrementers_AreAllCounted()
    {
        var written = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => Task.Run(() =>
            Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, m => Marker("run", hop: (m?.Hop ?? 0) + 1)))));

        Assert.All(written, Assert.NotNull);
        Assert.Equal(Racers, (await Stores.Runs.ReadDispatchMarkerAsync(_jobId))!.Hop);
    }

    [Fact]
    public async Task TryUpdateDispatchMarker_DecideDeclines_LeavesItAndAnswersNull()
    {
        Assert.Null(await Stores.Runs.ReadDispatchMarkerAsync(_jobId));
        Assert.Null(await Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, _ => null));
        Assert.Null(await Stores.Runs.ReadDispatchMarkerAsync(_jobId));
        await Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, _ => Marker("run-1"));

        Assert.Null(await Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, _ => null));

        Assert.Equal("run-1", (await Stores.Runs.ReadDispatchMarkerAsync(_jobId))!.RunId);
    }

    [Fact]
    public async Task TryUpdateWatchdogResumes_ConcurrentIncrementers_AreAllCounted_AndADeclineLeavesIt()
    {
        var written = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => Task.Run(() =>
            Stores.Runs.TryUpdateWatchdogResumesAsync(_jobId, r => new WatchdogResumes { Count = (r?.Count ?? 0) + 1, FromRunId = "dead", At = Epoch }))));

        Assert.All(written, Assert.NotNull);
        Assert.Null(await Stores.Runs.TryUpdateWatchdogResumesAsync(_jobId, r => r!.Count >= Racers ? null : r with { Count = 0 }));
        Assert.Equal(Racers, (await Stores.Runs.TryUpdateWatchdogResumesAsync(_jobId, r => r))!.Count);
    }

    [Fact]
    public async Task AppendProgress_ConcurrentWritersOfTwoShards_LoseNoLine()
    {
        const int writers = 4, lines = 8;
        var expected = Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, lines).Select(l =>
            new ProgressLine { First = w % 2 * LedgerPaths.ProgressShardChunks + l, Count = 1, Sent = 1, Succeeded = w, Items = l })).ToList();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            foreach (var line in expected.Skip(w * lines).Take(lines))
            {
                await Stores.Runs.AppendProgressAsync(_jobId, "run-1", line);
            }
        })));

        var read = await Stores.Runs.ReadProgressAsync(_jobId, "run-1", 2 * LedgerPaths.ProgressShardChunks);
        Assert.Equal(Sorted(expected), Sorted(read));
        Assert.Empty(await Stores.Runs.ReadProgressAsync(_jobId, "run-2", 10));
    }

    [Fact]
    public async Task HandOver_ReadsBackTheLastWritten()
    {
        Assert.Null(await Stores.Runs.ReadHandOverAsync(_jobId));

        await Stores.Runs.WriteHandOverAsync(_jobId, new RunHandOver { RunId = "run-1", Succeeded = 3, Items = 9 });
        await Stores.Runs.WriteHandOverAsync(_jobId, new RunHandOver { RunId = "run-2", Succeeded = 4, Items = 12 });

        var read = (await Stores.Runs.ReadHandOverAsync(_jobId))!;
        Assert.Equal(("run-2", 4, 12L), (read.RunId, read.Succeeded, read.Items));
    }

    [Fact]
    public async Task TryUpdateNotice_ConcurrentClaims_ExactlyOneSenderClaimsIt_AndADeclineLeavesIt()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() =>
            Stores.Signals.TryUpdateNoticeAsync(_jobId, n => n is not null && n.Settles(JobStatus.Succeeded, Epoch) ? null
                : new JobNotice { Status = JobStatus.Succeeded, ClaimedUntil = Epoch.AddMinutes(1 + i) }))));

        var claim = Assert.Single(claims, c => c is not null)!;
        Assert.Null(await Stores.Signals.TryUpdateNoticeAsync(_jobId, _ => null));
        Assert.Equal(claim.ClaimedUntil, (await Stores.Signals.ReadNoticeAsync(_jobId))!.ClaimedUntil);
    }

    [Fact]
    public async Task Pause_ReadsBackTheLastWritten()
    {
        Assert.Null(await Stores.Signals.ReadPauseAsync(_jobId));

        await Stores.Signals.WritePauseAsync(_jobId, new JobPause { Until = Epoch });
        await Stores.Signals.WritePauseAsync(_jobId, new JobPause { Until = Epoch.AddSeconds(30) });

        Assert.Equal(Epoch.AddSeconds(30), (await Stores.Signals.ReadPauseAsync(_jobId))!.Until);
    }

    [Fact]
    public async Task Concurrency_RoundTrips_TheLastWriteStands_AndDeletingTwiceIsHarmless()
    {
        Assert.Null(await Stores.Signals.ReadConcurrencyAsync(_jobId));

        await Stores.Signals.WriteConcurrencyAsync(_jobId, new JobConcurrency { Level = 16, SetAt = Epoch, By = JobConcurrency.ByUpdate });
        var first = await Stores.Signals.ReadConcurrencyAsync(_jobId);
        await Stores.Signals.WriteConcurrencyAsync(_jobId, new JobConcurrency { Level = 3, SetAt = Epoch.AddSeconds(1), By = "auto" });

        Assert.Equal(new JobConcurrency { Level = 16, SetAt = Epoch, By = JobConcurrency.ByUpdate }, first);
        Assert.Equal(new JobConcurrency { Level = 3, SetAt = Epoch.AddSeconds(1), By = "auto" }, await Stores.Signals.ReadConcurrencyAsync(_jobId));

        await Stores.Signals.DeleteConcurrencyAsync(_jobId);
        await Stores.Signals.DeleteConcurrencyAsync(_jobId);

        Assert.Null(await Stores.Signals.ReadConcurrencyAsync(_jobId));
    }

    [Fact]
    public async Task Cancel_WrittenTwiceThenDeleted_IsGone_AndDeletingAgainIsHarmless()
    {
        Assert.Null(await Stores.Signals.ReadCancelAsync(_jobId));
        await Stores.Signals.WriteCancelAsync(_jobId, new JobCancel { RequestedAt = Epoch });
        await Stores.Signals.WriteCancelAsync(_jobId, new JobCancel { RequestedAt = Epoch.AddSeconds(1) });
        Assert.Equal(Epoch.AddSeconds(1), (await Stores.Signals.ReadCancelAsync(_jobId))!.RequestedAt);

        await Stores.Signals.DeleteCancelAsync(_jobId);
        await Stores.Signals.DeleteCancelAsync(_jobId);

        Assert.Null(await Stores.Signals.ReadCancelAsync(_jobId));
    }

    private static List<ProgressLine> Sorted(IEnumerable<ProgressLine> lines) => [.. lines.OrderBy(l => l.First).ThenBy(l => l.Succeeded).ThenBy(l => l.Items)];
}
