using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Outcomes;
using FanOut.Core.Runs;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Hands a stored job to a <c>dispatch</c> invocation and waits up to <c>waitSeconds</c> for it: the
/// job finished in time, or it is still running (and its status so far). It never
/// dispatches chunks itself, and stops waiting only once the dispatch run shows in the ledger, so
/// answering early strands nothing.</summary>
internal sealed class JobHandOff(
    IJobLedger ledger, ISelfCaller self, JobStatusBuilder status, JobIds jobIds, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    // How long a call that stops waiting still waits for the dispatch run to show up in the ledger.
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the job (a job that succeeded answers its result at once) and answers how far it got.</summary>
    public async Task<Outcome> RunAsync(JobManifest manifest, int waitSeconds, CancellationToken cancellationToken)
    {
        var runId = jobIds.NewId();
        var hopDeadline = TimeSpan.FromSeconds(options.Value.Dispatch.HopDeadlineSeconds);
        // Stop waiting a moment before the hop's own timeout, which would otherwise retry the hand-off.
        var waitFor = TimeSpan.FromSeconds(Math.Min(waitSeconds, hopDeadline.TotalSeconds - 1));
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = self.PostBatchAsync(ChunkBodies.Dispatch(manifest.JobId, runId, hopDeadline), $"{manifest.JobId}/dispatch", abandon.Token, hopDeadline, manifest.JobId);
        try
        {
            if (await Task.WhenAny(call, Task.Delay(waitFor, timeProvider, cancellationToken)).ConfigureAwait(false) != call
                && !await DispatchStartedOrCallEndedAsync(manifest.JobId, runId, call, cancellationToken).ConfigureAwait(false))
            {
                // The dispatch run is known to be under way (the ledger shows it), so this call may stop
                // waiting for it: the run does not depend on its caller. (If it never shows up, the job is
                // still stored and its status says what is pending; resume finishes it.)
                var live = status.Live(manifest, await ledger.ReadSnapshotAsync(manifest.JobId, cancellationToken).ConfigureAwait(false));
                return new JobRunning(live);
            }
            var answer = await call.ConfigureAwait(false);
            return answer.StatusCode == 200 && answer.Read(FanOutJsonContext.Default.JobResult, out _) is { } result
                ? new JobFinished(result)
                : Refusal.DispatchFailed(manifest.JobId, answer.Error ?? $"HTTP {answer.StatusCode}");
        }
        finally
        {
            // Whatever this invocation answers, it leaves no call of its own running behind it.
            if (!call.IsCompleted)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                await call.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    // True when the dispatch call itself ended while waiting for its run to show up in the ledger.
    private async Task<bool> DispatchStartedOrCallEndedAsync(string jobId, string runId, Task call, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (!call.IsCompleted
               && timeProvider.GetElapsedTime(started) < AcknowledgeTimeout
               && (await ledger.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false))?.RunId != runId)
        {
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, cancellationToken)).ConfigureAwait(false);
        }
        return call.IsCompleted;
    }

}
