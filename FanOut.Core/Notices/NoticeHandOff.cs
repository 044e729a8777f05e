using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Notices;

/// <summary>Hands a job's completion notice to a <c>notify</c> invocation (<see cref="NoticeSender"/>) and waits only until that
/// invocation has claimed it, not for the receiver: the run that ended the job (after it let the job's lease go), a cancel that
/// ended it, and any status read that finds the notice still owed (its sender died) call it. Nothing it meets, a storage
/// failure or the self-call's, reaches its caller: it is logged, and the next status read hands the notice over again.</summary>
internal sealed class NoticeHandOff(ISignalStore signalStore, ISelfCaller self, TimeProvider timeProvider, IOptions<FanOutOptions> options, ILogger<NoticeHandOff> logger)
{
    // How long the caller waits for the sender's claim to show before it goes on without it (a claim takes two storage calls).
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>True for the statuses a notice announces: Succeeded, Failed, Incomplete and Cancelled.</summary>
    public static bool IsFinal(JobStatus status) => status is not (JobStatus.Pending or JobStatus.Running);

    /// <summary>Hands over the notice of <paramref name="result"/> when the job asked for one and it is not settled yet.</summary>
    public async Task AnnounceAsync(JobManifest manifest, JobResult result)
    {
        if (manifest.NotifyUrl is null || !IsFinal(result.Status) || options.Value.Notify.SigningKey is not { Length: > 0 })
        {
            return;
        }
        var jobId = manifest.JobId;
        try
        {
            if ((await signalStore.ReadNoticeAsync(jobId).ConfigureAwait(false))?.Settles(result.Status, timeProvider.GetUtcNow()) == true)
            {
                return;
            }
            using var abandon = new CancellationTokenSource();
            var call = self.PostBatchAsync(Body(jobId), $"{jobId}/notify", abandon.Token);
            try
            {
                var started = timeProvider.GetTimestamp();
                while (!call.IsCompleted && timeProvider.GetElapsedTime(started) < AcknowledgeTimeout
                       && (await signalStore.ReadNoticeAsync(jobId).ConfigureAwait(false))?.Settles(result.Status, timeProvider.GetUtcNow()) != true)
                {
                    await Task.WhenAny(call, Task.Delay(Poll, timeProvider)).ConfigureAwait(false);
                }
                if (call.IsCompleted && (await call.ConfigureAwait(false)) is { IsSuccess: false } failed)
                {
                    Log.NoticeNotHandedOver(logger, jobId, failed.Error ?? $"HTTP {failed.StatusCode}");
                }
            }
            finally
            {
                // The sender goes on by itself once it holds the claim; this caller leaves no call of its own behind.
                if (!call.IsCompleted)
                {
                    await abandon.CancelAsync().ConfigureAwait(false);
                    await call.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            // Deliberately every exception: a notice never fails the run, the cancel or the status read that hands it over.
            Log.NoticeNotHandedOver(logger, jobId, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static byte[] Body(string jobId) =>
        JsonSerializer.SerializeToUtf8Bytes(new NotifyJobRequest { JobId = jobId }, NoticesJsonContext.Default.NotifyJobRequest);
}
