using System.Text;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Ledger;

/// <summary>The ledger's four stores, as one implementation of them keeps one set of blobs.</summary>
internal sealed record LedgerStores(IJobStore Jobs, IChunkStore Chunks, IRunStore Runs, ISignalStore Signals);

/// <summary>The contract of the ledger's stores: every case runs against Blob Storage (<see cref="BlobLedgerContractTests"/>,
/// a real Azurite) and against memory (<see cref="InMemoryLedgerContractTests"/>, what the orchestration tests run on), so
/// that a case that holds for one and not the other fails the build. Covers every member of the four interfaces, and a
/// race for each conditional write. Split by store: this file has the job's cases, the other parts the rest.</summary>
public abstract partial class LedgerContract
{
    // Writers of each race: at most UpdateAttempts (5) of Blob Storage's compare-and-swap, so none gives up contended.
    private const int Racers = 4;
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _jobId = $"contract-{Guid.NewGuid():N}"[..24];
    private readonly Lazy<LedgerStores> _stores;

    // One ledger per case, opened once even when the case's racers are the first to ask for it: each would open its own,
    // and four racers on four ledgers were four claims of one notice in a CI run.
    protected LedgerContract() => _stores = new Lazy<LedgerStores>(Open, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A fresh, empty ledger for one case.</summary>
    internal abstract LedgerStores Open();

    private LedgerStores Stores => _stores.Value;

    [Fact]
    public async Task Create_NewJob_StoresManifestAndInputAndListsIt()
    {
        var manifest = Manifest(_jobId, "a");

        var created = await Stores.Jobs.CreateAsync(manifest, Input("a"));

        Assert.Equal("a", created.Fingerprint);
        Assert.Equal("a", (await Stores.Jobs.GetManifestAsync(_jobId))!.Fingerprint);
        Assert.Equal("input a", (await Stores.Jobs.ReadInputAsync(manifest)).ToString());
        Assert.Equal(_jobId, Assert.Single((await Stores.Jobs.ListJobsAsync(10, null)).Entries).JobId);
        Assert.Null(await Stores.Jobs.GetManifestAsync("no-such-job"));
    }

    [Fact]
    public async Task Create_SecondRequestForTheJobId_ReturnsTheFirstAndRemovesItsOwnInput()
    {
        await Stores.Jobs.CreateAsync(Manifest(_jobId, "a"), Input("a"));
        var second = Manifest(_jobId, "b");

        var stood = await Stores.Jobs.CreateAsync(second, Input("b"));

        Assert.Equal("a", stood.Fingerprint);
        Assert.Equal("a", (await Stores.Jobs.GetManifestAsync(_jobId))!.Fingerprint);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Stores.Jobs.ReadInputAsync(second));
    }

    [Fact]
    public async Task Create_SameRequestTwice_KeepsItsInput()
    {
        var manifest = Manifest(_jobId, "a");
        await Stores.Jobs.CreateAsync(manifest, Input("a"));

        var again = await Stores.Jobs.CreateAsync(manifest, Input("a"));

        Assert.Equal("a", again.Fingerprint);
        Assert.Equal("input a", (await Stores.Jobs.ReadInputAsync(manifest)).ToString());
    }

    [Fact]
    public async Task Create_ConcurrentRequestsForOneJobId_AllGetOneManifestAndOnlyItsInputStays()
    {
        var manifests = Enumerable.Range(0, Racers).Select(i => Manifest(_jobId, $"f{i}")).ToList();

        var stood = await Task.WhenAll(manifests.Select(m => Task.Run(() => Stores.Jobs.CreateAsync(m, Input(m.Fingerprint)))));

        var winner = Assert.Single(stood.Select(m => m.Fingerprint).Distinct());
        Assert.Equal(winner, (await Stores.Jobs.GetManifestAsync(_jobId))!.Fingerprint);
        foreach (var loser in manifests.Where(m => m.Fingerprint != winner))
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => Stores.Jobs.ReadInputAsync(loser));
        }
    }

    [Fact]
    public async Task ReadInputRange_ReturnsThoseBytes()
    {
        var manifest = Manifest(_jobId, "a");
        await Stores.Jobs.CreateAsync(manifest, BinaryData.FromString("0123456789"));

        var bytes = await Stores.Jobs.ReadInputRangeAsync(manifest.InputBlob, 3, 4);

        Assert.Equal("3456", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task ListJobs_NewestFirst_InPagesThatEndWithoutAToken()
    {
        var ids = Enumerable.Range(0, 5).Select(i => $"{_jobId}-{i}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await Stores.Jobs.CreateAsync(Manifest(id, "a", Epoch.AddMinutes(i)), Input("a"));
        }

        var pages = new List<JobIndexPage>();
        string? token = null;
        do
        {
            pages.Add(await Stores.Jobs.ListJobsAsync(2, token));
            token = pages[^1].ContinuationToken;
        }
        while (token is not null && pages.Count < 10);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Entries.Count));
        Assert.Equal(Enumerable.Reverse(ids), pages.SelectMany(p => p.Entries).Select(e => e.JobId));
    }

    [Fact]
    public async Task Result_WriteReadDelete_AndTheIndexShowsItsStatusUntilDeleted()
    {
        await Stores.Jobs.CreateAsync(Manifest(_jobId, "a"), Input("a"));
        Assert.Null(await Stores.Jobs.ReadResultAsync(_jobId));

        await Stores.Jobs.WriteResultAsync(Result(_jobId, JobStatus.Failed));

        Assert.Equal(JobStatus.Failed, (await Stores.Jobs.ReadResultAsync(_jobId))!.Status);
        Assert.Equal(JobStatus.Failed, Assert.Single((await Stores.Jobs.ListJobsAsync(10, null)).Entries).Status);
        await Stores.Jobs.DeleteResultAsync(_jobId);
        Assert.Null(await Stores.Jobs.ReadResultAsync(_jobId));
        Assert.Null(Assert.Single((await Stores.Jobs.ListJobsAsync(10, null)).Entries).Status);
    }

    [Fact]
    public async Task TryUpdateResult_ConcurrentIncrementers_AreAllCounted()
    {
        await Stores.Jobs.CreateAsync(Manifest(_jobId, "a"), Input("a"));

        var written = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => Task.Run(() =>
            Stores.Jobs.TryUpdateResultAsync(_jobId, r => r is null ? Result(_jobId, JobStatus.Succeeded) with { DurationMs = 1 } : r with { DurationMs = r.DurationMs + 1 }))));

        Assert.All(written, Assert.NotNull);
        Assert.Equal(Racers, (await Stores.Jobs.ReadResultAsync(_jobId))!.DurationMs);
        Assert.Equal(JobStatus.Succeeded, Assert.Single((await Stores.Jobs.ListJobsAsync(10, null)).Entries).Status);
    }

    [Fact]
    public async Task TryUpdateResult_DecideDeclines_LeavesItAndAnswersNull()
    {
        await Stores.Jobs.WriteResultAsync(Result(_jobId, JobStatus.Cancelled));

        Assert.Null(await Stores.Jobs.TryUpdateResultAsync(_jobId, _ => null));

        Assert.Equal(JobStatus.Cancelled, (await Stores.Jobs.ReadResultAsync(_jobId))!.Status);
    }

    [Fact]
    public async Task Purge_RemovesEveryBlobOfTheJob_ThenFindsNothing()
    {
        await Stores.Jobs.CreateAsync(Manifest(_jobId, "a"), Input("a"));
        await Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 0));
        await Stores.Chunks.WriteOutputAsync(_jobId, 0, "ndjson", Encoding.UTF8.GetBytes("{}\n"));
        await Stores.Chunks.WriteOutputAsync(_jobId, 0, "ndjson", Encoding.UTF8.GetBytes("{}\n"));
        await Stores.Runs.TryUpdateDispatchMarkerAsync(_jobId, _ => Marker("run-1"));
        await Stores.Signals.WriteCancelAsync(_jobId, new JobCancel { RequestedAt = Epoch });
        await Stores.Signals.WriteConcurrencyAsync(_jobId, new JobConcurrency { Level = 4, SetAt = Epoch });

        // The input, the manifest, the chunk, its one output part, the marker, the cancel, the concurrency level (the index
        // entry goes uncounted).
        Assert.Equal(7, await Stores.Jobs.PurgeAsync(_jobId));

        Assert.Equal(0, await Stores.Jobs.PurgeAsync(_jobId));
        Assert.Null(await Stores.Jobs.GetManifestAsync(_jobId));
        Assert.Null(await Stores.Chunks.ReadChunkAsync(_jobId, 0));
        Assert.Null(await Stores.Runs.ReadDispatchMarkerAsync(_jobId));
        Assert.Null(await Stores.Signals.ReadCancelAsync(_jobId));
        Assert.Null(await Stores.Signals.ReadConcurrencyAsync(_jobId));
        Assert.Empty((await Stores.Jobs.ListJobsAsync(10, null)).Entries);
    }

    [Fact]
    public async Task Purge_DuringConcurrentCommits_RemovesEachBlobOnceAndARepeatLeavesNone()
    {
        const int chunks = 24;
        await Stores.Jobs.CreateAsync(Manifest(_jobId, "a"), Input("a"));

        var commits = Task.WhenAll(Enumerable.Range(0, chunks).Select(i => Task.Run(() => Stores.Chunks.CommitChunkAsync(Chunk(_jobId, i)))));
        var purged = await Task.Run(() => Stores.Jobs.PurgeAsync(_jobId));
        await commits;
        for (var round = 0; round < 3; round++)
        {
            purged += await Stores.Jobs.PurgeAsync(_jobId); // the commits that landed after the first purge listed
        }

        Assert.Equal(2 + chunks, purged); // the input, the manifest and every chunk, each counted once
        Assert.Empty((await Stores.Jobs.ListJobsAsync(10, null)).Entries);
        Assert.Equal(0, await Stores.Jobs.PurgeAsync(_jobId));
        Assert.Empty((await Stores.Chunks.ReadSnapshotAsync(_jobId)).Committed);
        Assert.Null(await Stores.Jobs.GetManifestAsync(_jobId));
    }

    private static JobManifest Manifest(string jobId, string fingerprint, DateTimeOffset? createdAt = null) => new()
    {
        JobId = jobId, Fingerprint = fingerprint, Processor = "count", InputBlob = LedgerPaths.Input(jobId, fingerprint),
        ChunkCount = 2, ChunkSize = 1, ItemCount = 2, CreatedAt = createdAt ?? Epoch,
    };

    private static BinaryData Input(string fingerprint) => BinaryData.FromString($"input {fingerprint}");

    private static JobResult Result(string jobId, JobStatus status) => new()
    {
        JobId = jobId, Status = status, Processor = "count", CreatedAt = Epoch, CompletedAt = Epoch.AddMinutes(1),
        Chunks = new ChunkCounts(2, 2, 0, 0), Items = new ItemCounts(2, 0),
    };

    private static CommittedChunk Chunk(string jobId, int index, long items = 1, int total = 1) => new()
    {
        JobId = jobId, Chunk = index, Processor = "count", Items = items, Result = JsonSerializer.SerializeToElement(new { total }),
    };

    private static DispatchMarker Marker(string runId, int hop = 1) => new() { RunId = runId, Hop = hop, StartedAt = Epoch, ExpiresAt = Epoch.AddMinutes(5) };
}
