using System.Text.Json;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary><see cref="IRunStore"/> in memory, over <see cref="InMemoryJobLedger"/>'s blobs, as <see cref="BlobRunStore"/>
/// keeps it in Blob Storage: a compare-and-swap under one lock, a progress log appended to atomically.</summary>
internal sealed class InMemoryRunStore(InMemoryJobLedger ledger) : IRunStore
{
    // Under one lock, as Blob Storage's If-Match makes it one step: a run that loses the race decides again on the winner's marker.
    // A write whose marker takes a lease (no EndedAt) is counted as MarkDispatch; one that lets it go as ReleaseDispatch.
    public Task<DispatchMarker?> TryUpdateDispatchMarkerAsync(
        string jobId, Func<DispatchMarker?, DispatchMarker?> decide, CancellationToken cancellationToken = default)
    {
        DispatchMarker? next;
        lock (ledger.UpdateLock)
        {
            next = decide(ledger.Read(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker));
        }
        return ledger.RunAsync(next is { EndedAt: not null } ? LedgerOperation.ReleaseDispatch : LedgerOperation.MarkDispatch, null, null, cancellationToken, () =>
        {
            lock (ledger.UpdateLock)
            {
                var decided = ledger.Update(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker, decide);
                if (decided is not null)
                {
                    ledger.NoteMarker(jobId, decided);
                }
                return decided;
            }
        });
    }

    public Task<DispatchMarker?> ReadDispatchMarkerAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadDispatchMarker, null, null, cancellationToken, () =>
            ledger.Read(LedgerPaths.DispatchMarker(jobId), LedgerJsonContext.Default.DispatchMarker));

    // An append blob: each append adds its bytes at the end, atomically.
    public Task AppendProgressAsync(string jobId, string runId, ProgressLine line, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.AppendProgress, null, null, cancellationToken, () =>
            ledger.Append(LedgerPaths.Progress(jobId, runId, line.First / LedgerPaths.ProgressShardChunks),
                [.. JsonSerializer.SerializeToUtf8Bytes(line, LedgerJsonContext.Default.ProgressLine), (byte)'\n']));

    public Task<IReadOnlyList<ProgressLine>> ReadProgressAsync(string jobId, string runId, int chunkCount, CancellationToken cancellationToken = default) =>
        ledger.RunAsync<IReadOnlyList<ProgressLine>>(LedgerOperation.ReadProgress, null, null, cancellationToken, () =>
            [.. Enumerable.Range(0, LedgerPaths.ProgressShards(chunkCount))
                .SelectMany(shard => ledger.Blob(LedgerPaths.Progress(jobId, runId, shard)) is { } log ? ProgressLines.Parse(log.Content) : [])]);

    public Task WriteHandOverAsync(string jobId, RunHandOver handOver, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteHandOver, null, null, cancellationToken, () =>
            ledger.Plant(LedgerPaths.HandOver(jobId), InMemoryJobLedger.Json(handOver, LedgerJsonContext.Default.RunHandOver)));

    public Task<RunHandOver?> ReadHandOverAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadHandOver, null, null, cancellationToken, () => ledger.Read(LedgerPaths.HandOver(jobId), LedgerJsonContext.Default.RunHandOver));

    public Task<WatchdogResumes?> TryUpdateWatchdogResumesAsync(string jobId, Func<WatchdogResumes?, WatchdogResumes?> decide, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteWatchdogResumes, null, null, cancellationToken,
            () => ledger.Update(LedgerPaths.WatchdogResumes(jobId), LedgerJsonContext.Default.WatchdogResumes, decide));
}
