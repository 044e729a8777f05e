using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanOut.Tests.Support;

/// <summary>The ledger in memory: its four stores (<see cref="Jobs"/>, <see cref="Chunks"/>, <see cref="Runs"/>,
/// <see cref="Signals"/>) over one set of blobs, with the Blob Storage stores' semantics: blobs by the same names
/// (<see cref="LedgerPaths"/>), stored as the same JSON (<see cref="LedgerJsonContext"/>); a write with If-None-Match
/// keeps what is there (a chunk's first commit wins, a manifest once there is kept); a compare-and-swap is one step.
/// The contract suite (FanOut.Tests/Ledger/LedgerContract) holds it to the same cases as Blob Storage. Thread-safe.
/// Counts every call, and fails the ones a test asks it to (<see cref="Inject"/>).</summary>
internal sealed class InMemoryJobLedger
{
    private readonly ConcurrentDictionary<string, StoredBlob> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<LedgerOperation, int> _calls = new();
    private readonly ConcurrentDictionary<(LedgerOperation, string, int), int> _chunkCalls = new();
    private readonly ConcurrentQueue<StorageFault> _faults = new();
    private readonly ConcurrentQueue<(string JobId, DispatchMarker Marker)> _markerHistory = new();
    private int _injected;

    public InMemoryJobLedger()
    {
        (Jobs, Chunks, Runs, Signals) = (new InMemoryJobStore(this), new InMemoryChunkStore(this), new InMemoryRunStore(this), new InMemorySignalStore(this));
    }

    /// <summary>A stored blob: its bytes and metadata.</summary>
    public sealed record StoredBlob(byte[] Content, IReadOnlyDictionary<string, string>? Metadata = null);

    /// <summary>The job's manifest, input, result, index entry and purge.</summary>
    public IJobStore Jobs { get; }

    /// <summary>The job's chunks: commits, outputs, failures, snapshots, range tallies.</summary>
    public IChunkStore Chunks { get; }

    /// <summary>The job's runs: dispatch marker, progress logs, hand-over, watchdog resumes.</summary>
    public IRunStore Runs { get; }

    /// <summary>The job's pause, cancel and notice.</summary>
    public ISignalStore Signals { get; }

    /// <summary>Breaks If-None-Match, for the contract suite's proof that it bites: every write that should keep a blob
    /// already there (a manifest, an input, a chunk's commit) replaces it instead and reports it new.</summary>
    public bool IfNoneMatchBroken { get; init; }

    /// <summary>One lock for every compare-and-swap (and the result's plain write): Blob Storage's If-Match makes each one step.</summary>
    public Lock UpdateLock { get; } = new();

    // ---- for its stores ----

    /// <summary>Stores the blob unless one is there (If-None-Match: *); true when it stored it.</summary>
    public bool TryAdd(string name, StoredBlob blob)
    {
        if (!IfNoneMatchBroken)
        {
            return _blobs.TryAdd(name, blob);
        }
        _blobs[name] = blob;
        return true;
    }

    /// <summary>Removes the blob; true when it was there.</summary>
    public bool Remove(string name) => _blobs.TryRemove(name, out _);

    /// <summary>Appends bytes to a blob, atomically (an append blob's block), creating it on first use.</summary>
    public void Append(string name, byte[] bytes) =>
        _blobs.AddOrUpdate(name, new StoredBlob(bytes), (_, stored) => new StoredBlob([.. stored.Content, .. bytes]));

    /// <summary>Read, decide and write as one step (Blob Storage's If-Match makes it one).</summary>
    public T? Update<T>(string name, JsonTypeInfo<T> typeInfo, Func<T?, T?> decide) where T : class
    {
        lock (UpdateLock)
        {
            if (decide(Read(name, typeInfo)) is not { } next)
            {
                return null;
            }
            _blobs[name] = Json(next, typeInfo);
            return next;
        }
    }

    /// <summary>Notes a dispatch marker written (<see cref="DispatchMarkers"/>).</summary>
    public void NoteMarker(string jobId, DispatchMarker marker) => _markerHistory.Enqueue((jobId, marker));

    /// <summary>Writes the job's entry in the index of jobs.</summary>
    public void WriteIndex(JobIndexEntry entry) =>
        _blobs[LedgerPaths.IndexEntry(entry.JobId, entry.CreatedAt)] = new StoredBlob([], entry.ToMetadata());

    // ---- for tests ----

    /// <summary>Puts this ledger in the place of the app's four stores.</summary>
    public void ReplaceIn(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton(Jobs));
        services.Replace(ServiceDescriptor.Singleton(Chunks));
        services.Replace(ServiceDescriptor.Singleton(Runs));
        services.Replace(ServiceDescriptor.Singleton(Signals));
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

    /// <summary>Calls of <see cref="IChunkStore.CommitChunkAsync"/> for one chunk, failed ones and duplicates included.</summary>
    public int CommitCalls(string jobId, int chunk) => _chunkCalls.GetValueOrDefault((LedgerOperation.CommitChunk, jobId, chunk));

    /// <summary>Calls of <see cref="IChunkStore.ReadChunkAsync"/> for one chunk.</summary>
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

    /// <summary>The stored blobs under a prefix, by name.</summary>
    public IEnumerable<(string Name, StoredBlob Blob)> Under(string prefix) =>
        _blobs.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => (b.Key, b.Value));

    // The real ledger turns every RequestFailedException, a 404 too, into StorageUnavailableException.
    /// <summary>A stored input's bytes; a missing one fails as Blob Storage's 404 does.</summary>
    public byte[] Input(string name) => _blobs.TryGetValue(name, out var blob)
        ? blob.Content
        : throw new StorageUnavailableException("Blob Storage failed: The specified blob does not exist.", new RequestFailedException(404, "BlobNotFound"));

    /// <summary>A stored blob as JSON, or null.</summary>
    public T? Read<T>(string name, JsonTypeInfo<T> typeInfo) where T : class =>
        _blobs.TryGetValue(name, out var blob) ? JsonSerializer.Deserialize(blob.Content, typeInfo) : null;

    /// <summary>A blob of <paramref name="value"/> as JSON.</summary>
    public static StoredBlob Json<T>(T value, JsonTypeInfo<T> typeInfo) => new(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    // Every operation: counted (per chunk too), cancellable like the SDK's, failed before (or after) it acts when a fault says so.
    public Task<T> RunAsync<T>(LedgerOperation operation, string? jobId, int? chunk, CancellationToken cancellationToken, Func<T> act)
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

    /// <summary>As <see cref="RunAsync{T}"/>, for an operation that answers nothing.</summary>
    public Task RunAsync(LedgerOperation operation, string? jobId, int? chunk, CancellationToken cancellationToken, Action act) =>
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
