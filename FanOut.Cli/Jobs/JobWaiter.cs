using System.Globalization;
using System.Text.Json.Nodes;
using FanOut.Cli.Api;
using FanOut.Cli.Output;
using FanOut.Contracts;

namespace FanOut.Cli.Jobs;

/// <summary>Starts a job and waits for its verdict, as the README's pipeline recipe does by hand: start, read the status
/// until the job is finished, and resume it (a few times at most) when it is Incomplete, i.e. nothing runs it any more.
/// Gives up at the timeout; the job goes on without the CLI.</summary>
internal sealed class JobWaiter(IJobApi api, IProgressView progress, TimeProvider clock, WaitSettings settings)
{
    /// <summary>Sends <paramref name="request"/> (a start_fanout body with its jobId) and follows the job to its verdict.</summary>
    public async Task<Verdict> RunAsync(JsonObject request, CancellationToken cancellationToken = default)
    {
        var jobId = request["jobId"]!.GetValue<string>();
        using var timeout = new CancellationTokenSource(settings.Timeout, clock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ApiAnswer? last = null;
        try
        {
            var answer = await api.StartAsync(request, wait.Token).ConfigureAwait(false);
            for (var resumes = 0; ; )
            {
                last = answer;
                if (answer.Job is not { } job)
                {
                    return Verdicts.Of(answer);
                }
                progress.Show(job);
                if (job.IsFinal())
                {
                    return Verdicts.Of(answer);
                }
                if (job.Status == JobStatus.Incomplete)
                {
                    if (resumes == settings.Resumes)
                    {
                        return new Verdict(ExitCodes.GaveUp, answer, Invariant(
                            $"Job {jobId} is still Incomplete after {resumes} resumes: run the same command again (same --job-id) to resume it."));
                    }
                    resumes++;
                    progress.Note(Invariant($"Job {jobId} is Incomplete (nothing runs it any more): resuming it ({resumes} of {settings.Resumes})."));
                    answer = await api.ResumeAsync(jobId, settings.CallWaitSeconds, wait.Token).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(settings.PollInterval, clock, wait.Token).ConfigureAwait(false);
                answer = await api.StatusAsync(jobId, wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new Verdict(ExitCodes.GaveUp, last, Invariant(
                $"Gave up waiting after {settings.Timeout}: job {jobId} goes on (`fanout status {jobId}` reads it; `fanout run` with the same --job-id waits again)."));
        }
        finally
        {
            progress.Done();
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
