using FanOut.Core.Ledger;

namespace FanOut.Tests.Support;

/// <summary><see cref="ISignalStore"/> in memory, over <see cref="InMemoryJobLedger"/>'s blobs, as <see cref="BlobSignalStore"/>
/// keeps it in Blob Storage.</summary>
internal sealed class InMemorySignalStore(InMemoryJobLedger ledger) : ISignalStore
{
    public Task WritePauseAsync(string jobId, JobPause pause, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WritePause, null, null, cancellationToken, () =>
            ledger.Plant(LedgerPaths.Pause(jobId), InMemoryJobLedger.Json(pause, LedgerJsonContext.Default.JobPause)));

    public Task<JobPause?> ReadPauseAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadPause, null, null, cancellationToken, () => ledger.Read(LedgerPaths.Pause(jobId), LedgerJsonContext.Default.JobPause));

    public Task WriteCancelAsync(string jobId, JobCancel cancel, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteCancel, null, null, cancellationToken, () =>
            ledger.Plant(LedgerPaths.Cancel(jobId), InMemoryJobLedger.Json(cancel, LedgerJsonContext.Default.JobCancel)));

    public Task<JobCancel?> ReadCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadCancel, null, null, cancellationToken, () => ledger.Read(LedgerPaths.Cancel(jobId), LedgerJsonContext.Default.JobCancel));

    public Task DeleteCancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.DeleteCancel, null, null, cancellationToken, () => ledger.Remove(LedgerPaths.Cancel(jobId)));

    public Task WriteConcurrencyAsync(string jobId, JobConcurrency concurrency, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteConcurrency, null, null, cancellationToken, () =>
            ledger.Plant(LedgerPaths.Concurrency(jobId), InMemoryJobLedger.Json(concurrency, LedgerJsonContext.Default.JobConcurrency)));

    public Task<JobConcurrency?> ReadConcurrencyAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadConcurrency, null, null, cancellationToken, () =>
            ledger.Read(LedgerPaths.Concurrency(jobId), LedgerJsonContext.Default.JobConcurrency));

    public Task DeleteConcurrencyAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.DeleteConcurrency, null, null, cancellationToken, () => ledger.Remove(LedgerPaths.Concurrency(jobId)));

    public Task<JobNotice?> ReadNoticeAsync(string jobId, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.ReadNotice, null, null, cancellationToken, () => ledger.Read(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice));

    public Task<JobNotice?> TryUpdateNoticeAsync(string jobId, Func<JobNotice?, JobNotice?> decide, CancellationToken cancellationToken = default) =>
        ledger.RunAsync(LedgerOperation.WriteNotice, null, null, cancellationToken, () => ledger.Update(LedgerPaths.Notice(jobId), LedgerJsonContext.Default.JobNotice, decide));
}
