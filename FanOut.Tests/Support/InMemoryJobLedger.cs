using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanOut.Tests.Support;

/// <summary><see cref="IJobLedger"/> in memory, with <see cref="JobLedger"/>'s semantics: blobs by the same names
/// (<see cref="LedgerPaths"/>), stored as the same JSON (<see cref="LedgerJsonContext"/>); a chunk's first commit
/// wins and a later one gets it back as a duplicate; a manifest, once there, is kept. Thread-safe. Counts every
/// call, and fails the ones a test asks it to (<see cref="Inject"/>).</summary>
internal sealed class InMemoryJobLedger : IJobLedger
{
    private const string ItemsMetadata = "items";

    private readonly ConcurrentDictionary<string, StoredBlob> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<LedgerOperation, int> _calls = new();
    private readonly ConcurrentDictionary<(LedgerOperation, string, int), int> _chunkCalls = new();
    private readonly ConcurrentQueue<StorageFault> _faults = new();
    private readonly ConcurrentQueue<(string JobId, DispatchMarker Marker)> _markerHistory = new();
    private readonly Lock _markerLock = new();
    private int _injected;

    /// <summary>A stored blob: its bytes and metadata.</summary>
    public sealed record StoredBlob(byte[] Content, IReadOnlyDictionary<string, string>? Metadata = null);

    // ---- IJobLedger ----

    public Task<JobManifest?> GetManifestAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.GetManifest, null, null, cancellationToken, () => Read(LedgerPaths.Manifest(jobId), LedgerJsonContext.Default.JobManifest));

    public Task<JobManifest> CreateAsync(JobManifest manifest, BinaryData input, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.Create, null, null, cancellationToken, () =>
        {
            var wroteInput = _blobs.TryAdd(manifest.InputBlob, new StoredBlob(input.ToArray()));
            if (_blobs.TryAdd(LedgerPaths.Manifest(manifest.JobId), Json(manifest, LedgerJsonContext.Default.JobManifest)))
            {
                WriteIndex(JobIndexEntry.Of(manifest));
                return manifest;
            }
            var stored = Read(LedgerPaths.Manifest(manifest.JobId), LedgerJsonContext.Default.JobManifest)!;
            if (wroteInput && stored.InputBlob != manifest.InputBlob)
            {
                _blobs.TryRemove(manifest.InputBlob, out _);
            }
            return stored;
        });

    public Task<BinaryData> ReadInputAsync(JobManifest manifest, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadInput, null, null, cancellationToken, () => BinaryData.FromBytes(Input(manifest.InputBlob)));

    public Task<byte[]> ReadInputRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadInput, null, null, cancellationToken, () => Input(blobName).AsSpan((int)offset, length).ToArray());

    public Task<ChunkCommit> CommitChunkAsync(CommittedChunk result, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.CommitChunk, result.JobId, result.Chunk, cancellationToken, () =>
        {
            var metadata = new Dictionary<string, string> { [ItemsMetadata] = result.Items.ToString(CultureInfo.InvariantCulture) };
            var name = LedgerPaths.Chunk(result.JobId, result.Chunk);
            return _blobs.TryAdd(name, new StoredBlob(JsonSerializer.SerializeToUtf8Bytes(result, LedgerJsonContext.Default.CommittedChunk), metadata))
                ? new ChunkCommit(result, IsDuplicate: false)
                : new ChunkCommit(Read(name, LedgerJsonContext.Default.CommittedChunk)!, IsDuplicate: true);
        });

    public Task<string> WriteOutputAsync(string jobId, int index, string format, ReadOnlyMemory<byte> records, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteOutput, jobId, index, cancellationToken, () =>
        {
            var name = LedgerPaths.Output(jobId, index, format);
            _blobs[name] = new StoredBlob(records.ToArray());
            return name;
        });

    public Task<CommittedChunk?> ReadChunkAsync(string jobId, int index, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadChunk, jobId, index, cancellationToken, () => Read(LedgerPaths.Chunk(jobId, index), LedgerJsonContext.Default.CommittedChunk));

    public Task<T?> ReadRangeTallyAsync<T>(string jobId, int first, int count, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        RunAsync(LedgerOperation.ReadRangeTally, jobId, null, cancellationToken, () => Read(LedgerPaths.RangeTally(jobId, first, count), typeInfo));

    public Task WriteRangeTallyAsync<T>(string jobId, int first, int count, T tally, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        RunAsync(LedgerOperation.WriteRangeTally, jobId, null, cancellationToken, () => _blobs[LedgerPaths.RangeTally(jobId, first, count)] = Json(tally, typeInfo));

    public Task RecordFailureAsync(string jobId, ChunkFailure failure, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.RecordFailure, jobId, failure.Chunk, cancellationToken, () =>
            _blobs[LedgerPaths.Failure(jobId, failure.Chunk)] = Json(failure, LedgerJsonContext.Default.ChunkFailure));

    public Task<LedgerSnapshot> ReadSnapshotAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadSnapshot, null, null, cancellationToken, () =>
        {
            var committed = new Dictionary<int, long>();
            foreach (var (name, blob) in Under(LedgerPaths.Chunks(jobId)))
            {
                committed[LedgerPaths.IndexOf(name)] = long.Parse(blob.Metadata![ItemsMetadata], CultureInfo.InvariantCulture);
            }
            var failed = Under(LedgerPaths.Failures(jobId)).Select(b => LedgerPaths.IndexOf(b.Name)).Where(i => !committed.ContainsKey(i)).Order().ToList();
            var failures = failed.Take(LedgerSnapshot.MaxListedFailures)
                .Select(i => Read(LedgerPaths.Failure(jobId, i), LedgerJsonContext.Default.ChunkFailure))
                .OfType<ChunkFailure>().ToList();
            return new LedgerSnapshot(committed, failed, failures);
        });

    public Task<IReadOnlyList<int>> ReadFailedAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<int>>(LedgerOperation.ReadFailed, null, null, cancellationToken, () =>
            [.. Under(LedgerPaths.Failures(jobId)).Select(b => LedgerPaths.IndexOf(b.Name)).Order()]);

    public Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadHandOver, null, null, cancellationToken, () => Read(LedgerPaths.HandOver(jobId), LedgerJsonContext.Default.RunHandOver));

    public Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteHandOver, null, null, cancellationToken, () =>
            _blobs[LedgerPaths.HandOver(jobId)] = Json(handOver, LedgerJsonContext.Default.RunHandOver));

    public Task<IReadOnlyList<ChunkFailure>> ReadFailuresAsync(string jobId, int max, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ChunkFailure>>(LedgerOperation.ReadFailures, null, null, cancellationToken, () =>
            [.. Under(LedgerPaths.Failures(jobId)).Take(max).Select(b => JsonSerializer.Deserialize(b.Blob.Content, LedgerJsonContext.Default.ChunkFailure)!)]);

    public Task DeleteFailuresAsync(string jobId, IEnumerable<int> chunks, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.DeleteFailures, null, null, cancellationToken, () =>
        {
            foreach (var chunk in chunks)
            {
                _blobs.TryRemove(LedgerPaths.Failure(jobId, chunk), out _);
            }
        });

    // An append blob: each append adds its bytes at the end, atomically.
    public Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.AppendProgress, null, null, cancellationToken, () =>
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(line, LedgerJsonContext.Default.ProgressLine).Append((byte)'\n').ToArray();
            _blobs.AddOrUpdate(LedgerPaths.Progress(jobId, runId, line.First / LedgerPaths.ProgressShardChunks), new StoredBlob(bytes),
                (_, stored) => new StoredBlob([.. stored.Content, .. bytes]));
        });

    public Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ProgressLine>>(LedgerOperation.ReadProgress, null, null, cancellationToken, () =>
            [.. Enumerable.Range(0, LedgerPaths.ProgressShards(chunkCount))
                .SelectMany(shard => _blobs.TryGetValue(LedgerPaths.Progress(jobId, runId, shard), out var log) ? ProgressLines.Parse(log.Content) : [])]);

    // One counted call per blob deleted (PurgeBlob), so a test can cut a purge short; the manifest, then the lease, last.
    public async Task<int> PurgeAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var manifest = LedgerPaths.Manifest(jobId);
        var deleted = 0;
        var index = Manifest(jobId) is { } stored ? [LedgerPaths.IndexEntry(jobId, stored.CreatedAt)] : Array.Empty<string>();
        var lease = LedgerPaths.DispatchMarker(jobId);
        foreach (var name in index.Concat(Names(LedgerPaths.Job(jobId)).Where(n => n != manifest && n != lease)).Append(manifest).Append(lease))
        {
            deleted += await RunAsync(LedgerOperation.PurgeBlob, jobId, null, cancellationToken, () => _blobs.TryRemove(name, out _) ? 1 : 0);
        }
        return deleted;
    }

    public Task<JobResult?> ReadResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadResult, null, null, cancellationToken, () => Read(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult));

    public Task WriteResultAsync(JobResult result, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteResult, null, null, cancellationToken, () =>
        {
            lock (_markerLock)
            {
                _blobs[LedgerPaths.Result(result.JobId)] = Json(result, LedgerJsonContext.Default.JobResult);
            }
            WriteIndex(JobIndexEntry.Of(result));
        });

    public Task DeleteResultAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.DeleteResult, null, null, cancellationToken, () =>
        {
            _blobs.TryRemove(LedgerPaths.Result(jobId), out _);
            if (Manifest(jobId) is { } manifest)
            {
                WriteIndex(JobIndexEntry.Of(manifest));
            }
        });

    // The index of jobs: names sort newest first; a continuation token is the last name of the page before.
    public Task<JobIndexPage> ListJobsAsync(int top, string? continuationToken, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ListJobs, null, null, cancellationToken, () =>
        {
            var names = Under(LedgerPaths.Index).Where(b => continuationToken is null || string.CompareOrdinal(b.Name, continuationToken) > 0).ToList();
            var page = names.Take(top).ToList();
            return new JobIndexPage([.. page.Select(b => JobIndexEntry.FromMetadata(b.Blob.Metadata!.ToDictionary())!)],
                names.Count > top ? page[^1].Name : null);
        });

    private void WriteIndex(JobIndexEntry entry) =>
        _blobs[LedgerPaths.IndexEntry(entry.JobId, entry.CreatedAt)] = new StoredBlob([], entry.ToMetadata());

    public Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WritePause, null, null, cancellationToken, () => _blobs[LedgerPaths.Pause(jobId)] = Json(pause, LedgerJsonContext.Default.JobPause));

    public Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadNotice, null, null, cancellationToken, () => Read(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice));

    public Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteNotice, null, null, cancellationToken, () => Update(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, decide));

    public Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteWatchdogResumes, null, null, cancellationToken,
            () => Update(LedgerPaths.WatchdogResumes(jobId), LedgerJsonContext.Default.WatchdogResumes, decide));

    public Task<JobResult?> TryUpdateResultAsync(string jobId, Func<JobResult?, JobResult?> decide, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteResult, null, null, cancellationToken, () =>
        {
            var written = Update(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult, decide);
            if (written is not null)
            {
                WriteIndex(JobIndexEntry.Of(written));
            }
            return written;
        });

    // Read, decide and write as one step (Blob Storage's If-Match makes it one).
    private T? Update<T>(string name, JsonTypeInfo<T> typeInfo, Func<T?, T?> decide) where T : class
    {
        lock (_markerLock)
        {
            if (decide(Read(name, typeInfo)) is not { } next)
            {
                return null;
            }
            _blobs[name] = Json(next, typeInfo);
            return next;
        }
    }

    public Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.WriteCancel, null, null, cancellationToken, () => _blobs[LedgerPaths.Cancel(jobId)] = Json(cancel, LedgerJsonContext.Default.JobCancel));

    public Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadCancel, null, null, cancellationToken, () => Read(LedgerPaths.Cancel(jobId), LedgerJsonContext.Default.JobCancel));

    public Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.DeleteCancel, null, null, cancellationToken, () => _blobs.TryRemove(LedgerPaths.Cancel(jobId), out _));

    public Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadPause, null, null, cancellationToken, () => Read(LedgerPaths.Pause(jobId), LedgerJsonContext.Default.JobPause));

    // Under one lock, as Blob Storage's If-Match makes it one step: a run that loses the race decides again on the winner's marker.
    // A write whose marker takes a lease (no EndedAt) is counted as MarkDispatch; one that lets it go as ReleaseDispatch.
    public Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default)
    {
        DispatchMarker? next;
        lock (_markerLock)
        {
            next = decide(Read(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker));
        }
        return RunAsync(next is { EndedAt: not null } ? LedgerOperation.ReleaseDispatch : LedgerOperation.MarkDispatch, null, null, cancellationToken, () =>
        {
            lock (_markerLock)
            {
                var stored = Read(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker);
                if (decide(stored) is not { } decided)
                {
                    return null;
                }
                _blobs[LedgerPaths.DispatchMarker(jobId)] = Json(decided, LedgerJsonContext.Default.DispatchMarker);
                _markerHistory.Enqueue((jobId, decided));
                return decided;
            }
        });
    }

    public Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(LedgerOperation.ReadDispatchMarker, null, null, cancellationToken, () =>
            Read(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker));

    // ---- for tests ----

    /// <summary>Puts this ledger in the place of the app's four stores.</summary>
    public void ReplaceIn(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IJobStore>(this));
        services.Replace(ServiceDescriptor.Singleton<IChunkStore>(this));
        services.Replace(ServiceDescriptor.Singleton<IRunStore>(this));
        services.Replace(ServiceDescriptor.Singleton<ISignalStore>(this));
    }

    /// <summary>Fails calls as <paramref name="fault"/> says, until <see cref="ClearFaults"/>.</summary>
    public void Inject(StorageFault fault) => _faults.Enqueue(fault);

    /// <summary>Every dispatch marker written, in order: each lease taken, then let go (with EndedAt).</summary>
    public IReadOnlyList<DispatchMarker> DispatchMarkers(string jobId) => [.. _markerHistory.Where(m => m.JobId == jobId).Select(m => m.Marker)];

    /// <summary>Stores a dispatch marker as it stands (a lease held by a run that died, say).</summary>
    public void PlantDispatchMarker(string jobId, DispatchMarker marker) =>
        _blobs[LedgerPaths.DispatchMarker(jobId)] = Json(marker, LedgerJsonContext.Default.DispatchMarker);

    /// <summary>Called with each operation before it acts: a test seam that lets another actor (a run that ends the job, say)
    /// step in between two calls of the code under test. It may call this ledger itself.</summary>
    public Action<LedgerOperation>? BeforeCall { get; set; }

    /// <summary>Stores a blob as it stands, or removes it (null).</summary>
    public void Plant(string name, StoredBlob? blob)
    {
        if (blob is null)
        {
            _blobs.TryRemove(name, out _);
        }
        else
        {
            _blobs[name] = blob;
        }
    }

    /// <summary>Removes every injected fault.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>Faults thrown so far.</summary>
    public int InjectedFailures => Volatile.Read(ref _injected);

    /// <summary>Calls of every operation so far.</summary>
    public int TotalCalls => _calls.Values.Sum();

    /// <summary>Calls of an operation so far, failed ones included.</summary>
    public int Calls(LedgerOperation operation) => _calls.GetValueOrDefault(operation);

    /// <summary>Calls of <see cref="CommitChunkAsync"/> for one chunk, failed ones and duplicates included.</summary>
    public int CommitCalls(string jobId, int chunk) => _chunkCalls.GetValueOrDefault((LedgerOperation.CommitChunk, jobId, chunk));

    /// <summary>Calls of <see cref="ReadChunkAsync"/> for one chunk.</summary>
    public int ChunkReads(string jobId, int chunk) => _chunkCalls.GetValueOrDefault((LedgerOperation.ReadChunk, jobId, chunk));

    /// <summary>The chunks with a committed result, ascending.</summary>
    public IReadOnlyList<int> CommittedChunks(string jobId) =>
        [.. Under(LedgerPaths.Chunks(jobId)).Select(b => LedgerPaths.IndexOf(b.Name)).Order()];

    /// <summary>A chunk's committed result, or null.</summary>
    public CommittedChunk? Committed(string jobId, int chunk) => Read(LedgerPaths.Chunk(jobId, chunk), LedgerJsonContext.Default.CommittedChunk);

    /// <summary>The chunks with a failure record (committed or not), ascending.</summary>
    public IReadOnlyList<int> FailureRecords(string jobId) =>
        [.. Under(LedgerPaths.Failures(jobId)).Select(b => LedgerPaths.IndexOf(b.Name)).Order()];

    /// <summary>A chunk's failure record, or null.</summary>
    public ChunkFailure? Failure(string jobId, int chunk) => Read(LedgerPaths.Failure(jobId, chunk), LedgerJsonContext.Default.ChunkFailure);

    /// <summary>The job's stored result, or null.</summary>
    public JobResult? Result(string jobId) => Read(LedgerPaths.Result(jobId), LedgerJsonContext.Default.JobResult);

    /// <summary>The watchdog's record of the job's resumes, or null.</summary>
    public WatchdogResumes? WatchdogResumes(string jobId) => Read(LedgerPaths.WatchdogResumes(jobId), LedgerJsonContext.Default.WatchdogResumes);

    /// <summary>The job's stored manifest, or null.</summary>
    public JobManifest? Manifest(string jobId) => Read(LedgerPaths.Manifest(jobId), LedgerJsonContext.Default.JobManifest);

    /// <summary>A stored blob by name, or null.</summary>
    public StoredBlob? Blob(string name) => _blobs.GetValueOrDefault(name);

    /// <summary>Names of the stored blobs under a prefix, in order.</summary>
    public IReadOnlyList<string> Names(string prefix) => [.. Under(prefix).Select(b => b.Name)];

    private IEnumerable<(string Name, StoredBlob Blob)> Under(string prefix) =>
        _blobs.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => (b.Key, b.Value));

    // The real ledger turns every RequestFailedException, a 404 too, into StorageUnavailableException.
    private byte[] Input(string name) => _blobs.TryGetValue(name, out var blob)
        ? blob.Content
        : throw new StorageUnavailableException("Blob Storage failed: The specified blob does not exist.", new RequestFailedException(404, "BlobNotFound"));

    private T? Read<T>(string name, JsonTypeInfo<T> typeInfo) where T : class =>
        _blobs.TryGetValue(name, out var blob) ? JsonSerializer.Deserialize(blob.Content, typeInfo) : null;

    private static StoredBlob Json<T>(T value, JsonTypeInfo<T> typeInfo) => new(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    // Every operation: counted (per chunk too), cancellable like the SDK's, failed before (or after) it acts when a fault says so.
    private Task<T> RunAsync<T>(LedgerOperation operation, string? jobId, int? chunk, CancellationToken cancellationToken, Func<T> act)
    {
        BeforeCall?.Invoke(operation);
        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        if (jobId is not null && chunk is { } index)
        {
            _chunkCalls.AddOrUpdate((operation, jobId, index), 1, (_, n) => n + 1);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        StorageFault? fault = null;
        foreach (var candidate in _faults)
        {
            // Every matching fault counts the call, so each one's FromCall means what it says.
            fault = candidate.Hits(operation, chunk) ? fault ?? candidate : fault;
        }
        if (fault is { AfterWrite: false })
        {
            return Fail<T>(operation, chunk);
        }
        var value = act();
        return fault is null ? Task.FromResult(value) : Fail<T>(operation, chunk);
    }

    private Task RunAsync(LedgerOperation operation, string? jobId, int? chunk, CancellationToken cancellationToken, Action act) =>
        RunAsync(operation, jobId, chunk, cancellationToken, () =>
        {
            act();
            return true;
        });

    private Task<T> Fail<T>(LedgerOperation operation, int? chunk)
    {
        Interlocked.Increment(ref _injected);
        return Task.FromException<T>(StorageFault.Unavailable(operation, chunk));
    }
}
