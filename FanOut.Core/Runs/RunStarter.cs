using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>Hands a stored job to a fresh root run (a <c>dispatch</c> call) and waits for it, no longer than the
/// caller wants to, and never stops waiting before the run shows in the ledger: a run does not depend on its
/// caller once it started, so answering early strands nothing. Used by start_fanout and resume, and by a run
/// that hands what is left to the next hop of its chain.</summary>
internal sealed class RunStarter(IRunStore runStore, ISelfCaller self, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    // How long a call that stops waiting still waits for the dispatch run to show up in the ledger
    // (a run may first wait for the lease of a run that died to expire).
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10) + RunLease.MaxWait;

    /// <summary>Starts run <paramref name="runId"/> (hop <paramref name="hop"/>, after <paramref name="predecessor"/>)
    /// and waits up to <paramref name="waitFor"/> for its answer (<see cref="RunReply"/>; running when the run is under
    /// way and this call stopped waiting for it).</summary>
    public async Task<RunReply> StartAsync(
        string jobId, string runId, TimeSpan waitFor, CancellationToken cancellationToken, int hop = 1, string? predecessor = null)
    {
        var hopDeadline = TimeSpan.FromSeconds(options.Value.Dispatch.HopDeadlineSeconds);
        // A run under way shows as a marker other than this one: this run's lease, or the lease of a later hop it handed to.
        var before = (await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false))?.RunId;
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = self.PostBatchAsync(
            JsonSerializer.SerializeToUtf8Bytes(RunJobRequest.For(jobId, runId, hopDeadline, hop, predecessor), RunsJsonContext.Default.RunJobRequest), $"{jobId}/dispatch", abandon.Token, hopDeadline, jobId);
        try
        {
            if (await Task.WhenAny(call, Task.Delay(waitFor, timeProvider, cancellationToken)).ConfigureAwait(false) != call
                && !await DispatchStartedOrCallEndedAsync(jobId, before, call, cancellationToken).ConfigureAwait(false))
            {
                // The run is known to be under way (the ledger shows it), so this call may stop waiting for it.
                // (If it never shows up, the job is still stored and its status says what is pending; resume finishes it.)
                return new RunReply.Running();
            }
            return RunReply.Of(await call.ConfigureAwait(false));
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

    // True when the dispatch call itself ended while waiting for its run (or a later hop of it) to show up in the ledger.
    // (A run that finds the job held ends its call at once; a marker of another run that started meanwhile also means the job is under way.)
    private async Task<bool> DispatchStartedOrCallEndedAsync(string jobId, string? before, Task call, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (!call.IsCompleted
               && timeProvider.GetElapsedTime(started) < AcknowledgeTimeout
               && !await ShowsNewRunAsync(jobId, before, cancellationToken).ConfigureAwait(false))
        {
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, cancellationToken)).ConfigureAwait(false);
        }
        return call.IsCompleted;
    }

    private async Task<bool> ShowsNewRunAsync(string jobId, string? before, CancellationToken cancellationToken) =>
        await runStore.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false) is { Purging: false, RunId: var shown } && shown != before;
}
