using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Hands a stored job to a <c>dispatch</c> invocation and waits up to <c>waitSeconds</c> for it: 200
/// with the result when the job finished in time, else 202 with its status and where to poll. It never
/// dispatches chunks itself, and stops waiting only once the dispatch run shows in the ledger, so
/// answering early strands nothing.</summary>
public sealed class JobHandOff(
    JobLedger ledger, SelfClient self, JobStatusBuilder status, JobIds jobIds, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    // How long a call that stops waiting still waits for the dispatch run to show up in the ledger.
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the job (unless it already succeeded) and answers 200, 202 or a problem.</summary>
    public async Task<BatchReply> RunAsync(JobManifest manifest, int waitSeconds, CancellationToken cancellationToken)
    {
        if (await ledger.ReadResultAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is { Status: JobStatus.Succeeded } done)
        {
            return BatchReply.Json(200, done, FanOutJsonContext.Default.JobResult);
        }

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
                return BatchReply.Json(202, live, FanOutJsonContext.Default.JobResult) with
                {
                    Headers = new Dictionary<string, string> { ["Location"] = $"/api/batch/{manifest.JobId}", ["Retry-After"] = "2" },
                };
            }
            var answer = await call.ConfigureAwait(false);
            return answer.StatusCode == 200
                ? new BatchReply(200, "application/json; charset=utf-8", answer.Body)
                : BatchReply.Problem(Problems.DispatchFailed(manifest.JobId, answer));
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
