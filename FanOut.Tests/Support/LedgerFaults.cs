using Azure;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary>The operations of the ledger's four stores (<see cref="InMemoryJobLedger"/>), to count and to break.</summary>
internal enum LedgerOperation
{
    GetManifest,
    Create,
    ReadInput,
    CommitChunk,
    WriteOutput,
    ReadChunk,
    RecordFailure,
    ReadSnapshot,
    ReadResult,
    WriteResult,
    DeleteResult,
    WritePause,
    ReadPause,
    MarkDispatch,
    ReleaseDispatch,
    ReadDispatchMarker,
    ReadFailures,
    DeleteFailures,
    AppendProgress,
    ReadProgress,
    WriteCancel,
    ReadCancel,
    DeleteCancel,
    WriteConcurrency,
    ReadConcurrency,
    DeleteConcurrency,
    PurgeBlob,
    ListJobs,
    ReadNotice,
    WriteNotice,
    WriteWatchdogResumes,
    ReadRangeTally,
    WriteRangeTally,
    ReadFailed,
    ReadHandOver,
    WriteHandOver,
}

/// <summary>A storage failure to inject: calls number <see cref="FromCall"/> to FromCall + Times - 1 of the
/// operation (counted from when the fault is injected; only calls about <see cref="Chunk"/> when it is set)
/// throw <see cref="StorageUnavailableException"/>. With <see cref="AfterWrite"/>, a write lands first and
/// then fails (the service did it, its answer was lost).</summary>
internal sealed record StorageFault(LedgerOperation Operation, int? Chunk = null, int FromCall = 1, int Times = 1, bool AfterWrite = false)
{
    private int _seen;

    /// <summary>Counts a matching call; true when it is to fail.</summary>
    public bool Hits(LedgerOperation operation, int? chunk)
    {
        if (operation != Operation || (Chunk is { } only && chunk != only))
        {
            return false;
        }
        var call = Interlocked.Increment(ref _seen);
        return call >= FromCall && call - FromCall < Times;
    }

    /// <summary>What the real ledger throws when Blob Storage fails.</summary>
    public static StorageUnavailableException Unavailable(LedgerOperation operation, int? chunk) =>
        new($"Blob Storage failed: injected fault in {operation}{(chunk is { } c ? $" of chunk {c}" : "")}.",
            new RequestFailedException(503, "Injected: the server is busy."));
}
